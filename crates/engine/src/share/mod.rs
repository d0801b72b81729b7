//! Share links: the whole experiment in the URL fragment, versioned, compact, readable by a
//! person, and validated on the way in.
//!
//! ```text
//! v=1&data=spiral&points=500&noise=10&train=50&features=x1,x2,sin_x1
//!    &layers=8:tanh,8:leaky_relu(0.01)&loss=mse&opt=adam&lr=0.03&batch=10
//!    &reg=l2&rate=0.001&seed=7&init=glorot_uniform
//! ```
//!
//! | key | [`ModelSpec`] field | value |
//! |---|---|---|
//! | `v` | `version` | [`SHARE_VERSION`]; always first |
//! | `data` | `data.kind` | [`DatasetKind::id`] |
//! | `points` | `data.points` | whole number |
//! | `noise` | `data.noise` | whole number, TensorFlow Playground's slider |
//! | `train` | `data.train_percent` | whole number, percent |
//! | `features` | `features` | [`Feature::id`]s, comma separated, in order |
//! | `layers` | `layers` | the hidden layers, comma separated, input side first, each as below; empty for no hidden layer |
//! | `loss` | `loss` | [`LossKind::id`] |
//! | `opt` | `optimizer.kind` | [`OptimKind::id`] |
//! | `lr` | `optimizer.lr` | number |
//! | `momentum`, `beta1`, `beta2`, `eps` | `optimizer.*` | number; written only when not 0.9, 0.9, 0.999, 1e-8 |
//! | `batch` | `batch_size` | whole number |
//! | `reg` | `regularization.kind` | `none`, `l1`, `l2` |
//! | `rate` | `regularization.rate` | number; written unless `reg=none` and the rate is 0 |
//! | `seed` | `seed` | whole number, 0..=4294967295 |
//! | `init` | `init` | [`InitKind::id`] |
//! | `custom` | `custom_points` | your own data's points, 4 characters each (below); written only when there are any, always last |
//! | `test`, `discretize`, `text`, `embed` | — | how the page shows it ([`ViewOptions`], `view.rs`), appended by the page only when not the defaults |
//!
//! A key left out is not a problem: [`Decoded::missing`] lists it with the default used, so a
//! hand-typed `v=1&data=xor&layers=4:tanh` opens with one line saying how many were filled in.
//!
//! Each layer of `layers` ([`LayerSpec::short_text`], with activation settings kept):
//!
//! | layer | written | read also |
//! |---|---|---|
//! | `Dense` | `8:tanh`, `8:leaky_relu(0.01)`: units, then the activation: an id of [`crate::activation::ACTIVATIONS`] with its one setting in parentheses when it has one (`maxout(3)`) | `dense:8:tanh` |
//! | `Conv2d` | `conv2d:8x3s1p1:relu`: filters `x` kernel `s` stride `p` padding, then an elementwise activation | `conv2d:8x3:relu` (stride 1, padding 0) |
//! | `MaxPool2d`, `AvgPool2d` | `max_pool2d:2s2`, `avg_pool2d:3s1`: kernel `s` stride | `max_pool2d:2` (stride = kernel) |
//! | `Flatten` | `flatten` | |
//! | `Rnn`, `Lstm`, `Gru` | `rnn:16`, `lstm:16`, `gru:16:seq`: hidden size, then `seq` for every step's output | |
//!
//! Each setting is brought into [`limits`] (filters 1..=`MAX_FILTERS`, kernel and stride
//! 1..=`MAX_KERNEL`, padding below the kernel, units and hidden sizes 1..=`MAX_UNITS`) and
//! reported. A dense layer straight on an image or a sequence gets a `flatten` before it; any
//! other layer the data cannot flow through (a convolution on 2-D points, a recurrent layer on
//! images) is removed. Both are reported. The data sets are
//! [`DatasetKind::EVERY`]: the 2-D point sets, `digits` and `shapes` (images, trained with
//! `softmax_cross_entropy`), `sine` (sequences, regression) and `memory` (sequences, 2 classes).
//!
//! Each point of `custom` is 4 characters of the URL-safe base64 alphabet (`A`-`Z`, `a`-`z`,
//! `0`-`9`, `-`, `_`), a 24-bit number, most significant 6 bits first:
//! `((x + 600) * 1201 + (y + 600)) * 2 + positive`, with `x` and `y` the coordinates in hundredths
//! (−600..=600, the plane [−6, 6]²) and `positive` 1 for the +1 class. 2,000 points, the most a
//! data set holds, take 8,000 characters. A code that is not 4 such characters or is out of range
//! is dropped and reported; so are points past [`crate::data::custom::MAX_POINTS`]. A link with
//! `data=custom` whose points are too few or of one class opens the default data set instead,
//! with its points kept, and says why.
//!
//! Numbers are written in Rust's shortest form that reads back to the same `f32` (`0.03`,
//! `1e-8`), so [`decode`]`(`[`encode`]`(s))` gives `s` back bit for bit. Every character [`encode`]
//! writes is allowed in a fragment as it is; [`decode`] also undoes percent-escapes, which some
//! mail and chat programs add.
//!
//! [`decode`] never fails and never panics: whatever it is given (a truncated link, a huge or
//! negative number, NaN, an unknown activation, a hostile string) it returns the nearest valid
//! experiment and one message per thing it had to change, each naming the key. A fragment in
//! TensorFlow Playground's format is recognised and converted by [`crate::tfplayground`].
//! The ids come from the engine's own tables, so a new activation, data set or feature is
//! readable in links as soon as it is in its table.

use std::fmt::Write as _;

use crate::activation::{ACTIVATIONS, Activation};
use crate::data::{DatasetKind, Feature};
use crate::init::InitKind;
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::spec::{LayerSpec, ModelSpec, RegKind, SPEC_VERSION, limits};

mod custom;
mod layers;
mod values;
mod view;
pub use layers::layer_text;

/// Reads hidden layers written as links write them (`8:tanh,8:tanh`, `conv2d:8x3s1p1:relu,max_pool2d:2s2,flatten`,
/// `lstm:16`); the problems, each naming its layer, when that is not what the text holds.
pub fn layers_from_text(text: &str) -> std::result::Result<Vec<LayerSpec>, Vec<String>> {
    let mut p = Problems::default();
    let layers = layers::parse_layers(&mut p, text);
    let problems = p.finish();
    if problems.is_empty() { Ok(layers) } else { Err(problems) }
}
pub use custom::custom_text;
use custom::parse_custom;
use layers::{layers_text, parse_layers};
pub(crate) use values::{FloatRange, float_in, int_in, pick, quote};
use values::{int_checked, quote_key};
pub use view::{ViewOptions, view_text};

/// The share format's version: the `v` key. Bump it when a link would replay differently, and
/// keep reading the old form.
pub const SHARE_VERSION: u32 = 1;

/// The longest fragment [`decode`] reads, in bytes. A link is a few hundred bytes, plus 4 a point
/// of your own data (8,000 for the most allowed); anything past this is ignored (and reported)
/// before parsing starts.
pub const MAX_LINK_BYTES: usize = 16384;

/// The most problem messages [`decode`] returns; a final message counts the rest.
pub const MAX_PROBLEMS: usize = 24;

/// The longest piece of a link quoted in a problem message, in characters.
const MAX_QUOTE: usize = 32;

// The optimizer settings that version 1 links leave out when they have these values. They are
// part of the format, so they are fixed here rather than read from `ModelSpec::default`.
const V1_MOMENTUM: f32 = 0.9;
const V1_BETA1: f32 = 0.9;
const V1_BETA2: f32 = 0.999;
const V1_EPS: f32 = 1e-8;

/// Where a decoded experiment came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An empty fragment: the default experiment, with nothing to report.
    Empty,
    /// This playground's own format.
    Share,
    /// A TensorFlow Playground link, converted.
    TfPlayground,
}

/// The result of [`decode`]: always a spec that passes [`ModelSpec::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub spec: ModelSpec,
    /// One message per thing that was changed or ignored, each starting with the key it is
    /// about (`lr: ...`). Empty for a link this module wrote.
    pub problems: Vec<String>,
    /// Keys the link left out, each with the default used (`lr: 0.03`): a hand-typed short link
    /// is missing most of them, which is fine, so the page counts them rather than lists them.
    pub missing: Vec<String>,
    /// Things worth knowing that are not problems (`seed: ...` of a TensorFlow Playground link:
    /// the random generators differ), each starting with its key.
    pub notes: Vec<String>,
    /// How the link asks the page to show the experiment.
    pub view: ViewOptions,
    pub source: Source,
}

impl Decoded {
    pub(crate) fn new(spec: ModelSpec, mut p: Problems, view: ViewOptions, source: Source) -> Decoded {
        let notes = std::mem::take(&mut p.notes);
        let missing = std::mem::take(&mut p.missing);
        Decoded {
            spec,
            problems: p.finish(),
            missing,
            notes,
            view,
            source,
        }
    }
}

/// The fragment (without the leading `#`) for `spec`. Every field is written, in a fixed order,
/// so that equal specs give equal links.
pub fn encode(spec: &ModelSpec) -> String {
    let mut s = String::with_capacity(256);
    let d = &spec.data;
    let _ = write!(s, "v={SHARE_VERSION}&data={}&points={}&noise={}&train={}", d.kind.id(), d.points, d.noise, d.train_percent);
    s.push_str("&features=");
    for (i, f) in spec.features.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(f.id());
    }
    s.push_str("&layers=");
    s.push_str(&layers_text(&spec.layers));
    let o = &spec.optimizer;
    let _ = write!(s, "&loss={}&opt={}&lr={}", spec.loss.id(), o.kind.id(), fmt_f32(o.lr));
    for (key, value, v1) in
        [("momentum", o.momentum, V1_MOMENTUM), ("beta1", o.beta1, V1_BETA1), ("beta2", o.beta2, V1_BETA2), ("eps", o.eps, V1_EPS)]
    {
        if value.to_bits() != v1.to_bits() {
            let _ = write!(s, "&{key}={}", fmt_f32(value));
        }
    }
    let r = &spec.regularization;
    let _ = write!(s, "&batch={}&reg={}", spec.batch_size, reg_id(r.kind));
    if r.kind != RegKind::None || r.rate.to_bits() != 0 {
        let _ = write!(s, "&rate={}", fmt_f32(r.rate));
    }
    let _ = write!(s, "&seed={}&init={}", spec.seed, spec.init.id());
    if !spec.custom_points.is_empty() {
        s.push_str("&custom=");
        s.push_str(&custom_text(&spec.custom_points));
    }
    s
}

/// The experiment in a fragment: this playground's format or TensorFlow Playground's. Accepts the
/// fragment with or without its `#`, or a whole URL. Never fails: see the module documentation.
pub fn decode(fragment: &str) -> Decoded {
    let mut p = Problems::default();
    let link = Link::parse(fragment, &mut p);
    if link.pairs.is_empty() && p.list.is_empty() {
        return Decoded::new(
            ModelSpec::default(),
            p,
            ViewOptions::default(),
            Source::Empty,
        );
    }
    if crate::tfplayground::is_tf_playground(&link) {
        let (spec, view) = crate::tfplayground::convert(&link, &mut p);
        return Decoded::new(spec, p, view, Source::TfPlayground);
    }
    let spec = decode_share(&link, &mut p);
    let view = view::parse_view(&link, &mut p);
    Decoded::new(spec, p, view, Source::Share)
}

/// `x` in the shortest text that reads back as the same `f32`: plain decimals (`0.03`, `0.0001`),
/// or scientific notation when that is at least three characters shorter (`1e-8`).
pub fn fmt_f32(x: f32) -> String {
    let plain = format!("{x}");
    let sci = format!("{x:e}");
    if sci.len() + 2 < plain.len() { sci } else { plain }
}

/// An activation as the `layers` key writes it: `tanh`, `leaky_relu(0.01)`, `maxout(3)`.
pub fn activation_text(a: &Activation) -> String {
    match (a.param(), a.info().param) {
        (Some(v), Some(p)) if p.integer => format!("{}({})", a.id(), v as u64),
        (Some(_), Some(_)) => {
            let v = match *a {
                Activation::LeakyRelu { alpha } | Activation::Elu { alpha } => alpha,
                Activation::Swish { beta } => beta,
                // Every other activation with a setting is integer (Maxout), handled above.
                _ => a.param().unwrap_or_default() as f32,
            };
            format!("{}({})", a.id(), fmt_f32(v))
        }
        _ => a.id().to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing shared with the TensorFlow Playground reader.

/// The problems met while decoding, capped at [`MAX_PROBLEMS`], and the notes and missing keys
/// kept apart from them (see [`Decoded`]).
#[derive(Default)]
pub(crate) struct Problems {
    list: Vec<String>,
    dropped: usize,
    notes: Vec<String>,
    missing: Vec<String>,
}

impl Problems {
    /// Records `key: msg` as a note, not a problem.
    pub(crate) fn note(&mut self, key: &str, msg: impl std::fmt::Display) {
        if self.notes.len() < MAX_PROBLEMS {
            self.notes.push(format!("{}: {msg}", quote_key(key)));
        }
    }

    /// Records that `key` was left out and `shown` was used.
    fn missing(&mut self, key: &str, shown: &str) {
        if self.missing.len() < MAX_PROBLEMS {
            self.missing.push(format!("{}: {shown}", quote_key(key)));
        }
    }

    /// Records `key: msg`.
    pub(crate) fn push(&mut self, key: &str, msg: impl std::fmt::Display) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(format!("{}: {msg}", quote_key(key)));
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list.push(format!("link: {} more problems not listed", self.dropped));
        }
        self.list
    }
}

/// One `key=value` piece of a fragment. `value` is `None` when there was no `=`, and `Err` when
/// its percent-escapes do not decode to UTF-8 text.
pub(crate) struct Pair {
    pub key: String,
    pub value: Option<Result<String, String>>,
}

/// A fragment split into pairs, in order, after the length cap and percent-decoding.
pub(crate) struct Link {
    pub pairs: Vec<Pair>,
}

/// What a lookup found.
pub(crate) enum Lookup<'a> {
    /// The key is not in the link.
    Missing,
    /// The key is there but its value is unusable: why (not yet recorded).
    Bad(String),
    Value(&'a str),
}

impl Link {
    /// Splits `input` (a fragment, `#fragment`, or a URL with one) into pairs. Reads at most
    /// [`MAX_LINK_BYTES`].
    pub(crate) fn parse(input: &str, p: &mut Problems) -> Link {
        let mut text = input;
        if text.len() > MAX_LINK_BYTES {
            let mut cut = MAX_LINK_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            // The piece the cut went through is incomplete: drop it rather than misread it.
            let kept = text[..cut].rfind('&').unwrap_or(0);
            p.push(
                "link",
                format!("{} bytes is longer than the {MAX_LINK_BYTES} this page reads; everything after byte {kept} was ignored", input.len()),
            );
            text = &text[..kept];
        }
        if let Some(i) = text.find('#') {
            text = &text[i + 1..];
        } else if let Some(rest) = text.trim_start().strip_prefix('?') {
            text = rest;
        } else if text.contains("://") {
            // A URL without a fragment: its query, if it has one, else nothing.
            text = text.split_once('?').map_or("", |(_, q)| q);
        }
        let text = text.trim();
        let mut pairs = Vec::new();
        for piece in text.split('&') {
            if piece.trim().is_empty() {
                continue;
            }
            let (k, v) = match piece.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (piece, None),
            };
            let key = match percent_decode(k) {
                Ok(k) => k.trim().to_string(),
                Err(e) => {
                    p.push(k, format!("the key {e}; ignored"));
                    continue;
                }
            };
            pairs.push(Pair { key, value: v.map(percent_decode) });
        }
        Link { pairs }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|pair| pair.key == key)
    }

    /// The value of `key`, reporting repeats (the first, or with `last_wins` the last, is used),
    /// a missing `=` and undecodable escapes.
    pub(crate) fn get(&self, key: &str, last_wins: bool, p: &mut Problems) -> Lookup<'_> {
        let mut with_key = self.pairs.iter().filter(|pair| pair.key == key);
        let first = with_key.next();
        let (n, last) = with_key.fold((usize::from(first.is_some()), first), |(n, _), pair| (n + 1, Some(pair)));
        let pair = if last_wins { last } else { first };
        let Some(pair) = pair else { return Lookup::Missing };
        if n > 1 {
            p.push(key, format!("appears {n} times; the {} one is used", if last_wins { "last" } else { "first" }));
        }
        match &pair.value {
            None => Lookup::Bad("has no value (no `=`)".to_string()),
            Some(Err(e)) => Lookup::Bad(format!("the value {e}")),
            Some(Ok(v)) => Lookup::Value(v.as_str()),
        }
    }
}

/// `%XX` escapes decoded; the result must be UTF-8. `+` stays `+` (fragments are not forms).
fn percent_decode(s: &str) -> Result<String, String> {
    if !s.contains('%') {
        return Ok(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => return Err(format!("has a broken percent-escape near `{}`", quote(&s[i..]))),
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8 text after percent-decoding".to_string())
}

// ---------------------------------------------------------------------------------------------
// This playground's format.

/// Regularisation ids, as in the spec's JSON.
const REG_KINDS: [RegKind; 3] = [RegKind::None, RegKind::L1, RegKind::L2];

fn reg_id(k: RegKind) -> &'static str {
    match k {
        RegKind::None => "none",
        RegKind::L1 => "l1",
        RegKind::L2 => "l2",
    }
}

/// Every initialisation; the match below stops the build when a new one is not listed.
const INIT_KINDS: [InitKind; 3] = [InitKind::GlorotUniform, InitKind::HeNormal, InitKind::Zeros];
#[allow(dead_code)]
fn every_init_is_listed(k: InitKind) {
    match k {
        InitKind::GlorotUniform | InitKind::HeNormal | InitKind::Zeros => {}
    }
}

fn decode_share(link: &Link, p: &mut Problems) -> ModelSpec {
    let def = ModelSpec::default();
    let mut spec = def.clone();
    // Keys this format knows; anything else is reported once.
    const KEYS: [&str; 20] = [
        "v", "data", "points", "noise", "train", "features", "layers", "loss", "opt", "lr", "momentum", "beta1", "beta2", "eps",
        "batch", "reg", "rate", "seed", "init", "custom",
    ];
    let mut reported = Vec::new();
    for pair in &link.pairs {
        let known = KEYS.contains(&pair.key.as_str()) || view::KEYS.contains(&pair.key.as_str());
        if !known && !reported.contains(&&pair.key) {
            reported.push(&pair.key);
            p.push(&pair.key, "is not a setting of this playground; ignored");
        }
    }

    match link.get("v", false, p) {
        Lookup::Missing => p.missing("v", &SHARE_VERSION.to_string()),
        Lookup::Bad(why) => p.push("v", format!("{why}; read as version {SHARE_VERSION}")),
        Lookup::Value(v) if v.trim() == SHARE_VERSION.to_string() => {}
        Lookup::Value(v) => p.push(
            "v",
            format!("version `{}` is not one this page reads (it reads {SHARE_VERSION}); read as version {SHARE_VERSION} where possible", quote(v)),
        ),
    }

    // A required key: its value, or the default with a message when it is missing.
    let required = |key: &str, shown: String, p: &mut Problems| -> Option<String> {
        match link.get(key, false, p) {
            Lookup::Value(v) => Some(v.to_string()),
            Lookup::Missing => {
                p.missing(key, &shown);
                None
            }
            Lookup::Bad(why) => {
                p.push(key, format!("{why}; using {shown}"));
                None
            }
        }
    };
    let optional = |key: &str, shown: String, p: &mut Problems| -> Option<String> {
        match link.get(key, false, p) {
            Lookup::Value(v) => Some(v.to_string()),
            Lookup::Missing => None,
            Lookup::Bad(why) => {
                p.push(key, format!("{why}; using {shown}"));
                None
            }
        }
    };

    if let Some(v) = required("data", def.data.kind.id().into(), p) {
        spec.data.kind = pick(p, "data", &v, &DatasetKind::EVERY, |k| k.id(), def.data.kind);
    }
    if let Some(v) = required("points", def.data.points.to_string(), p) {
        spec.data.points = int_in(p, "points", &v, limits::MIN_POINTS, limits::MAX_POINTS, def.data.points);
    }
    if let Some(v) = required("noise", def.data.noise.to_string(), p) {
        spec.data.noise = int_in(p, "noise", &v, 0, limits::MAX_NOISE, def.data.noise);
    }
    if let Some(v) = required("train", def.data.train_percent.to_string(), p) {
        let r = limits::TRAIN_PERCENT;
        spec.data.train_percent = int_in(p, "train", &v, *r.start(), *r.end(), def.data.train_percent);
    }
    let def_features = features_text(&def.features);
    if let Some(v) = required("features", def_features, p) {
        spec.features = parse_features(p, &v, &def.features);
    }
    let def_layers = layers_text(&def.layers);
    if let Some(v) = required("layers", def_layers, p) {
        spec.layers = parse_layers(p, &v);
    }
    if let Some(v) = required("loss", def.loss.id().into(), p) {
        spec.loss = pick(p, "loss", &v, &LossKind::ALL, |k| k.id(), def.loss);
    }
    let o = &mut spec.optimizer;
    if let Some(v) = required("opt", def.optimizer.kind.id().into(), p) {
        o.kind = pick(p, "opt", &v, &OptimKind::ALL, |k| k.id(), def.optimizer.kind);
    }
    if let Some(v) = required("lr", fmt_f32(def.optimizer.lr), p) {
        o.lr = float_in(p, "lr", &v, FloatRange::open_closed(0.0, limits::MAX_LR), def.optimizer.lr);
    }
    let unit = FloatRange::closed_open(0.0, 1.0);
    for (key, field, v1, range) in [
        ("momentum", &mut o.momentum, V1_MOMENTUM, unit),
        ("beta1", &mut o.beta1, V1_BETA1, unit),
        ("beta2", &mut o.beta2, V1_BETA2, unit),
        ("eps", &mut o.eps, V1_EPS, FloatRange::open_closed(0.0, 1.0)),
    ] {
        *field = v1;
        if let Some(v) = optional(key, fmt_f32(v1), p) {
            *field = float_in(p, key, &v, range, v1);
        }
    }
    if let Some(v) = required("batch", def.batch_size.to_string(), p) {
        spec.batch_size = int_in(p, "batch", &v, 1, limits::MAX_BATCH, def.batch_size);
    }
    let def_reg = def.regularization;
    if let Some(v) = required("reg", reg_id(def_reg.kind).into(), p) {
        spec.regularization.kind = pick(p, "reg", &v, &REG_KINDS, |k| reg_id(*k), def_reg.kind);
    }
    let rate = if spec.regularization.kind == RegKind::None {
        optional("rate", fmt_f32(def_reg.rate), p)
    } else {
        required("rate", fmt_f32(def_reg.rate), p)
    };
    if let Some(v) = rate {
        spec.regularization.rate = float_in(p, "rate", &v, FloatRange::closed(0.0, limits::MAX_REG_RATE), def_reg.rate);
    }
    if let Some(v) = required("seed", def.seed.to_string(), p) {
        spec.seed = int_in(p, "seed", &v, 0, u32::MAX, def.seed);
    }
    if let Some(v) = required("init", def.init.id().into(), p) {
        spec.init = pick(p, "init", &v, &INIT_KINDS, |k| k.id(), def.init);
    }
    if let Some(v) = optional("custom", "no points".into(), p) {
        spec.custom_points = parse_custom(p, &v);
    }
    settle(spec, p)
}

fn features_text(f: &[Feature]) -> String {
    f.iter().map(|f| f.id()).collect::<Vec<_>>().join(",")
}

/// A comma-separated feature list: unknown and repeated ids are dropped, an empty list becomes
/// `default`.
fn parse_features(p: &mut Problems, v: &str, default: &[Feature]) -> Vec<Feature> {
    let mut out: Vec<Feature> = Vec::new();
    for id in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match Feature::ALL.iter().find(|f| f.id().eq_ignore_ascii_case(id)) {
            Some(f) if out.contains(f) => p.push("features", format!("`{}` is listed twice; kept once", f.id())),
            Some(f) => out.push(*f),
            None => {
                let all: Vec<&str> = Feature::ALL.iter().map(|f| f.id()).collect();
                p.push("features", format!("`{}` is not one of {}; dropped", quote(id), all.join(", ")));
            }
        }
    }
    if out.is_empty() {
        p.push("features", format!("no usable input feature; using {}", features_text(default)));
        return default.to_vec();
    }
    out
}

/// Makes a spec whose fields are each in range valid as a whole: the loss a regression set needs,
/// a parameter count under [`limits::MAX_PARAMS`]. If it still does not validate, the default.
pub(crate) fn settle(mut spec: ModelSpec, p: &mut Problems) -> ModelSpec {
    spec.version = SPEC_VERSION;
    if crate::data::custom::check(&spec.custom_points, false).is_err() {
        p.push("custom", "the points are not usable; dropped");
        spec.custom_points.clear();
    }
    if spec.data.kind == DatasetKind::Custom
        && let Err(why) = crate::data::custom::check(&spec.custom_points, true)
    {
        let fallback = ModelSpec::default().data.kind;
        p.push("data", format!("{why}; opened {} instead", fallback.id()));
        spec.data.kind = fallback;
    }
    if spec.data.kind.is_regression() && spec.loss != LossKind::Mse {
        p.push(
            "loss",
            format!("{} needs class labels, and {} is a regression data set; using mse", spec.loss.id(), spec.data.kind.id()),
        );
        spec.loss = LossKind::Mse;
    }
    let classes = spec.data.kind.classes();
    if classes > 2 && spec.loss != LossKind::SoftmaxCrossEntropy {
        p.push(
            "loss",
            format!("{} has {classes} classes, which {} cannot train; using softmax_cross_entropy", spec.data.kind.id(), spec.loss.id()),
        );
        spec.loss = LossKind::SoftmaxCrossEntropy;
    }
    fit_layers_to_data(&mut spec, p);
    let params = spec.parameter_count();
    if params > limits::MAX_PARAMS {
        let before = spec.layers.len();
        while spec.parameter_count() > limits::MAX_PARAMS && spec.layers.pop().is_some() {}
        p.push(
            "layers",
            format!(
                "{params} parameters is more than the {} allowed; kept the first {} of {before} hidden layers",
                limits::MAX_PARAMS,
                spec.layers.len()
            ),
        );
    }
    if let Err(e) = spec.validate() {
        p.push("spec", format!("{e}; opened the default experiment instead"));
        return ModelSpec::default();
    }
    spec
}

/// Makes the layers fit the data, input side first, naming each change by the layer's place in
/// the link: a dense layer on an image or a sequence gets a flatten before it (while there is
/// room); any other layer the data cannot flow through (a convolution on 2-D points, a recurrent
/// layer on images, a pooling window larger than its input) is removed.
fn fit_layers_to_data(spec: &mut ModelSpec, p: &mut Problems) {
    // Place in the link of each layer still in the spec.
    let mut place: Vec<usize> = (0..spec.layers.len()).collect();
    while let Err(e) = crate::plan::plan(spec) {
        // The first layer whose stack up to it cannot be built (the output layer takes any input).
        let first_bad = (0..spec.layers.len()).find(|&n| {
            let mut head = spec.clone();
            head.layers.truncate(n + 1);
            crate::plan::plan(&head).is_err()
        });
        let Some(i) = first_bad else { return };
        // A dense layer on an image or a sequence: what was meant is a flatten before it.
        if matches!(spec.layers[i], LayerSpec::Dense { .. }) && spec.layers.len() < limits::MAX_LAYERS {
            let mut head = spec.clone();
            head.layers.truncate(i + 1);
            head.layers.insert(i, LayerSpec::Flatten);
            if crate::plan::plan(&head).is_ok() {
                p.push(&format!("layers[{}]", place[i]), "a dense layer needs a flat input; added a flatten layer before it");
                spec.layers.insert(i, LayerSpec::Flatten);
                place.insert(i, place[i]);
                continue;
            }
        }
        let kind = spec.layers[i].kind();
        let text = match &e {
            crate::error::EngineError::InvalidSpec(m) => m.clone(),
            other => other.to_string(),
        };
        // The planner's message names the layer by its index now; say it by its place instead.
        let why = text
            .strip_prefix(&format!("layers[{i}]"))
            .map(|rest| rest.strip_prefix(&format!(" ({kind}): ")).unwrap_or(rest.trim_start_matches(['.', ':', ' '])).to_string())
            .unwrap_or(text);
        p.push(&format!("layers[{}]", place[i]), format!("{kind} removed: {why}"));
        spec.layers.remove(i);
        place.remove(i);
    }
}
