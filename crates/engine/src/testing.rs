//! Test scenarios written once, generic over [`Backend`], so that the CPU tests and the GPU
//! tests run exactly the same experiments: the learning tests of the issue (spiral, xor,
//! all-linear circle, binary step) and the conformance vectors of the ops the engine implements.
//!
//! Each scenario returns `Ok(report)` when the property holds and `Err(message)` when it does not.
//! [`learning_tests!`](crate::learning_tests) and [`conformance_tests!`](crate::conformance_tests)
//! turn them into `#[test]` functions for a backend:
//!
//! ```no_run
//! engine::learning_tests!(|| pollster::block_on(engine::backend::gpu::GpuBackend::acquire()).unwrap());
//! ```


pub mod layers;

use crate::activation::Activation;
use crate::backend::Backend;
use crate::data::{DatasetKind, Feature};
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::spec::{DataSpec, LayerSpec, ModelSpec, OptimizerSpec};
use crate::train::{Metrics, Trainer};

/// Blocks on a future (native tests only; the browser awaits instead).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// What a learning scenario reached.
#[derive(Clone, Debug)]
pub struct LearnReport {
    /// Epochs trained.
    pub epochs: u32,
    /// The last metrics read.
    pub last: Metrics,
    /// The best test accuracy seen.
    pub best_test_accuracy: f32,
}

#[allow(clippy::too_many_arguments)]
/// A two-class spec on `kind` with the given hidden layers (all `act`), features and optimizer.
pub fn spec(
    kind: DatasetKind,
    features: &[Feature],
    hidden: &[u32],
    act: Activation,
    loss: LossKind,
    optim: OptimKind,
    lr: f32,
    seed: u32,
) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind, points: 500, noise: 0, train_percent: 50 };
    s.features = features.to_vec();
    s.layers = hidden.iter().map(|&units| LayerSpec::Dense { units, activation: act }).collect();
    s.loss = loss;
    s.optimizer = OptimizerSpec { kind: optim, lr, ..s.optimizer };
    s.batch_size = 10;
    s.seed = seed;
    s
}

/// Spiral, two hidden tanh layers of 12 (features x₁, x₂, sin x₁, sin x₂), BCE, Adam 0.03.
pub fn spiral_tanh_spec() -> ModelSpec {
    let f = [Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2];
    spec(DatasetKind::Spiral, &f, &[12, 12], Activation::Tanh, LossKind::SigmoidBce, OptimKind::Adam, 0.03, 1)
}

/// Xor on x₁, x₂, two hidden ReLU layers of 8, BCE, Adam 0.03.
pub fn xor_relu_spec() -> ModelSpec {
    let f = [Feature::X1, Feature::X2];
    spec(DatasetKind::Xor, &f, &[8, 8], Activation::Relu, LossKind::SigmoidBce, OptimKind::Adam, 0.03, 1)
}

/// Circle on x₁, x₂ with two hidden *linear* layers: the whole network is one linear map, its
/// decision boundary a straight line.
pub fn circle_linear_spec() -> ModelSpec {
    let f = [Feature::X1, Feature::X2];
    spec(DatasetKind::Circle, &f, &[8, 8], Activation::Linear, LossKind::SigmoidBce, OptimKind::Adam, 0.03, 1)
}

/// Circle with two hidden binary-step layers: no gradient reaches the hidden weights.
pub fn binary_step_spec() -> ModelSpec {
    let f = [Feature::X1, Feature::X2];
    spec(DatasetKind::Circle, &f, &[8, 8], Activation::BinaryStep, LossKind::SigmoidBce, OptimKind::Adam, 0.03, 1)
}

/// Trains `spec` for at most `max_epochs`, reading metrics every `every` epochs, and stops as
/// soon as the test accuracy reaches `target` (pass `f32::INFINITY` to train all epochs).
pub async fn train_until<B: Backend>(
    backend: B,
    spec: &ModelSpec,
    max_epochs: u32,
    every: u32,
    target: f32,
) -> Result<LearnReport, String> {
    let mut t = Trainer::new(backend, spec).map_err(|e| e.to_string())?;
    let mut best = 0.0f32;
    loop {
        t.step_epochs(every.max(1)).map_err(|e| e.to_string())?;
        let m = t.metrics().await.map_err(|e| e.to_string())?;
        if m.diverged() {
            return Err(format!("diverged at epoch {}: {m:?}", m.epoch));
        }
        let acc = m.test_accuracy.unwrap_or(0.0);
        best = best.max(acc);
        if acc >= target || m.epoch >= max_epochs {
            return Ok(LearnReport { epochs: m.epoch, last: m, best_test_accuracy: best });
        }
    }
}

/// Spiral with two tanh layers reaches 95 % test accuracy within 50 epochs.
pub async fn spiral_tanh_learns<B: Backend>(backend: B) -> Result<LearnReport, String> {
    let r = train_until(backend, &spiral_tanh_spec(), 50, 2, 0.95).await?;
    if r.best_test_accuracy < 0.95 {
        return Err(format!("spiral/tanh reached only {:.1}% test accuracy in {} epochs", r.best_test_accuracy * 100.0, r.epochs));
    }
    Ok(r)
}

/// Xor with ReLU reaches 95 % test accuracy within 50 epochs.
pub async fn xor_relu_learns<B: Backend>(backend: B) -> Result<LearnReport, String> {
    let r = train_until(backend, &xor_relu_spec(), 50, 2, 0.95).await?;
    if r.best_test_accuracy < 0.95 {
        return Err(format!("xor/relu reached only {:.1}% test accuracy in {} epochs", r.best_test_accuracy * 100.0, r.epochs));
    }
    Ok(r)
}

/// An all-linear network on circle never passes 60 % test accuracy in 40 epochs (a straight line
/// cannot separate a disc from the ring around it), though it trains without diverging.
pub async fn circle_linear_cannot<B: Backend>(backend: B) -> Result<LearnReport, String> {
    let r = train_until(backend, &circle_linear_spec(), 40, 4, f32::INFINITY).await?;
    if r.best_test_accuracy > 0.60 {
        return Err(format!("an all-linear network reached {:.1}% on circle", r.best_test_accuracy * 100.0));
    }
    Ok(r)
}

/// A binary-step network does not learn: after 10 epochs every hidden weight gradient is exactly
/// zero and every hidden weight is bit-for-bit where it started.
pub async fn binary_step_does_not_learn<B: Backend>(backend: B) -> Result<LearnReport, String> {
    let spec = binary_step_spec();
    let mut t = Trainer::new(backend, &spec).map_err(|e| e.to_string())?;
    let before = t.parameters().await.map_err(|e| e.to_string())?;
    t.step_epochs(10).map_err(|e| e.to_string())?;
    let after = t.parameters().await.map_err(|e| e.to_string())?;
    let grads = t.gradients().await.map_err(|e| e.to_string())?;
    let hidden = spec.layers.len();
    for l in 0..hidden {
        if let Some(g) = grads[l].weight.iter().chain(&grads[l].bias).find(|g| **g != 0.0) {
            return Err(format!("hidden layer {l} got a non-zero gradient {g}"));
        }
        if before[l] != after[l] {
            return Err(format!("hidden layer {l} changed although its gradient is zero"));
        }
    }
    // The output layer does get gradients: the zero comes from the step function, not a bug
    // that stops all training.
    if before[hidden] == after[hidden] {
        return Err("the output layer did not change either: nothing trained at all".into());
    }
    let m = t.metrics().await.map_err(|e| e.to_string())?;
    Ok(LearnReport { epochs: m.epoch, last: m, best_test_accuracy: m.test_accuracy.unwrap_or(0.0) })
}

/// The ops of the conformance vectors the engine implements; the others are expected to fail as
/// "not supported" until their issue lands.
pub const IMPLEMENTED_OPS: [&str; 8] = ["dense", "activation", "loss", "optimizer", "conv2d", "maxpool2d", "avgpool2d", "rnn"];

/// The folder of conformance vectors: `$DL101_VECTORS` if set, else the first of
/// `conformance/vectors` and `tests/conformance/vectors` in the workspace, else the shared
/// checkout's `/work/shared/conformance/vectors`, that exists.
#[cfg(not(target_arch = "wasm32"))]
pub fn vectors_dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    if let Some(d) = std::env::var_os("DL101_VECTORS") {
        return Some(PathBuf::from(d));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    [root.join("conformance/vectors"), root.join("tests/conformance/vectors"), PathBuf::from("/work/shared/conformance/vectors")]
        .into_iter()
        .find(|p| p.is_dir())
}

/// The convolution, pooling and recurrent ops: the CPU backend passes all of them; another
/// backend may still report them as not supported.
pub const LAYER_OPS: [&str; 4] = ["conv2d", "maxpool2d", "avgpool2d", "rnn"];

/// Runs every vector of [`vectors_dir`] on `backend`: all of [`IMPLEMENTED_OPS`] must pass (and
/// there must be at least `min_cases` of them); every other op must be reported as a failure.
/// Returns the number of passing cases.
#[cfg(not(target_arch = "wasm32"))]
pub fn conformance_implemented<B: Backend>(backend: &mut B, min_cases: usize) -> Result<usize, String> {
    let dir = vectors_dir().ok_or("no conformance vectors found (set DL101_VECTORS)")?;
    let results = crate::conformance::run_dir_blocking(&dir, backend).map_err(|e| e.to_string())?;
    let mut failures = Vec::new();
    let mut passed = 0;
    for r in &results {
        let implemented = IMPLEMENTED_OPS.contains(&r.op.as_str());
        // Layer ops a backend has not implemented yet must say so ("not supported"); any other
        // failure of them is a wrong answer.
        let pending = LAYER_OPS.contains(&r.op.as_str()) && r.message.contains("not supported");
        match (implemented, r.passed) {
            (true, true) => passed += 1,
            (true, false) if pending => {}
            (true, false) => failures.push(format!("{}: {}", r.file, r.message)),
            (false, true) => failures.push(format!("{}: op {} passed but is not implemented?", r.file, r.op)),
            (false, false) => {}
        }
    }
    if !failures.is_empty() {
        return Err(failures.join("\n"));
    }
    if passed < min_cases {
        return Err(format!("only {passed} cases of the implemented ops in {}", dir.display()));
    }
    Ok(passed)
}

/// `#[test]` functions running the learning scenarios on the backend that `$make()` returns.
///
/// ```no_run
/// engine::learning_tests!(engine::backend::cpu::CpuBackend::new);
/// ```
#[macro_export]
macro_rules! learning_tests {
    ($make:expr) => {
        $crate::learning_tests!(@one spiral_tanh_reaches_95_percent, spiral_tanh_learns, $make);
        $crate::learning_tests!(@one xor_relu_reaches_95_percent, xor_relu_learns, $make);
        $crate::learning_tests!(@one circle_all_linear_stays_below_60_percent, circle_linear_cannot, $make);
        $crate::learning_tests!(@one binary_step_gets_no_gradient, binary_step_does_not_learn, $make);
    };
    (@one $name:ident, $scenario:ident, $make:expr) => {
        #[test]
        fn $name() {
            let backend = ($make)();
            let report = $crate::testing::block_on($crate::testing::$scenario(backend));
            match report {
                Ok(r) => eprintln!("{}: {} epochs, best test accuracy {:.1}%", stringify!($name), r.epochs, r.best_test_accuracy * 100.0),
                Err(e) => panic!("{}: {e}", stringify!($name)),
            }
        }
    };
}

/// A `#[test]` that runs the conformance vectors of the implemented ops on `$make()`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        #[test]
        fn conformance_vectors_of_implemented_ops_pass() {
            let mut backend = ($make)();
            match $crate::testing::conformance_implemented(&mut backend, 28) {
                Ok(n) => eprintln!("{n} conformance cases passed"),
                Err(e) => panic!("{e}"),
            }
        }
    };
}
