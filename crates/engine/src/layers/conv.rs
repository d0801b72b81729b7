//! Convolution and pooling layers over NCHW maps (one sample = one row of `C·H·W` floats).
//!
//! A convolution's parameters are views into the model's flat buffer, laid out
//! `weight [O, C, KH, KW] | bias [O]` as in `torch.nn.Conv2d`; its activation is elementwise.

use crate::activation::Activation;
use crate::backend::{Backend, Conv2d, ConvGrad, Pool2d, View};
use crate::error::Result;

fn v<Bf: Clone>(buf: &Bf, offset: usize, len: usize) -> View<Bf> {
    View { buf: buf.clone(), offset, len }
}

/// `[channels, height, width]` of a feature map.
pub type MapShape = [usize; 3];

/// A convolution layer and its scratch (for `capacity` samples).
pub struct Conv<B: Backend> {
    /// The op for one sample (its `batch` is replaced per call).
    pub op: Conv2d,
    pub act: Activation,
    pub offset: usize,
    weight: View<B::Buffer>,
    bias: View<B::Buffer>,
    dweight: View<B::Buffer>,
    dbias: View<B::Buffer>,
    z: B::Buffer,
    a: B::Buffer,
    dz: B::Buffer,
    da: B::Buffer,
}

impl<B: Backend> Conv<B> {
    /// Parameters of a convolution.
    pub fn param_count(op: &Conv2d) -> usize {
        op.weight_len() + op.out_channels
    }

    /// Output shape `[O, OH, OW]`.
    pub fn out_shape(&self) -> MapShape {
        [self.op.out_channels, self.op.out_height(), self.op.out_width()]
    }

    fn per_sample_out(&self) -> usize {
        self.op.out_channels * self.op.out_height() * self.op.out_width()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn new(backend: &mut B, op: Conv2d, act: Activation, params: &B::Buffer, grads: &B::Buffer, offset: usize, capacity: usize) -> Result<Self> {
        let op = Conv2d { batch: 1, ..op };
        let w = op.weight_len();
        let out = capacity * op.y_len();
        let linear = act == Activation::Linear;
        Ok(Conv {
            op,
            act,
            offset,
            weight: v(params, offset, w),
            bias: v(params, offset + w, op.out_channels),
            dweight: v(grads, offset, w),
            dbias: v(grads, offset + w, op.out_channels),
            z: backend.alloc(out)?,
            a: if linear { backend.alloc(1)? } else { backend.alloc(out)? },
            dz: if linear { backend.alloc(1)? } else { backend.alloc(out)? },
            da: backend.alloc(out)?,
        })
    }

    /// `(weight, bias)` views.
    pub fn param_views(&self) -> (&View<B::Buffer>, &View<B::Buffer>) {
        (&self.weight, &self.bias)
    }

    fn linear(&self) -> bool {
        self.act == Activation::Linear
    }

    pub fn output(&self, rows: usize) -> View<B::Buffer> {
        v(if self.linear() { &self.z } else { &self.a }, 0, rows * self.per_sample_out())
    }

    pub fn output_grad(&self, rows: usize) -> View<B::Buffer> {
        v(&self.da, 0, rows * self.per_sample_out())
    }

    pub fn forward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<()> {
        let op = Conv2d { batch: rows, ..self.op };
        let z = v(&self.z, 0, rows * self.per_sample_out());
        if self.linear() {
            backend.conv2d_forward(op, x, &self.weight, Some(&self.bias), &z)
        } else {
            backend.conv2d_forward_act(op, self.act, x, &self.weight, &self.bias, &z, &self.output(rows))
        }
    }

    pub fn backward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>, dx: Option<&View<B::Buffer>>) -> Result<()> {
        let op = Conv2d { batch: rows, ..self.op };
        let n = rows * self.per_sample_out();
        let dz = v(&self.dz, 0, if self.linear() { 0 } else { n });
        backend.conv2d_backward(ConvGrad {
            op,
            act: self.act,
            x,
            z: &v(&self.z, 0, n),
            y: &self.output(rows),
            dy: &self.output_grad(rows),
            dz: &dz,
            weight: &self.weight,
            dweight: &self.dweight,
            dbias: &self.dbias,
            dx,
        })
    }
}

/// Max or average pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

/// A pooling layer and its scratch.
pub struct Pool<B: Backend> {
    pub kind: PoolKind,
    /// The op for one sample.
    pub op: Pool2d,
    y: B::Buffer,
    argmax: B::Buffer,
    dy: B::Buffer,
}

impl<B: Backend> Pool<B> {
    pub fn new(backend: &mut B, kind: PoolKind, op: Pool2d, capacity: usize) -> Result<Self> {
        let op = Pool2d { batch: 1, ..op };
        let out = capacity * op.y_len();
        Ok(Pool {
            kind,
            op,
            y: backend.alloc(out)?,
            argmax: if kind == PoolKind::Max { backend.alloc(out)? } else { backend.alloc(1)? },
            dy: backend.alloc(out)?,
        })
    }

    /// Output shape `[C, OH, OW]`.
    pub fn out_shape(&self) -> MapShape {
        [self.op.channels, self.op.out_height(), self.op.out_width()]
    }

    pub fn output(&self, rows: usize) -> View<B::Buffer> {
        v(&self.y, 0, rows * self.op.y_len())
    }

    pub fn output_grad(&self, rows: usize) -> View<B::Buffer> {
        v(&self.dy, 0, rows * self.op.y_len())
    }

    pub fn forward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<()> {
        let op = Pool2d { batch: rows, ..self.op };
        match self.kind {
            PoolKind::Max => backend.maxpool2d_forward(op, x, &self.output(rows), &v(&self.argmax, 0, op.y_len())),
            PoolKind::Avg => backend.avgpool2d_forward(op, x, &self.output(rows)),
        }
    }

    pub fn backward(&self, backend: &mut B, rows: usize, dx: Option<&View<B::Buffer>>) -> Result<()> {
        let Some(dx) = dx else { return Ok(()) };
        let op = Pool2d { batch: rows, ..self.op };
        match self.kind {
            PoolKind::Max => backend.maxpool2d_backward(op, &self.output_grad(rows), &v(&self.argmax, 0, op.y_len()), dx),
            PoolKind::Avg => backend.avgpool2d_backward(op, &self.output_grad(rows), dx),
        }
    }
}
