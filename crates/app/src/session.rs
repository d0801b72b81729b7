//! One training session on whichever backend the page uses. The engine's `Trainer` is generic over
//! the backend; this enum lets the page hold either without knowing which.

use engine::backend::cpu::CpuBackend;
use engine::backend::gpu::GpuBackend;
use engine::spec::ModelSpec;
use engine::train::{Metrics, Snapshot, Trainer};
use engine::Result;

/// A trainer on the CPU or on WebGPU.
pub enum Session {
    Cpu(Trainer<CpuBackend>),
    Gpu(Trainer<GpuBackend>),
}

/// Runs the same expression on whichever trainer the session holds.
macro_rules! with_trainer {
    ($session:expr, $t:ident => $body:expr) => {
        match $session {
            Session::Cpu($t) => $body,
            Session::Gpu($t) => $body,
        }
    };
}

/// A backend to build the next session on: the GPU backend is kept across sessions, so that its
/// pipelines are compiled once per page.
pub enum Device {
    Cpu,
    Gpu(GpuBackend),
}

impl Session {
    /// Builds a trainer for `spec` on `device`.
    pub fn new(device: Device, spec: &ModelSpec) -> Result<Session> {
        Ok(match device {
            Device::Cpu => Session::Cpu(Trainer::new(CpuBackend::new(), spec)?),
            Device::Gpu(gpu) => Session::Gpu(Trainer::new(gpu, spec)?),
        })
    }

    /// Gives the backend back for the next session.
    pub fn into_device(self) -> Device {
        match self {
            Session::Cpu(_) => Device::Cpu,
            Session::Gpu(t) => Device::Gpu(t.into_backend()),
        }
    }

    /// The moving state (weights, optimizer state, position), to save or to move to the CPU.
    pub async fn snapshot(&mut self) -> Result<Snapshot> {
        with_trainer!(self, t => t.snapshot().await)
    }

    /// Continues from a snapshot of a session with the same spec.
    pub fn restore(&mut self, s: &Snapshot) -> Result<()> {
        with_trainer!(self, t => t.restore(s))
    }

    /// Per-layer diagnostics on the probe batch.
    pub async fn diagnostics(&mut self) -> Result<engine::train::Diagnostics> {
        with_trainer!(self, t => t.diagnostics().await)
    }

    /// The spec and trained weights as a model file.
    pub async fn model_file(&mut self) -> Result<engine::export::ModelFile> {
        with_trainer!(self, t => engine::export::ModelFile::from_trainer(t).await)
    }

    /// Loads imported weights (layouts as in a model file).
    pub fn load_parameters(&mut self, layers: &[engine::model::LayerParams]) -> Result<()> {
        with_trainer!(self, t => t.load_parameters(layers))
    }

    /// Replaces the weights with edited ones, keeping the optimizer's state.
    pub fn edit_parameters(&mut self, layers: &[engine::model::LayerParams]) -> Result<()> {
        with_trainer!(self, t => t.edit_parameters(layers))
    }

    /// The spec this session was built from.
    pub fn spec(&self) -> &ModelSpec {
        with_trainer!(self, t => t.spec())
    }

    /// Whether this session's GPU device has been lost.
    pub fn gpu_lost(&self) -> bool {
        matches!(self, Session::Gpu(t) if t.backend().lost())
    }

    /// Records `n` training steps and submits them.
    pub fn step(&mut self, n: u32) -> Result<()> {
        with_trainer!(self, t => t.step(n))
    }

    /// Loss and accuracy on the train and test sets, read back asynchronously.
    pub async fn metrics(&mut self) -> Result<Metrics> {
        with_trainer!(self, t => t.metrics().await)
    }

    /// The network's presented output at each point (see `Trainer::predict`).
    pub async fn predict(&mut self, points: &[(f64, f64)]) -> Result<Vec<f32>> {
        with_trainer!(self, t => t.predict(points).await)
    }

    /// Every neuron's output at each point, layer by layer.
    pub async fn neuron_outputs(&mut self, points: &[(f64, f64)]) -> Result<Vec<Vec<f32>>> {
        with_trainer!(self, t => t.neuron_outputs(points).await)
    }

    /// Every conv and pooling layer's output for one test sample.
    pub async fn feature_maps(&mut self, sample: usize) -> Result<Vec<engine::train::FeatureMap>> {
        with_trainer!(self, t => t.feature_maps(sample).await)
    }

    /// Every recurrent layer's hidden state at each time step, for one test sample.
    pub async fn hidden_states(
        &mut self,
        sample: usize,
    ) -> Result<Vec<engine::train::HiddenStates>> {
        with_trainer!(self, t => t.hidden_states(sample).await)
    }

    /// Every layer's parameters (conv filters among them).
    pub async fn parameters(&mut self) -> Result<Vec<engine::model::LayerParams>> {
        with_trainer!(self, t => t.parameters().await)
    }

    /// Predictions against labels for consecutive test samples.
    pub async fn test_predictions(&mut self, start: usize, count: usize) -> Result<engine::train::Predictions> {
        with_trainer!(self, t => t.test_predictions(start, count).await)
    }

    /// Test sample `i` of an image or sequence set and its label.
    pub fn test_sample(&self, i: usize) -> Option<(Vec<f32>, f32)> {
        with_trainer!(self, t => {
            let s = t.test_samples();
            (i < s.len()).then(|| (s.row(i).to_vec(), s.labels[i]))
        })
    }

    /// Training points (x, y, label), for drawing.
    pub fn points(&self) -> (Vec<engine::data::Point>, Vec<engine::data::Point>) {
        with_trainer!(self, t => (t.train_points().to_vec(), t.test_points().to_vec()))
    }

    /// Steps in one epoch.
    pub fn steps_per_epoch(&self) -> u32 {
        with_trainer!(self, t => t.steps_per_epoch())
    }
}
