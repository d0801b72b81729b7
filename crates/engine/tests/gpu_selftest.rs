//! "The GPU path is real": acquire a device, run the self-test kernel, print the adapter. Without
//! an adapter this test fails (it never skips), so a machine that cannot run the GPU backend is
//! noticed rather than silently passed.
#![cfg(not(target_arch = "wasm32"))]

use engine::backend::Backend;
use engine::backend::gpu::{GpuBackend, device, selftest};

#[test]
fn saxpy_runs_on_a_real_adapter() {
    let gpu = pollster::block_on(device::acquire()).unwrap_or_else(|e| {
        panic!("no GPU adapter for the GPU tests ({e}); install Mesa's Vulkan drivers (mesa-vulkan-drivers) for lavapipe")
    });
    println!("adapter: {}", gpu.adapter);
    for n in [1, 63, 64, 65, 10_000] {
        let err = pollster::block_on(selftest::saxpy_check(&gpu, n)).unwrap_or_else(|e| panic!("self-test failed: {e}"));
        assert!(err <= 1e-5, "self-test error {err} for n = {n}");
    }
    let summary = gpu.adapter.clone();
    let backend = GpuBackend::new(gpu);
    let described = backend.describe();
    println!("{described}");
    assert_eq!(described, format!("WebGPU: {summary}"));
}
