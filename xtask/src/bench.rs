//! `cargo xtask bench [--quick] [--repeats N] [--block-ms MS] [--no-native] [--no-site]`: our
//! engine against TensorFlow.js 4.22 and ConvNetJS in one headless Chromium (issue #6).
//!
//! 1. Installs what is missing (Chromium, trunk, wasm-bindgen-cli, the npm dev dependencies).
//! 2. Builds the release site (`dist/`) and measures its wasm, raw and gzipped.
//! 3. Builds `crates/bench` for wasm32, runs wasm-bindgen, and assembles `target/bench/site`:
//!    `bench/index.html`, `bench/bench.js`, the bench wasm, and the TF.js and ConvNetJS files
//!    from `node_modules` (nothing is fetched at run time).
//! 4. Runs `dl101 bench` (native CPU, and the GPU through wgpu) for the `dl101-native` rows.
//! 5. Serves the bench site and `dist/` with [`crate::serve`] and runs `bench/run.mjs`
//!    (Playwright, one browser session): W1-W5 on every engine and backend, then the playground's
//!    time to first render and its longest main-thread task while training at full speed.
//! 6. Writes `target/bench/report.json` and `target/bench/report.md` and prints the table.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::{cmd, serve, tools};

/// npm files the bench page loads, copied into `target/bench/site/vendor`.
const VENDOR: [&str; 7] = [
    "@tensorflow/tfjs/dist/tf.min.js",
    "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm",
    "@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js",
    "convnetjs/build/convnet-min.js",
];

struct Options {
    block_ms: u64,
    repeats: u32,
    train_seconds: u32,
    native: bool,
    site: bool,
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let usage = "usage: cargo xtask bench [--quick] [--repeats N] [--block-ms MS] [--no-native] [--no-site]";
    let mut o = Options { block_ms: 400, repeats: 5, train_seconds: 5, native: true, site: true };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.parse().map_err(|_| format!("{name} wants a whole number, not {v:?}"))
        };
        match a.as_str() {
            "--quick" => (o.block_ms, o.repeats, o.train_seconds) = (150, 3, 4),
            "--repeats" => o.repeats = num("--repeats")?.max(1) as u32,
            "--block-ms" => o.block_ms = num("--block-ms")?.max(10),
            "--no-native" => o.native = false,
            "--no-site" => o.site = false,
            _ => return Err(usage.into()),
        }
    }
    let start = Instant::now();
    let root = cmd::root();
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    tools::ensure_all()?;
    ensure_bench_npm()?;
    if o.site || !root.join("dist/index.html").exists() {
        tools::build_site()?;
    }
    let wasm = wasm_sizes(&root.join("dist"))?;
    let site = build_bench_site(&root, &out)?;

    let mut rows: Vec<serde_json::Value> = Vec::new();
    if o.native {
        tools::ensure_native()?;
        let json = out.join("native.json");
        let mut c = cmd::cargo();
        c.args(["run", "--quiet", "--release", "-p", "cli", "--", "bench", "--json"]).arg(&json);
        c.args(["--repeats", &o.repeats.to_string()]);
        if o.block_ms < 400 {
            c.arg("--quick");
        }
        println!("\n=== native (dl101 bench) ===");
        match cmd::run(&mut c).and_then(|()| read_json(&json)) {
            Ok(serde_json::Value::Array(list)) => rows.extend(list),
            Ok(_) => eprintln!("xtask: {} is not a list", json.display()),
            Err(e) => eprintln!("xtask: native bench failed: {e}"),
        }
    }

    println!("\n=== browser (headless Chromium) ===");
    let bench_addr = spawn_server(site)?;
    let dist_addr = spawn_server(root.join("dist"))?;
    let browser_json = out.join("browser.json");
    let config = format!("{{\"blockMs\":{},\"repeats\":{},\"trainSeconds\":{}}}", o.block_ms, o.repeats, o.train_seconds);
    cmd::run(
        cmd::new("node")
            .arg("bench/run.mjs")
            .env("BENCH_URL", format!("http://{bench_addr}/index.html"))
            .env("PLAYGROUND_URL", format!("http://{dist_addr}/"))
            .env("BENCH_CONFIG", &config)
            .env("BENCH_OUT", &browser_json),
    )?;
    let browser = read_json(&browser_json)?;
    if let Some(list) = browser["rows"].as_array() {
        rows.splice(0..0, list.iter().cloned());
    }

    let report = Report::new(rows, browser, wasm, start.elapsed().as_secs_f64());
    let md = report.markdown();
    std::fs::write(out.join("report.md"), &md).map_err(|e| format!("report.md: {e}"))?;
    std::fs::write(out.join("report.json"), serde_json::to_string_pretty(&report.json()).unwrap_or_default())
        .map_err(|e| format!("report.json: {e}"))?;
    println!("\n{md}");
    println!("xtask: wrote target/bench/report.md and target/bench/report.json ({:.0} s)", start.elapsed().as_secs_f64());
    Ok(())
}

/// The bench's npm dev dependencies (TF.js, ConvNetJS), installed from package-lock.json.
fn ensure_bench_npm() -> Result<(), String> {
    let root = cmd::root();
    if VENDOR.iter().all(|p| root.join("node_modules").join(p).exists()) {
        return Ok(());
    }
    println!("xtask: installing npm packages (TensorFlow.js, ConvNetJS)");
    cmd::run(cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// Builds the bench crate for wasm32 and assembles the page in `target/bench/site`.
fn build_bench_site(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let t = Instant::now();
    cmd::run(cmd::cargo().args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "bench"]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let wasm = target.join("wasm32-unknown-unknown/release/bench.wasm");
    let site = out.join("site");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(site.join("vendor")).map_err(|e| format!("{}: {e}", site.display()))?;
    cmd::run(cmd::new("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(site.join("pkg")).arg(&wasm))?;
    for f in ["index.html", "bench.js"] {
        copy(&root.join("bench").join(f), &site.join(f))?;
    }
    for p in VENDOR {
        let from = root.join("node_modules").join(p);
        copy(&from, &site.join("vendor").join(from.file_name().unwrap_or_default()))?;
    }
    println!("xtask: assembled {} in {:.0} s", site.display(), t.elapsed().as_secs_f64());
    Ok(site)
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("copy {} -> {}: {e}", from.display(), to.display()))
}

fn spawn_server(dir: PathBuf) -> Result<String, String> {
    let listener = serve::bind(0)?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?.to_string();
    std::thread::spawn(move || serve::accept_forever(listener, dir));
    Ok(addr)
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The page's wasm in `dist/`: (file, raw bytes, gzip -9 bytes).
fn wasm_sizes(dist: &Path) -> Result<Vec<(String, u64, u64)>, String> {
    let mut sizes = Vec::new();
    for e in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "wasm") {
            let raw = e.metadata().map(|m| m.len()).unwrap_or(0);
            let gz = cmd::output(cmd::new("sh").arg("-c").arg(format!("gzip -9 -c '{}' | wc -c", p.display())))
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            sizes.push((p.file_name().unwrap_or_default().to_string_lossy().into_owned(), raw, gz));
        }
    }
    if sizes.is_empty() {
        return Err(format!("no .wasm in {}", dist.display()));
    }
    Ok(sizes)
}

struct Report {
    rows: Vec<serde_json::Value>,
    browser: serde_json::Value,
    wasm: Vec<(String, u64, u64)>,
    seconds: f64,
}

fn f(v: &serde_json::Value, k: &str) -> Option<f64> {
    v[k].as_f64()
}
fn s<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or("")
}

/// Figures with three significant digits or so: 1,234,567 / 12,345 / 123 / 12.3 / 1.23.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if x >= 100.0 {
        let n = x.round() as u64;
        let digits = n.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

impl Report {
    fn new(rows: Vec<serde_json::Value>, browser: serde_json::Value, wasm: Vec<(String, u64, u64)>, seconds: f64) -> Self {
        Report { rows, browser, wasm, seconds }
    }

    /// The figure compared for a workload: samples/s for W1-W4, GFLOP/s for W5.
    fn metric(row: &serde_json::Value) -> Option<f64> {
        if s(row, "workload").starts_with("W5") { f(row, "gflops") } else { f(row, "samples_per_s") }
    }

    fn browser_rows(&self, workload: &str) -> impl Iterator<Item = &serde_json::Value> {
        self.rows.iter().filter(move |r| s(r, "workload") == workload && s(r, "engine") != "dl101-native")
    }

    /// The fastest peer (TF.js or ConvNetJS) row of a workload.
    fn fastest_peer(&self, workload: &str) -> Option<&serde_json::Value> {
        self.browser_rows(workload)
            .filter(|r| s(r, "engine") != "dl101" && Self::metric(r).is_some())
            .max_by(|a, b| Self::metric(a).unwrap_or(0.0).total_cmp(&Self::metric(b).unwrap_or(0.0)))
    }

    fn find(&self, workload: &str, engine: &str, backend_prefix: &str) -> Option<&serde_json::Value> {
        self.browser_rows(workload).find(|r| s(r, "engine") == engine && s(r, "backend").starts_with(backend_prefix))
    }

    fn workloads(&self) -> Vec<String> {
        let mut w: Vec<String> = Vec::new();
        for r in &self.rows {
            let name = s(r, "workload").to_string();
            if !w.contains(&name) {
                w.push(name);
            }
        }
        w
    }

    /// (what, figure, target, met) for the "done when" list.
    fn targets(&self) -> Vec<(String, String, String, bool)> {
        let ratio = |a: Option<&serde_json::Value>, b: Option<&serde_json::Value>| -> Option<f64> {
            Some(Self::metric(a?)? / Self::metric(b?)?)
        };
        let mut t = Vec::new();
        for w in ["W1", "W2", "W3", "W4"] {
            let peer = self.fastest_peer(w);
            let r = ratio(self.find(w, "dl101", "auto"), peer);
            let who = peer.map(|p| format!("{}/{}", s(p, "engine"), s(p, "backend"))).unwrap_or_default();
            t.push((format!("{w}: auto vs fastest peer ({who})"), r.map_or("-".into(), |r| format!("{r:.2}x")), "≥ 3x".into(), r.is_some_and(|r| r >= 3.0)));
        }
        for w in ["W1", "W2", "W3", "W4"] {
            let r = ratio(self.find(w, "dl101", "gpu"), self.find(w, "tfjs", "webgpu"));
            t.push((format!("{w}: our WebGPU vs TF.js webgpu"), r.map_or("-".into(), |r| format!("{r:.2}x")), "≥ 10x".into(), r.is_some_and(|r| r >= 10.0)));
        }
        for n in [256, 512, 1024] {
            let w = format!("W5 n={n}");
            let r = ratio(self.find(&w, "dl101", "cpu"), self.find(&w, "tfjs", "wasm"));
            t.push((format!("{w}: our CPU GEMM vs TF.js wasm"), r.map_or("-".into(), |r| format!("{r:.2}x")), "≥ 1x".into(), r.is_some_and(|r| r >= 1.0)));
        }
        for p in self.playground() {
            let w = s(p, "workload");
            let ms = f(p, "longest_task_ms");
            t.push((
                format!("longest main-thread task, playground training {w} at full speed"),
                ms.map_or(format!("error: {}", s(p, "error")), |m| if m == 0.0 { "none ≥ 50 ms".into() } else { format!("{m:.0} ms") }),
                "≤ 50 ms".into(),
                ms.is_some_and(|m| m <= 50.0),
            ));
            let share = self.page_share(p);
            t.push((format!("{w}: the page's full-speed steps/s / the engine's"), share.map_or("-".into(), |r| format!("{:.0}%", r * 100.0)), "≥ 90%".into(), share.is_some_and(|r| r >= 0.9)));
            let fps = f(p, "fps");
            t.push((format!("{w}: frames per second while training"), fps.map_or("-".into(), |v| format!("{v:.1}")), "≥ 55".into(), fps.is_some_and(|v| v >= 55.0)));
        }
        for p in self.browser["pairs"].as_array().into_iter().flatten() {
            let w = s(p, "workload");
            let gain = self.pair_gain(p);
            t.push((format!("{w}: an A/B pair's combined steps/s / one run's"), gain.map_or("-".into(), |g| format!("{g:.2}x")), "≥ 1.6x".into(), gain.is_some_and(|g| g >= 1.6)));
        }
        let gz: u64 = self.wasm.iter().map(|w| w.2).sum();
        t.push(("page wasm, gzip".into(), format!("{:.0} KiB", gz as f64 / 1024.0), "< 1 MB".into(), gz < 1_000_000));
        t
    }

    fn playground(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.browser["playground"].as_array().into_iter().flatten()
    }

    /// The page's full-speed steps/s over the engine's own (`dl101/cpu` on the bench page).
    fn page_share(&self, p: &serde_json::Value) -> Option<f64> {
        Some(f(p, "steps_per_s_shown")? / f(self.find(s(p, "workload"), "dl101", "cpu")?, "steps_per_s")?)
    }

    /// An A/B pair's combined steps/s over one run's of the same workload.
    fn pair_gain(&self, pair: &serde_json::Value) -> Option<f64> {
        let single = self.playground().find(|p| s(p, "workload") == s(pair, "workload"))?;
        Some(f(pair, "combined_steps_per_s")? / f(single, "steps_per_s_shown")?)
    }

    fn markdown(&self) -> String {
        let mut md = String::from("# DL101 bench (`cargo xtask bench`)\n\n");
        let info = &self.browser["info"];
        md.push_str(&format!(
            "Headless Chromium ({}), TF.js {}, WebGPU adapter: {}; automatic choice: {}. Medians of {} timed blocks of ~{} ms after a warm-up; each block ends with a read-back. Same data, initial weights and batch order for every engine. Total {:.0} s.\n\n",
            info["userAgent"].as_str().and_then(|u| u.split_whitespace().find(|w| w.starts_with("Chrome/")).or(Some(u))).unwrap_or("?"),
            s(info, "tfjs"),
            info["gpu"].as_object().map_or_else(|| format!("none ({})", s(info, "gpu_error")), |g| format!("{} ({}{})", g["name"].as_str().unwrap_or("?"), g["backend"].as_str().unwrap_or("?"), if g["is_software"].as_bool() == Some(true) { ", software" } else { "" })),
            s(info, "auto"),
            self.browser["config"]["repeats"],
            self.browser["config"]["blockMs"],
            self.seconds,
        ));
        md.push_str("| workload | engine | backend | steps/s | samples/s | GFLOP/s | ours / fastest peer | note |\n|---|---|---|---:|---:|---:|---:|---|\n");
        for w in self.workloads() {
            let peer = self.fastest_peer(&w).and_then(Self::metric);
            for r in self.rows.iter().filter(|r| s(r, "workload") == w) {
                let ours = s(r, "engine").starts_with("dl101");
                let ratio = match (ours, Self::metric(r), peer) {
                    (true, Some(m), Some(p)) if p > 0.0 => format!("{:.2}x", m / p),
                    _ => String::new(),
                };
                let note = if r["error"].is_string() { format!("error: {}", s(r, "error")) } else { s(r, "note").to_string() };
                let note = if s(r, "engine") == "dl101-native" { format!("{} {note}", s(r, "device")) } else { note };
                md.push_str(&format!(
                    "| {w} | {} | {} | {} | {} | {} | {ratio} | {} |\n",
                    s(r, "engine"),
                    s(r, "backend"),
                    f(r, "steps_per_s").map(num).unwrap_or_else(|| "-".into()),
                    f(r, "samples_per_s").filter(|_| !w.starts_with("W5")).map(num).unwrap_or_else(|| "-".into()),
                    f(r, "gflops").map(num).unwrap_or_else(|| "-".into()),
                    note.trim().replace('|', "/"),
                ));
            }
        }
        md.push_str("\n`dl101-native` rows are `dl101 bench` outside the browser; the ratios compare with the fastest peer in the browser. W1-W4 ratios compare samples/s, W5 GFLOP/s.\n\n## Page\n\n");
        for (name, raw, gz) in &self.wasm {
            md.push_str(&format!("- wasm `{name}`: {} bytes raw, {} bytes gzip -9 ({:.0} KiB)\n", num(*raw as f64), num(*gz as f64), *gz as f64 / 1024.0));
        }
        md.push_str(&format!(
            "\n## The playground at full speed\n\nThe page opened on each workload's share link, training on the CPU (in its worker) for {} s: steps/s shown (median of readings every 500 ms), beside the engine's own steps/s on the bench page above.\n\n| workload | engine steps/s | page steps/s | page / engine | frames/s | long tasks | longest task | longest frame | first render | epoch |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            self.browser["config"]["trainSeconds"]
        ));
        for p in self.playground() {
            let w = s(p, "workload");
            if p["error"].is_string() {
                md.push_str(&format!("| {w} | error: {} |||||||||\n", s(p, "error").replace('|', "/")));
                continue;
            }
            let ms = |k: &str| f(p, k).map_or("-".into(), |v| format!("{v:.0} ms"));
            md.push_str(&format!(
                "| {w} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                self.find(w, "dl101", "cpu").and_then(|r| f(r, "steps_per_s")).map_or("-".into(), num),
                f(p, "steps_per_s_shown").map_or("-".into(), num),
                self.page_share(p).map_or("-".into(), |r| format!("{:.0}%", r * 100.0)),
                f(p, "fps").map_or("-".into(), |v| format!("{v:.1}")),
                p["longtasks"],
                ms("longest_task_ms"),
                ms("longest_frame_ms"),
                ms("mounted_ms"),
                p["epoch"],
            ));
        }
        md.push_str("\nA/B pairs (B the same workload, each in its own worker):\n\n| workload | one run steps/s | A steps/s | B steps/s | together | together / one run | frames/s | longest task |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for p in self.browser["pairs"].as_array().into_iter().flatten() {
            let w = s(p, "workload");
            if p["error"].is_string() {
                md.push_str(&format!("| {w} | error: {} |||||||\n", s(p, "error").replace('|', "/")));
                continue;
            }
            md.push_str(&format!(
                "| {w} | {} | {} | {} | {} | {} | {} | {} |\n",
                self.playground().find(|q| s(q, "workload") == w).and_then(|q| f(q, "steps_per_s_shown")).map_or("-".into(), num),
                f(p, "steps_per_s_shown").map_or("-".into(), num),
                f(p, "b_steps_per_s_shown").map_or("-".into(), num),
                f(p, "combined_steps_per_s").map_or("-".into(), num),
                self.pair_gain(p).map_or("-".into(), |g| format!("{g:.2}x")),
                f(p, "fps").map_or("-".into(), |v| format!("{v:.1}")),
                f(p, "longest_task_ms").map_or("-".into(), |v| format!("{v:.0} ms")),
            ));
        }
        md.push_str("\n## Targets\n\n| target | figure | wanted | met |\n|---|---:|---|---|\n");
        for (what, fig, want, met) in self.targets() {
            md.push_str(&format!("| {what} | {fig} | {want} | {} |\n", if met { "yes" } else { "**no**" }));
        }
        md
    }

    fn json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "workload": r["workload"], "engine": r["engine"], "backend": r["backend"],
                    "samples_per_s": r["samples_per_s"], "steps_per_s": r["steps_per_s"], "gflops": r["gflops"],
                    "note": r["note"], "error": r["error"], "device": r["device"],
                })
            })
            .collect();
        let targets: Vec<serde_json::Value> = self
            .targets()
            .into_iter()
            .map(|(what, figure, wanted, met)| serde_json::json!({ "target": what, "figure": figure, "wanted": wanted, "met": met }))
            .collect();
        serde_json::json!({
            "rows": rows,
            "wasm": self.wasm.iter().map(|(n, raw, gz)| serde_json::json!({ "file": n, "raw_bytes": raw, "gzip_bytes": gz })).collect::<Vec<_>>(),
            "playground": self.browser["playground"],
            "pairs": self.browser["pairs"],
            "browser": self.browser["info"],
            "config": self.browser["config"],
            "targets": targets,
            "seconds": self.seconds,
        })
    }
}
