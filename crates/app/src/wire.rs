//! What travels between the page and a trainer (the training loop in a Web Worker, or on the page
//! itself where a worker cannot start). Both ends hold a [`Lab`]: the page's is what the learner
//! sees and edits, the trainer's is what the driver reads and writes. The link keeps them in
//! step signal by signal: the page sends its inputs (the spec, play, step, reset, …) as they
//! change, the trainer sends its outputs (metrics, curves, pictures, …) at most once per page
//! frame, each only when it changed. Messages are MessagePack (NaN losses and all), sent as one
//! transferable buffer each.

use engine::data::Point;
use engine::model::LayerParams;
use engine::spec::ModelSpec;
use engine::train::{Diagnostics, Metrics};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compute::ComputeStatus;
use crate::lab::{DevicePref, Lab, Param, Pictures, Speed, Sweep};

/// Which experiment a trainer runs: A is the open one (it saves, exports, edits and measures);
/// B is the other half of a side-by-side run (its spec is [`Lab::compare`], its figures go to
/// the page's `b_` signals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    A,
    B,
}

/// One signal's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    // Page to trainer (the last four also back: the driver clears or sets them).
    /// Also a spec that does not validate (the trainer says why).
    Spec(#[serde(with = "spec_json")] ModelSpec),
    StepRequests(u32),
    Resets(u32),
    DevicePref(DevicePref),
    Speed(Speed),
    ExportRequests(u32),
    SweepRequests(u32),
    Playing(bool),
    /// An imported model file, as its JSON.
    Import(Option<String>),
    Edits(Vec<(Param, f32)>),
    Notice(Option<String>),
    // Trainer to page.
    Status(ComputeStatus),
    Device((String, String)),
    History(Vec<(f64, Metrics)>),
    Latest(Option<Metrics>),
    StepsPerSec(f64),
    Pictures(Pictures),
    Points((Vec<Point>, Vec<Point>)),
    Diagnostics(Option<Diagnostics>),
    Weights(Vec<LayerParams>),
    Sweep(Option<Sweep>),
    PictureUpdates(u64),
}

/// Page to trainer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToTrainer {
    /// The first message: the trainer starts its loop with these inputs.
    Start {
        role: Role,
        /// The experiment this browser kept (`persist`'s text), to continue.
        saved: Option<String>,
        hidden: bool,
        reduced_motion: bool,
        inputs: Vec<Value>,
    },
    /// Inputs that changed.
    Set(Vec<Value>),
    /// The page has drawn the last [`ToPage::Set`]: the next may come.
    Drawn,
    Hidden(bool),
    ReducedMotion(bool),
}

/// Trainer to page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToPage {
    /// Outputs that changed.
    Set(Vec<Value>),
    /// Keep the experiment: `full` with its weights, `lean` (spec and curves) if that is refused.
    Save { spec: String, full: String, lean: String },
    /// Offer a file to download.
    Download { name: String, text: String },
    /// The trainer panicked: the crash banner's report.
    Crash(String),
}

/// What identifies a version of the curves without reading them all: their length and last step
/// (a new point, the thinning and a new run all change it).
pub fn curves_key(lab: &Lab) -> (usize, u64) {
    lab.history.with_untracked(|h| (h.len(), h.last().map_or(0, |p| p.1.step)))
}

pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    postcard::to_allocvec(msg).unwrap_or_default()
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Option<T> {
    postcard::from_bytes(bytes).ok()
}

/// The spec as its JSON, read without validating (the trainer reports what is wrong with it).
mod spec_json {
    use super::ModelSpec;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(spec: &ModelSpec, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&spec.to_json())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ModelSpec, D::Error> {
        let text = String::deserialize(d)?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(serde::de::Error::custom)?;
        serde_json::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// The inputs of experiment `role` as the page has them, read tracked (the link's effect reruns
/// when any changes). B gets what it needs to follow A (play, step, reset, speed, device) and its
/// own spec; `None` when there is no B.
pub fn inputs(lab: &Lab, role: Role) -> Option<Vec<Value>> {
    let spec = match role {
        Role::A => lab.spec.get(),
        Role::B => lab.compare.get()?,
    };
    let mut v = vec![
        Value::Spec(spec),
        Value::StepRequests(lab.step_requests.get()),
        Value::Resets(lab.resets.get()),
        Value::DevicePref(lab.device_pref.get()),
        Value::Speed(lab.speed.get()),
        Value::Playing(lab.playing.get()),
    ];
    if role == Role::A {
        v.extend([
            Value::ExportRequests(lab.export_requests.get()),
            Value::SweepRequests(lab.sweep_requests.get()),
            Value::Import(lab.import.get().map(|m| m.to_json())),
            Value::Edits(lab.edits.get()),
            Value::Notice(lab.notice.get()),
        ]);
    }
    Some(v)
}

/// Every output of the trainer's lab, in a fixed order (the trainer sends those that changed).
/// The big ones (pictures, weights, diagnostics, points), which change only when the pictures
/// are redrawn ([`Lab::picture_updates`]), are read only when `big` (else `None`), and the
/// curves only when `curves`.
pub fn outputs(lab: &Lab, big: bool, curves: bool) -> Vec<Option<Value>> {
    let big_one = |f: &dyn Fn() -> Value| big.then(f);
    vec![
        Some(Value::Status(lab.status.get_untracked())),
        Some(Value::Device(lab.device.get_untracked())),
        curves.then(|| Value::History(lab.history.get_untracked())),
        Some(Value::Latest(lab.latest.get_untracked())),
        Some(Value::StepsPerSec(lab.steps_per_sec.get_untracked())),
        big_one(&|| Value::Pictures(lab.pictures.get_untracked())),
        big_one(&|| Value::Points(lab.points.get_untracked())),
        big_one(&|| Value::Diagnostics(lab.diagnostics.get_untracked())),
        big_one(&|| Value::Weights(lab.weights.get_untracked())),
        Some(Value::Sweep(lab.sweep.get_untracked())),
        Some(Value::PictureUpdates(lab.picture_updates.get_untracked())),
        Some(Value::Playing(lab.playing.get_untracked())),
        Some(Value::Import(lab.import.get_untracked().map(|m| m.to_json()))),
        Some(Value::Edits(lab.edits.get_untracked())),
        Some(Value::Notice(lab.notice.get_untracked())),
    ]
}

/// Writes a value the page sent into the trainer's lab.
pub fn apply_input(lab: &Lab, value: Value) {
    match value {
        Value::Spec(spec) => lab.spec.set(spec),
        Value::StepRequests(n) => lab.step_requests.set(n),
        Value::Resets(n) => lab.resets.set(n),
        Value::DevicePref(p) => lab.device_pref.set(p),
        Value::Speed(s) => lab.speed.set(s),
        Value::ExportRequests(n) => lab.export_requests.set(n),
        Value::SweepRequests(n) => lab.sweep_requests.set(n),
        Value::Playing(p) => lab.playing.set(p),
        Value::Import(m) => lab.import.set(m.and_then(|text| engine::export::ModelFile::parse(&text).ok())),
        Value::Edits(e) => lab.edits.set(e),
        Value::Notice(n) => lab.notice.set(n),
        _ => (),
    }
}

/// Writes a value trainer `role` sent into the page's lab. B's figures go to the `b_` signals;
/// of the rest, B only pauses both runs (when it diverges or fails) and adds its messages.
pub fn apply_output(lab: &Lab, role: Role, value: Value) {
    if role == Role::B {
        match value {
            Value::History(h) => lab.b_history.set(h),
            Value::Latest(m) => lab.b_latest.set(m),
            Value::StepsPerSec(r) => lab.b_steps_per_sec.set(r),
            Value::Pictures(p) => lab.b_output.set(p.output),
            Value::Playing(false) => lab.playing.set(false),
            Value::Notice(Some(n)) => lab.notice.set(Some(format!("Experiment B: {n}"))),
            _ => (),
        }
        return;
    }
    match value {
        Value::Status(s) => lab.status.set(s),
        Value::Device(d) => lab.device.set(d),
        Value::History(h) => lab.history.set(h),
        Value::Latest(m) => lab.latest.set(m),
        Value::StepsPerSec(r) => lab.steps_per_sec.set(r),
        Value::Pictures(p) => lab.pictures.set(p),
        Value::Points(p) => lab.points.set(p),
        Value::Diagnostics(d) => lab.diagnostics.set(d),
        Value::Weights(w) => lab.weights.set(w),
        Value::Sweep(s) => lab.sweep.set(s),
        Value::PictureUpdates(n) => lab.picture_updates.set(n),
        Value::Playing(p) => lab.playing.set(p),
        Value::Import(m) => lab.import.set(m.and_then(|text| engine::export::ModelFile::parse(&text).ok())),
        Value::Edits(e) => lab.edits.set(e),
        Value::Notice(n) => lab.notice.set(n),
        _ => (),
    }
}

/// Float arrays as one MessagePack byte string (little-endian f32s) rather than a number per
/// element: pictures are tens of thousands of floats, and this makes them a copy at each end.
/// For `#[serde(with = "crate::wire::f32s")]`.
pub mod f32s {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn to_bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    pub fn from_bytes<E: Error>(b: &[u8]) -> Result<Vec<f32>, E> {
        if b.len() % 4 != 0 {
            return Err(E::custom("a float array of a length that is not a multiple of 4"));
        }
        Ok(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    pub fn serialize<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&to_bytes(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        d.deserialize_bytes(Floats)
    }

    struct Floats;

    impl<'de> Visitor<'de> for Floats {
        type Value = Vec<f32>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("little-endian f32 bytes")
        }
        fn visit_bytes<E: Error>(self, b: &[u8]) -> Result<Vec<f32>, E> {
            from_bytes(b)
        }
        fn visit_byte_buf<E: Error>(self, b: Vec<u8>) -> Result<Vec<f32>, E> {
            from_bytes(&b)
        }
    }

    /// The same for a list of lists of float arrays (each neuron's picture, layer by layer).
    pub mod nested {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Deserialize)]
        struct Floats(#[serde(with = "super")] Vec<f32>);

        struct Borrowed<'a>(&'a [f32]);

        impl Serialize for Borrowed<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                super::serialize(self.0, s)
            }
        }

        pub fn serialize<S: Serializer>(v: &[Vec<Vec<f32>>], s: S) -> Result<S::Ok, S::Error> {
            let layers: Vec<Vec<Borrowed>> = v.iter().map(|l| l.iter().map(|u| Borrowed(u)).collect()).collect();
            layers.serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<Vec<f32>>>, D::Error> {
            let layers = Vec::<Vec<Floats>>::deserialize(d)?;
            Ok(layers.into_iter().map(|l| l.into_iter().map(|u| u.0).collect()).collect())
        }
    }
}
