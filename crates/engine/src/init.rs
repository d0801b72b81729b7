//! Weight initialisation. Both schemes scale the random weights by the layer's fan so that the
//! signal neither dies out nor blows up as it passes through many layers: Glorot (Xavier) for
//! symmetric squashing activations such as tanh, He for the ReLU family.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// How a layer's weights start. Biases start at 0 and PReLU slopes at 0.25 in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    /// Uniform in ±√(6 / (fan_in + fan_out)) (`torch.nn.init.xavier_uniform_`).
    #[default]
    GlorotUniform,
    /// Normal with standard deviation √(2 / fan_in) (`torch.nn.init.kaiming_normal_`).
    HeNormal,
    /// Every weight 0 (`torch.nn.init.zeros_`), TensorFlow Playground's `initZero`: the units
    /// of a layer then stay identical (each gets the same gradient), the lesson that option
    /// teaches; only the output layer's bias and weights can move the first step.
    Zeros,
}

impl InitKind {
    /// The stable id.
    pub fn id(&self) -> &'static str {
        match self {
            InitKind::GlorotUniform => "glorot_uniform",
            InitKind::HeNormal => "he_normal",
            InitKind::Zeros => "zeros",
        }
    }

    /// Fills `w` (a `fan_out × fan_in` weight matrix) from `rng`.
    pub fn fill(&self, w: &mut [f32], fan_in: usize, fan_out: usize, rng: &mut Rng) {
        match self {
            InitKind::GlorotUniform => {
                let limit = (6.0 / (fan_in + fan_out).max(1) as f64).sqrt();
                for x in w {
                    *x = rng.uniform(-limit, limit) as f32;
                }
            }
            InitKind::HeNormal => {
                let std = (2.0 / fan_in.max(1) as f64).sqrt();
                for x in w {
                    *x = rng.normal(0.0, std) as f32;
                }
            }
            InitKind::Zeros => w.fill(0.0),
        }
    }
}
