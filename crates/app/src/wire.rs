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
    Spec(ModelSpec),
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

pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // Named fields: the spec's tagged enums need a self-describing form.
    rmp_serde::to_vec_named(msg).unwrap_or_default()
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Option<T> {
    rmp_serde::from_slice(bytes).ok()
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
pub fn outputs(lab: &Lab) -> Vec<Value> {
    vec![
        Value::Status(lab.status.get_untracked()),
        Value::Device(lab.device.get_untracked()),
        Value::History(lab.history.get_untracked()),
        Value::Latest(lab.latest.get_untracked()),
        Value::StepsPerSec(lab.steps_per_sec.get_untracked()),
        Value::Pictures(lab.pictures.get_untracked()),
        Value::Points(lab.points.get_untracked()),
        Value::Diagnostics(lab.diagnostics.get_untracked()),
        Value::Weights(lab.weights.get_untracked()),
        Value::Sweep(lab.sweep.get_untracked()),
        Value::PictureUpdates(lab.picture_updates.get_untracked()),
        Value::Playing(lab.playing.get_untracked()),
        Value::Import(lab.import.get_untracked().map(|m| m.to_json())),
        Value::Edits(lab.edits.get_untracked()),
        Value::Notice(lab.notice.get_untracked()),
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
