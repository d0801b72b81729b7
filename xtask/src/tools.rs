//! Installing what is missing, from the package registries only: the wasm32 target (rustup),
//! trunk, wasm-bindgen-cli and geckodriver (crates.io), binaryen, playwright-core,
//! selenium-webdriver and axe-core (npm), and Debian's chromium, chromium-driver, firefox-esr and
//! mesa-vulkan-drivers (apt, when running as root). A second run finds everything and installs
//! nothing.

use crate::cmd;

/// Trunk 0.22 needs a newer rustc than this machine's 1.95.
const TRUNK_VERSION: &str = "0.21.14";
const APT_PACKAGES: [&str; 4] = ["chromium", "chromium-driver", "firefox-esr", "mesa-vulkan-drivers"];
/// Drives Debian's firefox-esr (153 ESR) for the Firefox suites.
const GECKODRIVER_VERSION: &str = "0.37.1";

/// What every web build needs: the wasm target, trunk, wasm-bindgen-cli, npm's tools.
pub fn ensure_web() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    let wb = wasm_bindgen_version()?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &wb, false)?;
    ensure_npm()
}

/// What native GPU runs need: Mesa's Vulkan drivers (lavapipe) where there is no other GPU.
pub fn ensure_native() -> Result<(), String> {
    ensure_apt(&["mesa-vulkan-drivers"])
}

/// Everything `cargo xtask test` needs.
pub fn ensure_all() -> Result<(), String> {
    ensure_apt(&APT_PACKAGES)?;
    ensure_cargo_tool("geckodriver", "geckodriver", GECKODRIVER_VERSION, true)?;
    ensure_web()
}

/// Where `cargo install` put geckodriver.
pub fn geckodriver() -> std::path::PathBuf {
    cmd::cargo_bin().join("geckodriver")
}

/// Builds the release site into `dist/`.
pub fn build_site() -> Result<(), String> {
    let t = std::time::Instant::now();
    cmd::run(cmd::new("trunk").args(["build", "--release"]))?;
    let index = cmd::root().join("dist/index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    std::fs::write(&index, crate::csp::allow_inline_scripts(&html)?).map_err(|e| format!("{}: {e}", index.display()))?;
    println!("xtask: built dist/ in {:.0} s", t.elapsed().as_secs_f64());
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = cmd::output(cmd::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    println!("xtask: installing the wasm32-unknown-unknown target");
    cmd::run(cmd::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_cargo_tool(bin: &str, krate: &str, version: &str, locked: bool) -> Result<(), String> {
    let have = cmd::output(cmd::new(bin).arg("--version")).unwrap_or_default();
    if have.split_whitespace().any(|w| w.trim_start_matches('v') == version) {
        return Ok(());
    }
    println!("xtask: installing {krate} {version} (once; takes minutes)");
    let mut c = cmd::cargo();
    c.args(["install", krate, "--version", version, "--force"]);
    if locked {
        c.arg("--locked");
    }
    cmd::run(&mut c)
}

/// The wasm-bindgen version in Cargo.lock: wasm-bindgen-cli must match it exactly.
fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn ensure_npm() -> Result<(), String> {
    let root = cmd::root();
    let ready = [
        "node_modules/.bin/wasm-opt",
        "node_modules/playwright-core/package.json",
        "node_modules/axe-core/axe.min.js",
        "node_modules/selenium-webdriver/package.json",
    ]
    .iter()
    .all(|p| root.join(p).exists());
    if ready {
        return Ok(());
    }
    if cmd::output(cmd::new("npm").arg("--version")).is_none() {
        ensure_apt(&["nodejs", "npm"])?;
    }
    println!("xtask: installing npm packages (binaryen, playwright-core, axe-core, selenium-webdriver)");
    cmd::run(cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

fn ensure_apt(packages: &[&str]) -> Result<(), String> {
    install_apt(packages, &[])
}

/// Like [`ensure_apt`], without the packages' recommendations (python3-torch recommends a
/// desktop's worth: Qt, OpenCV, GDAL).
pub fn ensure_apt_without_recommends(packages: &[&str]) -> Result<(), String> {
    install_apt(packages, &["--no-install-recommends"])
}

fn install_apt(packages: &[&str], flags: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            let status = cmd::output(cmd::new("dpkg-query").args(["-W", "-f=${Status}", p])).unwrap_or_default();
            !status.contains("install ok installed")
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = cmd::output(cmd::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    if !is_root {
        return Err(format!("missing Debian packages: {}; install them with apt-get (needs root)", missing.join(" ")));
    }
    println!("xtask: installing Debian packages: {}", missing.join(" "));
    cmd::run(cmd::new("apt-get").args(["update", "-qq"]))?;
    cmd::run(
        cmd::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq"])
            .args(flags)
            .args(&missing),
    )
}
