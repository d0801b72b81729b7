//! Losses. Each averages over the batch, as `conformance/README.md` states.

use serde::{Deserialize, Serialize};

/// Which loss a network is trained with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Mean over all elements of (pred − target)².
    Mse,
    /// Softmax over logits and negative log-likelihood of the class index, fused and stable.
    SoftmaxCrossEntropy,
    /// Sigmoid of logits and binary cross-entropy against {0, 1}, fused and stable.
    SigmoidBce,
}
