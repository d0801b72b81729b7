//! The `dl101` binary: output format and exit codes.

use std::path::PathBuf;
use std::process::Command;

fn dl101(args: &[&str]) -> (i32, String, String) {
    run(Command::new(env!("CARGO_BIN_EXE_dl101")).args(args))
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// The reference vectors vendored in the repository.
fn vendored() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/vectors")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dl101-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A folder holding copies of some of the shared vectors.
fn vectors(name: &str, files: &[&str]) -> PathBuf {
    let src = vendored();
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
    // Every op of the vendored vectors is implemented now, so the unsupported one is made up.
    let dir = vectors("fail", &["dense_4x3_to_5.json", "loss_mse.json"]);
    let text = std::fs::read_to_string(dir.join("loss_mse.json")).unwrap();
    assert!(text.contains("\"op\": \"loss\""));
    std::fs::write(dir.join("zz_made_up_op.json"), text.replace("\"op\": \"loss\"", "\"op\": \"made_up_op\"")).unwrap();
    std::fs::remove_file(dir.join("loss_mse.json")).unwrap();
    let (code, out, _) = dl101(&["conformance", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL cpu zz_made_up_op.json"), "{out}");
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

#[test]
fn conformance_defaults_to_the_vendored_vectors() {
    let files = std::fs::read_dir(vendored()).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "json")).count();
    assert!(files > 10, "{files}");
    // From another folder, with no DL101_VECTORS: the vendored copy, whatever /work/shared holds.
    let elsewhere = temp_dir("default-dir");
    let (code, out, err) =
        run(Command::new(env!("CARGO_BIN_EXE_dl101")).args(["conformance", "--backend", "cpu"]).env_remove("DL101_VECTORS").current_dir(&elsewhere));
    assert!(code == 0 || code == 1, "{code}: {err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("PASS cpu") || l.starts_with("FAIL cpu")).count(), files, "{out}");
    // DL101_VECTORS comes first.
    let one = vectors("env", &["loss_mse.json"]);
    let (code, out, _) =
        run(Command::new(env!("CARGO_BIN_EXE_dl101")).args(["conformance", "--backend", "cpu"]).env("DL101_VECTORS", &one));
    assert_eq!((code, out.lines().last()), (0, Some("1 passed, 0 failed")), "{out}");
}

fn curve_rows(out: &str) -> Vec<&str> {
    out.lines().filter(|l| !l.starts_with('#') && !l.trim_start().starts_with("epoch")).collect()
}

#[test]
fn train_takes_a_share_link() {
    let link = "https://dl101.example/#v=1&data=xor&points=200&noise=0&train=50&features=x1,x2,x1x2&layers=4:relu&loss=sigmoid_bce&opt=adam&lr=0.03&batch=10&reg=none&seed=3&init=he_normal";
    let (code, out, err) = dl101(&["train", link, "--epochs", "2"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("# link:"), "a clean link has no problems: {out}");
    assert!(out.contains("# share link: v=1&data=xor"), "{out}");
    assert!(out.contains("\"loss\":\"sigmoid_bce\""), "the spec trained is the link's: {out}");
    assert_eq!(curve_rows(&out).len(), 2, "{out}");
}

#[test]
fn train_takes_a_tf_playground_link_and_a_broken_link() {
    let tf = "https://playground.tensorflow.org/#activation=relu&batchSize=10&dataset=xor&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4&seed=0.26916&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false";
    let (code, out, err) = dl101(&["train", tf, "--epochs", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("# TensorFlow Playground link: v=1&data=xor"), "{out}");
    assert!(out.contains("# note: seed:") && !out.contains("# link:"), "the seed is a note, not a problem: {out}");
    assert_eq!(curve_rows(&out).len(), 1, "{out}");
    // A broken link trains the nearest valid experiment and says what changed.
    let (code, out, err) = dl101(&["train", "v=1&lr=NaN&layers=8:gelu", "--epochs", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("# link: lr: `NaN` is not a number"), "{out}");
    assert!(out.contains("# link: layers[0]: activation `gelu`"), "{out}");
    assert!(out.contains("# missing, default used: data: circle"), "{out}");
    assert_eq!(curve_rows(&out).len(), 1, "{out}");
    // A missing file without `=` is still a file error.
    let (code, _, err) = dl101(&["train", "/no/such/spec.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn adapter_prints_the_gpu_and_its_kernel_set_as_json() {
    let (code, out, err) = dl101(&["adapter"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(!v["name"].as_str().unwrap_or_default().is_empty(), "{out}");
    let software = v["is_software"].as_bool().expect("is_software");
    assert_eq!(v["kernels"], if software { "software" } else { "hardware" }, "{out}");
}

#[test]
fn gpu_conformance_runs_with_each_kernel_set_forced() {
    let dir = vectors("kernels", &["dense_33x70_to_65.json", "conv2d_5x5_s2_p2.json", "conv2d_multichannel_3x3_s1_p0.json"]);
    let (code, out, err) = dl101(&["conformance", dir.to_str().unwrap(), "--backend", "gpu", "--kernels", "both"]);
    assert_eq!(code, 0, "{out}{err}");
    for set in ["software", "hardware"] {
        assert_eq!(out.lines().filter(|l| l.starts_with(&format!("PASS gpu/{set} "))).count(), 3, "{out}");
    }
    assert_eq!(out.lines().last(), Some("6 passed, 0 failed"));
    let (code, _, err) = dl101(&["conformance", dir.to_str().unwrap(), "--kernels", "fast"]);
    assert_eq!(code, 2);
    assert!(err.contains("--kernels must be auto, software, hardware or both"), "{err}");
}

#[test]
fn bench_refuses_bad_gemm_sizes_and_kernel_sets() {
    for (args, says) in [
        (&["bench", "--gemm", "256,x"][..], "--gemm takes sides"),
        (&["bench", "--gemm", "0"][..], "--gemm takes sides"),
        (&["bench", "--kernels", "turbo"][..], "--kernels must be"),
    ] {
        let (code, _, err) = dl101(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
