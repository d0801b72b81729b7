//! Optimizers, following `torch.optim`, plus L1 regularisation.

use serde::{Deserialize, Serialize};

/// Which update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimKind {
    Sgd,
    Momentum,
    Adam,
}

/// Everything one optimizer step needs. `t` counts steps from 1 (Adam's bias correction).
/// The gradient used is `g + weight_decay·p + l1·sign(p)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimStep {
    pub kind: OptimKind,
    pub lr: f32,
    pub momentum: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    pub l1: f32,
    pub t: u32,
}
