//! Model files: export → parse → load into a fresh trainer gives the same predictions, for every
//! layer kind; and a corpus of broken files, each refused with its own error and never a panic.
//! Plus the generated Keras and PyTorch code's structure (running it is `cargo xtask test`'s
//! python suite, see xtask/src/python.rs).

mod gpu_common;

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::data::DatasetKind;
use engine::export::{ImportError, MAX_FILE_BYTES, ModelFile, to_keras, to_pytorch};
use engine::loss::LossKind;
use engine::model::LayerParams;
use engine::spec::{LayerSpec, ModelSpec, RegKind};
use engine::testing::layers::{digits_cnn_spec, memory_spec, sine_lstm_spec};
use engine::train::Trainer;
use pollster::block_on;

fn dense(units: u32, activation: Activation) -> LayerSpec {
    LayerSpec::Dense { units, activation }
}

/// One spec per layer kind and per activation with parameters or groups.
fn specs() -> Vec<(&'static str, ModelSpec)> {
    let mut prelu = ModelSpec::default();
    prelu.data.kind = DatasetKind::Xor;
    prelu.layers = vec![dense(6, Activation::Prelu), dense(3, Activation::Prelu)];
    prelu.loss = LossKind::SigmoidBce;
    let mut maxout = ModelSpec::default();
    maxout.data.kind = DatasetKind::Spiral;
    maxout.layers = vec![dense(5, Activation::Maxout { pieces: 3 }), dense(4, Activation::Swish { beta: 1.5 })];
    maxout.loss = LossKind::SoftmaxCrossEntropy;
    maxout.regularization = engine::spec::Regularization { kind: RegKind::L2, rate: 0.001 };
    let mut cnn = digits_cnn_spec();
    cnn.data.points = 300;
    cnn.layers.insert(2, LayerSpec::AvgPool2d { kernel: 2, stride: 1 });
    let mut gru_seq = memory_spec("gru");
    gru_seq.data.points = 200;
    gru_seq.layers = vec![LayerSpec::Gru { hidden: 5, return_sequences: true }, LayerSpec::Rnn { hidden: 4, return_sequences: false }];
    let mut lstm = sine_lstm_spec();
    lstm.data.points = 200;
    vec![("circle tanh", ModelSpec::default()), ("xor prelu", prelu), ("spiral maxout", maxout), ("digits cnn", cnn), ("memory gru+rnn", gru_seq), ("sine lstm", lstm)]
}

fn trained(spec: &ModelSpec, steps: u32) -> Trainer<CpuBackend> {
    let mut t = Trainer::new(CpuBackend::new(), spec).unwrap();
    t.step(steps).unwrap();
    t
}

/// Inputs to compare predictions on: a few test rows (points or samples).
fn inputs(t: &Trainer<CpuBackend>) -> Vec<f32> {
    let s = t.test_samples();
    if !s.is_empty() {
        return s.x[..s.width * 7.min(s.len())].to_vec();
    }
    let mut rows = Vec::new();
    for p in t.test_points().iter().take(7) {
        engine::data::Feature::row(&t.spec().features, p.x, p.y, &mut rows);
    }
    rows
}

#[test]
fn round_trip_gives_identical_predictions_for_every_layer_kind() {
    for (name, spec) in specs() {
        let mut a = trained(&spec, 12);
        let file = block_on(ModelFile::from_trainer(&mut a)).unwrap();
        assert_eq!(file.parameter_count(), a.parameter_count(), "{name}");
        assert_eq!((file.epoch, file.step), (a.epoch(), 12));
        let text = file.to_json();
        let back = ModelFile::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, file, "{name}: the parsed file differs");
        // A fresh trainer starts from other weights (same seed, but not trained)...
        let x = inputs(&a);
        let want = block_on(a.predict_samples(&x)).unwrap();
        let mut b = Trainer::new(CpuBackend::new(), &back.spec).unwrap();
        assert_ne!(block_on(b.predict_samples(&x)).unwrap(), want, "{name}: training changed nothing");
        // ...and predicts exactly as the original once loaded.
        b.load_parameters(&back.layers).unwrap();
        assert_eq!(block_on(b.predict_samples(&x)).unwrap(), want, "{name}");
        assert_eq!(block_on(b.parameters()).unwrap(), block_on(a.parameters()).unwrap(), "{name}");
        // `build` does the same in one call.
        let mut c = back.build(CpuBackend::new()).unwrap();
        assert_eq!(block_on(c.predict_samples(&x)).unwrap(), want, "{name}");
    }
}

#[test]
fn a_file_from_the_cpu_loads_on_the_gpu_and_back() {
    // The page trains on either device: a file written from one loads on the other (lavapipe
    // here; no adapter is a failure, not a skip).
    for (name, spec) in specs() {
        let mut cpu = trained(&spec, 8);
        let x = inputs(&cpu);
        let want = block_on(cpu.predict_samples(&x)).unwrap();
        let file = ModelFile::parse(&block_on(ModelFile::from_trainer(&mut cpu)).unwrap().to_json()).unwrap();
        let mut gpu = file.build(gpu_common::gpu()).unwrap();
        let got = block_on(gpu.predict_samples(&x)).unwrap();
        let diff = want.iter().zip(&got).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(diff < 1e-4, "{name}: GPU predictions differ by {diff}");
        // Back from the GPU: the weights are the file's, bit for bit.
        let again = block_on(ModelFile::from_trainer(&mut gpu)).unwrap();
        assert_eq!(again.layers, file.layers, "{name}");
    }
}

#[test]
fn loaded_model_keeps_training() {
    let spec = ModelSpec::default();
    let mut a = trained(&spec, 200);
    let file = ModelFile::parse(&block_on(ModelFile::from_trainer(&mut a)).unwrap().to_json()).unwrap();
    let mut b = file.build(CpuBackend::new()).unwrap();
    let before = block_on(b.metrics()).unwrap().train_loss;
    b.step(200).unwrap();
    let after = block_on(b.metrics()).unwrap().train_loss;
    assert!(after.is_finite() && after < before, "loss {before} -> {after}");
}

#[test]
fn load_parameters_refuses_what_does_not_fit_and_changes_nothing() {
    let mut t = trained(&ModelSpec::default(), 5);
    let good = block_on(t.parameters()).unwrap();
    let x = inputs(&t);
    let before = block_on(t.predict_samples(&x)).unwrap();
    let mut cases: Vec<(Vec<LayerParams>, &str)> = Vec::new();
    cases.push((good[..2].to_vec(), "2 layers given, the network has 3"));
    let mut short = good.clone();
    short[1].bias.pop();
    cases.push((short, "layers[1] (dense): bias has 1 values, the network needs 2"));
    let mut nan = good.clone();
    nan[0].weight[3] = f32::NAN;
    cases.push((nan, "layers[0] (dense): weight[3] is NaN"));
    let mut kind = good.clone();
    kind[2].kind = "conv2d";
    cases.push((kind, "layers[2]: a conv2d layer given where the network has dense"));
    let mut slopes = good.clone();
    slopes[0].prelu_alpha = Some(vec![0.25; 4]);
    cases.push((slopes, "layers[0] (dense): the network has no PReLU slopes"));
    for (layers, want) in cases {
        let e = t.load_parameters(&layers).unwrap_err().to_string();
        assert!(e.contains(want), "{e:?} should say {want:?}");
    }
    assert_eq!(block_on(t.predict_samples(&x)).unwrap(), before);
}

// ---------------------------------------------------------------------------------------------
// Broken files.

fn exported(spec: &ModelSpec) -> serde_json::Value {
    let mut t = trained(spec, 3);
    serde_json::from_str(&block_on(ModelFile::from_trainer(&mut t)).unwrap().to_json()).unwrap()
}

fn parse_value(v: &serde_json::Value) -> Result<ModelFile, ImportError> {
    ModelFile::parse(&v.to_string())
}

fn edit(base: &serde_json::Value, f: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
    let mut v = base.clone();
    f(&mut v);
    v
}

#[test]
fn broken_files_each_get_their_own_error() {
    let base = exported(&digits_cnn_spec());
    let text = base.to_string();
    let err = |r: Result<ModelFile, ImportError>| r.expect_err("a broken file was accepted");
    use ImportError as E;

    // Size, JSON, format, version.
    let huge = format!("{}{}", " ".repeat(MAX_FILE_BYTES), text);
    assert!(matches!(err(ModelFile::parse(&huge)), E::TooLarge { .. }));
    assert!(matches!(err(ModelFile::parse(&text[..text.len() / 2])), E::NotJson(_)));
    assert!(matches!(err(ModelFile::parse("")), E::NotJson(_)));
    assert!(matches!(err(ModelFile::parse("model.json")), E::NotJson(_)));
    assert!(matches!(err(ModelFile::parse("\u{feff}{}")), E::NotJson(_)));
    assert!(matches!(err(ModelFile::parse("[1, 2]")), E::WrongFormat(_)));
    assert!(matches!(err(ModelFile::parse("{}")), E::WrongFormat(_)));
    assert!(matches!(err(ModelFile::parse(r#"{"format":"keras"}"#)), E::WrongFormat(m) if m.contains("\"keras\"")));
    let e = err(ModelFile::parse(&ModelSpec::default().to_json()));
    assert!(matches!(&e, E::WrongFormat(m) if m.contains("spec without weights")), "{e}");
    assert!(matches!(err(parse_value(&edit(&base, |v| v["version"] = 2.into()))), E::UnsupportedVersion { found } if found == "2"));
    assert!(matches!(err(parse_value(&edit(&base, |v| v["version"] = "1".into()))), E::UnsupportedVersion { .. }));
    assert!(matches!(err(parse_value(&edit(&base, |v| drop(v.as_object_mut().unwrap().remove("version"))))), E::Missing { field } if field == "version"));

    // The spec.
    assert!(matches!(err(parse_value(&edit(&base, |v| drop(v.as_object_mut().unwrap().remove("spec"))))), E::Missing { field } if field == "spec"));
    assert!(matches!(err(parse_value(&edit(&base, |v| v["spec"] = 3.into()))), E::BadField { field, .. } if field == "spec"));
    let e = err(parse_value(&edit(&base, |v| v["spec"]["batch_size"] = 0.into())));
    assert_eq!(e.to_string(), "the model's spec is invalid: batch_size: must be in 1..=1024, got 0");
    let e = err(parse_value(&edit(&base, |v| v["spec"]["layers"][0]["filters"] = 1000.into())));
    assert!(matches!(&e, E::InvalidSpec(m) if m.contains("layers[0] (conv2d): filters must be in 1..=64")), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["spec"]["layers"][0]["type"] = "attention".into())));
    assert!(matches!(e, E::InvalidSpec(_)));

    // Training position.
    assert!(matches!(err(parse_value(&edit(&base, |v| v["training"]["epoch"] = (-1).into()))), E::BadField { field, .. } if field == "training.epoch"));
    let ok = parse_value(&edit(&base, |v| drop(v.as_object_mut().unwrap().remove("training")))).unwrap();
    assert_eq!((ok.epoch, ok.step), (0, 0));

    // Layers.
    assert!(matches!(err(parse_value(&edit(&base, |v| drop(v.as_object_mut().unwrap().remove("layers"))))), E::Missing { field } if field == "layers"));
    assert!(matches!(err(parse_value(&edit(&base, |v| v["layers"] = "none".into()))), E::BadField { field, .. } if field == "layers"));
    let e = err(parse_value(&edit(&base, |v| drop(v["layers"].as_array_mut().unwrap().pop()))));
    assert!(matches!(e, E::LayerCount { file: 3, built: 4, .. }), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["layers"].as_array_mut().unwrap().swap(0, 1))));
    assert_eq!(e.to_string(), "layers[0]: the file has a max_pool2d layer where the spec builds conv2d");
    assert!(matches!(err(parse_value(&edit(&base, |v| v["layers"][1] = 7.into()))), E::BadField { field, .. } if field == "layers[1]"));
    assert!(matches!(err(parse_value(&edit(&base, |v| v["layers"][0]["spec_index"] = 2.into()))), E::BadField { field, .. } if field == "layers[0].spec_index"));

    // Tensors: missing, shape, base64, length, non-finite.
    let e = err(parse_value(&edit(&base, |v| drop(v["layers"][2].as_object_mut().unwrap().remove("bias")))));
    assert_eq!(e.to_string(), "layers[2].bias is missing");
    let e = err(parse_value(&edit(&base, |v| v["layers"][0]["weight"]["shape"] = serde_json::json!([16, 1, 3, 3]))));
    assert_eq!(e.to_string(), "layers[0] (conv2d): weight is [16,1,3,3] in the file, the spec builds [8,1,3,3]");
    let e = err(parse_value(&edit(&base, |v| v["layers"][0]["weight"]["shape"] = serde_json::json!([72]))));
    assert!(matches!(e, E::Shape { index: 0, tensor: "weight", .. }));
    let e = err(parse_value(&edit(&base, |v| v["layers"][0]["weight"]["shape"] = serde_json::json!([8, 1, 3, -3]))));
    assert!(matches!(e, E::BadField { .. }), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["layers"][0]["weight"]["shape"] = serde_json::json!([u64::MAX, u64::MAX, 3, 3]))));
    assert!(matches!(e, E::Shape { .. }), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["bias"]["data"] = "AAAA!AAA".into())));
    assert!(matches!(&e, E::Base64 { index: 3, tensor: "bias", .. }), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["bias"]["data"] = "AAAAAAA".into())));
    assert!(matches!(&e, E::Base64 { .. }), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["bias"]["data"] = 5.into())));
    assert!(matches!(&e, E::BadField { field, .. } if field == "layers[3].bias.data"), "{e}");
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["bias"]["data"] = engine::b64::encode_f32(&[0.5; 9]).into())));
    assert_eq!(e.to_string(), "layers[3] (dense): bias.data holds 9 numbers, its shape needs 10");
    let mut bias = vec![0.5f32; 10];
    bias[4] = f32::NAN;
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["bias"]["data"] = engine::b64::encode_f32(&bias).into())));
    assert_eq!(e.to_string(), "layers[3] (dense): bias[4] is NaN, not a finite number");
    bias[4] = f32::NEG_INFINITY;
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["bias"]["data"] = engine::b64::encode_f32(&bias).into())));
    assert!(matches!(e, E::NonFinite { position: 4, .. }));

    // PReLU slopes where the activation has none.
    let e = err(parse_value(&edit(&base, |v| v["layers"][3]["prelu_alpha"] = v["layers"][3]["bias"].clone())));
    assert!(matches!(&e, E::BadField { field, .. } if field == "layers[3].prelu_alpha"), "{e}");

    // A model file of another spec: the layers do not fit.
    let other = exported(&ModelSpec::default());
    let e = err(parse_value(&edit(&base, |v| v["layers"] = other["layers"].clone())));
    assert!(matches!(e, E::LayerCount { .. }));
    let mut wider = ModelSpec::default();
    wider.layers[0] = dense(5, Activation::Tanh);
    let e = err(parse_value(&edit(&other, |v| v["spec"] = serde_json::from_str(&wider.to_json()).unwrap())));
    assert_eq!(e.to_string(), "layers[0] (dense): weight is [4,2] in the file, the spec builds [5,2]");

    // Unknown extra fields are ignored (later versions may add some).
    assert!(parse_value(&edit(&base, |v| v["comment"] = "hello".into())).is_ok());
    // Every error converts to the engine's error type with its message.
    let e: engine::EngineError = ImportError::Missing { field: "layers".into() }.into();
    assert_eq!(e.to_string(), "cannot import the model file: layers is missing");
}

#[test]
fn mangled_files_never_panic() {
    // Every truncation point and a deterministic set of byte flips of a real file.
    let spec = ModelSpec { layers: vec![dense(3, Activation::Prelu)], ..ModelSpec::default() };
    let text = exported(&spec).to_string();
    let mut refused = 0;
    for cut in 0..text.len() {
        if text.is_char_boundary(cut) && ModelFile::parse(&text[..cut]).is_err() {
            refused += 1;
        }
    }
    assert_eq!(refused, text.len(), "a truncated file was accepted");
    let mut rng = engine::rng::Rng::new(7);
    let bytes = text.as_bytes();
    for _ in 0..3000 {
        let mut b = bytes.to_vec();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(b.len());
            b[i] = b" {}[]\":,0123456789eE.-+ABCxyz=/\\nul"[rng.below(35)];
        }
        if let Ok(s) = std::str::from_utf8(&b) {
            let _ = ModelFile::parse(s);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated code (its structure; running it is the python suite's job).

#[test]
fn generated_code_names_every_layer_and_setting() {
    for (name, spec) in specs() {
        let k = to_keras(&spec);
        let p = to_pytorch(&spec);
        for code in [&k, &p] {
            assert!(code.contains("def build_model():"), "{name}");
            assert!(code.contains("def load_dl101_weights(model, path):"), "{name}");
            assert!(code.contains("def predict(model, x):"), "{name}");
            assert!(code.contains(&format!("BATCH_SIZE = {}", spec.batch_size)), "{name}");
            assert!(!code.contains('\t'), "{name}");
        }
        assert!(k.contains("import keras") && !k.contains("torch"), "{name}");
        assert!(p.contains("import torch") && !p.contains("keras"), "{name}");
    }
    let (_, cnn) = &specs()[3];
    let k = to_keras(cnn);
    assert!(k.contains("layers.Conv2D(8, 3, strides=1"), "{k}");
    assert!(k.contains("layers.ZeroPadding2D(1)"));
    assert!(k.contains("keras.optimizers.Adam(learning_rate=0.01"));
    assert!(k.contains("SparseCategoricalCrossentropy(from_logits=True)"));
    let p = to_pytorch(cnn);
    assert!(p.contains("nn.Conv2d(1, 8, kernel_size=3, stride=1, padding=1)"), "{p}");
    assert!(p.contains("nn.CrossEntropyLoss()"));
    let (_, gru) = &specs()[4];
    assert!(to_keras(gru).contains("layers.GRU(5, reset_after=True, return_sequences=True"));
    assert!(to_pytorch(gru).contains("Recurrent(nn.GRU(2, 5, batch_first=True), return_sequences=True)"));
    let (_, maxout) = &specs()[2];
    assert!(to_keras(maxout).contains("keras.regularizers.L2(0.001 / 2)"));
    assert!(to_pytorch(maxout).contains("weight_decay=0.001"));
    assert!(to_pytorch(maxout).contains("Maxout(5, 3)"));
}
