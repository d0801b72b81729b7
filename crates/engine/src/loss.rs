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

impl LossKind {
    /// Every loss, in the order the page lists them.
    pub const ALL: [LossKind; 3] = [LossKind::Mse, LossKind::SoftmaxCrossEntropy, LossKind::SigmoidBce];

    /// The stable id (serialisation and conformance `kind`).
    pub fn id(&self) -> &'static str {
        match self {
            LossKind::Mse => "mse",
            LossKind::SoftmaxCrossEntropy => "softmax_cross_entropy",
            LossKind::SigmoidBce => "sigmoid_bce",
        }
    }

    /// The loss with id `id`.
    pub fn from_id(id: &str) -> Option<LossKind> {
        LossKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// English and Korean display names.
    pub fn name(&self) -> (&'static str, &'static str) {
        match self {
            LossKind::Mse => ("Mean squared error", "평균 제곱 오차"),
            LossKind::SoftmaxCrossEntropy => ("Softmax cross-entropy", "소프트맥스 교차 엔트로피"),
            LossKind::SigmoidBce => ("Sigmoid binary cross-entropy", "시그모이드 이진 교차 엔트로피"),
        }
    }

    /// How classification labels are encoded for this loss: TensorFlow Playground's ±1 for MSE
    /// (with a tanh output), {0, 1} for binary cross-entropy, a class index for softmax.
    pub fn label_encoding(&self) -> LabelEncoding {
        match self {
            LossKind::Mse => LabelEncoding::PlusMinusOne,
            LossKind::SigmoidBce => LabelEncoding::ZeroOne,
            LossKind::SoftmaxCrossEntropy => LabelEncoding::ClassIndex,
        }
    }

    /// Floats of target per example for an output `width` wide.
    pub fn target_width(&self, width: usize) -> usize {
        match self {
            LossKind::SoftmaxCrossEntropy => 1,
            _ => width,
        }
    }
}

/// How a two-class label is stored as a training target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelEncoding {
    /// −1 or +1.
    PlusMinusOne,
    /// 0 or 1.
    ZeroOne,
    /// 0, 1, …, K − 1.
    ClassIndex,
}
