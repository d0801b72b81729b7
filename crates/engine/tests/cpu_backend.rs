//! The CPU backend's contract: bad views and bad data come back as errors, never panics; the
//! optimizer follows torch.optim plus the L1 rule.

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::backend::{ActOp, Backend, Gemm, LossOp, View};
use engine::loss::LossKind;
use engine::optim::{OptimKind, OptimStep};
use engine::testing::block_on;

fn buf(b: &mut CpuBackend, data: &[f32]) -> View<<CpuBackend as Backend>::Buffer> {
    let v = View::whole(b.alloc(data.len()).unwrap(), data.len());
    b.write(&v, data).unwrap();
    v
}

#[test]
fn out_of_range_and_mis_sized_views_are_errors() {
    let mut b = CpuBackend::new();
    let a = buf(&mut b, &[1.0; 6]);
    let c = buf(&mut b, &[0.0; 4]);
    let g = Gemm { m: 2, n: 2, k: 3, trans_a: false, trans_b: false, accumulate: false };
    // b should be 3×2 = 6 floats; a view past the end of its buffer must not panic.
    let past = View { buf: a.buf.clone(), offset: 4, len: 6 };
    assert!(b.gemm(g, &a, &past, None, &c).is_err());
    assert!(b.gemm(g, &a, &a.sub(0, 5), None, &c).is_err());
    assert!(b.write(&c, &[1.0; 3]).is_err());
    assert!(block_on(b.read(&View { buf: c.buf.clone(), offset: usize::MAX, len: 2 })).is_err());
    b.gemm(g, &a, &a, None, &c).unwrap();
    assert_eq!(block_on(b.read(&c)).unwrap(), vec![3.0; 4]);
}

#[test]
fn a_written_view_sharing_a_buffer_is_an_error() {
    let mut b = CpuBackend::new();
    let whole = buf(&mut b, &[1.0; 8]);
    let x = whole.sub(0, 4);
    let y = whole.sub(4, 4);
    let op = ActOp { act: Activation::Relu, rows: 1, cols: 4 };
    let e = b.act_forward(op, &x, None, &y).unwrap_err().to_string();
    assert!(e.contains("shares a buffer"), "{e}");
    // copy allows disjoint ranges of one buffer, and refuses overlapping ones.
    b.write(&x, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    b.copy(&x, &y).unwrap();
    assert_eq!(block_on(b.read(&y)).unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
    assert!(b.copy(&whole.sub(0, 4), &whole.sub(2, 4)).is_err());
}

#[test]
fn bad_indices_and_class_targets_are_errors() {
    let mut b = CpuBackend::new();
    let src = buf(&mut b, &[1.0, 2.0, 3.0, 4.0]);
    let dst = buf(&mut b, &[0.0; 4]);
    let good = buf(&mut b, &[1.0, 0.0]);
    b.gather_rows(&src, 2, &good, &dst).unwrap();
    assert_eq!(block_on(b.read(&dst)).unwrap(), vec![3.0, 4.0, 1.0, 2.0]);
    for bad in [[2.0, 0.0], [-1.0, 0.0], [0.5, 0.0], [f32::NAN, 0.0]] {
        let idx = buf(&mut b, &bad);
        assert!(b.gather_rows(&src, 2, &idx, &dst).is_err(), "{bad:?}");
    }
    let pred = buf(&mut b, &[0.0; 4]);
    let d = buf(&mut b, &[0.0; 4]);
    let l = buf(&mut b, &[0.0]);
    let op = LossOp { kind: LossKind::SoftmaxCrossEntropy, rows: 2, cols: 2 };
    let t = buf(&mut b, &[1.0, 2.0]);
    assert!(b.loss(op, &pred, &t, &d, &l).is_err());
    let t = buf(&mut b, &[1.0, 0.0]);
    b.loss(op, &pred, &t, &d, &l).unwrap();
    assert!((block_on(b.read(&l)).unwrap()[0] - std::f32::consts::LN_2).abs() < 1e-6);
}

#[test]
fn maxout_needs_whole_groups_and_prelu_needs_slopes() {
    let mut b = CpuBackend::new();
    let x = buf(&mut b, &[1.0; 6]);
    let y = buf(&mut b, &[0.0; 6]);
    let op = ActOp { act: Activation::Maxout { pieces: 4 }, rows: 1, cols: 6 };
    assert!(b.act_forward(op, &x, None, &y).is_err());
    let op = ActOp { act: Activation::Prelu, rows: 1, cols: 6 };
    assert!(b.act_forward(op, &x, None, &y).is_err());
}

#[test]
fn count_correct_follows_each_loss_convention() {
    let mut b = CpuBackend::new();
    let out = buf(&mut b, &[0.0]);
    let count = |b: &mut CpuBackend, kind, cols, pred: &[f32], target: &[f32]| {
        let p = buf(b, pred);
        let t = buf(b, target);
        b.count_correct(LossOp { kind, rows: pred.len() / cols, cols }, &p, &t, &out).unwrap();
        block_on(b.read(&out)).unwrap()[0]
    };
    assert_eq!(count(&mut b, LossKind::Mse, 1, &[0.3, -0.2, 0.9], &[1.0, 1.0, -1.0]), 1.0);
    assert_eq!(count(&mut b, LossKind::SigmoidBce, 1, &[2.0, -1.0, -3.0], &[1.0, 0.0, 1.0]), 2.0);
    assert_eq!(count(&mut b, LossKind::SoftmaxCrossEntropy, 3, &[0.1, 0.9, 0.0, 5.0, 1.0, 2.0], &[1.0, 2.0]), 1.0);
}

#[test]
fn optimizer_applies_l1_and_l2() {
    let mut b = CpuBackend::new();
    let p = buf(&mut b, &[1.0, -2.0, 0.0]);
    let g = buf(&mut b, &[0.5, 0.5, 0.5]);
    let m = buf(&mut b, &[0.0; 3]);
    let v = buf(&mut b, &[0.0; 3]);
    let mut s = OptimStep::new(OptimKind::Sgd, 0.1);
    s.l1 = 0.2;
    s.weight_decay = 0.1;
    b.optim_step(&s, &p, &g, &m, &v).unwrap();
    // p − lr·(g + wd·p + l1·sign(p)); sign(0) = 0.
    let want = [1.0 - 0.1 * (0.5 + 0.1 + 0.2), -2.0 - 0.1 * (0.5 - 0.2 - 0.2), 0.0 - 0.1 * 0.5];
    for (got, want) in block_on(b.read(&p)).unwrap().iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    // Momentum keeps its velocity in m.
    let p = buf(&mut b, &[1.0]);
    let g = buf(&mut b, &[1.0]);
    let m = buf(&mut b, &[0.0]);
    let v = buf(&mut b, &[0.0]);
    let mut s = OptimStep::new(OptimKind::Momentum, 0.1);
    s.momentum = 0.5;
    b.optim_step(&s, &p, &g, &m, &v).unwrap();
    b.optim_step(&s, &p, &g, &m, &v).unwrap();
    assert_eq!(block_on(b.read(&m)).unwrap(), vec![1.5]);
    assert!((block_on(b.read(&p)).unwrap()[0] - (1.0 - 0.1 - 0.15)).abs() < 1e-6);
}

#[test]
fn empty_matrices_do_not_panic() {
    let mut b = CpuBackend::new();
    let e = View::whole(b.alloc(0).unwrap(), 0);
    let out = View::whole(b.alloc(0).unwrap(), 0);
    let one = View::whole(b.alloc(1).unwrap(), 1);
    for act in [Activation::Softmax, Activation::Prelu, Activation::Relu] {
        let op = ActOp { act, rows: 0, cols: 0 };
        b.act_forward(op, &e, Some(&e), &out).unwrap();
        b.act_backward(op, &e, &e, &e, Some(&e), &out, None).unwrap();
    }
    let op = LossOp { kind: LossKind::SoftmaxCrossEntropy, rows: 0, cols: 0 };
    assert!(b.loss(op, &e, &e, &out, &one).is_err());
    let g = Gemm { m: 0, n: 0, k: 0, trans_a: false, trans_b: true, accumulate: false };
    b.gemm(g, &e, &e, None, &out).unwrap();
}
