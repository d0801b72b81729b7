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
use crate::backend::{ActOp, Backend, Gemm, LossOp, View};
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
}
