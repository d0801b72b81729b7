//! Every GPU op against a small f64 reference written inline here, on awkward shapes (not
//! multiples of any tile or workgroup), with views at non-zero offsets.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

use engine::activation::Activation;
use engine::backend::gpu::kernels::Kernel;
use engine::backend::{ActOp, Backend, Gemm, LossOp, View};
use engine::loss::LossKind;
use engine::optim::{OptimKind, OptimStep};
use gpu_common::{Rng, assert_close, get, gpu, put, zeros};

fn d(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

fn ref_gemm(g: Gemm, a: &[f32], b: &[f32], bias: Option<&[f32]>, c0: &[f32]) -> Vec<f64> {
    let Gemm { m, n, k, trans_a, trans_b, accumulate } = g;
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f64;
            for p in 0..k {
                let av = if trans_a { a[p * m + i] } else { a[i * k + p] };
                let bv = if trans_b { b[j * k + p] } else { b[p * n + j] };
                s += f64::from(av) * f64::from(bv);
            }
            if let Some(bias) = bias {
                s += f64::from(bias[j]);
            }
            if accumulate {
                s += f64::from(c0[i * n + j]);
            }
            out[i * n + j] = s;
        }
    }
    out
}

#[test]
fn gemm_matches_reference_on_awkward_shapes() {
    let mut b = gpu();
    let mut rng = Rng::new(1);
    let mut cases = 0;
    // Both kernels: products over 2^15 multiply-adds take the tiled gemm.wgsl (the first five
    // shapes, including tiny m or n with deep k, and a depth below one tile), the rest gemm_small.wgsl.
    for (m, n, k) in [(33, 65, 70), (64, 64, 16), (5, 3, 3000), (130, 70, 5), (1, 257, 200), (1, 1, 1), (17, 3, 5), (70, 1, 129), (2, 130, 3), (5, 4, 0)] {
        for flags in 0..16u32 {
            let g = Gemm { m, n, k, trans_a: flags & 1 != 0, trans_b: flags & 2 != 0, accumulate: flags & 8 != 0 };
            let with_bias = flags & 4 != 0;
            let a = rng.vec(m * k, -1.0, 1.0);
            let bm = rng.vec(k * n, -1.0, 1.0);
            let bias = rng.vec(n, -1.0, 1.0);
            let c0 = rng.vec(m * n, -1.0, 1.0);
            let (av, bv, biasv, cv) = (put(&mut b, &a, 3), put(&mut b, &bm, 1), put(&mut b, &bias, 5), put(&mut b, &c0, 2));
            b.gemm(g, &av, &bv, with_bias.then_some(&biasv), &cv).unwrap();
            let want = ref_gemm(g, &a, &bm, with_bias.then_some(&bias[..]), &c0);
            // f32 rounding grows with the depth of the sum.
            let atol = 1e-5 * (1.0 + k as f64 / 256.0);
            assert_close(&format!("gemm {g:?} bias {with_bias}"), &get(&mut b, &cv), &want, 1e-5, atol);
            cases += 1;
        }
    }
    println!("gemm: {cases} cases");
}

/// The hardware set's vec4 product (gemm_vec4.wgsl) on every layout: taken where both operands
/// start on a multiple of four floats and are stored along a side that is a multiple of four,
/// the scalar tiled kernel elsewhere, and both agree with the reference.
#[test]
fn vec4_gemm_takes_aligned_products_and_matches_the_reference() {
    let mut b = gpu_common::gpu_with(engine::backend::gpu::KernelSet::Hardware);
    let mut rng = Rng::new(4);
    // Several tiles each way with ragged edges; one tile; a depth below one slice; a row.
    for (m, n, k) in [(132, 72, 36), (64, 64, 16), (8, 4, 4), (4, 200, 52), (68, 8, 300)] {
        for flags in 0..16u32 {
            for pad in [0, 4, 3] {
                let g = Gemm { m, n, k, trans_a: flags & 1 != 0, trans_b: flags & 2 != 0, accumulate: flags & 8 != 0 };
                let with_bias = flags & 4 != 0;
                let a = rng.vec(m * k, -1.0, 1.0);
                let bm = rng.vec(k * n, -1.0, 1.0);
                let bias = rng.vec(n, -1.0, 1.0);
                let c0 = rng.vec(m * n, -1.0, 1.0);
                let (av, bv, biasv, cv) = (put(&mut b, &a, pad), put(&mut b, &bm, pad), put(&mut b, &bias, 1), put(&mut b, &c0, 2));
                let (vec4, scalar) = (b.dispatches_of(Kernel::GemmVec4), b.dispatches_of(Kernel::Gemm));
                b.gemm(g, &av, &bv, with_bias.then_some(&biasv), &cv).unwrap();
                let took_vec4 = b.dispatches_of(Kernel::GemmVec4) - vec4 == 1;
                assert_eq!(took_vec4, pad % 4 == 0, "{g:?} pad {pad}: vec4 kernel taken");
                assert_eq!(b.dispatches_of(Kernel::Gemm) - scalar, u64::from(!took_vec4), "{g:?} pad {pad}: scalar tiled kernel");
                let want = ref_gemm(g, &a, &bm, with_bias.then_some(&bias[..]), &c0);
                let atol = 1e-5 * (1.0 + k as f64 / 256.0);
                assert_close(&format!("vec4 gemm {g:?} bias {with_bias} pad {pad}"), &get(&mut b, &cv), &want, 1e-5, atol);
            }
        }
    }
    // A side that is not a multiple of four keeps the scalar kernel even when aligned.
    let g = Gemm { m: 8, n: 6, k: 8, trans_a: false, trans_b: false, accumulate: false };
    let (av, bv, cv) = (put(&mut b, &rng.vec(64, -1.0, 1.0), 0), put(&mut b, &rng.vec(48, -1.0, 1.0), 0), zeros(&mut b, 48, 0));
    let vec4 = b.dispatches_of(Kernel::GemmVec4);
    b.gemm(g, &av, &bv, None, &cv).unwrap();
    assert_eq!(b.dispatches_of(Kernel::GemmVec4), vec4, "n = 6 must not take the vec4 kernel");
}

#[test]
fn gemm_bias_may_share_the_parameter_buffer() {
    // Weights and bias live in one flat parameter buffer, both bound read-only.
    let mut b = gpu();
    let mut rng = Rng::new(2);
    let (m, n, k) = (9, 7, 11);
    let x = rng.vec(m * k, -1.0, 1.0);
    let params = rng.vec(n * k + n + 3, -1.0, 1.0);
    let pv = put(&mut b, &params, 0);
    let (w, bias) = (pv.sub(3, n * k), pv.sub(3 + n * k, n));
    let xv = put(&mut b, &x, 0);
    let y = zeros(&mut b, m * n, 0);
    let g = Gemm { m, n, k, trans_a: false, trans_b: true, accumulate: false };
    b.gemm(g, &xv, &w, Some(&bias), &y).unwrap();
    let want = ref_gemm(g, &x, &params[3..3 + n * k], Some(&params[3 + n * k..3 + n * k + n]), &[]);
    assert_close("dense forward", &get(&mut b, &y), &want, 1e-5, 1e-5);
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// (y, dy/dx) for the elementwise activations.
fn ref_act(act: Activation, x: f64, alpha_col: f64) -> (f64, f64) {
    match act {
        Activation::Linear => (x, 1.0),
        Activation::BinaryStep => (if x > 0.0 { 1.0 } else { 0.0 }, 0.0),
        Activation::Sigmoid => (sigmoid(x), sigmoid(x) * (1.0 - sigmoid(x))),
        Activation::Tanh => (x.tanh(), 1.0 - x.tanh().powi(2)),
        Activation::Relu => (x.max(0.0), if x > 0.0 { 1.0 } else { 0.0 }),
        Activation::LeakyRelu { alpha } => {
            let a = f64::from(alpha);
            if x > 0.0 { (x, 1.0) } else { (a * x, a) }
        }
        Activation::Prelu => {
            if x > 0.0 {
                (x, 1.0)
            } else {
                (alpha_col * x, alpha_col)
            }
        }
        Activation::Elu { alpha } => {
            let a = f64::from(alpha);
            if x > 0.0 { (x, 1.0) } else { (a * (x.exp() - 1.0), a * x.exp()) }
        }
        Activation::Swish { beta } => {
            let bt = f64::from(beta);
            let s = sigmoid(bt * x);
            (x * s, s + bt * x * s * (1.0 - s))
        }
        _ => unreachable!(),
    }
}

#[test]
fn elementwise_activations_forward_and_backward() {
    let mut b = gpu();
    let mut rng = Rng::new(3);
    let (rows, cols) = (17, 3);
    let acts = [
        Activation::Linear,
        Activation::BinaryStep,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu { alpha: 0.1 },
        Activation::Prelu,
        Activation::Elu { alpha: 1.3 },
        Activation::Swish { beta: 1.0 },
        Activation::Swish { beta: 0.7 },
    ];
    for act in acts {
        let mut x = rng.vec(rows * cols, -4.0, 4.0);
        x[0] = 0.0;
        x[1] = 60.0;
        x[2] = -60.0;
        let alpha = rng.vec(cols, 0.05, 0.5);
        let dy = rng.vec(rows * cols, -1.0, 1.0);
        let op = ActOp { act, rows, cols };
        let (xv, av, dyv) = (put(&mut b, &x, 2), put(&mut b, &alpha, 1), put(&mut b, &dy, 4));
        let (yv, dxv, dav) = (zeros(&mut b, rows * cols, 3), zeros(&mut b, rows * cols, 1), zeros(&mut b, cols, 2));
        b.act_forward(op, &xv, Some(&av), &yv).unwrap();
        b.act_backward(op, &xv, &yv, &dyv, Some(&av), &dxv, Some(&dav)).unwrap();
        let refs: Vec<(f64, f64)> =
            x.iter().enumerate().map(|(i, &v)| ref_act(act, f64::from(v), f64::from(alpha[i % cols]))).collect();
        let want_y: Vec<f64> = refs.iter().map(|r| r.0).collect();
        let want_dx: Vec<f64> = refs.iter().zip(&dy).map(|(r, &g)| r.1 * f64::from(g)).collect();
        assert_close(&format!("{act:?} y"), &get(&mut b, &yv), &want_y, 1e-5, 1e-6);
        assert_close(&format!("{act:?} dx"), &get(&mut b, &dxv), &want_dx, 1e-4, 1e-6);
        if act == Activation::Prelu {
            let mut want_da = vec![0.0; cols];
            for (i, &v) in x.iter().enumerate() {
                if v <= 0.0 {
                    want_da[i % cols] += f64::from(v) * f64::from(dy[i]);
                }
            }
            assert_close("prelu dalpha", &get(&mut b, &dav), &want_da, 1e-5, 1e-5);
        }
    }
}

#[test]
fn prelu_slope_gradient_reduces_many_rows() {
    let mut b = gpu();
    let mut rng = Rng::new(4);
    let (rows, cols) = (1000, 5);
    let x = rng.vec(rows * cols, -1.0, 1.0);
    let dy = rng.vec(rows * cols, -1.0, 1.0);
    let alpha = rng.vec(cols, 0.1, 0.3);
    let op = ActOp { act: Activation::Prelu, rows, cols };
    let (xv, av, dyv) = (put(&mut b, &x, 0), put(&mut b, &alpha, 0), put(&mut b, &dy, 0));
    let (yv, dxv, dav) = (zeros(&mut b, rows * cols, 0), zeros(&mut b, rows * cols, 0), zeros(&mut b, cols, 0));
    b.fill(&dav, 7.0).unwrap(); // overwritten, not added to
    b.act_forward(op, &xv, Some(&av), &yv).unwrap();
    b.act_backward(op, &xv, &yv, &dyv, Some(&av), &dxv, Some(&dav)).unwrap();
    let mut want = vec![0.0; cols];
    for (i, &v) in x.iter().enumerate() {
        if v <= 0.0 {
            want[i % cols] += f64::from(v) * f64::from(dy[i]);
        }
    }
    assert_close("dalpha", &get(&mut b, &dav), &want, 1e-4, 1e-4);
}

#[test]
fn maxout_forward_and_backward() {
    let mut b = gpu();
    let mut rng = Rng::new(5);
    for (rows, units, pieces) in [(17, 2, 3), (5, 4, 2), (1, 1, 5), (3, 3, 1)] {
        let cols = units * pieces;
        let mut x = rng.vec(rows * cols, -2.0, 2.0);
        if pieces > 1 {
            x[1] = x[0]; // a tie: the first maximum takes the gradient
            x[0] = 5.0;
            x[1] = 5.0;
        }
        let dy = rng.vec(rows * units, -1.0, 1.0);
        let op = ActOp { act: Activation::Maxout { pieces: pieces as u32 }, rows, cols };
        let (xv, dyv) = (put(&mut b, &x, 1), put(&mut b, &dy, 2));
        let (yv, dxv) = (zeros(&mut b, rows * units, 3), zeros(&mut b, rows * cols, 0));
        b.act_forward(op, &xv, None, &yv).unwrap();
        b.act_backward(op, &xv, &yv, &dyv, None, &dxv, None).unwrap();
        let mut want_y = vec![0.0; rows * units];
        let mut want_dx = vec![0.0; rows * cols];
        for r in 0..rows {
            for u in 0..units {
                let base = r * cols + u * pieces;
                let mut arg = 0;
                for j in 1..pieces {
                    if x[base + j] > x[base + arg] {
                        arg = j;
                    }
                }
                want_y[r * units + u] = f64::from(x[base + arg]);
                want_dx[base + arg] = f64::from(dy[r * units + u]);
            }
        }
        assert_close("maxout y", &get(&mut b, &yv), &want_y, 0.0, 0.0);
        assert_close("maxout dx", &get(&mut b, &dxv), &want_dx, 0.0, 0.0);
    }
    let bad = ActOp { act: Activation::Maxout { pieces: 4 }, rows: 2, cols: 6 };
    let (x, y) = (zeros(&mut b, 12, 0), zeros(&mut b, 3, 0));
    assert!(b.act_forward(bad, &x, None, &y).is_err(), "pieces that do not divide the columns");
}

#[test]
fn softmax_rows_forward_and_backward() {
    let mut b = gpu();
    let mut rng = Rng::new(6);
    for (rows, cols) in [(17, 3), (1, 1), (70, 11)] {
        let mut x = rng.vec(rows * cols, -5.0, 5.0);
        x[0] = 80.0; // would overflow exp unshifted
        let dy = rng.vec(rows * cols, -1.0, 1.0);
        let op = ActOp { act: Activation::Softmax, rows, cols };
        let (xv, dyv) = (put(&mut b, &x, 1), put(&mut b, &dy, 0));
        let (yv, dxv) = (zeros(&mut b, rows * cols, 2), zeros(&mut b, rows * cols, 1));
        b.act_forward(op, &xv, None, &yv).unwrap();
        b.act_backward(op, &xv, &yv, &dyv, None, &dxv, None).unwrap();
        let mut want_y = vec![0.0; rows * cols];
        let mut want_dx = vec![0.0; rows * cols];
        for r in 0..rows {
            let row = &x[r * cols..(r + 1) * cols];
            let m = row.iter().fold(f64::MIN, |a, &v| a.max(f64::from(v)));
            let s: f64 = row.iter().map(|&v| (f64::from(v) - m).exp()).sum();
            for c in 0..cols {
                want_y[r * cols + c] = (f64::from(row[c]) - m).exp() / s;
            }
            let dot: f64 = (0..cols).map(|c| want_y[r * cols + c] * f64::from(dy[r * cols + c])).sum();
            for c in 0..cols {
                want_dx[r * cols + c] = want_y[r * cols + c] * (f64::from(dy[r * cols + c]) - dot);
            }
        }
        assert_close("softmax y", &get(&mut b, &yv), &want_y, 1e-5, 1e-6);
        assert_close("softmax dx", &get(&mut b, &dxv), &want_dx, 1e-4, 1e-6);
    }
}

#[test]
fn col_sum_overwrites_or_accumulates() {
    let mut b = gpu();
    let mut rng = Rng::new(7);
    for (rows, cols) in [(1000, 3), (1, 1), (17, 65), (0, 4)] {
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let start = rng.vec(cols, -1.0, 1.0);
        let xv = put(&mut b, &x, 1);
        let (o1, o2) = (put(&mut b, &start, 2), put(&mut b, &start, 0));
        b.col_sum(&xv, rows, cols, &o1, false).unwrap();
        b.col_sum(&xv, rows, cols, &o2, true).unwrap();
        let mut sums = vec![0.0; cols];
        for (i, &v) in x.iter().enumerate() {
            sums[i % cols] += f64::from(v);
        }
        let acc: Vec<f64> = sums.iter().zip(&start).map(|(s, &v)| s + f64::from(v)).collect();
        assert_close("col_sum", &get(&mut b, &o1), &sums, 1e-5, 1e-5);
        assert_close("col_sum accumulate", &get(&mut b, &o2), &acc, 1e-5, 1e-5);
    }
}

fn ref_loss(kind: LossKind, rows: usize, cols: usize, pred: &[f32], target: &[f32]) -> (f64, Vec<f64>) {
    let p = d(pred);
    let t = d(target);
    let mut grad = vec![0.0; rows * cols];
    let mut loss = 0.0;
    match kind {
        LossKind::Mse => {
            let n = (rows * cols) as f64;
            for i in 0..rows * cols {
                loss += (p[i] - t[i]).powi(2) / n;
                grad[i] = 2.0 * (p[i] - t[i]) / n;
            }
        }
        LossKind::SigmoidBce => {
            let n = (rows * cols) as f64;
            for i in 0..rows * cols {
                let x = p[i];
                loss += (x.max(0.0) - x * t[i] + (-x.abs()).exp().ln_1p()) / n;
                grad[i] = (sigmoid(x) - t[i]) / n;
            }
        }
        LossKind::SoftmaxCrossEntropy => {
            for r in 0..rows {
                let row = &p[r * cols..(r + 1) * cols];
                let m = row.iter().cloned().fold(f64::MIN, f64::max);
                let s: f64 = row.iter().map(|v| (v - m).exp()).sum();
                let cls = t[r] as usize;
                loss += (m + s.ln() - row[cls]) / rows as f64;
                for c in 0..cols {
                    let q = (row[c] - m).exp() / s;
                    grad[r * cols + c] = (q - if c == cls { 1.0 } else { 0.0 }) / rows as f64;
                }
            }
        }
    }
    (loss, grad)
}

/// The reductions' entry points to test: the workgroup sum, and the subgroup sum where the device
/// has subgroup operations (lavapipe has, with subgroups of 8; turning them on elsewhere fails).
fn reduction_modes(b: &mut engine::backend::gpu::GpuBackend) -> Vec<bool> {
    if b.adapter().name.contains("llvmpipe") {
        assert!(b.adapter().subgroups.is_some(), "lavapipe offers subgroup operations");
    }
    if b.adapter().subgroups.is_none() {
        assert!(b.set_subgroups(true).is_err(), "subgroups turned on without the feature");
        return vec![false];
    }
    vec![false, true]
}

#[test]
fn losses_and_their_gradients() {
    let mut b = gpu();
    for subgroups in reduction_modes(&mut b) {
    b.set_subgroups(subgroups).unwrap();
    let used = b.dispatches_of(Kernel::LossSubgroup);
    let mut rng = Rng::new(8);
    for kind in [LossKind::Mse, LossKind::SigmoidBce, LossKind::SoftmaxCrossEntropy] {
        for (rows, cols) in [(300, 3), (1, 1), (17, 2), (1000, 1)] {
            let mut pred = rng.vec(rows * cols, -3.0, 3.0);
            pred[0] = 90.0; // stability
            if rows * cols > 1 {
                pred[1] = -90.0;
            }
            let target: Vec<f32> = match kind {
                LossKind::Mse => rng.vec(rows * cols, -1.0, 1.0),
                LossKind::SigmoidBce => (0..rows * cols).map(|_| rng.below(2) as f32).collect(),
                LossKind::SoftmaxCrossEntropy => (0..rows).map(|_| rng.below(cols) as f32).collect(),
            };
            let op = LossOp { kind, rows, cols };
            let (pv, tv) = (put(&mut b, &pred, 1), put(&mut b, &target, 2));
            let (dv, lv) = (zeros(&mut b, rows * cols, 3), zeros(&mut b, 1, 4));
            b.loss(op, &pv, &tv, &dv, &lv).unwrap();
            let (want_loss, want_grad) = ref_loss(kind, rows, cols, &pred, &target);
            assert_close(&format!("{kind:?} {rows}x{cols} loss subgroups {subgroups}"), &get(&mut b, &lv), &[want_loss], 1e-5, 1e-5);
            assert_close(&format!("{kind:?} {rows}x{cols} dpred subgroups {subgroups}"), &get(&mut b, &dv), &want_grad, 1e-4, 1e-7);
        }
    }
    assert_eq!(b.dispatches_of(Kernel::LossSubgroup) > used, subgroups, "subgroup loss kernel used");
    }
}

#[test]
fn a_class_index_out_of_range_makes_the_loss_nan() {
    // The host cannot check indices that live on the device; the loss says so instead of
    // reading out of bounds.
    let mut b = gpu();
    let op = LossOp { kind: LossKind::SoftmaxCrossEntropy, rows: 3, cols: 4 };
    let pred = put(&mut b, &[0.5; 12], 0);
    let (dv, lv) = (zeros(&mut b, 12, 0), zeros(&mut b, 1, 0));
    for bad in [4.0, -1.0] {
        let target = put(&mut b, &[0.0, bad, 2.0], 0);
        b.loss(op, &pred, &target, &dv, &lv).unwrap();
        assert!(get(&mut b, &lv)[0].is_nan(), "class {bad} of 4");
    }
    let target = put(&mut b, &[0.0, 3.0, 2.0], 0);
    b.loss(op, &pred, &target, &dv, &lv).unwrap();
    assert!((get(&mut b, &lv)[0] - 4f32.ln()).abs() < 1e-6, "uniform logits: ln 4");
}

#[test]
fn count_correct_for_each_loss() {
    let mut b = gpu();
    for subgroups in reduction_modes(&mut b) {
    b.set_subgroups(subgroups).unwrap();
    let used = b.dispatches_of(Kernel::CountCorrectSubgroup);
    let mut rng = Rng::new(9);
    for kind in [LossKind::Mse, LossKind::SigmoidBce, LossKind::SoftmaxCrossEntropy] {
        for (rows, cols) in [(300, 3), (1, 1), (513, 1), (0, 2)] {
            let pred = rng.vec(rows * cols, -1.0, 1.0);
            let target: Vec<f32> = match kind {
                LossKind::Mse => (0..rows * cols).map(|_| if rng.below(2) == 0 { -1.0 } else { 1.0 }).collect(),
                LossKind::SigmoidBce => (0..rows * cols).map(|_| rng.below(2) as f32).collect(),
                LossKind::SoftmaxCrossEntropy => (0..rows).map(|_| rng.below(cols) as f32).collect(),
            };
            let mut want = 0;
            for r in 0..rows {
                let row = &pred[r * cols..(r + 1) * cols];
                let right = match kind {
                    LossKind::SoftmaxCrossEntropy => {
                        let arg = (0..cols).fold(0, |a, c| if row[c] > row[a] { c } else { a });
                        arg == target[r] as usize
                    }
                    LossKind::SigmoidBce => (0..cols).all(|c| (row[c] > 0.0) == (target[r * cols + c] > 0.5)),
                    LossKind::Mse => (0..cols).all(|c| (row[c] >= 0.0) == (target[r * cols + c] >= 0.0)),
                };
                want += usize::from(right);
            }
            let op = LossOp { kind, rows, cols };
            let (pv, tv, ov) = (put(&mut b, &pred, 1), put(&mut b, &target, 0), zeros(&mut b, 1, 2));
            b.fill(&ov, 123.0).unwrap();
            b.count_correct(op, &pv, &tv, &ov).unwrap();
            assert_eq!(get(&mut b, &ov), vec![want as f32], "{kind:?} {rows}x{cols} subgroups {subgroups}");
        }
    }
    assert_eq!(b.dispatches_of(Kernel::CountCorrectSubgroup) > used, subgroups, "subgroup count kernel used");
    }
}

#[test]
fn gather_rows_picks_rows_by_float_index() {
    let mut b = gpu();
    let mut rng = Rng::new(10);
    let (src_rows, cols) = (37, 3);
    let src = rng.vec(src_rows * cols, -1.0, 1.0);
    let index: Vec<f32> = (0..300).map(|_| rng.below(src_rows) as f32).collect();
    let (sv, iv) = (put(&mut b, &src, 2), put(&mut b, &index, 1));
    let dv = zeros(&mut b, index.len() * cols, 3);
    b.gather_rows(&sv, cols, &iv, &dv).unwrap();
    let want: Vec<f64> = index.iter().flat_map(|&i| d(&src[i as usize * cols..(i as usize + 1) * cols])).collect();
    assert_close("gather_rows", &get(&mut b, &dv), &want, 0.0, 0.0);
}

fn ref_optim(s: &OptimStep, p: &mut [f64], g: &[f64], m: &mut [f64], v: &mut [f64]) {
    for i in 0..p.len() {
        let gi = g[i] + f64::from(s.weight_decay) * p[i] + f64::from(s.l1) * p[i].signum() * f64::from(u8::from(p[i] != 0.0));
        match s.kind {
            OptimKind::Sgd => p[i] -= f64::from(s.lr) * gi,
            OptimKind::Momentum => {
                m[i] = f64::from(s.momentum) * m[i] + gi;
                p[i] -= f64::from(s.lr) * m[i];
            }
            OptimKind::Adam => {
                let (b1, b2) = (f64::from(s.beta1), f64::from(s.beta2));
                m[i] = b1 * m[i] + (1.0 - b1) * gi;
                v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                let mh = m[i] / (1.0 - b1.powi(s.t as i32));
                let vh = v[i] / (1.0 - b2.powi(s.t as i32));
                p[i] -= f64::from(s.lr) * mh / (vh.sqrt() + f64::from(s.eps));
            }
        }
    }
}

#[test]
fn optimizer_steps_recorded_into_one_submission() {
    // Three steps with different t and gradients recorded before a single submit: each step must
    // see its own parameters (Adam's bias correction in particular).
    let mut b = gpu();
    let mut rng = Rng::new(11);
    let n = 1000;
    for kind in [OptimKind::Sgd, OptimKind::Momentum, OptimKind::Adam] {
        for (wd, l1) in [(0.0, 0.0), (0.01, 0.003)] {
            let p0 = rng.vec(n, -1.0, 1.0);
            let mut p = d(&p0);
            p[0] = 0.0; // sign(0) = 0 for L1
            let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
            let params = {
                let mut all = vec![0.5f32; n + 10];
                for (dst, &src) in all[4..].iter_mut().zip(&p) {
                    *dst = src as f32;
                }
                put(&mut b, &all, 0)
            };
            let pv = params.sub(4, n);
            let (mv, vv) = (zeros(&mut b, n, 1), zeros(&mut b, n, 2));
            let gv = zeros(&mut b, n, 3);
            let before = b.stats().submissions;
            for t in 1..=3 {
                let g = rng.vec(n, -1.0, 1.0);
                b.write(&gv, &g).unwrap();
                let s = OptimStep {
                    kind,
                    lr: 0.05,
                    momentum: 0.9,
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 1e-8,
                    weight_decay: wd,
                    l1,
                    t,
                };
                b.optim_step(&s, &pv, &gv, &mv, &vv).unwrap();
                ref_optim(&s, &mut p, &d(&g), &mut m, &mut v);
            }
            b.submit().unwrap();
            assert_eq!(b.stats().submissions, before + 1, "three steps, one submission");
            assert_close(&format!("{kind:?} wd {wd} l1 {l1} param"), &get(&mut b, &pv), &p, 1e-4, 1e-5);
            let whole = get(&mut b, &params);
            assert!(whole[..4].iter().chain(&whole[n + 4..]).all(|&x| x == 0.5), "outside the view untouched");
            if kind != OptimKind::Sgd {
                assert_close(&format!("{kind:?} m"), &get(&mut b, &mv), &m, 1e-4, 1e-6);
            }
            if kind == OptimKind::Adam {
                assert_close("adam v", &get(&mut b, &vv), &v, 1e-4, 1e-7);
            }
        }
    }
}

#[test]
fn writes_fills_and_copies_keep_their_order_with_ops() {
    let mut b = gpu();
    let buf = b.alloc(20).unwrap();
    let all = View::whole(buf.clone(), 20);
    let other = zeros(&mut b, 20, 0);
    b.write(&all.sub(0, 4), &[1.0, 2.0, 3.0, 4.0]).unwrap();
    b.copy(&all.sub(0, 4), &other.sub(10, 4)).unwrap(); // sees 1..4
    b.write(&all.sub(0, 4), &[5.0, 6.0, 7.0, 8.0]).unwrap(); // after the copy
    b.copy(&all.sub(0, 4), &all.sub(8, 4)).unwrap(); // within one buffer: sees 5..8
    b.fill(&all.sub(16, 3), -2.5).unwrap();
    b.fill(&other.sub(0, 2), 9.0).unwrap();
    b.fill(&other.sub(1, 1), 0.0).unwrap();
    let got = get(&mut b, &all);
    assert_eq!(&got[..12], &[5., 6., 7., 8., 0., 0., 0., 0., 5., 6., 7., 8.]);
    assert_eq!(&got[16..], &[-2.5, -2.5, -2.5, 0.0]);
    assert_eq!(&get(&mut b, &other)[..14], &[9., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 2., 3., 4.]);
    assert!(b.copy(&all.sub(0, 4), &all.sub(2, 4)).is_err(), "overlapping copy is refused");
}

#[test]
fn large_elementwise_ops_use_a_two_dimensional_grid() {
    // More than 65,535 workgroups of 256: beyond one dispatch dimension.
    let mut b = gpu();
    let n = 65_536 * 256 + 77;
    let v = zeros(&mut b, n, 0);
    b.fill(&v, 1.5).unwrap();
    let tail = v.sub(n - 300, 300);
    assert!(get(&mut b, &tail).iter().all(|&x| x == 1.5));
    let mid = v.sub(n / 2, 10);
    assert!(get(&mut b, &mid).iter().all(|&x| x == 1.5));
}

#[test]
fn shape_and_aliasing_mistakes_are_errors_not_panics() {
    let mut b = gpu();
    let (a, x) = (zeros(&mut b, 6, 0), zeros(&mut b, 6, 0));
    let g = Gemm { m: 2, n: 3, k: 3, trans_a: false, trans_b: false, accumulate: false };
    assert!(b.gemm(g, &a, &x, None, &a).is_err(), "a too short, c aliases a");
    let op = ActOp { act: Activation::Relu, rows: 2, cols: 3 };
    assert!(b.act_forward(op, &a, None, &a.sub(0, 6)).is_err(), "y aliases x");
    assert!(b.act_forward(ActOp { act: Activation::Prelu, ..op }, &a, None, &x).is_err(), "prelu without alpha");
    let past = View { buf: a.buf.clone(), offset: 4, len: 4 };
    assert!(b.fill(&past, 1.0).is_err(), "view past the end of its buffer");
    let lop = LossOp { kind: LossKind::Mse, rows: 2, cols: 3 };
    let l = zeros(&mut b, 1, 0);
    assert!(b.loss(lop, &a, &x, &x, &l).is_err(), "dpred aliases target");
    b.submit().expect("nothing invalid reached the device");
}

/// Records one small dense training step (forward, loss, backward, SGD) into `b`.
fn dense_step(b: &mut engine::backend::gpu::GpuBackend, bufs: &[View<engine::backend::gpu::GpuBuffer>], t: u32) {
    let [x, params, grads, h, y, dy, dh, loss, target, m, v] = bufs else { unreachable!() };
    let (n, i, o) = (13, 3, 5);
    let (w, bias) = (params.sub(0, o * i), params.sub(o * i, o));
    let (dw, db) = (grads.sub(0, o * i), grads.sub(o * i, o));
    let fwd = Gemm { m: n, n: o, k: i, trans_a: false, trans_b: true, accumulate: false };
    b.gemm(fwd, x, &w, Some(&bias), h).unwrap();
    let act = ActOp { act: Activation::Tanh, rows: n, cols: o };
    b.act_forward(act, h, None, y).unwrap();
    b.loss(LossOp { kind: LossKind::Mse, rows: n, cols: o }, y, target, dy, loss).unwrap();
    b.act_backward(act, h, y, dy, None, dh, None).unwrap();
    b.gemm(Gemm { m: o, n: i, k: n, trans_a: true, trans_b: false, accumulate: false }, dh, x, None, &dw).unwrap();
    b.col_sum(dh, n, o, &db, false).unwrap();
    let s = OptimStep {
        kind: OptimKind::Adam,
        lr: 0.01,
        momentum: 0.0,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
        l1: 0.0,
        t,
    };
    b.optim_step(&s, params, grads, m, v).unwrap();
}

#[test]
fn repeated_training_steps_build_nothing_and_submit_once_each() {
    let mut b = gpu();
    let mut rng = Rng::new(12);
    let (n, i, o) = (13, 3, 5);
    let np = o * i + o;
    let x = rng.vec(n * i, -1.0, 1.0);
    let p = rng.vec(np, -0.5, 0.5);
    let t = rng.vec(n * o, -0.5, 0.5);
    let bufs = vec![
        put(&mut b, &x, 0),
        put(&mut b, &p, 0),
        zeros(&mut b, np, 0),
        zeros(&mut b, n * o, 0),
        zeros(&mut b, n * o, 0),
        zeros(&mut b, n * o, 0),
        zeros(&mut b, n * o, 0),
        zeros(&mut b, 1, 0),
        put(&mut b, &t, 0),
        zeros(&mut b, np, 0),
        zeros(&mut b, np, 0),
    ];
    dense_step(&mut b, &bufs, 1);
    b.submit().unwrap();
    let first = get(&mut b, &bufs[7])[0];
    let warm = b.stats();
    for step in 2..=40 {
        dense_step(&mut b, &bufs, step);
        b.submit().unwrap();
    }
    let after = b.stats();
    assert_eq!(after.pipelines_built, warm.pipelines_built, "no pipeline rebuilt");
    assert_eq!(after.bind_groups_built, warm.bind_groups_built, "no bind group rebuilt");
    assert_eq!(after.submissions - warm.submissions, 39, "one submission per step");
    assert_eq!(after.dispatches - warm.dispatches, 39 * 7, "seven kernels per step");
    let last = get(&mut b, &bufs[7])[0];
    println!("loss {first} -> {last}; stats {after:?}");
    assert!(last < 0.8 * first, "the step learns: loss {first} -> {last}");
}

#[test]
fn arenas_overflow_and_grow_within_one_submission() {
    // More ops than the uniform arena's first 512 slots, and more host data than the upload
    // arena's first MiB, recorded before one read: every op keeps its own parameters and data.
    let mut b = gpu();
    let n = 1500;
    let v = zeros(&mut b, n, 0);
    for i in 0..n {
        b.fill(&v.sub(i, 1), i as f32 + 0.5).unwrap();
    }
    let big = zeros(&mut b, 3 * 100_000, 0);
    let chunks: Vec<Vec<f32>> = (0..3).map(|c| (0..100_000).map(|i| (c * 100_000 + i) as f32).collect()).collect();
    for (c, data) in chunks.iter().enumerate() {
        b.write(&big.sub(c * 100_000, 100_000), data).unwrap();
    }
    let before = b.stats();
    let got = get(&mut b, &v);
    assert!(got.iter().enumerate().all(|(i, &x)| x == i as f32 + 0.5), "fills kept their own values");
    let all = get(&mut b, &big);
    assert!(all.iter().enumerate().all(|(i, &x)| x == i as f32), "uploads kept their order and data");
    assert!(before.arena_growths >= 2, "both arenas grew: {before:?}");
    // The arena doubles each time it overflows, so repeating the same work soon fits one
    // submission with no further growth.
    for round in 0..4 {
        let s0 = b.stats();
        for i in 0..n {
            b.fill(&v.sub(i, 1), -(i as f32)).unwrap();
        }
        b.submit().unwrap();
        let s1 = b.stats();
        println!("round {round}: {} submissions, {} growths", s1.submissions - s0.submissions, s1.arena_growths - s0.arena_growths);
        if round == 3 {
            assert_eq!((s1.submissions - s0.submissions, s1.arena_growths - s0.arena_growths), (1, 0));
        }
    }
    assert_eq!(get(&mut b, &v.sub(n - 1, 1))[0], -((n - 1) as f32));
}

#[test]
fn sizes_that_overflow_are_shape_errors() {
    let mut b = gpu();
    let v = zeros(&mut b, 4, 0);
    let w = zeros(&mut b, 4, 0);
    let (c, l) = (zeros(&mut b, 4, 0), zeros(&mut b, 1, 0));
    let huge = usize::MAX / 2 + 1;
    let g = Gemm { m: huge, n: 2, k: 2, trans_a: false, trans_b: false, accumulate: false };
    assert!(b.gemm(g, &v, &w, None, &c).is_err());
    let op = ActOp { act: Activation::Relu, rows: huge, cols: 4 };
    assert!(b.act_forward(op, &v, None, &w).is_err());
    assert!(b.col_sum(&v, huge, 4, &w, false).is_err());
    let lop = LossOp { kind: LossKind::Mse, rows: 4, cols: huge };
    assert!(b.loss(lop, &v, &w, &c, &l).is_err());
    b.submit().expect("nothing reached the device");
}
