//! `dl101`: the engine from the command line.
//!
//! - `dl101 conformance [DIR] [--backend cpu|gpu|both]` runs every vector file in `DIR`
//!   (default: `$DL101_VECTORS`, else the workspace's `conformance/vectors`) on the chosen backends, prints one line per file and backend,
//!   then `N passed, N failed`, and exits non-zero on any failure.
//! - `dl101 train <spec.json> [--epochs N] [--backend cpu|gpu]` trains a model spec and prints its
//!   loss curve, one line per epoch.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use engine::backend::Backend;
use engine::backend::cpu::CpuBackend;
use engine::conformance::{self, CaseResult};
use engine::spec::ModelSpec;
use engine::train::Trainer;

const USAGE: &str = "usage:
  dl101 conformance [DIR] [--backend cpu|gpu|both]
  dl101 train <spec.json> [--epochs N] [--backend cpu|gpu]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("conformance") => conformance_cmd(&args[1..]),
        Some("train") => train_cmd(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(msg) => {
            eprintln!("dl101: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Which backends a command runs on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Cpu,
    Gpu,
    Both,
}

/// Positional arguments and `(name, value)` options.
type Parsed = (Vec<String>, Vec<(String, String)>);

/// Splits `--flag value` options from positional arguments.
fn parse(args: &[String], flags: &[&str]) -> Result<Parsed, String> {
    let mut pos = Vec::new();
    let mut opts = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(name) = a.strip_prefix("--") {
            if !flags.contains(&name) {
                return Err(format!("unknown option --{name}\n{USAGE}"));
            }
            let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            opts.push((name.to_string(), v.clone()));
        } else {
            pos.push(a.clone());
        }
    }
    Ok((pos, opts))
}

fn backend_opt(opts: &[(String, String)]) -> Result<Which, String> {
    match opts.iter().rev().find(|(k, _)| k == "backend").map(|(_, v)| v.as_str()) {
        None | Some("cpu") => Ok(Which::Cpu),
        Some("gpu") => Ok(Which::Gpu),
        Some("both") => Ok(Which::Both),
        Some(other) => Err(format!("--backend must be cpu, gpu or both, not `{other}`")),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn gpu_backend() -> Result<engine::backend::gpu::GpuBackend, String> {
    pollster::block_on(engine::backend::gpu::GpuBackend::acquire()).map_err(|e| e.to_string())
}

fn conformance_cmd(args: &[String]) -> Result<bool, String> {
    let (pos, opts) = parse(args, &["backend"])?;
    if pos.len() > 1 {
        return Err(USAGE.to_string());
    }
    let dir = match pos.first() {
        Some(d) => PathBuf::from(d),
        None => engine::testing::vectors_dir()
            .ok_or("no DIR given, and no conformance/vectors folder found (or set DL101_VECTORS)")?,
    };
    let which = backend_opt(&opts)?;
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut tally = |tag: &str, results: Vec<CaseResult>| {
        for r in results {
            let status = if r.passed { "PASS" } else { "FAIL" };
            println!("{status} {tag:<3} {:<44} {:<10} {}", r.file, r.op, r.message);
            if r.passed {
                passed += 1;
            } else {
                failed += 1;
            }
        }
    };
    if which != Which::Gpu {
        tally("cpu", run(&dir, &mut CpuBackend::new())?);
    }
    if which != Which::Cpu {
        match gpu_backend() {
            Ok(mut gpu) => {
                eprintln!("gpu: {}", gpu.describe());
                tally("gpu", run(&dir, &mut gpu)?);
            }
            Err(e) => {
                // No device is a failure of every GPU case, not a silent skip.
                eprintln!("gpu: {e}");
                let n = conformance::load_dir(&dir).map_err(|e| e.to_string())?.len();
                for _ in 0..n {
                    failed += 1;
                }
                println!("FAIL gpu {n} files not run: {e}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

fn run<B: Backend>(dir: &Path, backend: &mut B) -> Result<Vec<CaseResult>, String> {
    conformance::run_dir_blocking(dir, backend).map_err(|e| e.to_string())
}

fn train_cmd(args: &[String]) -> Result<bool, String> {
    let (pos, opts) = parse(args, &["epochs", "backend"])?;
    let [path] = pos.as_slice() else { return Err(USAGE.to_string()) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let spec = ModelSpec::from_json(&text).map_err(|e| e.to_string())?;
    let epochs: u32 = match opts.iter().rev().find(|(k, _)| k == "epochs") {
        Some((_, v)) => v.parse().map_err(|_| format!("--epochs must be a whole number, not `{v}`"))?,
        None => 100,
    };
    match backend_opt(&opts)? {
        Which::Cpu => train(CpuBackend::new(), &spec, epochs),
        Which::Gpu => train(gpu_backend()?, &spec, epochs),
        Which::Both => Err("train runs on one backend: --backend cpu or gpu".into()),
    }
}

fn train<B: Backend>(backend: B, spec: &ModelSpec, epochs: u32) -> Result<bool, String> {
    let started = std::time::Instant::now();
    let mut t = Trainer::new(backend, spec).map_err(|e| e.to_string())?;
    println!("# {} · {} parameters · {}", t.backend().describe(), t.parameter_count(), spec.to_json());
    println!("{:>6} {:>8} {:>11} {:>11} {:>9} {:>9}", "epoch", "step", "train_loss", "test_loss", "train_acc", "test_acc");
    let pct = |a: Option<f32>| a.map_or("-".to_string(), |a| format!("{:.1}%", a * 100.0));
    for _ in 0..epochs {
        t.step_epochs(1).map_err(|e| e.to_string())?;
        let m = pollster::block_on(t.metrics()).map_err(|e| e.to_string())?;
        println!(
            "{:>6} {:>8} {:>11.5} {:>11.5} {:>9} {:>9}",
            m.epoch,
            m.step,
            m.train_loss,
            m.test_loss,
            pct(m.train_accuracy),
            pct(m.test_accuracy)
        );
        if m.diverged() {
            println!("# training diverged (loss is not finite): try a smaller learning rate");
            return Ok(false);
        }
    }
    println!("# {:.2} s", started.elapsed().as_secs_f64());
    Ok(true)
}
