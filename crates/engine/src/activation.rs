//! Activation functions: one table that the engine, the comparison table in the page and the URL
//! codec all read. Adding an activation is one variant here and one entry in [`ACTIVATIONS`].
//!
//! The math ([`Activation::eval`], [`Activation::deriv`]) is written once, generic over
//! [`Real`], and is what the CPU backend runs (in `f32`), what the page plots and what the gradient
//! checks verify (in `f64`). Conventions at the kinks follow `conformance/README.md`: the gradient
//! of ReLU at 0 is 0, Leaky ReLU and PReLU use their slope at `x <= 0`, ELU uses `alpha` at 0.

use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};
use crate::real::Real;

/// An activation and its settings. Serialised as `{"kind": "<id>", ...settings}`, where `<id>` is
/// the stable id of [`ACTIVATIONS`] (the conformance `kind` names), so share links and files
/// survive renames in the page.
///
/// ```
/// use engine::activation::Activation;
/// let a: Activation = serde_json::from_str(r#"{"kind":"leaky_relu"}"#).unwrap();
/// assert_eq!(a, Activation::LeakyRelu { alpha: 0.01 });
/// assert_eq!(a.id(), "leaky_relu");
/// assert!((a.f(-2.0) + 0.02).abs() < 1e-9);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activation {
    Linear,
    BinaryStep,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu {
        #[serde(default = "default_leaky_alpha")]
        alpha: f32,
    },
    /// Leaky ReLU whose slope is learned, one per unit (the slopes are layer parameters).
    Prelu,
    Elu {
        #[serde(default = "default_one")]
        alpha: f32,
    },
    Swish {
        #[serde(default = "default_one")]
        beta: f32,
    },
    /// The maximum of `pieces` consecutive inputs per unit.
    Maxout {
        #[serde(default = "default_pieces")]
        pieces: u32,
    },
    /// Over each row.
    Softmax,
}

fn default_leaky_alpha() -> f32 {
    0.01
}
fn default_one() -> f32 {
    1.0
}
fn default_pieces() -> u32 {
    2
}

/// The slope every PReLU unit starts from (He et al. 2015, and `torch.nn.PReLU`'s default). The
/// scalar curve of PReLU ([`Activation::f`]) is drawn with it.
pub const PRELU_INIT: f32 = 0.25;

/// A piece of text in both languages of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub en: &'static str,
    pub ko: &'static str,
}

/// The one tunable setting an activation may have (Leaky ReLU's and ELU's `alpha`, Swish's
/// `beta`, Maxout's `pieces`), with the range the spec validator and the page's slider accept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamInfo {
    /// The serialised field name.
    pub name: &'static str,
    pub label: Text,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only (Maxout's pieces).
    pub integer: bool,
}

/// One row of the comparison table: everything the page shows about an activation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActivationInfo {
    /// The stable id (serialisation, share links, conformance `kind`).
    pub id: &'static str,
    pub name: Text,
    /// `f(x)` as plain text.
    pub formula: &'static str,
    /// `f′(x)` as plain text.
    pub derivative: &'static str,
    /// What it does, in one line.
    pub property: Text,
    pub strengths: Text,
    pub weaknesses: Text,
    /// Where to use it.
    pub use_where: Text,
    /// The setting it takes, if any.
    pub param: Option<ParamInfo>,
    /// The activation with its default setting.
    pub default: Activation,
}

/// Every activation the engine knows, in the order of the seed's comparison table.
pub static ACTIVATIONS: [ActivationInfo; 11] = [
    ActivationInfo {
        id: "linear",
        name: Text { en: "Linear", ko: "선형" },
        formula: "f(x) = x",
        derivative: "f′(x) = 1",
        property: Text {
            en: "Passes its input through unchanged.",
            ko: "입력을 바꾸지 않고 그대로 내보낸다.",
        },
        strengths: Text { en: "None as a hidden activation.", ko: "은닉층 활성화로서는 없음." },
        weaknesses: Text {
            en: "Stacked linear layers collapse into one linear map, so depth adds nothing; the constant slope gives backpropagation no signal about where to bend.",
            ko: "선형 층을 여러 개 쌓아도 하나의 선형 변환으로 합쳐져 깊이가 의미 없고, 기울기가 상수라서 역전파가 곡선을 만들 수 없다.",
        },
        use_where: Text {
            en: "Nowhere in hidden layers; only as the output of a regression.",
            ko: "은닉층에는 쓰지 않는다. 회귀 문제의 출력층에서만 쓴다.",
        },
        param: None,
        default: Activation::Linear,
    },
    ActivationInfo {
        id: "binary_step",
        name: Text { en: "Binary step", ko: "이진 계단" },
        formula: "f(x) = 1 if x > 0, else 0",
        derivative: "f′(x) = 0 (undefined at 0)",
        property: Text { en: "Outputs 1 for positive input and 0 otherwise.", ko: "양수 입력이면 1, 그 외에는 0을 낸다." },
        strengths: Text { en: "Easy to understand: a neuron fires or it does not.", ko: "뉴런이 켜지거나 꺼지는 모습이라 이해하기 쉽다." },
        weaknesses: Text {
            en: "Its gradient is zero everywhere, so backpropagation cannot train it; only two output values, so it cannot express several classes.",
            ko: "기울기가 모든 곳에서 0이라 역전파로 학습할 수 없고, 출력이 두 값뿐이라 여러 클래스를 표현할 수 없다.",
        },
        use_where: Text { en: "Nowhere in trained networks; a history lesson (the perceptron).", ko: "학습하는 신경망에는 쓰지 않는다. 퍼셉트론 시절의 역사적 예시." },
        param: None,
        default: Activation::BinaryStep,
    },
    ActivationInfo {
        id: "sigmoid",
        name: Text { en: "Sigmoid", ko: "시그모이드" },
        formula: "f(x) = 1 / (1 + e^(−x))",
        derivative: "f′(x) = f(x)·(1 − f(x))",
        property: Text { en: "Squashes any input smoothly into (0, 1).", ko: "모든 입력을 0과 1 사이로 부드럽게 눌러 담는다." },
        strengths: Text { en: "Smooth and differentiable everywhere; reads as a probability.", ko: "모든 곳에서 매끄럽고 미분 가능하며, 출력을 확률처럼 읽을 수 있다." },
        weaknesses: Text {
            en: "Saturates for large |x|, so gradients vanish in deep stacks; outputs are not centred on zero; exp is costly.",
            ko: "|x|가 크면 포화되어 깊은 망에서 기울기가 사라지고, 출력이 0을 중심으로 하지 않으며, 지수 계산이 비싸다.",
        },
        use_where: Text {
            en: "Mostly historical in hidden layers; the output of a yes/no classifier (as a logit with BCE).",
            ko: "은닉층에서는 주로 과거에 쓰였다. 예/아니오 분류기의 출력(BCE와 함께 로짓으로)에 쓴다.",
        },
        param: None,
        default: Activation::Sigmoid,
    },
    ActivationInfo {
        id: "tanh",
        name: Text { en: "Tanh", ko: "하이퍼볼릭 탄젠트" },
        formula: "f(x) = (e^x − e^(−x)) / (e^x + e^(−x))",
        derivative: "f′(x) = 1 − f(x)²",
        property: Text { en: "Squashes any input smoothly into (−1, 1), centred on zero.", ko: "모든 입력을 −1과 1 사이로 부드럽게 바꾸며, 0을 중심으로 한다." },
        strengths: Text { en: "Zero-centred outputs make learning faster than with sigmoid.", ko: "출력이 0을 중심으로 분포해 시그모이드보다 학습이 빠르다." },
        weaknesses: Text { en: "Still saturates, so gradients vanish for large |x|; exp is costly.", ko: "여전히 포화되어 |x|가 크면 기울기가 사라지고, 지수 계산이 비싸다." },
        use_where: Text { en: "Recurrent networks (RNN, LSTM, GRU) and small networks.", ko: "순환 신경망(RNN, LSTM, GRU)과 작은 신경망." },
        param: None,
        default: Activation::Tanh,
    },
    ActivationInfo {
        id: "relu",
        name: Text { en: "ReLU", ko: "ReLU (정류 선형 유닛)" },
        formula: "f(x) = max(0, x)",
        derivative: "f′(x) = 1 if x > 0, else 0",
        property: Text { en: "Zero for negative input, the input itself otherwise.", ko: "음수 입력은 0으로, 양수 입력은 그대로 통과시킨다." },
        strengths: Text { en: "Very cheap, and does not saturate for positive input.", ko: "계산이 매우 싸고, 양수 쪽에서 포화되지 않는다." },
        weaknesses: Text {
            en: "Dying ReLU: a unit whose input stays negative gets zero gradient and stops learning for good.",
            ko: "죽은 ReLU: 입력이 계속 음수인 뉴런은 기울기가 0이 되어 다시는 학습하지 않는다.",
        },
        use_where: Text { en: "The default for hidden layers of most deep networks: start here.", ko: "대부분의 딥러닝 모델 은닉층의 기본값. 여기서 시작한다." },
        param: None,
        default: Activation::Relu,
    },
    ActivationInfo {
        id: "leaky_relu",
        name: Text { en: "Leaky ReLU", ko: "리키 ReLU" },
        formula: "f(x) = x if x > 0, else α·x",
        derivative: "f′(x) = 1 if x > 0, else α",
        property: Text { en: "Like ReLU, with a small slope α for negative input.", ko: "ReLU와 같지만 음수 입력에도 작은 기울기 α를 준다." },
        strengths: Text { en: "Negative inputs still pass a gradient, so units do not die.", ko: "음수 입력에도 기울기가 흘러 뉴런이 죽지 않는다." },
        weaknesses: Text { en: "One more setting (α) to choose; slightly more work than ReLU.", ko: "정해야 할 값(α)이 하나 늘고, ReLU보다 계산이 조금 많다." },
        use_where: Text { en: "The first thing to try when ReLU units die.", ko: "ReLU 뉴런이 죽을 때 가장 먼저 바꿔 볼 대안." },
        param: Some(ParamInfo {
            name: "alpha",
            label: Text { en: "negative slope α", ko: "음수 기울기 α" },
            default: 0.01,
            min: 0.0,
            max: 1.0,
            integer: false,
        }),
        default: Activation::LeakyRelu { alpha: 0.01 },
    },
    ActivationInfo {
        id: "prelu",
        name: Text { en: "PReLU", ko: "PReLU (파라메트릭 ReLU)" },
        formula: "f(x) = x if x > 0, else a·x  (a learned per unit, starts at 0.25)",
        derivative: "f′(x) = 1 if x > 0, else a;  ∂f/∂a = x if x ≤ 0, else 0",
        property: Text { en: "Leaky ReLU whose negative slope is learned by backpropagation.", ko: "음수 쪽 기울기를 역전파로 학습하는 리키 ReLU." },
        strengths: Text { en: "More flexible than Leaky ReLU: each unit finds its own slope.", ko: "뉴런마다 기울기를 스스로 찾으므로 리키 ReLU보다 유연하다." },
        weaknesses: Text { en: "More parameters and more ways to overfit; the gain is not guaranteed.", ko: "매개변수가 늘어 과적합 위험이 있고, 성능 향상이 보장되지 않는다." },
        use_where: Text { en: "Experiments, once ReLU and Leaky ReLU have been tried.", ko: "ReLU와 리키 ReLU를 시도한 뒤의 실험적 선택." },
        param: None,
        default: Activation::Prelu,
    },
    ActivationInfo {
        id: "elu",
        name: Text { en: "ELU", ko: "ELU (지수 선형 유닛)" },
        formula: "f(x) = x if x > 0, else α·(e^x − 1)",
        derivative: "f′(x) = 1 if x > 0, else α·e^x",
        property: Text { en: "Like ReLU for positive input; bends smoothly towards −α for negative input.", ko: "양수에서는 ReLU와 같고, 음수에서는 −α를 향해 부드럽게 휜다." },
        strengths: Text { en: "Negative outputs pull mean activations towards zero; the gradient does not drop to zero at once.", ko: "음수 출력이 평균 활성값을 0 쪽으로 당기고, 음수 쪽 기울기가 갑자기 0이 되지 않는다." },
        weaknesses: Text { en: "exp makes it slower than ReLU; saturates for very negative input.", ko: "지수 계산 때문에 ReLU보다 느리고, 아주 큰 음수에서는 포화된다." },
        use_where: Text { en: "An alternative to ReLU when faster convergence matters.", ko: "더 빠른 수렴이 필요할 때 ReLU 대신." },
        param: Some(ParamInfo {
            name: "alpha",
            label: Text { en: "saturation α", ko: "포화값 α" },
            default: 1.0,
            min: 0.0,
            max: 10.0,
            integer: false,
        }),
        default: Activation::Elu { alpha: 1.0 },
    },
    ActivationInfo {
        id: "swish",
        name: Text { en: "Swish", ko: "스위시" },
        formula: "f(x) = x·sigmoid(β·x)",
        derivative: "f′(x) = s + β·x·s·(1 − s),  s = sigmoid(β·x)",
        property: Text { en: "A smooth, slightly non-monotonic ReLU found by Google's search (β = 1 is SiLU).", ko: "구글이 탐색으로 찾은, 매끄럽고 약간 비단조적인 ReLU (β = 1이면 SiLU)." },
        strengths: Text { en: "Smooth everywhere; often beats ReLU in very deep networks (40+ layers).", ko: "모든 곳에서 매끄럽고, 40층 이상의 매우 깊은 망에서 ReLU보다 나은 경우가 많다." },
        weaknesses: Text { en: "Costlier than ReLU (a sigmoid per unit); the gain is small in shallow networks.", ko: "뉴런마다 시그모이드를 계산해 ReLU보다 비싸고, 얕은 망에서는 이득이 작다." },
        use_where: Text { en: "Very deep networks.", ko: "매우 깊은 신경망." },
        param: Some(ParamInfo {
            name: "beta",
            label: Text { en: "sharpness β", ko: "기울기 β" },
            default: 1.0,
            min: 0.0,
            max: 10.0,
            integer: false,
        }),
        default: Activation::Swish { beta: 1.0 },
    },
    ActivationInfo {
        id: "maxout",
        name: Text { en: "Maxout", ko: "맥스아웃" },
        formula: "f(z₁ … z_k) = max_i z_i  (k linear pieces per unit)",
        derivative: "∂f/∂z_i = 1 for the largest piece, 0 for the others",
        property: Text { en: "Each unit outputs the largest of k linear functions of its input; ReLU is the case max(x, 0).", ko: "뉴런마다 k개의 선형 함수 중 가장 큰 값을 낸다. ReLU는 max(x, 0)인 특수한 경우." },
        strengths: Text { en: "Learns its own piecewise-linear shape; does not saturate or die.", ko: "구간별 선형 모양을 스스로 학습하며, 포화되거나 죽지 않는다." },
        weaknesses: Text { en: "k times the weights of a plain layer, so it is costly and rarely worth it.", ko: "일반 층보다 가중치가 k배라 비싸고, 그만한 값어치가 드물다." },
        use_where: Text { en: "A last resort, after ReLU and its variants.", ko: "ReLU와 그 변형을 모두 시도한 뒤의 최후의 수단." },
        param: Some(ParamInfo {
            name: "pieces",
            label: Text { en: "pieces k", ko: "조각 수 k" },
            default: 2.0,
            min: 2.0,
            max: 8.0,
            integer: true,
        }),
        default: Activation::Maxout { pieces: 2 },
    },
    ActivationInfo {
        id: "softmax",
        name: Text { en: "Softmax", ko: "소프트맥스" },
        formula: "f(x)_i = e^(x_i) / Σ_j e^(x_j)",
        derivative: "∂f_i/∂x_j = f_i·(δ_ij − f_j)",
        property: Text { en: "Turns a row of scores into probabilities that sum to 1.", ko: "점수 벡터를 합이 1인 확률 분포로 바꾼다." },
        strengths: Text { en: "The natural output of a multi-class classifier: pick the most probable class.", ko: "다중 분류의 자연스러운 출력: 확률이 가장 큰 클래스를 고르면 된다." },
        weaknesses: Text { en: "Assumes exactly one label per example; not for hidden layers.", ko: "예제마다 레이블이 하나뿐이라고 가정하며, 은닉층에는 맞지 않는다." },
        use_where: Text { en: "The output layer of multi-class classification.", ko: "다중 클래스 분류의 출력층." },
        param: None,
        default: Activation::Softmax,
    },
];

/// An optional activation as its JSON text, for binary formats that cannot read the internally
/// tagged form (`#[serde(with = "crate::activation::as_json")]`).
pub mod as_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Activation;

    pub fn serialize<S: Serializer>(a: &Option<Activation>, s: S) -> std::result::Result<S::Ok, S::Error> {
        a.map(|a| serde_json::to_value(a).map(|v| v.to_string()).unwrap_or_default()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Activation>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(serde::de::Error::custom)?;
        serde_json::from_value(value).map(Some).map_err(serde::de::Error::custom)
    }
}

impl Activation {
    /// The stable id: the serialised `kind` and the conformance name.
    pub fn id(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::BinaryStep => "binary_step",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::Prelu => "prelu",
            Activation::Elu { .. } => "elu",
            Activation::Swish { .. } => "swish",
            Activation::Maxout { .. } => "maxout",
            Activation::Softmax => "softmax",
        }
    }

    /// This activation's row of the comparison table.
    pub fn info(&self) -> &'static ActivationInfo {
        let id = self.id();
        // Every variant has an entry (the table test checks it), so the fallback is unreachable.
        ACTIVATIONS.iter().find(|i| i.id == id).unwrap_or(&ACTIVATIONS[0])
    }

    /// The activation with id `id` and its default setting.
    pub fn from_id(id: &str) -> Result<Activation> {
        ACTIVATIONS
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.default)
            .ok_or_else(|| EngineError::InvalidSpec(format!("unknown activation `{id}`")))
    }

    /// The value of its one setting, if it has one.
    pub fn param(&self) -> Option<f64> {
        match *self {
            Activation::LeakyRelu { alpha } | Activation::Elu { alpha } => Some(alpha as f64),
            Activation::Swish { beta } => Some(beta as f64),
            Activation::Maxout { pieces } => Some(pieces as f64),
            _ => None,
        }
    }

    /// The same activation with its setting changed (ignored by activations without one). Call
    /// [`Activation::validate`] afterwards: this does not clamp.
    pub fn with_param(self, value: f64) -> Activation {
        match self {
            Activation::LeakyRelu { .. } => Activation::LeakyRelu { alpha: value as f32 },
            Activation::Elu { .. } => Activation::Elu { alpha: value as f32 },
            Activation::Swish { .. } => Activation::Swish { beta: value as f32 },
            Activation::Maxout { .. } => {
                let v = if value.is_finite() && value >= 0.0 { value.round().min(u32::MAX as f64) } else { 0.0 };
                Activation::Maxout { pieces: v as u32 }
            }
            other => other,
        }
    }

    /// Checks the setting against the table's range.
    pub fn validate(&self) -> Result<()> {
        if let (Some(v), Some(p)) = (self.param(), self.info().param)
            && !(v.is_finite() && v >= p.min && v <= p.max)
        {
            return Err(EngineError::InvalidSpec(format!(
                "activation {}: {} must be in [{}, {}], got {v}",
                self.id(),
                p.name,
                p.min,
                p.max
            )));
        }
        Ok(())
    }

    /// Inputs per output column: Maxout's pieces, 1 for every other activation.
    pub fn fan(&self) -> usize {
        match *self {
            Activation::Maxout { pieces } => pieces.max(1) as usize,
            _ => 1,
        }
    }

    /// Whether it acts on each element alone (everything except Maxout and Softmax, which act on
    /// groups, and PReLU, whose slope depends on the column).
    pub fn is_elementwise(&self) -> bool {
        !matches!(self, Activation::Maxout { .. } | Activation::Softmax | Activation::Prelu)
    }

    /// `f(x)` of an elementwise activation. PReLU uses its starting slope [`PRELU_INIT`]. For the
    /// group activations this is the scalar curve the page plots: Maxout of the pieces `(x, 0)`
    /// (which is ReLU), and Softmax of the row `(x, 0)` (which is the sigmoid).
    #[inline]
    pub fn eval<T: Real>(&self, x: T) -> T {
        match *self {
            Activation::Linear => x,
            Activation::BinaryStep => {
                if x > T::ZERO {
                    T::ONE
                } else {
                    T::ZERO
                }
            }
            Activation::Sigmoid | Activation::Softmax => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Relu | Activation::Maxout { .. } => x.max(T::ZERO),
            Activation::LeakyRelu { alpha } => leaky(x, T::from_f64(alpha as f64)),
            Activation::Prelu => leaky(x, T::from_f64(PRELU_INIT as f64)),
            Activation::Elu { alpha } => {
                if x > T::ZERO {
                    x
                } else {
                    T::from_f64(alpha as f64) * (x.exp() - T::ONE)
                }
            }
            Activation::Swish { beta } => x * (T::from_f64(beta as f64) * x).sigmoid(),
        }
    }

    /// `f′(x)`, given `x` and `y = f(x)` (several derivatives are cheapest in terms of `y`).
    /// Same scalar curves as [`Activation::eval`].
    #[inline]
    pub fn deriv<T: Real>(&self, x: T, y: T) -> T {
        match *self {
            Activation::Linear => T::ONE,
            Activation::BinaryStep => T::ZERO,
            Activation::Sigmoid | Activation::Softmax => y * (T::ONE - y),
            Activation::Tanh => T::ONE - y * y,
            Activation::Relu | Activation::Maxout { .. } => {
                if x > T::ZERO {
                    T::ONE
                } else {
                    T::ZERO
                }
            }
            Activation::LeakyRelu { alpha } => leaky_slope(x, T::from_f64(alpha as f64)),
            Activation::Prelu => leaky_slope(x, T::from_f64(PRELU_INIT as f64)),
            Activation::Elu { alpha } => {
                if x > T::ZERO {
                    T::ONE
                } else {
                    // α·e^x = y + α, with no second exp.
                    y + T::from_f64(alpha as f64)
                }
            }
            Activation::Swish { beta } => {
                let b = T::from_f64(beta as f64);
                let s = (b * x).sigmoid();
                s + b * x * s * (T::ONE - s)
            }
        }
    }

    /// `f(x)` in `f64`, for plots.
    pub fn f(&self, x: f64) -> f64 {
        self.eval(x)
    }

    /// `f′(x)` in `f64`, for plots and gradient checks.
    pub fn df(&self, x: f64) -> f64 {
        self.deriv(x, self.eval(x))
    }
}

#[inline]
fn leaky<T: Real>(x: T, alpha: T) -> T {
    if x > T::ZERO { x } else { alpha * x }
}

#[inline]
fn leaky_slope<T: Real>(x: T, alpha: T) -> T {
    if x > T::ZERO { T::ONE } else { alpha }
}
