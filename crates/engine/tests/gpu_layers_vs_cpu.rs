//! The GPU's convolution, pooling and recurrent-cell ops against the CPU reference backend: the
//! same seeded inputs on awkward shapes (odd sizes, stride 2, padding 2, batch 3, kernels as large
//! as the padded input, overlapping pooling windows, ties), through the `Backend` trait on both.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

use engine::backend::cpu::CpuBackend;
use engine::backend::gpu::GpuBackend;
use engine::backend::{Backend, Conv2d, Pool2d, RnnCell};
use engine::error::EngineError;
use gpu_common::{Rng, get, gpu, put, zeros};

fn close(what: &str, cpu: &[f32], gpu: &[f32], rtol: f32, atol: f32) {
    assert_eq!(cpu.len(), gpu.len(), "{what}: length");
    for (i, (&c, &g)) in cpu.iter().zip(gpu).enumerate() {
        assert!(
            (c - g).abs() <= atol + rtol * c.abs() && c.is_finite() == g.is_finite(),
            "{what}[{i}]: cpu {c}, gpu {g}"
        );
    }
}

type Outputs<B> = fn(&mut B) -> Vec<(String, Vec<f32>)>;

fn check(what: &str, run: Outputs<CpuBackend>, run_gpu: Outputs<GpuBackend>, rtol: f32, atol: f32) {
    let cpu = run(&mut CpuBackend::new());
    let gpu = run_gpu(&mut gpu());
    assert_eq!(cpu.len(), gpu.len());
    let mut floats = 0;
    for ((name, c), (gname, g)) in cpu.iter().zip(&gpu) {
        assert_eq!(name, gname);
        close(name, c, g, rtol, atol);
        floats += c.len();
    }
    println!("{what}: {} outputs, {floats} floats agree", cpu.len());
}

/// `(batch, in, h, w, out, [kh, kw], [sh, sw], [ph, pw])`.
type ConvShape = (usize, usize, usize, usize, usize, [usize; 2], [usize; 2], [usize; 2]);
const CONVS: [ConvShape; 9] = [
    (3, 2, 7, 9, 5, [3, 3], [2, 2], [2, 2]),
    (1, 1, 5, 5, 1, [5, 5], [1, 1], [0, 0]),
    (2, 3, 6, 5, 4, [1, 1], [1, 1], [0, 0]),
    (3, 4, 11, 8, 3, [4, 2], [3, 1], [1, 0]),
    (1, 1, 1, 1, 2, [3, 3], [2, 2], [1, 1]),
    (2, 5, 13, 13, 6, [5, 5], [2, 2], [2, 2]),
    (1, 3, 2, 9, 2, [5, 3], [2, 3], [2, 1]),
    (3, 16, 17, 15, 8, [3, 3], [1, 1], [1, 1]),
    (2, 1, 28, 28, 4, [5, 5], [1, 1], [0, 0]),
];

fn conv_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(31);
    let mut out = Vec::new();
    for (batch, c, h, w, o, kernel, stride, padding) in CONVS {
        let op = Conv2d { batch, in_channels: c, height: h, width: w, out_channels: o, kernel, stride, padding };
        let (x, wt, bias) = (rng.vec(op.x_len(), -1.0, 1.0), rng.vec(op.weight_len(), -1.0, 1.0), rng.vec(o, -1.0, 1.0));
        let dy = rng.vec(op.y_len(), -1.0, 1.0);
        let (xv, wv, bv, dyv) = (put(b, &x, 3), put(b, &wt, 1), put(b, &bias, 2), put(b, &dy, 1));
        let tag = format!("{op:?}");
        for with_bias in [true, false] {
            let yv = put(b, &rng.vec(op.y_len(), -9.0, 9.0), 2);
            b.conv2d_forward(op, &xv, &wv, with_bias.then_some(&bv), &yv).unwrap();
            out.push((format!("{tag} y bias {with_bias}"), get(b, &yv)));
        }
        let dxv = put(b, &rng.vec(op.x_len(), -9.0, 9.0), 1);
        b.conv2d_backward_data(op, &dyv, &wv, &dxv).unwrap();
        out.push((format!("{tag} dx"), get(b, &dxv)));
        for with_bias in [true, false] {
            let dwv = put(b, &rng.vec(op.weight_len(), -9.0, 9.0), 3);
            let dbv = put(b, &rng.vec(o, -9.0, 9.0), 1);
            b.conv2d_backward_params(op, &xv, &dyv, &dwv, with_bias.then_some(&dbv)).unwrap();
            out.push((format!("{tag} dweight bias {with_bias}"), get(b, &dwv)));
            if with_bias {
                out.push((format!("{tag} dbias"), get(b, &dbv)));
            }
        }
        // The bias gradient alone, into a view that shares a buffer with the weight gradient
        // (the model's flat gradient buffer).
        let grads = put(b, &rng.vec(op.weight_len() + o + 3, -9.0, 9.0), 1);
        let (dwv, dbv) = (grads.sub(0, op.weight_len()), grads.sub(op.weight_len() + 2, o));
        b.conv2d_backward_params(op, &xv, &dyv, &dwv, None).unwrap();
        b.conv2d_backward_bias(op, &dyv, &dbv).unwrap();
        out.push((format!("{tag} flat grads"), get(b, &grads)));
    }
    out
}

/// `(batch, channels, h, w, [kh, kw], [sh, sw])`.
type PoolShape = (usize, usize, usize, usize, [usize; 2], [usize; 2]);
const POOLS: [PoolShape; 7] = [
    (3, 2, 7, 9, [3, 3], [2, 2]),
    (2, 3, 8, 8, [2, 2], [2, 2]),
    (1, 1, 5, 7, [2, 3], [1, 2]),
    (3, 2, 4, 4, [4, 4], [1, 1]),
    (2, 2, 9, 6, [3, 2], [1, 1]),
    (1, 1, 1, 1, [1, 1], [1, 1]),
    (3, 4, 15, 13, [5, 4], [3, 4]),
];

fn pool_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(32);
    let mut out = Vec::new();
    for (batch, channels, height, width, kernel, stride) in POOLS {
        let op = Pool2d { batch, channels, height, width, kernel, stride };
        for ties in [false, true] {
            // With ties: small integers, so windows hold equal maxima and the first must win.
            let x: Vec<f32> = if ties {
                (0..op.x_len()).map(|_| rng.below(3) as f32).collect()
            } else {
                rng.vec(op.x_len(), -2.0, 2.0)
            };
            let dy = rng.vec(op.y_len(), -1.0, 1.0);
            let (xv, dyv) = (put(b, &x, 2), put(b, &dy, 1));
            let (yv, av) = (put(b, &rng.vec(op.y_len(), -9.0, 9.0), 1), put(b, &rng.vec(op.y_len(), -9.0, 9.0), 3));
            let dxv = put(b, &rng.vec(op.x_len(), -9.0, 9.0), 2);
            let tag = format!("{op:?} ties {ties}");
            b.maxpool2d_forward(op, &xv, &yv, &av).unwrap();
            b.maxpool2d_backward(op, &dyv, &av, &dxv).unwrap();
            out.push((format!("{tag} max y"), get(b, &yv)));
            out.push((format!("{tag} max argmax"), get(b, &av)));
            out.push((format!("{tag} max dx"), get(b, &dxv)));
            b.avgpool2d_forward(op, &xv, &yv).unwrap();
            b.avgpool2d_backward(op, &dyv, &dxv).unwrap();
            out.push((format!("{tag} avg y"), get(b, &yv)));
            out.push((format!("{tag} avg dx"), get(b, &dxv)));
        }
    }
    out
}

const CELLS: [(usize, usize); 4] = [(3, 5), (1, 1), (7, 33), (2, 64)];

fn lstm_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(33);
    let mut out = Vec::new();
    for (batch, hidden) in CELLS {
        let cell = RnnCell { batch, hidden };
        let s = cell.state_len();
        let mut pre = rng.vec(4 * s, -3.0, 3.0);
        pre[0] = 30.0; // saturated gates
        if s > 1 {
            pre[1] = -30.0;
        }
        let mut c = rng.vec(s, -2.0, 2.0);
        c.extend(rng.vec(s, -9.0, 9.0)); // overwritten
        let (gv, cv, hv) = (put(b, &pre, 1), put(b, &c, 2), put(b, &rng.vec(s, -9.0, 9.0), 3));
        b.lstm_cell_forward(cell, &gv, &cv, &hv).unwrap();
        let tag = format!("lstm {batch}x{hidden}");
        out.push((format!("{tag} gates"), get(b, &gv)));
        out.push((format!("{tag} c"), get(b, &cv)));
        out.push((format!("{tag} h"), get(b, &hv)));
        let (dhv, dcv) = (put(b, &rng.vec(s, -1.0, 1.0), 2), put(b, &rng.vec(s, -1.0, 1.0), 1));
        b.lstm_cell_backward(cell, &gv, &cv, &dhv, &dcv).unwrap();
        out.push((format!("{tag} dgates"), get(b, &gv)));
        out.push((format!("{tag} dc_prev"), get(b, &dcv)));
    }
    out
}

fn gru_outputs<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut rng = Rng::new(34);
    let mut out = Vec::new();
    for (batch, hidden) in CELLS {
        let cell = RnnCell { batch, hidden };
        let s = cell.state_len();
        let mut gx = rng.vec(3 * s, -3.0, 3.0);
        gx[0] = 30.0;
        let hp = rng.vec(3 * s, -3.0, 3.0);
        let mut h = rng.vec(s, -1.0, 1.0);
        let h_prev = h.clone();
        h.extend(rng.vec(s, -9.0, 9.0)); // overwritten
        let (gv, hpv, hv) = (put(b, &gx, 1), put(b, &hp, 2), put(b, &h, 3));
        b.gru_cell_forward(cell, &gv, &hpv, &hv).unwrap();
        let tag = format!("gru {batch}x{hidden}");
        out.push((format!("{tag} gates"), get(b, &gv)));
        out.push((format!("{tag} h"), get(b, &hv)));
        let hpv_ = put(b, &h_prev, 0);
        let mut dh = rng.vec(s, -1.0, 1.0); // gradient already reaching h_{t−1}: added to
        dh.extend(rng.vec(s, -1.0, 1.0));
        let dhv = put(b, &dh, 2);
        b.gru_cell_backward(cell, &gv, &hpv, &hpv_, &dhv).unwrap();
        out.push((format!("{tag} dgates"), get(b, &gv)));
        out.push((format!("{tag} dhp"), get(b, &hpv)));
        out.push((format!("{tag} dh"), get(b, &dhv)));
    }
    out
}

#[test]
fn conv2d_agrees_with_cpu() {
    check("conv2d", conv_outputs, conv_outputs, 1e-4, 1e-5);
}

#[test]
fn pooling_agrees_with_cpu() {
    check("pooling", pool_outputs, pool_outputs, 1e-6, 1e-6);
}

#[test]
fn lstm_cell_agrees_with_cpu() {
    check("lstm cell", lstm_outputs, lstm_outputs, 1e-5, 1e-6);
}

#[test]
fn gru_cell_agrees_with_cpu() {
    check("gru cell", gru_outputs, gru_outputs, 1e-5, 1e-6);
}

/// Bad shapes are shape errors on the GPU, as on the CPU, before anything is recorded.
#[test]
fn bad_conv_pool_and_cell_shapes_are_shape_errors() {
    let mut g = gpu();
    let conv = Conv2d { batch: 1, in_channels: 1, height: 3, width: 3, out_channels: 1, kernel: [3, 3], stride: [1, 1], padding: [0, 0] };
    let (x, w, y) = (zeros(&mut g, 9, 0), zeros(&mut g, 9, 0), zeros(&mut g, 1, 0));
    assert!(g.conv2d_forward(conv, &x, &w, None, &y).is_ok());
    let is_shape = |r: engine::Result<()>| matches!(r, Err(EngineError::Shape { .. }));
    assert!(is_shape(g.conv2d_forward(Conv2d { stride: [0, 1], ..conv }, &x, &w, None, &y)));
    assert!(is_shape(g.conv2d_forward(Conv2d { kernel: [4, 3], ..conv }, &x, &w, None, &y)));
    assert!(is_shape(g.conv2d_forward(Conv2d { padding: [1, 0], ..conv }, &x, &w, None, &y)), "y has the wrong size");
    assert!(is_shape(g.conv2d_forward(conv, &x, &w, None, &x)), "y shares x's buffer");
    assert!(is_shape(g.conv2d_backward_data(conv, &y, &w, &w)));
    assert!(is_shape(g.conv2d_backward_params(conv, &x, &y, &w, Some(&y))));
    assert!(is_shape(g.conv2d_backward_bias(conv, &y, &y)));
    assert!(is_shape(g.conv2d_backward_bias(conv, &y, &x)), "dbias has 9 floats, not 1");
    let pool = Pool2d { batch: 1, channels: 1, height: 3, width: 3, kernel: [2, 2], stride: [1, 1] };
    let (py, pa) = (zeros(&mut g, 4, 0), zeros(&mut g, 4, 0));
    assert!(g.maxpool2d_forward(pool, &x, &py, &pa).is_ok());
    assert!(is_shape(g.maxpool2d_forward(Pool2d { kernel: [4, 2], ..pool }, &x, &py, &pa)));
    assert!(is_shape(g.maxpool2d_forward(Pool2d { stride: [1, 0], ..pool }, &x, &py, &pa)));
    assert!(is_shape(g.maxpool2d_forward(pool, &x, &py, &py)));
    assert!(is_shape(g.avgpool2d_backward(pool, &py, &pa)));
    let cell = RnnCell { batch: 2, hidden: 3 };
    let (gates, c, h) = (zeros(&mut g, 24, 0), zeros(&mut g, 12, 0), zeros(&mut g, 6, 0));
    assert!(g.lstm_cell_forward(cell, &gates, &c, &h).is_ok());
    assert!(is_shape(g.lstm_cell_forward(cell, &gates, &h, &h)));
    assert!(is_shape(g.lstm_cell_backward(cell, &gates, &c, &h, &h)), "dc shares dh's buffer");
    assert!(is_shape(g.gru_cell_forward(cell, &gates, &gates, &c)));
    // The fused step ops (W_hh and b_hh in one buffer, as in the model's parameters).
    let params = zeros(&mut g, 9 + 3 + 27 + 9, 0);
    let (w1, b1, w3, b3) = (params.sub(0, 9), params.sub(9, 3), params.sub(12, 27), params.sub(39, 9));
    let (g1, h2, d1, dh1) = (zeros(&mut g, 6, 0), zeros(&mut g, 12, 0), zeros(&mut g, 12, 0), zeros(&mut g, 6, 0));
    assert!(g.rnn_step_forward(cell, &g1, &h2, &w1, &b1).is_ok());
    assert!(is_shape(g.rnn_step_forward(cell, &gates, &h2, &w1, &b1)), "gates has 24 floats, not 6");
    assert!(is_shape(g.rnn_step_forward(cell, &g1, &h2, &w3, &b1)), "w_hh has 27 floats, not 9");
    assert!(g.rnn_step_backward(cell, &g1, Some(&d1.sub(6, 6)), &h2.sub(6, 6), &dh1, &d1.sub(0, 6), &w1).is_ok());
    assert!(is_shape(g.rnn_step_backward(cell, &g1, Some(&d1.sub(3, 6)), &h2.sub(6, 6), &dh1, &d1.sub(0, 6), &w1)), "d and next_d overlap");
    assert!(is_shape(g.rnn_step_backward(cell, &g1, None, &h2, &dh1, &d1.sub(0, 6), &w1)), "h has 12 floats, not 6");
    let (g3, hp3) = (zeros(&mut g, 18, 0), zeros(&mut g, 18, 0));
    assert!(g.gru_step_forward(cell, &g3, &hp3, &h2, &w3, &b3).is_ok());
    assert!(is_shape(g.gru_step_forward(cell, &g3, &hp3, &h2, &w1, &b3)), "w_hh has 9 floats, not 27");
    assert!(is_shape(g.gru_step_forward(cell, &gates, &hp3, &h2, &w3, &b3)), "gates has 24 floats, not 18");
    g.submit().unwrap();
}

/// Sizes whose products overflow are shape errors, not panics, even next to a zero batch.
#[test]
fn overflowing_sizes_are_shape_errors() {
    let mut g = gpu();
    let (v, w, a, d) = (zeros(&mut g, 4, 0), zeros(&mut g, 4, 0), zeros(&mut g, 4, 0), zeros(&mut g, 1, 0));
    let is_shape = |r: engine::Result<()>| matches!(r, Err(EngineError::Shape { .. }));
    let huge = usize::MAX / 2;
    let conv = Conv2d { batch: 0, in_channels: 1, height: huge, width: huge, out_channels: 1, kernel: [1, 1], stride: [1, 1], padding: [0, 0] };
    assert!(is_shape(g.conv2d_forward(conv, &v, &w, None, &a)));
    assert!(is_shape(g.conv2d_backward_params(conv, &v, &w, &d, None)));
    let conv = Conv2d { height: 4, width: 4, kernel: [huge, huge], padding: [huge / 2, huge / 2], ..conv };
    assert!(is_shape(g.conv2d_backward_data(conv, &v, &w, &a)));
    let pool = Pool2d { batch: 0, channels: 1, height: huge, width: huge, kernel: [2, 2], stride: [1, 1] };
    assert!(is_shape(g.avgpool2d_forward(pool, &v, &a)));
    let cell = RnnCell { batch: huge, hidden: huge };
    assert!(is_shape(g.lstm_cell_forward(cell, &v, &w, &a)));
    assert!(is_shape(g.gru_cell_backward(RnnCell { batch: huge, hidden: 3 }, &v, &w, &a, &d)));
    let wide = RnnCell { batch: 0, hidden: huge };
    assert!(is_shape(g.rnn_step_forward(wide, &v, &a, &w, &w)));
    assert!(is_shape(g.rnn_step_backward(wide, &v, None, &a, &d, &v, &w)));
    assert!(is_shape(g.gru_step_forward(wide, &v, &d, &a, &w, &w)));
}
