//! `cargo xtask gpu-report [--quick]`: one command for a machine with a GPU (and, unchanged, for
//! one with only Mesa's lavapipe). It installs what native GPU runs need, builds `dl101`, asks
//! it which adapter wgpu finds, runs every conformance vector on that GPU with each kernel set
//! forced, runs `dl101 bench` (W1-W4 training on the CPU and on the GPU with each kernel set, W5
//! GEMM at n = 256 ... 4096), and writes `target/gpu-report/report.md` (with the raw rows in
//! `bench.json` beside it). On a software adapter the 4096 GEMM is left out (one product takes
//! minutes there) and the report says so.

use std::process::Command;

use crate::{cmd, tools};

const GEMM_SIDES: [usize; 5] = [256, 512, 1024, 2048, 4096];
/// The largest GEMM side timed on a software adapter.
const SOFTWARE_MAX_SIDE: usize = 2048;

pub fn gpu_report(args: &[String]) -> Result<(), String> {
    let quick = match args {
        [] => false,
        [q] if q == "--quick" => true,
        _ => return Err("usage: cargo xtask gpu-report [--quick]".into()),
    };
    let started = std::time::Instant::now();
    tools::ensure_native()?;
    let root = cmd::root();
    let out = root.join("target/gpu-report");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    cmd::run(cmd::cargo().args(["build", "--quiet", "--release", "-p", "cli"]))?;
    let dl101 = root.join("target/release/dl101").to_string_lossy().into_owned();

    let (_, adapter_text) = capture(cmd::new(&dl101).arg("adapter"))?;
    let adapter: serde_json::Value =
        serde_json::from_str(adapter_text.trim()).map_err(|_| format!("no GPU adapter: dl101 adapter printed {adapter_text:?}"))?;
    let name = adapter["name"].as_str().unwrap_or("unnamed").to_string();
    let software = adapter["is_software"].as_bool().unwrap_or(true);
    println!("xtask: adapter {name} ({}{})", adapter["backend"].as_str().unwrap_or("?"), if software { ", software" } else { "" });

    let mut conformance = Vec::new();
    for set in ["software", "hardware"] {
        let (ok, text) = capture(cmd::new(&dl101).args(["conformance", "--backend", "gpu", "--kernels", set]))?;
        let summary = text.lines().last().unwrap_or("no output").to_string();
        let failures: Vec<String> = text.lines().filter(|l| l.starts_with("FAIL")).map(str::to_string).collect();
        println!("xtask: conformance with the {set} kernels: {summary}");
        conformance.push((set, ok, summary, failures));
    }

    let sides: Vec<usize> = GEMM_SIDES.iter().copied().filter(|&n| !software || n <= SOFTWARE_MAX_SIDE).collect();
    let json = out.join("bench.json");
    let sides_arg = sides.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    let mut bench = cmd::new(&dl101);
    bench.args(["bench", "--backend", "both", "--kernels", "both", "--gemm", &sides_arg, "--repeats", "3", "--json"]).arg(&json);
    if quick {
        bench.arg("--quick");
    }
    cmd::run(&mut bench)?;
    let text = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", json.display()))?;

    let peak = peak_gflops(&name);
    let md = report(&Facts { name: &name, adapter: &adapter, software, conformance: &conformance, rows: &rows, sides: &sides, peak });
    let path = out.join("report.md");
    std::fs::write(&path, &md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\n{md}");
    println!("xtask: wrote {} in {:.0} s", path.display(), started.elapsed().as_secs_f64());
    if conformance.iter().all(|c| c.1) { Ok(()) } else { Err("conformance failed on the GPU (see the report)".into()) }
}

/// Runs a command; returns whether it succeeded and its standard output (a failure still has
/// output worth reporting).
fn capture(c: &mut Command) -> Result<(bool, String), String> {
    let o = c.output().map_err(|e| format!("cannot start {c:?}: {e}"))?;
    eprint!("{}", String::from_utf8_lossy(&o.stderr));
    Ok((o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned()))
}

/// FP32 peaks (without tensor cores) from the vendors' data sheets, by adapter name, in GFLOP/s.
fn peak_gflops(name: &str) -> Option<(f64, &'static str)> {
    let n = name.to_uppercase();
    // (what the name contains, and, label, GFLOP/s): the first match wins.
    const TABLE: [(&str, &str, &str, f64); 9] = [
        ("H100", "PCIE", "H100 PCIe", 51_200.0),
        ("H100", "", "H100 SXM", 66_900.0),
        ("H200", "", "H200", 66_900.0),
        ("A100", "", "A100", 19_500.0),
        ("L40S", "", "L40S", 91_600.0),
        ("L4", "", "L4", 30_300.0),
        ("T4", "", "T4", 8_100.0),
        ("RTX 4090", "", "RTX 4090", 82_600.0),
        ("RTX 3090", "", "RTX 3090", 35_600.0),
    ];
    TABLE.iter().find(|(model, also, _, _)| n.contains(model) && n.contains(also)).map(|&(_, _, label, g)| (g, label))
}

struct Facts<'a> {
    name: &'a str,
    adapter: &'a serde_json::Value,
    software: bool,
    conformance: &'a [(&'a str, bool, String, Vec<String>)],
    rows: &'a [serde_json::Value],
    sides: &'a [usize],
    peak: Option<(f64, &'static str)>,
}

fn find<'a>(rows: &'a [serde_json::Value], workload: &str, backend: &str, kernels: &str) -> Option<&'a serde_json::Value> {
    rows.iter().find(|r| r["workload"] == workload && r["backend"] == backend && r["kernels"] == kernels)
}

fn num(r: Option<&serde_json::Value>, key: &str) -> Option<f64> {
    r.and_then(|r| r[key].as_f64())
}

fn faster(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => a.or(b),
    }
}

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.digits$}"))
}

fn report(f: &Facts) -> String {
    let mut md = String::from("# GPU report\n\n");
    let commit = cmd::output(cmd::new("git").args(["rev-parse", "--short", "HEAD"])).unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    md += &format!(
        "- Adapter: **{}** ({}), {}; kernel set chosen for it: {}\n- CPU path: {cpu}, {cores} cores\n- Commit {}\n",
        f.name,
        f.adapter["backend"].as_str().unwrap_or("?"),
        if f.software { "a software adapter (the CPU runs its shaders)" } else { "a hardware GPU" },
        f.adapter["kernels"].as_str().unwrap_or("?"),
        commit.trim()
    );
    md += "\n## Conformance on this GPU\n\n| kernels | result |\n|---|---|\n";
    for (set, ok, summary, _) in f.conformance {
        md += &format!("| {set} | {summary}{} |\n", if *ok { "" } else { " **FAILED**" });
    }
    for (set, _, _, failures) in f.conformance {
        for line in failures {
            md += &format!("\n- {set}: `{line}`");
        }
    }
    md += "\n\n## Training (W1-W4), steps per second\n\n| workload | CPU | GPU, software kernels | GPU, hardware kernels | best GPU against the CPU |\n|---|---:|---:|---:|---:|\n";
    for w in ["W1", "W2", "W3", "W4"] {
        let cpu = num(find(f.rows, w, "cpu", ""), "steps_per_s");
        let soft = num(find(f.rows, w, "gpu", "software"), "steps_per_s");
        let hard = num(find(f.rows, w, "gpu", "hardware"), "steps_per_s");
        let best = faster(soft, hard);
        let verdict = match cpu.zip(best) {
            Some((c, g)) if g >= c => format!("GPU {:.2}× faster", g / c),
            Some((c, g)) => format!("CPU {:.1}× faster", c / g.max(1e-9)),
            None => "-".into(),
        };
        md += &format!("| {w} | {} | {} | {} | {verdict} |\n", cell(cpu, 0), cell(soft, 0), cell(hard, 0));
    }
    md += "\n## GEMM (W5, n×n·n×n, f32), GFLOP/s\n\n";
    let peak_head = match f.peak {
        Some((g, model)) => format!("best GPU, % of the {model}'s FP32 peak ({:.1} TFLOP/s)", g / 1000.0),
        None => "best GPU, % of peak (peak unknown for this adapter)".into(),
    };
    md += &format!("| n | CPU | GPU, software kernels | GPU, hardware kernels | {peak_head} |\n|---:|---:|---:|---:|---:|\n");
    for &n in f.sides {
        let w = format!("W5 n={n}");
        let cpu = num(find(f.rows, &w, "cpu", ""), "gflops");
        let soft = num(find(f.rows, &w, "gpu", "software"), "gflops");
        let hard = num(find(f.rows, &w, "gpu", "hardware"), "gflops");
        let pct = f.peak.zip(faster(soft, hard)).map(|((p, _), g)| 100.0 * g / p);
        md += &format!("| {n} | {} | {} | {} | {} |\n", cell(cpu, 2), cell(soft, 2), cell(hard, 2), cell(pct, 1));
    }
    if f.software {
        md += &format!("\nn = 4096 is left out on a software adapter (sides up to {SOFTWARE_MAX_SIDE} are timed).\n");
    }
    md += "\nEach figure is the median of timed blocks that end with a read-back (`dl101 bench`); the raw rows are in `bench.json`.\n";
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_found_by_adapter_name() {
        assert_eq!(peak_gflops("NVIDIA H100 PCIe").map(|p| p.0), Some(51_200.0));
        assert_eq!(peak_gflops("NVIDIA H100 80GB HBM3").map(|p| p.0), Some(66_900.0));
        assert_eq!(peak_gflops("NVIDIA L4").map(|p| p.1), Some("L4"));
        assert_eq!(peak_gflops("llvmpipe (LLVM 19.1.7, 256 bits)"), None);
    }

    #[test]
    fn the_report_tabulates_rows_and_ratios() {
        let rows: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"workload":"W1","backend":"cpu","kernels":"","steps_per_s":100.0},
                {"workload":"W1","backend":"gpu","kernels":"software","steps_per_s":50.0},
                {"workload":"W1","backend":"gpu","kernels":"hardware","steps_per_s":300.0},
                {"workload":"W5 n=256","backend":"gpu","kernels":"hardware","gflops":6690.0}]"#,
        )
        .unwrap();
        let adapter = serde_json::json!({"backend": "Vulkan", "kernels": "hardware"});
        let conformance = [("software", true, "42 passed, 0 failed".to_string(), vec![])];
        let md = report(&Facts { name: "NVIDIA H200", adapter: &adapter, software: false, conformance: &conformance, rows: &rows, sides: &[256], peak: peak_gflops("NVIDIA H200") });
        assert!(md.contains("| W1 | 100 | 50 | 300 | GPU 3.00× faster |"), "{md}");
        assert!(md.contains("| 256 | - | - | 6690.00 | 10.0 |"), "{md}");
        assert!(md.contains("| software | 42 passed, 0 failed |"), "{md}");
    }
}
