//! The benchmark workloads of issue #6, defined once for `dl101 bench` (native) and for the
//! browser bench page that `cargo xtask bench` drives (the wasm exports in `web.rs`).
//!
//! - W1: TensorFlow Playground's default, 2-4-2-1 tanh, MSE, SGD 0.03, batch 10, circle (250
//!   training points).
//! - W2: 2-64-64-64-2 ReLU, softmax cross-entropy, Adam 0.01, batch 64, spiral.
//! - W3: digits CNN: conv 8 3x3 same ReLU, max-pool 2, dense 10, softmax cross-entropy, Adam, batch 32.
//! - W4: LSTM 32 over 20 steps of 1 feature, dense 1, MSE, Adam, batch 32, sine windows.
//! - W5: square f32 GEMM (`GEMM_SIZES`).
//!
//! So that every engine trains on the same thing, [`export`] gives the training set exactly as
//! [`Trainer`] holds it, the batch order it will use (the same seeded shuffles), and its initial
//! weights (PyTorch layouts), as JSON.

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::backend::{Backend, Gemm, View};
use engine::data::{self, DatasetKind, Feature};
use engine::error::Result;
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::rng::{Rng, Stream};
use engine::spec::{DataSpec, LayerSpec, ModelSpec};
use engine::train::Trainer;

#[cfg(target_arch = "wasm32")]
mod web;

/// The training workloads.
pub const WORKLOADS: [&str; 4] = ["W1", "W2", "W3", "W4"];
/// W5's matrix sides.
pub const GEMM_SIZES: [usize; 5] = [64, 128, 256, 512, 1024];
/// Steps recorded per `Trainer::step` call inside a timed block (the page records a frame's
/// worth of steps per call; this keeps one submission from growing without bound).
pub const STEP_CHUNK: u32 = 256;

/// A one-line description of a workload.
pub fn describe(name: &str) -> &'static str {
    match name {
        "W1" => "2-4-2-1 tanh, MSE, SGD 0.03, batch 10, circle (250 train points)",
        "W2" => "2-64-64-64-2 ReLU + softmax, cross-entropy, Adam 0.01, batch 64, spiral (250 train points)",
        "W3" => "digits CNN: conv 8 3x3 same ReLU, maxpool 2, dense 10, Adam 0.001, batch 32",
        "W4" => "LSTM 32 x 20 steps x 1 feature, dense 1, MSE, Adam 0.001, batch 32, sine windows",
        "W5" => "square f32 GEMM",
        _ => "unknown workload",
    }
}

/// The model spec of a training workload, or `None` for an unknown name.
pub fn spec(name: &str) -> Option<ModelSpec> {
    let mut s = ModelSpec::default();
    let dense = |units, activation| LayerSpec::Dense { units, activation };
    match name {
        // ModelSpec::default() is TensorFlow Playground's opening page: circle, 500 points, half
        // of them for training, x1 and x2, 4 and 2 tanh, MSE, SGD 0.03, batch 10.
        "W1" => {}
        "W2" => {
            s.data = DataSpec { kind: DatasetKind::Spiral, points: 500, noise: 0, train_percent: 50 };
            s.layers = vec![dense(64, Activation::Relu), dense(64, Activation::Relu), dense(64, Activation::Relu)];
            s.loss = LossKind::SoftmaxCrossEntropy;
            s.optimizer.kind = OptimKind::Adam;
            s.optimizer.lr = 0.01;
            s.batch_size = 64;
        }
        "W3" => {
            s.data = DataSpec { kind: DatasetKind::Digits, points: 1797, noise: 0, train_percent: 80 };
            s.layers = vec![
                LayerSpec::Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: Activation::Relu },
                LayerSpec::MaxPool2d { kernel: 2, stride: 2 },
                LayerSpec::Flatten,
            ];
            s.loss = LossKind::SoftmaxCrossEntropy;
            s.optimizer.kind = OptimKind::Adam;
            s.optimizer.lr = 0.001;
            s.batch_size = 32;
        }
        "W4" => {
            s.data = DataSpec { kind: DatasetKind::Sine, points: 1000, noise: 0, train_percent: 80 };
            s.layers = vec![LayerSpec::Lstm { hidden: 32, return_sequences: false }];
            s.loss = LossKind::Mse;
            s.optimizer.kind = OptimKind::Adam;
            s.optimizer.lr = 0.001;
            s.batch_size = 32;
        }
        _ => return None,
    }
    Some(s)
}

/// The training set as the trainer holds it: `n` rows of `width` inputs and one target each
/// (±1 for W1's MSE, a class index for the cross-entropies, the value for regression).
pub struct TrainSet {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
    pub n: usize,
    pub width: usize,
}

/// Draws the training set the way `Trainer::new` does (same generators, same seeded streams).
pub fn train_set(spec: &ModelSpec) -> Result<TrainSet> {
    let d = spec.data;
    let noise = d.noise as f64 / 100.0;
    let mut data_rng = Rng::stream(spec.seed as u64, Stream::Data);
    let points = data::generate(d.kind, d.points as usize, noise, &mut data_rng);
    let mut split_rng = Rng::stream(spec.seed as u64, Stream::Split);
    let (train_points, _) = data::split(points, d.train_percent, &mut split_rng);
    let (train_samples, _) = data::samples(d.kind, d.points as usize, noise, d.train_percent, &mut data_rng, &mut split_rng)?;
    let encode = |label: f64| -> f32 {
        if d.kind.is_regression() {
            return label as f32;
        }
        let positive = label > 0.0;
        match spec.loss {
            LossKind::Mse => {
                if positive {
                    1.0
                } else {
                    -1.0
                }
            }
            _ => f32::from(positive),
        }
    };
    if d.kind.is_points() {
        let mut x = Vec::new();
        for p in &train_points {
            Feature::row(&spec.features, p.x, p.y, &mut x);
        }
        let y = train_points.iter().map(|p| encode(p.label)).collect();
        Ok(TrainSet { x, y, n: train_points.len(), width: spec.features.len() })
    } else {
        let class_index = spec.loss == LossKind::SoftmaxCrossEntropy || d.kind.is_regression();
        let y = train_samples.labels.iter().map(|&l| if class_index { l } else { encode(if l > 0.5 { 1.0 } else { -1.0 }) }).collect();
        Ok(TrainSet { x: train_samples.x.clone(), y, n: train_samples.len(), width: train_samples.width })
    }
}

/// The rows the trainer visits, epoch after epoch, for `epochs` epochs: the seeded shuffle of
/// `Trainer` (one shuffle at the start, one more after each epoch, each of the previous order).
/// Batches are consecutive runs of `batch_size` rows within an epoch; an epoch's last may be short.
pub fn batch_order(spec: &ModelSpec, n: usize, epochs: usize) -> Vec<u32> {
    let mut rng = Rng::stream(spec.seed as u64, Stream::Shuffle);
    let mut order: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let mut all = Vec::with_capacity(n * epochs);
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        all.extend(order.iter().map(|&i| i as u32));
    }
    all
}

/// One timed block: `n` training steps, then a read-back of the parameters, so that on the GPU
/// the block ends only when the device has finished every step.
pub async fn train_block<B: Backend>(t: &mut Trainer<B>, n: u32) -> Result<()> {
    let mut left = n;
    while left > 0 {
        let k = left.min(STEP_CHUNK);
        t.step(k)?;
        left -= k;
    }
    t.parameters().await?;
    Ok(())
}

/// W5 on one backend: `C = A·B` for square `n × n` matrices resident on the device.
pub struct GemmBench<B: Backend> {
    pub backend: B,
    n: usize,
    a: B::Buffer,
    b: B::Buffer,
    c: B::Buffer,
}

impl<B: Backend> GemmBench<B> {
    /// Uploads two seeded random matrices.
    pub fn new(mut backend: B, n: usize) -> Result<Self> {
        let mut rng = Rng::new(7);
        let mut fill = |backend: &mut B| -> Result<B::Buffer> {
            let data: Vec<f32> = (0..n * n).map(|_| rng.uniform(-1.0, 1.0) as f32).collect();
            let buf = backend.alloc(n * n)?;
            backend.write(&View::whole(buf.clone(), n * n), &data)?;
            Ok(buf)
        };
        let a = fill(&mut backend)?;
        let b = fill(&mut backend)?;
        let c = backend.alloc(n * n)?;
        Ok(GemmBench { backend, n, a, b, c })
    }

    /// One timed block: `reps` products, then a read-back of one element of `C` (which waits for
    /// the GPU to finish them all).
    pub async fn block(&mut self, reps: u32) -> Result<()> {
        let n = self.n;
        let g = Gemm { m: n, n, k: n, trans_a: false, trans_b: false, accumulate: false };
        for _ in 0..reps {
            self.backend.gemm(g, &View::whole(self.a.clone(), n * n), &View::whole(self.b.clone(), n * n), None, &View::whole(self.c.clone(), n * n))?;
        }
        self.backend.read(&View::whole(self.c.clone(), 1)).await?;
        Ok(())
    }

    /// Floating-point operations of one product.
    pub fn flops(&self) -> f64 {
        2.0 * (self.n as f64).powi(3)
    }
}

/// Everything the other engines need to train a workload as ours does, as JSON: the spec, the
/// training set, `epochs` epochs of batch order, and the initial parameters of every layer
/// (PyTorch layouts: dense `[out, in]`, conv2d `[O, C, KH, KW]`, LSTM `weight_ih [4H, I]`,
/// `weight_hh [4H, H]`, gates i, f, g, o, two biases).
pub async fn export(name: &str, epochs: usize) -> Result<String> {
    let spec = spec(name).ok_or_else(|| engine::EngineError::InvalidSpec(format!("unknown workload {name}")))?;
    let set = train_set(&spec)?;
    let mut t = Trainer::new(CpuBackend::new(), &spec)?;
    let params = t.parameters().await?;
    // The other engines check their conversion of the weights and data against this.
    let initial = t.metrics().await?;
    let layers: Vec<serde_json::Value> = params
        .iter()
        .map(|p| {
            serde_json::json!({
                "kind": p.kind,
                "units": p.units,
                "fan_in": p.fan_in,
                "weight_shape": p.weight_shape,
                "weight": p.weight,
                "bias": p.bias,
                "weight_hh": p.weight_hh,
                "bias_hh": p.bias_hh,
            })
        })
        .collect();
    let out = spec.output();
    Ok(serde_json::json!({
        "workload": name,
        "description": describe(name),
        "spec": serde_json::from_str::<serde_json::Value>(&spec.to_json()).unwrap_or_default(),
        "batch": spec.batch_size,
        "n": set.n,
        "width": set.width,
        "outputs": out.units,
        "output_activation": out.activation.id(),
        "x": set.x,
        "y": set.y,
        "order": batch_order(&spec, set.n, epochs),
        "initial_train_loss": initial.train_loss,
        "layers": layers,
    })
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_builds_and_its_export_matches_the_trainer() {
        for w in WORKLOADS {
            let s = spec(w).unwrap();
            let t = Trainer::new(CpuBackend::new(), &s).unwrap();
            let set = train_set(&s).unwrap();
            assert_eq!(set.x.len(), set.n * set.width, "{w}");
            if s.data.kind.is_points() {
                assert_eq!(set.n, t.train_points().len(), "{w}");
                let first = t.train_points()[0];
                assert_eq!(set.x[0], first.x as f32, "{w}");
            }
            assert_eq!(batch_order(&s, set.n, 2).len(), 2 * set.n);
        }
        assert_eq!(spec("W1").unwrap().data.points * spec("W1").unwrap().data.train_percent / 100, 250);
    }
}
