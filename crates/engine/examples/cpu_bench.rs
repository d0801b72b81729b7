//! Timing program for the CPU backend (not a test: it asserts nothing about speed).
//!
//! Natively: `cargo run --release -p engine --example cpu_bench [quick]`.
//! In V8: `cargo build --release -p engine --example cpu_bench --target wasm32-unknown-unknown`,
//! then `node crates/engine/examples/cpu_bench.mjs <path to cpu_bench.wasm> [quick]`; the host
//! supplies a millisecond clock and a line printer (`env.now_ms`, `env.print`), nothing else.
//!
//! Prints GFLOP/s of square f32 GEMMs (every transpose variant the layers use) and the samples/s
//! of the workloads W1–W4 trained by [`Trainer`] on [`CpuBackend`].

use engine::activation::Activation;
use engine::backend::Gemm;
use engine::backend::cpu::CpuBackend;
use engine::backend::cpu::gemm::gemm;
use engine::data::{DatasetKind, Feature};
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::spec::{DataSpec, LayerSpec, ModelSpec, OptimizerSpec};
use engine::train::Trainer;

#[cfg(target_arch = "wasm32")]
mod host {
    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        fn now_ms() -> f64;
        fn print(ptr: *const u8, len: usize);
    }
    pub fn now() -> f64 {
        unsafe { now_ms() / 1000.0 }
    }
    pub fn line(s: &str) {
        unsafe { print(s.as_ptr(), s.len()) }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod host {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    /// Seconds of wall time, or with `BENCH_CLOCK=cpu` this thread's CPU time (Linux), which is
    /// steadier on a busy machine.
    pub fn now() -> f64 {
        static CPU: OnceLock<bool> = OnceLock::new();
        if *CPU.get_or_init(|| std::env::var_os("BENCH_CLOCK").is_some_and(|v| v == "cpu"))
            && let Some(ns) = std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next().and_then(|t| t.parse::<u64>().ok()))
        {
            return ns as f64 * 1e-9;
        }
        START.get_or_init(Instant::now).elapsed().as_secs_f64()
    }
    pub fn line(s: &str) {
        println!("{s}");
    }
}

macro_rules! out {
    ($($t:tt)*) => { host::line(&format!($($t)*)) };
}

/// Best time per call of `f` over rounds of about `budget / 8` seconds each, for `budget` seconds.
fn time(budget: f64, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let mut reps = 1u32;
    let round = |reps: u32, f: &mut dyn FnMut()| {
        let t0 = host::now();
        for _ in 0..reps {
            f();
        }
        host::now() - t0
    };
    while round(reps, &mut f) < budget / 8.0 {
        reps *= 2;
    }
    let start = host::now();
    let mut best = f64::INFINITY;
    while host::now() - start < budget {
        best = best.min(round(reps, &mut f) / reps as f64);
    }
    best
}

fn gemm_bench(quick: bool) {
    let sizes: &[usize] = if quick { &[64, 256, 1024] } else { &[64, 128, 256, 512, 768, 1024] };
    let variants = [(false, false, "NN"), (false, true, "NT"), (true, false, "TN")];
    for &n in sizes {
        let a: Vec<f32> = (0..n * n).map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.1).collect();
        let b: Vec<f32> = (0..n * n).map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.1).collect();
        let mut c = vec![0.0f32; n * n];
        let mut row = format!("gemm n={n:5}:");
        for &(ta, tb, name) in &variants {
            let g = Gemm { m: n, n, k: n, trans_a: ta, trans_b: tb, accumulate: false };
            let budget = if quick { 0.3 } else { 0.6 };
            let t = time(budget, || gemm(g, &a, &b, None, &mut c));
            let gflops = 2.0 * (n * n * n) as f64 / t / 1e9;
            row += &format!("  {name} {gflops:6.2} GFLOP/s");
        }
        out!("{row}");
    }
}

fn base(kind: DatasetKind, points: u32, layers: Vec<LayerSpec>, loss: LossKind, optim: OptimKind, lr: f32, batch: u32) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind, points, noise: 0, train_percent: 80 };
    s.layers = layers;
    s.loss = loss;
    s.optimizer = OptimizerSpec { kind: optim, lr, ..s.optimizer };
    s.batch_size = batch;
    s.seed = 1;
    s
}

fn workloads() -> Vec<(&'static str, ModelSpec)> {
    let dense = |units, activation| LayerSpec::Dense { units, activation };
    let mut w1 = base(
        DatasetKind::Circle,
        250,
        vec![dense(4, Activation::Tanh), dense(2, Activation::Tanh)],
        LossKind::Mse,
        OptimKind::Sgd,
        0.03,
        10,
    );
    w1.data.train_percent = 50;
    w1.features = vec![Feature::X1, Feature::X2];
    let mut w2 = base(
        DatasetKind::Spiral,
        1000,
        vec![dense(64, Activation::Relu), dense(64, Activation::Relu), dense(64, Activation::Relu)],
        LossKind::SoftmaxCrossEntropy,
        OptimKind::Adam,
        0.01,
        64,
    );
    w2.features = vec![Feature::X1, Feature::X2];
    let w3 = base(
        DatasetKind::Digits,
        1797,
        vec![
            LayerSpec::Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: Activation::Relu },
            LayerSpec::MaxPool2d { kernel: 2, stride: 2 },
            LayerSpec::Flatten,
        ],
        LossKind::SoftmaxCrossEntropy,
        OptimKind::Adam,
        0.01,
        32,
    );
    let w4 = base(
        DatasetKind::Sine,
        600,
        vec![LayerSpec::Lstm { hidden: 32, return_sequences: false }],
        LossKind::Mse,
        OptimKind::Adam,
        0.01,
        32,
    );
    vec![("W1 2-4-2-1 tanh sgd b10", w1), ("W2 2-64x3-2 relu adam b64", w2), ("W3 digits cnn adam b32", w3), ("W4 lstm32x20 adam b32", w4)]
}

fn train_bench(quick: bool) {
    for (name, spec) in workloads() {
        let mut t = match Trainer::new(CpuBackend::new(), &spec) {
            Ok(t) => t,
            Err(e) => {
                out!("{name}: {e}");
                continue;
            }
        };
        let batch = spec.batch_size as f64;
        let chunk = 20;
        t.step(chunk).unwrap();
        let budget = if quick { 0.5 } else { 1.5 };
        let start = host::now();
        let mut steps = 0u64;
        while host::now() - start < budget {
            t.step(chunk).unwrap();
            steps += chunk as u64;
        }
        let dt = host::now() - start;
        let m = ready(t.metrics()).unwrap();
        out!(
            "{name:28}: {:9.0} steps/s {:9.0} samples/s  (train loss {:.4} after {} steps)",
            steps as f64 / dt,
            steps as f64 * batch / dt,
            m.train_loss,
            t.steps()
        );
    }
}

/// Polls a future that the CPU backend has already completed.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the CPU backend's futures are ready at once"),
    }
}

fn run(args: &str) {
    let quick = args.contains("quick");
    if !args.contains("train") {
        gemm_bench(quick);
    }
    if !args.contains("gemm") {
        train_bench(quick);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args.join(" "));
}

#[cfg(target_arch = "wasm32")]
fn main() {}

/// The wasm entry point: `mode` bit 0 = quick, bit 1 = GEMM only, bit 2 = training only.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn bench(mode: u32) {
    let mut args = String::new();
    if mode & 1 != 0 {
        args += " quick";
    }
    if mode & 2 != 0 {
        args += " gemm";
    }
    if mode & 4 != 0 {
        args += " train";
    }
    run(&args);
}
