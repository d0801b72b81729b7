//! Specs, data sets and trainer views for convolutional and recurrent networks.

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::data::{DatasetKind, digits, samples, sequences, shapes};
use engine::loss::LossKind;
use engine::plan::{Shape, plan};
use engine::rng::Rng;
use engine::spec::{LayerSpec, ModelSpec};
use engine::testing::block_on;
use engine::testing::layers::{digits_cnn_spec, memory_spec, sine_lstm_spec};
use engine::train::Trainer;

fn conv(filters: u32, kernel: u32) -> LayerSpec {
    LayerSpec::Conv2d { filters, kernel, stride: 1, padding: 0, activation: Activation::Relu }
}

fn error_of(spec: &ModelSpec) -> String {
    spec.validate().expect_err("the spec should be rejected").to_string()
}

#[test]
fn impossible_stacks_are_rejected_naming_the_layer() {
    // A convolution on 2-D points.
    let mut s = ModelSpec::default();
    s.layers.insert(1, conv(4, 3));
    let e = error_of(&s);
    assert!(e.contains("layers[1] (conv2d)") && e.contains("image"), "{e}");

    // A recurrent layer on images, and one on points.
    let mut s = digits_cnn_spec();
    s.layers.insert(0, LayerSpec::Lstm { hidden: 4, return_sequences: false });
    assert!(error_of(&s).contains("layers[0] (lstm)"), "{}", error_of(&s));
    let s = ModelSpec { layers: vec![LayerSpec::Gru { hidden: 4, return_sequences: false }], ..Default::default() };
    assert!(error_of(&s).contains("layers[0] (gru)"));

    // Dense on an image before a flatten, and on a sequence.
    let mut s = digits_cnn_spec();
    s.layers.remove(2);
    let e = error_of(&s);
    assert!(e.contains("layers[2] (dense)") && e.contains("flatten"), "{e}");
    let mut s = sine_lstm_spec();
    s.layers = vec![LayerSpec::Dense { units: 4, activation: Activation::Tanh }];
    assert!(error_of(&s).contains("layers[0] (dense)"));

    // Windows that do not fit, bad sizes, non-elementwise activations.
    let mut s = digits_cnn_spec();
    s.layers[0] = conv(4, 9);
    assert!(error_of(&s).contains("layers[0] (conv2d)"));
    s.layers[0] = conv(0, 3);
    assert!(error_of(&s).contains("filters"));
    s.layers[0] = LayerSpec::Conv2d { filters: 4, kernel: 3, stride: 0, padding: 0, activation: Activation::Relu };
    assert!(error_of(&s).contains("stride"));
    s.layers[0] = LayerSpec::Conv2d { filters: 4, kernel: 3, stride: 1, padding: 0, activation: Activation::Softmax };
    assert!(error_of(&s).contains("elementwise"));
    let mut s = digits_cnn_spec();
    s.layers.insert(2, LayerSpec::MaxPool2d { kernel: 5, stride: 1 });
    assert!(error_of(&s).contains("layers[2] (max_pool2d)"), "{}", error_of(&s));

    // Ten classes need softmax cross-entropy.
    let mut s = digits_cnn_spec();
    s.loss = LossKind::Mse;
    assert!(error_of(&s).contains("softmax"));
}

#[test]
fn plans_track_shapes_and_parameters() {
    let s = digits_cnn_spec();
    let p = plan(&s).unwrap();
    assert_eq!(p[0].output, Shape::Image { channels: 8, height: 8, width: 8 });
    assert_eq!(p[1].output, Shape::Image { channels: 8, height: 4, width: 4 });
    assert_eq!(p[2].output, Shape::Flat(128));
    assert_eq!(p.last().unwrap().output, Shape::Flat(10));
    // conv 8·1·3·3 + 8, dense 128·32 + 32, output 32·10 + 10.
    assert_eq!(s.parameter_count(), 80 + 4128 + 330);
    let l = sine_lstm_spec();
    assert_eq!(l.parameter_count(), 4 * 16 * (1 + 16) + 2 * 64 + 17);
    let seq = ModelSpec { layers: vec![LayerSpec::Gru { hidden: 5, return_sequences: true }, LayerSpec::Flatten], ..memory_spec("gru") };
    assert_eq!(plan(&seq).unwrap()[1].output, Shape::Flat(5 * engine::plan::MEMORY_WINDOW));
}

#[test]
fn new_layers_round_trip_through_json_and_old_specs_still_read() {
    for s in [digits_cnn_spec(), sine_lstm_spec(), memory_spec("rnn"), memory_spec("gru")] {
        assert_eq!(ModelSpec::from_json(&s.to_json()).unwrap(), s);
    }
    // Stride and padding may be left out (1 and 0).
    let relu = serde_json::to_string(&Activation::Relu).unwrap();
    let j = format!(r#"{{"type":"conv2d","filters":4,"kernel":3,"activation":{relu}}}"#);
    let l: LayerSpec = serde_json::from_str(&j).unwrap();
    assert_eq!(l, LayerSpec::Conv2d { filters: 4, kernel: 3, stride: 1, padding: 0, activation: Activation::Relu });
    let l: LayerSpec = serde_json::from_str(r#"{"type":"lstm","hidden":8}"#).unwrap();
    assert_eq!(l, LayerSpec::Lstm { hidden: 8, return_sequences: false });
    let d = ModelSpec::default();
    assert_eq!(ModelSpec::from_json(&d.to_json()).unwrap(), d);
}

#[test]
fn digits_decode_from_the_embedded_gzip() {
    let d = digits::load().unwrap();
    assert_eq!(d.len(), digits::COUNT);
    let mut per_class = [0usize; 10];
    for (px, label) in &d {
        per_class[*label as usize] += 1;
        assert!(px.iter().all(|&p| (0.0..=1.0).contains(&p)));
    }
    assert!(per_class.iter().all(|&n| (170..=190).contains(&n)), "{per_class:?}");
    // The first image is a 0 (its top row is 0 0 5 13 9 1 0 0).
    assert_eq!(d[0].1, 0);
    assert_eq!(&d[0].0[..8], &[0.0, 0.0, 5.0 / 16.0, 13.0 / 16.0, 9.0 / 16.0, 1.0 / 16.0, 0.0, 0.0]);
    assert!(digits::gunzip(b"not gzip at all, not at all").is_err());
}

#[test]
fn generated_sets_are_seeded_and_shaped() {
    let (a, b) = (shapes::draw(2, 0.1, &mut Rng::new(9)), shapes::draw(2, 0.1, &mut Rng::new(9)));
    assert_eq!(a, b);
    assert_eq!(a.len(), shapes::SIZE * shapes::SIZE);
    assert!(a.iter().any(|&v| v > 0.9), "the shape has ink");
    let (xs, ys) = sequences::sine(50, 20, 0.05, 0.0, &mut Rng::new(1));
    assert_eq!((xs.len(), xs[0].len(), ys.len()), (50, 20, 50));
    // Noise-free: the target is the next window's last value.
    assert!((xs[1][19] - ys[0]).abs() < 1e-6);
    let (xs, ys) = sequences::memory(100, 12, 6, &mut Rng::new(2));
    for (x, y) in xs.iter().zip(&ys) {
        let cue = (0..12).find(|&t| x[2 * t + 1] == 1.0).unwrap();
        assert!(cue < 12 - 6);
        assert_eq!(*y, if x[2 * cue] > 0.0 { 1.0 } else { 0.0 });
    }
    for kind in [DatasetKind::Digits, DatasetKind::Shapes, DatasetKind::Sine, DatasetKind::Memory] {
        let (tr, te) = samples(kind, 200, 0.05, 75, &mut Rng::new(3), &mut Rng::new(4)).unwrap();
        let (tr2, _) = samples(kind, 200, 0.05, 75, &mut Rng::new(3), &mut Rng::new(4)).unwrap();
        assert_eq!(tr, tr2, "{kind:?} replays from its seed");
        assert_eq!((tr.len(), te.len()), (150, 50), "{kind:?}");
        assert_eq!(tr.width, engine::plan::input_shape(kind, 2).len());
    }
}

#[test]
fn trainer_shows_feature_maps_filters_and_sequence_predictions() {
    let mut s = digits_cnn_spec();
    s.data.points = 200;
    let mut t = Trainer::new(CpuBackend::new(), &s).unwrap();
    t.step(3).unwrap();
    let maps = block_on(t.feature_maps(0)).unwrap();
    assert_eq!(maps.len(), 2);
    assert_eq!((maps[0].kind, maps[0].shape, maps[0].data.len()), ("conv2d", [8, 8, 8], 512));
    assert_eq!((maps[1].kind, maps[1].shape), ("max_pool2d", [8, 4, 4]));
    assert!(block_on(t.feature_maps(10_000)).is_err());
    let p = block_on(t.parameters()).unwrap();
    assert_eq!((p[0].kind, p[0].weight_shape.clone(), p[0].weight.len()), ("conv2d", vec![8, 1, 3, 3], 72));
    assert_eq!(p[0].spec_index, Some(0));
    assert_eq!(p.last().unwrap().spec_index, None);
    let pr = block_on(t.test_predictions(0, 5)).unwrap();
    assert_eq!((pr.width, pr.predicted.len(), pr.truth.len()), (10, 50, 5));
    assert!(block_on(t.predict(&[(0.0, 0.0)])).is_err(), "points make no sense for images");

    let mut s = sine_lstm_spec();
    s.data.points = 100;
    let mut t = Trainer::new(CpuBackend::new(), &s).unwrap();
    t.step(2).unwrap();
    let pr = block_on(t.predict_sequence(0, 10)).unwrap();
    assert_eq!((pr.width, pr.predicted.len(), pr.truth.len()), (1, 10, 10));
    let hs = block_on(t.hidden_states(0)).unwrap();
    assert_eq!((hs.len(), hs[0].steps, hs[0].hidden, hs[0].data.len()), (1, 20, 16, 320));
    let p = block_on(t.parameters()).unwrap();
    assert_eq!((p[0].kind, p[0].weight.len(), p[0].weight_hh.len(), p[0].bias_hh.len()), ("lstm", 64, 1024, 64));
    let m = block_on(t.metrics()).unwrap();
    assert!(m.test_accuracy.is_none() && m.test_loss.is_finite());
}
