//! Matrix product kernel of the CPU backend, generic over [`Real`] so the gradient checks can
//! run the very same loops in `f64`.
//!
//! Loop orders keep the innermost loop on contiguous memory in every layout the engine uses:
//! `i-p-j` (a row of `B` streams into a row of `C`) for plain products, row-by-row dot products
//! when `B` is transposed (the dense forward pass, `x·Wᵀ`), and `p-i-j` when `A` is transposed
//! (the weight gradient, `dyᵀ·x`).

use crate::backend::Gemm;
use crate::real::Real;

/// `c = op(a)·op(b) (+ bias) (+ c if g.accumulate)`; slice lengths are checked by the caller.
pub fn gemm<T: Real>(g: Gemm, a: &[T], b: &[T], bias: Option<&[T]>, c: &mut [T]) {
    let Gemm { m, n, k, trans_a, trans_b, accumulate } = g;
    let c = &mut c[..m * n];
    if !accumulate {
        c.fill(T::ZERO);
    }
    if let Some(bias) = bias {
        for row in c.chunks_exact_mut(n.max(1)) {
            for (cj, &bj) in row.iter_mut().zip(bias) {
                *cj += bj;
            }
        }
    }
    if n == 0 || m == 0 {
        return;
    }
    match (trans_a, trans_b) {
        (false, false) => {
            for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                let arow = &a[i * k..(i + 1) * k];
                for (p, &aip) in arow.iter().enumerate() {
                    let brow = &b[p * n..(p + 1) * n];
                    axpy(aip, brow, crow);
                }
            }
        }
        (false, true) => {
            for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                let arow = &a[i * k..(i + 1) * k];
                for (j, cij) in crow.iter_mut().enumerate() {
                    *cij += dot(arow, &b[j * k..(j + 1) * k]);
                }
            }
        }
        (true, false) => {
            for p in 0..k {
                let arow = &a[p * m..(p + 1) * m];
                let brow = &b[p * n..(p + 1) * n];
                for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                    axpy(arow[i], brow, crow);
                }
            }
        }
        (true, true) => {
            // Not used by the layers; kept simple and correct.
            for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                for (j, cij) in crow.iter_mut().enumerate() {
                    let mut s = T::ZERO;
                    for p in 0..k {
                        s += a[p * m + i] * b[j * k + p];
                    }
                    *cij += s;
                }
            }
        }
    }
}

/// `y += a·x`.
#[inline]
fn axpy<T: Real>(a: T, x: &[T], y: &mut [T]) {
    for (yj, &xj) in y.iter_mut().zip(x) {
        *yj += a * xj;
    }
}

/// Dot product with four independent partial sums, so the compiler can keep several lanes busy
/// (a single running sum is one long dependency chain).
#[inline]
fn dot<T: Real>(x: &[T], y: &[T]) -> T {
    let mut s = [T::ZERO; 4];
    let xc = x.chunks_exact(4);
    let yc = y.chunks_exact(4);
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        s[0] += xs[0] * ys[0];
        s[1] += xs[1] * ys[1];
        s[2] += xs[2] * ys[2];
        s[3] += xs[3] * ys[3];
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for (&a, &b) in xr.iter().zip(yr) {
        t += a * b;
    }
    t
}
