//! The GPU backend in the browser (wasm-bindgen-test in headless Chromium, whose WebGPU adapter
//! is SwiftShader): the same kernels as natively, through the browser's WebGPU, with every read
//! awaited. Ops are compared with the CPU backend running in the same page, and a whole training
//! run goes through `Trainer`. Without an adapter these fail with a message saying so.
#![cfg(target_arch = "wasm32")]

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::backend::gpu::kernels::Kernel;
use engine::backend::gpu::{GpuBackend, KernelSet};
use engine::backend::{ActOp, Backend, Conv2d, Gemm, LossOp, RnnCell, View};
use engine::loss::LossKind;
use engine::optim::{OptimKind, OptimStep};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn gpu() -> GpuBackend {
    let mut b = GpuBackend::acquire()
        .await
        .map_err(|e| {
            format!("no WebGPU adapter in this browser ({e}): Chromium needs --enable-unsafe-webgpu (crates/engine/webdriver.json passes it)")
        })
        .unwrap();
    b.compile_all().await.unwrap();
    b
}

/// A deterministic pseudo-random sequence in [-1, 1).
fn data(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

async fn put<B: Backend>(b: &mut B, v: &[f32], pad: usize) -> View<B::Buffer> {
    let buf = b.alloc(v.len() + pad).unwrap();
    let view = View { buf, offset: pad, len: v.len() };
    b.write(&view, v).unwrap();
    view
}

/// The outputs of a fixed op sequence (dense forward, activations, loss, backward, Adam), read
/// back with awaited reads.
async fn op_sequence<B: Backend>(b: &mut B) -> Vec<(&'static str, Vec<f32>)> {
    let (m, n, k) = (33, 65, 70);
    let x = put(b, &data(m * k, 1), 3).await;
    let params = put(b, &data(n * k + n, 2), 1).await;
    let (w, bias) = (params.sub(0, n * k), params.sub(n * k, n));
    let h = put(b, &vec![0.0; m * n], 2).await;
    let y = put(b, &vec![0.0; m * n], 0).await;
    let fwd = Gemm { m, n, k, trans_a: false, trans_b: true, accumulate: false };
    b.gemm(fwd, &x, &w, Some(&bias), &h).unwrap();
    let act = ActOp { act: Activation::Swish { beta: 1.0 }, rows: m, cols: n };
    b.act_forward(act, &h, None, &y).unwrap();
    let soft = put(b, &vec![0.0; m * n], 0).await;
    b.act_forward(ActOp { act: Activation::Softmax, rows: m, cols: n }, &y, None, &soft).unwrap();
    let target: Vec<f32> = (0..m).map(|r| (r * 7 % n) as f32).collect();
    let t = put(b, &target, 0).await;
    let (dy, loss) = (put(b, &vec![0.0; m * n], 0).await, put(b, &[0.0], 0).await);
    b.loss(LossOp { kind: LossKind::SoftmaxCrossEntropy, rows: m, cols: n }, &y, &t, &dy, &loss).unwrap();
    let dh = put(b, &vec![0.0; m * n], 0).await;
    b.act_backward(act, &h, &y, &dy, None, &dh, None).unwrap();
    let grads = put(b, &vec![0.0; n * k + n], 0).await;
    let dw = grads.sub(0, n * k);
    b.gemm(Gemm { m: n, n: k, k: m, trans_a: true, trans_b: false, accumulate: false }, &dh, &x, None, &dw).unwrap();
    b.col_sum(&dh, m, n, &grads.sub(n * k, n), false).unwrap();
    let (mm, vv) = (put(b, &vec![0.0; n * k + n], 0).await, put(b, &vec![0.0; n * k + n], 0).await);
    for t in 1..=3 {
        let s = OptimStep {
            kind: OptimKind::Adam,
            lr: 0.01,
            momentum: 0.0,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.001,
            l1: 0.0,
            t,
        };
        b.optim_step(&s, &params, &grads, &mm, &vv).unwrap();
    }
    b.submit().unwrap();
    let mut out = Vec::new();
    for (name, v) in [("h", &h), ("y", &y), ("softmax", &soft), ("loss", &loss), ("dh", &dh), ("grads", &grads), ("params", &params)] {
        out.push((name, b.read(v).await.unwrap()));
    }
    out
}

/// Named outputs of the GPU (with `kernels` forced) against the CPU's, within 1e-4.
fn agree<S: AsRef<str>>(kernels: KernelSet, got: &[(S, Vec<f32>)], want: &[(S, Vec<f32>)]) {
    assert_eq!(got.len(), want.len());
    for ((name, gv), (_, cv)) in got.iter().zip(want) {
        let name = name.as_ref();
        assert_eq!(gv.len(), cv.len(), "{name}");
        for (i, (&a, &c)) in gv.iter().zip(cv).enumerate() {
            assert!((a - c).abs() <= 1e-4 + 1e-4 * c.abs(), "{kernels} kernels, {name}[{i}]: gpu {a}, cpu {c}");
        }
    }
}

/// Products whose operands are 16-byte aligned (the hardware set reads them as vec4s), in every
/// layout, with bias and accumulation.
async fn aligned_products<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let (m, n, k) = (68, 72, 36);
    let mut out = Vec::new();
    for flags in 0..8u32 {
        let g = Gemm { m, n, k, trans_a: flags & 1 != 0, trans_b: flags & 2 != 0, accumulate: flags & 4 != 0 };
        let a = put(b, &data(m * k, 30 + flags), 4).await;
        let bm = put(b, &data(k * n, 40 + flags), 8).await;
        let bias = put(b, &data(n, 50 + flags), 1).await;
        let c = put(b, &data(m * n, 60 + flags), 3).await;
        b.gemm(g, &a, &bm, (flags % 3 == 0).then_some(&bias), &c).unwrap();
        out.push((format!("aligned gemm {g:?}"), b.read(&c).await.unwrap()));
    }
    out
}

#[wasm_bindgen_test]
async fn aligned_products_agree_with_cpu_and_take_the_vec4_kernel_on_hardware_kernels() {
    let mut g = gpu().await;
    let want = aligned_products(&mut CpuBackend::new()).await;
    for kernels in KernelSet::ALL {
        g.set_kernels(kernels);
        let before = g.dispatches_of(Kernel::GemmVec4);
        agree(kernels, &aligned_products(&mut g).await, &want);
        let used = g.dispatches_of(Kernel::GemmVec4) - before;
        assert_eq!(used, if kernels == KernelSet::Hardware { 8 } else { 0 }, "{kernels} kernels: vec4 products");
    }
}

#[wasm_bindgen_test]
async fn gpu_ops_agree_with_cpu_in_the_browser() {
    let mut g = gpu().await;
    assert!(g.describe().starts_with("WebGPU: "), "{}", g.describe());
    let want = op_sequence(&mut CpuBackend::new()).await;
    for kernels in KernelSet::ALL {
        g.set_kernels(kernels);
        agree(kernels, &op_sequence(&mut g).await, &want);
    }
}

/// Convolutions (stride 2, padding 2, batch 3, odd sizes; 2 and 5 input channels, 5 and 3 output
/// channels, so both the 1×4 channel blocks with a remainder and the single-channel path run)
/// forward and backward, and two LSTM steps forward and back, read back with awaited reads.
async fn conv_lstm_sequence<B: Backend>(b: &mut B) -> Vec<(String, Vec<f32>)> {
    let mut out = Vec::new();
    for (c, o, seed) in [(2, 5, 11), (5, 3, 21)] {
        let op = Conv2d { batch: 3, in_channels: c, height: 7, width: 9, out_channels: o, kernel: [3, 3], stride: [2, 2], padding: [2, 2] };
        let x = put(b, &data(op.x_len(), seed), 1).await;
        let w = put(b, &data(op.weight_len(), seed + 1), 2).await;
        let bias = put(b, &data(o, seed + 2), 0).await;
        let y = put(b, &vec![0.0; op.y_len()], 3).await;
        b.conv2d_forward(op, &x, &w, Some(&bias), &y).unwrap();
        let dy = put(b, &data(op.y_len(), seed + 3), 0).await;
        let dx = put(b, &vec![0.0; op.x_len()], 1).await;
        b.conv2d_backward_data(op, &dy, &w, &dx).unwrap();
        let (dw, db) = (put(b, &vec![0.0; op.weight_len()], 0).await, put(b, &vec![0.0; o], 2).await);
        b.conv2d_backward_params(op, &x, &dy, &dw, Some(&db)).unwrap();
        for (name, v) in [("y", &y), ("dx", &dx), ("dw", &dw), ("db", &db)] {
            out.push((format!("conv {c}->{o} {name}"), b.read(v).await.unwrap()));
        }
    }

    // LSTM: N = 3, H = 5, I = 4, T = 2; gates [T, N, 4H], c [(T+1)·N·H] (c0, c1, c2), h [(T+1)·N·H].
    let (n, hid, inp, steps) = (3, 5, 4, 2);
    let cell = RnnCell { batch: n, hidden: hid };
    let s = n * hid;
    let xs = put(b, &data(steps * n * inp, 15), 0).await;
    let w_ih = put(b, &data(4 * hid * inp, 16), 0).await;
    let w_hh = put(b, &data(4 * hid * hid, 17), 0).await;
    let gates = put(b, &vec![0.0; steps * n * 4 * hid], 1).await;
    let mut c0 = data(s, 18);
    c0.extend(vec![0.0; steps * s]);
    let c = put(b, &c0, 0).await;
    let mut h0 = data(s, 19);
    h0.extend(vec![0.0; steps * s]);
    let h = put(b, &h0, 2).await;
    b.gemm(Gemm { m: steps * n, n: 4 * hid, k: inp, trans_a: false, trans_b: true, accumulate: false }, &xs, &w_ih, None, &gates).unwrap();
    let hh = Gemm { m: n, n: 4 * hid, k: hid, trans_a: false, trans_b: true, accumulate: true };
    for t in 0..steps {
        let g = gates.sub(t * n * 4 * hid, n * 4 * hid);
        b.gemm(hh, &h.sub(t * s, s), &w_hh, None, &g).unwrap();
        b.lstm_cell_forward(cell, &g, &c.sub(t * s, 2 * s), &h.sub((t + 1) * s, s)).unwrap();
    }
    out.push(("lstm gates".into(), b.read(&gates).await.unwrap()));
    let dh = put(b, &data(s, 20), 0).await;
    let dc = put(b, &vec![0.0; s], 0).await;
    // Backpropagation through time: after each step's cell backward, dh_{t−1} += dgates_t·W_hh.
    let back = Gemm { m: n, n: hid, k: 4 * hid, trans_a: false, trans_b: false, accumulate: true };
    for t in (0..steps).rev() {
        let g = gates.sub(t * n * 4 * hid, n * 4 * hid);
        b.lstm_cell_backward(cell, &g, &c.sub(t * s, 2 * s), &dh, &dc).unwrap();
        b.gemm(back, &g, &w_hh, None, &dh).unwrap();
    }
    b.submit().unwrap();
    for (name, v) in [("lstm c", &c), ("lstm h", &h), ("lstm dgates", &gates), ("lstm dh0", &dh), ("lstm dc0", &dc)] {
        out.push((name.into(), b.read(v).await.unwrap()));
    }
    out
}

#[wasm_bindgen_test]
async fn conv2d_and_lstm_agree_with_cpu_in_the_browser() {
    let mut g = gpu().await;
    let want = conv_lstm_sequence(&mut CpuBackend::new()).await;
    for kernels in KernelSet::ALL {
        g.set_kernels(kernels);
        agree(kernels, &conv_lstm_sequence(&mut g).await, &want);
    }
}

#[wasm_bindgen_test]
async fn xor_relu_learns_on_browser_webgpu() {
    let r = engine::testing::xor_relu_learns(gpu().await).await.unwrap();
    assert!(r.best_test_accuracy >= 0.95, "{r:?}");
}

/// The digits CNN (conv, max pool, dense) trained end to end on the browser's WebGPU (about 8 s
/// on SwiftShader; the LSTM scenarios run natively in gpu_learning_layers.rs, as together they
/// would pass wasm-bindgen-test's default 20 s limit).
#[wasm_bindgen_test]
async fn digits_cnn_learns_on_browser_webgpu() {
    let r = engine::testing::layers::digits_cnn_learns(gpu().await).await.unwrap();
    assert!(r.last.test_accuracy.unwrap_or(0.0) >= 0.95, "{r:?}");
}
