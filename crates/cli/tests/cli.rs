//! The `dl101` binary: output format and exit codes.

use std::path::PathBuf;
use std::process::Command;

fn dl101(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dl101")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dl101-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A folder holding copies of some of the shared vectors.
fn vectors(name: &str, files: &[&str]) -> PathBuf {
    let src = engine::testing::vectors_dir().expect("conformance vectors");
    let dir = temp_dir(name);
    for f in files {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    dir
}

#[test]
fn conformance_passes_and_exits_zero() {
    let dir = vectors("pass", &["dense_4x3_to_5.json", "activation_prelu.json", "loss_mse.json", "optimizer_adam.json"]);
    let (code, out, _) = dl101(&["conformance", dir.to_str().unwrap(), "--backend", "cpu"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("PASS cpu")).count(), 4, "{out}");
    assert_eq!(out.lines().last(), Some("4 passed, 0 failed"));
}

#[test]
fn an_unsupported_op_fails_the_run() {
    let dir = vectors("fail", &["dense_4x3_to_5.json", "conv2d_1x1.json"]);
    let (code, out, _) = dl101(&["conformance", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL cpu conv2d_1x1.json"), "{out}");
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn train_prints_a_curve() {
    let dir = temp_dir("train");
    let spec = dir.join("spec.json");
    std::fs::write(&spec, engine::spec::ModelSpec::default().to_json()).unwrap();
    let (code, out, err) = dl101(&["train", spec.to_str().unwrap(), "--epochs", "3"]);
    assert_eq!(code, 0, "{out}{err}");
    let rows: Vec<&str> = out.lines().filter(|l| !l.starts_with('#') && !l.trim_start().starts_with("epoch")).collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[2].trim_start().starts_with('3'), "{out}");
}

#[test]
fn a_bad_spec_names_the_field_and_exits_two() {
    let dir = temp_dir("bad");
    let spec = dir.join("spec.json");
    let s = engine::spec::ModelSpec { batch_size: 0, ..Default::default() };
    std::fs::write(&spec, s.to_json()).unwrap();
    let (code, _, err) = dl101(&["train", spec.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("batch_size"), "{err}");
    let (code, _, _) = dl101(&["conformance", "--backend", "tpu"]);
    assert_eq!(code, 2);
}
