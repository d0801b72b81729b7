//! The automatic device choice, measured on the learner's machine instead of assumed: a few
//! milliseconds of training steps of the current model on the CPU and on WebGPU, each timed block
//! ending with a read-back so that the GPU's figure includes finishing its work. Figures are
//! cached per model shape (the spec without its seed, learning rate and noise, which do not
//! change a step's cost) for the page's life, so a learner who only changes the learning rate
//! does not pay for a second measurement. The lesson on why GPUs (`panels/devices.rs`) uses the
//! same timing for longer, at growing widths.

use std::cell::RefCell;
use std::collections::HashMap;

use engine::backend::Backend;
use engine::spec::ModelSpec;
use engine::train::Trainer;

/// Steps per second of one model on each device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    pub cpu: f64,
    pub gpu: f64,
}

impl Rates {
    pub fn gpu_wins(&self) -> bool {
        self.gpu > self.cpu
    }
}

/// Milliseconds of work the automatic choice spends on each device (after one warm-up step).
pub const CALIBRATION_MS: f64 = 12.0;

thread_local! {
    static MEASURED: RefCell<HashMap<String, Rates>> = RefCell::new(HashMap::new());
}

/// What a step's cost depends on: the spec without seed, learning rate and noise.
pub fn shape_key(spec: &ModelSpec) -> String {
    let mut s = spec.clone();
    s.seed = 0;
    s.optimizer.lr = 0.0;
    s.data.noise = 0;
    s.to_json()
}

/// The figures measured for this model's shape, if any.
pub fn cached(spec: &ModelSpec) -> Option<Rates> {
    MEASURED.with(|m| m.borrow().get(&shape_key(spec)).copied())
}

pub fn remember(spec: &ModelSpec, rates: Rates) {
    MEASURED.with(|m| m.borrow_mut().insert(shape_key(spec), rates));
}

/// Trains `spec` on `backend` for about `budget_ms` of work and returns the steps per second,
/// with the backend back (also when the trainer cannot be built: then the error). Work runs in
/// blocks of at most `block_ms`, with `between` awaited after each (the page passes the next
/// animation frame, so a long measurement never freezes it); only the blocks are timed.
pub async fn steps_per_sec<B: Backend, F: std::future::Future<Output = ()>>(
    backend: B,
    spec: &ModelSpec,
    budget_ms: f64,
    block_ms: f64,
    now: impl Fn() -> f64,
    between: impl Fn() -> F,
) -> (engine::Result<f64>, Option<B>) {
    let mut t = match Trainer::new(backend, spec) {
        Ok(t) => t,
        Err(e) => return (Err(e), None),
    };
    let result = async {
        // Warm-up: the first step builds pipelines and bind groups.
        t.step(1)?;
        t.parameters().await?;
        let (mut steps, mut spent, mut n) = (0u64, 0.0f64, 1u32);
        while spent < budget_ms {
            let started = now();
            t.step(n)?;
            t.parameters().await?;
            let took = (now() - started).max(1e-3);
            spent += took;
            steps += u64::from(n);
            // Grow the block towards `block_ms`, at most fourfold at a time.
            n = ((f64::from(n) * block_ms / took) as u32).clamp(1, n.saturating_mul(4));
            if spent < budget_ms {
                between().await;
            }
        }
        Ok(steps as f64 / (spent / 1000.0))
    }
    .await;
    (result, Some(t.into_backend()))
}
