//! TensorFlow Playground links: `playground.tensorflow.org/#activation=tanh&batchSize=10&...`
//! opened as the nearest experiment here.
//!
//! The format is TensorFlow Playground's `State` (`src/state.ts` in github.com/tensorflow/playground):
//! `&`-separated `name=value` pairs, read as that page reads them: a missing key keeps its default,
//! a repeated key keeps its last value, a boolean is false only when written `false` (`*_hide`
//! keys: true only when written `true`), an unknown value of a choice keeps the default.
//!
//! | key | becomes |
//! |---|---|
//! | `problem`, `dataset`, `regDataset` | `data.kind` (`reg-plane` is `reg_plane`, `reg-gauss` is `reg_gauss`) |
//! | `noise` | `data.noise` (0..=50) |
//! | `percTrainData` | `data.train_percent` |
//! | — | `data.points`: 500 for classification, 1200 for regression, as that page draws |
//! | `x`, `y`, `xSquared`, `ySquared`, `xTimesY`, `sinX`, `sinY` | `features` (`x1`, `x2`, `x1_sq`, `x2_sq`, `x1x2`, `sin_x1`, `sin_x2`), in that page's order |
//! | `networkShape`, `activation` | `layers`: one dense layer per number, all with the one activation |
//! | `learningRate` | `optimizer.lr`, with plain SGD and squared error (that page's only optimizer and loss) |
//! | `batchSize` | `batch_size` |
//! | `regularization`, `regularizationRate` | `regularization` (`L1`, `L2`, `none`) |
//! | `seed` | `seed`: `0.ddddd` becomes the number `ddddd`, anything else a hash of the text |
//!
//! | `cosX`, `cosY` | `features` (`cos_x1`, `cos_x2`): older links have them |
//! | `initZero` | `init`: `zeros` (every weight starts at 0, as that page does) |
//! | `showTestData`, `discretize`, `hideText` | the link's [`ViewOptions`] (that page's defaults: test data hidden) |
//!
//! Noted in small print, not reported as problems: the seed (the random generators differ, so
//! the points and starting weights are not the ones that page drew, although the data set, noise
//! and split are), `collectStats` (this page collects nothing) and `*_hide` keys that hide a
//! control (every control is shown here). Reported: `tutorial`, unknown keys and unreadable
//! values.

use crate::activation::Activation;
use crate::data::{DatasetKind, Feature};
use crate::init::InitKind;
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::share::{
    self, Decoded, FloatRange, Link, Lookup, Problems, Source, ViewOptions, float_in, quote,
};
use crate::spec::{LayerSpec, ModelSpec, RegKind, limits};

/// Points TensorFlow Playground draws for a classification problem (`NUM_SAMPLES_CLASSIFY`).
pub const CLASSIFY_POINTS: u32 = 500;
/// Points it draws for a regression problem (`NUM_SAMPLES_REGRESS`).
pub const REGRESS_POINTS: u32 = 1200;

/// Keys only TensorFlow Playground links have (`noise` and `seed` are in both formats).
const TF_KEYS: [&str; 26] = [
    "activation",
    "regularization",
    "batchSize",
    "dataset",
    "regDataset",
    "learningRate",
    "regularizationRate",
    "networkShape",
    "showTestData",
    "discretize",
    "percTrainData",
    "x",
    "y",
    "xTimesY",
    "xSquared",
    "ySquared",
    "cosX",
    "sinX",
    "cosY",
    "sinY",
    "collectStats",
    "tutorial",
    "problem",
    "initZero",
    "hideText",
    "numHiddenLayers",
];

/// The input features, TensorFlow Playground's key for each, in its order.
const FEATURES: [(&str, Feature, bool); 9] = [
    ("x", Feature::X1, true),
    ("y", Feature::X2, true),
    ("xSquared", Feature::X1Sq, false),
    ("ySquared", Feature::X2Sq, false),
    ("xTimesY", Feature::X1X2, false),
    ("sinX", Feature::SinX1, false),
    ("sinY", Feature::SinX2, false),
    ("cosX", Feature::CosX1, false),
    ("cosY", Feature::CosX2, false),
];

/// Whether `fragment` is a TensorFlow Playground link rather than one of this playground's.
pub fn looks_like_tf_playground(fragment: &str) -> bool {
    let mut p = Problems::default();
    is_tf_playground(&Link::parse(fragment, &mut p))
}

/// Reads `fragment` as a TensorFlow Playground link, whatever it looks like. [`share::decode`]
/// calls this by itself for fragments that look like one.
pub fn decode(fragment: &str) -> Decoded {
    let mut p = Problems::default();
    let link = Link::parse(fragment, &mut p);
    let (spec, view) = convert(&link, &mut p);
    Decoded::new(spec, p, view, Source::TfPlayground)
}

/// No `v` key, and at least one key only TensorFlow Playground writes.
pub(crate) fn is_tf_playground(link: &Link) -> bool {
    !link.has("v") && link.pairs.iter().any(|pair| TF_KEYS.contains(&pair.key.as_str()) || pair.key.ends_with("_hide"))
}

/// TensorFlow Playground's boolean: absent or empty keeps `default`; anything but `false` is true.
fn boolean(link: &Link, key: &str, default: bool, p: &mut Problems) -> bool {
    match link.get(key, true, p) {
        Lookup::Value(v) if v.trim().is_empty() => default,
        Lookup::Value("false") => false,
        Lookup::Value("true") => true,
        Lookup::Value(v) => {
            p.push(key, format!("`{}` is read as true, as TensorFlow Playground reads it", quote(v)));
            true
        }
        Lookup::Bad(why) => {
            p.push(key, format!("{why}; ignored"));
            default
        }
        Lookup::Missing => default,
    }
}

/// A non-empty value (TensorFlow Playground's `hasKey`).
fn value<'a>(link: &'a Link, key: &str, p: &mut Problems) -> Option<&'a str> {
    match link.get(key, true, p) {
        Lookup::Value(v) if !v.trim().is_empty() => Some(v),
        Lookup::Bad(why) => {
            p.push(key, format!("{why}; ignored"));
            None
        }
        _ => None,
    }
}

/// A JavaScript `+value` bounded to `lo..=hi` and rounded, reporting changes.
fn number(link: &Link, key: &str, lo: u32, hi: u32, default: u32, p: &mut Problems) -> u32 {
    match value(link, key, p) {
        Some(v) => share::int_in(p, key, v, lo, hi, default),
        None => default,
    }
}

/// The seed as a number: TensorFlow Playground writes `Math.random().toFixed(5)`, so `0.34517`
/// becomes 34517; a whole number stays itself (what [`encode`] writes); any other text is hashed
/// (FNV-1a).
pub fn seed_from_text(s: &str) -> u32 {
    let t = s.trim();
    if let Ok(n) = t.parse::<u32>()
        && t.bytes().all(|b| b.is_ascii_digit())
    {
        return n;
    }
    if let Some(digits) = t.strip_prefix("0.")
        && (1..=9).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = digits.parse::<u32>()
    {
        return n;
    }
    t.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

/// Converts a parsed TensorFlow Playground link: the experiment and how to show it.
pub(crate) fn convert(link: &Link, p: &mut Problems) -> (ModelSpec, ViewOptions) {
    let def = ModelSpec::default();

    // Keys it does not know.
    let mut reported: Vec<&str> = Vec::new();
    for pair in &link.pairs {
        let k = pair.key.as_str();
        if !TF_KEYS.contains(&k) && k != "noise" && k != "seed" && !k.ends_with("_hide") && !reported.contains(&k) {
            reported.push(k);
            p.push(k, "is not a TensorFlow Playground setting; ignored");
        }
    }

    // The data set.
    let regression = match value(link, "problem", p) {
        Some("regression") => true,
        Some("classification") | None => false,
        Some(v) => {
            p.push("problem", format!("`{}` is not classification or regression; using classification", quote(v)));
            false
        }
    };
    let classify = [("circle", DatasetKind::Circle), ("xor", DatasetKind::Xor), ("gauss", DatasetKind::Gauss), ("spiral", DatasetKind::Spiral)];
    let regress = [("reg-plane", DatasetKind::RegPlane), ("reg-gauss", DatasetKind::RegGauss)];
    let choose = |key: &str, table: &[(&str, DatasetKind)], p: &mut Problems| -> DatasetKind {
        match value(link, key, p) {
            Some(v) => match table.iter().find(|(id, _)| *id == v) {
                Some((_, k)) => *k,
                None => {
                    let ids: Vec<&str> = table.iter().map(|(id, _)| *id).collect();
                    p.push(key, format!("`{}` is not one of {}; using {}", quote(v), ids.join(", "), table[0].0));
                    table[0].1
                }
            },
            None => table[0].1,
        }
    };
    // Both keys are read (and checked) whichever problem is chosen, as that page does.
    let classify_kind = choose("dataset", &classify, p);
    let regress_kind = choose("regDataset", &regress, p);
    let kind = if regression { regress_kind } else { classify_kind };

    let mut spec = def.clone();
    spec.data.kind = kind;
    spec.data.points = if regression { REGRESS_POINTS } else { CLASSIFY_POINTS };
    spec.data.noise = number(link, "noise", 0, limits::MAX_NOISE, 0, p);
    let r = limits::TRAIN_PERCENT;
    spec.data.train_percent = number(link, "percTrainData", *r.start(), *r.end(), 50, p);

    // Features.
    let mut features = Vec::new();
    for (key, f, on) in FEATURES {
        if boolean(link, key, on, p) {
            features.push(f);
        }
    }
    if features.is_empty() {
        p.push("x", "every input feature is off, and a network needs at least one; using x and y");
        features = vec![Feature::X1, Feature::X2];
    }
    spec.features = features;

    // The network.
    let activation = match value(link, "activation", p) {
        Some(v) => match ["relu", "tanh", "sigmoid", "linear"].iter().find(|id| **id == v) {
            Some(id) => Activation::from_id(id).unwrap_or(Activation::Tanh),
            None => {
                p.push("activation", format!("`{}` is not one of relu, tanh, sigmoid, linear; using tanh", quote(v)));
                Activation::Tanh
            }
        },
        None => Activation::Tanh,
    };
    spec.layers = match link.get("networkShape", true, p) {
        Lookup::Value(v) => network_shape(v, activation, p),
        Lookup::Bad(why) => {
            p.push("networkShape", format!("{why}; using 4,2"));
            vec![LayerSpec::Dense { units: 4, activation }, LayerSpec::Dense { units: 2, activation }]
        }
        Lookup::Missing => vec![LayerSpec::Dense { units: 4, activation }, LayerSpec::Dense { units: 2, activation }],
    };
    if let Lookup::Value(v) = link.get("numHiddenLayers", true, p) {
        p.push("numHiddenLayers", format!("`{}` ignored: networkShape sets the layers", quote(v)));
    }

    // Training.
    spec.loss = LossKind::Mse;
    spec.optimizer.kind = OptimKind::Sgd;
    spec.optimizer.lr = match value(link, "learningRate", p) {
        Some(v) => float_in(p, "learningRate", v, FloatRange::open_closed(0.0, limits::MAX_LR), 0.03),
        None => 0.03,
    };
    spec.batch_size = number(link, "batchSize", 1, limits::MAX_BATCH, 10, p);
    spec.regularization.kind = match value(link, "regularization", p) {
        Some("L1") => RegKind::L1,
        Some("L2") => RegKind::L2,
        Some("none") | None => RegKind::None,
        Some(v) => {
            p.push("regularization", format!("`{}` is not one of none, L1, L2; using none", quote(v)));
            RegKind::None
        }
    };
    spec.regularization.rate = match value(link, "regularizationRate", p) {
        Some(v) => float_in(p, "regularizationRate", v, FloatRange::closed(0.0, limits::MAX_REG_RATE), 0.0),
        None => 0.0,
    };
    spec.init = if boolean(link, "initZero", false, p) {
        InitKind::Zeros
    } else {
        InitKind::GlorotUniform
    };
    if let Some(v) = value(link, "seed", p) {
        spec.seed = seed_from_text(v);
        p.note(
            "seed",
            format!(
                "`{}` becomes seed {}; this page's random generator is not TensorFlow Playground's, so the points and starting weights differ (the data set, noise and split are the same)",
                quote(v),
                spec.seed
            ),
        );
    }

    // View options, kept out of the experiment.
    let mut view = ViewOptions::tf_playground();
    view.test_points = boolean(link, "showTestData", view.test_points, p);
    view.discretize = boolean(link, "discretize", view.discretize, p);
    view.hide_text = boolean(link, "hideText", view.hide_text, p);
    if boolean(link, "collectStats", false, p) {
        p.note(
            "collectStats",
            "this page collects no usage statistics and sends nothing anywhere; the network's own statistics are under \"Look inside\"",
        );
    }
    if let Some(v) = value(link, "tutorial", p) {
        p.push("tutorial", format!("TensorFlow Playground's tutorial `{}` is not available here", quote(v)));
    }
    let mut hidden: Vec<&str> = Vec::new();
    for pair in &link.pairs {
        if let Some(control) = pair.key.strip_suffix("_hide")
            && matches!(&pair.value, Some(Ok(v)) if v == "true")
            && !hidden.contains(&control)
        {
            hidden.push(control);
        }
    }
    if !hidden.is_empty() {
        let mut shown: Vec<String> = hidden.iter().take(8).map(|c| quote(c)).collect();
        if hidden.len() > 8 {
            shown.push(format!("and {} more", hidden.len() - 8));
        }
        p.note(
            "_hide",
            format!(
                "this playground shows every control; not hidden: {}",
                shown.join(", ")
            ),
        );
    }

    (share::settle(spec, p), view)
}

/// `networkShape`: comma-separated unit counts (JavaScript `Number`, so an empty item is 0).
fn network_shape(v: &str, activation: Activation, p: &mut Problems) -> Vec<LayerSpec> {
    if v.trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut total = 0;
    for (i, item) in v.split(',').enumerate() {
        total += 1;
        if i >= limits::MAX_LAYERS {
            continue;
        }
        let key = format!("networkShape[{i}]");
        let item = if item.trim().is_empty() { "0" } else { item };
        let units = share::int_in(p, &key, item, 1, limits::MAX_UNITS, 4);
        out.push(LayerSpec::Dense { units, activation });
    }
    if total > limits::MAX_LAYERS {
        p.push("networkShape", format!("{total} hidden layers, at most {}; kept the first {}", limits::MAX_LAYERS, limits::MAX_LAYERS));
    }
    out
}

/// The TensorFlow Playground fragment for `spec`, when that page can show it: dense layers of at
/// most 8 units with one of its four activations shared by every layer, squared error, plain SGD,
/// its data sets and features. Otherwise the reasons it cannot.
pub fn encode(spec: &ModelSpec) -> Result<String, Vec<String>> {
    let mut why = Vec::new();
    let mut act: Option<Activation> = None;
    let mut shape = Vec::new();
    for (i, l) in spec.layers.iter().enumerate() {
        let LayerSpec::Dense { units, activation } = *l else {
            why.push(format!("layers[{i}]: {} (TensorFlow Playground has only dense layers)", l.kind()));
            continue;
        };
        if !matches!(activation, Activation::Relu | Activation::Tanh | Activation::Sigmoid | Activation::Linear) {
            why.push(format!("layers[{i}]: {} is not one of relu, tanh, sigmoid, linear", activation.id()));
        }
        match act {
            Some(a) if a != activation => why.push(format!("layers[{i}]: every layer must share one activation")),
            _ => act = Some(activation),
        }
        if units > 8 {
            why.push(format!("layers[{i}]: {units} units, TensorFlow Playground shows at most 8"));
        }
        shape.push(units.to_string());
    }
    if spec.layers.len() > 6 {
        why.push(format!("layers: {} hidden layers, TensorFlow Playground shows at most 6", spec.layers.len()));
    }
    if spec.loss != LossKind::Mse {
        why.push(format!("loss: {} (TensorFlow Playground trains with squared error)", spec.loss.id()));
    }
    if spec.optimizer.kind != OptimKind::Sgd {
        why.push(format!("opt: {} (TensorFlow Playground uses plain SGD)", spec.optimizer.kind.id()));
    }
    let regression = spec.data.kind.is_regression();
    let expected_points = if regression { REGRESS_POINTS } else { CLASSIFY_POINTS };
    if spec.data.points != expected_points {
        why.push(format!("points: {} (TensorFlow Playground draws {expected_points})", spec.data.points));
    }
    let (dataset, reg_dataset) = match spec.data.kind {
        DatasetKind::Circle => ("circle", "reg-plane"),
        DatasetKind::Xor => ("xor", "reg-plane"),
        DatasetKind::Gauss => ("gauss", "reg-plane"),
        DatasetKind::Spiral => ("spiral", "reg-plane"),
        DatasetKind::RegPlane => ("circle", "reg-plane"),
        DatasetKind::RegGauss => ("circle", "reg-gauss"),
        other => {
            why.push(format!("data: {} (TensorFlow Playground has only its 2-D point sets)", other.id()));
            ("circle", "reg-plane")
        }
    };
    if !why.is_empty() {
        return Err(why);
    }
    let on = |f: Feature| spec.features.contains(&f);
    let mut s = format!("activation={}", act.unwrap_or(Activation::Tanh).id());
    match spec.regularization.kind {
        RegKind::None => {}
        RegKind::L1 => s.push_str("&regularization=L1"),
        RegKind::L2 => s.push_str("&regularization=L2"),
    }
    s.push_str(&format!(
        "&batchSize={}&dataset={dataset}&regDataset={reg_dataset}&learningRate={}&regularizationRate={}&noise={}&networkShape={}&seed={}&percTrainData={}",
        spec.batch_size,
        share::fmt_f32(spec.optimizer.lr),
        share::fmt_f32(spec.regularization.rate),
        spec.data.noise,
        shape.join(","),
        spec.seed,
        spec.data.train_percent,
    ));
    for (key, f, _) in FEATURES {
        s.push_str(&format!("&{key}={}", on(f)));
    }
    s.push_str(&format!(
        "&problem={}",
        if regression {
            "regression"
        } else {
            "classification"
        }
    ));
    s.push_str(&format!("&initZero={}", spec.init == InitKind::Zeros));
    Ok(s)
}
