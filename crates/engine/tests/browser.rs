//! In-browser tests (wasm-bindgen-test in headless Chromium, run by `cargo xtask test`): the same
//! WGSL kernels as natively, on the browser's WebGPU adapter. Without an adapter these fail with a
//! message saying so; they never skip.
#![cfg(target_arch = "wasm32")]

use engine::backend::gpu::kernels::Kernel;
use engine::backend::gpu::{GpuBackend, KernelSet, device, selftest};
use engine::conformance::{Case, run_case};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NO_ADAPTER: &str = "no WebGPU adapter in this browser: Chromium needs --enable-unsafe-webgpu \
     (crates/engine/webdriver.json passes it)";

#[wasm_bindgen_test]
async fn selftest_kernel_matches_cpu_on_browser_webgpu() {
    let gpu = device::acquire().await.map_err(|e| format!("{NO_ADAPTER}: {e}")).unwrap();
    // 4099 elements: not a multiple of the workgroup size, so the bounds check is exercised.
    let err = selftest::saxpy_check(&gpu, 4099).await.unwrap();
    assert!(err <= 1e-5, "max error {err} on {}", gpu.adapter);
    assert_eq!(gpu.adapter.backend, "BrowserWebGpu");
}

/// Every reference vector, embedded: a browser cannot read the folder.
const VECTORS: [(&str, &str); 42] = [
    ("activation_binary_step.json", include_str!("vectors/activation_binary_step.json")),
    ("activation_binary_step_kink.json", include_str!("vectors/activation_binary_step_kink.json")),
    ("activation_elu_1.0.json", include_str!("vectors/activation_elu_1.0.json")),
    ("activation_leaky_relu_0.01.json", include_str!("vectors/activation_leaky_relu_0.01.json")),
    ("activation_leaky_relu_0.2.json", include_str!("vectors/activation_leaky_relu_0.2.json")),
    ("activation_leaky_relu_kink.json", include_str!("vectors/activation_leaky_relu_kink.json")),
    ("activation_linear.json", include_str!("vectors/activation_linear.json")),
    ("activation_maxout_2.json", include_str!("vectors/activation_maxout_2.json")),
    ("activation_maxout_3.json", include_str!("vectors/activation_maxout_3.json")),
    ("activation_prelu.json", include_str!("vectors/activation_prelu.json")),
    ("activation_prelu_kink.json", include_str!("vectors/activation_prelu_kink.json")),
    ("activation_relu.json", include_str!("vectors/activation_relu.json")),
    ("activation_relu_kink.json", include_str!("vectors/activation_relu_kink.json")),
    ("activation_sigmoid.json", include_str!("vectors/activation_sigmoid.json")),
    ("activation_softmax.json", include_str!("vectors/activation_softmax.json")),
    ("activation_swish_1.json", include_str!("vectors/activation_swish_1.json")),
    ("activation_tanh.json", include_str!("vectors/activation_tanh.json")),
    ("avgpool2d_2x2_s2.json", include_str!("vectors/avgpool2d_2x2_s2.json")),
    ("avgpool2d_3x3_s2.json", include_str!("vectors/avgpool2d_3x3_s2.json")),
    ("conv2d_1x1.json", include_str!("vectors/conv2d_1x1.json")),
    ("conv2d_3x3_s1_p1.json", include_str!("vectors/conv2d_3x3_s1_p1.json")),
    ("conv2d_5x5_s2_p2.json", include_str!("vectors/conv2d_5x5_s2_p2.json")),
    ("conv2d_multichannel_3x3_s1_p0.json", include_str!("vectors/conv2d_multichannel_3x3_s1_p0.json")),
    ("dense_33x70_to_65.json", include_str!("vectors/dense_33x70_to_65.json")),
    ("dense_4x3_to_5.json", include_str!("vectors/dense_4x3_to_5.json")),
    ("loss_mse.json", include_str!("vectors/loss_mse.json")),
    ("loss_sigmoid_bce.json", include_str!("vectors/loss_sigmoid_bce.json")),
    ("loss_sigmoid_bce_large_logits.json", include_str!("vectors/loss_sigmoid_bce_large_logits.json")),
    ("loss_softmax_cross_entropy.json", include_str!("vectors/loss_softmax_cross_entropy.json")),
    ("loss_softmax_cross_entropy_large_logits.json", include_str!("vectors/loss_softmax_cross_entropy_large_logits.json")),
    ("maxpool2d_2x2_s2.json", include_str!("vectors/maxpool2d_2x2_s2.json")),
    ("maxpool2d_3x3_s2.json", include_str!("vectors/maxpool2d_3x3_s2.json")),
    ("optimizer_adam.json", include_str!("vectors/optimizer_adam.json")),
    ("optimizer_momentum.json", include_str!("vectors/optimizer_momentum.json")),
    ("optimizer_sgd.json", include_str!("vectors/optimizer_sgd.json")),
    ("optimizer_sgd_weight_decay.json", include_str!("vectors/optimizer_sgd_weight_decay.json")),
    ("rnn_gru_t1.json", include_str!("vectors/rnn_gru_t1.json")),
    ("rnn_gru_t5.json", include_str!("vectors/rnn_gru_t5.json")),
    ("rnn_lstm_t1.json", include_str!("vectors/rnn_lstm_t1.json")),
    ("rnn_lstm_t5.json", include_str!("vectors/rnn_lstm_t5.json")),
    ("rnn_tanh_t1.json", include_str!("vectors/rnn_tanh_t1.json")),
    ("rnn_tanh_t5.json", include_str!("vectors/rnn_tanh_t5.json")),
];

/// Every vector with each kernel set forced (the software adapters' barrier-free kernels and the
/// hardware GPUs' tiled GEMM and implicit-GEMM convolution), whatever this browser's adapter is.
#[wasm_bindgen_test]
async fn every_conformance_vector_passes_on_browser_webgpu_with_each_kernel_set() {
    let gpu = device::acquire().await.map_err(|e| format!("{NO_ADAPTER}: {e}")).unwrap();
    let mut backend = GpuBackend::new(gpu);
    let mut failed = Vec::new();
    for kernels in KernelSet::ALL {
        backend.set_kernels(kernels);
        let before: Vec<u64> = VARIANTS.iter().map(|&k| backend.dispatches_of(k)).collect();
        for (file, text) in VECTORS {
            let case = Case::from_json(text).unwrap();
            let result = run_case(&mut backend, &case, file).await;
            if !result.passed {
                failed.push(format!("{kernels} kernels, {file}: {}", result.message));
            }
        }
        let used: Vec<u64> = VARIANTS.iter().zip(&before).map(|(&k, b)| backend.dispatches_of(k) - b).collect();
        // [barrier-free GEMM, tiled GEMM, direct conv, implicit-GEMM conv]
        let expect_used = match kernels {
            KernelSet::Software => [true, false, true, false],
            KernelSet::Hardware => [false, true, false, true],
        };
        for ((k, n), want) in VARIANTS.iter().zip(&used).zip(expect_used) {
            assert_eq!(*n > 0, want, "{kernels} kernels: {k:?} dispatched {n} times");
        }
    }
    assert!(failed.is_empty(), "{} vector runs failed on WebGPU:\n{}", failed.len(), failed.join("\n"));
}

const VARIANTS: [Kernel; 4] = [Kernel::GemmSmall, Kernel::Gemm, Kernel::Conv2dForward, Kernel::Conv2dForwardTiled];
