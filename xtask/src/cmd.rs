//! Running commands: the project root, PATH with the project's tools first, and errors that say
//! which command failed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the folder above `xtask/`). `cargo run` sets CARGO_MANIFEST_DIR at run
/// time too; that one wins, so a binary built from another checkout never works on the wrong tree.
pub fn root() -> PathBuf {
    let xtask = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()));
    xtask.parent().map(Path::to_path_buf).unwrap_or(xtask)
}

/// `~/.cargo/bin`, where `cargo install` puts trunk and wasm-bindgen.
pub fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin")
}

/// PATH with npm's tools (wasm-opt 132 from binaryen) and cargo's bin first, so that Debian's
/// older wasm-opt in /usr/bin is never picked.
pub fn path_env() -> std::ffi::OsString {
    let mut parts = vec![root().join("node_modules/.bin"), cargo_bin()];
    parts.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(parts).unwrap_or_default()
}

/// A command with the project's PATH, run from the root.
pub fn new(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", path_env());
    c
}

/// `cargo`, the same one that runs xtask.
pub fn cargo() -> Command {
    new(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs a command to completion; an error names it.
pub fn run(c: &mut Command) -> Result<(), String> {
    let status = c.status().map_err(|e| format!("cannot start {c:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{c:?} failed ({status})")) }
}

/// Runs a command and returns its standard output, or None if it cannot start or fails.
pub fn output(c: &mut Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
