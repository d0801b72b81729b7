//! Finite-difference gradient checks in f64 for the convolution, pooling and recurrent-cell
//! kernels of the CPU backend (generic over `Real`, so these run the very loops it trains with),
//! and an f32 model-level check that the layers wire them together (offsets, time steps, BPTT).

#![allow(clippy::needless_range_loop)]

use engine::backend::cpu::{CpuBackend, conv, rnn};
use engine::backend::{Backend, Conv2d, LossOp, Pool2d, RnnCell, View};
use engine::loss::LossKind;
use engine::model::Model;
use engine::rng::Rng;
use engine::spec::ModelSpec;
use engine::testing::block_on;

const H: f64 = 1e-6;

fn close(analytic: f64, numeric: f64, what: &str) {
    let tol = 1e-6 + 1e-5 * numeric.abs();
    assert!((analytic - numeric).abs() <= tol, "{what}: analytic {analytic}, numeric {numeric}");
}

fn randn(rng: &mut Rng, n: usize, std: f64) -> Vec<f64> {
    (0..n).map(|_| rng.normal(0.0, std)).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Central difference of `f` with respect to element `i` of `x`.
fn numeric(x: &mut [f64], i: usize, mut f: impl FnMut(&[f64]) -> f64) -> f64 {
    let keep = x[i];
    x[i] = keep + H;
    let up = f(x);
    x[i] = keep - H;
    let down = f(x);
    x[i] = keep;
    (up - down) / (2.0 * H)
}

#[test]
fn conv2d_gradients_match_finite_differences() {
    let mut rng = Rng::new(3);
    for (stride, padding, kernel) in [([1, 1], [1, 1], [3, 3]), ([2, 1], [0, 2], [3, 2]), ([2, 2], [2, 2], [5, 5])] {
        let op = Conv2d { batch: 2, in_channels: 2, height: 6, width: 5, out_channels: 3, kernel, stride, padding };
        let (mut x, mut w, mut b) = (randn(&mut rng, op.x_len(), 1.0), randn(&mut rng, op.weight_len(), 0.5), randn(&mut rng, 3, 0.5));
        let up = randn(&mut rng, op.y_len(), 1.0);
        let loss = |x: &[f64], w: &[f64], b: &[f64]| {
            let mut y = vec![0.0; op.y_len()];
            conv::conv2d_forward(&op, x, w, Some(b), &mut y);
            dot(&y, &up)
        };
        let (mut dx, mut dw, mut db) = (vec![0.0; x.len()], vec![0.0; w.len()], vec![0.0; 3]);
        conv::conv2d_backward_data(&op, &up, &w, &mut dx);
        conv::conv2d_backward_weight(&op, &x, &up, &mut dw);
        conv::conv2d_backward_bias(&op, &up, &mut db);
        for i in 0..x.len() {
            let (wc, bc) = (w.clone(), b.clone());
            close(dx[i], numeric(&mut x, i, |x| loss(x, &wc, &bc)), &format!("conv dx[{i}] {op:?}"));
        }
        for i in 0..w.len() {
            let (xc, bc) = (x.clone(), b.clone());
            close(dw[i], numeric(&mut w, i, |w| loss(&xc, w, &bc)), &format!("conv dw[{i}]"));
        }
        for i in 0..3 {
            let (xc, wc) = (x.clone(), w.clone());
            close(db[i], numeric(&mut b, i, |b| loss(&xc, &wc, b)), &format!("conv db[{i}]"));
        }
    }
}

#[test]
fn pool_gradients_match_finite_differences() {
    let mut rng = Rng::new(4);
    for (kernel, stride) in [([2, 2], [2, 2]), ([3, 3], [2, 2]), ([3, 2], [1, 2])] {
        let op = Pool2d { batch: 2, channels: 2, height: 7, width: 6, kernel, stride };
        // Distinct values (a shuffled ramp) so that no step of H changes a window's maximum.
        let mut x: Vec<f64> = (0..op.x_len()).map(|i| i as f64 * 0.01).collect();
        rng.shuffle(&mut x);
        let up = randn(&mut rng, op.y_len(), 1.0);
        let max_loss = |x: &[f64]| {
            let (mut y, mut a) = (vec![0.0; op.y_len()], vec![0.0; op.y_len()]);
            conv::maxpool2d_forward(&op, x, &mut y, &mut a);
            dot(&y, &up)
        };
        let avg_loss = |x: &[f64]| {
            let mut y = vec![0.0; op.y_len()];
            conv::avgpool2d_forward(&op, x, &mut y);
            dot(&y, &up)
        };
        let (mut y, mut argmax) = (vec![0.0; op.y_len()], vec![0.0; op.y_len()]);
        conv::maxpool2d_forward(&op, &x, &mut y, &mut argmax);
        let (mut dmax, mut davg) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        conv::maxpool2d_backward(&op, &up, &argmax, &mut dmax);
        conv::avgpool2d_backward(&op, &up, &mut davg);
        for i in 0..x.len() {
            close(dmax[i], numeric(&mut x, i, max_loss), &format!("maxpool dx[{i}] {op:?}"));
            close(davg[i], numeric(&mut x, i, avg_loss), &format!("avgpool dx[{i}] {op:?}"));
        }
    }
}

#[test]
fn lstm_cell_gradients_match_finite_differences() {
    let mut rng = Rng::new(5);
    let cell = RnnCell { batch: 3, hidden: 4 };
    let s = cell.state_len();
    let (mut pre, mut c_prev) = (randn(&mut rng, 4 * s, 1.0), randn(&mut rng, s, 1.0));
    let (uh, uc) = (randn(&mut rng, s, 1.0), randn(&mut rng, s, 1.0));
    let loss = |pre: &[f64], c_prev: &[f64]| {
        let mut g = pre.to_vec();
        let mut c = [c_prev, &vec![0.0; s][..]].concat();
        let mut h = vec![0.0; s];
        rnn::lstm_forward(&cell, &mut g, &mut c, &mut h);
        dot(&h, &uh) + dot(&c[s..], &uc)
    };
    let mut g = pre.clone();
    let mut c = [c_prev.clone(), vec![0.0; s]].concat();
    let mut h = vec![0.0; s];
    rnn::lstm_forward(&cell, &mut g, &mut c, &mut h);
    let mut dc = uc.clone();
    rnn::lstm_backward(&cell, &mut g, &c, &uh, &mut dc);
    for i in 0..pre.len() {
        let cp = c_prev.clone();
        close(g[i], numeric(&mut pre, i, |p| loss(p, &cp)), &format!("lstm dpre[{i}]"));
    }
    for i in 0..s {
        let p = pre.clone();
        close(dc[i], numeric(&mut c_prev, i, |c| loss(&p, c)), &format!("lstm dc_prev[{i}]"));
    }
}

#[test]
fn gru_cell_gradients_match_finite_differences() {
    let mut rng = Rng::new(6);
    let cell = RnnCell { batch: 3, hidden: 4 };
    let s = cell.state_len();
    let (mut gx, mut hp, mut h_prev) = (randn(&mut rng, 3 * s, 1.0), randn(&mut rng, 3 * s, 1.0), randn(&mut rng, s, 1.0));
    let uh = randn(&mut rng, s, 1.0);
    let loss = |gx: &[f64], hp: &[f64], h_prev: &[f64]| {
        let mut g = gx.to_vec();
        let mut h = [h_prev, &vec![0.0; s][..]].concat();
        rnn::gru_forward(&cell, &mut g, hp, &mut h);
        dot(&h[s..], &uh)
    };
    let mut g = gx.clone();
    let mut h = [h_prev.clone(), vec![0.0; s]].concat();
    rnn::gru_forward(&cell, &mut g, &hp, &mut h);
    let mut dhp = hp.clone();
    let mut dh = [vec![0.0; s], uh.clone()].concat();
    rnn::gru_backward(&cell, &mut g, &mut dhp, &h_prev, &mut dh);
    for i in 0..gx.len() {
        let (p, hh) = (hp.clone(), h_prev.clone());
        close(g[i], numeric(&mut gx, i, |x| loss(x, &p, &hh)), &format!("gru dgx[{i}]"));
        let (x, hh) = (gx.clone(), h_prev.clone());
        close(dhp[i], numeric(&mut hp, i, |p| loss(&x, p, &hh)), &format!("gru dhp[{i}]"));
    }
    for i in 0..s {
        // With gx and hp held fixed, h_prev reaches h only through z⊙h_prev: the direct part.
        let (x, p) = (gx.clone(), hp.clone());
        close(dh[i], numeric(&mut h_prev, i, |hh| loss(&x, &p, hh)), &format!("gru dh_prev[{i}]"));
    }
}

/// f32 model-level check: every parameter gradient of a small conv and recurrent network
/// against central differences of the whole model's loss.
fn model_check(spec: &ModelSpec, rows: usize, seed: u64) {
    let mut b = CpuBackend::new();
    let model = Model::new(&mut b, spec, rows).unwrap();
    let mut rng = Rng::new(seed);
    let xs: Vec<f32> = (0..rows * model.input_width).map(|_| rng.normal(0.0, 1.0) as f32).collect();
    let out = model.output_width();
    let ys: Vec<f32> = (0..rows * out).map(|_| rng.normal(0.0, 1.0) as f32).collect();
    let x = View::whole(b.alloc(xs.len()).unwrap(), xs.len());
    b.write(&x, &xs).unwrap();
    let y = View::whole(b.alloc(ys.len()).unwrap(), ys.len());
    b.write(&y, &ys).unwrap();
    let lv = View::whole(b.alloc(1).unwrap(), 1);
    let op = LossOp { kind: LossKind::Mse, rows, cols: out };
    let run = |b: &mut CpuBackend, backward: bool| -> f64 {
        let pred = model.forward(b, rows, &x).unwrap();
        b.loss(op, &pred, &y, &model.output_grad(rows), &lv).unwrap();
        if backward {
            model.backward(b, rows, &x).unwrap();
        }
        block_on(b.read(&lv)).unwrap()[0] as f64
    };
    run(&mut b, true);
    let grads = block_on(b.read(&model.grads)).unwrap();
    let params = block_on(b.read(&model.params)).unwrap();
    let h = 2e-3f32;
    for i in (0..params.len()).step_by(1 + params.len() / 60) {
        let mut p = params.clone();
        p[i] = params[i] + h;
        b.write(&model.params, &p).unwrap();
        let up = run(&mut b, false);
        p[i] = params[i] - h;
        b.write(&model.params, &p).unwrap();
        let down = run(&mut b, false);
        b.write(&model.params, &params).unwrap();
        let num = (up - down) / (2.0 * h as f64);
        let tol = 2e-3 + 2e-2 * num.abs();
        assert!((grads[i] as f64 - num).abs() <= tol, "{:?}: param {i}: analytic {}, numeric {num}", spec.layers, grads[i]);
    }
}

#[test]
fn conv_and_recurrent_models_backpropagate_through_every_parameter() {
    use engine::activation::Activation;
    use engine::data::DatasetKind;
    use engine::spec::LayerSpec;
    let mut s = ModelSpec { loss: LossKind::SoftmaxCrossEntropy, ..Default::default() };
    s.data.kind = DatasetKind::Shapes;
    s.layers = vec![
        LayerSpec::Conv2d { filters: 3, kernel: 3, stride: 2, padding: 1, activation: Activation::Tanh },
        LayerSpec::AvgPool2d { kernel: 2, stride: 1 },
        LayerSpec::Conv2d { filters: 2, kernel: 2, stride: 1, padding: 0, activation: Activation::Sigmoid },
        LayerSpec::MaxPool2d { kernel: 2, stride: 2 },
        LayerSpec::Flatten,
        LayerSpec::Dense { units: 5, activation: Activation::Tanh },
    ];
    model_check(&s, 3, 7);
    s.data.kind = DatasetKind::Sine;
    s.loss = LossKind::Mse;
    for (first, second) in [
        (LayerSpec::Rnn { hidden: 4, return_sequences: true }, LayerSpec::Lstm { hidden: 3, return_sequences: false }),
        (LayerSpec::Gru { hidden: 4, return_sequences: true }, LayerSpec::Rnn { hidden: 3, return_sequences: false }),
        (LayerSpec::Lstm { hidden: 3, return_sequences: true }, LayerSpec::Gru { hidden: 3, return_sequences: true }),
    ] {
        s.layers = vec![first, second];
        model_check(&s, 2, 8);
    }
}
