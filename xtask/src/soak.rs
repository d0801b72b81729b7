//! `cargo xtask soak [--minutes N] [--gpu-minutes N]`: the playground trains at full speed for N
//! minutes (10) on the default network and on the digits CNN, and for a few minutes (3) on the
//! default network forced onto WebGPU, in headless Chromium (`bench/soak.mjs`). It passes when,
//! after the first minute, neither the page's nor the worker's wasm memory grows, the worker's
//! live GPU buffers stay as they were, and every 15 s window drew at least 55 frames a second.
//! Writes `target/soak/report.{md,json}`.

use std::path::Path;

use crate::{cmd, serve, tools};

pub fn soak(args: &[String]) -> Result<(), String> {
    let (mut minutes, mut gpu_minutes) = (10.0f64, 3.0f64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().and_then(|v| v.parse::<f64>().ok()).ok_or(format!("{name} wants a number of minutes"));
        match a.as_str() {
            "--minutes" => minutes = value("--minutes")?,
            "--gpu-minutes" => gpu_minutes = value("--gpu-minutes")?,
            other => return Err(format!("unknown argument {other}; usage: cargo xtask soak [--minutes N] [--gpu-minutes N]")),
        }
    }
    tools::ensure_all()?;
    tools::build_site()?;
    let root = cmd::root();
    let out = root.join("target/soak");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let listener = serve::bind(0)?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let dist = root.join("dist");
    std::thread::spawn(move || serve::accept_forever(listener, dist));
    let json = out.join("soak.json");
    cmd::run(
        cmd::new("node")
            .arg("bench/soak.mjs")
            .env("PLAYGROUND_URL", format!("http://{addr}/"))
            .env("SOAK_MINUTES", minutes.to_string())
            .env("SOAK_GPU_MINUTES", gpu_minutes.to_string())
            .env("SOAK_OUT", &json),
    )?;
    let text = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    let result: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", json.display()))?;
    let (md, verdicts) = report(&result);
    write(&out.join("report.md"), &md)?;
    write(&out.join("report.json"), &serde_json::json!({ "soak": result, "verdicts": verdicts }).to_string())?;
    println!("{md}");
    println!("xtask: wrote target/soak/report.md and target/soak/report.json");
    if verdicts.iter().all(|v| v["met"] == true) { Ok(()) } else { Err("the soak test found growth or slow frames (see target/soak/report.md)".into()) }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Growth of `key` over the samples after the first minute: the largest value less the first.
fn growth(samples: &[&serde_json::Value], key: &str) -> Option<f64> {
    let first = samples.first()?[key].as_f64()?;
    let max = samples.iter().filter_map(|s| s[key].as_f64()).fold(first, f64::max);
    Some(max - first)
}

fn report(result: &serde_json::Value) -> (String, Vec<serde_json::Value>) {
    let mut md = String::from("# DL101 soak (`cargo xtask soak`)\n\nHeadless Chromium, the playground at full speed; samples every 15 s. Growth is counted from the first sample after the first minute.\n\n");
    md.push_str("| scene | minutes | device | epochs | steps/s (median) | page wasm | worker wasm | GPU buffers | frames/s (min / mean) |\n|---|---:|---|---:|---:|---|---|---|---|\n");
    let mut verdicts = Vec::new();
    for scene in result["scenes"].as_array().into_iter().flatten() {
        let name = scene["name"].as_str().unwrap_or("?");
        if let Some(e) = scene["error"].as_str() {
            md.push_str(&format!("| {name} | error: {} ||||||||\n", e.replace('|', "/")));
            verdicts.push(serde_json::json!({ "scene": name, "what": "ran", "met": false }));
            continue;
        }
        let all: Vec<&serde_json::Value> = scene["samples"].as_array().into_iter().flatten().collect();
        let settled: Vec<&serde_json::Value> = all.iter().copied().filter(|s| s["seconds"].as_f64().is_some_and(|t| t > 60.0)).collect();
        let fps: Vec<f64> = all.iter().filter_map(|s| s["fps"].as_f64()).collect();
        let min_fps = fps.iter().copied().fold(f64::INFINITY, f64::min);
        let mean_fps = fps.iter().sum::<f64>() / fps.len().max(1) as f64;
        let mut rates: Vec<f64> = all.iter().filter_map(|s| s["steps_per_s"].as_f64()).collect();
        rates.sort_by(f64::total_cmp);
        let bytes = |k: &str| {
            let first = settled.first().and_then(|s| s[k].as_f64());
            match (first, growth(&settled, k)) {
                (Some(f), Some(g)) => format!("{:.1} MiB, {}", f / 1048576.0, if g == 0.0 { "flat".to_string() } else { format!("+{:.0} KiB", g / 1024.0) }),
                _ => "-".into(),
            }
        };
        let buffers = match (settled.first().and_then(|s| s["gpu_buffers"].as_f64()), growth(&settled, "gpu_buffers"), growth(&settled, "gpu_bytes")) {
            (Some(n), Some(g), Some(b)) => format!("{n:.0}, {}", if g == 0.0 && b == 0.0 { "flat".to_string() } else { format!("+{g:.0} (+{:.0} KiB)", b / 1024.0) }),
            _ => "-".into(),
        };
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {:.0} | {} | {} | {} | {:.1} / {:.1} |\n",
            scene["minutes"],
            all.last().and_then(|s| s["device"].as_str()).unwrap_or("?"),
            all.last().map_or(serde_json::Value::Null, |s| s["epoch"].clone()),
            rates.get(rates.len() / 2).copied().unwrap_or(0.0),
            bytes("page_wasm_bytes"),
            bytes("worker_wasm_bytes"),
            buffers,
            min_fps,
            mean_fps,
        ));
        let flat = |k: &str| growth(&settled, k).is_some_and(|g| g == 0.0);
        for (what, met) in [
            ("page wasm memory flat after the first minute", flat("page_wasm_bytes")),
            ("worker wasm memory flat after the first minute", flat("worker_wasm_bytes")),
            ("GPU buffers flat after the first minute", flat("gpu_buffers") && flat("gpu_bytes")),
            ("at least 55 frames a second in every window", !fps.is_empty() && min_fps >= 55.0),
            ("no console error", scene["console_errors"].as_array().is_some_and(Vec::is_empty)),
        ] {
            verdicts.push(serde_json::json!({ "scene": name, "what": what, "met": met }));
        }
    }
    md.push_str("\n| scene | check | met |\n|---|---|---|\n");
    for v in &verdicts {
        md.push_str(&format!("| {} | {} | {} |\n", v["scene"].as_str().unwrap_or(""), v["what"].as_str().unwrap_or(""), if v["met"] == true { "yes" } else { "**no**" }));
    }
    (md, verdicts)
}
