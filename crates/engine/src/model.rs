//! A network built from a [`ModelSpec`] on any backend.
//!
//! All parameters live in ONE flat buffer (layer by layer: `weight [out, in] | bias [out] |
//! prelu slopes [units]`), gradients in one flat buffer of the same layout, and the optimizer's
//! state in two more; one optimizer op then updates the whole network. Activations and their
//! gradients live in per-layer scratch buffers sized for `capacity` rows.

use crate::backend::{Backend, View};
use crate::error::{EngineError, Result};
use crate::layers::Dense;
use crate::rng::{Rng, Stream};
use crate::spec::ModelSpec;

/// The network: its layers and the flat buffers they point into.
pub struct Model<B: Backend> {
    pub layers: Vec<Dense<B>>,
    pub params: View<B::Buffer>,
    pub grads: View<B::Buffer>,
    /// Momentum's velocity or Adam's first moment.
    pub m: View<B::Buffer>,
    /// Adam's second moment.
    pub v: View<B::Buffer>,
    pub input_width: usize,
    /// Rows the scratch buffers hold.
    pub capacity: usize,
}

/// One layer's parameters read back to the host (PyTorch layout).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerParams {
    pub fan_in: usize,
    pub units: usize,
    /// `[units × pieces, fan_in]`, row-major, as `torch.nn.Linear.weight`.
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    /// PReLU's learned slopes, one per unit.
    pub prelu_alpha: Option<Vec<f32>>,
}

impl<B: Backend> Model<B> {
    /// Builds the network of `spec`, initialised from the spec's seed.
    pub fn new(backend: &mut B, spec: &ModelSpec, capacity: usize) -> Result<Self> {
        let shapes = spec.dense_layers();
        let total: usize = shapes.iter().map(|&(i, u, a)| Dense::<B>::param_count(i, u, a)).sum();
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
        let mut layers = Vec::with_capacity(shapes.len());
        let mut offset = 0;
        for &(fan_in, units, act) in &shapes {
            let layer = Dense::new(backend, fan_in, units, act, &params, &grads, offset, capacity)?;
            let pre = layer.pre;
            spec.init.fill(&mut host[offset..offset + pre * fan_in], fan_in, pre, &mut rng);
            // Biases start at zero (already); PReLU slopes at 0.25.
            let slopes = offset + pre * fan_in + pre;
            let n = Dense::<B>::param_count(fan_in, units, act);
            host[slopes..offset + n].fill(crate::activation::PRELU_INIT);
            offset += n;
            layers.push(layer);
        }
        let params = View::whole(params, total);
        backend.write(&params, &host)?;
        Ok(Model {
            layers,
            params,
            grads: View::whole(grads, total),
            m: View::whole(m, total),
            v: View::whole(v, total),
            input_width: spec.features.len(),
            capacity,
        })
    }

    /// Number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.params.len
    }

    /// Output width.
    pub fn output_width(&self) -> usize {
        self.layers.last().map_or(0, |l| l.units)
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

    /// Splits a host copy of the flat parameters into layers.
    pub fn split_params(&self, flat: &[f32]) -> Vec<LayerParams> {
        self.layers
            .iter()
            .map(|l| {
                let w = l.pre * l.fan_in;
                let at = |o: usize, n: usize| flat.get(l.offset + o..l.offset + o + n).map(<[f32]>::to_vec).unwrap_or_default();
                LayerParams {
                    fan_in: l.fan_in,
                    units: l.units,
                    weight: at(0, w),
                    bias: at(w, l.pre),
                    prelu_alpha: (l.act == crate::activation::Activation::Prelu).then(|| at(w + l.pre, l.units)),
                }
            })
            .collect()
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
