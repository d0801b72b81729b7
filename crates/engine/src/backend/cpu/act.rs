//! Activation kernels of the CPU backend (forward and backward), generic over [`Real`].
//! The elementwise math itself lives in [`Activation::eval`] and [`Activation::deriv`]; this file
//! adds what depends on the layout: PReLU's slope per column, Maxout's groups, Softmax's rows.

use super::fastmath;
use crate::activation::Activation;
use crate::real::Real;

/// `y = f(x)` over a `rows × cols` matrix (`y` is `rows × cols / pieces` for Maxout).
pub fn forward<T: Real>(act: Activation, rows: usize, cols: usize, x: &[T], alpha: Option<&[T]>, y: &mut [T]) {
    if rows == 0 || cols == 0 {
        return;
    }
    let x = &x[..rows * cols];
    match act {
        Activation::Prelu => {
            let alpha = alpha.unwrap_or(&[]);
            for (xr, yr) in x.chunks_exact(cols).zip(y.chunks_exact_mut(cols)) {
                for ((&xi, yi), &a) in xr.iter().zip(yr.iter_mut()).zip(alpha) {
                    *yi = if xi > T::ZERO { xi } else { a * xi };
                }
            }
        }
        Activation::Maxout { pieces } => {
            let p = pieces as usize;
            for (g, yi) in x.chunks_exact(p).zip(y.iter_mut()) {
                *yi = g[argmax(g)];
            }
        }
        Activation::Softmax => {
            for (xr, yr) in x.chunks_exact(cols).zip(y.chunks_exact_mut(cols)) {
                // Subtracting the row maximum keeps exp from overflowing.
                let m = xr.iter().copied().fold(xr[0], T::max);
                let mut sum = T::ZERO;
                for (&xi, yi) in xr.iter().zip(yr.iter_mut()) {
                    *yi = fastmath::exp(xi - m);
                    sum += *yi;
                }
                let inv = T::ONE / sum;
                for yi in yr.iter_mut() {
                    *yi *= inv;
                }
            }
        }
        // The common curves get a loop each (no per-element match, so they vectorise); tanh and
        // sigmoid use the fast approximations in f32.
        Activation::Tanh => map(x, y, fastmath::tanh),
        Activation::Sigmoid => map(x, y, fastmath::sigmoid),
        Activation::Relu => map(x, y, |v| Activation::Relu.eval(v)),
        Activation::Linear => y[..x.len()].copy_from_slice(x),
        _ => map(x, y, |v| act.eval(v)),
    }
}

#[inline(always)]
fn map<T: Real>(x: &[T], y: &mut [T], f: impl Fn(T) -> T) {
    for (&xi, yi) in x.iter().zip(y.iter_mut()) {
        *yi = f(xi);
    }
}

#[inline(always)]
fn map_grad<T: Real>(x: &[T], y: &[T], dy: &[T], dx: &mut [T], f: impl Fn(T, T) -> T) {
    for (((d, &xi), &yi), &dyi) in dx.iter_mut().zip(x).zip(y).zip(dy) {
        *d = dyi * f(xi, yi);
    }
}

/// `dx = dy·∂y/∂x` given the forward input `x` and output `y`; for PReLU also the slope gradient
/// summed over rows into `dalpha` (overwritten).
#[allow(clippy::too_many_arguments)]
pub fn backward<T: Real>(
    act: Activation,
    rows: usize,
    cols: usize,
    x: &[T],
    y: &[T],
    dy: &[T],
    alpha: Option<&[T]>,
    dx: &mut [T],
    dalpha: Option<&mut [T]>,
) {
    if rows == 0 || cols == 0 {
        if let Some(da) = dalpha {
            da.fill(T::ZERO);
        }
        return;
    }
    let x = &x[..rows * cols];
    let dx = &mut dx[..rows * cols];
    match act {
        Activation::Prelu => {
            let alpha = alpha.unwrap_or(&[]);
            let mut dalpha = dalpha;
            if let Some(da) = dalpha.as_deref_mut() {
                da.fill(T::ZERO);
            }
            for (r, (xr, dxr)) in x.chunks_exact(cols).zip(dx.chunks_exact_mut(cols)).enumerate() {
                let dyr = &dy[r * cols..(r + 1) * cols];
                for j in 0..cols {
                    if xr[j] > T::ZERO {
                        dxr[j] = dyr[j];
                    } else {
                        dxr[j] = dyr[j] * alpha[j];
                        if let Some(da) = dalpha.as_deref_mut() {
                            da[j] += dyr[j] * xr[j];
                        }
                    }
                }
            }
        }
        Activation::Maxout { pieces } => {
            let p = pieces as usize;
            // The gradient goes to the first largest piece alone, as argmax does in PyTorch.
            for ((g, dg), &d) in x.chunks_exact(p).zip(dx.chunks_exact_mut(p)).zip(dy) {
                dg.fill(T::ZERO);
                dg[argmax(g)] = d;
            }
        }
        Activation::Softmax => {
            for (r, dxr) in dx.chunks_exact_mut(cols).enumerate() {
                let yr = &y[r * cols..(r + 1) * cols];
                let dyr = &dy[r * cols..(r + 1) * cols];
                let mut dot = T::ZERO;
                for (&a, &b) in yr.iter().zip(dyr) {
                    dot += a * b;
                }
                for ((d, &yi), &dyi) in dxr.iter_mut().zip(yr).zip(dyr) {
                    *d = yi * (dyi - dot);
                }
            }
        }
        Activation::Tanh => map_grad(x, y, dy, dx, |xi, yi| Activation::Tanh.deriv(xi, yi)),
        Activation::Sigmoid => map_grad(x, y, dy, dx, |xi, yi| Activation::Sigmoid.deriv(xi, yi)),
        Activation::Relu => map_grad(x, y, dy, dx, |xi, yi| Activation::Relu.deriv(xi, yi)),
        _ => map_grad(x, y, dy, dx, |xi, yi| act.deriv(xi, yi)),
    }
}

/// Index of the first largest element (`g` is never empty).
#[inline]
fn argmax<T: Real>(g: &[T]) -> usize {
    let mut best = 0;
    for (i, &v) in g.iter().enumerate().skip(1) {
        if v > g[best] {
            best = i;
        }
    }
    best
}
