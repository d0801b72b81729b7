//! The python suites: run the Keras and the PyTorch code the engine generates
//! (`tests/python/check.py`, one framework per run) and check parameter counts and outputs against
//! the engine.
//!
//! - Keras (with JAX on the CPU) comes from PyPI, pinned, in a virtual environment in `target/py`
//!   (or `$DL101_PY_VENV`); pip is skipped while its stamp matches [`REQUIREMENTS`] and keeps no
//!   wheel cache (about 700 MB installed).
//! - PyTorch is Debian's `python3-torch` (1.13, CPU only, about 150 MB to download) run by
//!   Debian's python. PyPI's only Linux torch is the CUDA build: 3 GB to download and 6 GB
//!   installed with its NVIDIA libraries, which filled a CI machine's disk. The generated code uses
//!   nothing newer than torch 1.13.
//!
//! Nothing here skips: a missing Python, a failed install or a failed check fails the suite.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::cmd;

/// What the Keras checks import, pinned (the newest that install on Python 3.11).
pub const REQUIREMENTS: &[&str] = &["numpy==2.4.6", "keras==3.15.1", "jax[cpu]==0.10.2"];

/// Debian's PyTorch and the python it is built for.
const TORCH_PACKAGE: &str = "python3-torch";
const DEBIAN_PYTHON: &str = "/usr/bin/python3";

/// The two frameworks the engine writes code for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Framework {
    Keras,
    PyTorch,
}

impl Framework {
    pub const ALL: [Framework; 2] = [Framework::Keras, Framework::PyTorch];

    /// `check.py`'s name for it.
    fn arg(self) -> &'static str {
        match self {
            Framework::Keras => "keras",
            Framework::PyTorch => "pytorch",
        }
    }

    /// The suite's name in `cargo xtask test`.
    pub fn suite_name(self) -> &'static str {
        match self {
            Framework::Keras => "python (generated Keras)",
            Framework::PyTorch => "python (generated PyTorch)",
        }
    }

    /// Installs what is missing and returns the python that runs this framework.
    fn ensure_python(self) -> Result<PathBuf, String> {
        match self {
            Framework::Keras => ensure_venv(),
            Framework::PyTorch => {
                crate::tools::ensure_apt_without_recommends(&[TORCH_PACKAGE])?;
                Ok(PathBuf::from(DEBIAN_PYTHON))
            }
        }
    }
}

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
    pip.current_dir(cmd::root())
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-cache-dir"])
        .args(REQUIREMENTS);
    cmd::run(&mut pip)?;
    std::fs::write(&stamp, want).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    println!("xtask: python environment ready in {:.0} s", started.elapsed().as_secs_f64());
    Ok(python)
}

/// Prepares everything and returns the command that runs one framework's checks: `check.py`
/// with that framework's python and a freshly built `dl101`.
fn prepare(framework: Framework, specs: &[String]) -> Result<Command, String> {
    let python = framework.ensure_python()?;
    cmd::run(cmd::cargo().args(["build", "--quiet", "-p", "cli"]))?;
    let dl101 = target_dir().join("debug/dl101");
    let mut c = Command::new(python);
    // -s: no user site-packages, so only the environment's own packages are imported.
    c.current_dir(cmd::root())
        .args(["-s", "tests/python/check.py", framework.arg()])
        .arg(dl101)
        .arg(target_dir().join("py-check"))
        .args(specs)
        .env("PYTHONUNBUFFERED", "1");
    Ok(c)
}

/// One suite's command for `cargo xtask test`. When the preparation fails, a command that
/// prints why and fails, so the suite counts as failed.
pub fn command(framework: Framework) -> Command {
    prepare(framework, &[]).unwrap_or_else(|e| {
        let mut c = Command::new("sh");
        c.args(["-c", "printf 'python suite: %s\\n' \"$1\" >&2; exit 1", "sh", &e]);
        c
    })
}

/// `cargo xtask python [SPEC ...]`: both suites alone (optionally only the named specs of
/// `tests/python/specs/`).
pub fn python(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let results: Vec<Result<(), String>> =
        Framework::ALL.iter().map(|&f| prepare(f, args).and_then(|mut c| cmd::run(&mut c))).collect();
    println!("xtask: python suites took {:.0} s", started.elapsed().as_secs_f64());
    results.into_iter().collect()
}
