//! The fully connected layer: `y = f(x·Wᵀ + b)`, with `W` stored `[out, in]` as in
//! `torch.nn.Linear`. Its parameters are views into the model's one flat parameter buffer, laid
//! out `weight | bias | prelu slopes`, and its gradients sit at the same offsets in the flat
//! gradient buffer, so one optimizer op updates every layer.

use crate::activation::Activation;
use crate::backend::{ActOp, Backend, DenseGrad, Gemm, View};
use crate::error::Result;

/// A layer's `(weight, bias, prelu slopes)` views.
pub type ParamViews<'a, B> = (&'a View<<B as Backend>::Buffer>, &'a View<<B as Backend>::Buffer>, Option<&'a View<<B as Backend>::Buffer>>);

/// One dense layer and its scratch buffers (sized for `capacity` rows).
pub struct Dense<B: Backend> {
    pub fan_in: usize,
    /// Output width (units).
    pub units: usize,
    /// Affine outputs before the activation: `units × pieces` for Maxout, else `units`.
    pub pre: usize,
    pub act: Activation,
    /// Offset of this layer's parameters in the flat buffer.
    pub offset: usize,
    weight: View<B::Buffer>,
    bias: View<B::Buffer>,
    alpha: Option<View<B::Buffer>>,
    dweight: View<B::Buffer>,
    dbias: View<B::Buffer>,
    dalpha: Option<View<B::Buffer>>,
    /// Pre-activations `[rows, pre]`.
    z: B::Buffer,
    /// Outputs `[rows, units]` (unused when the activation is linear: `z` is the output).
    a: B::Buffer,
    /// Gradient with respect to `z` (unused when linear: `da` is it).
    dz: B::Buffer,
    /// Gradient with respect to the output, written by the next layer or the loss.
    da: B::Buffer,
}

impl<B: Backend> Dense<B> {
    /// Number of parameters of a layer with this shape.
    pub fn param_count(fan_in: usize, units: usize, act: Activation) -> usize {
        let pre = units * act.fan();
        pre * fan_in + pre + if act == Activation::Prelu { units } else { 0 }
    }

    /// A layer whose parameters start `offset` floats into `params` (and `grads`), with scratch
    /// for `capacity` rows.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        backend: &mut B,
        fan_in: usize,
        units: usize,
        act: Activation,
        params: &B::Buffer,
        grads: &B::Buffer,
        offset: usize,
        capacity: usize,
    ) -> Result<Self> {
        let pre = units * act.fan();
        let w_len = pre * fan_in;
        let view = |buf: &B::Buffer, off: usize, len: usize| View { buf: buf.clone(), offset: offset + off, len };
        let prelu = act == Activation::Prelu;
        let linear = act == Activation::Linear;
        let small = |b: &mut B| b.alloc(1);
        Ok(Dense {
            fan_in,
            units,
            pre,
            act,
            offset,
            weight: view(params, 0, w_len),
            bias: view(params, w_len, pre),
            alpha: prelu.then(|| view(params, w_len + pre, units)),
            dweight: view(grads, 0, w_len),
            dbias: view(grads, w_len, pre),
            dalpha: prelu.then(|| view(grads, w_len + pre, units)),
            z: backend.alloc(capacity * pre)?,
            a: if linear { small(backend)? } else { backend.alloc(capacity * units)? },
            dz: if linear { small(backend)? } else { backend.alloc(capacity * pre)? },
            da: backend.alloc(capacity * units)?,
        })
    }

    /// This layer's slice of the flat parameters: `(weight, bias, prelu slopes)`.
    pub fn param_views(&self) -> ParamViews<'_, B> {
        (&self.weight, &self.bias, self.alpha.as_ref())
    }

    fn linear(&self) -> bool {
        self.act == Activation::Linear
    }

    /// Whether the activation is elementwise without parameters, so the backend's fused dense ops
    /// apply ([`Backend::dense_forward`], [`Backend::dense_backward`]).
    fn fused(&self) -> bool {
        !matches!(self.act, Activation::Prelu | Activation::Maxout { .. } | Activation::Softmax)
    }

    /// The output of the last [`Dense::forward`] over `rows` rows.
    pub fn output(&self, rows: usize) -> View<B::Buffer> {
        let buf = if self.linear() { &self.z } else { &self.a };
        View { buf: buf.clone(), offset: 0, len: rows * self.units }
    }

    /// Where the gradient with respect to the output goes (`rows × units`).
    pub fn output_grad(&self, rows: usize) -> View<B::Buffer> {
        View { buf: self.da.clone(), offset: 0, len: rows * self.units }
    }

    /// Records `output = f(x·Wᵀ + b)` for `rows` rows of `x`.
    pub fn forward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<()> {
        let g = Gemm { m: rows, n: self.pre, k: self.fan_in, trans_a: false, trans_b: true, accumulate: false };
        let z = View { buf: self.z.clone(), offset: 0, len: rows * self.pre };
        if self.fused() && !self.linear() {
            return backend.dense_forward(g, self.act, x, &self.weight, &self.bias, &z, &self.output(rows));
        }
        backend.gemm(g, x, &self.weight, Some(&self.bias), &z)?;
        if !self.linear() {
            let op = ActOp { act: self.act, rows, cols: self.pre };
            backend.act_forward(op, &z, self.alpha.as_ref(), &self.output(rows))?;
        }
        Ok(())
    }

    /// Records the backward pass: from the output gradient (in [`Dense::output_grad`]) to the
    /// parameter gradients (overwritten) and, when `dx` is given, the input gradient.
    pub fn backward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>, dx: Option<&View<B::Buffer>>) -> Result<()> {
        let z = View { buf: self.z.clone(), offset: 0, len: rows * self.pre };
        if self.fused() {
            let dz = View { buf: self.dz.clone(), offset: 0, len: if self.linear() { 0 } else { rows * self.pre } };
            return backend.dense_backward(DenseGrad {
                rows,
                fan_in: self.fan_in,
                units: self.pre,
                act: self.act,
                x,
                z: &z,
                y: &self.output(rows),
                dy: &self.output_grad(rows),
                dz: &dz,
                weight: &self.weight,
                dweight: &self.dweight,
                dbias: &self.dbias,
                dx,
            });
        }
        let dz = if self.linear() {
            self.output_grad(rows)
        } else {
            let dz = View { buf: self.dz.clone(), offset: 0, len: rows * self.pre };
            let op = ActOp { act: self.act, rows, cols: self.pre };
            backend.act_backward(
                op,
                &z,
                &self.output(rows),
                &self.output_grad(rows),
                self.alpha.as_ref(),
                &dz,
                self.dalpha.as_ref(),
            )?;
            dz
        };
        // dW = dzᵀ·x  ([pre, rows]·[rows, in]).
        let gw = Gemm { m: self.pre, n: self.fan_in, k: rows, trans_a: true, trans_b: false, accumulate: false };
        backend.gemm(gw, &dz, x, None, &self.dweight)?;
        backend.col_sum(&dz, rows, self.pre, &self.dbias, false)?;
        if let Some(dx) = dx {
            // dx = dz·W  ([rows, pre]·[pre, in]).
            let gx = Gemm { m: rows, n: self.fan_in, k: self.pre, trans_a: false, trans_b: false, accumulate: false };
            backend.gemm(gx, &dz, &self.weight, None, dx)?;
        }
        Ok(())
    }
}
