//! Every conformance vector passes on the CPU backend (dense, activations, losses, optimizers,
//! conv2d, pools and recurrent layers).

use engine::backend::cpu::CpuBackend;

engine::conformance_tests!(CpuBackend::new);

#[test]
fn every_vector_passes_on_the_cpu() {
    let dir = engine::testing::vectors_dir().expect("conformance vectors");
    let results = engine::conformance::run_dir_blocking(&dir, &mut CpuBackend::new()).unwrap();
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).map(|r| format!("{}: {}", r.file, r.message)).collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    for op in ["conv2d", "maxpool2d", "avgpool2d", "rnn"] {
        assert!(results.iter().any(|r| r.op == op), "the vector folder has {op} cases");
    }
    assert!(results.len() >= 42, "{} cases", results.len());
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

#[test]
fn malformed_vector_files_are_errors() {
    use engine::conformance::Case;
    assert!(Case::from_json("{").is_err());
    let huge = r#"{"name":"x","op":"dense","inputs":{"x":{"shape":[18446744073709551615,2],"data":[]}},"outputs":{},"tolerance":{"rtol":0,"atol":0}}"#;
    assert!(Case::from_json(huge).is_err());
    let short = r#"{"name":"x","op":"dense","inputs":{"x":{"shape":[2,2],"data":[1,2,3]}},"outputs":{},"tolerance":{"rtol":0,"atol":0}}"#;
    assert!(Case::from_json(short).is_err());
    // A case whose shapes do not fit fails instead of panicking.
    let bad = r#"{"name":"x","op":"dense","inputs":{"x":{"shape":[2,3],"data":[1,2,3,4,5,6]},
        "weight":{"shape":[2,2],"data":[1,2,3,4]},"bias":{"shape":[2],"data":[0,0]}},
        "outputs":{"y":{"shape":[2,2],"data":[0,0,0,0]}},"tolerance":{"rtol":0,"atol":0}}"#;
    let case = Case::from_json(bad).unwrap();
    let r = engine::testing::block_on(engine::conformance::run_case(&mut CpuBackend::new(), &case, "bad"));
    assert!(!r.passed);
}
