//! Finite-difference gradient checks in f64. The CPU kernels are generic over `Real`, so these
//! run the very loops the CPU backend trains with, in double precision, against central
//! differences of their own forward passes. A model-level check in f32 then verifies that the
//! dense layer wires the kernels together correctly (transposes, offsets, accumulation).

// Finite differences index several parallel arrays by one element number.
#![allow(clippy::needless_range_loop)]

use engine::activation::{ACTIVATIONS, Activation};
use engine::backend::cpu::{CpuBackend, act, gemm, loss};
use engine::backend::{Backend, Gemm, LossOp, View};
use engine::loss::LossKind;
use engine::model::Model;
use engine::rng::Rng;
use engine::spec::{LayerSpec, ModelSpec};
use engine::testing::block_on;

const H: f64 = 1e-6;

fn close(analytic: f64, numeric: f64, what: &str) {
    let tol = 1e-6 + 1e-5 * numeric.abs();
    assert!((analytic - numeric).abs() <= tol, "{what}: analytic {analytic}, numeric {numeric}");
}

fn randn(rng: &mut Rng, n: usize, std: f64) -> Vec<f64> {
    (0..n).map(|_| rng.normal(0.0, std)).collect()
}

/// Every activation of the table (with its default setting) plus other settings.
fn activations() -> Vec<Activation> {
    let mut v: Vec<Activation> = ACTIVATIONS.iter().map(|i| i.default).collect();
    v.extend([
        Activation::LeakyRelu { alpha: 0.2 },
        Activation::Elu { alpha: 0.5 },
        Activation::Swish { beta: 2.0 },
        Activation::Maxout { pieces: 3 },
    ]);
    v
}

/// Random inputs kept away from the kinks and, for maxout, with a clear winner per group, so
/// that a step of `H` never crosses a point where the derivative jumps.
fn inputs(act: Activation, rng: &mut Rng, n: usize) -> Vec<f64> {
    let mut x = randn(rng, n, 1.5);
    for v in &mut x {
        if v.abs() < 0.05 {
            *v += 0.1_f64.copysign(*v);
        }
    }
    if let Activation::Maxout { pieces } = act {
        for g in x.chunks_mut(pieces as usize) {
            g.sort_by(f64::total_cmp);
            for i in 1..g.len() {
                if g[i] - g[i - 1] < 0.05 {
                    g[i] = g[i - 1] + 0.05;
                }
            }
            let k = rng.below(g.len());
            g.swap(k, g.len() - 1);
        }
    }
    x
}

#[test]
fn every_activation_backward_matches_finite_differences() {
    let mut rng = Rng::new(11);
    for a in activations() {
        let (rows, cols) = (3, 4 * a.fan());
        let out = cols / a.fan();
        let x = inputs(a, &mut rng, rows * cols);
        let alpha: Vec<f64> = (0..cols).map(|_| rng.uniform(0.1, 0.5)).collect();
        let u = randn(&mut rng, rows * out, 1.0);
        let al = (a == Activation::Prelu).then_some(alpha.as_slice());
        let objective = |x: &[f64], alpha: &[f64]| {
            let mut y = vec![0.0; rows * out];
            let al = (a == Activation::Prelu).then_some(alpha);
            act::forward(a, rows, cols, x, al, &mut y);
            y.iter().zip(&u).map(|(y, u)| y * u).sum::<f64>()
        };
        let mut y = vec![0.0; rows * out];
        act::forward(a, rows, cols, &x, al, &mut y);
        let mut dx = vec![0.0; rows * cols];
        let mut dalpha = vec![0.0; cols];
        act::backward(a, rows, cols, &x, &y, &u, al, &mut dx, Some(&mut dalpha));
        for i in 0..x.len() {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[i] += H;
            xm[i] -= H;
            let num = (objective(&xp, &alpha) - objective(&xm, &alpha)) / (2.0 * H);
            close(dx[i], num, &format!("{} dx[{i}]", a.id()));
        }
        if a == Activation::Prelu {
            for j in 0..cols {
                let (mut ap, mut am) = (alpha.clone(), alpha.clone());
                ap[j] += H;
                am[j] -= H;
                let num = (objective(&x, &ap) - objective(&x, &am)) / (2.0 * H);
                close(dalpha[j], num, &format!("prelu dalpha[{j}]"));
            }
        }
    }
}

#[test]
fn scalar_derivatives_match_finite_differences() {
    // The page plots f and f′ from these; they must agree with each other.
    for a in activations() {
        for i in -40..=40 {
            let x = i as f64 * 0.1 + 0.013; // never exactly on a kink
            let num = (a.f(x + H) - a.f(x - H)) / (2.0 * H);
            close(a.df(x), num, &format!("{} f′({x})", a.id()));
        }
    }
}

#[test]
fn binary_step_has_zero_gradient_everywhere() {
    let a = Activation::BinaryStep;
    for i in -50..=50 {
        let x = i as f64 * 0.1;
        assert_eq!(a.df(x), 0.0);
    }
}

/// `y = x·Wᵀ + b` through the gemm kernel, as the dense layer calls it.
fn dense_forward(x: &[f64], w: &[f64], b: &[f64], n: usize, i: usize, o: usize) -> Vec<f64> {
    let mut y = vec![0.0; n * o];
    gemm::gemm(Gemm { m: n, n: o, k: i, trans_a: false, trans_b: true, accumulate: false }, x, w, Some(b), &mut y);
    y
}

#[test]
fn dense_gradients_match_finite_differences() {
    let mut rng = Rng::new(5);
    // Awkward sizes: nothing a multiple of a tile.
    let (n, i, o) = (5, 7, 3);
    let x = randn(&mut rng, n * i, 1.0);
    let w = randn(&mut rng, o * i, 1.0);
    let b = randn(&mut rng, o, 1.0);
    let u = randn(&mut rng, n * o, 1.0);
    let obj = |x: &[f64], w: &[f64], b: &[f64]| dense_forward(x, w, b, n, i, o).iter().zip(&u).map(|(a, b)| a * b).sum::<f64>();
    // The backward pass exactly as layers/dense.rs records it.
    let mut dx = vec![0.0; n * i];
    let mut dw = vec![0.0; o * i];
    gemm::gemm(Gemm { m: n, n: i, k: o, trans_a: false, trans_b: false, accumulate: false }, &u, &w, None, &mut dx);
    gemm::gemm(Gemm { m: o, n: i, k: n, trans_a: true, trans_b: false, accumulate: false }, &u, &x, None, &mut dw);
    let db: Vec<f64> = (0..o).map(|j| (0..n).map(|r| u[r * o + j]).sum()).collect();
    let perturb = |v: &[f64], k: usize, d: f64| {
        let mut v = v.to_vec();
        v[k] += d;
        v
    };
    for k in 0..x.len() {
        let num = (obj(&perturb(&x, k, H), &w, &b) - obj(&perturb(&x, k, -H), &w, &b)) / (2.0 * H);
        close(dx[k], num, &format!("dense dx[{k}]"));
    }
    for k in 0..w.len() {
        let num = (obj(&x, &perturb(&w, k, H), &b) - obj(&x, &perturb(&w, k, -H), &b)) / (2.0 * H);
        close(dw[k], num, &format!("dense dW[{k}]"));
    }
    for k in 0..b.len() {
        let num = (obj(&x, &w, &perturb(&b, k, H)) - obj(&x, &w, &perturb(&b, k, -H))) / (2.0 * H);
        close(db[k], num, &format!("dense db[{k}]"));
    }
}

#[test]
fn gemm_layouts_agree_with_a_naive_product() {
    let mut rng = Rng::new(9);
    let (m, n, k) = (5, 6, 7);
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        let a = randn(&mut rng, m * k, 1.0);
        let b = randn(&mut rng, k * n, 1.0);
        let bias = randn(&mut rng, n, 1.0);
        let c0 = randn(&mut rng, m * n, 1.0);
        let at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] };
        let bt = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] };
        let mut c = c0.clone();
        gemm::gemm(Gemm { m, n, k, trans_a: ta, trans_b: tb, accumulate: true }, &a, &b, Some(&bias), &mut c);
        for i in 0..m {
            for j in 0..n {
                let want = c0[i * n + j] + bias[j] + (0..k).map(|p| at(i, p) * bt(p, j)).sum::<f64>();
                assert!((c[i * n + j] - want).abs() < 1e-12, "trans ({ta}, {tb}) c[{i},{j}]");
            }
        }
    }
}

#[test]
fn loss_gradients_match_finite_differences() {
    let mut rng = Rng::new(3);
    let (rows, cols) = (4, 3);
    for kind in LossKind::ALL {
        for scale in [1.0, 30.0] {
            let pred = randn(&mut rng, rows * cols, scale);
            let target: Vec<f64> = match kind {
                LossKind::Mse => randn(&mut rng, rows * cols, 1.0),
                LossKind::SigmoidBce => (0..rows * cols).map(|_| rng.below(2) as f64).collect(),
                LossKind::SoftmaxCrossEntropy => (0..rows).map(|_| rng.below(cols) as f64).collect(),
            };
            let value = |p: &[f64]| {
                let mut d = vec![0.0; rows * cols];
                loss::loss(kind, rows, cols, p, &target, &mut d)
            };
            let mut d = vec![0.0; rows * cols];
            let l = loss::loss(kind, rows, cols, &pred, &target, &mut d);
            assert!(l.is_finite() && d.iter().all(|v| v.is_finite()), "{} at scale {scale}", kind.id());
            for k in 0..pred.len() {
                let (mut pp, mut pm) = (pred.clone(), pred.clone());
                pp[k] += H;
                pm[k] -= H;
                let num = (value(&pp) - value(&pm)) / (2.0 * H);
                close(d[k], num, &format!("{} dpred[{k}] at scale {scale}", kind.id()));
            }
        }
    }
}

#[test]
fn huge_logits_give_finite_losses_in_f32() {
    let mut b = CpuBackend::new();
    let pred = b.alloc(4).unwrap();
    let target = b.alloc(4).unwrap();
    let d = b.alloc(4).unwrap();
    let l = b.alloc(1).unwrap();
    b.write(&View::whole(pred.clone(), 4), &[500.0, -500.0, 800.0, -800.0]).unwrap();
    b.write(&View::whole(target.clone(), 4), &[0.0, 1.0, 1.0, 0.0]).unwrap();
    let op = LossOp { kind: LossKind::SigmoidBce, rows: 4, cols: 1 };
    b.loss(op, &View::whole(pred.clone(), 4), &View::whole(target.clone(), 4), &View::whole(d.clone(), 4), &View::whole(l.clone(), 1))
        .unwrap();
    let loss = block_on(b.read(&View::whole(l, 1))).unwrap()[0];
    // Two rows are wrong by 500 (loss 500 each), two are right (loss 0): mean 250.
    assert!((loss - 250.0).abs() < 1e-3, "{loss}");
    let grads = block_on(b.read(&View::whole(d, 4))).unwrap();
    assert_eq!(grads, vec![0.25, -0.25, 0.0, 0.0]);
}

/// The whole network's parameter gradient against central differences of its loss, through the
/// CPU backend in f32 (so with a larger step and tolerance): catches wiring mistakes between
/// layers that the kernel checks cannot.
#[test]
fn model_gradients_match_finite_differences() {
    let spec = ModelSpec {
        // TensorFlow Playground's seven features (the cosines change the draws, not the wiring).
        features: engine::data::Feature::ALL[..7].to_vec(),
        layers: vec![
            LayerSpec::Dense { units: 3, activation: Activation::Tanh },
            LayerSpec::Dense { units: 2, activation: Activation::Maxout { pieces: 2 } },
            LayerSpec::Dense { units: 3, activation: Activation::Prelu },
            LayerSpec::Dense { units: 2, activation: Activation::Swish { beta: 1.0 } },
        ],
        loss: LossKind::SoftmaxCrossEntropy,
        ..ModelSpec::default()
    };
    let rows = 5;
    let mut b = CpuBackend::new();
    let model = Model::new(&mut b, &spec, rows).unwrap();
    let f = spec.features.len();
    let mut rng = Rng::new(2);
    let xs: Vec<f32> = (0..rows * f).map(|_| rng.normal(0.0, 1.0) as f32).collect();
    let ts: Vec<f32> = (0..rows).map(|_| rng.below(2) as f32).collect();
    let x = View::whole(b.alloc(rows * f).unwrap(), rows * f);
    b.write(&x, &xs).unwrap();
    let t = View::whole(b.alloc(rows).unwrap(), rows);
    b.write(&t, &ts).unwrap();
    let lv = View::whole(b.alloc(1).unwrap(), 1);
    let op = LossOp { kind: spec.loss, rows, cols: 2 };
    let run = |b: &mut CpuBackend| {
        let pred = model.forward(b, rows, &x).unwrap();
        b.loss(op, &pred, &t, &model.output_grad(rows), &lv).unwrap();
        block_on(b.read(&lv)).unwrap()[0] as f64
    };
    run(&mut b);
    model.backward(&mut b, rows, &x).unwrap();
    let grads = block_on(b.read(&model.grads)).unwrap();
    let params = block_on(b.read(&model.params)).unwrap();
    let max_g = grads.iter().fold(0.0f32, |a, g| a.max(g.abs())) as f64;
    assert!(max_g > 1e-3, "the gradient is not trivially zero");
    let h = 1e-2f32;
    for k in 0..params.len() {
        let mut p = params.clone();
        p[k] += h;
        b.write(&model.params, &p).unwrap();
        let lp = run(&mut b);
        p[k] -= 2.0 * h;
        b.write(&model.params, &p).unwrap();
        let lm = run(&mut b);
        let num = (lp - lm) / (2.0 * h as f64);
        let g = grads[k] as f64;
        assert!((g - num).abs() <= 2e-3 + 2e-2 * max_g, "param {k}: analytic {g}, numeric {num}");
    }
}
