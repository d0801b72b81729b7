//! The checks every GPU op makes before it records anything (a bad shape is an
//! [`EngineError::Shape`], never a device validation error) and the packing of sizes, offsets
//! and codes into the kernels' uniforms.

use super::super::recorder::grid;
use super::V;
use crate::activation::Activation;
use crate::backend::{ActOp, Conv2d, Pool2d, RnnCell};
use crate::error::{EngineError, Result};
use crate::loss::LossKind;

pub(super) fn shape(op: &'static str, detail: String) -> EngineError {
    EngineError::Shape { op, detail }
}

/// `a·b`, or a shape error where it overflows (sizes can come from user-built models).
pub(super) fn mul(op: &'static str, a: usize, b: usize) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| shape(op, format!("{a}×{b} floats overflow")))
}

/// The view lies inside its buffer.
pub(super) fn inside(op: &'static str, name: &str, v: &V) -> Result<()> {
    if v.offset.checked_add(v.len).is_none_or(|end| end > v.buf.len()) {
        return Err(shape(
            op,
            format!("{name} [{}, +{}) runs past its buffer of {} floats", v.offset, v.len, v.buf.len()),
        ));
    }
    Ok(())
}

/// The view has `want` floats and lies inside its buffer.
pub(super) fn sized(op: &'static str, name: &str, v: &V, want: usize) -> Result<()> {
    if v.len != want {
        return Err(shape(op, format!("{name} has {} floats, expected {want}", v.len)));
    }
    inside(op, name, v)
}

/// A written view shares no buffer with the op's other views (WebGPU forbids binding a buffer
/// as writable together with any other binding of it).
pub(super) fn apart(op: &'static str, written: (&str, &V), others: &[(&str, Option<&V>)]) -> Result<()> {
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
pub(super) fn u(x: usize) -> u32 {
    x as u32
}

pub(super) fn f(x: f32) -> u32 {
    x.to_bits()
}

/// The activation's code in act_forward.wgsl / act_backward.wgsl, its scalar and its pieces.
pub(super) fn act_code(act: Activation) -> (u32, f32, u32) {
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

pub(super) fn loss_code(kind: LossKind) -> u32 {
    match kind {
        LossKind::Mse => 0,
        LossKind::SoftmaxCrossEntropy => 1,
        LossKind::SigmoidBce => 2,
    }
}

/// Output width of an activation over `cols` inputs; checks maxout's pieces divide them.
pub(super) fn out_cols(op: &'static str, a: ActOp) -> Result<usize> {
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
pub(super) fn groups(op: &'static str, items: usize, size: usize) -> Result<(u32, u32)> {
    grid(op, items.div_ceil(size))
}

/// Checks a convolution's shape (non-zero strides, a kernel that fits the padded input, no
/// overflowing sizes) and returns `(oh, ow)`.
pub(super) fn conv_shape(op: &'static str, c: &Conv2d) -> Result<(usize, usize)> {
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
pub(super) fn conv_params(c: &Conv2d, oh: usize, ow: usize, tail: &[u32]) -> Vec<u32> {
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
pub(super) fn pool_shape(op: &'static str, p: &Pool2d) -> Result<(usize, usize)> {
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

pub(super) fn pool_params(p: &Pool2d, oh: usize, ow: usize) -> [u32; 8] {
    [u(p.height), u(p.width), u(p.kernel[0]), u(p.kernel[1]), u(p.stride[0]), u(p.stride[1]), u(oh), u(ow)]
}

/// Checks a recurrent cell's state size; returns `N·H`.
pub(super) fn cell_state(op: &'static str, cell: &RnnCell, gates_per_unit: usize) -> Result<usize> {
    let state = mul(op, cell.batch, cell.hidden)?;
    mul(op, state, gates_per_unit)?;
    Ok(state)
}

/// Two views that must not share floats: an error when they are non-empty ranges of one buffer
/// that overlap.
pub(super) fn disjoint(op: &'static str, (a_name, a): (&str, &V), (b_name, b): (&str, &V)) -> Result<()> {
    let overlap = a.buf.id() == b.buf.id() && a.len > 0 && b.len > 0 && a.offset < b.offset + b.len && b.offset < a.offset + a.len;
    if overlap {
        return Err(shape(op, format!("{a_name} and {b_name} overlap")));
    }
    Ok(())
}

/// The views lie in pairwise different buffers (so a fused kernel may bind each once).
pub(super) fn distinct(views: &[&V]) -> bool {
    views.iter().enumerate().all(|(i, a)| views[i + 1..].iter().all(|b| a.buf.id() != b.buf.id()))
}
