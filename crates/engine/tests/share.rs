//! Share links: exact round trips over many random valid specs, the documented format, and a
//! corpus of broken and hostile links that must each give problems and a valid spec, never a
//! panic. Plus a small in-process mutation fuzzer over the same invariants as `fuzz/`.

use engine::activation::{ACTIVATIONS, Activation};
use engine::data::{DatasetKind, Feature};
use engine::init::InitKind;
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::rng::Rng;
use engine::share::{
    self, Decoded, MAX_LINK_BYTES, MAX_PROBLEMS, Source, ViewOptions, decode, encode,
};
use engine::spec::{LayerSpec, ModelSpec, RegKind, limits};

// ---------------------------------------------------------------------------------------------
// Random valid specs.

/// A random f32 in the range, often at or next to its ends.
fn f32_in(rng: &mut Rng, lo: f32, lo_open: bool, hi: f32, hi_open: bool) -> f32 {
    let ok = |x: f32| (if lo_open { x > lo } else { x >= lo }) && (if hi_open { x < hi } else { x <= hi });
    loop {
        let x = match rng.below(8) {
            0 => lo,
            1 => hi,
            2 => f32::from_bits(lo.to_bits() + 1),
            3 => f32::from_bits(hi.to_bits() - 1),
            4 => f32::from_bits(rng.next_u64() as u32),
            5 => 10f64.powf(rng.uniform(-12.0, 1.0)) as f32,
            6 => -0.0,
            _ => rng.uniform(lo as f64, hi as f64) as f32,
        };
        if ok(x) {
            return x;
        }
    }
}

fn u32_in(rng: &mut Rng, lo: u32, hi: u32) -> u32 {
    match rng.below(5) {
        0 => lo,
        1 => hi,
        _ => lo + rng.below((hi - lo) as usize + 1) as u32,
    }
}

fn random_activation(rng: &mut Rng) -> Activation {
    let info = &ACTIVATIONS[rng.below(ACTIVATIONS.len())];
    match info.param {
        None => info.default,
        Some(p) if p.integer => info.default.with_param((p.min as u32 + rng.below((p.max - p.min) as usize + 1) as u32) as f64),
        Some(p) => info.default.with_param(f32_in(rng, p.min as f32, false, p.max as f32, false) as f64),
    }
}

fn random_dense(rng: &mut Rng) -> LayerSpec {
    let units = if rng.below(10) == 0 { u32_in(rng, 1, limits::MAX_UNITS) } else { u32_in(rng, 1, 16) };
    LayerSpec::Dense { units, activation: random_activation(rng) }
}

/// An activation a convolution takes (one that acts on each value alone).
fn random_elementwise(rng: &mut Rng) -> Activation {
    loop {
        let a = random_activation(rng);
        if a.is_elementwise() {
            return a;
        }
    }
}

fn random_conv_or_pool(rng: &mut Rng) -> LayerSpec {
    let kernel = u32_in(rng, 1, limits::MAX_KERNEL);
    let stride = if rng.below(2) == 0 { 1 } else { u32_in(rng, 1, limits::MAX_KERNEL) };
    match rng.below(4) {
        0 | 1 => LayerSpec::Conv2d {
            filters: if rng.below(4) == 0 { u32_in(rng, 1, limits::MAX_FILTERS) } else { u32_in(rng, 1, 8) },
            kernel,
            stride,
            padding: rng.below(kernel as usize) as u32,
            activation: random_elementwise(rng),
        },
        2 => LayerSpec::MaxPool2d { kernel, stride },
        _ => LayerSpec::AvgPool2d { kernel, stride },
    }
}

fn random_recurrent(rng: &mut Rng, return_sequences: bool) -> LayerSpec {
    let hidden = if rng.below(10) == 0 { u32_in(rng, 1, limits::MAX_UNITS) } else { u32_in(rng, 1, 16) };
    match rng.below(3) {
        0 => LayerSpec::Rnn { hidden, return_sequences },
        1 => LayerSpec::Lstm { hidden, return_sequences },
        _ => LayerSpec::Gru { hidden, return_sequences },
    }
}

/// Any layer at all, with any settings in range: most stacks of these do not fit their data and
/// are thrown away by `validate`, which is the point (no stack the planner rejects gets through).
fn random_any_layer(rng: &mut Rng) -> LayerSpec {
    match rng.below(5) {
        0 => random_dense(rng),
        1 | 2 => random_conv_or_pool(rng),
        3 => LayerSpec::Flatten,
        _ => {
            let seq = rng.below(2) == 0;
            random_recurrent(rng, seq)
        }
    }
}

/// Hidden layers that usually fit `kind`: dense layers on points; convolutions and pooling, a
/// flatten, then dense layers on images; recurrent layers (each but the last often returning
/// sequences), sometimes a flatten, then dense layers on sequences.
fn random_layers(rng: &mut Rng, kind: DatasetKind) -> Vec<LayerSpec> {
    let max = limits::MAX_LAYERS;
    let mut layers = Vec::new();
    if rng.below(8) == 0 {
        for _ in 0..rng.below(max + 1) {
            layers.push(random_any_layer(rng));
        }
        return layers;
    }
    match kind {
        DatasetKind::Digits | DatasetKind::Shapes => {
            for _ in 0..rng.below(5) {
                layers.push(random_conv_or_pool(rng));
            }
            if rng.below(3) > 0 {
                layers.push(LayerSpec::Flatten);
                for _ in 0..rng.below(3) {
                    layers.push(random_dense(rng));
                }
            }
        }
        DatasetKind::Sine | DatasetKind::Memory => {
            let n = rng.below(4);
            for i in 0..n {
                let seq = if i + 1 < n { rng.below(4) > 0 } else { rng.below(4) == 0 };
                layers.push(random_recurrent(rng, seq));
            }
            if rng.below(3) == 0 {
                layers.push(LayerSpec::Flatten);
            }
            for _ in 0..rng.below(3) {
                layers.push(random_dense(rng));
            }
        }
        _ => {
            for _ in 0..rng.below(max + 1) {
                layers.push(random_dense(rng));
            }
        }
    }
    layers.truncate(max);
    layers
}

fn random_spec(rng: &mut Rng) -> ModelSpec {
    loop {
        let kind = DatasetKind::EVERY[rng.below(DatasetKind::EVERY.len())];
        let mut features = Feature::ALL.to_vec();
        rng.shuffle(&mut features);
        features.truncate(1 + rng.below(features.len()));
        let layers = random_layers(rng, kind);
        let loss = if kind.is_regression() {
            LossKind::Mse
        } else if kind.classes() > 2 {
            LossKind::SoftmaxCrossEntropy
        } else {
            LossKind::ALL[rng.below(3)]
        };
        let mut spec = ModelSpec {
            data: engine::spec::DataSpec {
                kind,
                points: u32_in(rng, limits::MIN_POINTS, limits::MAX_POINTS),
                noise: u32_in(rng, 0, limits::MAX_NOISE),
                train_percent: u32_in(rng, *limits::TRAIN_PERCENT.start(), *limits::TRAIN_PERCENT.end()),
            },
            features,
            layers,
            loss,
            batch_size: u32_in(rng, 1, limits::MAX_BATCH),
            seed: match rng.below(4) {
                0 => 0,
                1 => u32::MAX,
                _ => rng.next_u64() as u32,
            },
            init: [InitKind::GlorotUniform, InitKind::HeNormal][rng.below(2)],
            ..ModelSpec::default()
        };
        let o = &mut spec.optimizer;
        o.kind = OptimKind::ALL[rng.below(3)];
        o.lr = f32_in(rng, 0.0, true, limits::MAX_LR, false);
        // Often the defaults (left out of links), sometimes anything in range.
        if rng.below(2) == 0 {
            o.momentum = f32_in(rng, 0.0, false, 1.0, true);
            o.beta1 = f32_in(rng, 0.0, false, 1.0, true);
            o.beta2 = f32_in(rng, 0.0, false, 1.0, true);
            o.eps = f32_in(rng, 0.0, true, 1.0, false);
        }
        spec.regularization.kind = [RegKind::None, RegKind::L1, RegKind::L2][rng.below(3)];
        spec.regularization.rate = if rng.below(3) == 0 { 0.0 } else { f32_in(rng, 0.0, false, limits::MAX_REG_RATE, false) };
        // Your own points: always for the custom set, sometimes kept beside another.
        if kind == DatasetKind::Custom || rng.below(8) == 0 {
            spec.custom_points = random_custom_points(rng);
        }
        if spec.validate().is_ok() {
            return spec;
        }
    }
}

/// Up to the most points a data set holds, with coordinates often at the plane's edges.
fn random_custom_points(rng: &mut Rng) -> Vec<engine::data::CustomPoint> {
    use engine::data::custom::{LIMIT_UNITS, MAX_POINTS, MIN_POINTS};
    let n = match rng.below(4) {
        0 => MAX_POINTS,
        1 => MIN_POINTS,
        _ => 1 + rng.below(300),
    };
    let coord = |rng: &mut Rng| match rng.below(5) {
        0 => -LIMIT_UNITS,
        1 => LIMIT_UNITS,
        _ => rng.below(2 * LIMIT_UNITS as usize + 1) as i16 - LIMIT_UNITS,
    };
    (0..n)
        .map(|i| engine::data::CustomPoint { x: coord(rng), y: coord(rng), label: if i % 2 == 0 || rng.below(2) == 0 { 1 } else { -1 } })
        .collect()
}

/// Every invariant of a decode: a valid spec, bounded problems, short printable messages, and
/// the spec's own link reads back to it exactly.
fn check_invariants(input: &str, d: &Decoded) {
    d.spec.validate().unwrap_or_else(|e| panic!("{input:?} gave an invalid spec: {e}"));
    assert!(d.problems.len() <= MAX_PROBLEMS + 1, "{input:?}: {} problems", d.problems.len());
    for m in &d.problems {
        assert!(m.chars().count() <= 400, "{input:?}: long message {m:?}");
        assert!(!m.chars().any(char::is_control), "{input:?}: control character in {m:?}");
    }
    let link = encode(&d.spec);
    let again = decode(&link);
    assert!(again.problems.is_empty(), "{link}: {:?}", again.problems);
    assert_eq!(again.spec.to_json(), d.spec.to_json(), "{link}");
}

// ---------------------------------------------------------------------------------------------
// Round trips.

#[test]
fn random_valid_specs_round_trip_exactly() {
    let mut rng = Rng::new(0x5EED_0001);
    let mut with_extras = 0;
    let mut kinds_seen = std::collections::BTreeMap::<&str, usize>::new();
    let mut data_seen = std::collections::BTreeMap::<&str, usize>::new();
    for i in 0..3000 {
        let spec = random_spec(&mut rng);
        let link = encode(&spec);
        assert!(
            link.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.,:()=&-".contains(&b)),
            "spec {i}: a character that needs escaping in {link}"
        );
        assert!(link.len() < MAX_LINK_BYTES, "spec {i}: {} bytes", link.len());
        let d = decode(&link);
        assert!(d.problems.is_empty(), "spec {i}: {link}: {:?}", d.problems);
        assert_eq!(d.source, Source::Share);
        assert_eq!(d.spec, spec, "spec {i}: {link}");
        // Bit for bit, including -0.0: serde_json writes the shortest exact form of each float.
        assert_eq!(d.spec.to_json(), spec.to_json(), "spec {i}: {link}");
        assert_eq!(encode(&d.spec), link);
        if link.contains("momentum=") {
            with_extras += 1;
        }
        for l in &spec.layers {
            *kinds_seen.entry(l.kind()).or_default() += 1;
            if let LayerSpec::Rnn { return_sequences: true, .. } | LayerSpec::Lstm { return_sequences: true, .. } | LayerSpec::Gru { return_sequences: true, .. } = l {
                *kinds_seen.entry("recurrent:seq").or_default() += 1;
            }
        }
        *data_seen.entry(spec.data.kind.id()).or_default() += 1;
    }
    assert!(with_extras > 500, "the generator should vary the optional keys ({with_extras})");
    // Every layer kind and data set goes round, each many times.
    for kind in ["dense", "conv2d", "max_pool2d", "avg_pool2d", "flatten", "rnn", "lstm", "gru", "recurrent:seq"] {
        assert!(kinds_seen.get(kind).copied().unwrap_or(0) >= 50, "{kind}: {kinds_seen:?}");
    }
    for kind in DatasetKind::EVERY {
        assert!(data_seen.get(kind.id()).copied().unwrap_or(0) >= 100, "{}: {data_seen:?}", kind.id());
    }
}

#[test]
fn whole_urls_hashes_and_percent_escapes_read_the_same() {
    let mut rng = Rng::new(0x5EED_0002);
    for _ in 0..300 {
        let spec = random_spec(&mut rng);
        let link = encode(&spec);
        for input in [
            format!("#{link}"),
            format!("https://dl101.example/play/?lang=ko#{link}"),
            format!("  {link}\n"),
            format!("?{link}"),
            format!("https://dl101.example/play?{link}"),
            // Every byte escaped, keys and values alike, except the separators (and the points of
            // your own data, which escaped would outgrow the length cap).
            link.split('&')
                .map(|kv| {
                    if kv.starts_with("custom=") {
                        return kv.to_string();
                    }
                    kv.split('=').map(|s| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>()).collect::<Vec<_>>().join("=")
                })
                .collect::<Vec<_>>()
                .join("&"),
        ] {
            let d = decode(&input);
            assert!(d.problems.is_empty(), "{input}: {:?}", d.problems);
            assert_eq!(d.spec.to_json(), spec.to_json(), "{input}");
        }
    }
}

#[test]
fn the_default_experiment_has_this_exact_link() {
    let link = encode(&ModelSpec::default());
    assert_eq!(
        link,
        "v=1&data=circle&points=500&noise=0&train=50&features=x1,x2&layers=4:tanh,2:tanh&loss=mse&opt=sgd&lr=0.03&batch=10&reg=none&seed=1&init=glorot_uniform"
    );
}

#[test]
fn the_documented_example_reads_as_documented() {
    let d = decode(
        "v=1&data=spiral&points=500&noise=10&train=50&features=x1,x2,sin_x1&layers=8:tanh,8:leaky_relu(0.01)&loss=mse&opt=adam&lr=0.03&batch=10&reg=l2&rate=0.001&seed=7&init=glorot_uniform",
    );
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let s = d.spec;
    assert_eq!(s.data.kind, DatasetKind::Spiral);
    assert_eq!((s.data.points, s.data.noise, s.data.train_percent), (500, 10, 50));
    assert_eq!(s.features, vec![Feature::X1, Feature::X2, Feature::SinX1]);
    assert_eq!(
        s.layers,
        vec![
            LayerSpec::Dense { units: 8, activation: Activation::Tanh },
            LayerSpec::Dense { units: 8, activation: Activation::LeakyRelu { alpha: 0.01 } }
        ]
    );
    assert_eq!((s.loss, s.optimizer.kind, s.optimizer.lr, s.batch_size), (LossKind::Mse, OptimKind::Adam, 0.03, 10));
    assert_eq!((s.regularization.kind, s.regularization.rate), (RegKind::L2, 0.001));
    assert_eq!((s.seed, s.init), (7, InitKind::GlorotUniform));
    // The optimizer settings a link leaves out are version 1's.
    assert_eq!((s.optimizer.momentum, s.optimizer.beta1, s.optimizer.beta2, s.optimizer.eps), (0.9, 0.9, 0.999, 1e-8));
}

#[test]
fn every_table_entry_is_readable_by_its_id() {
    for info in &ACTIVATIONS {
        let d = decode(&format!("{}&layers=3:{}", base_without("layers"), share::activation_text(&info.default)));
        assert!(d.problems.is_empty(), "{}: {:?}", info.id, d.problems);
        assert_eq!(d.spec.layers, vec![LayerSpec::Dense { units: 3, activation: info.default }]);
        // The bare id means the table's default setting.
        let d = decode(&format!("{}&layers=3:{}", base_without("layers"), info.id));
        assert!(d.problems.is_empty(), "{}: {:?}", info.id, d.problems);
        assert_eq!(d.spec.layers, vec![LayerSpec::Dense { units: 3, activation: info.default }]);
    }
    for f in Feature::ALL {
        let d = decode(&format!("{}&features={}", base_without("features"), f.id()));
        assert_eq!((d.spec.features.as_slice(), d.problems.len()), ([f].as_slice(), 0));
    }
    for k in DatasetKind::ALL {
        let d = decode(&format!("{}&data={}", base_without("data"), k.id()));
        assert_eq!((d.spec.data.kind, d.problems.len()), (k, 0));
    }
    // The image and sequence sets, each with a network that fits it.
    for (k, layers, loss) in [
        (DatasetKind::Digits, "conv2d:8x3s1p1:relu,max_pool2d:2s2,flatten,16:relu", "softmax_cross_entropy"),
        (DatasetKind::Shapes, "conv2d:4x3s1p0:tanh,avg_pool2d:2s2,flatten", "softmax_cross_entropy"),
        (DatasetKind::Sine, "lstm:16", "mse"),
        (DatasetKind::Memory, "gru:8:seq,rnn:8", "sigmoid_bce"),
    ] {
        let link = data_link(k.id(), layers, loss);
        let d = decode(&link);
        assert_eq!((d.spec.data.kind, d.problems.len()), (k, 0), "{link}: {:?}", d.problems);
        assert_eq!(encode(&d.spec), link);
    }
    // Your own data, with its points.
    let d = decode(&format!("{}&custom=AAAAAAAB{}", BASE.replace("data=spiral", "data=custom"), "AAAB".repeat(8)));
    assert_eq!((d.spec.data.kind, d.spec.custom_points.len(), d.problems.len()), (DatasetKind::Custom, 10, 0), "{:?}", d.problems);
    assert_eq!(DatasetKind::EVERY.len(), 11, "a new data set: add it above");
}

/// BASE on data set `data` with these layers and loss.
fn data_link(data: &str, layers: &str, loss: &str) -> String {
    BASE.replace("data=spiral", &format!("data={data}"))
        .replace("layers=8:tanh,8:leaky_relu(0.01)", &format!("layers={layers}"))
        .replace("loss=mse", &format!("loss={loss}"))
}

/// An image link (digits) with these layers.
fn image(layers: &str) -> String {
    data_link("digits", layers, "softmax_cross_entropy")
}

/// A sequence link (sine) with these layers.
fn sequence(layers: &str) -> String {
    data_link("sine", layers, "mse")
}

#[test]
fn every_layer_kind_reads_back_from_its_documented_form() {
    use LayerSpec::*;
    let relu = Activation::Relu;
    for (text, layer) in [
        ("conv2d:8x3s1p1:relu", Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: relu }),
        ("conv2d:64x7s7p6:leaky_relu(0.2)", Conv2d { filters: 64, kernel: 7, stride: 7, padding: 6, activation: Activation::LeakyRelu { alpha: 0.2 } }),
        ("conv2d:1x1s1p0:elu(0.5)", Conv2d { filters: 1, kernel: 1, stride: 1, padding: 0, activation: Activation::Elu { alpha: 0.5 } }),
        ("max_pool2d:2s2", MaxPool2d { kernel: 2, stride: 2 }),
        ("avg_pool2d:3s1", AvgPool2d { kernel: 3, stride: 1 }),
        ("flatten", Flatten),
        ("rnn:16", Rnn { hidden: 16, return_sequences: false }),
        ("lstm:16", Lstm { hidden: 16, return_sequences: false }),
        ("lstm:16:seq", Lstm { hidden: 16, return_sequences: true }),
        ("gru:1024:seq", Gru { hidden: 1024, return_sequences: true }),
    ] {
        let on_images = matches!(layer, Conv2d { .. } | MaxPool2d { .. } | AvgPool2d { .. } | Flatten);
        let link = if on_images { image(text) } else { sequence(text) };
        let d = decode(&link);
        assert!(d.problems.is_empty(), "{text}: {:?}", d.problems);
        assert_eq!(d.spec.layers, vec![layer], "{text}");
        assert_eq!(share::layer_text(&layer), text);
        assert_eq!(encode(&d.spec), link);
        // The link writes what `short_text` writes, except that activation settings are kept.
        if !text.contains('(') {
            assert_eq!(layer.short_text(), text);
        }
    }
    // The shorter forms read too; the link then writes the full one.
    for (text, layer, full) in [
        ("conv2d:8x3:relu", Conv2d { filters: 8, kernel: 3, stride: 1, padding: 0, activation: relu }, "conv2d:8x3s1p0:relu"),
        ("conv2d:8x5p2:relu", Conv2d { filters: 8, kernel: 5, stride: 1, padding: 2, activation: relu }, "conv2d:8x5s1p2:relu"),
        ("CONV2D:8X3S2P1:ReLU", Conv2d { filters: 8, kernel: 3, stride: 2, padding: 1, activation: relu }, "conv2d:8x3s2p1:relu"),
        (" max_pool2d : 2 ", MaxPool2d { kernel: 2, stride: 2 }, "max_pool2d:2s2"),
        ("avg_pool2d:3", AvgPool2d { kernel: 3, stride: 3 }, "avg_pool2d:3s3"),
        ("LSTM:4:SEQ", Lstm { hidden: 4, return_sequences: true }, "lstm:4:seq"),
        ("dense:8:relu", Dense { units: 8, activation: relu }, "8:relu"),
    ] {
        let link = match layer {
            Lstm { .. } => sequence(text),
            Dense { .. } => with("layers", text),
            _ => image(text),
        };
        let d = decode(&link);
        assert!(d.problems.is_empty(), "{text}: {:?}", d.problems);
        assert_eq!(d.spec.layers, vec![layer], "{text}");
        assert!(encode(&d.spec).contains(&format!("&layers={full}&")), "{text}");
    }
    // A whole convolutional network and a whole recurrent one.
    let link = image("conv2d:8x3s1p1:relu,max_pool2d:2s2,conv2d:16x3s1p1:relu,avg_pool2d:2s2,flatten,32:relu");
    let d = decode(&link);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.spec.layers.len(), 6);
    assert_eq!(encode(&d.spec), link);
    let link = sequence("lstm:16:seq,gru:8:seq,rnn:4,8:tanh");
    let d = decode(&link);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.spec.layers.len(), 4);
    assert_eq!(encode(&d.spec), link);
}

#[test]
fn old_links_read_and_write_exactly_as_before() {
    // Links written before the new layers and data sets: same spec, same link.
    for link in [BASE, &encode(&ModelSpec::default())] {
        let d = decode(link);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(encode(&d.spec), link);
    }
}

#[test]
fn floats_use_the_shortest_exact_form() {
    assert_eq!(share::fmt_f32(0.03), "0.03");
    assert_eq!(share::fmt_f32(1e-8), "1e-8");
    assert_eq!(share::fmt_f32(10.0), "10");
    assert_eq!(share::fmt_f32(f32::from_bits(1)), "1e-45");
    assert_eq!(share::fmt_f32(0.99999994), "0.99999994");
    for bits in [1u32, 0x0080_0000, 0x3F7F_FFFF, 0x3CF5_C28F, 0x4120_0000, 0x8000_0000] {
        let x = f32::from_bits(bits);
        assert_eq!(share::fmt_f32(x).parse::<f32>().unwrap().to_bits(), bits);
    }
}

#[test]
fn an_empty_fragment_is_the_default_with_nothing_to_report() {
    for s in ["", "#", "  ", "&&&", "#&", "https://dl101.example/play", "https://dl101.example/play#"] {
        let d = decode(s);
        assert_eq!((d.source, d.problems.len()), (Source::Empty, 0), "{s:?}");
        assert_eq!(d.spec, ModelSpec::default());
    }
}

// ---------------------------------------------------------------------------------------------
// Broken and hostile links.

const BASE: &str = "v=1&data=spiral&points=500&noise=10&train=50&features=x1,x2,sin_x1&layers=8:tanh,8:leaky_relu(0.01)&loss=mse&opt=adam&lr=0.03&batch=10&reg=l2&rate=0.001&seed=7&init=glorot_uniform";

fn base_without(key: &str) -> String {
    BASE.split('&').filter(|kv| kv.split('=').next() != Some(key)).collect::<Vec<_>>().join("&")
}

/// BASE with `key`'s value replaced (or the key added).
fn with(key: &str, value: &str) -> String {
    format!("{}&{key}={value}", base_without(key))
}

/// Whether some problem is about `key` (messages start with the key).
fn names(d: &Decoded, key: &str) -> bool {
    d.problems.iter().any(|m| m.starts_with(&format!("{key}:")) || m.starts_with(&format!("`{key}")))
}

fn hostile_corpus() -> Vec<(String, &'static str)> {
    let mut c: Vec<(String, &'static str)> = vec![
        (with("lr", "NaN"), "lr"),
        (with("lr", "-1"), "lr"),
        (with("lr", "1e999"), "lr"),
        (with("lr", "0"), "lr"),
        (with("lr", ""), "lr"),
        (with("lr", "0x10"), "lr"),
        (with("lr", "-inf"), "lr"),
        (with("points", "99999999999999999999"), "points"),
        (with("points", "-5"), "points"),
        (with("points", "5.5"), "points"),
        (with("noise", "51"), "noise"),
        (with("train", "100"), "train"),
        (with("train", "abc"), "train"),
        (with("batch", "0"), "batch"),
        (with("batch", "4294967296"), "batch"),
        (with("seed", "-1"), "seed"),
        (with("seed", "1e30"), "seed"),
        (with("data", "mnist"), "data"),
        (with("data", "<script>alert(document.cookie)</script>"), "data"),
        (with("data", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"), "data"),
        (with("features", ""), "features"),
        (with("features", "x1,x1"), "features"),
        (with("features", "x3,cos_x1"), "features"),
        (with("layers", &"1:relu,".repeat(100)), "layers"),
        (with("layers", "0:relu"), "layers[0]"),
        (with("layers", "99999:relu"), "layers[0]"),
        (with("layers", "8:gelu"), "layers[0]"),
        (with("layers", "8:leaky_relu(NaN)"), "layers[0]"),
        (with("layers", "8:leaky_relu(5)"), "layers[0]"),
        (with("layers", "8:maxout(2.5)"), "layers[0]"),
        (with("layers", "8:maxout(1e300)"), "layers[0]"),
        (with("layers", "8:relu(3)"), "layers[0]"),
        (with("layers", "8:elu(1"), "layers[0]"),
        (with("layers", "8"), "layers[0]"),
        (with("layers", ":tanh"), "layers[0]"),
        (with("layers", "１:relu"), "layers[0]"),
        (with("layers", "1024:maxout(8),1024:maxout(8),1024:maxout(8)"), "layers"),
        (with("loss", "softmax"), "loss"),
        (format!("{}&loss=softmax_cross_entropy", base_without("loss").replace("data=spiral", "data=reg_plane")), "loss"),
        (with("opt", "rmsprop"), "opt"),
        (with("reg", "l3"), "reg"),
        (with("rate", "-0.5"), "rate"),
        (with("rate", "inf"), "rate"),
        (with("init", "ones"), "init"),
        (with("eps", "0"), "eps"),
        (with("momentum", "1"), "momentum"),
        (with("beta2", "-0.1"), "beta2"),
        (with("v", "2"), "v"),
        (with("v", "0"), "v"),
        (with("v", "1.0.0"), "v"),
        (base_without("v"), "v"),
        (base_without("seed"), "seed"),
        (format!("{BASE}&lr=5"), "lr"),
        (format!("{BASE}&evil=<script>"), "evil"),
        (with("data", "원"), "data"),
        (with("data", "circle\u{0}"), "data"),
        (with("data", "\u{202e}elcric"), "data"),
        (with("lr", "%zz"), "lr"),
        (with("lr", "%FF%FE"), "lr"),
        (with("features", "x1%2"), "features"),
        (BASE.replace("lr=0.03", "lr"), "lr"),
        (format!("{BASE}&%E0%A4%A=1"), "%E0"),
        (format!("{BASE}&🔥=1"), "🔥"),
        ("!!!".to_string(), "v"),
        ("v=1".to_string(), "data"),
        ("javascript:alert(1)".to_string(), "v"),
        (format!("v=1&{}", "a".repeat(1 << 20)), "link"),
        (format!("v=1&layers={}", "8:relu,".repeat(1_000_000)), "link"),
        (format!("v=1&layers={}", "8:relu,".repeat(500)), "layers"),
        (format!("{BASE}&{}", (0..400).map(|i| format!("k{i}=1")).collect::<Vec<_>>().join("&")), "k0"),
    ];
    // The image and sequence layers' syntax.
    for (layers, key) in [
        ("conv2d:99999x3s0p-1:relu", "layers[0]"),
        ("conv2d:0x0s99p9:relu", "layers[0]"),
        ("conv2d:8x3s1p5:relu", "layers[0]"),
        ("conv2d:8x3s1p1:softmax", "layers[0]"),
        ("conv2d:8x3s1p1:maxout(3)", "layers[0]"),
        ("conv2d:8x3s1p1:prelu", "layers[0]"),
        ("conv2d:8x3s1p1:gelu", "layers[0]"),
        ("conv2d:8x3s1p1", "layers[0]"),
        ("conv2d:8x3s1p1:", "layers[0]"),
        ("conv2d", "layers[0]"),
        ("conv2d:", "layers[0]"),
        ("conv2d:8:relu", "layers[0]"),
        ("conv2d:x3:relu", "layers[0]"),
        ("conv2d:8x:relu", "layers[0]"),
        ("conv2d:8x3s:relu", "layers[0]"),
        ("conv2d:NaNxinfs1e9p-0.5:relu", "layers[0]"),
        ("conv2d:8x3s1p1:relu:extra", "layers[0]"),
        ("conv2d:8x3p1s1:relu", "layers[0]"),
        ("conv2d:8x3s1p1:relu,max_pool2d:0s9", "layers[1]"),
        ("max_pool2d", "layers[0]"),
        ("max_pool2d:2.5s2", "layers[0]"),
        ("avg_pool2d:2s2:2", "layers[0]"),
        ("avg_pool2d:abc", "layers[0]"),
        ("flatten:3", "layers[0]"),
        ("flatten,flatten:", "layers[1]"),
        ("conv3d:8x3s1p1:relu", "layers[0]"),
        ("conv2d:8x3s1p1:relu,16:relu", "layers[1]"),
        ("lstm:8", "layers[0]"),
        ("conv2d:8x3s1p1:relu,max_pool2d:2s2,max_pool2d:2s2,max_pool2d:2s2,max_pool2d:2s2", "layers[4]"),
        ("conv2d:64x7s1p6:relu,".repeat(16).trim_end_matches(','), "layers"),
    ] {
        c.push((image(layers), key));
    }
    for (layers, key) in [
        ("lstm:abc", "layers[0]"),
        ("lstm:0", "layers[0]"),
        ("lstm:99999", "layers[0]"),
        ("lstm", "layers[0]"),
        ("lstm:", "layers[0]"),
        ("gru:8:seqq", "layers[0]"),
        ("rnn:8:seq:seq", "layers[0]"),
        ("gru:-8", "layers[0]"),
        ("lstm:16:seq,8:relu", "layers[1]"),
        ("conv2d:8x3s1p1:relu", "layers[0]"),
        ("max_pool2d:2s2", "layers[0]"),
        ("gru:1024:seq,gru:1024", "layers"),
    ] {
        c.push((sequence(layers), key));
    }
    // New layers on 2-D points, new data sets with the wrong loss.
    c.push((with("layers", "conv2d:8x3s1p1:relu,8:tanh"), "layers[0]"));
    c.push((with("layers", "8:tanh,lstm:8"), "layers[1]"));
    c.push((with("data", "digits"), "loss"));
    c.push((data_link("shapes", "flatten", "sigmoid_bce"), "loss"));
    c.push((data_link("sine", "lstm:8", "softmax_cross_entropy"), "loss"));
    // Truncated links: init is the last key, so every cut loses or breaks it.
    for cut in [10, 40, BASE.len() / 2, BASE.len() - 20, BASE.len() - 3] {
        c.push((BASE[..cut].to_string(), "init"));
    }
    c
}

#[test]
fn broken_and_hostile_links_give_problems_and_a_valid_spec() {
    let corpus = hostile_corpus();
    assert!(corpus.len() >= 50, "{}", corpus.len());
    for (link, key) in &corpus {
        let d = decode(link);
        // A key cut off the end of a link is missing (counted, with its default), not a problem.
        let missing = d.missing.iter().any(|m| m.starts_with(&format!("{key}:")));
        assert!(
            !d.problems.is_empty() || missing,
            "{:.80}: no problem reported for `{key}`: {:?}",
            link.get(link.len().saturating_sub(60)..).unwrap_or(link),
            d.missing
        );
        assert!(
            names(&d, key) || missing,
            "{:.80}: no problem names `{key}`: {:#?}",
            link,
            d.problems
        );
        check_invariants(link, &d);
        assert_eq!(decode(link), d, "decoding is deterministic");
    }
}

#[test]
fn bad_fields_become_the_nearest_valid_value() {
    assert_eq!(decode(&with("lr", "1e999")).spec.optimizer.lr, limits::MAX_LR);
    assert_eq!(decode(&with("lr", "NaN")).spec.optimizer.lr, ModelSpec::default().optimizer.lr);
    assert_eq!(decode(&with("points", "99999999999999999999")).spec.data.points, limits::MAX_POINTS);
    assert_eq!(decode(&with("points", "-5")).spec.data.points, limits::MIN_POINTS);
    assert_eq!(decode(&with("points", "55.4")).spec.data.points, 55);
    assert_eq!(decode(&with("seed", "1e30")).spec.seed, u32::MAX);
    assert_eq!(decode(&with("rate", "-0.5")).spec.regularization.rate, 0.0);
    let m = decode(&with("momentum", "1")).spec.optimizer.momentum;
    assert!(m < 1.0 && m > 0.9999, "{m}");
    let d = decode(&with("layers", &"1:relu,".repeat(100)));
    assert_eq!(d.spec.layers.len(), limits::MAX_LAYERS);
    let d = decode(&with("layers", "8:leaky_relu(5),8:maxout(2.5),99999:swish(-1)"));
    assert_eq!(
        d.spec.layers,
        vec![
            LayerSpec::Dense { units: 8, activation: Activation::LeakyRelu { alpha: 1.0 } },
            LayerSpec::Dense { units: 8, activation: Activation::Maxout { pieces: 3 } },
            LayerSpec::Dense { units: limits::MAX_UNITS, activation: Activation::Swish { beta: 0.0 } },
        ]
    );
    // Too many parameters: trailing layers go until the network fits.
    let d = decode(&with("layers", "1024:maxout(8),1024:maxout(8),1024:maxout(8)"));
    assert_eq!(d.spec.layers.len(), 1);
    // A cross-entropy on a regression set: the loss becomes mse, the data set stays.
    let d = decode(&format!("{}&loss=softmax_cross_entropy", base_without("loss").replace("data=spiral", "data=reg_plane")));
    assert_eq!((d.spec.data.kind, d.spec.loss), (DatasetKind::RegPlane, LossKind::Mse));
    // Duplicates: the first is used.
    assert_eq!(decode(&format!("{BASE}&lr=5")).spec.optimizer.lr, 0.03);
    // Features: unknown and repeated ones dropped, the rest kept in order.
    let d = decode(&with("features", "sin_x2,x3,sin_x2,x1"));
    assert_eq!(d.spec.features, vec![Feature::SinX2, Feature::X1]);
    assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
    // A wrong version is read as version 1 where possible.
    let d = decode(&with("v", "2"));
    assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
    assert_eq!(d.spec.data.kind, DatasetKind::Spiral);
}

#[test]
fn bad_layer_settings_become_the_nearest_valid_ones() {
    use LayerSpec::*;
    let relu = Activation::Relu;
    let layers = |link: String| decode(&link).spec.layers;
    assert_eq!(
        layers(image("conv2d:99999x3s0p-1:relu")),
        vec![Conv2d { filters: limits::MAX_FILTERS, kernel: 3, stride: 1, padding: 0, activation: relu }]
    );
    // Padding comes below the kernel; out-of-range sizes to their limits.
    assert_eq!(layers(image("conv2d:8x3s1p5:relu")), vec![Conv2d { filters: 8, kernel: 3, stride: 1, padding: 2, activation: relu }]);
    let d = decode(&image("conv2d:0x99s99p9:relu"));
    let k = limits::MAX_KERNEL;
    assert_eq!(d.spec.layers, vec![Conv2d { filters: 1, kernel: k, stride: k, padding: k - 1, activation: relu }], "{:?}", d.problems);
    // Each bad field is named.
    for what in ["filters", "kernel", "stride", "padding"] {
        assert!(d.problems.iter().any(|m| m.starts_with("layers[0]: conv2d") && m.contains(what)), "{what}: {:?}", d.problems);
    }
    // A group activation cannot follow a convolution: relu instead.
    assert_eq!(layers(image("conv2d:8x3s1p1:softmax")), vec![Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: relu }]);
    assert_eq!(layers(image("conv2d:8x3s1p1")), vec![Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: relu }]);
    assert_eq!(layers(image("max_pool2d:0s9")), vec![MaxPool2d { kernel: 1, stride: limits::MAX_KERNEL }]);
    assert_eq!(layers(image("flatten:3")), vec![Flatten]);
    assert_eq!(layers(sequence("lstm:abc")), vec![Lstm { hidden: 16, return_sequences: false }]);
    assert_eq!(layers(sequence("gru:99999:seq")), vec![Gru { hidden: limits::MAX_UNITS, return_sequences: true }]);
    assert_eq!(layers(sequence("gru:8:seqq")), vec![Gru { hidden: 8, return_sequences: false }]);
    // An unknown kind is not read as something else: the default dense layer, one message.
    let d = decode(&with("layers", "conv3d:8x3s1p1:relu"));
    assert_eq!(d.spec.layers, vec![Dense { units: 4, activation: Activation::Tanh }]);
    assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
    assert!(d.problems[0].contains("not a layer kind"), "{:?}", d.problems);
}

#[test]
fn layers_that_do_not_fit_the_data_are_removed_and_named() {
    use LayerSpec::*;
    let relu8 = Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: Activation::Relu };
    let dense16 = Dense { units: 16, activation: Activation::Relu };
    // A dense layer straight on an image or a sequence: a flatten goes before it.
    let d = decode(&image("conv2d:8x3s1p1:relu,16:relu"));
    assert_eq!(d.spec.layers, vec![relu8, Flatten, dense16]);
    assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
    assert!(d.problems[0].starts_with("layers[1]: ") && d.problems[0].contains("added a flatten"), "{:?}", d.problems);
    let d = decode(&sequence("lstm:16:seq,16:relu,16:relu"));
    assert_eq!(d.spec.layers, vec![Lstm { hidden: 16, return_sequences: true }, Flatten, dense16, dense16]);
    assert!(names(&d, "layers[1]") && d.problems.len() == 1, "{:?}", d.problems);
    // An MLP link opened on digits: one flatten first.
    let d = decode(&image("16:relu,16:relu"));
    assert_eq!(d.spec.layers, vec![Flatten, dense16, dense16]);
    // With no room for a flatten, the dense layer goes.
    let d = decode(&image(&format!("{}16:relu", "conv2d:8x3s1p1:relu,".repeat(limits::MAX_LAYERS - 1))));
    assert_eq!(d.spec.layers, vec![relu8; limits::MAX_LAYERS - 1]);
    assert!(d.problems.len() == 1 && d.problems[0].starts_with("layers[15]: dense removed: "), "{:?}", d.problems);
    // Positions are the link's, also after an earlier removal.
    let d = decode(&with("layers", "conv2d:8x3s1p1:relu,8:tanh,lstm:4,2:relu"));
    assert_eq!(d.spec.layers, vec![Dense { units: 8, activation: Activation::Tanh }, Dense { units: 2, activation: Activation::Relu }]);
    assert!(names(&d, "layers[0]") && names(&d, "layers[2]") && d.problems.len() == 2, "{:?}", d.problems);
    // Pooling past a 1x1 image.
    let d = decode(&image("max_pool2d:2s2,max_pool2d:2s2,max_pool2d:2s2,max_pool2d:2s2,flatten"));
    assert_eq!(d.spec.layers, vec![MaxPool2d { kernel: 2, stride: 2 }, MaxPool2d { kernel: 2, stride: 2 }, MaxPool2d { kernel: 2, stride: 2 }, Flatten]);
    assert!(names(&d, "layers[3]") && d.problems.len() == 1, "{:?}", d.problems);
    // Image and sequence layers swapped.
    let d = decode(&sequence("conv2d:8x3s1p1:relu,lstm:8"));
    assert_eq!(d.spec.layers, vec![Lstm { hidden: 8, return_sequences: false }]);
    let d = decode(&image("lstm:8,flatten"));
    assert_eq!(d.spec.layers, vec![Flatten]);
    // Too many parameters: trailing layers go until the network fits.
    let d = decode(&image(("conv2d:64x7s1p6:relu,".repeat(16)).trim_end_matches(',')));
    assert!(!d.spec.layers.is_empty() && d.spec.layers.len() < 16 && d.spec.parameter_count() <= limits::MAX_PARAMS, "{:?}", d.problems);
    // The loss a data set needs.
    let d = decode(&with("data", "digits").replace("layers=8:tanh,8:leaky_relu(0.01)", "layers=flatten"));
    assert_eq!((d.spec.data.kind, d.spec.loss), (DatasetKind::Digits, LossKind::SoftmaxCrossEntropy));
    assert!(names(&d, "loss") && d.problems.len() == 1, "{:?}", d.problems);
    let d = decode(&data_link("sine", "lstm:8", "sigmoid_bce"));
    assert_eq!((d.spec.loss, d.problems.len()), (LossKind::Mse, 1));
    let d = decode(&data_link("memory", "lstm:8", "sigmoid_bce"));
    assert_eq!((d.spec.loss, d.problems.len()), (LossKind::SigmoidBce, 0));
}

#[test]
fn oversized_links_are_cut_before_parsing() {
    let huge = format!("{BASE}&layers={}", "8:relu,".repeat(1_000_000));
    let started = std::time::Instant::now();
    let d = decode(&huge);
    assert!(started.elapsed().as_secs_f64() < 2.0, "{:?}", started.elapsed());
    assert!(d.problems[0].starts_with("link:") && d.problems[0].contains(&MAX_LINK_BYTES.to_string()), "{:?}", d.problems);
    // Everything before the cut is read; the cut piece is ignored, so BASE's layers stand.
    assert_eq!(d.spec.data.kind, DatasetKind::Spiral);
    assert_eq!(d.spec.layers.len(), 2);
    // A cut inside a multi-byte character does not panic.
    let d = decode(&format!("v=1&data={}", "원".repeat(MAX_LINK_BYTES / 3 + 1000)));
    assert!(names(&d, "link"));
}

#[test]
fn problems_are_capped() {
    let link = (0..1000).map(|i| format!("k{i}=1")).collect::<Vec<_>>().join("&");
    let d = decode(&link);
    assert_eq!(d.problems.len(), MAX_PROBLEMS + 1);
    assert!(d.problems.last().unwrap().contains("more problems"), "{:?}", d.problems.last());
}

/// Found by cargo-fuzz (fuzz/seeds/decode/crash-1-escaped-quote-too-long): a key of control
/// characters with a broken escape gave a 600-character message, because each escaped
/// character counted as one.
#[test]
fn quotes_of_control_characters_stay_short() {
    let input = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/decode/crash-1-escaped-quote-too-long")).unwrap();
    let text = String::from_utf8_lossy(&input);
    check_invariants(&text, &decode(&text));
    let d = decode(&format!("v=1&{}%={}", "\u{12}".repeat(64), "\u{7}".repeat(64)));
    check_invariants("control characters", &d);
    assert!(d.problems.iter().all(|m| m.chars().count() < 200), "{:?}", d.problems);
}

/// The fuzzer's seeds keep the invariants, and the ones that are links this page writes read
/// back with nothing to report.
#[test]
fn fuzz_seeds_keep_the_invariants() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/decode");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let d = decode(&text);
        check_invariants(&text, &d);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if ["share_example", "share_conv", "share_recurrent"].contains(&name.as_str()) {
            assert!(d.problems.is_empty(), "{name}: {:?}", d.problems);
            assert_eq!(encode(&d.spec), text, "{name}");
            n += 1;
        }
    }
    assert_eq!(n, 3);
}

#[test]
fn quoted_values_are_short_and_escaped() {
    let d = decode(&with("data", &format!("\u{202e}{}", "x".repeat(500))));
    let m = d.problems.iter().find(|m| m.starts_with("data:")).unwrap();
    assert!(m.contains("\\u{202e}") && m.contains('…') && m.len() < 200, "{m}");
}

// ---------------------------------------------------------------------------------------------
// A bounded mutation fuzzer (the cargo-fuzz target in fuzz/ runs the same checks for longer).

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, dict: &[&[u8]]) {
    for _ in 0..1 + rng.below(4) {
        let n = input.len();
        match rng.below(7) {
            0 if n > 0 => {
                input.remove(rng.below(n));
            }
            1 => input.insert(rng.below(n + 1), rng.next_u64() as u8),
            2 if n > 0 => {
                let i = rng.below(n);
                input[i] = rng.next_u64() as u8;
            }
            3 => {
                let word = dict[rng.below(dict.len())];
                let at = rng.below(n + 1);
                input.splice(at..at, word.iter().copied());
            }
            4 if n > 0 => {
                let cut = rng.below(n);
                input.truncate(cut);
            }
            5 if n > 1 => {
                // Duplicate a slice.
                let a = rng.below(n);
                let b = (a + rng.below(32)).min(n);
                let piece = input[a..b].to_vec();
                let at = rng.below(n + 1);
                input.splice(at..at, piece);
            }
            _ => input.extend_from_slice(dict[rng.below(dict.len())]),
        }
    }
}

#[test]
fn mutated_links_never_break_the_invariants() {
    let dict: &[&[u8]] = &[
        b"&", b"=", b",", b":", b"(", b")", b"%", b"%2", b"%FF", b"#", b"v=1", b"v=2", b"layers=", b"features=", b"lr=", b"seed=",
        b"networkShape=", b"dataset=", b"_hide=true", b"NaN", b"inf", b"-1", b"1e999", b"99999999999", b"0.5", b"maxout(",
        b"leaky_relu(", b"reg_gauss", b"softmax_cross_entropy", b"1024:maxout(8)", b"\xe2\x80\xae", b"\xc3", b"<script>",
        b"conv2d:", b"conv2d:8x3s1p1:relu", b"64x7s7p6", b"x", b"s", b"p", b"max_pool2d:", b"avg_pool2d:2s2", b"flatten", b"flatten,",
        b"lstm:", b"gru:16:seq", b"rnn:", b":seq", b"data=digits", b"data=shapes", b"data=sine", b"data=memory",
    ];
    let mut seeds: Vec<Vec<u8>> = hostile_corpus().into_iter().filter(|(l, _)| l.len() < 2000).map(|(l, _)| l.into_bytes()).collect();
    seeds.push(BASE.as_bytes().to_vec());
    seeds.push(image("conv2d:8x3s1p1:relu,max_pool2d:2s2,flatten,16:relu").into_bytes());
    seeds.push(sequence("lstm:16:seq,gru:8,8:tanh").into_bytes());
    seeds.push(
        b"activation=relu&regularization=L1&batchSize=10&dataset=spiral&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2,2&seed=0.58835&x=true&y=true&xTimesY=true&problem=classification"
            .to_vec(),
    );
    let mut rng = Rng::new(0xF022);
    let runs = 20_000;
    for _ in 0..runs {
        let mut input = seeds[rng.below(seeds.len())].clone();
        mutate(&mut rng, &mut input, dict);
        let text = String::from_utf8_lossy(&input);
        check_invariants(&text, &decode(&text));
        check_invariants(&text, &engine::tfplayground::decode(&text));
    }
}

#[test]
fn view_options_ride_beside_the_experiment() {
    let spec = ModelSpec::default();
    // Our defaults write nothing.
    assert_eq!(engine::share::view_text(&ViewOptions::default()), "");
    assert_eq!(
        decode(&engine::share::encode(&spec)).view,
        ViewOptions::default()
    );
    for bits in 0..16u8 {
        let view = ViewOptions {
            test_points: bits & 1 == 0,
            discretize: bits & 2 != 0,
            hide_text: bits & 4 != 0,
            embed: bits & 8 != 0,
        };
        let link = format!(
            "{}{}",
            engine::share::encode(&spec),
            engine::share::view_text(&view)
        );
        let d = decode(&link);
        assert_eq!((d.view, &d.spec), (view, &spec), "{link}");
        assert!(
            d.problems.is_empty() && d.missing.is_empty(),
            "{link}: {:?}",
            d.problems
        );
    }
    // A bad value is a problem naming its key, and leaves the default.
    let d = decode(&format!("{}&embed=yes", engine::share::encode(&spec)));
    assert!(names(&d, "embed") && !d.view.embed, "{:?}", d.problems);
}

#[test]
fn a_short_hand_typed_link_counts_what_it_left_out() {
    let d = decode("v=1&data=xor&layers=4:tanh");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.spec.data.kind, engine::data::DatasetKind::Xor);
    let keys: Vec<&str> = d
        .missing
        .iter()
        .map(|m| m.split(':').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "points", "noise", "train", "features", "loss", "opt", "lr", "batch", "reg", "seed",
            "init"
        ]
    );
    assert!(
        d.missing
            .contains(&format!("lr: {}", ModelSpec::default().optimizer.lr)),
        "{:?}",
        d.missing
    );
    // Left out entirely, even the version: still only missing keys.
    let d = decode("data=xor");
    assert!(
        d.problems.is_empty() && d.missing.iter().any(|m| m.starts_with("v:")),
        "{:?} {:?}",
        d.problems,
        d.missing
    );
}
