//! Every conformance vector of the implemented ops passes on the CPU backend; the others are
//! reported as failures, not skipped.

use engine::backend::cpu::CpuBackend;

engine::conformance_tests!(CpuBackend::new);

#[test]
fn unimplemented_ops_are_reported_as_failures() {
    let dir = engine::testing::vectors_dir().expect("conformance vectors");
    let results = engine::conformance::run_dir_blocking(&dir, &mut CpuBackend::new()).unwrap();
    let conv: Vec<_> = results.iter().filter(|r| r.op == "conv2d").collect();
    assert!(!conv.is_empty(), "the vector folder has conv2d cases");
    for r in conv {
        assert!(!r.passed);
        assert!(r.message.contains("not supported"), "{}", r.message);
    }
}

#[test]
fn a_wrong_expected_value_fails_the_case() {
    // The runner must actually compare: corrupt one expected value of a real vector.
    let dir = engine::testing::vectors_dir().expect("conformance vectors");
    let text = std::fs::read_to_string(dir.join("dense_4x3_to_5.json")).unwrap();
    let mut case = engine::conformance::Case::from_json(&text).unwrap();
    let ok = engine::testing::block_on(engine::conformance::run_case(&mut CpuBackend::new(), &case, "dense"));
    assert!(ok.passed, "{}", ok.message);
    case.grads.get_mut("weight").unwrap().data[3] += 0.01;
    let bad = engine::testing::block_on(engine::conformance::run_case(&mut CpuBackend::new(), &case, "dense"));
    assert!(!bad.passed);
    assert!(bad.message.contains("weight"), "{}", bad.message);
}
