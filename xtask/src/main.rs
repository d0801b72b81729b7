//! Project automation, `cargo xtask <command>` (matklad's cargo-xtask pattern): every task is Rust,
//! and every task installs what it needs first, so a fresh machine needs only cargo.
//!
//! - `serve [--port N]`: build the site (release) and serve it on 127.0.0.1.
//! - `test`: every test: native (GPU on Mesa lavapipe), wasm-bindgen-test in headless Chromium with
//!   WebGPU, and the Playwright journeys against the release build.
//! - `dist`: the static site in `dist/`, for any static host.
//! - `conformance [DIR]`: every reference vector in DIR on the CPU and the native GPU.
//! - `python [SPEC…]`: runs the generated Keras and PyTorch code against the engine (`python.rs`).
//! - `bench [--quick]`: our engine against TensorFlow.js and ConvNetJS in headless Chromium, plus
//!   native figures; writes `target/bench/report.{md,json}` (see `bench.rs`).
//! - `gpu-report [--quick]`: conformance and `dl101 bench` on this machine's GPU through native
//!   wgpu (lavapipe where there is none), each kernel set forced; writes
//!   `target/gpu-report/report.md` (see `gpu_report.rs`).
//! - `soak [--minutes N]`: the playground at full speed for N minutes (10) on the default network
//!   and the digits CNN; memory, GPU buffers and frame rate must hold (see `soak.rs`).

mod bench;
mod cmd;
mod csp;
mod fuzz;
mod gpu_report;
mod python;
mod serve;
mod soak;
mod test;
mod tools;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::serve(rest),
        Some("test") => test::test(rest),
        Some("dist") => tools::ensure_web().and_then(|()| tools::build_site()),
        Some("conformance") => conformance(rest),
        Some("fuzz") => fuzz::fuzz(rest),
        Some("python") => python::python(rest),
        Some("bench") => bench::bench(rest),
        Some("gpu-report") => gpu_report::gpu_report(rest),
        Some("soak") => soak::soak(rest),
        _ => {
            eprintln!("usage: cargo xtask <serve [--port N] | test | dist | conformance [DIR] | fuzz [RUNS] | bench [--quick] | gpu-report [--quick] | soak [--minutes N] | python [SPEC…]>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the vector files of a folder on every backend through the `dl101` runner.
fn conformance(args: &[String]) -> Result<(), String> {
    tools::ensure_native()?;
    let root = cmd::root();
    let default = root.join("../shared/conformance/vectors");
    let dir = args.first().map(std::path::PathBuf::from).unwrap_or(default);
    let dir = dir.to_string_lossy().into_owned();
    cmd::run(
        cmd::cargo()
            .args(["run", "--quiet", "--release", "-p", "cli", "--", "conformance", &dir])
            .args(["--backend", "both"]),
    )
}
