//! The python suite: runs the Keras and PyTorch code the engine generates (`tests/python/check.py`)
//! and checks parameter counts and outputs against the engine.
//!
//! It needs a virtual environment with pinned packages from PyPI (numpy, keras with JAX on the
//! CPU, torch). PyPI's only Linux torch is the CUDA build: with its NVIDIA libraries it is about
//! 3 GB to download and 6 GB installed, ~2 minutes on these machines; it runs on the CPU. The
//! environment lives in `target/py` (or `$DL101_PY_VENV`) and pip is skipped while its stamp
//! matches [`REQUIREMENTS`]. Nothing here skips: a missing Python, a failed install or a failed
//! check is a failure of the suite.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::cmd;

/// What the checks import, pinned (the newest that install on Python 3.11).
pub const REQUIREMENTS: &[&str] = &["numpy==2.4.6", "keras==3.15.1", "jax[cpu]==0.10.2", "torch==2.15.0"];

/// The virtual environment.
fn venv() -> PathBuf {
    std::env::var_os("DL101_PY_VENV").map(PathBuf::from).unwrap_or_else(|| cmd::root().join("target/py"))
}

/// Cargo's target folder (where `dl101` is built).
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => cmd::root().join(d),
        None => cmd::root().join("target"),
    }
}

/// Creates the environment and installs [`REQUIREMENTS`] unless its stamp says they are there.
/// Returns its python.
pub fn ensure_venv() -> Result<PathBuf, String> {
    let dir = venv();
    let python = dir.join("bin/python");
    let stamp = dir.join("dl101-requirements.txt");
    let want = REQUIREMENTS.join("\n") + "\n";
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
        return Ok(python);
    }
    let started = Instant::now();
    println!("xtask: creating the python environment {} ({})", dir.display(), REQUIREMENTS.join(" "));
    if !python.is_file() {
        cmd::run(cmd::new("python3").args(["-m", "venv"]).arg(&dir))?;
    }
    let mut pip = Command::new(&python);
    pip.current_dir(cmd::root()).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]).args(REQUIREMENTS);
    cmd::run(&mut pip)?;
    std::fs::write(&stamp, want).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    println!("xtask: python environment ready in {:.0} s", started.elapsed().as_secs_f64());
    Ok(python)
}

/// Prepares everything and returns the command that runs the checks: `check.py` with the
/// environment's python and a freshly built `dl101`.
fn prepare(specs: &[String]) -> Result<Command, String> {
    let python = ensure_venv()?;
    cmd::run(cmd::cargo().args(["build", "--quiet", "-p", "cli"]))?;
    let dl101 = target_dir().join("debug/dl101");
    let mut c = Command::new(python);
    c.current_dir(cmd::root())
        .arg("tests/python/check.py")
        .arg(dl101)
        .arg(target_dir().join("py-check"))
        .args(specs)
        .env("PYTHONUNBUFFERED", "1");
    Ok(c)
}

/// The suite's command for `cargo xtask test`. When the preparation fails, a command that
/// prints why and fails, so the suite counts as failed.
pub fn command() -> Command {
    prepare(&[]).unwrap_or_else(|e| {
        let mut c = Command::new("sh");
        c.args(["-c", "printf 'python suite: %s\\n' \"$1\" >&2; exit 1", "sh", &e]);
        c
    })
}

/// `cargo xtask python [SPEC ...]`: the suite alone (optionally only the named specs of
/// `tests/python/specs/`).
pub fn python(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let result = cmd::run(&mut prepare(args)?);
    println!("xtask: python suite took {:.0} s", started.elapsed().as_secs_f64());
    result
}
