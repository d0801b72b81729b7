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
use crate::backend::{ActOp, Backend, Conv2d, ConvGrad, DenseGrad, Gemm, LossOp, Pool2d, RnnCell, View};
use crate::error::{EngineError, Result};
use crate::loss::LossKind;
use crate::optim::{OptimKind, OptimStep};

type V = View<GpuBuffer>;

/// Products go to gemm_small.wgsl (a 1×4 register block per thread, no barriers) unless both
/// sides of C have at least `TILED_SIDE` rows and columns and there are more than `TILED_MACS`
/// multiply-adds: then to the tiled gemm.wgsl. Software adapters (lavapipe, SwiftShader) pay
/// dearly for the tiled kernel's barriers, and the layers here are small.
const TILED_MACS: u64 = 1 << 21;
const TILED_SIDE: usize = 64;

/// What a gemm does besides the product (see gemm_small.wgsl's flags).
#[derive(Clone, Copy, Default)]
struct Epilogue {
    /// Apply the activation (code, scalar) to the result.
    act: Option<(u32, f32)>,
    /// Scale A by the activation's derivative from its output (aux, laid out like A).
    dact: Option<(u32, f32)>,
    /// Write op(A)'s row sums (after scaling) at this offset of C's buffer (direct kernel only).
    sum_off: Option<usize>,
}

/// The activations whose forward can be fused into a product's epilogue and whose derivative
/// follows from the output alone: `(code, scalar)` as in act_forward.wgsl.
fn fusable(act: Activation) -> Option<(u32, f32)> {
    match act {
        Activation::Linear | Activation::BinaryStep | Activation::Sigmoid | Activation::Tanh | Activation::Relu => {
            Some((act_code(act).0, 0.0))
        }
        // y > 0 exactly where z > 0 only for a positive slope.
        Activation::LeakyRelu { alpha } if alpha > 0.0 => Some((5, alpha)),
        _ => None,
    }
}

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
        self.gemm_ex(g, a, b, bias, None, c, Epilogue::default()).map(|_| ())
    }

    fn dense_forward(&mut self, g: Gemm, act: Activation, x: &V, weight: &V, bias: &V, z: &V, y: &V) -> Result<()> {
        match fusable(act) {
            Some(code) if !g.accumulate => {
                self.gemm_ex(g, x, weight, Some(bias), None, y, Epilogue { act: Some(code), ..Epilogue::default() }).map(|_| ())
            }
            _ => {
                self.gemm(g, x, weight, Some(bias), z)?;
                self.act_forward(ActOp { act, rows: g.m, cols: g.n }, z, None, y)
            }
        }
    }

    fn dense_backward(&mut self, d: DenseGrad<'_, GpuBuffer>) -> Result<()> {
        const OP: &str = "dense_backward";
        let Some(code) = fusable(d.act) else {
            // As the trait's default: the forward wrote z.
            let op = ActOp { act: d.act, rows: d.rows, cols: d.units };
            self.act_backward(op, d.z, d.y, d.dy, None, d.dz, None)?;
            let gw = Gemm { m: d.units, n: d.fan_in, k: d.rows, trans_a: true, trans_b: false, accumulate: false };
            self.gemm(gw, d.dz, d.x, None, d.dweight)?;
            self.col_sum(d.dz, d.rows, d.units, d.dbias, false)?;
            if let Some(dx) = d.dx {
                let gx = Gemm { m: d.rows, n: d.fan_in, k: d.units, trans_a: false, trans_b: false, accumulate: false };
                self.gemm(gx, d.dz, d.weight, None, dx)?;
            }
            return Ok(());
        };
        // dz = dy·f'(y) is never stored: each product scales dy as it reads it.
        let dact = (code.0 != 0).then_some(code);
        let y = dact.map(|_| d.y);
        sized(OP, "dbias", d.dbias, d.units)?;
        let together = d.dbias.buf.id() == d.dweight.buf.id();
        if together && d.dbias.offset < d.dweight.offset + d.dweight.len && d.dweight.offset < d.dbias.offset + d.dbias.len {
            return Err(shape(OP, "dweight and dbias overlap".into()));
        }
        let gw = Gemm { m: d.units, n: d.fan_in, k: d.rows, trans_a: true, trans_b: false, accumulate: false };
        let epi = Epilogue { dact, sum_off: together.then_some(d.dbias.offset), ..Epilogue::default() };
        let summed = self.gemm_ex(gw, d.dy, d.x, None, y, d.dweight, epi)?;
        if !summed {
            self.col_sum_ex(d.dy, d.rows, d.units, d.dbias, false, y.zip(dact))?;
        }
        if let Some(dx) = d.dx {
            let gx = Gemm { m: d.rows, n: d.fan_in, k: d.units, trans_a: false, trans_b: false, accumulate: false };
            self.gemm_ex(gx, d.dy, d.weight, None, y, dx, Epilogue { dact, ..Epilogue::default() })?;
        }
        Ok(())
    }

    fn conv2d_forward_act(&mut self, op: Conv2d, act: Activation, x: &V, weight: &V, bias: &V, z: &V, y: &V) -> Result<()> {
        match fusable(act) {
            Some(code) => self.conv_forward_ex(op, x, weight, Some(bias), y, Some(code)),
            None => {
                self.conv2d_forward(op, x, weight, Some(bias), z)?;
                let per_sample = op.out_channels * op.out_height() * op.out_width();
                self.act_forward(ActOp { act, rows: op.batch, cols: per_sample }, z, None, y)
            }
        }
    }

    fn conv2d_backward(&mut self, d: ConvGrad<'_, GpuBuffer>) -> Result<()> {
        let Some(code) = fusable(d.act) else {
            let per_sample = d.op.out_channels * d.op.out_height() * d.op.out_width();
            let op = ActOp { act: d.act, rows: d.op.batch, cols: per_sample };
            self.act_backward(op, d.z, d.y, d.dy, None, d.dz, None)?;
            self.conv2d_backward_params(d.op, d.x, d.dz, d.dweight, None)?;
            self.conv2d_backward_bias(d.op, d.dz, d.dbias)?;
            if let Some(dx) = d.dx {
                self.conv2d_backward_data(d.op, d.dz, d.weight, dx)?;
            }
            return Ok(());
        };
        let dact = (code.0 != 0).then(|| (d.y, code));
        self.conv_params_ex(d.op, d.x, d.dy, d.dweight, Some(d.dbias), dact)?;
        if let Some(dx) = d.dx {
            self.conv_data_ex(d.op, d.dy, d.weight, dx, dact)?;
        }
        Ok(())
    }

    fn lstm_step_forward(&mut self, cell: RnnCell, gates: &V, c: &V, h: &V, w_hh: &V, b_hh: &V) -> Result<()> {
        const OP: &str = "lstm_step_forward";
        let state = cell_state(OP, &cell, 4)?;
        let fused = w_hh.buf.id() == b_hh.buf.id()
            && [gates, c, h].iter().all(|v| v.buf.id() != w_hh.buf.id())
            && gates.buf.id() != c.buf.id()
            && gates.buf.id() != h.buf.id()
            && c.buf.id() != h.buf.id();
        if !fused {
            let g = Gemm { m: cell.batch, n: 4 * cell.hidden, k: cell.hidden, trans_a: false, trans_b: true, accumulate: true };
            self.gemm(g, &h.sub(0, state), w_hh, Some(b_hh), gates)?;
            return self.lstm_cell_forward(cell, gates, c, &h.sub(state, state));
        }
        sized(OP, "gates", gates, 4 * state)?;
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "h", h, 2 * state)?;
        sized(OP, "w_hh", w_hh, 4 * state / cell.batch.max(1) * cell.hidden)?;
        sized(OP, "b_hh", b_hh, 4 * cell.hidden)?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(c.offset), u(h.offset), u(w_hh.offset), u(b_hh.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmStepForward, &params, &[&gates.buf, &c.buf, &h.buf, &w_hh.buf], g)
    }

    fn lstm_step_backward(&mut self, cell: RnnCell, gates: &V, next_gates: Option<&V>, c: &V, dh: &V, dc: &V, w_hh: &V) -> Result<()> {
        const OP: &str = "lstm_step_backward";
        let state = cell_state(OP, &cell, 4)?;
        let fused = dh.buf.id() == dc.buf.id()
            && next_gates.is_none_or(|n| n.buf.id() == gates.buf.id())
            && [gates, c, dh].iter().all(|v| v.buf.id() != w_hh.buf.id())
            && gates.buf.id() != c.buf.id()
            && gates.buf.id() != dh.buf.id()
            && c.buf.id() != dh.buf.id();
        if !fused {
            if let Some(ng) = next_gates {
                let g = Gemm { m: cell.batch, n: cell.hidden, k: 4 * cell.hidden, trans_a: false, trans_b: false, accumulate: true };
                self.gemm(g, ng, w_hh, None, dh)?;
            }
            return self.lstm_cell_backward(cell, gates, c, dh, dc);
        }
        sized(OP, "gates", gates, 4 * state)?;
        if let Some(ng) = next_gates {
            sized(OP, "next_gates", ng, 4 * state)?;
            if ng.offset < gates.offset + gates.len && gates.offset < ng.offset + ng.len {
                return Err(shape(OP, "gates and next_gates overlap".into()));
            }
        }
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "dh", dh, state)?;
        sized(OP, "dc", dc, state)?;
        if dh.offset < dc.offset + dc.len && dc.offset < dh.offset + dh.len {
            return Err(shape(OP, "dh and dc overlap".into()));
        }
        sized(OP, "w_hh", w_hh, 4 * cell.hidden * cell.hidden)?;
        let params = [
            u(cell.batch),
            u(cell.hidden),
            u(gates.offset),
            u(next_gates.map_or(0, |n| n.offset)),
            u32::from(next_gates.is_some()),
            u(c.offset),
            u(dh.offset),
            u(dc.offset),
            u(w_hh.offset),
        ];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmStepBackward, &params, &[&gates.buf, &c.buf, &dh.buf, &w_hh.buf], g)
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
        self.col_sum_ex(x, rows, cols, out, accumulate, None)
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
        self.conv_forward_ex(op, x, weight, bias, y, None)
    }

    fn conv2d_backward_data(&mut self, op: Conv2d, dy: &V, weight: &V, dx: &V) -> Result<()> {
        self.conv_data_ex(op, dy, weight, dx, None)
    }

    fn conv2d_backward_params(&mut self, op: Conv2d, x: &V, dy: &V, dweight: &V, dbias: Option<&V>) -> Result<()> {
        if let Some(db) = dbias {
            apart("conv2d_backward_params", ("dbias", db), &[("x", Some(x)), ("dy", Some(dy)), ("dweight", Some(dweight))])?;
        }
        self.conv_params_ex(op, x, dy, dweight, dbias, None)
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


impl GpuBackend {
    /// The gemm with an epilogue; `aux` is the bias (`bias`) or the activation's output that
    /// scales A (`y`, with `epi.dact`). Returns whether the row sums were written (the direct
    /// kernel only).
    #[allow(clippy::too_many_arguments)]
    fn gemm_ex(&mut self, g: Gemm, a: &V, b: &V, bias: Option<&V>, y: Option<&V>, c: &V, epi: Epilogue) -> Result<bool> {
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
        if let Some(y) = y {
            // Laid out like A.
            sized(OP, "y", y, m * k)?;
        }
        apart(OP, ("c", c), &[("a", Some(a)), ("b", Some(b)), ("bias", bias), ("y", y)])?;
        if let Some(off) = epi.sum_off
            && off.checked_add(m).is_none_or(|end| end > c.buf.len())
        {
            return Err(shape(OP, format!("row sums at {off} run past their buffer")));
        }
        if m == 0 || n == 0 {
            return Ok(false);
        }
        let dact = epi.dact.filter(|_| y.is_some());
        let (act, s) = epi.act.or(dact).unwrap_or((0, 0.0));
        // In u64: on wasm32 a large product overflows usize.
        let tiled = m >= TILED_SIDE && n >= TILED_SIDE && (m as u64) * (n as u64) * (k as u64) > TILED_MACS;
        let sum = epi.sum_off.filter(|_| !tiled);
        let flags = u32::from(trans_a)
            | u32::from(trans_b) << 1
            | u32::from(bias.is_some()) << 2
            | u32::from(accumulate) << 3
            | u32::from(epi.act.is_some()) << 4
            | u32::from(dact.is_some()) << 5
            | u32::from(sum.is_some()) << 6;
        let aux = bias.or(y.filter(|_| dact.is_some()));
        let aux_buf = aux.map_or(&a.buf, |v| &v.buf);
        let params = [
            u(m),
            u(n),
            u(k),
            flags,
            u(a.offset),
            u(b.offset),
            u(aux.map_or(0, |v| v.offset)),
            u(c.offset),
            act,
            f(s),
            u(sum.unwrap_or(0)),
        ];
        let buffers = [&a.buf, &b.buf, aux_buf, &c.buf];
        if !tiled {
            let threads = mul(OP, m, n.div_ceil(4))? + if sum.is_some() { m } else { 0 };
            let g = groups(OP, threads, 64)?;
            self.rec.dispatch(Kernel::GemmSmall, &params, &buffers, g)?;
            return Ok(sum.is_some());
        }
        let (gx, gy) = (n.div_ceil(64), m.div_ceil(64));
        if gx > 65_535 || gy > 65_535 {
            return Err(EngineError::Unsupported(format!("gemm of {m}×{n}")));
        }
        self.rec.dispatch(Kernel::Gemm, &params, &buffers, (gx as u32, gy as u32))?;
        Ok(false)
    }

    /// col_sum, optionally of `x·f'(y)` (the fused backward of an activation).
    fn col_sum_ex(&mut self, x: &V, rows: usize, cols: usize, out: &V, accumulate: bool, dact: Option<(&V, (u32, f32))>) -> Result<()> {
        const OP: &str = "col_sum";
        mul(OP, rows, cols)?;
        sized(OP, "x", x, rows * cols)?;
        sized(OP, "out", out, cols)?;
        if let Some((y, _)) = dact {
            sized(OP, "y", y, rows * cols)?;
        }
        apart(OP, ("out", out), &[("x", Some(x)), ("y", dact.map(|d| d.0))])?;
        let g = groups(OP, cols, 64)?;
        let (code, s) = dact.map_or((0, 0.0), |d| d.1);
        let y = dact.map(|d| d.0);
        self.rec.dispatch(
            Kernel::ColSum,
            &[u(rows), u(cols), u(x.offset), u(out.offset), u32::from(accumulate), u32::from(dact.is_some()), code, f(s), u(y.map_or(0, |v| v.offset))],
            &[&x.buf, y.map_or(&x.buf, |v| &v.buf), &out.buf],
            g,
        )
    }

    /// conv2d_forward, optionally with the activation (code, scalar) applied to the output.
    fn conv_forward_ex(&mut self, op: Conv2d, x: &V, weight: &V, bias: Option<&V>, y: &V, act: Option<(u32, f32)>) -> Result<()> {
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
            &[u(x.offset), u(weight.offset), u(bias.map_or(0, |b| b.offset)), u(y.offset), u32::from(bias.is_some()) | u32::from(act.is_some()) << 1, u(total), act.map_or(0, |a| a.0), f(act.map_or(0.0, |a| a.1))],
        );
        let bias_buf = bias.map_or(&x.buf, |b| &b.buf);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Conv2dForward, &params, &[&x.buf, &weight.buf, bias_buf, &y.buf], g)
    }

    /// conv2d_backward_data of `dy·f'(y)` when `dact` gives the activation's output and code.
    fn conv_data_ex(&mut self, op: Conv2d, dy: &V, weight: &V, dx: &V, dact: Option<(&V, (u32, f32))>) -> Result<()> {
        const OP: &str = "conv2d_backward_data";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "weight", weight, op.weight_len())?;
        sized(OP, "dx", dx, op.x_len())?;
        let y = dact.map(|d| d.0);
        if let Some(y) = y {
            sized(OP, "y", y, op.y_len())?;
        }
        apart(OP, ("dx", dx), &[("dy", Some(dy)), ("weight", Some(weight)), ("y", y)])?;
        let (code, s) = dact.map_or((0, 0.0), |d| d.1);
        // One thread per input position and block of four input channels (one where there are
        // fewer than four).
        let block = if op.in_channels >= 4 { 4 } else { 1 };
        let total = mul(OP, op.batch * op.in_channels.div_ceil(block), op.height * op.width)?;
        let params = conv_params(&op, oh, ow, &[u(dy.offset), u(weight.offset), u(dx.offset), u(total), u(block), u(y.map_or(0, |v| v.offset)), code, f(s)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Conv2dBackwardData, &params, &[&dy.buf, &weight.buf, y.map_or(&dy.buf, |v| &v.buf), &dx.buf], g)
    }

    /// The weight gradient and, when `dbias` is given, the bias gradient, of `dy·f'(y)` when
    /// `dact` gives the activation's output and code: one dispatch when `dbias` shares
    /// `dweight`'s buffer (the flat gradients), else two.
    fn conv_params_ex(&mut self, op: Conv2d, x: &V, dy: &V, dweight: &V, dbias: Option<&V>, dact: Option<(&V, (u32, f32))>) -> Result<()> {
        const OP: &str = "conv2d_backward_params";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "dweight", dweight, op.weight_len())?;
        let y = dact.map(|d| d.0);
        if let Some(y) = y {
            sized(OP, "y", y, op.y_len())?;
        }
        apart(OP, ("dweight", dweight), &[("x", Some(x)), ("dy", Some(dy)), ("y", y)])?;
        if let Some(db) = dbias {
            sized(OP, "dbias", db, op.out_channels)?;
            apart(OP, ("dbias", db), &[("x", Some(x)), ("dy", Some(dy)), ("y", y)])?;
            if db.buf.id() == dweight.buf.id() && db.offset < dweight.offset + dweight.len && dweight.offset < db.offset + db.len {
                return Err(shape(OP, "dweight and dbias overlap".into()));
            }
        }
        let (code, s) = dact.map_or((0, 0.0), |d| d.1);
        let y_buf = y.map_or(&dy.buf, |v| &v.buf);
        let y_off = u(y.map_or(0, |v| v.offset));
        let together = dbias.filter(|db| db.buf.id() == dweight.buf.id());
        let total = dweight.len;
        let bias_threads = together.map_or(0, |_| op.out_channels);
        let params = conv_params(
            &op,
            oh,
            ow,
            &[u(x.offset), u(dy.offset), u(dweight.offset), u(total), y_off, u(together.map_or(0, |db| db.offset)), u(bias_threads), code, f(s)],
        );
        let g = groups(OP, total + bias_threads, 64)?;
        self.rec.dispatch(Kernel::Conv2dBackwardWeights, &params, &[&x.buf, &dy.buf, y_buf, &dweight.buf], g)?;
        match dbias {
            Some(db) if together.is_none() => {
                // The same kernel with no weight threads: only the bias gradient.
                let params = conv_params(&op, oh, ow, &[u(x.offset), u(dy.offset), 0, 0, y_off, u(db.offset), u(op.out_channels), code, f(s)]);
                let g = groups(OP, op.out_channels, 64)?;
                self.rec.dispatch(Kernel::Conv2dBackwardWeights, &params, &[&x.buf, &dy.buf, y_buf, &db.buf], g)
            }
            _ => Ok(()),
        }
    }
}
