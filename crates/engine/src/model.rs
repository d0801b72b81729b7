//! A network built from a [`ModelSpec`] on any backend.
//!
//! All parameters live in ONE flat buffer, layer by layer in PyTorch layouts (dense:
//! `weight [out, in] | bias [out] | prelu slopes [units]`; conv2d: `weight [O, C, KH, KW] |
//! bias [O]`; rnn/lstm/gru: `weight_ih | weight_hh | bias_ih | bias_hh`), gradients in one flat
//! buffer of the same layout, and the optimizer's state in two more; one optimizer op then
//! updates the whole network. Activations and their gradients live in per-layer scratch buffers
//! sized for `capacity` samples. Flatten layers only change the shape and build nothing.

use crate::activation::Activation;
use crate::backend::{Backend, View};
use crate::error::{EngineError, Result};
use crate::layers::{CellKind, Conv, Dense, Pool, Recurrent};
use crate::plan::{LayerPlan, Planned, Shape};
use crate::rng::{Rng, Stream};
use crate::spec::ModelSpec;

/// One built layer.
pub enum Layer<B: Backend> {
    Dense(Dense<B>),
    Conv(Conv<B>),
    Pool(Pool<B>),
    Recurrent(Recurrent<B>),
}

/// A built layer with its plan (kind, shapes, place in the spec).
pub struct ModelLayer<B: Backend> {
    pub plan: LayerPlan,
    pub layer: Layer<B>,
}

impl<B: Backend> ModelLayer<B> {
    /// Floats per sample of the output.
    pub fn units(&self) -> usize {
        self.plan.output.len()
    }

    /// The output of the last forward over `rows` samples.
    pub fn output(&self, rows: usize) -> View<B::Buffer> {
        match &self.layer {
            Layer::Dense(l) => l.output(rows),
            Layer::Conv(l) => l.output(rows),
            Layer::Pool(l) => l.output(rows),
            Layer::Recurrent(l) => l.output(rows),
        }
    }

    /// Where the gradient with respect to the output goes.
    pub fn output_grad(&self, rows: usize) -> View<B::Buffer> {
        match &self.layer {
            Layer::Dense(l) => l.output_grad(rows),
            Layer::Conv(l) => l.output_grad(rows),
            Layer::Pool(l) => l.output_grad(rows),
            Layer::Recurrent(l) => l.output_grad(rows),
        }
    }

    fn forward(&self, b: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<()> {
        match &self.layer {
            Layer::Dense(l) => l.forward(b, rows, x),
            Layer::Conv(l) => l.forward(b, rows, x),
            Layer::Pool(l) => l.forward(b, rows, x),
            Layer::Recurrent(l) => l.forward(b, rows, x),
        }
    }

    fn backward(&self, b: &mut B, rows: usize, x: &View<B::Buffer>, dx: Option<&View<B::Buffer>>) -> Result<()> {
        match &self.layer {
            Layer::Dense(l) => l.backward(b, rows, x, dx),
            Layer::Conv(l) => l.backward(b, rows, x, dx),
            Layer::Pool(l) => l.backward(b, rows, dx),
            Layer::Recurrent(l) => l.backward(b, rows, x, dx),
        }
    }

    fn offset(&self) -> usize {
        match &self.layer {
            Layer::Dense(l) => l.offset,
            Layer::Conv(l) => l.offset,
            Layer::Pool(_) => 0,
            Layer::Recurrent(l) => l.offset,
        }
    }
}

/// The network: its layers and the flat buffers they point into.
pub struct Model<B: Backend> {
    pub layers: Vec<ModelLayer<B>>,
    pub params: View<B::Buffer>,
    pub grads: View<B::Buffer>,
    /// Momentum's velocity or Adam's first moment.
    pub m: View<B::Buffer>,
    /// Adam's second moment.
    pub v: View<B::Buffer>,
    /// Floats per input sample.
    pub input_width: usize,
    /// Rows the scratch buffers hold.
    pub capacity: usize,
}

/// One layer's parameters read back to the host (PyTorch layout).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerParams {
    /// `dense`, `conv2d`, `max_pool2d`, `avg_pool2d`, `rnn`, `lstm` or `gru`.
    #[serde(deserialize_with = "crate::spec::layer_kind")]
    pub kind: crate::spec::LayerKind,
    /// Index in [`ModelSpec::layers`]; `None` for the output layer.
    pub spec_index: Option<usize>,
    /// Inputs per unit: dense `in`, conv2d `C·KH·KW`, recurrent `I`.
    pub fan_in: usize,
    /// Dense units, conv2d filters, recurrent hidden size (0 for pools).
    pub units: usize,
    /// The weight (recurrent: `weight_ih`), row-major, shaped `weight_shape`: dense
    /// `[units × pieces, in]` as `torch.nn.Linear`, conv2d `[O, C, KH, KW]` (the filters),
    /// recurrent `[G·H, I]`.
    pub weight: Vec<f32>,
    pub weight_shape: Vec<usize>,
    /// The bias (recurrent: `bias_ih`).
    pub bias: Vec<f32>,
    /// PReLU's learned slopes, one per unit.
    pub prelu_alpha: Option<Vec<f32>>,
    /// Recurrent layers: `weight_hh [G·H, H]` and `bias_hh [G·H]` (empty otherwise).
    pub weight_hh: Vec<f32>,
    pub bias_hh: Vec<f32>,
}

fn param_count(plan: &LayerPlan) -> usize {
    plan.layer.param_count()
}

impl<B: Backend> Model<B> {
    /// Builds the network of `spec`, initialised from the spec's seed.
    pub fn new(backend: &mut B, spec: &ModelSpec, capacity: usize) -> Result<Self> {
        let plans: Vec<LayerPlan> = crate::plan::plan(spec)?.into_iter().filter(|p| p.layer != Planned::Flatten).collect();
        let total: usize = plans.iter().map(param_count).sum();
        if total == 0 {
            return Err(EngineError::InvalidSpec("the network has no parameters".into()));
        }
        let params = backend.alloc(total)?;
        let grads = backend.alloc(total)?;
        // Both state buffers are always allocated (full length), so every backend can rely on the
        // optimizer contract whatever the kind; their cost is small next to the activations.
        let m = backend.alloc(total)?;
        let v = backend.alloc(total)?;

        let mut rng = Rng::stream(spec.seed as u64, Stream::Init);
        let mut host = vec![0.0f32; total];
        let mut layers = Vec::with_capacity(plans.len());
        let mut offset = 0;
        for plan in plans {
            let n = param_count(&plan);
            let h = &mut host[offset..offset + n];
            let layer = match plan.layer {
                Planned::Dense { fan_in, units, act } => {
                    let layer = Dense::new(backend, fan_in, units, act, &params, &grads, offset, capacity)?;
                    let pre = layer.pre;
                    spec.init.fill(&mut h[..pre * fan_in], fan_in, pre, &mut rng);
                    // Biases start at zero (already); PReLU slopes at 0.25.
                    h[pre * fan_in + pre..].fill(crate::activation::PRELU_INIT);
                    Layer::Dense(layer)
                }
                Planned::Conv { op, act } => {
                    let k = op.kernel[0] * op.kernel[1];
                    spec.init.fill(&mut h[..op.weight_len()], op.in_channels * k, op.out_channels * k, &mut rng);
                    Layer::Conv(Conv::new(backend, op, act, &params, &grads, offset, capacity)?)
                }
                Planned::Pool { kind, op } => Layer::Pool(Pool::new(backend, kind, op, capacity)?),
                Planned::Recurrent { kind, input, hidden, steps, return_sequences } => {
                    // PyTorch's U(−1/√H, 1/√H) for the weights; biases start at zero except the
                    // LSTM's forget gate (1, the usual choice that lets it remember from the start).
                    let gh = kind.gates() * hidden;
                    let bound = 1.0 / (hidden as f64).sqrt();
                    for w in &mut h[..gh * (input + hidden)] {
                        *w = rng.uniform(-bound, bound) as f32;
                    }
                    if kind == CellKind::Lstm {
                        let b_ih = gh * (input + hidden);
                        h[b_ih + hidden..b_ih + 2 * hidden].fill(1.0);
                    }
                    Layer::Recurrent(Recurrent::new(backend, kind, input, hidden, steps, return_sequences, &params, &grads, offset, capacity)?)
                }
                Planned::Flatten => unreachable!("flatten layers are filtered out above"),
            };
            offset += n;
            layers.push(ModelLayer { plan, layer });
        }
        let params = View::whole(params, total);
        backend.write(&params, &host)?;
        let input_width = layers.first().map_or(0, |l| l.plan.input.len());
        Ok(Model { layers, params, grads: View::whole(grads, total), m: View::whole(m, total), v: View::whole(v, total), input_width, capacity })
    }

    /// Scratch floats per sample that a network of `spec` needs (for sizing `capacity`).
    pub fn scratch_per_sample(spec: &ModelSpec) -> usize {
        crate::plan::plan(spec)
            .unwrap_or_default()
            .iter()
            .map(|p| match p.layer {
                Planned::Dense { units, act, .. } => 2 * units * act.fan() + 2 * units,
                Planned::Conv { .. } => 4 * p.output.len(),
                Planned::Pool { .. } => 3 * p.output.len(),
                Planned::Flatten => 0,
                Planned::Recurrent { kind, input, hidden, steps, .. } => {
                    let gh = kind.gates() * hidden;
                    steps * (2 * input + 2 * gh + 5 * hidden + 2) + 4 * hidden
                }
            })
            .sum()
    }

    /// Number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.params.len
    }

    /// Output width.
    pub fn output_width(&self) -> usize {
        self.layers.last().map_or(0, |l| l.units())
    }

    /// Records the forward pass over `rows ≤ capacity` rows of `x`; returns the output view.
    pub fn forward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<View<B::Buffer>> {
        self.check_rows(rows)?;
        let mut input = x.clone();
        for layer in &self.layers {
            layer.forward(backend, rows, &input)?;
            input = layer.output(rows);
        }
        Ok(input)
    }

    /// Where the loss writes its gradient before [`Model::backward`].
    pub fn output_grad(&self, rows: usize) -> View<B::Buffer> {
        self.layers.last().map(|l| l.output_grad(rows)).unwrap_or_else(|| self.grads.sub(0, 0))
    }

    /// Records the backward pass after a [`Model::forward`] over the same `x`, from the gradient in
    /// [`Model::output_grad`] to every parameter gradient.
    pub fn backward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<()> {
        self.check_rows(rows)?;
        for i in (0..self.layers.len()).rev() {
            let layer = &self.layers[i];
            let (input, dx) = if i == 0 {
                (x.clone(), None)
            } else {
                let prev = &self.layers[i - 1];
                (prev.output(rows), Some(prev.output_grad(rows)))
            };
            layer.backward(backend, rows, &input, dx.as_ref())?;
        }
        Ok(())
    }

    /// Splits a host copy of the flat parameters into layers (pools included, with no weights).
    pub fn split_params(&self, flat: &[f32]) -> Vec<LayerParams> {
        self.layers
            .iter()
            .map(|l| {
                let base = l.offset();
                let at = |o: usize, n: usize| flat.get(base + o..base + o + n).map(<[f32]>::to_vec).unwrap_or_default();
                let mut p = LayerParams {
                    kind: "dense",
                    spec_index: l.plan.spec_index,
                    fan_in: 0,
                    units: 0,
                    weight: Vec::new(),
                    weight_shape: Vec::new(),
                    bias: Vec::new(),
                    prelu_alpha: None,
                    weight_hh: Vec::new(),
                    bias_hh: Vec::new(),
                };
                match l.plan.layer {
                    Planned::Dense { fan_in, units, act } => {
                        let pre = units * act.fan();
                        p.fan_in = fan_in;
                        p.units = units;
                        p.weight = at(0, pre * fan_in);
                        p.weight_shape = vec![pre, fan_in];
                        p.bias = at(pre * fan_in, pre);
                        p.prelu_alpha = (act == Activation::Prelu).then(|| at(pre * fan_in + pre, units));
                    }
                    Planned::Conv { op, .. } => {
                        p.kind = "conv2d";
                        p.fan_in = op.in_channels * op.kernel[0] * op.kernel[1];
                        p.units = op.out_channels;
                        p.weight = at(0, op.weight_len());
                        p.weight_shape = vec![op.out_channels, op.in_channels, op.kernel[0], op.kernel[1]];
                        p.bias = at(op.weight_len(), op.out_channels);
                    }
                    Planned::Pool { kind, .. } => {
                        p.kind = if kind == crate::layers::PoolKind::Max { "max_pool2d" } else { "avg_pool2d" };
                    }
                    Planned::Recurrent { kind, input, hidden, .. } => {
                        let gh = kind.gates() * hidden;
                        p.kind = match kind {
                            CellKind::Rnn => "rnn",
                            CellKind::Lstm => "lstm",
                            CellKind::Gru => "gru",
                        };
                        p.fan_in = input;
                        p.units = hidden;
                        p.weight = at(0, gh * input);
                        p.weight_shape = vec![gh, input];
                        p.weight_hh = at(gh * input, gh * hidden);
                        p.bias = at(gh * (input + hidden), gh);
                        p.bias_hh = at(gh * (input + hidden) + gh, gh);
                    }
                    Planned::Flatten => {}
                }
                p
            })
            .collect()
    }

    /// The inverse of [`Model::split_params`]: the flat parameter vector of per-layer tensors
    /// (one entry per built layer, pools included), checked against this network first: the
    /// number of layers, each layer's kind, every tensor's length, PReLU slopes exactly where the
    /// activation has them, and finite values. An error names the layer.
    pub fn join_params(&self, layers: &[LayerParams]) -> Result<Vec<f32>> {
        let bad = |detail: String| EngineError::Shape { op: "load parameters", detail };
        if layers.len() != self.layers.len() {
            return Err(bad(format!("{} layers given, the network has {}", layers.len(), self.layers.len())));
        }
        let mut flat = vec![0.0f32; self.params.len];
        // The zero split has every layer's kind and tensor lengths.
        let template = self.split_params(&flat);
        for (i, ((given, want), layer)) in layers.iter().zip(&template).zip(&self.layers).enumerate() {
            if given.kind != want.kind {
                return Err(bad(format!("layers[{i}]: a {} layer given where the network has {}", given.kind, want.kind)));
            }
            let empty = Vec::new();
            let alpha_given = given.prelu_alpha.as_ref().unwrap_or(&empty);
            let alpha_want = want.prelu_alpha.as_ref().unwrap_or(&empty);
            if given.prelu_alpha.is_some() != want.prelu_alpha.is_some() {
                let has = if want.prelu_alpha.is_some() { "has" } else { "has no" };
                return Err(bad(format!("layers[{i}] ({}): the network {has} PReLU slopes", want.kind)));
            }
            // In the layer's order within the flat buffer (see the module documentation).
            let parts: [(&str, &Vec<f32>, &Vec<f32>); 5] = [
                ("weight", &given.weight, &want.weight),
                ("weight_hh", &given.weight_hh, &want.weight_hh),
                ("bias", &given.bias, &want.bias),
                ("bias_hh", &given.bias_hh, &want.bias_hh),
                ("prelu_alpha", alpha_given, alpha_want),
            ];
            let mut at = layer.offset();
            for (name, g, w) in parts {
                if g.len() != w.len() {
                    return Err(bad(format!("layers[{i}] ({}): {name} has {} values, the network needs {}", want.kind, g.len(), w.len())));
                }
                if let Some(j) = g.iter().position(|x| !x.is_finite()) {
                    return Err(bad(format!("layers[{i}] ({}): {name}[{j}] is {}, not a finite number", want.kind, g[j])));
                }
                flat[at..at + g.len()].copy_from_slice(g);
                at += g.len();
            }
        }
        Ok(flat)
    }

    /// The shape of layer `i`'s output.
    pub fn output_shape(&self, i: usize) -> Option<Shape> {
        self.layers.get(i).map(|l| l.plan.output)
    }

    fn check_rows(&self, rows: usize) -> Result<()> {
        if rows == 0 || rows > self.capacity {
            return Err(EngineError::Shape {
                op: "model",
                detail: format!("{rows} rows, the model's scratch holds 1..={}", self.capacity),
            });
        }
        Ok(())
    }
}
