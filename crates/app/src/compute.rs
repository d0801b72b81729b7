//! Which device trains the networks. The page asks for WebGPU, proves the device computes with
//! the engine's self-test kernel, and otherwise falls back to the CPU with the reason, so the
//! status line always tells the truth.

use engine::backend::gpu::{device, selftest};

/// What the page trains on, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComputeStatus {
    /// Still asking the browser.
    Detecting,
    /// A WebGPU adapter that passed the self-test.
    WebGpu { adapter: String },
    /// No usable WebGPU; the reason says what was missing.
    CpuFallback { reason: String },
}

impl ComputeStatus {
    /// The status line shown in the page (`data-testid="backend"`).
    pub fn label(&self) -> String {
        match self {
            ComputeStatus::Detecting => "Detecting compute device…".into(),
            ComputeStatus::WebGpu { adapter } => format!("WebGPU: {adapter}"),
            ComputeStatus::CpuFallback { reason } => format!("CPU fallback: {reason}"),
        }
    }
}

/// Acquires a WebGPU device and runs the self-test kernel on it.
pub async fn detect() -> ComputeStatus {
    let gpu = match device::acquire().await {
        Ok(gpu) => gpu,
        Err(e) => return ComputeStatus::CpuFallback { reason: e.to_string() },
    };
    match selftest::saxpy_check(&gpu, 1000).await {
        Ok(_) => ComputeStatus::WebGpu { adapter: gpu.adapter.to_string() },
        Err(e) => ComputeStatus::CpuFallback { reason: e.to_string() },
    }
}
