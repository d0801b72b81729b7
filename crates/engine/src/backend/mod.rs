//! The one seam between the math and the hardware.
//!
//! A [`Backend`] owns device buffers of `f32` and records ops on them. Layers, losses, optimizers, the
//! trainer and the conformance runner are written once against this trait; they never know whether
//! the CPU (the reference implementation, and the browser's fallback) or the GPU (WGSL compute
//! shaders through wgpu) runs them. Nothing outside this module names a wgpu type.
//!
//! Ops are *recorded*: on the GPU they go into a command encoder and run when [`Backend::submit`]
//! (or a read) flushes them, so a whole training step is one submission; on the CPU they run at once.
//! Results come back only through the asynchronous [`Backend::read`], so nothing blocks the
//! browser's event loop.
//!
//! Every op addresses memory through [`View`]s: a buffer handle plus an offset and a length in floats,
//! so that all parameters can live in one flat buffer that one fused optimizer kernel updates.
//! Within one op, a view that is written must not share a buffer with any other view of that op.
//! Matrices are row-major.

pub mod cpu;
pub mod gpu;

use std::future::Future;

use crate::activation::Activation;
use crate::error::Result;
use crate::loss::LossKind;
use crate::optim::OptimStep;

/// `len` floats starting `offset` floats into `buf`.
#[derive(Clone, Debug)]
pub struct View<B> {
    pub buf: B,
    pub offset: usize,
    pub len: usize,
}

impl<B: Clone> View<B> {
    /// The whole of a buffer of `len` floats.
    pub fn whole(buf: B, len: usize) -> Self {
        View { buf, offset: 0, len }
    }

    /// `len` floats starting `offset` floats into this view.
    pub fn sub(&self, offset: usize, len: usize) -> Self {
        debug_assert!(offset + len <= self.len, "sub-view out of range");
        View { buf: self.buf.clone(), offset: self.offset + offset, len }
    }
}

/// `C[m×n] = op(A)·op(B) (+ bias broadcast over rows) (+ C if accumulate)`, where `op(A)` is `m×k`
/// (`A` stored `k×m` when `trans_a`) and `op(B)` is `k×n` (`B` stored `n×k` when `trans_b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gemm {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub trans_a: bool,
    pub trans_b: bool,
    pub accumulate: bool,
}

/// An activation applied to a `rows × cols` matrix (`cols` is the *input* width; maxout's output is
/// `cols / pieces` wide, every other activation keeps the width).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActOp {
    pub act: Activation,
    pub rows: usize,
    pub cols: usize,
}

/// What the loss op computes for a batch of `rows` predictions of width `cols`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LossOp {
    pub kind: LossKind,
    pub rows: usize,
    pub cols: usize,
}

/// The device side of the engine. See the module documentation for the rules every op follows.
pub trait Backend {
    /// A cheap, clonable handle to a device buffer of `f32`.
    type Buffer: Clone;

    /// A one-line description for the page: "WebGPU: <adapter>" or "CPU".
    fn describe(&self) -> String;

    /// A new zeroed buffer of `len` floats.
    fn alloc(&mut self, len: usize) -> Result<Self::Buffer>;
    /// Overwrites a view with host data (`data.len() == view.len`), ordered with the recorded ops.
    fn write(&mut self, dst: &View<Self::Buffer>, data: &[f32]) -> Result<()>;
    /// Sets every element of a view to `value`.
    fn fill(&mut self, dst: &View<Self::Buffer>, value: f32) -> Result<()>;
    /// Copies `src` into `dst` (same length, different buffers or disjoint ranges).
    fn copy(&mut self, src: &View<Self::Buffer>, dst: &View<Self::Buffer>) -> Result<()>;
    /// Runs everything recorded so far.
    fn submit(&mut self) -> Result<()>;
    /// Submits, then reads a view back to the host without blocking the event loop.
    fn read(&mut self, src: &View<Self::Buffer>) -> impl Future<Output = Result<Vec<f32>>>;

    /// Matrix product, see [`Gemm`]. `bias` has `n` floats.
    fn gemm(
        &mut self,
        g: Gemm,
        a: &View<Self::Buffer>,
        b: &View<Self::Buffer>,
        bias: Option<&View<Self::Buffer>>,
        c: &View<Self::Buffer>,
    ) -> Result<()>;

    /// `y = f(x)`. `alpha` is PReLU's learned slope per column (required for PReLU only).
    fn act_forward(
        &mut self,
        op: ActOp,
        x: &View<Self::Buffer>,
        alpha: Option<&View<Self::Buffer>>,
        y: &View<Self::Buffer>,
    ) -> Result<()>;

    /// `dx = dy · ∂y/∂x`, given the forward input `x` and output `y`. For PReLU, `dalpha`
    /// (one float per column) receives the slope gradient summed over rows (overwritten, not added).
    #[allow(clippy::too_many_arguments)]
    fn act_backward(
        &mut self,
        op: ActOp,
        x: &View<Self::Buffer>,
        y: &View<Self::Buffer>,
        dy: &View<Self::Buffer>,
        alpha: Option<&View<Self::Buffer>>,
        dx: &View<Self::Buffer>,
        dalpha: Option<&View<Self::Buffer>>,
    ) -> Result<()>;

    /// `out[j] (+)= Σ_i x[i, j]` over a `rows × cols` matrix: the bias gradient.
    fn col_sum(
        &mut self,
        x: &View<Self::Buffer>,
        rows: usize,
        cols: usize,
        out: &View<Self::Buffer>,
        accumulate: bool,
    ) -> Result<()>;

    /// The batch-mean loss of `pred` (logits for the cross-entropies) against `target` into
    /// `loss[0]`, and its gradient with respect to `pred` into `dpred`. Softmax cross-entropy takes
    /// `target` as one class index per row (stored as a float); the others take `rows × cols` targets.
    fn loss(
        &mut self,
        op: LossOp,
        pred: &View<Self::Buffer>,
        target: &View<Self::Buffer>,
        dpred: &View<Self::Buffer>,
        loss: &View<Self::Buffer>,
    ) -> Result<()>;

    /// How many rows of `pred` are right: argmax against the class index for softmax
    /// cross-entropy; the sign of the logit (sigmoid BCE) or the nearest of {-1, 1} (MSE on ±1
    /// labels, as TensorFlow Playground does) against the target otherwise. Written to `out[0]`.
    fn count_correct(
        &mut self,
        op: LossOp,
        pred: &View<Self::Buffer>,
        target: &View<Self::Buffer>,
        out: &View<Self::Buffer>,
    ) -> Result<()>;

    /// `dst[r, :] = src[index[r], :]` for each of the `index.len` rows (indices stored as floats).
    fn gather_rows(
        &mut self,
        src: &View<Self::Buffer>,
        cols: usize,
        index: &View<Self::Buffer>,
        dst: &View<Self::Buffer>,
    ) -> Result<()>;

    /// One optimizer step over a flat parameter view, its gradient and its state (`m` for
    /// momentum and Adam, `v` for Adam; both the length of `param`). See [`OptimStep`].
    fn optim_step(
        &mut self,
        step: &OptimStep,
        param: &View<Self::Buffer>,
        grad: &View<Self::Buffer>,
        m: &View<Self::Buffer>,
        v: &View<Self::Buffer>,
    ) -> Result<()>;
}
