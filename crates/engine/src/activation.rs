//! Activation functions: one table that the engine, the comparison table in the page and the URL
//! codec all read. Adding an activation is one variant here and one entry in the table.

use serde::{Deserialize, Serialize};

/// An activation and its settings. Conventions at the kinks follow `conformance/README.md`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activation {
    Linear,
    BinaryStep,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu { alpha: f32 },
    /// Leaky ReLU whose slope is learned, one per unit (the slopes are layer parameters).
    Prelu,
    Elu { alpha: f32 },
    Swish { beta: f32 },
    /// The maximum of `pieces` consecutive inputs per unit.
    Maxout { pieces: u32 },
    /// Over each row.
    Softmax,
}
