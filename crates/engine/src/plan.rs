//! What a [`ModelSpec`] builds: the shape of the data between layers and each layer's exact
//! configuration, checked so that stacks that cannot work (a convolution on 2-D points, a
//! recurrent layer on images, a dense layer on an image before a flatten) are rejected with a
//! message naming the layer's index and kind.

use crate::activation::Activation;
use crate::backend::{Conv2d, Pool2d};
use crate::data::DatasetKind;
use crate::error::{EngineError, Result};
use crate::layers::{CellKind, PoolKind};
use crate::spec::{LayerSpec, ModelSpec, limits};

/// Window length of the sine forecasting data set.
pub const SINE_WINDOW: usize = 20;
/// Sine frequency in cycles per step.
pub const SINE_FREQUENCY: f64 = 0.05;
/// Sequence length of the memory task.
pub const MEMORY_WINDOW: usize = 18;
/// The bit to recall is shown (with the cue) at least this many steps before the end.
pub const MEMORY_DELAY: usize = 10;

/// The shape of one sample between layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A vector of this many floats.
    Flat(usize),
    /// NCHW maps without the batch axis.
    Image { channels: usize, height: usize, width: usize },
    /// Batch-first sequences without the batch axis: `steps × features`.
    Sequence { steps: usize, features: usize },
}

impl Shape {
    /// Floats per sample.
    pub fn len(&self) -> usize {
        match *self {
            Shape::Flat(n) => n,
            Shape::Image { channels, height, width } => channels * height * width,
            Shape::Sequence { steps, features } => steps * features,
        }
    }

    /// Whether a sample holds no floats.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn describe(&self) -> String {
        match *self {
            Shape::Flat(n) => format!("a vector of {n}"),
            Shape::Image { channels, height, width } => format!("an image {channels}x{height}x{width}"),
            Shape::Sequence { steps, features } => format!("a sequence of {steps} steps x {features}"),
        }
    }
}

/// One layer as built.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Planned {
    Dense { fan_in: usize, units: usize, act: Activation },
    /// `op.batch` is 1.
    Conv { op: Conv2d, act: Activation },
    /// `op.batch` is 1.
    Pool { kind: PoolKind, op: Pool2d },
    Flatten,
    Recurrent { kind: CellKind, input: usize, hidden: usize, steps: usize, return_sequences: bool },
}

impl Planned {
    /// Trainable parameters.
    pub fn param_count(&self) -> usize {
        match *self {
            Planned::Dense { fan_in, units, act } => {
                let pre = units.saturating_mul(act.fan());
                let slopes = if act == Activation::Prelu { units } else { 0 };
                pre.saturating_mul(fan_in).saturating_add(pre).saturating_add(slopes)
            }
            Planned::Conv { op, .. } => op.weight_len() + op.out_channels,
            Planned::Pool { .. } | Planned::Flatten => 0,
            Planned::Recurrent { kind, input, hidden, .. } => kind.param_count(input, hidden),
        }
    }
}

/// A layer with its place in the spec and its input and output shapes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerPlan {
    /// Index in [`ModelSpec::layers`]; `None` for the derived output layer.
    pub spec_index: Option<usize>,
    pub layer: Planned,
    pub input: Shape,
    pub output: Shape,
}

/// The input shape of one sample of a data set with `features` point features.
pub fn input_shape(kind: DatasetKind, features: usize) -> Shape {
    match kind {
        DatasetKind::Digits => Shape::Image { channels: 1, height: 8, width: 8 },
        DatasetKind::Shapes => {
            Shape::Image { channels: 1, height: crate::data::shapes::SIZE, width: crate::data::shapes::SIZE }
        }
        DatasetKind::Sine => Shape::Sequence { steps: SINE_WINDOW, features: 1 },
        DatasetKind::Memory => Shape::Sequence { steps: MEMORY_WINDOW, features: 2 },
        _ => Shape::Flat(features),
    }
}

fn bad(i: usize, kind: &str, msg: impl std::fmt::Display) -> EngineError {
    EngineError::InvalidSpec(format!("layers[{i}] ({kind}): {msg}"))
}

fn elementwise(i: usize, kind: &str, act: Activation) -> Result<()> {
    act.validate().map_err(|e| bad(i, kind, e))?;
    if matches!(act, Activation::Softmax | Activation::Maxout { .. } | Activation::Prelu) {
        return Err(bad(i, kind, format!("activation {} is not elementwise; choose another (e.g. relu)", act.id())));
    }
    Ok(())
}

fn size(i: usize, kind: &str, what: &str, v: u32, max: u32) -> Result<usize> {
    if !(1..=max).contains(&v) {
        return Err(bad(i, kind, format!("{what} must be in 1..={max}, got {v}")));
    }
    Ok(v as usize)
}

/// The network of `spec`, hidden layers then the output layer, with shapes; or the first reason
/// it cannot be built.
pub fn plan(spec: &ModelSpec) -> Result<Vec<LayerPlan>> {
    let mut shape = input_shape(spec.data.kind, spec.features.len());
    let mut out = Vec::with_capacity(spec.layers.len() + 1);
    for (i, l) in spec.layers.iter().enumerate() {
        let kind = l.kind();
        let (layer, next) = match *l {
            LayerSpec::Dense { units, activation } => {
                if !(1..=limits::MAX_UNITS).contains(&units) {
                    return Err(EngineError::InvalidSpec(format!("layers[{i}].units: must be in 1..={}, got {units}", limits::MAX_UNITS)));
                }
                let units = units as usize;
                activation.validate().map_err(|e| EngineError::InvalidSpec(format!("layers[{i}].activation: {e}")))?;
                let Shape::Flat(fan_in) = shape else {
                    return Err(bad(i, kind, format!("its input is {}; add a flatten layer before it", shape.describe())));
                };
                (Planned::Dense { fan_in, units, act: activation }, Shape::Flat(units))
            }
            LayerSpec::Conv2d { filters, kernel, stride, padding, activation } => {
                let Shape::Image { channels, height, width } = shape else {
                    return Err(bad(i, kind, format!("needs an image input (digits or shapes data), got {}", shape.describe())));
                };
                let filters = size(i, kind, "filters", filters, limits::MAX_FILTERS)?;
                let k = size(i, kind, "kernel", kernel, limits::MAX_KERNEL)?;
                let s = size(i, kind, "stride", stride, limits::MAX_KERNEL)?;
                if padding as usize >= k {
                    return Err(bad(i, kind, format!("padding {padding} must be smaller than the kernel {k}")));
                }
                elementwise(i, kind, activation)?;
                let p = padding as usize;
                let op = Conv2d { batch: 1, in_channels: channels, height, width, out_channels: filters, kernel: [k, k], stride: [s, s], padding: [p, p] };
                if op.out_height() == 0 || op.out_width() == 0 {
                    return Err(bad(i, kind, format!("a {k}x{k} kernel does not fit its input {}", shape.describe())));
                }
                (Planned::Conv { op, act: activation }, Shape::Image { channels: filters, height: op.out_height(), width: op.out_width() })
            }
            LayerSpec::MaxPool2d { kernel, stride } | LayerSpec::AvgPool2d { kernel, stride } => {
                let Shape::Image { channels, height, width } = shape else {
                    return Err(bad(i, kind, format!("needs an image input, got {}", shape.describe())));
                };
                let k = size(i, kind, "kernel", kernel, limits::MAX_KERNEL)?;
                let s = size(i, kind, "stride", stride, limits::MAX_KERNEL)?;
                let op = Pool2d { batch: 1, channels, height, width, kernel: [k, k], stride: [s, s] };
                if op.out_height() == 0 || op.out_width() == 0 {
                    return Err(bad(i, kind, format!("a {k}x{k} window does not fit its input {}", shape.describe())));
                }
                let pk = if matches!(l, LayerSpec::MaxPool2d { .. }) { PoolKind::Max } else { PoolKind::Avg };
                (Planned::Pool { kind: pk, op }, Shape::Image { channels, height: op.out_height(), width: op.out_width() })
            }
            LayerSpec::Flatten => (Planned::Flatten, Shape::Flat(shape.len())),
            LayerSpec::Rnn { hidden, return_sequences } | LayerSpec::Lstm { hidden, return_sequences } | LayerSpec::Gru { hidden, return_sequences } => {
                let Shape::Sequence { steps, features } = shape else {
                    return Err(bad(i, kind, format!("needs a sequence input (sine or memory data), got {}", shape.describe())));
                };
                let hidden = size(i, kind, "hidden", hidden, limits::MAX_UNITS)?;
                let cell = match l {
                    LayerSpec::Rnn { .. } => CellKind::Rnn,
                    LayerSpec::Lstm { .. } => CellKind::Lstm,
                    _ => CellKind::Gru,
                };
                let next = if return_sequences { Shape::Sequence { steps, features: hidden } } else { Shape::Flat(hidden) };
                (Planned::Recurrent { kind: cell, input: features, hidden, steps, return_sequences }, next)
            }
        };
        out.push(LayerPlan { spec_index: Some(i), layer, input: shape, output: next });
        shape = next;
    }
    // The output layer flattens whatever reaches it.
    let o = spec.output();
    let fan_in = shape.len();
    out.push(LayerPlan {
        spec_index: None,
        layer: Planned::Dense { fan_in, units: o.units, act: o.activation },
        input: Shape::Flat(fan_in),
        output: Shape::Flat(o.units),
    });
    Ok(out)
}

/// Floating-point operations of one training step (forward and backward, about three times the
/// forward multiply-adds, times two for multiply and add), for the page's automatic device
/// choice: a step of a few million operations is over on the CPU before a GPU has finished
/// launching its dozens of kernels. An estimate; `None` for a spec that does not plan.
pub fn flops_per_step(spec: &ModelSpec) -> Option<f64> {
    let macs: f64 = plan(spec)
        .ok()?
        .iter()
        .map(|p| match p.layer {
            Planned::Dense { fan_in, units, act } => (fan_in * units * act.fan()) as f64,
            Planned::Conv { op, .. } => (p.output.len() * op.in_channels * op.kernel[0] * op.kernel[1]) as f64,
            Planned::Pool { .. } => p.output.len() as f64,
            Planned::Recurrent { kind, input, hidden, steps, .. } => (steps * kind.gates() * hidden * (input + hidden)) as f64,
            Planned::Flatten => 0.0,
        })
        .sum();
    Some(macs * 2.0 * 3.0 * spec.batch_size as f64)
}

#[cfg(test)]
mod flops_tests {
    use super::*;

    #[test]
    fn flops_grow_with_the_network_and_the_batch() {
        let small = ModelSpec::default();
        let f = flops_per_step(&small).unwrap();
        // 2-4-2-1: (2·4 + 4·2 + 2·1) multiply-adds per sample.
        assert_eq!(f, 18.0 * 6.0 * small.batch_size as f64);
        let mut bigger = small.clone();
        bigger.batch_size *= 2;
        assert_eq!(flops_per_step(&bigger).unwrap(), 2.0 * f);
    }
}
