//! The conformance vectors on the GPU backend: every case of every op in the folder (dense,
//! activation, loss, optimizer, conv2d, maxpool2d, avgpool2d, rnn/lstm/gru) must pass.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

engine::conformance_tests!(gpu_common::gpu);

#[test]
fn every_vector_file_passes_on_the_gpu() {
    let dir = engine::testing::vectors_dir().expect("conformance vectors");
    let results = engine::conformance::run_dir_blocking(&dir, &mut gpu_common::gpu()).unwrap();
    let mut per_op = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for r in &results {
        let e = per_op.entry(r.op.as_str()).or_default();
        e.0 += usize::from(r.passed);
        e.1 += 1;
    }
    for (op, (passed, total)) in &per_op {
        println!("gpu conformance {op}: {passed}/{total}");
    }
    let passed = results.iter().filter(|r| r.passed).count();
    println!("gpu conformance: {passed}/{} passed", results.len());
    let failures: Vec<_> = results.iter().filter(|r| !r.passed).map(|r| format!("{}: {}", r.file, r.message)).collect();
    assert!(failures.is_empty(), "failed on the GPU:\n{}", failures.join("\n"));
    for op in ["dense", "activation", "loss", "optimizer", "conv2d", "maxpool2d", "avgpool2d", "rnn"] {
        assert!(per_op.get(op).is_some_and(|&(p, _)| p > 0), "no {op} vectors ran");
    }
    for cell in ["tanh", "lstm", "gru"] {
        assert!(results.iter().any(|r| r.op == "rnn" && r.file.contains(cell)), "no {cell} rnn vectors ran");
    }
}
