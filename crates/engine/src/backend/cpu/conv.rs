//! Convolution and pooling kernels of the CPU backend (NCHW, PyTorch conventions), generic over
//! [`Real`] so the gradient checks run the same loops in `f64`. Slice lengths are checked by the
//! caller.
//!
//! Convolutions run as matrix products: `im2col` lays the receptive fields of a group of samples
//! out as the columns of a `[C·kh·kw, samples·P]` matrix (P output positions per sample), so the
//! forward pass, the weight gradient and the data gradient are each one [`gemm`] per group, and
//! the fast `f32` GEMM does the arithmetic. The direct loops (`*_direct`) stay as the reference.

use std::any::TypeId;
use std::cell::RefCell;

use super::gemm::gemm;
use crate::backend::{Conv2d, Gemm, Pool2d};
use crate::real::Real;

/// Scratch floats one group of samples may use (1 Mi floats, 4 MiB): large convolutions run in
/// several groups instead of one huge `im2col` matrix.
const SCRATCH_CAP: usize = 1 << 20;

thread_local! {
    /// The `f32` scratch, grown once and reused (no allocation per training step).
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on `len` scratch floats (contents unspecified): the reused buffer in `f32`, a fresh
/// one in other types (the `f64` gradient checks).
fn with_scratch<T: Real, R>(len: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
    if TypeId::of::<T>() == TypeId::of::<f32>() {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut v) => {
                if v.len() < len {
                    v.resize(len, 0.0);
                }
                // SAFETY: `T` is `f32` (checked above).
                let t = unsafe { &mut *(&mut v[..len] as *mut [f32] as *mut [T]) };
                f(t)
            }
            Err(_) => f(&mut vec![T::ZERO; len]),
        })
    } else {
        f(&mut vec![T::ZERO; len])
    }
}

/// Shape numbers of a convolution: `k` = C·kh·kw rows of the `im2col` matrix, `p` output
/// positions per sample, and the samples per group.
struct Dims {
    k: usize,
    p: usize,
    group: usize,
}

fn dims(op: &Conv2d, per_sample_extra: usize) -> Dims {
    let k = op.in_channels * op.kernel[0] * op.kernel[1];
    let p = op.out_height() * op.out_width();
    let per_sample = (k + per_sample_extra) * p;
    let group = (SCRATCH_CAP / per_sample.max(1)).clamp(1, op.batch.max(1));
    Dims { k, p, group }
}

/// Runs `f(dims, n0, ns, cols, per_channel)` for each group of `ns` samples from `n0`, on scratch
/// for the group's `cols [K, ns·P]` and an `[O, ns·P]` matrix (contents unspecified).
fn for_each_group<T: Real>(op: &Conv2d, mut f: impl FnMut(&Dims, usize, usize, &mut [T], &mut [T])) {
    let o_ch = op.out_channels;
    let d = dims(op, o_ch);
    with_scratch(d.group * (d.k + o_ch) * d.p, |scratch: &mut [T]| {
        for n0 in (0..op.batch).step_by(d.group) {
            let ns = d.group.min(op.batch - n0);
            let width = ns * d.p;
            let (cols, per_channel) = scratch.split_at_mut(d.k * width);
            f(&d, n0, ns, cols, &mut per_channel[..o_ch * width]);
        }
    });
}

/// `cols[(c·kh + ky)·kw + kx, s·P + oy·ow + ox] = x[n0 + s, c, iy, ix]` (0 in the padding) for the
/// `ns` samples from `n0`; `cols` has `ns·P` columns.
fn im2col<T: Real>(op: &Conv2d, x: &[T], n0: usize, ns: usize, cols: &mut [T]) {
    let (c_in, h, wd) = (op.in_channels, op.height, op.width);
    let ([kh, kw], [sh, sw], [ph, pw]) = (op.kernel, op.stride, op.padding);
    let (oh, ow) = (op.out_height(), op.out_width());
    let (p, width) = (oh * ow, ns * oh * ow);
    for c in 0..c_in {
        for ky in 0..kh {
            for kx in 0..kw {
                let row = &mut cols[((c * kh + ky) * kw + kx) * width..][..width];
                // Output columns whose input column lies inside the image: ox in [lo, hi).
                let (lo, hi) = valid_range(ow, kx, sw, pw, wd);
                for s in 0..ns {
                    let xc = &x[((n0 + s) * c_in + c) * h * wd..][..h * wd];
                    for oy in 0..oh {
                        let out = &mut row[s * p + oy * ow..][..ow];
                        let Some(iy) = tap(oy, ky, sh, ph, h) else {
                            out.fill(T::ZERO);
                            continue;
                        };
                        let xrow = &xc[iy * wd..(iy + 1) * wd];
                        out[..lo].fill(T::ZERO);
                        out[hi..].fill(T::ZERO);
                        if sw == 1 {
                            let ix0 = lo + kx - pw;
                            out[lo..hi].copy_from_slice(&xrow[ix0..ix0 + (hi - lo)]);
                        } else {
                            for (ox, o) in out[lo..hi].iter_mut().enumerate() {
                                *o = xrow[(lo + ox) * sw + kx - pw];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The inverse scatter of [`im2col`]: `dx[n0 + s, c, iy, ix] += dcols[…]`.
fn col2im<T: Real>(op: &Conv2d, dcols: &[T], n0: usize, ns: usize, dx: &mut [T]) {
    let (c_in, h, wd) = (op.in_channels, op.height, op.width);
    let ([kh, kw], [sh, sw], [ph, pw]) = (op.kernel, op.stride, op.padding);
    let (oh, ow) = (op.out_height(), op.out_width());
    let (p, width) = (oh * ow, ns * oh * ow);
    for c in 0..c_in {
        for ky in 0..kh {
            for kx in 0..kw {
                let row = &dcols[((c * kh + ky) * kw + kx) * width..][..width];
                let (lo, hi) = valid_range(ow, kx, sw, pw, wd);
                for s in 0..ns {
                    let dxc = &mut dx[((n0 + s) * c_in + c) * h * wd..][..h * wd];
                    for oy in 0..oh {
                        let Some(iy) = tap(oy, ky, sh, ph, h) else { continue };
                        let src = &row[s * p + oy * ow..][..ow];
                        let dxrow = &mut dxc[iy * wd..(iy + 1) * wd];
                        if sw == 1 {
                            let ix0 = lo + kx - pw;
                            for (d, &g) in dxrow[ix0..ix0 + (hi - lo)].iter_mut().zip(&src[lo..hi]) {
                                *d += g;
                            }
                        } else {
                            for (ox, &g) in src[lo..hi].iter().enumerate() {
                                dxrow[(lo + ox) * sw + kx - pw] += g;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The output columns `ox` in `[lo, hi)` whose input column `ox·stride + k − pad` lies in
/// `[0, size)` (`lo ≤ hi`, both at most `out`).
fn valid_range(out: usize, k: usize, stride: usize, pad: usize, size: usize) -> (usize, usize) {
    // ox·stride + k ≥ pad  ⇔  ox ≥ ceil((pad − k) / stride)
    let lo = if k >= pad { 0 } else { (pad - k).div_ceil(stride) };
    // ox·stride + k − pad ≤ size − 1  ⇔  ox ≤ (size − 1 + pad − k) / stride
    let hi = if size + pad > k { ((size - 1 + pad - k) / stride + 1).min(out) } else { 0 };
    (lo.min(hi), hi)
}

/// `y = conv(x, w) + bias`: per group, `Y[O, ns·P] = W[O, K]·cols` then a copy into NCHW.
pub fn conv2d_forward<T: Real>(op: &Conv2d, x: &[T], w: &[T], bias: Option<&[T]>, y: &mut [T]) {
    let o_ch = op.out_channels;
    for_each_group(op, |d, n0, ns, cols, out| {
        let width = ns * d.p;
        im2col(op, x, n0, ns, cols);
        gemm(Gemm { m: o_ch, n: width, k: d.k, trans_a: false, trans_b: false, accumulate: false }, w, cols, None, out);
        for o in 0..o_ch {
            let b = bias.map_or(T::ZERO, |b| b[o]);
            for s in 0..ns {
                let src = &out[o * width + s * d.p..][..d.p];
                let dst = &mut y[((n0 + s) * o_ch + o) * d.p..][..d.p];
                for (yv, &v) in dst.iter_mut().zip(src) {
                    *yv = v + b;
                }
            }
        }
    });
}

/// Copies `dy` of samples `n0..n0+ns` from `[N, O, P]` to `[O, ns·P]`.
fn gather_dy<T: Real>(o_ch: usize, p: usize, dy: &[T], n0: usize, ns: usize, out: &mut [T]) {
    let width = ns * p;
    for o in 0..o_ch {
        for s in 0..ns {
            out[o * width + s * p..][..p].copy_from_slice(&dy[((n0 + s) * o_ch + o) * p..][..p]);
        }
    }
}

/// `dx = convᵀ(dy, w)` (overwritten): per group, `dcols[K, ns·P] = Wᵀ·dY` then [`col2im`].
pub fn conv2d_backward_data<T: Real>(op: &Conv2d, dy: &[T], w: &[T], dx: &mut [T]) {
    let o_ch = op.out_channels;
    dx[..op.x_len()].fill(T::ZERO);
    for_each_group(op, |d, n0, ns, dcols, dyg| {
        gather_dy(o_ch, d.p, dy, n0, ns, dyg);
        gemm(Gemm { m: d.k, n: ns * d.p, k: o_ch, trans_a: true, trans_b: false, accumulate: false }, w, dyg, None, dcols);
        col2im(op, dcols, n0, ns, dx);
    });
}

/// `dw` from `x` and `dy` (overwritten): per group, `dW[O, K] += dY[O, ns·P]·colsᵀ`.
pub fn conv2d_backward_weight<T: Real>(op: &Conv2d, x: &[T], dy: &[T], dw: &mut [T]) {
    let o_ch = op.out_channels;
    dw[..op.weight_len()].fill(T::ZERO);
    for_each_group(op, |d, n0, ns, cols, dyg| {
        im2col(op, x, n0, ns, cols);
        gather_dy(o_ch, d.p, dy, n0, ns, dyg);
        gemm(Gemm { m: o_ch, n: d.k, k: ns * d.p, trans_a: false, trans_b: true, accumulate: true }, dyg, cols, None, dw);
    });
}

/// Input coordinate of output position `o` and kernel tap `k`, or `None` in the padding.
#[inline]
fn tap(o: usize, k: usize, stride: usize, pad: usize, size: usize) -> Option<usize> {
    let p = (o * stride + k).checked_sub(pad)?;
    (p < size).then_some(p)
}

/// `y = conv(x, w) + bias`, one gather per output element (the reference for the im2col path).
pub fn conv2d_forward_direct<T: Real>(op: &Conv2d, x: &[T], w: &[T], bias: Option<&[T]>, y: &mut [T]) {
    let (c_in, h, wd, o_ch) = (op.in_channels, op.height, op.width, op.out_channels);
    let ([kh, kw], [sh, sw], [ph, pw]) = (op.kernel, op.stride, op.padding);
    let (oh, ow) = (op.out_height(), op.out_width());
    let plane = oh * ow;
    // Im2col-free: for each (n, o, ky, kx, c) stream one input row into one output row.
    for n in 0..op.batch {
        let xn = &x[n * c_in * h * wd..(n + 1) * c_in * h * wd];
        for o in 0..o_ch {
            let yo = &mut y[(n * o_ch + o) * plane..(n * o_ch + o + 1) * plane];
            yo.fill(bias.map_or(T::ZERO, |b| b[o]));
            for c in 0..c_in {
                let xc = &xn[c * h * wd..(c + 1) * h * wd];
                let wk = &w[(o * c_in + c) * kh * kw..(o * c_in + c + 1) * kh * kw];
                for oy in 0..oh {
                    let yrow = &mut yo[oy * ow..(oy + 1) * ow];
                    for ky in 0..kh {
                        let Some(iy) = tap(oy, ky, sh, ph, h) else { continue };
                        let xrow = &xc[iy * wd..(iy + 1) * wd];
                        for kx in 0..kw {
                            let wv = wk[ky * kw + kx];
                            for (ox, yv) in yrow.iter_mut().enumerate() {
                                if let Some(ix) = tap(ox, kx, sw, pw, wd) {
                                    *yv += wv * xrow[ix];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `dx = convᵀ(dy, w)` (overwritten), direct loops (the reference for the im2col path).
pub fn conv2d_backward_data_direct<T: Real>(op: &Conv2d, dy: &[T], w: &[T], dx: &mut [T]) {
    let (c_in, h, wd, o_ch) = (op.in_channels, op.height, op.width, op.out_channels);
    let ([kh, kw], [sh, sw], [ph, pw]) = (op.kernel, op.stride, op.padding);
    let (oh, ow) = (op.out_height(), op.out_width());
    dx.fill(T::ZERO);
    // Scatter form on the CPU (same sums as the gather form, one writer at a time).
    for n in 0..op.batch {
        for o in 0..o_ch {
            let dyo = &dy[(n * o_ch + o) * oh * ow..(n * o_ch + o + 1) * oh * ow];
            for c in 0..c_in {
                let dxc = &mut dx[(n * c_in + c) * h * wd..(n * c_in + c + 1) * h * wd];
                let wk = &w[(o * c_in + c) * kh * kw..(o * c_in + c + 1) * kh * kw];
                for oy in 0..oh {
                    let dyrow = &dyo[oy * ow..(oy + 1) * ow];
                    for ky in 0..kh {
                        let Some(iy) = tap(oy, ky, sh, ph, h) else { continue };
                        let dxrow = &mut dxc[iy * wd..(iy + 1) * wd];
                        for kx in 0..kw {
                            let wv = wk[ky * kw + kx];
                            for (ox, &g) in dyrow.iter().enumerate() {
                                if let Some(ix) = tap(ox, kx, sw, pw, wd) {
                                    dxrow[ix] += wv * g;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `dw` from `x` and `dy` (overwritten), direct loops (the reference for the im2col path).
pub fn conv2d_backward_weight_direct<T: Real>(op: &Conv2d, x: &[T], dy: &[T], dw: &mut [T]) {
    let (c_in, h, wd, o_ch) = (op.in_channels, op.height, op.width, op.out_channels);
    let ([kh, kw], [sh, sw], [ph, pw]) = (op.kernel, op.stride, op.padding);
    let (oh, ow) = (op.out_height(), op.out_width());
    dw.fill(T::ZERO);
    for n in 0..op.batch {
        for o in 0..o_ch {
            let dyo = &dy[(n * o_ch + o) * oh * ow..(n * o_ch + o + 1) * oh * ow];
            for c in 0..c_in {
                let xc = &x[(n * c_in + c) * h * wd..(n * c_in + c + 1) * h * wd];
                let dwk = &mut dw[(o * c_in + c) * kh * kw..(o * c_in + c + 1) * kh * kw];
                for ky in 0..kh {
                    for kx in 0..kw {
                        let mut s = T::ZERO;
                        for oy in 0..oh {
                            let Some(iy) = tap(oy, ky, sh, ph, h) else { continue };
                            let xrow = &xc[iy * wd..(iy + 1) * wd];
                            let dyrow = &dyo[oy * ow..(oy + 1) * ow];
                            for (ox, &g) in dyrow.iter().enumerate() {
                                if let Some(ix) = tap(ox, kx, sw, pw, wd) {
                                    s += g * xrow[ix];
                                }
                            }
                        }
                        dwk[ky * kw + kx] += s;
                    }
                }
            }
        }
    }
}

/// `db[o] = Σ dy[n, o, :, :]` (overwritten).
pub fn conv2d_backward_bias<T: Real>(op: &Conv2d, dy: &[T], db: &mut [T]) {
    let (o_ch, plane) = (op.out_channels, op.out_height() * op.out_width());
    db.fill(T::ZERO);
    for n in 0..op.batch {
        for (o, d) in db.iter_mut().enumerate() {
            for &g in &dy[(n * o_ch + o) * plane..(n * o_ch + o + 1) * plane] {
                *d += g;
            }
        }
    }
}

/// Max pooling: `y` and the argmax position within the input plane.
pub fn maxpool2d_forward<T: Real>(op: &Pool2d, x: &[T], y: &mut [T], argmax: &mut [T]) {
    let (h, w) = (op.height, op.width);
    let ([kh, kw], [sh, sw]) = (op.kernel, op.stride);
    let (oh, ow) = (op.out_height(), op.out_width());
    for p in 0..op.batch * op.channels {
        let xp = &x[p * h * w..(p + 1) * h * w];
        for oy in 0..oh {
            for ox in 0..ow {
                let mut best = xp[oy * sh * w + ox * sw];
                let mut at = oy * sh * w + ox * sw;
                for ky in 0..kh {
                    for kx in 0..kw {
                        let i = (oy * sh + ky) * w + ox * sw + kx;
                        let v = xp[i];
                        // Strictly greater wins; NaN stays once it is the best (and wins if first).
                        if v > best {
                            best = v;
                            at = i;
                        }
                    }
                }
                y[(p * oh + oy) * ow + ox] = best;
                argmax[(p * oh + oy) * ow + ox] = T::from_f64(at as f64);
            }
        }
    }
}

/// Max pooling backward: routes each `dy` to its argmax (overwrites `dx`).
pub fn maxpool2d_backward<T: Real>(op: &Pool2d, dy: &[T], argmax: &[T], dx: &mut [T]) {
    let (hw, ohw) = (op.height * op.width, op.out_height() * op.out_width());
    dx.fill(T::ZERO);
    for p in 0..op.batch * op.channels {
        for i in 0..ohw {
            let at = argmax[p * ohw + i].to_f64();
            if at >= 0.0 && (at as usize) < hw {
                dx[p * hw + at as usize] += dy[p * ohw + i];
            }
        }
    }
}

/// Average pooling forward.
pub fn avgpool2d_forward<T: Real>(op: &Pool2d, x: &[T], y: &mut [T]) {
    let (h, w) = (op.height, op.width);
    let ([kh, kw], [sh, sw]) = (op.kernel, op.stride);
    let (oh, ow) = (op.out_height(), op.out_width());
    let scale = T::ONE / T::from_f64((kh * kw) as f64);
    for p in 0..op.batch * op.channels {
        let xp = &x[p * h * w..(p + 1) * h * w];
        for oy in 0..oh {
            for ox in 0..ow {
                let mut s = T::ZERO;
                for ky in 0..kh {
                    for kx in 0..kw {
                        s += xp[(oy * sh + ky) * w + ox * sw + kx];
                    }
                }
                y[(p * oh + oy) * ow + ox] = s * scale;
            }
        }
    }
}

/// Average pooling backward (overwrites `dx`).
pub fn avgpool2d_backward<T: Real>(op: &Pool2d, dy: &[T], dx: &mut [T]) {
    let (h, w) = (op.height, op.width);
    let ([kh, kw], [sh, sw]) = (op.kernel, op.stride);
    let (oh, ow) = (op.out_height(), op.out_width());
    let scale = T::ONE / T::from_f64((kh * kw) as f64);
    dx.fill(T::ZERO);
    for p in 0..op.batch * op.channels {
        let dxp = &mut dx[p * h * w..(p + 1) * h * w];
        for oy in 0..oh {
            for ox in 0..ow {
                let g = dy[(p * oh + oy) * ow + ox] * scale;
                for ky in 0..kh {
                    for kx in 0..kw {
                        dxp[(oy * sh + ky) * w + ox * sw + kx] += g;
                    }
                }
            }
        }
    }
}
