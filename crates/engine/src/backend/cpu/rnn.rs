//! LSTM and GRU cell kernels of the CPU backend (see [`crate::backend::RnnCell`] for the
//! contract), generic over [`Real`] so the gradient checks run them in `f64`.
//!
//! Each gate is a separate contiguous slice and the loops carry no dependence between units, so
//! they vectorise; in `f32` the sigmoids and tanhs are [`super::fastmath`]'s approximations.

use super::fastmath::{sigmoid, tanh};
use crate::backend::RnnCell;
use crate::real::Real;

/// Splits one row of gates into its `parts` gates of `hd` units.
#[inline(always)]
fn split4<T>(g: &mut [T], hd: usize) -> (&mut [T], &mut [T], &mut [T], &mut [T]) {
    let (a, rest) = g.split_at_mut(hd);
    let (b, rest) = rest.split_at_mut(hd);
    let (c, d) = rest.split_at_mut(hd);
    (a, b, c, &mut d[..hd])
}

#[inline(always)]
fn split3<T>(g: &mut [T], hd: usize) -> (&mut [T], &mut [T], &mut [T]) {
    let (a, rest) = g.split_at_mut(hd);
    let (b, c) = rest.split_at_mut(hd);
    (a, b, &mut c[..hd])
}

/// LSTM step: pre-activations in `gates` become activated gates; `c = [c_prev | c_new]`.
pub fn lstm_forward<T: Real>(cell: &RnnCell, gates: &mut [T], c: &mut [T], h: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (c_prev, c_new) = c.split_at_mut(nb * hd);
    for n in 0..nb {
        let (gi, gf, gg, go) = split4(&mut gates[n * 4 * hd..(n + 1) * 4 * hd], hd);
        let cp = &c_prev[n * hd..(n + 1) * hd];
        let cn = &mut c_new[n * hd..(n + 1) * hd];
        let hn = &mut h[n * hd..(n + 1) * hd];
        for j in 0..hd {
            let i = sigmoid(gi[j]);
            let f = sigmoid(gf[j]);
            let g = tanh(gg[j]);
            let o = sigmoid(go[j]);
            gi[j] = i;
            gf[j] = f;
            gg[j] = g;
            go[j] = o;
            let ct = f * cp[j] + i * g;
            cn[j] = ct;
            hn[j] = o * tanh(ct);
        }
    }
}

/// LSTM step backward: activated gates become pre-activation gradients; `dc` goes from `c_t`
/// to `c_{t−1}`.
pub fn lstm_backward<T: Real>(cell: &RnnCell, gates: &mut [T], c: &[T], dh: &[T], dc: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (c_prev, c_new) = c.split_at(nb * hd);
    for n in 0..nb {
        let (gi, gf, gg, go) = split4(&mut gates[n * 4 * hd..(n + 1) * 4 * hd], hd);
        let cp = &c_prev[n * hd..(n + 1) * hd];
        let cn = &c_new[n * hd..(n + 1) * hd];
        let dhn = &dh[n * hd..(n + 1) * hd];
        let dcn = &mut dc[n * hd..(n + 1) * hd];
        for j in 0..hd {
            let (i, f, g, o) = (gi[j], gf[j], gg[j], go[j]);
            let tc = tanh(cn[j]);
            let d = dcn[j] + dhn[j] * o * (T::ONE - tc * tc);
            gi[j] = d * g * i * (T::ONE - i);
            gf[j] = d * cp[j] * f * (T::ONE - f);
            gg[j] = d * i * (T::ONE - g * g);
            go[j] = dhn[j] * tc * o * (T::ONE - o);
            dcn[j] = d * f;
        }
    }
}

/// GRU step: `gates` (input projections) become r, z, n; `h = [h_prev | h_new]`.
pub fn gru_forward<T: Real>(cell: &RnnCell, gates: &mut [T], hp: &[T], h: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (h_prev, h_new) = h.split_at_mut(nb * hd);
    for n in 0..nb {
        let (gr, gz, gn) = split3(&mut gates[n * 3 * hd..(n + 1) * 3 * hd], hd);
        let p = &hp[n * 3 * hd..(n + 1) * 3 * hd];
        let (pr, pz, pn) = (&p[..hd], &p[hd..2 * hd], &p[2 * hd..3 * hd]);
        let hpv = &h_prev[n * hd..(n + 1) * hd];
        let hnv = &mut h_new[n * hd..(n + 1) * hd];
        for j in 0..hd {
            let r = sigmoid(gr[j] + pr[j]);
            let z = sigmoid(gz[j] + pz[j]);
            let nn = tanh(gn[j] + r * pn[j]);
            gr[j] = r;
            gz[j] = z;
            gn[j] = nn;
            hnv[j] = (T::ONE - z) * nn + z * hpv[j];
        }
    }
}

/// GRU step backward: gates become `d(x·W_ihᵀ + b_ih)`, `hp` becomes `d(h·W_hhᵀ + b_hh)`, and
/// `z⊙dh_t` is added to the first half of `dh`.
pub fn gru_backward<T: Real>(cell: &RnnCell, gates: &mut [T], hp: &mut [T], h_prev: &[T], dh: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (dh_prev, dh_t) = dh.split_at_mut(nb * hd);
    for n in 0..nb {
        let (gr, gz, gn) = split3(&mut gates[n * 3 * hd..(n + 1) * 3 * hd], hd);
        let (pr, pz, pn) = split3(&mut hp[n * 3 * hd..(n + 1) * 3 * hd], hd);
        let hpv = &h_prev[n * hd..(n + 1) * hd];
        let dt = &dh_t[n * hd..(n + 1) * hd];
        let dp = &mut dh_prev[n * hd..(n + 1) * hd];
        for j in 0..hd {
            let (r, z, nn) = (gr[j], gz[j], gn[j]);
            let d = dt[j];
            let dn = d * (T::ONE - z) * (T::ONE - nn * nn);
            let dz = d * (hpv[j] - nn) * z * (T::ONE - z);
            let dr = dn * pn[j] * r * (T::ONE - r);
            gr[j] = dr;
            gz[j] = dz;
            gn[j] = dn;
            pr[j] = dr;
            pz[j] = dz;
            pn[j] = dn * r;
            dp[j] += d * z;
        }
    }
}
