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

impl OptimKind {
    /// Every optimizer, in the order the page lists them.
    pub const ALL: [OptimKind; 3] = [OptimKind::Sgd, OptimKind::Momentum, OptimKind::Adam];

    /// The stable id (serialisation and conformance `kind`).
    pub fn id(&self) -> &'static str {
        match self {
            OptimKind::Sgd => "sgd",
            OptimKind::Momentum => "momentum",
            OptimKind::Adam => "adam",
        }
    }

    /// The optimizer with id `id`.
    pub fn from_id(id: &str) -> Option<OptimKind> {
        OptimKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Whether it keeps the first state buffer (`m`: velocity or first moment).
    pub fn uses_m(&self) -> bool {
        !matches!(self, OptimKind::Sgd)
    }

    /// Whether it keeps the second state buffer (`v`: Adam's second moment).
    pub fn uses_v(&self) -> bool {
        matches!(self, OptimKind::Adam)
    }
}

impl OptimStep {
    /// A step of `kind` at learning rate `lr` with `torch.optim`'s defaults for the rest
    /// (momentum 0.9, betas 0.9 and 0.999, eps 1e-8, no regularisation), at step `t = 1`.
    pub fn new(kind: OptimKind, lr: f32) -> Self {
        OptimStep { kind, lr, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, l1: 0.0, t: 1 }
    }
}
