//! `cargo xtask fuzz [RUNS]`: fuzzes the share-link decoder (`fuzz/fuzz_targets/decode.rs`) with
//! cargo-fuzz (libFuzzer) for RUNS inputs (default 1,000,000), then prints how many inputs ran and
//! how many crashed.
//!
//! cargo-fuzz needs nightly compiler flags; on a stable toolchain they are allowed with
//! `RUSTC_BOOTSTRAP=1`, which this sets. The fuzz crate is its own workspace (`fuzz/Cargo.toml`),
//! built into `fuzz/target`. The corpus grows in `fuzz/corpus/decode` (not committed), seeded
//! from `fuzz/seeds/decode` (committed) with the dictionary `fuzz/decode.dict`; a crashing input
//! is written to `fuzz/artifacts/decode/` and can be replayed with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run decode <file>`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::SystemTime;

use crate::cmd;

const TARGET: &str = "decode";
const DEFAULT_RUNS: u64 = 1_000_000;

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let runs = match args {
        [] => DEFAULT_RUNS,
        [n] => n.replace('_', "").parse().map_err(|_| format!("usage: cargo xtask fuzz [RUNS]; `{n}` is not a whole number"))?,
        _ => return Err("usage: cargo xtask fuzz [RUNS]".into()),
    };
    ensure_cargo_fuzz()?;
    let root = cmd::root();
    let corpus = root.join("fuzz/corpus").join(TARGET);
    let artifacts = root.join("fuzz/artifacts").join(TARGET);
    for d in [&corpus, &artifacts] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let started = SystemTime::now();

    let mut c = cmd::cargo();
    c.env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", TARGET, "--target-dir", "fuzz/target"])
        .arg(format!("fuzz/corpus/{TARGET}"))
        .arg(format!("fuzz/seeds/{TARGET}"))
        .arg("--")
        .arg(format!("-runs={runs}"))
        .arg("-dict=fuzz/decode.dict")
        .arg("-max_len=8192")
        .arg("-print_final_stats=1")
        .stderr(Stdio::piped());
    eprintln!("xtask: RUSTC_BOOTSTRAP=1 {c:?}");
    let mut child = c.spawn().map_err(|e| format!("cannot start cargo fuzz: {e}"))?;

    // libFuzzer reports on stderr: show its progress lines (not every new corpus entry) and
    // keep the figures.
    let mut executed: Option<u64> = None;
    let mut crash_lines = Vec::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let noisy = line.starts_with('#') && (line.contains("\tNEW ") || line.contains("\tREDUCE "));
            if !noisy {
                eprintln!("{line}");
            }
            if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                executed = n.trim().parse().ok();
            } else if let Some(rest) = line.strip_prefix("Done ")
                && executed.is_none()
            {
                executed = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            }
            if line.contains("panicked at") || line.contains("==ERROR:") || line.contains("deadly signal") {
                crash_lines.push(line);
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cargo fuzz: {e}"))?;

    let new_crashes: Vec<String> = std::fs::read_dir(&artifacts)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let fresh = e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t >= started);
                    fresh && ["crash-", "leak-", "timeout-", "oom-", "slow-unit-"].iter().any(|p| name.starts_with(p))
                })
                .map(|e| e.path().display().to_string())
                .collect()
        })
        .unwrap_or_default();
    let crashes = new_crashes.len().max(usize::from(!crash_lines.is_empty()));
    let executed = executed.map_or("an unknown number of".to_string(), |n| n.to_string());
    println!("fuzz {TARGET}: {executed} inputs run, {crashes} crashes");
    for f in &new_crashes {
        println!("  crashing input: {f}  (replay: RUSTC_BOOTSTRAP=1 cargo fuzz run {TARGET} {f})");
    }
    if crashes > 0 {
        return Err(format!("{crashes} crashing inputs"));
    }
    if !status.success() {
        return Err(format!("cargo fuzz failed ({status})"));
    }
    Ok(())
}

/// Installs cargo-fuzz when `cargo fuzz` is not there.
fn ensure_cargo_fuzz() -> Result<(), String> {
    if cmd::output(cmd::cargo().args(["fuzz", "--version"])).is_some() {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz");
    cmd::run(cmd::cargo().args(["install", "cargo-fuzz"]))
}
