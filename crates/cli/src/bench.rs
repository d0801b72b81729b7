//! `dl101 bench [--quick] [--backend cpu|gpu|both] [--kernels auto|software|hardware|both]
//! [--gemm N,N,...] [--json FILE]`: the workloads of issue #6 (see the `bench` crate) trained
//! natively: W1-W4 on the CPU backend and on the GPU through wgpu (Mesa lavapipe where there is no
//! other GPU), and W5's square GEMMs (of the sides given, else `bench::GEMM_SIZES`). The GPU rows
//! run with the adapter's own kernel set, or with each set forced (`--kernels both`: where the
//! tiled kernels start to pay on this GPU). Each figure is the median of
//! several timed blocks after a warm-up; a block ends with a read-back, so GPU work is finished
//! inside it. Prints a table; `--json` also writes the rows for `cargo xtask bench`.

use std::time::{Duration, Instant};

use engine::backend::Backend;
use engine::backend::cpu::CpuBackend;
use engine::backend::gpu::{GpuBackend, KernelSet};
use engine::train::Trainer;

/// How long blocks last and how many are timed.
#[derive(Clone, Copy)]
struct Timing {
    block: Duration,
    repeats: usize,
}

/// One result row.
struct Row {
    workload: String,
    backend: String,
    /// The GPU's kernel set ("software" or "hardware"); empty for the CPU.
    kernels: String,
    device: String,
    steps_per_s: f64,
    samples_per_s: f64,
    gflops: Option<f64>,
}

const USAGE: &str = "usage: dl101 bench [--quick] [--repeats N] [--backend cpu|gpu|both] [--kernels auto|software|hardware|both] [--gemm N,N,...] [--json FILE]";

pub fn bench_cmd(args: &[String]) -> Result<bool, String> {
    let mut timing = Timing { block: Duration::from_millis(400), repeats: 5 };
    let (mut cpu, mut gpu) = (true, true);
    let mut json = None;
    let mut kernel_sets: Option<Vec<KernelSet>> = None;
    let mut gemm_sizes = bench::GEMM_SIZES.to_vec();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => timing = Timing { block: Duration::from_millis(150), repeats: 3 },
            "--repeats" => {
                let v = it.next().ok_or("--repeats needs a value")?;
                timing.repeats = v.parse().map_err(|_| format!("--repeats must be a whole number, not `{v}`"))?;
            }
            "--backend" => match it.next().map(String::as_str) {
                Some("cpu") => gpu = false,
                Some("gpu") => cpu = false,
                Some("both") => {}
                other => return Err(format!("--backend must be cpu, gpu or both, not {other:?}")),
            },
            "--json" => json = Some(it.next().ok_or("--json needs a file")?.clone()),
            "--kernels" => {
                kernel_sets = match it.next().map(String::as_str) {
                    Some("auto") => None,
                    Some("both") => Some(KernelSet::ALL.to_vec()),
                    Some(name) => Some(vec![KernelSet::parse(name).ok_or_else(|| format!("--kernels must be auto, software, hardware or both, not `{name}`"))?]),
                    None => return Err("--kernels needs a value".into()),
                }
            }
            "--gemm" => {
                let v = it.next().ok_or("--gemm needs sizes, such as 256,512,1024")?;
                gemm_sizes = v
                    .split(',')
                    .map(|n| n.trim().parse::<usize>().ok().filter(|&n| (1..=16_384).contains(&n)))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| format!("--gemm takes sides from 1 to 16384 separated by commas, not `{v}`"))?;
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let timing = Timing { repeats: timing.repeats.max(1), ..timing };

    let mut gpu_backend = if gpu {
        match pollster::block_on(GpuBackend::acquire()) {
            Ok(mut g) => {
                pollster::block_on(g.compile_all()).map_err(|e| e.to_string())?;
                Some(g)
            }
            Err(e) => return Err(format!("no GPU for the gpu rows: {e}")),
        }
    } else {
        None
    };
    let gpu_name = gpu_backend.as_ref().map(|g| g.adapter().to_string()).unwrap_or_default();
    let kernel_sets = kernel_sets.unwrap_or_else(|| gpu_backend.iter().map(GpuBackend::kernels).collect());
    let mut rows = Vec::new();
    for w in bench::WORKLOADS {
        if cpu {
            rows.push(train_row(w, CpuBackend::new(), ("cpu", ""), "native CPU", timing)?.0);
        }
        for &k in &kernel_sets {
            if let Some(mut g) = gpu_backend.take() {
                g.set_kernels(k);
                let (row, g) = train_row(w, g, ("gpu", k.name()), &gpu_name, timing)?;
                rows.push(row);
                gpu_backend = Some(g);
            }
        }
    }
    for &n in &gemm_sizes {
        if cpu {
            rows.push(gemm_row(n, CpuBackend::new(), ("cpu", ""), "native CPU", timing)?.0);
        }
        for &k in &kernel_sets {
            if let Some(mut g) = gpu_backend.take() {
                g.set_kernels(k);
                let (row, g) = gemm_row(n, g, ("gpu", k.name()), &gpu_name, timing)?;
                rows.push(row);
                gpu_backend = Some(g);
            }
        }
    }

    println!("{:<11} {:<4} {:<9} {:>14} {:>14} {:>10}  device", "workload", "be", "kernels", "steps/s", "samples/s", "GFLOP/s");
    for r in &rows {
        let gf = r.gflops.map_or("-".to_string(), |g| format!("{g:.2}"));
        println!("{:<11} {:<4} {:<9} {:>14.1} {:>14.1} {:>10}  {}", r.workload, r.backend, r.kernels, r.steps_per_s, r.samples_per_s, gf, r.device);
    }
    if let Some(path) = json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "workload": r.workload,
                    "engine": "dl101-native",
                    "backend": r.backend,
                    "kernels": r.kernels,
                    "device": r.device,
                    "steps_per_s": r.steps_per_s,
                    "samples_per_s": r.samples_per_s,
                    "gflops": r.gflops,
                })
            })
            .collect();
        std::fs::write(&path, serde_json::Value::Array(list).to_string()).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(true)
}

/// Times `block(n)` (n units of work): a warm-up, a calibration that sizes blocks to about
/// `timing.block`, then the median rate of `timing.repeats` blocks, in units per second.
fn measure(timing: Timing, mut block: impl FnMut(u32) -> Result<(), String>) -> Result<f64, String> {
    let time = |block: &mut dyn FnMut(u32) -> Result<(), String>, n: u32| -> Result<f64, String> {
        let t = Instant::now();
        block(n)?;
        Ok(t.elapsed().as_secs_f64())
    };
    let warm = time(&mut block, 1)?;
    let target = timing.block.as_secs_f64();
    if warm >= 2.0 * target {
        // One unit already outlasts a block (big GEMMs on a software GPU): time single units,
        // at most 3, to keep the run short.
        let mut rates = Vec::new();
        for _ in 0..timing.repeats.min(3) {
            rates.push(1.0 / time(&mut block, 1)?);
        }
        rates.sort_by(f64::total_cmp);
        return Ok(rates[rates.len() / 2]);
    }
    let mut n = 1u32;
    loop {
        let t = time(&mut block, n)?;
        if t >= target / 3.0 || n >= 1 << 22 {
            n = ((n as f64 * target / t.max(1e-6)).ceil() as u32).clamp(1, 1 << 24);
            break;
        }
        n = n.saturating_mul(((target / 3.0 / t.max(1e-6)).ceil() as u32).clamp(2, 64));
    }
    let mut rates = Vec::with_capacity(timing.repeats);
    for _ in 0..timing.repeats {
        rates.push(n as f64 / time(&mut block, n)?);
    }
    rates.sort_by(f64::total_cmp);
    Ok(rates[rates.len() / 2])
}

/// `(tag, kernels)`: the backend's tag and, for the GPU, its kernel set.
fn train_row<B: Backend>(w: &str, backend: B, (tag, kernels): (&str, &str), device: &str, timing: Timing) -> Result<(Row, B), String> {
    let spec = bench::spec(w).ok_or_else(|| format!("unknown workload {w}"))?;
    let set = bench::train_set(&spec).map_err(|e| e.to_string())?;
    // Samples per step, averaged over an epoch (its last batch may be short).
    let per_step = set.n as f64 / set.n.div_ceil(spec.batch_size as usize) as f64;
    let mut t = Trainer::new(backend, &spec).map_err(|e| e.to_string())?;
    let steps = measure(timing, |n| pollster::block_on(bench::train_block(&mut t, n)).map_err(|e| e.to_string()))?;
    eprintln!("{w} {tag} {kernels}: {steps:.1} steps/s");
    let row = Row {
        workload: w.into(),
        backend: tag.into(),
        kernels: kernels.into(),
        device: device.into(),
        steps_per_s: steps,
        samples_per_s: steps * per_step,
        gflops: None,
    };
    Ok((row, t.into_backend()))
}

fn gemm_row<B: Backend>(n: usize, backend: B, (tag, kernels): (&str, &str), device: &str, timing: Timing) -> Result<(Row, B), String> {
    let mut g = bench::GemmBench::new(backend, n).map_err(|e| e.to_string())?;
    let per_s = measure(timing, |reps| pollster::block_on(g.block(reps)).map_err(|e| e.to_string()))?;
    let gflops = per_s * g.flops() / 1e9;
    eprintln!("W5 n={n} {tag} {kernels}: {gflops:.2} GFLOP/s");
    let row = Row {
        workload: format!("W5 n={n}"),
        backend: tag.into(),
        kernels: kernels.into(),
        device: device.into(),
        steps_per_s: per_s,
        samples_per_s: per_s,
        gflops: Some(gflops),
    };
    Ok((row, g.backend))
}
