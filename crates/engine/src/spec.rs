//! [`ModelSpec`]: the one description of a run. The page edits it, the share link and model files
//! serialise it (serde, versioned), and [`crate::train::Trainer::new`] builds from it. Anything a
//! URL or a file can put in it is checked by [`ModelSpec::validate`], which names the offending
//! field, so a bad link shows a message instead of crashing the page.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::data::{CustomPoint, DatasetKind, Feature};
use crate::error::{EngineError, Result};
use crate::init::InitKind;
use crate::loss::LossKind;
use crate::optim::{OptimKind, OptimStep};

/// The spec format this engine reads and writes. Bump it when a change would make an old link
/// replay differently, and teach [`ModelSpec::from_json`] to upgrade the old form.
pub const SPEC_VERSION: u32 = 1;

/// Limits [`ModelSpec::validate`] enforces: generous for teaching, small enough that a link
/// cannot make the page allocate gigabytes.
pub mod limits {
    pub const MAX_LAYERS: usize = 16;
    pub const MAX_UNITS: u32 = 1024;
    pub const MIN_POINTS: u32 = 10;
    pub const MAX_POINTS: u32 = 5000;
    pub const MAX_NOISE: u32 = 50;
    pub const TRAIN_PERCENT: std::ops::RangeInclusive<u32> = 10..=90;
    pub const MAX_LR: f32 = 10.0;
    pub const MAX_BATCH: u32 = 1024;
    pub const MAX_REG_RATE: f32 = 10.0;
    /// Convolution filters per layer.
    pub const MAX_FILTERS: u32 = 64;
    /// Kernel and stride sides of convolution and pooling.
    pub const MAX_KERNEL: u32 = 7;
    /// Parameters in the whole network.
    pub const MAX_PARAMS: usize = 4 << 20;
}

/// A complete, replayable description of a model and how it is trained.
///
/// ```
/// use engine::spec::ModelSpec;
/// let spec = ModelSpec::default(); // TensorFlow Playground's opening page
/// let json = spec.to_json();
/// assert_eq!(ModelSpec::from_json(&json).unwrap(), spec);
/// assert!(ModelSpec::from_json(r#"{"version": 99}"#).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// [`SPEC_VERSION`] when written.
    pub version: u32,
    pub data: DataSpec,
    /// Input features, in order; each at most once.
    pub features: Vec<Feature>,
    /// Hidden layers, input side first. The output layer is derived: see [`ModelSpec::output`].
    pub layers: Vec<LayerSpec>,
    pub loss: LossKind,
    pub optimizer: OptimizerSpec,
    #[serde(default)]
    pub regularization: Regularization,
    pub batch_size: u32,
    /// Drives data, split, initialisation and shuffling.
    pub seed: u32,
    #[serde(default)]
    pub init: InitKind,
    /// Your own data set's points (see [`crate::data::custom`]), trained on when `data.kind` is
    /// `custom` and kept otherwise, so that switching back finds them. Left out of the JSON when
    /// empty, so specs without them read and write as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_points: Vec<CustomPoint>,
}

/// The data set and how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSpec {
    pub kind: DatasetKind,
    /// Number of points, train and test together.
    pub points: u32,
    /// TensorFlow Playground's noise slider, 0..=50.
    pub noise: u32,
    /// Share of the points used for training, in percent.
    pub train_percent: u32,
}

/// A hidden layer. Tagged by `type` so that convolutional, pooling and recurrent layers can be
/// added as new variants without breaking old links.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LayerSpec {
    /// Fully connected: `units` outputs, each `activation(w·x + b)`. With Maxout the layer
    /// computes `units × pieces` affine outputs and keeps the largest of each group.
    Dense { units: u32, activation: Activation },
    /// 2-D convolution (`torch.nn.Conv2d`): `filters` output channels, a square `kernel`, the
    /// same `stride` and zero `padding` on both axes, then an elementwise activation.
    Conv2d {
        filters: u32,
        kernel: u32,
        #[serde(default = "one")]
        stride: u32,
        #[serde(default)]
        padding: u32,
        activation: Activation,
    },
    /// Max pooling over square windows (`torch.nn.MaxPool2d`, no padding, floor sizes).
    MaxPool2d { kernel: u32, stride: u32 },
    /// Average pooling over square windows (`torch.nn.AvgPool2d`).
    AvgPool2d { kernel: u32, stride: u32 },
    /// Images or sequences to a flat vector (NCHW / batch-first order).
    Flatten,
    /// Elman RNN with tanh (`torch.nn.RNN`); the output is the last step's `h`, or every step's
    /// with `return_sequences`.
    Rnn {
        hidden: u32,
        #[serde(default)]
        return_sequences: bool,
    },
    /// LSTM (`torch.nn.LSTM`, gates i, f, g, o).
    Lstm {
        hidden: u32,
        #[serde(default)]
        return_sequences: bool,
    },
    /// GRU (`torch.nn.GRU`, gates r, z, n).
    Gru {
        hidden: u32,
        #[serde(default)]
        return_sequences: bool,
    },
}

fn one() -> u32 {
    1
}

/// Every layer kind's id, as [`LayerSpec::kind`] names them.
pub const LAYER_KINDS: [&str; 8] = ["dense", "conv2d", "max_pool2d", "avg_pool2d", "flatten", "rnn", "lstm", "gru"];

/// A layer kind's id, one of [`LAYER_KINDS`]. (An alias, so that serde's derive does not take the
/// `'static` for a borrow from the input: [`layer_kind`] reads it.)
pub type LayerKind = &'static str;

/// Reads a layer kind's id back into the `&'static str` that layer reports carry (for
/// `#[serde(deserialize_with)]`); anything else is an error.
pub fn layer_kind<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<&'static str, D::Error> {
    let name = String::deserialize(d)?;
    LAYER_KINDS
        .into_iter()
        .find(|k| *k == name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown layer kind {name:?}")))
}

impl LayerSpec {
    /// The layer kind's id: `dense`, `conv2d`, `max_pool2d`, `avg_pool2d`, `flatten`, `rnn`,
    /// `lstm`, `gru` (the serde tag).
    pub fn kind(&self) -> &'static str {
        match self {
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Conv2d { .. } => "conv2d",
            LayerSpec::MaxPool2d { .. } => "max_pool2d",
            LayerSpec::AvgPool2d { .. } => "avg_pool2d",
            LayerSpec::Flatten => "flatten",
            LayerSpec::Rnn { .. } => "rnn",
            LayerSpec::Lstm { .. } => "lstm",
            LayerSpec::Gru { .. } => "gru",
        }
    }

    /// A compact text form for links and labels: `conv2d:8x3s1p1:relu`, `max_pool2d:2s2`,
    /// `flatten`, `lstm:16` (`lstm:16:seq` with return_sequences); dense is `units:activation`.
    pub fn short_text(&self) -> String {
        match *self {
            LayerSpec::Dense { units, activation } => format!("{units}:{}", activation.id()),
            LayerSpec::Conv2d { filters, kernel, stride, padding, activation } => {
                format!("conv2d:{filters}x{kernel}s{stride}p{padding}:{}", activation.id())
            }
            LayerSpec::MaxPool2d { kernel, stride } | LayerSpec::AvgPool2d { kernel, stride } => format!("{}:{kernel}s{stride}", self.kind()),
            LayerSpec::Flatten => "flatten".into(),
            LayerSpec::Rnn { hidden, return_sequences } | LayerSpec::Lstm { hidden, return_sequences } | LayerSpec::Gru { hidden, return_sequences } => {
                format!("{}:{hidden}{}", self.kind(), if return_sequences { ":seq" } else { "" })
            }
        }
    }
}

/// The optimizer and its hyper-parameters (`torch.optim` names and defaults).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizerSpec {
    pub kind: OptimKind,
    pub lr: f32,
    #[serde(default = "default_momentum")]
    pub momentum: f32,
    #[serde(default = "default_beta1")]
    pub beta1: f32,
    #[serde(default = "default_beta2")]
    pub beta2: f32,
    #[serde(default = "default_eps")]
    pub eps: f32,
}

fn default_momentum() -> f32 {
    0.9
}
fn default_beta1() -> f32 {
    0.9
}
fn default_beta2() -> f32 {
    0.999
}
fn default_eps() -> f32 {
    1e-8
}

/// Penalty on the weights, added to the gradient by the optimizer step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Regularization {
    pub kind: RegKind,
    pub rate: f32,
}

/// Which penalty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegKind {
    #[default]
    None,
    /// `rate·sign(p)` added to the gradient (pushes weights to exactly zero).
    L1,
    /// `rate·p` added to the gradient (`weight_decay` in `torch.optim`).
    L2,
}

/// The output layer, derived from the task and the loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutputSpec {
    pub units: usize,
    /// What the network's last layer computes. Cross-entropies take logits (their sigmoid or
    /// softmax is fused into the loss), so this is `Linear` for them.
    pub activation: Activation,
    /// What [`crate::train::Trainer::predict`] returns: the probabilities for the cross-entropies.
    pub presented: Activation,
}

impl Default for ModelSpec {
    /// TensorFlow Playground's opening page: circle, two features, hidden layers 4 and 2 with tanh,
    /// squared error, SGD at 0.03, batch 10.
    fn default() -> Self {
        ModelSpec {
            version: SPEC_VERSION,
            data: DataSpec { kind: DatasetKind::Circle, points: 500, noise: 0, train_percent: 50 },
            features: vec![Feature::X1, Feature::X2],
            layers: vec![
                LayerSpec::Dense { units: 4, activation: Activation::Tanh },
                LayerSpec::Dense { units: 2, activation: Activation::Tanh },
            ],
            loss: LossKind::Mse,
            optimizer: OptimizerSpec {
                kind: OptimKind::Sgd,
                lr: 0.03,
                momentum: default_momentum(),
                beta1: default_beta1(),
                beta2: default_beta2(),
                eps: default_eps(),
            },
            regularization: Regularization::default(),
            batch_size: 10,
            seed: 1,
            init: InitKind::GlorotUniform,
            custom_points: Vec::new(),
        }
    }
}

fn invalid(field: &str, msg: impl std::fmt::Display) -> EngineError {
    EngineError::InvalidSpec(format!("{field}: {msg}"))
}

impl ModelSpec {
    /// Parses and validates a spec.
    pub fn from_json(json: &str) -> Result<ModelSpec> {
        // Check the version first, so an old or future link gets a clear message rather than a
        // complaint about whichever field changed.
        let raw: serde_json::Value = serde_json::from_str(json).map_err(|e| invalid("spec", e))?;
        match raw.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == SPEC_VERSION as u64 => {}
            Some(v) => return Err(invalid("version", format!("version {v} is not supported (this build reads {SPEC_VERSION})"))),
            None => return Err(invalid("version", "missing")),
        }
        let spec: ModelSpec = serde_json::from_value(raw).map_err(|e| invalid("spec", e))?;
        spec.validate()?;
        Ok(spec)
    }

    /// The spec as JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks every field against [`limits`] and the combinations the engine can build.
    pub fn validate(&self) -> Result<()> {
        use limits::*;
        if self.version != SPEC_VERSION {
            return Err(invalid("version", format!("version {} is not supported", self.version)));
        }
        let d = &self.data;
        if !(MIN_POINTS..=MAX_POINTS).contains(&d.points) {
            return Err(invalid("data.points", format!("must be in {MIN_POINTS}..={MAX_POINTS}, got {}", d.points)));
        }
        if d.noise > MAX_NOISE {
            return Err(invalid("data.noise", format!("must be in 0..={MAX_NOISE}, got {}", d.noise)));
        }
        if !TRAIN_PERCENT.contains(&d.train_percent) {
            return Err(invalid("data.train_percent", format!("must be in 10..=90, got {}", d.train_percent)));
        }
        crate::data::custom::check(&self.custom_points, d.kind == DatasetKind::Custom).map_err(|m| invalid("custom_points", m))?;
        if self.features.is_empty() {
            return Err(invalid("features", "choose at least one input feature"));
        }
        let mut seen = HashSet::new();
        for f in &self.features {
            if !seen.insert(*f) {
                return Err(invalid("features", format!("`{}` is listed twice", f.id())));
            }
        }
        if self.layers.len() > MAX_LAYERS {
            return Err(invalid("layers", format!("at most {MAX_LAYERS} hidden layers, got {}", self.layers.len())));
        }
        let plan = crate::plan::plan(self)?;
        if self.data.kind.classes() > 2 && self.loss != LossKind::SoftmaxCrossEntropy {
            return Err(invalid("loss", format!("{} has {} classes: train it with softmax_cross_entropy", self.data.kind.id(), self.data.kind.classes())));
        }
        if self.data.kind.is_regression() && self.loss != LossKind::Mse {
            return Err(invalid("loss", format!("{} needs class labels; a regression data set trains with mse", self.loss.id())));
        }
        let o = &self.optimizer;
        if !(o.lr > 0.0 && o.lr <= MAX_LR) {
            return Err(invalid("optimizer.lr", format!("must be in (0, {MAX_LR}], got {}", o.lr)));
        }
        if !(0.0..1.0).contains(&o.momentum) {
            return Err(invalid("optimizer.momentum", format!("must be in [0, 1), got {}", o.momentum)));
        }
        if !(0.0..1.0).contains(&o.beta1) {
            return Err(invalid("optimizer.beta1", format!("must be in [0, 1), got {}", o.beta1)));
        }
        if !(0.0..1.0).contains(&o.beta2) {
            return Err(invalid("optimizer.beta2", format!("must be in [0, 1), got {}", o.beta2)));
        }
        if !(o.eps > 0.0 && o.eps <= 1.0) {
            return Err(invalid("optimizer.eps", format!("must be in (0, 1], got {}", o.eps)));
        }
        let r = &self.regularization;
        if !(0.0..=MAX_REG_RATE).contains(&r.rate) {
            return Err(invalid("regularization.rate", format!("must be in [0, {MAX_REG_RATE}], got {}", r.rate)));
        }
        if !(1..=MAX_BATCH).contains(&self.batch_size) {
            return Err(invalid("batch_size", format!("must be in 1..={MAX_BATCH}, got {}", self.batch_size)));
        }
        let params: usize = plan.iter().map(|l| l.layer.param_count()).fold(0, usize::saturating_add);
        if params > MAX_PARAMS {
            return Err(invalid("layers", format!("the network has {params} parameters, more than {MAX_PARAMS}")));
        }
        Ok(())
    }

    /// The output layer for this task and loss: one unit for regression and two-class problems
    /// (tanh against ±1 labels with mse, a logit with sigmoid BCE), one logit per class with
    /// softmax cross-entropy.
    pub fn output(&self) -> OutputSpec {
        if self.data.kind.is_regression() {
            return OutputSpec { units: 1, activation: Activation::Linear, presented: Activation::Linear };
        }
        match self.loss {
            LossKind::Mse => OutputSpec { units: 1, activation: Activation::Tanh, presented: Activation::Tanh },
            LossKind::SigmoidBce => OutputSpec { units: 1, activation: Activation::Linear, presented: Activation::Sigmoid },
            LossKind::SoftmaxCrossEntropy => OutputSpec {
                units: self.data.kind.classes().max(2),
                activation: Activation::Linear,
                presented: Activation::Softmax,
            },
        }
    }

    /// Every dense layer as `(fan_in, units, activation)`, hidden layers then the output layer
    /// (other layer kinds are left out: see [`crate::plan::plan`]).
    pub fn dense_layers(&self) -> Vec<(usize, usize, Activation)> {
        crate::plan::plan(self)
            .unwrap_or_default()
            .iter()
            .filter_map(|l| match l.layer {
                crate::plan::Planned::Dense { fan_in, units, act } => Some((fan_in, units, act)),
                _ => None,
            })
            .collect()
    }

    /// Number of trainable parameters (0 when the stack cannot be built).
    pub fn parameter_count(&self) -> usize {
        crate::plan::plan(self).map(|p| p.iter().map(|l| l.layer.param_count()).fold(0usize, usize::saturating_add)).unwrap_or(0)
    }

    /// The optimizer step this spec trains with, at step `t` (from 1).
    pub fn optim_step(&self, t: u32) -> OptimStep {
        let o = &self.optimizer;
        let (weight_decay, l1) = match self.regularization.kind {
            RegKind::None => (0.0, 0.0),
            RegKind::L1 => (0.0, self.regularization.rate),
            RegKind::L2 => (self.regularization.rate, 0.0),
        };
        OptimStep {
            kind: o.kind,
            lr: o.lr,
            momentum: o.momentum,
            beta1: o.beta1,
            beta2: o.beta2,
            eps: o.eps,
            weight_decay,
            l1,
            t,
        }
    }
}
