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
pub mod unfused;

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

/// A 2-D convolution over a batch (PyTorch `nn.Conv2d`, `groups = 1`, `dilation = 1`, zero padding).
///
/// Layouts: input `x` is NCHW `[batch, in_channels, height, width]`, weight is OIHW
/// `[out_channels, in_channels, kernel[0], kernel[1]]`, bias `[out_channels]`, output `y` is
/// `[batch, out_channels, out_height, out_width]`, all row-major and contiguous. Index pairs are
/// `[rows, cols]` (`kernel = [kh, kw]`, `stride = [sh, sw]`, `padding = [ph, pw]`, the same padding
/// on both sides). `out_height = (height + 2·ph − kh) / sh + 1` (floor), likewise the width; a
/// shape where the padded input is smaller than the kernel, or a zero stride, is a shape error.
///
/// With `p = (oy·sh + ky − ph, ox·sw + kx − pw)` (outside the input counts as zero):
/// `y[n, o, oy, ox] = bias[o] + Σ_{c, ky, kx} w[o, c, ky, kx] · x[n, c, p]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2d {
    pub batch: usize,
    pub in_channels: usize,
    pub height: usize,
    pub width: usize,
    pub out_channels: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
}

impl Conv2d {
    /// Output rows (0 when the shape is invalid).
    pub fn out_height(&self) -> usize {
        out_size(self.height + 2 * self.padding[0], self.kernel[0], self.stride[0])
    }
    /// Output columns (0 when the shape is invalid).
    pub fn out_width(&self) -> usize {
        out_size(self.width + 2 * self.padding[1], self.kernel[1], self.stride[1])
    }
    /// Floats in `x`.
    pub fn x_len(&self) -> usize {
        self.batch * self.in_channels * self.height * self.width
    }
    /// Floats in the weight.
    pub fn weight_len(&self) -> usize {
        self.out_channels * self.in_channels * self.kernel[0] * self.kernel[1]
    }
    /// Floats in `y`.
    pub fn y_len(&self) -> usize {
        self.batch * self.out_channels * self.out_height() * self.out_width()
    }
}

/// A 2-D pooling window over a batch of NCHW maps (PyTorch `MaxPool2d` / `AvgPool2d` with no
/// padding, `ceil_mode = False`, `dilation = 1`): `out_height = (height − kh) / sh + 1` (floor),
/// likewise the width; a kernel larger than the input or a zero stride is a shape error. Output
/// `[batch, channels, out_height, out_width]`; rows and columns that do not fill a window are
/// dropped. Windows may overlap (`stride < kernel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pool2d {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
}

impl Pool2d {
    /// Output rows (0 when the shape is invalid).
    pub fn out_height(&self) -> usize {
        out_size(self.height, self.kernel[0], self.stride[0])
    }
    /// Output columns (0 when the shape is invalid).
    pub fn out_width(&self) -> usize {
        out_size(self.width, self.kernel[1], self.stride[1])
    }
    /// Floats in `x`.
    pub fn x_len(&self) -> usize {
        self.batch * self.channels * self.height * self.width
    }
    /// Floats in `y`.
    pub fn y_len(&self) -> usize {
        self.batch * self.channels * self.out_height() * self.out_width()
    }
}

/// `(size − kernel) / stride + 1`, or 0 when the window does not fit or the stride is 0.
pub fn out_size(size: usize, kernel: usize, stride: usize) -> usize {
    if stride == 0 || kernel == 0 || kernel > size { 0 } else { (size - kernel) / stride + 1 }
}

/// One time step of a gated recurrent cell over `batch` rows with `hidden` units (PyTorch
/// `nn.LSTM` / `nn.GRU` gate orders). Every matrix is row-major `[batch, width]`.
///
/// How a layer runs a sequence (time-major: step `t`'s rows are contiguous; use `gather_rows` to
/// turn batch-first `[N, T, I]` into `[T, N, I]` and back):
/// 1. all steps' input projections at once: `gemm(x·W_ihᵀ + b_ih)` → `gates [T, N, G·H]`;
/// 2. per step, the hidden projection `h_{t−1}·W_hhᵀ + b_hh`: for the LSTM `gemm` *accumulates* it
///    onto `gates[t]` (so `gates[t]` holds full pre-activations); for the GRU it goes to a separate
///    `hp[t] [N, 3H]` (PyTorch's `b_hn` sits inside `r ⊙ (…)`, so the n-part must stay apart);
/// 3. the cell op below turns the pre-activations into the new state and leaves the *activated*
///    gates in `gates[t]` for the backward pass.
///
/// The plain tanh RNN needs no cell op: `gemm` accumulates `h_{t−1}·W_hhᵀ + b_hh` onto `x·W_ihᵀ + b_ih`
/// and `act_forward`/`act_backward` with `Activation::Tanh` do the rest.
///
/// Backward, per step from the last: the cell-backward op turns `gates[t]` into the gradients of
/// the pre-activations (in place); `gemm` accumulates `dgates[t]·W_hh` into `dh_{t−1}`; after the
/// loop one `gemm` each gives `dW_ih = dGatesᵀ·X`, `dW_hh = dGatesᵀ·H_prev` (GRU: `dHpᵀ·H_prev`),
/// `dx = dGates·W_ih`, and `col_sum` the biases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RnnCell {
    pub batch: usize,
    pub hidden: usize,
}

impl RnnCell {
    /// Floats in one `[batch, hidden]` state.
    pub fn state_len(&self) -> usize {
        self.batch * self.hidden
    }
}

/// The views of a dense layer's backward pass (see [`Backend::dense_backward`]): `y = f(z)`,
/// `z = x·Wᵀ + b` over `rows` rows, `fan_in` inputs and `units` outputs, with `f` elementwise and
/// without parameters (not softmax, maxout or PReLU).
#[derive(Clone, Copy, Debug)]
pub struct DenseGrad<'a, Bf> {
    pub rows: usize,
    pub fan_in: usize,
    pub units: usize,
    pub act: Activation,
    /// `[rows, fan_in]`, the forward input.
    pub x: &'a View<Bf>,
    /// `[rows, units]` pre-activations, as [`Backend::dense_forward`] left them.
    pub z: &'a View<Bf>,
    /// `[rows, units]` outputs (for a linear layer, `z` itself).
    pub y: &'a View<Bf>,
    /// `[rows, units]` gradient with respect to `y` (read).
    pub dy: &'a View<Bf>,
    /// `[rows, units]` scratch for the gradient with respect to `z` (unused when linear).
    pub dz: &'a View<Bf>,
    /// `[units, fan_in]`.
    pub weight: &'a View<Bf>,
    /// `[units, fan_in]` and `[units]`, overwritten (they may share a buffer).
    pub dweight: &'a View<Bf>,
    pub dbias: &'a View<Bf>,
    /// `[rows, fan_in]`, overwritten when given.
    pub dx: Option<&'a View<Bf>>,
}

/// The views of a convolution layer's backward pass (see [`Backend::conv2d_backward`]):
/// `y = f(z)`, `z = conv(x) + bias`, `f` elementwise without parameters.
#[derive(Clone, Copy, Debug)]
pub struct ConvGrad<'a, Bf> {
    pub op: Conv2d,
    pub act: Activation,
    pub x: &'a View<Bf>,
    /// Pre-activations, as [`Backend::conv2d_forward_act`] left them.
    pub z: &'a View<Bf>,
    /// Outputs (for a linear layer, `z` itself).
    pub y: &'a View<Bf>,
    pub dy: &'a View<Bf>,
    /// Scratch for the gradient with respect to `z` (unused when linear).
    pub dz: &'a View<Bf>,
    pub weight: &'a View<Bf>,
    /// Overwritten (they may share a buffer).
    pub dweight: &'a View<Bf>,
    pub dbias: &'a View<Bf>,
    /// Overwritten when given.
    pub dx: Option<&'a View<Bf>>,
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

    // ---- Convolution, pooling and recurrent cells -------------------------------------------
    //
    // These ops have default bodies that return `EngineError::Unsupported`, so a backend that
    // lacks them still compiles; the CPU backend (the reference) implements them all. Every one
    // is written so that each output element can be computed by one GPU thread (no float
    // atomics) and binds at most four storage views. Written views are overwritten, never
    // accumulated into, unless a doc comment says otherwise.

    /// Convolution forward, see [`Conv2d`]: `x [N,C,H,W]`, `weight [O,C,KH,KW]`, optional
    /// `bias [O]` (absent = zeros) → `y [N,O,OH,OW]` (overwritten).
    fn conv2d_forward(
        &mut self,
        op: Conv2d,
        x: &View<Self::Buffer>,
        weight: &View<Self::Buffer>,
        bias: Option<&View<Self::Buffer>>,
        y: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (op, x, weight, bias, y);
        Err(unsupported(self, "conv2d_forward"))
    }

    /// Convolution backward to the input: `dx[n,c,iy,ix] = Σ_{o,ky,kx} w[o,c,ky,kx] · dy[n,o,oy,ox]`
    /// over the `(oy, ox)` with `oy·sh + ky − ph = iy` and `ox·sw + kx − pw = ix` (a transposed
    /// convolution; one thread per `dx` element gathers its terms). `dy [N,O,OH,OW]`,
    /// `weight [O,C,KH,KW]` → `dx [N,C,H,W]` (overwritten).
    fn conv2d_backward_data(
        &mut self,
        op: Conv2d,
        dy: &View<Self::Buffer>,
        weight: &View<Self::Buffer>,
        dx: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (op, dy, weight, dx);
        Err(unsupported(self, "conv2d_backward_data"))
    }

    /// Convolution backward to the parameters:
    /// `dweight[o,c,ky,kx] = Σ_{n,oy,ox} dy[n,o,oy,ox] · x[n,c,oy·sh+ky−ph, ox·sw+kx−pw]` (zero
    /// outside the input) and, when `dbias` is given, `dbias[o] = Σ_{n,oy,ox} dy[n,o,oy,ox]`.
    /// `x [N,C,H,W]`, `dy [N,O,OH,OW]` → `dweight [O,C,KH,KW]`, `dbias [O]` (both overwritten).
    /// `dweight` and `dbias` are written views, so they may not share a buffer: when they do (as
    /// in the model's flat gradient buffer), pass `None` here and use
    /// [`Backend::conv2d_backward_bias`].
    fn conv2d_backward_params(
        &mut self,
        op: Conv2d,
        x: &View<Self::Buffer>,
        dy: &View<Self::Buffer>,
        dweight: &View<Self::Buffer>,
        dbias: Option<&View<Self::Buffer>>,
    ) -> Result<()> {
        let _ = (op, x, dy, dweight, dbias);
        Err(unsupported(self, "conv2d_backward_params"))
    }

    /// Convolution backward to the bias: `dbias[o] = Σ_{n,oy,ox} dy[n,o,oy,ox]` (one thread per
    /// channel). A separate op because the weight and bias gradients sit in one flat gradient
    /// buffer, and two written views of one op may not share a buffer. `dy [N,O,OH,OW]` →
    /// `dbias [O]` (overwritten).
    fn conv2d_backward_bias(&mut self, op: Conv2d, dy: &View<Self::Buffer>, dbias: &View<Self::Buffer>) -> Result<()> {
        let _ = (op, dy, dbias);
        Err(unsupported(self, "conv2d_backward_bias"))
    }

    /// Max pooling forward, see [`Pool2d`]: `y[n,c,oy,ox]` is the largest `x[n,c,oy·sh+ky, ox·sw+kx]`
    /// over the window, and `argmax` (same shape as `y`) receives its position *within the input
    /// plane*, `iy·W + ix`, stored as a float. Ties go to the first in row-major window order
    /// (`ky` outer, `kx` inner; a later value wins only if strictly greater); a NaN wins if seen first.
    /// `x [N,C,H,W]` → `y`, `argmax` `[N,C,OH,OW]` (overwritten).
    fn maxpool2d_forward(
        &mut self,
        op: Pool2d,
        x: &View<Self::Buffer>,
        y: &View<Self::Buffer>,
        argmax: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (op, x, y, argmax);
        Err(unsupported(self, "maxpool2d_forward"))
    }

    /// Max pooling backward: `dx[n,c,iy,ix] = Σ dy[n,c,oy,ox]` over the windows `(oy, ox)` that
    /// contain `(iy, ix)` and whose `argmax` equals `iy·W + ix` (overlapping windows may both route
    /// to one input; one thread per `dx` element gathers them). `dy`, `argmax` `[N,C,OH,OW]` →
    /// `dx [N,C,H,W]` (overwritten; inputs that no window picked get 0).
    fn maxpool2d_backward(
        &mut self,
        op: Pool2d,
        dy: &View<Self::Buffer>,
        argmax: &View<Self::Buffer>,
        dx: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (op, dy, argmax, dx);
        Err(unsupported(self, "maxpool2d_backward"))
    }

    /// Average pooling forward: `y[n,c,oy,ox] = (1 / (kh·kw)) · Σ_{ky,kx} x[n,c,oy·sh+ky, ox·sw+kx]`.
    /// `x [N,C,H,W]` → `y [N,C,OH,OW]` (overwritten).
    fn avgpool2d_forward(&mut self, op: Pool2d, x: &View<Self::Buffer>, y: &View<Self::Buffer>) -> Result<()> {
        let _ = (op, x, y);
        Err(unsupported(self, "avgpool2d_forward"))
    }

    /// Average pooling backward: `dx[n,c,iy,ix] = (1 / (kh·kw)) · Σ dy[n,c,oy,ox]` over the windows
    /// that contain `(iy, ix)` (0 for inputs in no window). `dy [N,C,OH,OW]` → `dx [N,C,H,W]`
    /// (overwritten).
    fn avgpool2d_backward(&mut self, op: Pool2d, dy: &View<Self::Buffer>, dx: &View<Self::Buffer>) -> Result<()> {
        let _ = (op, dy, dx);
        Err(unsupported(self, "avgpool2d_backward"))
    }

    /// One LSTM step (see [`RnnCell`]; `H = hidden`, one thread per `(row, unit j)`).
    ///
    /// - `gates [N, 4H]`, read and written: on entry the pre-activations
    ///   `x·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh` in blocks i, f, g, o (columns `j`, `H+j`, `2H+j`,
    ///   `3H+j`); on exit the activated gates `i = σ(·)`, `f = σ(·)`, `g = tanh(·)`, `o = σ(·)`
    ///   in the same places.
    /// - `c [2·N·H]`, read and written: the first `N·H` floats hold `c_{t−1}` (read), the second
    ///   `N·H` receive `c_t = f⊙c_{t−1} + i⊙g`.
    /// - `h [N, H]`, written: `h_t = o⊙tanh(c_t)`.
    fn lstm_cell_forward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        c: &View<Self::Buffer>,
        h: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (cell, gates, c, h);
        Err(unsupported(self, "lstm_cell_forward"))
    }

    /// One LSTM step backward (one thread per `(row, unit j)`).
    ///
    /// - `gates [N, 4H]`, read and written: on entry the activated gates i, f, g, o saved by
    ///   [`Backend::lstm_cell_forward`]; on exit the gradients of their pre-activations:
    ///   with `tc = tanh(c_t)`, `dc = dc_in + dh⊙o⊙(1 − tc²)`:
    ///   `di = dc⊙g⊙i(1−i)`, `df = dc⊙c_{t−1}⊙f(1−f)`, `dg = dc⊙i⊙(1−g²)`, `do = dh⊙tc⊙o(1−o)`.
    /// - `c [2·N·H]`, read: `c_{t−1}` then `c_t` (as written by the forward op).
    /// - `dh [N, H]`, read: the whole gradient reaching `h_t` (from the output at `t` and from
    ///   step `t+1`).
    /// - `dc [N, H]`, read and written: on entry the gradient reaching `c_t` from step `t+1`
    ///   (zeros, or the upstream `c_n` gradient, at the last step); on exit the gradient of
    ///   `c_{t−1}`: `dc⊙f` (with `dc` as above).
    fn lstm_cell_backward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        c: &View<Self::Buffer>,
        dh: &View<Self::Buffer>,
        dc: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (cell, gates, c, dh, dc);
        Err(unsupported(self, "lstm_cell_backward"))
    }

    /// One GRU step (one thread per `(row, unit j)`; blocks r, z, n at columns `j`, `H+j`, `2H+j`).
    ///
    /// - `gates [N, 3H]`, read and written: on entry `x·W_ihᵀ + b_ih`; on exit the activated gates
    ///   `r = σ(gx_r + hp_r)`, `z = σ(gx_z + hp_z)`, `n = tanh(gx_n + r⊙hp_n)`.
    /// - `hp [N, 3H]`, read: `h_{t−1}·W_hhᵀ + b_hh`.
    /// - `h [2·N·H]`, read and written: the first `N·H` floats hold `h_{t−1}` (read), the second
    ///   `N·H` receive `h_t = (1 − z)⊙n + z⊙h_{t−1}`.
    fn gru_cell_forward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        hp: &View<Self::Buffer>,
        h: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (cell, gates, hp, h);
        Err(unsupported(self, "gru_cell_forward"))
    }

    /// One GRU step backward (one thread per `(row, unit j)`).
    ///
    /// With `δ = dh_t` (read from the second half of `dh`), `dn = δ⊙(1−z)⊙(1−n²)`,
    /// `dz = δ⊙(h_{t−1} − n)⊙z(1−z)`, `dr = dn⊙hp_n⊙r(1−r)`:
    /// - `gates [N, 3H]`, read and written: on entry r, z, n saved by [`Backend::gru_cell_forward`];
    ///   on exit the gradient of `x·W_ihᵀ + b_ih`: blocks `dr, dz, dn`.
    /// - `hp [N, 3H]`, read and written: on entry `h_{t−1}·W_hhᵀ + b_hh`; on exit the gradient of
    ///   it: blocks `dr, dz, dn⊙r`.
    /// - `h_prev [N, H]`, read: `h_{t−1}`.
    /// - `dh [2·N·H]`, read and written: the second `N·H` floats hold `dh_t`, the whole gradient
    ///   reaching `h_t` (read); `δ⊙z` is *added* to the first `N·H` floats (the gradient reaching
    ///   `h_{t−1}`, which the caller completes with `gemm(dhp·W_hh)`, accumulated).
    fn gru_cell_backward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        hp: &View<Self::Buffer>,
        h_prev: &View<Self::Buffer>,
        dh: &View<Self::Buffer>,
    ) -> Result<()> {
        let _ = (cell, gates, hp, h_prev, dh);
        Err(unsupported(self, "gru_cell_backward"))
    }

    // ---- Fused layer ops ------------------------------------------------------------------------
    //
    // Each has a default body made of the ops above, in `unfused.rs` (the CPU backend uses it, so
    // its results are those of the separate ops); a backend may record fewer dispatches. Where a backend fuses an
    // activation into the forward op it may leave `z` unwritten, so the backward pass of a layer
    // whose forward went through one of these ops must go through the matching backward op,
    // which then reads only `y`.

    /// A dense layer's forward: `z = x·Wᵀ + b` (the [`Gemm`] `g`, `trans_b`, with `bias`), then
    /// `y = f(z)` for an elementwise `act` without parameters (not linear, softmax, maxout or PReLU).
    #[allow(clippy::too_many_arguments)]
    fn dense_forward(
        &mut self,
        g: Gemm,
        act: Activation,
        x: &View<Self::Buffer>,
        weight: &View<Self::Buffer>,
        bias: &View<Self::Buffer>,
        z: &View<Self::Buffer>,
        y: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::dense_forward(self, g, act, x, weight, bias, z, y)
    }

    /// A dense layer's backward pass, see [`DenseGrad`]: `dz = dy·f′(z)`, `dW = dzᵀ·x`,
    /// `db = Σ_rows dz`, and `dx = dz·W` when `dx` is given.
    fn dense_backward(&mut self, d: DenseGrad<'_, Self::Buffer>) -> Result<()> {
        unfused::dense_backward(self, d)
    }

    /// A convolution layer's forward: `z = conv(x) + bias`, then `y = f(z)` for an elementwise
    /// `act` without parameters (not linear).
    #[allow(clippy::too_many_arguments)]
    fn conv2d_forward_act(
        &mut self,
        op: Conv2d,
        act: Activation,
        x: &View<Self::Buffer>,
        weight: &View<Self::Buffer>,
        bias: &View<Self::Buffer>,
        z: &View<Self::Buffer>,
        y: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::conv2d_forward_act(self, op, act, x, weight, bias, z, y)
    }

    /// A convolution layer's backward pass, see [`ConvGrad`]: `dz = dy·f′(z)`, then the weight,
    /// bias and (when `dx` is given) input gradients.
    fn conv2d_backward(&mut self, d: ConvGrad<'_, Self::Buffer>) -> Result<()> {
        unfused::conv2d_backward(self, d)
    }

    /// One LSTM step with its hidden projection: `gates += h_{t−1}·W_hhᵀ + b_hh` (a [`Gemm`]
    /// accumulating onto the input projection), then [`Backend::lstm_cell_forward`]. `h [2·N·H]`
    /// holds `h_{t−1}` (read) then receives `h_t`; `w_hh [4H, H]`, `b_hh [4H]`.
    fn lstm_step_forward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        c: &View<Self::Buffer>,
        h: &View<Self::Buffer>,
        w_hh: &View<Self::Buffer>,
        b_hh: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::lstm_step_forward(self, cell, gates, c, h, w_hh, b_hh)
    }

    /// One LSTM step backward: when `next_gates` (step `t+1`'s pre-activation gradients) is
    /// given, first `dh += next_gates·W_hh` (a [`Gemm`] accumulating into the gradient reaching
    /// `h_t`), then [`Backend::lstm_cell_backward`]. `dh` and `dc` may share a buffer (disjoint
    /// ranges), as may `gates` and `next_gates`.
    #[allow(clippy::too_many_arguments)]
    fn lstm_step_backward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        next_gates: Option<&View<Self::Buffer>>,
        c: &View<Self::Buffer>,
        dh: &View<Self::Buffer>,
        dc: &View<Self::Buffer>,
        w_hh: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::lstm_step_backward(self, cell, gates, next_gates, c, dh, dc, w_hh)
    }

    /// One plain (tanh) RNN step with its hidden projection: `gates += h_{t−1}·W_hhᵀ + b_hh` (a
    /// [`Gemm`] accumulating onto the input projection; `gates [N, H]` keeps the pre-activation),
    /// then `h_t = tanh(gates)`. `h [2·N·H]` holds `h_{t−1}` (read) then receives `h_t`;
    /// `w_hh [H, H]`, `b_hh [H]`.
    fn rnn_step_forward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        h: &View<Self::Buffer>,
        w_hh: &View<Self::Buffer>,
        b_hh: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::rnn_step_forward(self, cell, gates, h, w_hh, b_hh)
    }

    /// One plain RNN step backward: when `next_d` (step `t+1`'s pre-activation gradient) is
    /// given, first `dh += next_d·W_hh` (completing the gradient reaching `h_t`), then
    /// `d = dh⊙(1 − h_t²)`. `gates [N, H]` is the pre-activation saved by
    /// [`Backend::rnn_step_forward`], `h [N, H]` is `h_t`, `dh [N, H]` is read and written, `d
    /// [N, H]` is written; `d` and `next_d` may share a buffer (disjoint ranges).
    #[allow(clippy::too_many_arguments)]
    fn rnn_step_backward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        next_d: Option<&View<Self::Buffer>>,
        h: &View<Self::Buffer>,
        dh: &View<Self::Buffer>,
        d: &View<Self::Buffer>,
        w_hh: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::rnn_step_backward(self, cell, gates, next_d, h, dh, d, w_hh)
    }

    /// One GRU step with its hidden projection: `hp = h_{t−1}·W_hhᵀ + b_hh` (a [`Gemm`];
    /// `hp [N, 3H]` is kept for the backward pass), then [`Backend::gru_cell_forward`]. `h [2·N·H]`
    /// holds `h_{t−1}` (read) then receives `h_t`; `w_hh [3H, H]`, `b_hh [3H]`.
    fn gru_step_forward(
        &mut self,
        cell: RnnCell,
        gates: &View<Self::Buffer>,
        hp: &View<Self::Buffer>,
        h: &View<Self::Buffer>,
        w_hh: &View<Self::Buffer>,
        b_hh: &View<Self::Buffer>,
    ) -> Result<()> {
        unfused::gru_step_forward(self, cell, gates, hp, h, w_hh, b_hh)
    }
}

/// The error of an op a backend does not implement.
pub fn unsupported<B: Backend + ?Sized>(backend: &B, op: &str) -> crate::error::EngineError {
    crate::error::EngineError::Unsupported(format!("{op} on {}", backend.describe()))
}
