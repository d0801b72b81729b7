//! The GPU backend against the CPU reference backend: the same op sequences, with the same seeded
//! inputs on awkward shapes, run through the `Backend` trait on both, and whole training runs
//! through `Trainer` on both from the same spec.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::backend::{ActOp, Backend, Gemm, LossOp};
use engine::data::{DatasetKind, Feature};
use engine::loss::LossKind;
use engine::optim::{OptimKind, OptimStep};
use engine::spec::{RegKind, Regularization};
use engine::train::Trainer;
use gpu_common::{Rng, get, gpu, put, zeros};

/// Element-wise closeness of the two backends' results.
fn close(what: &str, cpu: &[f32], gpu: &[f32], rtol: f32, atol: f32) {
    assert_eq!(cpu.len(), gpu.len(), "{what}: length");
    for (i, (&c, &g)) in cpu.iter().zip(gpu).enumerate() {
        assert!(
            (c - g).abs() <= atol + rtol * c.abs() && c.is_finite() == g.is_finite(),
            "{what}[{i}]: cpu {c}, gpu {g}"
        );
    }
}

fn gemm_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(21);
    let mut out = Vec::new();
    for (m, n, k) in [(33, 65, 70), (1, 1, 1), (17, 3, 5), (65, 2, 33)] {
        for flags in 0..16u32 {
            let g = Gemm { m, n, k, trans_a: flags & 1 != 0, trans_b: flags & 2 != 0, accumulate: flags & 8 != 0 };
            let (a, bm, bias, c0) =
                (rng.vec(m * k, -1.0, 1.0), rng.vec(k * n, -1.0, 1.0), rng.vec(n, -1.0, 1.0), rng.vec(m * n, -1.0, 1.0));
            let (av, bv, biasv, cv) = (put(b, &a, 2), put(b, &bm, 1), put(b, &bias, 0), put(b, &c0, 3));
            b.gemm(g, &av, &bv, (flags & 4 != 0).then_some(&biasv), &cv).unwrap();
            out.push((format!("gemm {g:?} bias {}", flags & 4 != 0), get(b, &cv)));
        }
    }
    out
}

const ACTS: [Activation; 13] = [
    Activation::Linear,
    Activation::BinaryStep,
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Relu,
    Activation::LeakyRelu { alpha: 0.01 },
    Activation::Prelu,
    Activation::Elu { alpha: 1.0 },
    Activation::Swish { beta: 1.0 },
    Activation::Maxout { pieces: 2 },
    Activation::Maxout { pieces: 3 },
    Activation::Softmax,
    Activation::LeakyRelu { alpha: 0.2 },
];

fn activation_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(22);
    let mut out = Vec::new();
    for act in ACTS {
        for (rows, units) in [(17, 3), (1, 1), (33, 7)] {
            let pieces = match act {
                Activation::Maxout { pieces } => pieces as usize,
                _ => 1,
            };
            let cols = units * pieces;
            let mut x = rng.vec(rows * cols, -3.0, 3.0);
            x[0] = 0.0;
            let alpha = rng.vec(cols, 0.05, 0.4);
            let dy = rng.vec(rows * units, -1.0, 1.0);
            let op = ActOp { act, rows, cols };
            let (xv, av, dyv) = (put(b, &x, 1), put(b, &alpha, 2), put(b, &dy, 3));
            let (yv, dxv, dav) = (zeros(b, rows * units, 1), zeros(b, rows * cols, 2), zeros(b, cols, 0));
            b.act_forward(op, &xv, Some(&av), &yv).unwrap();
            b.act_backward(op, &xv, &yv, &dyv, Some(&av), &dxv, Some(&dav)).unwrap();
            let tag = format!("{act:?} {rows}x{cols}");
            out.push((format!("{tag} y"), get(b, &yv)));
            out.push((format!("{tag} dx"), get(b, &dxv)));
            if act == Activation::Prelu {
                out.push((format!("{tag} dalpha"), get(b, &dav)));
            }
        }
    }
    out
}

fn reduction_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(23);
    let mut out = Vec::new();
    for (rows, cols) in [(1000, 3), (1, 1), (17, 65)] {
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let start = rng.vec(cols, -1.0, 1.0);
        let xv = put(b, &x, 1);
        for accumulate in [false, true] {
            let o = put(b, &start, 2);
            b.col_sum(&xv, rows, cols, &o, accumulate).unwrap();
            out.push((format!("col_sum {rows}x{cols} acc {accumulate}"), get(b, &o)));
        }
    }
    for kind in [LossKind::Mse, LossKind::SigmoidBce, LossKind::SoftmaxCrossEntropy] {
        for (rows, cols) in [(300, 3), (1, 1), (17, 2), (10, 1)] {
            let mut pred = rng.vec(rows * cols, -3.0, 3.0);
            pred[0] = 40.0;
            let target: Vec<f32> = match kind {
                LossKind::Mse => (0..rows * cols).map(|_| if rng.below(2) == 0 { -1.0 } else { 1.0 }).collect(),
                LossKind::SigmoidBce => (0..rows * cols).map(|_| rng.below(2) as f32).collect(),
                LossKind::SoftmaxCrossEntropy => (0..rows).map(|_| rng.below(cols) as f32).collect(),
            };
            let op = LossOp { kind, rows, cols };
            let (pv, tv) = (put(b, &pred, 1), put(b, &target, 0));
            let (dv, lv, cv) = (zeros(b, rows * cols, 2), zeros(b, 1, 1), zeros(b, 1, 0));
            b.loss(op, &pv, &tv, &dv, &lv).unwrap();
            b.count_correct(op, &pv, &tv, &cv).unwrap();
            let tag = format!("{kind:?} {rows}x{cols}");
            out.push((format!("{tag} loss"), get(b, &lv)));
            out.push((format!("{tag} dpred"), get(b, &dv)));
            out.push((format!("{tag} correct"), get(b, &cv)));
        }
    }
    let src = rng.vec(37 * 5, -1.0, 1.0);
    let index: Vec<f32> = (0..100).map(|_| rng.below(37) as f32).collect();
    let (sv, iv, dv) = (put(b, &src, 3), put(b, &index, 2), zeros(b, 100 * 5, 1));
    b.gather_rows(&sv, 5, &iv, &dv).unwrap();
    out.push(("gather_rows".into(), get(b, &dv)));
    out
}

fn optimizer_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(24);
    let mut out = Vec::new();
    let n = 777;
    for kind in [OptimKind::Sgd, OptimKind::Momentum, OptimKind::Adam] {
        for (wd, l1) in [(0.0, 0.0), (0.01, 0.0), (0.0, 0.005)] {
            let pv = put(b, &rng.vec(n, -1.0, 1.0), 2);
            let (mv, vv) = (zeros(b, n, 1), zeros(b, n, 3));
            for t in 1..=4 {
                let gv = put(b, &rng.vec(n, -1.0, 1.0), 1);
                let s = OptimStep {
                    kind,
                    lr: 0.03,
                    momentum: 0.9,
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 1e-8,
                    weight_decay: wd,
                    l1,
                    t,
                };
                b.optim_step(&s, &pv, &gv, &mv, &vv).unwrap();
            }
            out.push((format!("{kind:?} wd {wd} l1 {l1}"), get(b, &pv)));
        }
    }
    out
}

type Outputs<B> = fn(&mut B) -> Vec<(String, Vec<f32>)>;

/// Runs one generic scenario (instantiated for each backend) on both and compares its outputs.
fn check(what: &str, run: Outputs<CpuBackend>, run_gpu: Outputs<engine::backend::gpu::GpuBackend>, rtol: f32, atol: f32) {
    let cpu = run(&mut CpuBackend::new());
    let gpu = run_gpu(&mut gpu());
    assert_eq!(cpu.len(), gpu.len());
    let mut floats = 0;
    for ((name, c), (_, g)) in cpu.iter().zip(&gpu) {
        close(name, c, g, rtol, atol);
        floats += c.len();
    }
    println!("{what}: {} outputs, {floats} floats agree", cpu.len());
}

#[test]
fn gemm_agrees_with_cpu() {
    check("gemm", gemm_outputs, gemm_outputs, 1e-5, 1e-5);
}

#[test]
fn activations_agree_with_cpu() {
    check("activations", activation_outputs, activation_outputs, 1e-5, 1e-6);
}

#[test]
fn reductions_losses_and_gathers_agree_with_cpu() {
    check("reductions", reduction_outputs, reduction_outputs, 1e-5, 1e-6);
}

#[test]
fn optimizers_agree_with_cpu() {
    check("optimizers", optimizer_outputs, optimizer_outputs, 1e-5, 1e-6);
}

/// The same spec trained on both backends: same initial weights, same batches; the parameters
/// after 100 steps (up to 40 recorded per submission) agree to float rounding.
#[test]
fn trainer_runs_the_same_training_on_both_backends() {
    let cases = [
        (Activation::Tanh, LossKind::SigmoidBce, OptimKind::Adam, RegKind::None),
        (Activation::Relu, LossKind::Mse, OptimKind::Momentum, RegKind::L2),
        (Activation::Prelu, LossKind::SoftmaxCrossEntropy, OptimKind::Sgd, RegKind::L1),
        (Activation::Maxout { pieces: 2 }, LossKind::SigmoidBce, OptimKind::Adam, RegKind::L1),
    ];
    let f = [Feature::X1, Feature::X2, Feature::SinX1];
    for (act, loss, optim, reg) in cases {
        let mut spec = engine::testing::spec(DatasetKind::Spiral, &f, &[7, 5], act, loss, optim, 0.02, 3);
        spec.regularization = Regularization { kind: reg, rate: 0.001 };
        let mut cpu = Trainer::new(CpuBackend::new(), &spec).unwrap();
        let mut gpu = Trainer::new(gpu(), &spec).unwrap();
        // The first 40 steps may grow the uniform arena (one early submission); after that, each
        // call of `step(n)` is exactly one submission.
        cpu.step(40).unwrap();
        gpu.step(40).unwrap();
        let before = gpu.backend().stats();
        for t in [&mut cpu as &mut dyn Steps, &mut gpu] {
            t.steps(20);
            t.steps(40);
        }
        let after = gpu.backend().stats();
        assert_eq!(after.submissions, before.submissions + 2, "20 steps, then 40, each one submission");
        assert_eq!(after.bind_groups_built, before.bind_groups_built, "no bind group built after warm-up");
        let pc = pollster::block_on(cpu.parameters()).unwrap();
        let pg = pollster::block_on(gpu.parameters()).unwrap();
        for (l, (c, g)) in pc.iter().zip(&pg).enumerate() {
            let tag = format!("{act:?}/{loss:?}/{optim:?}/{reg:?} layer {l}");
            close(&format!("{tag} weight"), &c.weight, &g.weight, 1e-3, 1e-4);
            close(&format!("{tag} bias"), &c.bias, &g.bias, 1e-3, 1e-4);
            if let (Some(ca), Some(ga)) = (&c.prelu_alpha, &g.prelu_alpha) {
                close(&format!("{tag} alpha"), ca, ga, 1e-3, 1e-4);
            }
        }
        let mc = pollster::block_on(cpu.metrics()).unwrap();
        let mg = pollster::block_on(gpu.metrics()).unwrap();
        println!("{act:?}/{loss:?}/{optim:?}/{reg:?}: cpu {mc:?}\n    gpu {mg:?}");
        assert!((mc.train_loss - mg.train_loss).abs() <= 1e-3 * mc.train_loss.abs() + 1e-5, "train loss");
    }
}

trait Steps {
    fn steps(&mut self, n: u32);
}

impl<B: Backend> Steps for Trainer<B> {
    fn steps(&mut self, n: u32) {
        self.step(n).unwrap();
    }
}
