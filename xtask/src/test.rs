//! `cargo xtask test`: installs what is missing, then runs every suite and ends with the runners'
//! summary lines and one total line. A failing suite does not stop the others; any failure makes
//! the exit status non-zero.
//!
//! Suites: native `cargo test` (the GPU tests run on Mesa lavapipe), the generated Keras and
//! PyTorch code, wasm-bindgen-test in headless Chromium with WebGPU and in headless Firefox ESR,
//! and the end-to-end journeys (`tests/e2e/`, node's test runner: Playwright in Chromium,
//! selenium-webdriver in Firefox, axe-core audits) against the release build served by
//! [`crate::serve`].

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cmd, python, serve, tools};

/// What one suite reported.
struct Outcome {
    name: &'static str,
    passed: u64,
    failed: u64,
    ok: bool,
    seconds: f64,
    summaries: Vec<String>,
}

pub fn test(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".into());
    }
    let start = Instant::now();
    tools::ensure_all()?;
    let mut outcomes = vec![suite("native", cmd::cargo().args(["test", "--workspace", "--no-fail-fast"]))];
    for framework in python::Framework::ALL {
        outcomes.push(suite(framework.suite_name(), &mut python::command(framework)));
    }
    outcomes.push(suite("browser (wasm-bindgen-test)", &mut wasm_tests()));
    outcomes.push(suite("Firefox (wasm-bindgen-test)", &mut firefox_wasm_tests()));
    outcomes.push(match tools::build_site() {
        Ok(()) => e2e(),
        Err(e) => {
            eprintln!("xtask: {e}");
            Outcome { name: "end-to-end", passed: 0, failed: 1, ok: false, seconds: 0.0, summaries: vec![] }
        }
    });

    println!("\n=== summary ===");
    for o in &outcomes {
        for s in &o.summaries {
            println!("{:<30} {s}", o.name);
        }
        println!("{:<30} {} ({:.0} s)", o.name, if o.ok { "ok" } else { "FAILED" }, o.seconds);
    }
    let passed: u64 = outcomes.iter().map(|o| o.passed).sum();
    let failed: u64 = outcomes.iter().map(|o| o.failed).sum::<u64>()
        + outcomes.iter().filter(|o| !o.ok && o.failed == 0).count() as u64;
    println!("wall time: {:.0} s", start.elapsed().as_secs_f64());
    println!("total: {passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} failed")) }
}

/// `cargo test` for wasm32 in headless Chromium: the engine's in-browser GPU tests and the app's
/// component tests. `webdriver.json` beside each crate turns WebGPU on.
fn wasm_tests() -> Command {
    let mut c = cmd::cargo();
    c.args(["test", "--no-fail-fast", "--target", "wasm32-unknown-unknown"])
        .args(["-p", "engine", "--test", "browser", "--test", "gpu_browser", "-p", "app", "--lib"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    c
}

/// The app's component tests in headless Firefox ESR through geckodriver (`webdriver.json`'s
/// `moz:firefoxOptions`). The engine's in-browser suites need WebGPU, which this Firefox lacks.
fn firefox_wasm_tests() -> Command {
    let mut c = cmd::cargo();
    c.args(["test", "--no-fail-fast", "--target", "wasm32-unknown-unknown", "-p", "app", "--lib"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env_remove("CHROMEDRIVER")
        .env("GECKODRIVER", tools::geckodriver())
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    c
}

/// The journeys against the release build in `dist/`: Playwright in Chromium, and
/// selenium-webdriver through geckodriver in Firefox (`tests/e2e/firefox*.mjs`).
fn e2e() -> Outcome {
    let listener = match serve::bind(0) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("xtask: {e}");
            return Outcome { name: "end-to-end", passed: 0, failed: 1, ok: false, seconds: 0.0, summaries: vec![] };
        }
    };
    let base = format!("http://{}/", listener.local_addr().map(|a| a.to_string()).unwrap_or_default());
    std::thread::spawn(move || serve::accept_forever(listener, cmd::root().join("dist")));
    let mut c = cmd::new("node");
    c.args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .arg("tests/e2e/")
        .env("BASE_URL", &base)
        .env("GECKODRIVER", tools::geckodriver());
    suite("end-to-end", &mut c)
}

/// Runs a suite, echoing its output and reading its summary lines: cargo's and wasm-bindgen-test's
/// `test result: ok. N passed; M failed`, node's `ℹ pass N` / `ℹ fail N`.
fn suite(name: &'static str, c: &mut Command) -> Outcome {
    println!("\n=== {name} ===");
    let start = Instant::now();
    let mut out = Outcome { name, passed: 0, failed: 0, ok: false, seconds: 0.0, summaries: vec![] };
    let mut child = match c.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("xtask: cannot start {c:?}: {e}");
            return out;
        }
    };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            read_summary(&line, &mut out);
        }
    }
    out.ok = child.wait().is_ok_and(|s| s.success());
    out.seconds = start.elapsed().as_secs_f64();
    out
}

fn read_summary(line: &str, out: &mut Outcome) {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("test result: ") {
        out.passed += count_before(rest, " passed");
        out.failed += count_before(rest, " failed");
        out.summaries.push(t.to_string());
    } else if let Some(n) = t.strip_prefix("ℹ pass ").or_else(|| t.strip_prefix("# pass ")) {
        out.passed += n.trim().parse::<u64>().unwrap_or(0);
        out.summaries.push(t.to_string());
    } else if let Some(n) = t.strip_prefix("ℹ fail ").or_else(|| t.strip_prefix("# fail ")) {
        out.failed += n.trim().parse::<u64>().unwrap_or(0);
        out.summaries.push(t.to_string());
    }
}

/// The number just before `word` in "ok. 12 passed; 0 failed; ...".
fn count_before(text: &str, word: &str) -> u64 {
    text.find(word)
        .and_then(|i| text[..i].rsplit([' ', '.']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
