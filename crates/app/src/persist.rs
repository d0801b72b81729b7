//! Nothing lost on reload: the experiment (its spec, the trained weights with the optimizer's
//! state, and the curves) is kept in the browser's `localStorage`. The training loop saves it
//! every few seconds while something changes and as the page is hidden; opening the page again
//! restores it; "New experiment" forgets it. A store that is full or switched off (private
//! windows may refuse it) costs the learner nothing but this convenience, and the page says so.

use engine::spec::ModelSpec;
use engine::train::{Metrics, Snapshot};
use serde_json::{Value, json};

const KEY: &str = "dl101.experiment.v1";

/// What is saved: the spec, the training state (when it fits) and the curves.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub spec: ModelSpec,
    pub snapshot: Option<Snapshot>,
    pub history: Vec<(f64, Metrics)>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved experiment, if there is a readable one. A damaged entry is dropped (and removed),
/// never trusted: the spec is validated and the snapshot is only used if it fits the spec.
pub fn load() -> Option<Saved> {
    let text = storage()?.get_item(KEY).ok().flatten()?;
    let saved = parse(&text);
    if saved.is_none() {
        clear();
    }
    saved
}

/// Reads a saved entry; `None` when anything about it is wrong.
pub fn parse(text: &str) -> Option<Saved> {
    let v: Value = serde_json::from_str(text).ok()?;
    let spec = ModelSpec::from_json(&v.get("spec")?.to_string()).ok()?;
    let snapshot = v.get("snapshot").and_then(Value::as_str).and_then(|s| Snapshot::from_json(s).ok());
    let history = v.get("history")?.as_array()?.iter().filter_map(point_from).collect();
    Some(Saved { spec, snapshot, history })
}

/// The entry to store: in full, and without the weights (for a browser that refuses the full one,
/// most likely over its quota with a big network's weights).
pub fn texts(saved: &Saved) -> (String, String) {
    let history: Vec<Value> = saved.history.iter().map(point_to).collect();
    let spec: Value = serde_json::from_str(&saved.spec.to_json()).unwrap_or(Value::Null);
    let full = json!({
        "spec": spec,
        "snapshot": saved.snapshot.as_ref().map(Snapshot::to_json),
        "history": history,
    });
    let lean = json!({ "spec": spec, "snapshot": Value::Null, "history": history });
    (full.to_string(), lean.to_string())
}

/// Writes the entry, or the lean one if the full one is refused. Returns false when the browser
/// refused both.
pub fn store(full: &str, lean: &str) -> bool {
    let Some(store) = storage() else { return false };
    store.set_item(KEY, full).is_ok() || store.set_item(KEY, lean).is_ok()
}

/// Writes the experiment (see [`store`]).
pub fn save(saved: &Saved) -> bool {
    let (full, lean) = texts(saved);
    store(&full, &lean)
}

/// Forgets the saved experiment.
pub fn clear() {
    if let Some(store) = storage() {
        let _ = store.remove_item(KEY);
    }
}

/// One curve point as a compact array; non-finite losses (a diverged run) become `null`.
fn point_to((x, m): &(f64, Metrics)) -> Value {
    let f = |v: f32| if v.is_finite() { json!(v) } else { Value::Null };
    json!([x, m.epoch, m.step, f(m.train_loss), f(m.test_loss), m.train_accuracy.map(f), m.test_accuracy.map(f)])
}

fn point_from(v: &Value) -> Option<(f64, Metrics)> {
    let a = v.as_array()?;
    let num = |i: usize| a.get(i).and_then(Value::as_f64);
    let loss = |i: usize| num(i).map_or(f32::NAN, |v| v as f32);
    let m = Metrics {
        epoch: u32::try_from(a.get(1)?.as_u64()?).ok()?,
        step: a.get(2)?.as_u64()?,
        train_loss: loss(3),
        test_loss: loss(4),
        train_accuracy: num(5).map(|v| v as f32),
        test_accuracy: num(6).map(|v| v as f32),
    };
    Some((num(0)?, m))
}
