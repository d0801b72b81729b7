//! Loss and accuracy kernels of the CPU backend, generic over [`Real`]. Both cross-entropies are
//! fused with their sigmoid or softmax and computed in the log-sum-exp form, so huge logits give
//! finite losses and gradients instead of `inf` and `NaN`.

use crate::loss::LossKind;
use crate::real::Real;

/// The batch-mean loss; writes `∂loss/∂pred` into `dpred`. Targets are checked by the caller
/// (class indices in range for softmax cross-entropy).
pub fn loss<T: Real>(kind: LossKind, rows: usize, cols: usize, pred: &[T], target: &[T], dpred: &mut [T]) -> T {
    let n = rows * cols;
    match kind {
        LossKind::Mse => {
            let scale = T::ONE / T::from_f64(n as f64);
            let mut sum = T::ZERO;
            for ((d, &p), &t) in dpred[..n].iter_mut().zip(pred).zip(target) {
                let e = p - t;
                sum += e * e;
                *d = T::from_f64(2.0) * e * scale;
            }
            sum * scale
        }
        LossKind::SigmoidBce => {
            let scale = T::ONE / T::from_f64(n as f64);
            let mut sum = T::ZERO;
            for ((d, &z), &t) in dpred[..n].iter_mut().zip(pred).zip(target) {
                // −[t·log σ(z) + (1−t)·log(1−σ(z))] = max(z, 0) − z·t + log(1 + e^−|z|).
                sum += z.max(T::ZERO) - z * t + (-z.abs()).exp().ln_1p();
                *d = (z.sigmoid() - t) * scale;
            }
            sum * scale
        }
        LossKind::SoftmaxCrossEntropy => {
            let scale = T::ONE / T::from_f64(rows as f64);
            let mut sum = T::ZERO;
            for (r, dr) in dpred[..n].chunks_exact_mut(cols).enumerate() {
                let zr = &pred[r * cols..(r + 1) * cols];
                let class = target[r].to_f64() as usize;
                let m = zr.iter().copied().fold(zr[0], T::max);
                let mut s = T::ZERO;
                for (d, &z) in dr.iter_mut().zip(zr) {
                    *d = (z - m).exp();
                    s += *d;
                }
                sum += m + s.ln() - zr[class];
                let inv = scale / s;
                for d in dr.iter_mut() {
                    *d *= inv;
                }
                dr[class] -= scale;
            }
            sum * scale
        }
    }
}

/// How many rows are classified right (see `Backend::count_correct`).
pub fn count_correct<T: Real>(kind: LossKind, rows: usize, cols: usize, pred: &[T], target: &[T]) -> usize {
    let mut correct = 0;
    for r in 0..rows {
        let pr = &pred[r * cols..(r + 1) * cols];
        let ok = match kind {
            LossKind::SoftmaxCrossEntropy => {
                let mut best = 0;
                for (i, &v) in pr.iter().enumerate() {
                    if v > pr[best] {
                        best = i;
                    }
                }
                best as f64 == target[r].to_f64()
            }
            LossKind::SigmoidBce => {
                let tr = &target[r * cols..(r + 1) * cols];
                pr.iter().zip(tr).all(|(&z, &t)| (z > T::ZERO) == (t.to_f64() > 0.5))
            }
            LossKind::Mse => {
                let tr = &target[r * cols..(r + 1) * cols];
                pr.iter().zip(tr).all(|(&p, &t)| (p >= T::ZERO) == (t >= T::ZERO))
            }
        };
        if ok {
            correct += 1;
        }
    }
    correct
}
