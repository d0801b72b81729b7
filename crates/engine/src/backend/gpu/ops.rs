//! [`Backend`] for [`GpuBackend`]: checks every view against the op's shapes (a bad shape is an
//! [`EngineError::Shape`], never a device validation error), packs the op's sizes and offsets
//! into its uniform and records its kernels.

use std::future::Future;

use super::GpuBackend;
use super::buffer::GpuBuffer;
use super::kernels::Kernel;
use super::readback::read_f32;
use super::recorder::grid;
use crate::activation::Activation;
use crate::backend::{ActOp, Backend, Conv2d, Gemm, LossOp, Pool2d, RnnCell, View};
use crate::error::{EngineError, Result};
use crate::loss::LossKind;
use crate::optim::{OptimKind, OptimStep};

type V = View<GpuBuffer>;

/// Products of at most this many multiply-adds go to gemm_small.wgsl (one thread per output, no
/// barriers); larger ones to the tiled gemm.wgsl.
const SMALL_GEMM: u64 = 1 << 15;

fn shape(op: &'static str, detail: String) -> EngineError {
    EngineError::Shape { op, detail }
}

/// `a·b`, or a shape error where it overflows (sizes can come from user-built models).
fn mul(op: &'static str, a: usize, b: usize) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| shape(op, format!("{a}×{b} floats overflow")))
}

/// The view lies inside its buffer.
fn inside(op: &'static str, name: &str, v: &V) -> Result<()> {
    if v.offset.checked_add(v.len).is_none_or(|end| end > v.buf.len()) {
        return Err(shape(
            op,
            format!("{name} [{}, +{}) runs past its buffer of {} floats", v.offset, v.len, v.buf.len()),
        ));
    }
    Ok(())
}

/// The view has `want` floats and lies inside its buffer.
fn sized(op: &'static str, name: &str, v: &V, want: usize) -> Result<()> {
    if v.len != want {
        return Err(shape(op, format!("{name} has {} floats, expected {want}", v.len)));
    }
    inside(op, name, v)
}

/// A written view shares no buffer with the op's other views (WebGPU forbids binding a buffer
/// as writable together with any other binding of it).
fn apart(op: &'static str, written: (&str, &V), others: &[(&str, Option<&V>)]) -> Result<()> {
    for (name, other) in others {
        if let Some(o) = other
            && o.buf.id() == written.1.buf.id()
        {
            return Err(shape(op, format!("{} shares a buffer with {name}", written.0)));
        }
    }
    Ok(())
}

/// Offsets and sizes in the uniforms; buffers are bounded by the binding limit, so they fit.
fn u(x: usize) -> u32 {
    x as u32
}

fn f(x: f32) -> u32 {
    x.to_bits()
}

/// The activation's code in act_forward.wgsl / act_backward.wgsl, its scalar and its pieces.
fn act_code(act: Activation) -> (u32, f32, u32) {
    match act {
        Activation::Linear => (0, 0.0, 1),
        Activation::BinaryStep => (1, 0.0, 1),
        Activation::Sigmoid => (2, 0.0, 1),
        Activation::Tanh => (3, 0.0, 1),
        Activation::Relu => (4, 0.0, 1),
        Activation::LeakyRelu { alpha } => (5, alpha, 1),
        Activation::Prelu => (6, 0.0, 1),
        Activation::Elu { alpha } => (7, alpha, 1),
        Activation::Swish { beta } => (8, beta, 1),
        Activation::Maxout { pieces } => (9, 0.0, pieces),
        Activation::Softmax => (10, 0.0, 1),
    }
}

fn loss_code(kind: LossKind) -> u32 {
    match kind {
        LossKind::Mse => 0,
        LossKind::SoftmaxCrossEntropy => 1,
        LossKind::SigmoidBce => 2,
    }
}

/// Output width of an activation over `cols` inputs; checks maxout's pieces divide them.
fn out_cols(op: &'static str, a: ActOp) -> Result<usize> {
    match a.act {
        Activation::Maxout { pieces } => {
            let p = pieces as usize;
            if p == 0 || !a.cols.is_multiple_of(p) {
                return Err(shape(op, format!("maxout with {pieces} pieces over {} columns", a.cols)));
            }
            Ok(a.cols / p)
        }
        _ => Ok(a.cols),
    }
}

/// Workgroups of `size` threads covering `items`.
fn groups(op: &'static str, items: usize, size: usize) -> Result<(u32, u32)> {
    grid(op, items.div_ceil(size))
}

/// Checks a convolution's shape (non-zero strides, a kernel that fits the padded input, no
/// overflowing sizes) and returns `(oh, ow)`.
fn conv_shape(op: &'static str, c: &Conv2d) -> Result<(usize, usize)> {
    let [kh, kw] = c.kernel;
    let [sh, sw] = c.stride;
    let [ph, pw] = c.padding;
    let padded_h = c.height.checked_add(mul(op, 2, ph)?).ok_or_else(|| shape(op, "padded height overflows".into()))?;
    let padded_w = c.width.checked_add(mul(op, 2, pw)?).ok_or_else(|| shape(op, "padded width overflows".into()))?;
    if sh == 0 || sw == 0 || kh == 0 || kw == 0 || kh > padded_h || kw > padded_w {
        return Err(shape(op, format!("{c:?}: the kernel does not fit the padded input, or a stride is 0")));
    }
    let (oh, ow) = ((padded_h - kh) / sh + 1, (padded_w - kw) / sw + 1);
    // Pairs too, so that a batch or a channel count of 0 cannot hide an overflowing plane.
    for (a, b) in [(c.height, c.width), (oh, ow)] {
        mul(op, a, b)?;
    }
    mul(op, c.in_channels, mul(op, kh, kw)?)?;
    for dims in [
        [c.batch, c.in_channels, c.height, c.width],
        [c.out_channels, c.in_channels, kh, kw],
        [c.batch, c.out_channels, oh, ow],
    ] {
        dims.iter().try_fold(1usize, |a, &d| mul(op, a, d))?;
    }
    Ok((oh, ow))
}

/// The uniform shared by the three convolution kernels: sizes, strides, paddings, then the
/// kernel's own offsets and flags.
fn conv_params(c: &Conv2d, oh: usize, ow: usize, tail: &[u32]) -> Vec<u32> {
    let mut p = vec![
        u(c.batch),
        u(c.in_channels),
        u(c.height),
        u(c.width),
        u(c.out_channels),
        u(c.kernel[0]),
        u(c.kernel[1]),
        u(oh),
        u(ow),
        u(c.stride[0]),
        u(c.stride[1]),
        u(c.padding[0]),
        u(c.padding[1]),
    ];
    p.extend_from_slice(tail);
    p
}

/// Checks a pooling shape (a window that fits, non-zero strides, no overflow); returns `(oh, ow)`.
fn pool_shape(op: &'static str, p: &Pool2d) -> Result<(usize, usize)> {
    let [kh, kw] = p.kernel;
    let [sh, sw] = p.stride;
    if sh == 0 || sw == 0 || kh == 0 || kw == 0 || kh > p.height || kw > p.width {
        return Err(shape(op, format!("{p:?}: the window does not fit the input, or a stride is 0")));
    }
    mul(op, p.height, p.width)?;
    mul(op, p.kernel[0], p.kernel[1])?;
    [p.batch, p.channels, p.height, p.width].iter().try_fold(1usize, |a, &d| mul(op, a, d))?;
    Ok(((p.height - kh) / sh + 1, (p.width - kw) / sw + 1))
}

fn pool_params(p: &Pool2d, oh: usize, ow: usize) -> [u32; 8] {
    [u(p.height), u(p.width), u(p.kernel[0]), u(p.kernel[1]), u(p.stride[0]), u(p.stride[1]), u(oh), u(ow)]
}

/// Checks a recurrent cell's state size; returns `N·H`.
fn cell_state(op: &'static str, cell: &RnnCell, gates_per_unit: usize) -> Result<usize> {
    let state = mul(op, cell.batch, cell.hidden)?;
    mul(op, state, gates_per_unit)?;
    Ok(state)
}

impl Backend for GpuBackend {
    type Buffer = GpuBuffer;

    fn describe(&self) -> String {
        format!("WebGPU: {}", self.adapter)
    }

    fn alloc(&mut self, len: usize) -> Result<GpuBuffer> {
        self.rec.new_buffer(len)
    }

    fn write(&mut self, dst: &V, data: &[f32]) -> Result<()> {
        sized("write", "dst", dst, data.len())?;
        self.rec.upload(&dst.buf, dst.offset, data)
    }

    fn fill(&mut self, dst: &V, value: f32) -> Result<()> {
        inside("fill", "dst", dst)?;
        if value.to_bits() == 0 {
            self.rec.clear(&dst.buf, dst.offset, dst.len);
            return Ok(());
        }
        let g = groups("fill", dst.len, 256)?;
        self.rec.dispatch(Kernel::Fill, &[u(dst.offset), u(dst.len), f(value)], &[&dst.buf], g)
    }

    fn copy(&mut self, src: &V, dst: &V) -> Result<()> {
        const OP: &str = "copy";
        inside(OP, "src", src)?;
        sized(OP, "dst", dst, src.len)?;
        if src.buf.id() != dst.buf.id() {
            self.rec.copy(&src.buf, src.offset, &dst.buf, dst.offset, src.len);
            return Ok(());
        }
        if src.offset < dst.offset + dst.len && dst.offset < src.offset + src.len && src.len > 0 {
            return Err(shape(OP, "src and dst overlap in one buffer".into()));
        }
        let g = groups(OP, src.len, 256)?;
        self.rec.dispatch(Kernel::CopyWithin, &[u(src.offset), u(dst.offset), u(src.len)], &[&dst.buf], g)
    }

    fn submit(&mut self) -> Result<()> {
        self.rec.flush()
    }

    fn read(&mut self, src: &V) -> impl Future<Output = Result<Vec<f32>>> {
        // Record the copy and submit now, so ops recorded after this call are not part of it.
        let staged = inside("read", "src", src).and_then(|()| self.rec.stage_read(&src.buf, src.offset, src.len));
        let len = src.len;
        let device = self.rec.device.clone();
        async move {
            let staging = staged?;
            read_f32(&device, &staging, len).await
        }
    }

    fn gemm(&mut self, g: Gemm, a: &V, b: &V, bias: Option<&V>, c: &V) -> Result<()> {
        const OP: &str = "gemm";
        let Gemm { m, n, k, trans_a, trans_b, accumulate } = g;
        mul(OP, m, k)?;
        mul(OP, k, n)?;
        mul(OP, m, n)?;
        sized(OP, "a", a, m * k)?;
        sized(OP, "b", b, k * n)?;
        if let Some(bias) = bias {
            sized(OP, "bias", bias, n)?;
        }
        sized(OP, "c", c, m * n)?;
        apart(OP, ("c", c), &[("a", Some(a)), ("b", Some(b)), ("bias", bias)])?;
        if m == 0 || n == 0 {
            return Ok(());
        }
        let flags = u32::from(trans_a) | u32::from(trans_b) << 1 | u32::from(bias.is_some()) << 2 | u32::from(accumulate) << 3;
        let bias_buf = bias.map_or(&a.buf, |v| &v.buf);
        let params = [
            u(m),
            u(n),
            u(k),
            flags,
            u(a.offset),
            u(b.offset),
            u(bias.map_or(0, |v| v.offset)),
            u(c.offset),
        ];
        let buffers = [&a.buf, &b.buf, bias_buf, &c.buf];
        // In u64: on wasm32 a large product overflows usize.
        if (m as u64) * (n as u64) * (k as u64) <= SMALL_GEMM {
            let g = groups(OP, m * n, 64)?;
            return self.rec.dispatch(Kernel::GemmSmall, &params, &buffers, g);
        }
        let (gx, gy) = (n.div_ceil(64), m.div_ceil(64));
        if gx > 65_535 || gy > 65_535 {
            return Err(EngineError::Unsupported(format!("gemm of {m}×{n}")));
        }
        self.rec.dispatch(Kernel::Gemm, &params, &buffers, (gx as u32, gy as u32))
    }

    fn act_forward(&mut self, op: ActOp, x: &V, alpha: Option<&V>, y: &V) -> Result<()> {
        const OP: &str = "act_forward";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        sized(OP, "x", x, rows * cols)?;
        let out = out_cols(OP, op)?;
        sized(OP, "y", y, rows * out)?;
        if op.act == Activation::Prelu {
            let Some(alpha) = alpha else { return Err(shape(OP, "prelu needs alpha".into())) };
            sized(OP, "alpha", alpha, cols)?;
        }
        apart(OP, ("y", y), &[("x", Some(x)), ("alpha", alpha)])?;
        if rows * cols == 0 {
            return Ok(());
        }
        if op.act == Activation::Softmax {
            let g = groups(OP, rows, 64)?;
            return self.rec.dispatch(
                Kernel::SoftmaxForward,
                &[u(rows), u(cols), u(x.offset), u(y.offset)],
                &[&x.buf, &y.buf],
                g,
            );
        }
        let (code, s, pieces) = act_code(op.act);
        let alpha_buf = alpha.filter(|_| op.act == Activation::Prelu);
        let params = [
            code,
            u(rows * out),
            u(cols),
            pieces,
            u(x.offset),
            u(alpha_buf.map_or(0, |v| v.offset)),
            u(y.offset),
            f(s),
        ];
        let g = groups(OP, rows * out, 256)?;
        let alpha_buf = alpha_buf.map_or(&x.buf, |v| &v.buf);
        self.rec.dispatch(Kernel::ActForward, &params, &[&x.buf, alpha_buf, &y.buf], g)
    }

    fn act_backward(
        &mut self,
        op: ActOp,
        x: &V,
        y: &V,
        dy: &V,
        alpha: Option<&V>,
        dx: &V,
        dalpha: Option<&V>,
    ) -> Result<()> {
        const OP: &str = "act_backward";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        let out = out_cols(OP, op)?;
        sized(OP, "x", x, rows * cols)?;
        sized(OP, "y", y, rows * out)?;
        sized(OP, "dy", dy, rows * out)?;
        sized(OP, "dx", dx, rows * cols)?;
        let prelu = op.act == Activation::Prelu;
        if prelu {
            let (Some(a), Some(da)) = (alpha, dalpha) else {
                return Err(shape(OP, "prelu needs alpha and dalpha".into()));
            };
            sized(OP, "alpha", a, cols)?;
            sized(OP, "dalpha", da, cols)?;
            apart(OP, ("dalpha", da), &[("x", Some(x)), ("y", Some(y)), ("dy", Some(dy)), ("alpha", alpha), ("dx", Some(dx))])?;
        }
        apart(OP, ("dx", dx), &[("x", Some(x)), ("y", Some(y)), ("dy", Some(dy)), ("alpha", alpha.filter(|_| prelu))])?;
        if rows * cols == 0 {
            if let Some(da) = dalpha.filter(|_| prelu) {
                self.rec.clear(&da.buf, da.offset, da.len);
            }
            return Ok(());
        }
        if op.act == Activation::Softmax {
            let g = groups(OP, rows, 64)?;
            return self.rec.dispatch(
                Kernel::SoftmaxBackward,
                &[u(rows), u(cols), u(y.offset), u(dy.offset), u(dx.offset)],
                &[&y.buf, &dy.buf, &dx.buf],
                g,
            );
        }
        let (code, s, pieces) = act_code(op.act);
        let alpha_v = alpha.filter(|_| prelu);
        let params = [
            code,
            u(rows * cols),
            u(cols),
            pieces,
            u(x.offset),
            u(dy.offset),
            u(alpha_v.map_or(0, |v| v.offset)),
            u(dx.offset),
            f(s),
        ];
        let g = groups(OP, rows * cols, 256)?;
        let alpha_buf = alpha_v.map_or(&x.buf, |v| &v.buf);
        self.rec.dispatch(Kernel::ActBackward, &params, &[&x.buf, &dy.buf, alpha_buf, &dx.buf], g)?;
        if let (true, Some(da)) = (prelu, dalpha) {
            let g = groups(OP, cols, 64)?;
            self.rec.dispatch(
                Kernel::PreluDalpha,
                &[u(rows), u(cols), u(x.offset), u(dy.offset), u(da.offset)],
                &[&x.buf, &dy.buf, &da.buf],
                g,
            )?;
        }
        Ok(())
    }

    fn col_sum(&mut self, x: &V, rows: usize, cols: usize, out: &V, accumulate: bool) -> Result<()> {
        const OP: &str = "col_sum";
        mul(OP, rows, cols)?;
        sized(OP, "x", x, rows * cols)?;
        sized(OP, "out", out, cols)?;
        apart(OP, ("out", out), &[("x", Some(x))])?;
        let g = groups(OP, cols, 64)?;
        self.rec.dispatch(
            Kernel::ColSum,
            &[u(rows), u(cols), u(x.offset), u(out.offset), u32::from(accumulate)],
            &[&x.buf, &out.buf],
            g,
        )
    }

    fn loss(&mut self, op: LossOp, pred: &V, target: &V, dpred: &V, loss: &V) -> Result<()> {
        const OP: &str = "loss";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        if rows == 0 || cols == 0 {
            return Err(shape(OP, format!("a loss over {rows}×{cols} predictions")));
        }
        sized(OP, "pred", pred, rows * cols)?;
        let targets = if op.kind == LossKind::SoftmaxCrossEntropy { rows } else { rows * cols };
        sized(OP, "target", target, targets)?;
        sized(OP, "dpred", dpred, rows * cols)?;
        if loss.len == 0 {
            return Err(shape(OP, "loss is empty".into()));
        }
        inside(OP, "loss", loss)?;
        apart(OP, ("dpred", dpred), &[("pred", Some(pred)), ("target", Some(target)), ("loss", Some(loss))])?;
        apart(OP, ("loss", loss), &[("pred", Some(pred)), ("target", Some(target))])?;
        let params = [
            loss_code(op.kind),
            u(rows),
            u(cols),
            u(pred.offset),
            u(target.offset),
            u(dpred.offset),
            u(loss.offset),
            f32::NAN.to_bits(),
        ];
        self.rec.dispatch(Kernel::Loss, &params, &[&pred.buf, &target.buf, &dpred.buf, &loss.buf], (1, 1))
    }

    fn count_correct(&mut self, op: LossOp, pred: &V, target: &V, out: &V) -> Result<()> {
        const OP: &str = "count_correct";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        if cols == 0 {
            return Err(shape(OP, "predictions have no columns".into()));
        }
        sized(OP, "pred", pred, rows * cols)?;
        let targets = if op.kind == LossKind::SoftmaxCrossEntropy { rows } else { rows * cols };
        sized(OP, "target", target, targets)?;
        if out.len == 0 {
            return Err(shape(OP, "out is empty".into()));
        }
        inside(OP, "out", out)?;
        apart(OP, ("out", out), &[("pred", Some(pred)), ("target", Some(target))])?;
        let params = [loss_code(op.kind), u(rows), u(cols), u(pred.offset), u(target.offset), u(out.offset)];
        self.rec.dispatch(Kernel::CountCorrect, &params, &[&pred.buf, &target.buf, &out.buf], (1, 1))
    }

    fn gather_rows(&mut self, src: &V, cols: usize, index: &V, dst: &V) -> Result<()> {
        const OP: &str = "gather_rows";
        if cols == 0 || !src.len.is_multiple_of(cols) {
            return Err(shape(OP, format!("src of {} floats is not rows of {cols}", src.len)));
        }
        inside(OP, "src", src)?;
        inside(OP, "index", index)?;
        sized(OP, "dst", dst, mul(OP, index.len, cols)?)?;
        apart(OP, ("dst", dst), &[("src", Some(src)), ("index", Some(index))])?;
        let n = index.len * cols;
        let params = [u(n), u(cols), u(src.len / cols), u(src.offset), u(index.offset), u(dst.offset)];
        let g = groups(OP, n, 256)?;
        self.rec.dispatch(Kernel::GatherRows, &params, &[&src.buf, &index.buf, &dst.buf], g)
    }

    fn optim_step(&mut self, s: &OptimStep, param: &V, grad: &V, m: &V, v: &V) -> Result<()> {
        const OP: &str = "optim_step";
        let n = param.len;
        inside(OP, "param", param)?;
        sized(OP, "grad", grad, n)?;
        apart(OP, ("param", param), &[("grad", Some(grad))])?;
        let g = groups(OP, n, 256)?;
        match s.kind {
            OptimKind::Sgd => self.rec.dispatch(
                Kernel::OptimSgd,
                &[u(n), u(param.offset), u(grad.offset), f(s.lr), f(s.weight_decay), f(s.l1)],
                &[&param.buf, &grad.buf],
                g,
            ),
            OptimKind::Momentum => {
                sized(OP, "m", m, n)?;
                apart(OP, ("m", m), &[("param", Some(param)), ("grad", Some(grad))])?;
                let params = [
                    u(n),
                    u(param.offset),
                    u(grad.offset),
                    u(m.offset),
                    f(s.lr),
                    f(s.momentum),
                    f(s.weight_decay),
                    f(s.l1),
                ];
                self.rec.dispatch(Kernel::OptimMomentum, &params, &[&param.buf, &grad.buf, &m.buf], g)
            }
            OptimKind::Adam => {
                sized(OP, "m", m, n)?;
                sized(OP, "v", v, n)?;
                apart(OP, ("m", m), &[("param", Some(param)), ("grad", Some(grad)), ("v", Some(v))])?;
                apart(OP, ("v", v), &[("param", Some(param)), ("grad", Some(grad))])?;
                if s.t == 0 {
                    return Err(shape(OP, "Adam's step count t starts at 1".into()));
                }
                // Bias corrections for this op's own t, in f64; they travel in this op's uniform
                // slot, so steps recorded into one submission each use their own.
                let bc1 = 1.0 - f64::from(s.beta1).powi(s.t.min(i32::MAX as u32) as i32);
                let bc2 = 1.0 - f64::from(s.beta2).powi(s.t.min(i32::MAX as u32) as i32);
                let params = [
                    u(n),
                    u(param.offset),
                    u(grad.offset),
                    u(m.offset),
                    u(v.offset),
                    f((f64::from(s.lr) / bc1) as f32),
                    f(s.beta1),
                    f(s.beta2),
                    f(s.eps),
                    f(s.weight_decay),
                    f(s.l1),
                    f((1.0 / bc2.sqrt()) as f32),
                ];
                self.rec.dispatch(Kernel::OptimAdam, &params, &[&param.buf, &grad.buf, &m.buf, &v.buf], g)
            }
        }
    }

    fn conv2d_forward(&mut self, op: Conv2d, x: &V, weight: &V, bias: Option<&V>, y: &V) -> Result<()> {
        const OP: &str = "conv2d_forward";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "weight", weight, op.weight_len())?;
        if let Some(b) = bias {
            sized(OP, "bias", b, op.out_channels)?;
        }
        sized(OP, "y", y, op.y_len())?;
        apart(OP, ("y", y), &[("x", Some(x)), ("weight", Some(weight)), ("bias", bias)])?;
        // One thread per output position and block of four output channels.
        let total = mul(OP, op.batch * op.out_channels.div_ceil(4), oh * ow)?;
        let params = conv_params(
            &op,
            oh,
            ow,
            &[u(x.offset), u(weight.offset), u(bias.map_or(0, |b| b.offset)), u(y.offset), u32::from(bias.is_some()), u(total)],
        );
        let bias_buf = bias.map_or(&x.buf, |b| &b.buf);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Conv2dForward, &params, &[&x.buf, &weight.buf, bias_buf, &y.buf], g)
    }

    fn conv2d_backward_data(&mut self, op: Conv2d, dy: &V, weight: &V, dx: &V) -> Result<()> {
        const OP: &str = "conv2d_backward_data";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "weight", weight, op.weight_len())?;
        sized(OP, "dx", dx, op.x_len())?;
        apart(OP, ("dx", dx), &[("dy", Some(dy)), ("weight", Some(weight))])?;
        // One thread per input position and block of four input channels (one where there are
        // fewer than four).
        let block = if op.in_channels >= 4 { 4 } else { 1 };
        let total = mul(OP, op.batch * op.in_channels.div_ceil(block), op.height * op.width)?;
        let params = conv_params(&op, oh, ow, &[u(dy.offset), u(weight.offset), u(dx.offset), u(total), u(block)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Conv2dBackwardData, &params, &[&dy.buf, &weight.buf, &dx.buf], g)
    }

    fn conv2d_backward_params(&mut self, op: Conv2d, x: &V, dy: &V, dweight: &V, dbias: Option<&V>) -> Result<()> {
        const OP: &str = "conv2d_backward_params";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "dweight", dweight, op.weight_len())?;
        if let Some(db) = dbias {
            sized(OP, "dbias", db, op.out_channels)?;
            apart(OP, ("dbias", db), &[("x", Some(x)), ("dy", Some(dy)), ("dweight", Some(dweight))])?;
        }
        apart(OP, ("dweight", dweight), &[("x", Some(x)), ("dy", Some(dy)), ("dbias", dbias)])?;
        let total = dweight.len;
        let params = conv_params(&op, oh, ow, &[u(x.offset), u(dy.offset), u(dweight.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Conv2dBackwardWeights, &params, &[&x.buf, &dy.buf, &dweight.buf], g)?;
        match dbias {
            Some(db) => self.conv2d_backward_bias(op, dy, db),
            None => Ok(()),
        }
    }

    fn conv2d_backward_bias(&mut self, op: Conv2d, dy: &V, dbias: &V) -> Result<()> {
        const OP: &str = "conv2d_backward_bias";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "dbias", dbias, op.out_channels)?;
        apart(OP, ("dbias", dbias), &[("dy", Some(dy))])?;
        let g = groups(OP, op.out_channels, 64)?;
        let params = [u(op.batch), u(op.out_channels), u(oh * ow), u(dy.offset), u(dbias.offset)];
        self.rec.dispatch(Kernel::Conv2dBackwardBias, &params, &[&dy.buf, &dbias.buf], g)
    }

    fn maxpool2d_forward(&mut self, op: Pool2d, x: &V, y: &V, argmax: &V) -> Result<()> {
        const OP: &str = "maxpool2d_forward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "y", y, op.y_len())?;
        sized(OP, "argmax", argmax, op.y_len())?;
        apart(OP, ("y", y), &[("x", Some(x)), ("argmax", Some(argmax))])?;
        apart(OP, ("argmax", argmax), &[("x", Some(x))])?;
        // Indices within a plane travel as floats: exact below 2^24.
        if op.height * op.width > 1 << 24 {
            return Err(EngineError::Unsupported(format!("{OP}: planes of {}×{} (argmax indices are not exact in f32)", op.height, op.width)));
        }
        let total = y.len;
        let mut params = pool_params(&op, oh, ow).to_vec();
        params.extend([u(x.offset), u(y.offset), u(argmax.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::MaxPool2dForward, &params, &[&x.buf, &y.buf, &argmax.buf], g)
    }

    fn maxpool2d_backward(&mut self, op: Pool2d, dy: &V, argmax: &V, dx: &V) -> Result<()> {
        const OP: &str = "maxpool2d_backward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "argmax", argmax, op.y_len())?;
        sized(OP, "dx", dx, op.x_len())?;
        apart(OP, ("dx", dx), &[("dy", Some(dy)), ("argmax", Some(argmax))])?;
        let total = dx.len;
        let mut params = vec![0];
        params.extend(pool_params(&op, oh, ow));
        params.extend([u(dy.offset), u(argmax.offset), u(dx.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Pool2dBackward, &params, &[&dy.buf, &argmax.buf, &dx.buf], g)
    }

    fn avgpool2d_forward(&mut self, op: Pool2d, x: &V, y: &V) -> Result<()> {
        const OP: &str = "avgpool2d_forward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "y", y, op.y_len())?;
        apart(OP, ("y", y), &[("x", Some(x))])?;
        let total = y.len;
        let mut params = pool_params(&op, oh, ow).to_vec();
        params.extend([u(x.offset), u(y.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::AvgPool2dForward, &params, &[&x.buf, &y.buf], g)
    }

    fn avgpool2d_backward(&mut self, op: Pool2d, dy: &V, dx: &V) -> Result<()> {
        const OP: &str = "avgpool2d_backward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "dx", dx, op.x_len())?;
        apart(OP, ("dx", dx), &[("dy", Some(dy))])?;
        let total = dx.len;
        let mut params = vec![1];
        params.extend(pool_params(&op, oh, ow));
        params.extend([u(dy.offset), 0, u(dx.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        // The average kernel never reads argmax; dy stands in for it (both read-only).
        self.rec.dispatch(Kernel::Pool2dBackward, &params, &[&dy.buf, &dy.buf, &dx.buf], g)
    }

    fn lstm_cell_forward(&mut self, cell: RnnCell, gates: &V, c: &V, h: &V) -> Result<()> {
        const OP: &str = "lstm_cell_forward";
        let state = cell_state(OP, &cell, 4)?;
        sized(OP, "gates", gates, 4 * state)?;
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "h", h, state)?;
        apart(OP, ("gates", gates), &[("c", Some(c)), ("h", Some(h))])?;
        apart(OP, ("c", c), &[("h", Some(h))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(c.offset), u(h.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmCellForward, &params, &[&gates.buf, &c.buf, &h.buf], g)
    }

    fn lstm_cell_backward(&mut self, cell: RnnCell, gates: &V, c: &V, dh: &V, dc: &V) -> Result<()> {
        const OP: &str = "lstm_cell_backward";
        let state = cell_state(OP, &cell, 4)?;
        sized(OP, "gates", gates, 4 * state)?;
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "dh", dh, state)?;
        sized(OP, "dc", dc, state)?;
        apart(OP, ("gates", gates), &[("c", Some(c)), ("dh", Some(dh)), ("dc", Some(dc))])?;
        apart(OP, ("dc", dc), &[("c", Some(c)), ("dh", Some(dh))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(c.offset), u(dh.offset), u(dc.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmCellBackward, &params, &[&gates.buf, &c.buf, &dh.buf, &dc.buf], g)
    }

    fn gru_cell_forward(&mut self, cell: RnnCell, gates: &V, hp: &V, h: &V) -> Result<()> {
        const OP: &str = "gru_cell_forward";
        let state = cell_state(OP, &cell, 3)?;
        sized(OP, "gates", gates, 3 * state)?;
        sized(OP, "hp", hp, 3 * state)?;
        sized(OP, "h", h, 2 * state)?;
        apart(OP, ("gates", gates), &[("hp", Some(hp)), ("h", Some(h))])?;
        apart(OP, ("h", h), &[("hp", Some(hp))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(hp.offset), u(h.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::GruCellForward, &params, &[&gates.buf, &hp.buf, &h.buf], g)
    }

    fn gru_cell_backward(&mut self, cell: RnnCell, gates: &V, hp: &V, h_prev: &V, dh: &V) -> Result<()> {
        const OP: &str = "gru_cell_backward";
        let state = cell_state(OP, &cell, 3)?;
        sized(OP, "gates", gates, 3 * state)?;
        sized(OP, "hp", hp, 3 * state)?;
        sized(OP, "h_prev", h_prev, state)?;
        sized(OP, "dh", dh, 2 * state)?;
        apart(OP, ("gates", gates), &[("hp", Some(hp)), ("h_prev", Some(h_prev)), ("dh", Some(dh))])?;
        apart(OP, ("hp", hp), &[("h_prev", Some(h_prev)), ("dh", Some(dh))])?;
        apart(OP, ("dh", dh), &[("h_prev", Some(h_prev))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(hp.offset), u(h_prev.offset), u(dh.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::GruCellBackward, &params, &[&gates.buf, &hp.buf, &h_prev.buf, &dh.buf], g)
    }
}
