//! Convolution and pooling kernels of the CPU backend (NCHW, PyTorch conventions), generic over
//! [`Real`] so the gradient checks run the same loops in `f64`. Slice lengths are checked by the
//! caller. Each kernel computes one output element from a gather, as the GPU kernels do.

use crate::backend::{Conv2d, Pool2d};
use crate::real::Real;

/// Input coordinate of output position `o` and kernel tap `k`, or `None` in the padding.
#[inline]
fn tap(o: usize, k: usize, stride: usize, pad: usize, size: usize) -> Option<usize> {
    let p = (o * stride + k).checked_sub(pad)?;
    (p < size).then_some(p)
}

/// `y = conv(x, w) + bias`.
pub fn conv2d_forward<T: Real>(op: &Conv2d, x: &[T], w: &[T], bias: Option<&[T]>, y: &mut [T]) {
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

/// `dx = convᵀ(dy, w)` (overwritten).
pub fn conv2d_backward_data<T: Real>(op: &Conv2d, dy: &[T], w: &[T], dx: &mut [T]) {
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

/// `dw` from `x` and `dy` (overwritten).
pub fn conv2d_backward_weight<T: Real>(op: &Conv2d, x: &[T], dy: &[T], dw: &mut [T]) {
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
