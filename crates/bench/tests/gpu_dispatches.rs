//! GPU work per training step of each workload (W1-W4) on the native adapter (lavapipe on CI):
//! dispatches per step, with upper bounds so that fusions are not lost unnoticed, and that a
//! repeated step builds no pipeline or bind group. Run with `--nocapture` to see the counts.

use engine::backend::gpu::kernels::Kernel;
use engine::backend::gpu::{GpuBackend, KernelSet};
use engine::train::Trainer;

/// Most dispatches one step of each workload may take with the software adapters' kernels (before
/// the fusions: W1 21, W2 25, W3 15, W4 94).
const BOUNDS: [(&str, u64); 4] = [("W1", 12), ("W2", 15), ("W3", 11), ("W4", 53)];
/// The same with the hardware GPUs' kernels: the tiled GEMM does not write a dense layer's bias
/// gradient, so each dense layer's backward takes one more dispatch (a column sum): W1 has three
/// dense layers, W2 four, W3 and W4 one.
const HARDWARE_BOUNDS: [(&str, u64); 4] = [("W1", 15), ("W2", 19), ("W3", 12), ("W4", 54)];

/// Tiled products per step that the hardware set reads as vec4s (gemm_vec4.wgsl), at least.
const VEC4_PRODUCTS: [(&str, u64); 4] = [("W1", 1), ("W2", 7), ("W3", 1), ("W4", 2)];

#[test]
fn dispatches_per_step_with_the_software_kernels() {
    dispatches_per_step(KernelSet::Software, BOUNDS);
}

#[test]
fn dispatches_per_step_with_the_hardware_kernels() {
    dispatches_per_step(KernelSet::Hardware, HARDWARE_BOUNDS);
}

fn dispatches_per_step(kernels: KernelSet, bounds: [(&str, u64); 4]) {
    let mut gpu = pollster::block_on(GpuBackend::acquire()).expect("a GPU adapter (lavapipe on CI)");
    gpu.set_kernels(kernels);
    let mut backend = Some(gpu);
    for (w, bound) in bounds {
        let spec = bench::spec(w).unwrap();
        let mut t = Trainer::new(backend.take().unwrap(), &spec).unwrap();
        // Warm up: the first steps build pipelines and bind groups (and an epoch end reshuffles).
        t.step(8).unwrap();
        let before = t.backend().stats();
        let vec4 = (t.backend().dispatches_of(Kernel::GemmVec4), t.backend().dispatches_of(Kernel::Gemm));
        let n = 8;
        t.step(n).unwrap();
        let after = t.backend().stats();
        let (v4, scalar) = (t.backend().dispatches_of(Kernel::GemmVec4) - vec4.0, t.backend().dispatches_of(Kernel::Gemm) - vec4.1);
        println!("{kernels} kernels, {w}: tiled products per step: {:.2} with vec4 loads, {:.2} scalar", v4 as f64 / f64::from(n), scalar as f64 / f64::from(n));
        if kernels == KernelSet::Hardware {
            // The products over a side of 2 inputs or 1 output cannot read vec4s; the rest do.
            let least = VEC4_PRODUCTS.iter().find(|(name, _)| *name == w).map_or(0, |&(_, p)| p);
            assert!(v4 >= least * u64::from(n), "{w}: {v4} vec4 products in {n} steps, fewer than {least} a step");
        }
        let per_step = (after.dispatches - before.dispatches) as f64 / f64::from(n);
        println!("{kernels} kernels, {w}: {per_step:.2} dispatches per step ({} submissions for {n} steps)", after.submissions - before.submissions);
        assert!(per_step <= bound as f64, "{kernels} kernels, {w}: {per_step} dispatches per step, bound {bound}");
        assert_eq!(after.pipelines_built, before.pipelines_built, "{w}: a repeated step built a pipeline");
        assert_eq!(after.bind_groups_built, before.bind_groups_built, "{w}: a repeated step built a bind group");
        backend = Some(t.into_backend());
    }
}
