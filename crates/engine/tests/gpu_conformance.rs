//! The conformance vectors on the GPU backend: every case of every op in the folder (dense,
//! activation, loss, optimizer, conv2d, maxpool2d, avgpool2d, rnn/lstm/gru) must pass, with the
//! adapter's own kernel set and with each set forced (software adapters' barrier-free kernels,
//! hardware GPUs' tiled GEMM and implicit-GEMM convolution).
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

use engine::backend::gpu::KernelSet;

engine::conformance_tests!(gpu_common::gpu);

fn every_vector_file_passes(kernels: Option<KernelSet>) {
    let dir = engine::testing::vectors_dir().expect("conformance vectors");
    let mut gpu = kernels.map_or_else(gpu_common::gpu, gpu_common::gpu_with);
    let tag = gpu.kernels();
    let results = engine::conformance::run_dir_blocking(&dir, &mut gpu).unwrap();
    let mut per_op = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for r in &results {
        let e = per_op.entry(r.op.as_str()).or_default();
        e.0 += usize::from(r.passed);
        e.1 += 1;
    }
    for (op, (passed, total)) in &per_op {
        println!("gpu conformance ({tag} kernels) {op}: {passed}/{total}");
    }
    let passed = results.iter().filter(|r| r.passed).count();
    println!("gpu conformance ({tag} kernels): {passed}/{} passed", results.len());
    let failures: Vec<_> = results.iter().filter(|r| !r.passed).map(|r| format!("{}: {}", r.file, r.message)).collect();
    assert!(failures.is_empty(), "failed on the GPU with the {tag} kernels:\n{}", failures.join("\n"));
    for op in ["dense", "activation", "loss", "optimizer", "conv2d", "maxpool2d", "avgpool2d", "rnn"] {
        assert!(per_op.get(op).is_some_and(|&(p, _)| p > 0), "no {op} vectors ran");
    }
    for cell in ["tanh", "lstm", "gru"] {
        assert!(results.iter().any(|r| r.op == "rnn" && r.file.contains(cell)), "no {cell} rnn vectors ran");
    }
}

#[test]
fn every_vector_file_passes_on_the_gpu() {
    every_vector_file_passes(None);
}

#[test]
fn every_vector_file_passes_with_the_software_kernels_forced() {
    every_vector_file_passes(Some(KernelSet::Software));
}

#[test]
fn every_vector_file_passes_with_the_hardware_kernels_forced() {
    every_vector_file_passes(Some(KernelSet::Hardware));
}
