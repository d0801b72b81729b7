//! Share links: exact round trips over many random valid specs, the documented format, and a
//! corpus of broken and hostile links that must each give problems and a valid spec, never a
//! panic. Plus a small in-process mutation fuzzer over the same invariants as `fuzz/`.

use engine::activation::{ACTIVATIONS, Activation};
use engine::data::{DatasetKind, Feature};
use engine::init::InitKind;
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::rng::Rng;
use engine::share::{self, Decoded, MAX_LINK_BYTES, MAX_PROBLEMS, Source, decode, encode};
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

fn random_spec(rng: &mut Rng) -> ModelSpec {
    loop {
        let kind = DatasetKind::ALL[rng.below(DatasetKind::ALL.len())];
        let mut features = Feature::ALL.to_vec();
        rng.shuffle(&mut features);
        features.truncate(1 + rng.below(features.len()));
        let n_layers = rng.below(limits::MAX_LAYERS + 1);
        let layers = (0..n_layers)
            .map(|_| {
                let units = if rng.below(10) == 0 { u32_in(rng, 1, limits::MAX_UNITS) } else { u32_in(rng, 1, 16) };
                LayerSpec::Dense { units, activation: random_activation(rng) }
            })
            .collect();
        let loss = if kind.is_regression() { LossKind::Mse } else { LossKind::ALL[rng.below(3)] };
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
        if spec.validate().is_ok() {
            return spec;
        }
    }
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
    }
    assert!(with_extras > 500, "the generator should vary the optional keys ({with_extras})");
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
            // Every byte escaped, keys and values alike, except the separators.
            link.split('&')
                .map(|kv| kv.split('=').map(|s| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>()).collect::<Vec<_>>().join("="))
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
        (with("init", "zeros"), "init"),
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
        assert!(!d.problems.is_empty(), "{:.80}: no problem reported", link);
        assert!(names(&d, key), "{:.80}: no problem names `{key}`: {:#?}", link, d.problems);
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
fn oversized_links_are_cut_before_parsing() {
    let huge = format!("{BASE}&layers={}", "8:relu,".repeat(1_000_000));
    let started = std::time::Instant::now();
    let d = decode(&huge);
    assert!(started.elapsed().as_secs_f64() < 2.0, "{:?}", started.elapsed());
    assert!(d.problems[0].starts_with("link:") && d.problems[0].contains("4096"), "{:?}", d.problems);
    // Everything before the cut is read; the cut piece is ignored, so BASE's layers stand.
    assert_eq!(d.spec.data.kind, DatasetKind::Spiral);
    assert_eq!(d.spec.layers.len(), 2);
    // A cut inside a multi-byte character does not panic.
    let d = decode(&format!("v=1&data={}", "원".repeat(3000)));
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
    ];
    let mut seeds: Vec<Vec<u8>> = hostile_corpus().into_iter().filter(|(l, _)| l.len() < 2000).map(|(l, _)| l.into_bytes()).collect();
    seeds.push(BASE.as_bytes().to_vec());
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
