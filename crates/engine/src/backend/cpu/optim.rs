//! The fused optimizer kernel of the CPU backend: one pass over the flat parameter buffer.

use crate::optim::{OptimKind, OptimStep};
use crate::real::Real;

/// Updates `param` in place from `grad`, with state `m` (momentum, Adam) and `v` (Adam).
pub fn step<T: Real>(s: &OptimStep, param: &mut [T], grad: &[T], m: &mut [T], v: &mut [T]) {
    let lr = T::from_f64(s.lr as f64);
    let wd = T::from_f64(s.weight_decay as f64);
    let l1 = T::from_f64(s.l1 as f64);
    let effective = |p: T, g: T| {
        let sign = if p > T::ZERO {
            T::ONE
        } else if p < T::ZERO {
            -T::ONE
        } else {
            T::ZERO
        };
        g + wd * p + l1 * sign
    };
    match s.kind {
        OptimKind::Sgd => {
            for (p, &g) in param.iter_mut().zip(grad) {
                *p -= lr * effective(*p, g);
            }
        }
        OptimKind::Momentum => {
            let mu = T::from_f64(s.momentum as f64);
            for ((p, &g), mi) in param.iter_mut().zip(grad).zip(m.iter_mut()) {
                *mi = mu * *mi + effective(*p, g);
                *p -= lr * *mi;
            }
        }
        OptimKind::Adam => {
            let b1 = s.beta1 as f64;
            let b2 = s.beta2 as f64;
            let t = s.t.max(1) as i32;
            // Bias corrections in f64: 1 − β₂ᵗ loses most of its digits in f32 for small t.
            let c1 = T::from_f64(1.0 / (1.0 - b1.powi(t)));
            let c2 = T::from_f64(1.0 / (1.0 - b2.powi(t)));
            let (tb1, tb2) = (T::from_f64(b1), T::from_f64(b2));
            let (ob1, ob2) = (T::from_f64(1.0 - b1), T::from_f64(1.0 - b2));
            let eps = T::from_f64(s.eps as f64);
            for (((p, &g), mi), vi) in param.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut()) {
                let g = effective(*p, g);
                *mi = tb1 * *mi + ob1 * g;
                *vi = tb2 * *vi + ob2 * g * g;
                *p -= lr * (*mi * c1) / ((*vi * c2).sqrt() + eps);
            }
        }
    }
}
