//! Saving a run and resuming it: a [`Snapshot`] holds everything that moves while a model trains
//! (weights, the optimizer's state, the position in the epoch and the shuffling generator), so a
//! trainer rebuilt from the same spec and restored from it continues exactly as the original
//! would have, on any backend. The page keeps one to survive a reload and a lost GPU device.

use serde::{Deserialize, Serialize};

use super::Trainer;
use crate::b64;
use crate::backend::{Backend, View};
use crate::error::{EngineError, Result};
use crate::rng::Rng;

/// A trainer's moving state. Its spec is not part of it: restore it into a trainer built from the
/// same spec (a snapshot of another network is refused).
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub epoch: u32,
    pub step: u64,
    /// Rows of the current epoch already visited.
    pub cursor: usize,
    /// The shuffling generator's state.
    pub shuffle: u64,
    /// This epoch's order of the training rows.
    pub order: Vec<u32>,
    pub params: Vec<f32>,
    /// The optimizer's state (momentum's velocity or Adam's moments).
    pub m: Vec<f32>,
    pub v: Vec<f32>,
}

/// The JSON form: numbers as text where JavaScript would round them, floats as base64.
#[derive(Serialize, Deserialize)]
struct SnapshotJson {
    epoch: u32,
    step: u64,
    cursor: usize,
    shuffle: String,
    order: String,
    params: String,
    m: String,
    v: String,
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        let j = SnapshotJson {
            epoch: self.epoch,
            step: self.step,
            cursor: self.cursor,
            shuffle: self.shuffle.to_string(),
            order: b64::encode_u32(&self.order),
            params: b64::encode_f32(&self.params),
            m: b64::encode_f32(&self.m),
            v: b64::encode_f32(&self.v),
        };
        serde_json::to_string(&j).unwrap_or_default()
    }

    /// Reads [`Snapshot::to_json`]'s output; anything else is an error, never a panic.
    pub fn from_json(text: &str) -> Result<Snapshot> {
        let bad = |what: &str, e: String| EngineError::Io(format!("saved training state: {what}: {e}"));
        let j: SnapshotJson = serde_json::from_str(text).map_err(|e| bad("not readable", e.to_string()))?;
        Ok(Snapshot {
            epoch: j.epoch,
            step: j.step,
            cursor: j.cursor,
            shuffle: j.shuffle.parse().map_err(|_| bad("shuffle", format!("{:?} is not a number", j.shuffle)))?,
            order: b64::decode_u32(&j.order).map_err(|e| bad("order", e))?,
            params: b64::decode_f32(&j.params).map_err(|e| bad("params", e))?,
            m: b64::decode_f32(&j.m).map_err(|e| bad("m", e))?,
            v: b64::decode_f32(&j.v).map_err(|e| bad("v", e))?,
        })
    }
}

impl<B: Backend> Trainer<B> {
    /// Reads the moving state back from the device.
    pub async fn snapshot(&mut self) -> Result<Snapshot> {
        let params = self.backend.read(&self.model.params).await?;
        let m = self.backend.read(&self.model.m).await?;
        let v = self.backend.read(&self.model.v).await?;
        Ok(Snapshot {
            epoch: self.epoch,
            step: self.step,
            cursor: self.cursor,
            shuffle: self.shuffle.state(),
            order: self.order.iter().map(|&i| i as u32).collect(),
            params,
            m,
            v,
        })
    }

    /// Continues from `s`, which must come from a trainer of the same spec. Checked before
    /// anything changes: on an error the trainer is as it was.
    pub fn restore(&mut self, s: &Snapshot) -> Result<()> {
        let bad = |msg: String| EngineError::InvalidSpec(format!("saved training state does not fit this model: {msg}"));
        let total = self.model.params.len;
        for (name, v) in [("weights", &s.params), ("optimizer state m", &s.m), ("optimizer state v", &s.v)] {
            if v.len() != total {
                return Err(bad(format!("{} {name}, the model has {total}", v.len())));
            }
            if v.iter().any(|x| !x.is_finite()) {
                return Err(bad(format!("its {name} are not all finite numbers")));
            }
        }
        let n = self.train.n;
        if s.order.len() != n || s.cursor >= n.max(1) {
            return Err(bad(format!("an order of {} rows at row {}, the training set has {n}", s.order.len(), s.cursor)));
        }
        let mut seen = vec![false; n];
        for &i in &s.order {
            match seen.get_mut(i as usize) {
                Some(slot) if !*slot => *slot = true,
                _ => return Err(bad("the row order is not a permutation".into())),
            }
        }
        let b = &mut self.backend;
        b.write(&self.model.params, &s.params)?;
        b.write(&self.model.m, &s.m)?;
        b.write(&self.model.v, &s.v)?;
        self.order = s.order.iter().map(|&i| i as f32).collect();
        b.write(&View::whole(self.index.clone(), n), &self.order)?;
        self.shuffle = Rng::from_state(s.shuffle);
        self.cursor = s.cursor;
        self.epoch = s.epoch;
        self.step = s.step;
        b.submit()
    }
}
