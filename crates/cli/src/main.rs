//! `dl101`: the engine from the command line.
//!
//! - `dl101 adapter` prints the GPU adapter wgpu finds, as JSON (name, backend, whether it is a
//!   software one, the kernel set it gets), or fails saying why there is none.
//! - `dl101 conformance [DIR] [--backend cpu|gpu|both] [--kernels auto|software|hardware|both]` runs every vector file in `DIR`
//!   (default: `$DL101_VECTORS`, else the copy vendored in the repository at
//!   `crates/engine/tests/vectors`) on the chosen backends, prints one line per file and backend,
//!   then `N passed, N failed`, and exits non-zero on any failure. The GPU runs with the adapter's
//!   kernel set, or with each set forced.
//! - `dl101 train <spec.json | share link> [--epochs N] [--backend cpu|gpu]` trains a model spec
//!   and prints its loss curve, one line per epoch. The spec is a JSON file, or a share link: a
//!   whole URL, a `#fragment` or a bare fragment, in this playground's format or TensorFlow
//!   Playground's (anything containing `=` that is not a file). A link's problems are printed as
//!   `# link: ...` lines and the nearest valid experiment is trained.
//! - `dl101 export <spec | link | model.json> [--epochs N] [--out model.json] [--keras F.py] [--pytorch F.py]`
//!   writes a model file (spec and weights) and equivalent Keras and PyTorch code (`export.rs`).
//! - `dl101 bench [--quick] [--repeats N] [--backend cpu|gpu|both] [--kernels ...] [--gemm N,...] [--json FILE]`
//!   times the workloads of issue #6 (W1-W4 training, W5 GEMM) natively on the CPU and the GPU (`bench.rs`).

mod bench;
mod export;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use engine::backend::Backend;
use engine::backend::cpu::CpuBackend;
use engine::backend::gpu::KernelSet;
use engine::conformance::{self, CaseResult};
use engine::share;
use engine::spec::ModelSpec;
use engine::train::Trainer;

const USAGE: &str = "usage:
  dl101 adapter
  dl101 conformance [DIR] [--backend cpu|gpu|both] [--kernels auto|software|hardware|both]
  dl101 train <spec.json | share link> [--epochs N] [--backend cpu|gpu]
  dl101 bench [--quick] [--repeats N] [--backend cpu|gpu|both] [--kernels auto|software|hardware|both] [--gemm N,N,...] [--json FILE]
  dl101 export <spec.json | share link | model.json> [--epochs N] [--steps N] [--out model.json] [--keras FILE.py] [--pytorch FILE.py] [--check FILE.json]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("adapter") => adapter_cmd(&args[1..]),
        Some("conformance") => conformance_cmd(&args[1..]),
        Some("train") => train_cmd(&args[1..]),
        Some("bench") => bench::bench_cmd(&args[1..]),
        Some("export") => export::export_cmd(&args[1..]),
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

fn adapter_cmd(args: &[String]) -> Result<bool, String> {
    if !args.is_empty() {
        return Err(USAGE.to_string());
    }
    let gpu = gpu_backend()?;
    let a = gpu.adapter();
    let info = serde_json::json!({
        "name": a.name,
        "backend": a.backend,
        "is_software": a.is_software,
        "subgroups": a.subgroups,
        "kernels": gpu.kernels().name(),
    });
    println!("{info}");
    Ok(true)
}

/// The GPU kernel sets a command runs with: `None` for the adapter's own.
fn kernels_opt(opts: &[(String, String)]) -> Result<Vec<Option<KernelSet>>, String> {
    match opts.iter().rev().find(|(k, _)| k == "kernels").map(|(_, v)| v.as_str()) {
        None | Some("auto") => Ok(vec![None]),
        Some("both") => Ok(KernelSet::ALL.into_iter().map(Some).collect()),
        Some(name) => KernelSet::parse(name).map(|k| vec![Some(k)]).ok_or_else(|| format!("--kernels must be auto, software, hardware or both, not `{name}`")),
    }
}

fn conformance_cmd(args: &[String]) -> Result<bool, String> {
    let (pos, opts) = parse(args, &["backend", "kernels"])?;
    let kernel_sets = kernels_opt(&opts)?;
    if pos.len() > 1 {
        return Err(USAGE.to_string());
    }
    let dir = match pos.first() {
        Some(d) => PathBuf::from(d),
        None => default_vectors_dir().ok_or_else(|| {
            format!("no DIR given, DL101_VECTORS is not set, and the vendored vectors ({VENDORED_VECTORS}) are not there")
        })?,
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
                for k in kernel_sets {
                    if let Some(k) = k {
                        gpu.set_kernels(k);
                    }
                    let tag = format!("gpu/{}", gpu.kernels());
                    tally(&tag, run(&dir, &mut gpu)?);
                }
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

/// The reference vectors vendored in the repository (a copy of the shared conformance folder).
const VENDORED_VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/vectors");

/// `$DL101_VECTORS`, else the vendored copy (found from the source tree this binary was built
/// from, or from the current folder when that is the repository root).
fn default_vectors_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DL101_VECTORS") {
        return Some(PathBuf::from(d));
    }
    [PathBuf::from(VENDORED_VECTORS), PathBuf::from("crates/engine/tests/vectors")].into_iter().find(|p| p.is_dir())
}

fn run<B: Backend>(dir: &Path, backend: &mut B) -> Result<Vec<CaseResult>, String> {
    conformance::run_dir_blocking(dir, backend).map_err(|e| e.to_string())
}

fn train_cmd(args: &[String]) -> Result<bool, String> {
    let (pos, opts) = parse(args, &["epochs", "backend"])?;
    let [source] = pos.as_slice() else { return Err(USAGE.to_string()) };
    let spec = load_spec(source)?;
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

/// A spec from a JSON file, or from a share link (this playground's or TensorFlow Playground's):
/// anything containing `=` that is not a file. A link never fails: its problems are printed and
/// the nearest valid experiment is used.
fn load_spec(source: &str) -> Result<ModelSpec, String> {
    let path = Path::new(source);
    if !path.is_file() && source.contains('=') {
        let d = share::decode(source);
        let from = match d.source {
            share::Source::TfPlayground => "TensorFlow Playground link",
            _ => "share link",
        };
        for p in &d.problems {
            println!("# link: {p}");
        }
        for m in &d.missing {
            println!("# missing, default used: {m}");
        }
        for n in &d.notes {
            println!("# note: {n}");
        }
        println!("# {from}: {}", share::encode(&d.spec));
        return Ok(d.spec);
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {source}: {e}"))?;
    ModelSpec::from_json(&text).map_err(|e| e.to_string())
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
