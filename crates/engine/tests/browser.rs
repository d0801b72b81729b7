//! In-browser tests (wasm-bindgen-test in headless Chromium, run by `cargo xtask test`): the same
//! WGSL kernels as natively, on the browser's WebGPU adapter. Without an adapter these fail with a
//! message saying so; they never skip.
#![cfg(target_arch = "wasm32")]

use engine::backend::gpu::{device, selftest};
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
