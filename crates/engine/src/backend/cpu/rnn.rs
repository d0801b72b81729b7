//! LSTM and GRU cell kernels of the CPU backend (see [`crate::backend::RnnCell`] for the
//! contract), generic over [`Real`] so the gradient checks run them in `f64`.

use crate::backend::RnnCell;
use crate::real::Real;

/// LSTM step: pre-activations in `gates` become activated gates; `c = [c_prev | c_new]`.
pub fn lstm_forward<T: Real>(cell: &RnnCell, gates: &mut [T], c: &mut [T], h: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (c_prev, c_new) = c.split_at_mut(nb * hd);
    for n in 0..nb {
        let g = &mut gates[n * 4 * hd..(n + 1) * 4 * hd];
        for j in 0..hd {
            let i = g[j].sigmoid();
            let f = g[hd + j].sigmoid();
            let gg = g[2 * hd + j].tanh();
            let o = g[3 * hd + j].sigmoid();
            g[j] = i;
            g[hd + j] = f;
            g[2 * hd + j] = gg;
            g[3 * hd + j] = o;
            let ct = f * c_prev[n * hd + j] + i * gg;
            c_new[n * hd + j] = ct;
            h[n * hd + j] = o * ct.tanh();
        }
    }
}

/// LSTM step backward: activated gates become pre-activation gradients; `dc` goes from `c_t`
/// to `c_{t−1}`.
pub fn lstm_backward<T: Real>(cell: &RnnCell, gates: &mut [T], c: &[T], dh: &[T], dc: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (c_prev, c_new) = c.split_at(nb * hd);
    for n in 0..nb {
        let g = &mut gates[n * 4 * hd..(n + 1) * 4 * hd];
        for j in 0..hd {
            let k = n * hd + j;
            let (i, f, gg, o) = (g[j], g[hd + j], g[2 * hd + j], g[3 * hd + j]);
            let tc = c_new[k].tanh();
            let d = dc[k] + dh[k] * o * (T::ONE - tc * tc);
            g[j] = d * gg * i * (T::ONE - i);
            g[hd + j] = d * c_prev[k] * f * (T::ONE - f);
            g[2 * hd + j] = d * i * (T::ONE - gg * gg);
            g[3 * hd + j] = dh[k] * tc * o * (T::ONE - o);
            dc[k] = d * f;
        }
    }
}

/// GRU step: `gates` (input projections) become r, z, n; `h = [h_prev | h_new]`.
pub fn gru_forward<T: Real>(cell: &RnnCell, gates: &mut [T], hp: &[T], h: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (h_prev, h_new) = h.split_at_mut(nb * hd);
    for n in 0..nb {
        let g = &mut gates[n * 3 * hd..(n + 1) * 3 * hd];
        let p = &hp[n * 3 * hd..(n + 1) * 3 * hd];
        for j in 0..hd {
            let r = (g[j] + p[j]).sigmoid();
            let z = (g[hd + j] + p[hd + j]).sigmoid();
            let nn = (g[2 * hd + j] + r * p[2 * hd + j]).tanh();
            g[j] = r;
            g[hd + j] = z;
            g[2 * hd + j] = nn;
            let k = n * hd + j;
            h_new[k] = (T::ONE - z) * nn + z * h_prev[k];
        }
    }
}

/// GRU step backward: gates become `d(x·W_ihᵀ + b_ih)`, `hp` becomes `d(h·W_hhᵀ + b_hh)`, and
/// `z⊙dh_t` is added to the first half of `dh`.
pub fn gru_backward<T: Real>(cell: &RnnCell, gates: &mut [T], hp: &mut [T], h_prev: &[T], dh: &mut [T]) {
    let (nb, hd) = (cell.batch, cell.hidden);
    let (dh_prev, dh_t) = dh.split_at_mut(nb * hd);
    for n in 0..nb {
        let g = &mut gates[n * 3 * hd..(n + 1) * 3 * hd];
        let p = &mut hp[n * 3 * hd..(n + 1) * 3 * hd];
        for j in 0..hd {
            let k = n * hd + j;
            let (r, z, nn) = (g[j], g[hd + j], g[2 * hd + j]);
            let d = dh_t[k];
            let dn = d * (T::ONE - z) * (T::ONE - nn * nn);
            let dz = d * (h_prev[k] - nn) * z * (T::ONE - z);
            let dr = dn * p[2 * hd + j] * r * (T::ONE - r);
            g[j] = dr;
            g[hd + j] = dz;
            g[2 * hd + j] = dn;
            p[j] = dr;
            p[hd + j] = dz;
            p[2 * hd + j] = dn * r;
            dh_prev[k] += d * z;
        }
    }
}
