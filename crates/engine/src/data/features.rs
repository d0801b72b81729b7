//! The input features TensorFlow Playground offers on its 2-D points. Choosing the
//! features is half of what that playground teaches: with x₁² and x₂² a circle becomes linearly
//! separable, with x₁·x₂ so does xor.

use serde::{Deserialize, Serialize};

/// An input feature computed from a point `(x₁, x₂)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Sq,
    X2Sq,
    #[serde(rename = "x1x2")]
    X1X2,
    SinX1,
    SinX2,
    CosX1,
    CosX2,
}

impl Feature {
    /// Every feature, in TensorFlow Playground's order (the cosines last: that page's older
    /// links have them, and it no longer draws them).
    pub const ALL: [Feature; 9] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Sq,
        Feature::X2Sq,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
        Feature::CosX1,
        Feature::CosX2,
    ];

    /// The stable id (serialisation, share links).
    pub fn id(&self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Sq => "x1_sq",
            Feature::X2Sq => "x2_sq",
            Feature::X1X2 => "x1x2",
            Feature::SinX1 => "sin_x1",
            Feature::SinX2 => "sin_x2",
            Feature::CosX1 => "cos_x1",
            Feature::CosX2 => "cos_x2",
        }
    }

    /// How the page labels it.
    pub fn label(&self) -> &'static str {
        match self {
            Feature::X1 => "X₁",
            Feature::X2 => "X₂",
            Feature::X1Sq => "X₁²",
            Feature::X2Sq => "X₂²",
            Feature::X1X2 => "X₁X₂",
            Feature::SinX1 => "sin(X₁)",
            Feature::SinX2 => "sin(X₂)",
            Feature::CosX1 => "cos(X₁)",
            Feature::CosX2 => "cos(X₂)",
        }
    }

    /// The feature's value at `(x1, x2)`.
    pub fn eval(&self, x1: f64, x2: f64) -> f64 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Sq => x1 * x1,
            Feature::X2Sq => x2 * x2,
            Feature::X1X2 => x1 * x2,
            Feature::SinX1 => x1.sin(),
            Feature::SinX2 => x2.sin(),
            Feature::CosX1 => x1.cos(),
            Feature::CosX2 => x2.cos(),
        }
    }

    /// Appends the row of `features` at `(x1, x2)` to `out`, as the network's input.
    pub fn row(features: &[Feature], x1: f64, x2: f64, out: &mut Vec<f32>) {
        out.extend(features.iter().map(|f| f.eval(x1, x2) as f32));
    }
}
