//! [`Trainer`]: what the page drives. It builds the data set and the network from a
//! [`ModelSpec`], keeps the data resident on the device, and records training steps that never
//! read back to the host; metrics, predictions and weights come back only through `async` calls,
//! so the browser's event loop never blocks.
//!
//! ```
//! use engine::backend::cpu::CpuBackend;
//! use engine::spec::ModelSpec;
//! use engine::train::Trainer;
//!
//! let mut t = Trainer::new(CpuBackend::new(), &ModelSpec::default()).unwrap();
//! t.step(50).unwrap();
//! let m = pollster::block_on(t.metrics()).unwrap();
//! assert_eq!(m.step, 50);
//! assert!(m.train_loss.is_finite());
//! ```

use crate::backend::{Backend, LossOp, View};
use crate::data::{self, Feature, Point, Samples};
use crate::error::{EngineError, Result};
use crate::loss::LabelEncoding;
use crate::model::{LayerParams, Model};
use crate::rng::{Rng, Stream};
use crate::spec::{ModelSpec, OutputSpec};

mod load;
mod diagnostics;
mod resume;
mod views;

pub use diagnostics::{Diagnostics, LayerDiagnostics, MaxoutWins, Severity, Warning, WarningKind};
pub use resume::Snapshot;
pub use views::{FeatureMap, HiddenStates, Predictions};

/// Scratch rows are capped so that activations of a big network stay within this many floats;
/// evaluation then runs in chunks.
const SCRATCH_FLOATS: usize = 16 << 20;

/// Where training stands, read back from the device.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    /// Completed passes over the training set.
    pub epoch: u32,
    /// Mini-batch steps taken.
    pub step: u64,
    pub train_loss: f32,
    pub test_loss: f32,
    /// Share of points classified right, in [0, 1]; `None` for regression.
    pub train_accuracy: Option<f32>,
    pub test_accuracy: Option<f32>,
}

impl Metrics {
    /// Training has diverged (a loss is NaN or infinite): the page should say so and suggest a
    /// smaller learning rate, rather than draw garbage.
    pub fn diverged(&self) -> bool {
        !(self.train_loss.is_finite() && self.test_loss.is_finite())
    }
}

/// A data split resident on the device: features `[n, F]` and targets `[n, target_width]`.
struct DeviceSet<B: Backend> {
    x: B::Buffer,
    y: B::Buffer,
    n: usize,
}

/// Trains one model on one backend.
pub struct Trainer<B: Backend> {
    backend: B,
    spec: ModelSpec,
    output: OutputSpec,
    model: Model<B>,
    train_points: Vec<Point>,
    test_points: Vec<Point>,
    /// Image and sequence data sets (empty for the 2-D point sets).
    train_samples: Samples,
    test_samples: Samples,
    train: DeviceSet<B>,
    test: DeviceSet<B>,
    target_width: usize,
    /// Mini-batch inputs and targets, gathered on the device.
    xb: B::Buffer,
    yb: B::Buffer,
    /// This epoch's order of the training rows (as floats, for `gather_rows`).
    index: B::Buffer,
    order: Vec<f32>,
    /// The step loss (written, never read: metrics recompute losses over whole sets).
    step_loss: B::Buffer,
    /// Probabilities for `predict`.
    probs: B::Buffer,
    /// Per-chunk losses and correct counts of `metrics`, read back in one transfer.
    metrics_out: B::Buffer,
    shuffle: Rng,
    cursor: usize,
    epoch: u32,
    step: u64,
}

impl<B: Backend> Trainer<B> {
    /// Validates `spec`, draws its data set, builds and initialises its network on `backend`
    /// and uploads the data. Everything random comes from `spec.seed`.
    pub fn new(mut backend: B, spec: &ModelSpec) -> Result<Self> {
        spec.validate()?;
        let d = spec.data;
        let mut data_rng = Rng::stream(spec.seed as u64, Stream::Data);
        let points = if d.kind == data::DatasetKind::Custom {
            data::custom::points(&spec.custom_points)
        } else {
            data::generate(d.kind, d.points as usize, d.noise as f64 / 100.0, &mut data_rng)
        };
        let mut split_rng = Rng::stream(spec.seed as u64, Stream::Split);
        let (train_points, test_points) = data::split(points, d.train_percent, &mut split_rng);
        let (train_samples, test_samples) =
            data::samples(d.kind, d.points as usize, d.noise as f64 / 100.0, d.train_percent, &mut data_rng, &mut split_rng)?;
        let (n_train, n_test) =
            if d.kind.is_points() { (train_points.len(), test_points.len()) } else { (train_samples.len(), test_samples.len()) };
        if n_train == 0 || n_test == 0 {
            return Err(EngineError::InvalidSpec("data: the split leaves no training or no test points".into()));
        }

        let output = spec.output();
        let target_width = spec.loss.target_width(output.units);
        let batch = (spec.batch_size as usize).min(n_train);
        let input_width = crate::plan::input_shape(d.kind, spec.features.len()).len();
        let widths: usize = Model::<B>::scratch_per_sample(spec) + input_width + target_width + output.units;
        let want = n_train.max(n_test);
        let capacity = want.min((SCRATCH_FLOATS / widths.max(1)).max(1)).max(batch);
        let model = Model::new(&mut backend, spec, capacity)?;

        let (train, test) = if d.kind.is_points() {
            (upload(&mut backend, spec, &train_points, target_width)?, upload(&mut backend, spec, &test_points, target_width)?)
        } else {
            (upload_samples(&mut backend, spec, &train_samples)?, upload_samples(&mut backend, spec, &test_samples)?)
        };
        let f = input_width;
        let xb = backend.alloc(capacity * f)?;
        let yb = backend.alloc(capacity * target_width)?;
        let index = backend.alloc(train.n)?;
        let step_loss = backend.alloc(1)?;
        let probs = backend.alloc(capacity * output.units)?;
        let metrics_out = backend.alloc(2 * (train.n.div_ceil(capacity) + test.n.div_ceil(capacity)))?;

        let mut t = Trainer {
            backend,
            spec: spec.clone(),
            output,
            model,
            train_points,
            test_points,
            train_samples,
            test_samples,
            train,
            test,
            target_width,
            xb,
            yb,
            index,
            order: Vec::new(),
            step_loss,
            probs,
            metrics_out,
            shuffle: Rng::stream(spec.seed as u64, Stream::Shuffle),
            cursor: 0,
            epoch: 0,
            step: 0,
        };
        t.order = (0..t.train.n).map(|i| i as f32).collect();
        t.reshuffle()?;
        Ok(t)
    }

    /// Draws a new order of the training rows and uploads it (ordered with the recorded ops).
    fn reshuffle(&mut self) -> Result<()> {
        self.shuffle.shuffle(&mut self.order);
        let n = self.train.n;
        self.backend.write(&View::whole(self.index.clone(), n), &self.order)
    }

    /// Records `n` mini-batch steps (gather, forward, loss, backward, optimizer update) and
    /// submits them. Each epoch visits every training point once, in an order drawn from the
    /// seed; its last batch may be smaller. Nothing is read back.
    pub fn step(&mut self, n: u32) -> Result<()> {
        let f = self.model.input_width;
        let tw = self.target_width;
        let batch = (self.spec.batch_size as usize).min(self.train.n);
        for _ in 0..n {
            let rows = batch.min(self.train.n - self.cursor);
            let idx = View { buf: self.index.clone(), offset: self.cursor, len: rows };
            let x = View::whole(self.xb.clone(), rows * f);
            let y = View::whole(self.yb.clone(), rows * tw);
            let b = &mut self.backend;
            b.gather_rows(&View::whole(self.train.x.clone(), self.train.n * f), f, &idx, &x)?;
            b.gather_rows(&View::whole(self.train.y.clone(), self.train.n * tw), tw, &idx, &y)?;
            let pred = self.model.forward(b, rows, &x)?;
            let op = LossOp { kind: self.spec.loss, rows, cols: self.output.units };
            b.loss(op, &pred, &y, &self.model.output_grad(rows), &View::whole(self.step_loss.clone(), 1))?;
            self.model.backward(b, rows, &x)?;
            self.step += 1;
            let t = u32::try_from(self.step).unwrap_or(u32::MAX);
            let m = &self.model;
            b.optim_step(&self.spec.optim_step(t), &m.params, &m.grads, &m.m, &m.v)?;
            self.cursor += rows;
            if self.cursor >= self.train.n {
                self.cursor = 0;
                self.epoch += 1;
                self.reshuffle()?;
            }
        }
        self.backend.submit()
    }

    /// Records `epochs` whole passes over the training set (from the current position: the first
    /// may finish a partly done epoch).
    pub fn step_epochs(&mut self, epochs: u32) -> Result<()> {
        let batch = (self.spec.batch_size as usize).min(self.train.n);
        let per_epoch = self.train.n.div_ceil(batch) as u32;
        for _ in 0..epochs {
            let left = (self.train.n - self.cursor).div_ceil(batch) as u32;
            self.step(left.min(per_epoch))?;
        }
        Ok(())
    }

    /// Loss and accuracy over the whole training and test sets, computed on the device with the
    /// backend's loss and count ops and read back in one transfer.
    pub async fn metrics(&mut self) -> Result<Metrics> {
        let cap = self.model.capacity;
        let chunks = |n: usize| n.div_ceil(cap);
        let slots = 2 * (chunks(self.train.n) + chunks(self.test.n));
        let out = self.metrics_out.clone();
        let mut slot = 0;
        for set in [&self.train, &self.test] {
            let f = self.model.input_width;
            let tw = self.target_width;
            let mut start = 0;
            while start < set.n {
                let rows = cap.min(set.n - start);
                let x = View { buf: set.x.clone(), offset: start * f, len: rows * f };
                let y = View { buf: set.y.clone(), offset: start * tw, len: rows * tw };
                let b = &mut self.backend;
                let pred = self.model.forward(b, rows, &x)?;
                let op = LossOp { kind: self.spec.loss, rows, cols: self.output.units };
                let loss = View { buf: out.clone(), offset: slot, len: 1 };
                b.loss(op, &pred, &y, &self.model.output_grad(rows), &loss)?;
                let correct = View { buf: out.clone(), offset: slot + 1, len: 1 };
                b.count_correct(op, &pred, &y, &correct)?;
                slot += 2;
                start += rows;
            }
        }
        let host = self.backend.read(&View::whole(out, slots)).await?;
        // Chunk losses are chunk means: weight them by their rows.
        let summarise = |host: &[f32], n: usize| {
            let (mut loss, mut correct) = (0.0f64, 0.0f64);
            let mut start = 0;
            for pair in host.chunks_exact(2) {
                let rows = cap.min(n - start);
                loss += pair[0] as f64 * rows as f64;
                correct += pair[1] as f64;
                start += rows;
            }
            ((loss / n as f64) as f32, (correct / n as f64) as f32)
        };
        let split = 2 * chunks(self.train.n);
        let (train_loss, train_acc) = summarise(&host[..split], self.train.n);
        let (test_loss, test_acc) = summarise(&host[split..], self.test.n);
        let classify = !self.spec.data.kind.is_regression();
        Ok(Metrics {
            epoch: self.epoch,
            step: self.step,
            train_loss,
            test_loss,
            train_accuracy: classify.then_some(train_acc),
            test_accuracy: classify.then_some(test_acc),
        })
    }

    /// The network's answer at each point `(x₁, x₂)`, for the decision-boundary heatmap:
    /// [`Trainer::output_width`] floats per point, after the output's presentation (see
    /// [`OutputSpec::presented`]): tanh's value in [−1, 1] with mse, the probability of the
    /// positive class with sigmoid BCE, the class probabilities with softmax cross-entropy, the
    /// predicted value for regression.
    pub async fn predict(&mut self, points: &[(f64, f64)]) -> Result<Vec<f32>> {
        self.points_only("predict")?;
        let mut rows = Vec::with_capacity(points.len() * self.spec.features.len());
        for &(x1, x2) in points {
            Feature::row(&self.spec.features, x1, x2, &mut rows);
        }
        self.predict_samples(&rows).await
    }

    /// Every neuron's output at each point `(x₁, x₂)`, for the per-neuron thumbnails: one
    /// `points × units` matrix (row-major) per layer, hidden layers then the output layer (its
    /// raw output: logits for the cross-entropies).
    pub async fn neuron_outputs(&mut self, points: &[(f64, f64)]) -> Result<Vec<Vec<f32>>> {
        self.points_only("neuron_outputs")?;
        let f = self.spec.features.len();
        let mut result: Vec<Vec<f32>> = self.model.layers.iter().map(|l| Vec::with_capacity(points.len() * l.units())).collect();
        let mut rowbuf = Vec::with_capacity(self.model.capacity * f);
        for chunk in points.chunks(self.model.capacity) {
            let rows = chunk.len();
            rowbuf.clear();
            for &(x1, x2) in chunk {
                Feature::row(&self.spec.features, x1, x2, &mut rowbuf);
            }
            let x = View::whole(self.xb.clone(), rows * f);
            self.backend.write(&x, &rowbuf)?;
            self.model.forward(&mut self.backend, rows, &x)?;
            for (layer, out) in self.model.layers.iter().zip(result.iter_mut()) {
                out.extend(self.backend.read(&layer.output(rows)).await?);
            }
        }
        Ok(result)
    }

    /// Every layer's weights, biases and PReLU slopes, read back from the device.
    pub async fn parameters(&mut self) -> Result<Vec<LayerParams>> {
        let flat = self.backend.read(&self.model.params).await?;
        Ok(self.model.split_params(&flat))
    }

    /// The parameter gradients of the last step (same layout as [`Trainer::parameters`]), for
    /// views of how much each weight is being pushed.
    pub async fn gradients(&mut self) -> Result<Vec<LayerParams>> {
        let flat = self.backend.read(&self.model.grads).await?;
        Ok(self.model.split_params(&flat))
    }

    /// Changes the training settings that leave the network and the data as they are (the
    /// optimizer and its hyper-parameters, regularisation, batch size) without restarting, as the
    /// page does when a slider moves during training. Returns `Ok(false)`, changing nothing, when
    /// `spec` differs in anything else: then build a new trainer. Switching the optimizer kind
    /// keeps the current state buffers (momentum's velocity becomes Adam's first moment).
    pub fn update(&mut self, spec: &ModelSpec) -> Result<bool> {
        spec.validate()?;
        let mut same = spec.clone();
        same.optimizer = self.spec.optimizer;
        same.regularization = self.spec.regularization;
        same.batch_size = self.spec.batch_size;
        if same != self.spec {
            return Ok(false);
        }
        if spec.batch_size as usize > self.model.capacity {
            // The scratch buffers were sized for the old batch.
            return Ok(false);
        }
        self.spec = spec.clone();
        Ok(true)
    }

    fn points_only(&self, what: &str) -> Result<()> {
        if self.spec.data.kind.is_points() {
            Ok(())
        } else {
            Err(EngineError::InvalidSpec(format!("{what} takes 2-D points; {} samples use predict_samples", self.spec.data.kind.id())))
        }
    }

    /// Floats per point returned by [`Trainer::predict`].
    pub fn output_width(&self) -> usize {
        self.output.units
    }

    /// The spec this trainer was built from.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The training points (for the scatter plot).
    pub fn train_points(&self) -> &[Point] {
        &self.train_points
    }

    /// The test points.
    pub fn test_points(&self) -> &[Point] {
        &self.test_points
    }

    /// Completed epochs.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Mini-batch steps in one epoch (the last batch may be a smaller one).
    pub fn steps_per_epoch(&self) -> u32 {
        let batch = (self.spec.batch_size as usize).clamp(1, self.train.n.max(1));
        u32::try_from(self.train.n.div_ceil(batch)).unwrap_or(u32::MAX).max(1)
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.model.parameter_count()
    }

    /// The backend, e.g. for [`Backend::describe`].
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Gives the backend back (to build the next trainer on the same device).
    pub fn into_backend(self) -> B {
        self.backend
    }
}

/// Uploads image or sequence samples and their encoded targets.
fn upload_samples<B: Backend>(backend: &mut B, spec: &ModelSpec, s: &Samples) -> Result<DeviceSet<B>> {
    let ys: Vec<f32> = s.labels.iter().map(|&l| encode_sample_label(spec, l)).collect();
    let x = backend.alloc(s.x.len())?;
    backend.write(&View::whole(x.clone(), s.x.len()), &s.x)?;
    let y = backend.alloc(ys.len())?;
    backend.write(&View::whole(y.clone(), ys.len()), &ys)?;
    Ok(DeviceSet { x, y, n: s.len() })
}

/// A sample's label (class index, or value for regression) as the loss wants it.
fn encode_sample_label(spec: &ModelSpec, label: f32) -> f32 {
    if spec.data.kind.is_regression() || spec.loss.label_encoding() == LabelEncoding::ClassIndex {
        return label;
    }
    // Two classes with mse (±1) or sigmoid BCE (0/1): class 1 is the positive one.
    encode_label(spec, if label > 0.5 { 1.0 } else { -1.0 })
}

/// Encodes a split's features and targets and uploads them.
fn upload<B: Backend>(backend: &mut B, spec: &ModelSpec, points: &[Point], tw: usize) -> Result<DeviceSet<B>> {
    let f = spec.features.len();
    let mut xs = Vec::with_capacity(points.len() * f);
    let mut ys = Vec::with_capacity(points.len() * tw);
    for p in points {
        Feature::row(&spec.features, p.x, p.y, &mut xs);
        ys.push(encode_label(spec, p.label));
    }
    let x = backend.alloc(xs.len())?;
    backend.write(&View::whole(x.clone(), xs.len()), &xs)?;
    let y = backend.alloc(ys.len())?;
    backend.write(&View::whole(y.clone(), ys.len()), &ys)?;
    Ok(DeviceSet { x, y, n: points.len() })
}

/// A ±1 label (or a regression value) as the loss wants it.
fn encode_label(spec: &ModelSpec, label: f64) -> f32 {
    if spec.data.kind.is_regression() {
        return label as f32;
    }
    let positive = label > 0.0;
    match spec.loss.label_encoding() {
        LabelEncoding::PlusMinusOne => {
            if positive {
                1.0
            } else {
                -1.0
            }
        }
        LabelEncoding::ZeroOne | LabelEncoding::ClassIndex => {
            if positive {
                1.0
            } else {
                0.0
            }
        }
    }
}

