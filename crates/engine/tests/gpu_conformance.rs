//! The conformance vectors on the GPU backend: every case of the implemented ops (dense,
//! activation, loss, optimizer) must pass; the others must be reported as failures, not skipped.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

engine::conformance_tests!(gpu_common::gpu);

#[test]
fn every_implemented_vector_file_passes_on_the_gpu() {
    let dir = engine::testing::vectors_dir().expect("conformance vectors");
    let results = engine::conformance::run_dir_blocking(&dir, &mut gpu_common::gpu()).unwrap();
    let mut per_op = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for r in &results {
        let e = per_op.entry(r.op.as_str()).or_default();
        e.0 += usize::from(r.passed);
        e.1 += 1;
        if engine::testing::IMPLEMENTED_OPS.contains(&r.op.as_str()) {
            assert!(r.passed, "{} failed on the GPU: {}", r.file, r.message);
        }
    }
    for (op, (passed, total)) in &per_op {
        println!("gpu conformance {op}: {passed}/{total}");
    }
    for op in ["dense", "activation", "loss", "optimizer"] {
        assert!(per_op.get(op).is_some_and(|&(p, _)| p > 0), "no {op} vectors ran");
    }
}
