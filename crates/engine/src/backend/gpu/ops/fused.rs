//! The kernels with an epilogue: the GEMMs (the barrier-free or the tiled kernel, as the
//! [`super::super::KernelSet`] says),
//! the column sums and the convolution forward, with bias, activation and the activation's
//! derivative folded in, which the fused trait ops in `mod.rs` are built from.

use super::super::GpuBackend;
use super::super::kernels::Kernel;
use super::V;
use super::checks::*;
use crate::activation::Activation;
use crate::backend::{Conv2d, Gemm};
use crate::error::Result;

/// What a gemm does besides the product (see gemm_small.wgsl's flags).
#[derive(Clone, Copy, Default)]
pub(super) struct Epilogue {
    /// Apply the activation (code, scalar) to the result.
    pub(super) act: Option<(u32, f32)>,
    /// Scale A by the activation's derivative from its output (aux, laid out like A).
    pub(super) dact: Option<(u32, f32)>,
    /// Write op(A)'s row sums (after scaling) at this offset of C's buffer (direct kernel only).
    pub(super) sum_off: Option<usize>,
}

/// The activations whose forward can be fused into a product's epilogue and whose derivative
/// follows from the output alone: `(code, scalar)` as in act_forward.wgsl.
pub(super) fn fusable(act: Activation) -> Option<(u32, f32)> {
    match act {
        Activation::Linear | Activation::BinaryStep | Activation::Sigmoid | Activation::Tanh | Activation::Relu => {
            Some((act_code(act).0, 0.0))
        }
        // y > 0 exactly where z > 0 only for a positive slope.
        Activation::LeakyRelu { alpha } if alpha > 0.0 => Some((5, alpha)),
        _ => None,
    }
}

/// Whether gemm_vec4.wgsl can read both operands as vec4s: each starts on a multiple of four
/// floats and the side it is stored along (A: k, or m when transposed; B: n, or k when
/// transposed) is a multiple of four, so a vec4 never straddles a row or a matrix's edge.
pub(super) fn vec4_aligned(g: Gemm, a_off: usize, b_off: usize) -> bool {
    let a_side = if g.trans_a { g.m } else { g.k };
    let b_side = if g.trans_b { g.k } else { g.n };
    a_off % 4 == 0 && b_off % 4 == 0 && a_side % 4 == 0 && b_side % 4 == 0
}

impl GpuBackend {
    /// The gemm with an epilogue; `aux` is the bias (`bias`) or the activation's output that
    /// scales A (`y`, with `epi.dact`). Returns whether the row sums were written (the direct
    /// kernel only).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn gemm_ex(&mut self, g: Gemm, a: &V, b: &V, bias: Option<&V>, y: Option<&V>, c: &V, epi: Epilogue) -> Result<bool> {
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
        let (gx, gy) = (n.div_ceil(64), m.div_ceil(64));
        // A grid too large for one dimension takes the barrier-free kernel, whose grid folds into two.
        let tiled = self.kernels.tiled_gemm(m, n, k) && gx <= 65_535 && gy <= 65_535;
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
        let kernel = if self.kernels.vec4_loads() && vec4_aligned(g, a.offset, b.offset) { Kernel::GemmVec4 } else { Kernel::Gemm };
        self.rec.dispatch(kernel, &params, &buffers, (gx as u32, gy as u32))?;
        Ok(false)
    }

    /// col_sum, optionally of `x·f'(y)` (the fused backward of an activation).
    pub(super) fn col_sum_ex(&mut self, x: &V, rows: usize, cols: usize, out: &V, accumulate: bool, dact: Option<(&V, (u32, f32))>) -> Result<()> {
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

    /// conv2d_forward, optionally with the activation (code, scalar) applied to the output: the
    /// direct kernel, or the implicit GEMM where the kernel set tiles it.
    pub(super) fn conv_forward_ex(&mut self, op: Conv2d, x: &V, weight: &V, bias: Option<&V>, y: &V, act: Option<(u32, f32)>) -> Result<()> {
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
        let buffers = [&x.buf, &weight.buf, bias_buf, &y.buf];
        // 64×64 tiles of the implicit product: output channels × (sample, position); a grid too
        // large for one dimension takes the direct kernel, whose grid folds into two.
        let tiles = (mul(OP, op.batch, oh * ow)?.div_ceil(64), op.out_channels.div_ceil(64));
        if self.kernels.tiled_conv() && tiles.0 <= 65_535 && tiles.1 <= 65_535 {
            return self.rec.dispatch(Kernel::Conv2dForwardTiled, &params, &buffers, (tiles.0 as u32, tiles.1 as u32));
        }
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Conv2dForward, &params, &buffers, g)
    }

    /// conv2d_backward_data of `dy·f'(y)` when `dact` gives the activation's output and code.
    pub(super) fn conv_data_ex(&mut self, op: Conv2d, dy: &V, weight: &V, dx: &V, dact: Option<(&V, (u32, f32))>) -> Result<()> {
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
    pub(super) fn conv_params_ex(&mut self, op: Conv2d, x: &V, dy: &V, dweight: &V, dbias: Option<&V>, dact: Option<(&V, (u32, f32))>) -> Result<()> {
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
            disjoint(OP, ("dweight", dweight), ("dbias", db))?;
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
