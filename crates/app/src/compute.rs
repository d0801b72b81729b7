//! Which device trains the networks. The page asks for WebGPU, proves the device computes with
//! the engine's self-test kernel, and otherwise falls back to the CPU with the reason, so the
//! status line always tells the truth.

use engine::backend::gpu::{GpuBackend, device, selftest};

/// What the page can train on, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// What detection found: the status line, and the backend the training sessions can use with
/// whether its adapter is a software rasteriser (SwiftShader, lavapipe), where the CPU backend is
/// faster and the automatic choice trains on the CPU.
pub struct Detected {
    pub status: ComputeStatus,
    pub gpu: Option<(GpuBackend, bool)>,
}

/// Acquires a WebGPU device and runs the self-test kernel on it.
pub async fn detect() -> Detected {
    let (status, gpu) = probe().await;
    Detected { status, gpu }
}

async fn probe() -> (ComputeStatus, Option<(GpuBackend, bool)>) {
    // `navigator` of the page or of the worker the trainer runs in.
    let has_webgpu = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .is_ok_and(|n| js_sys::Reflect::has(&n, &"gpu".into()).unwrap_or(false));
    if !has_webgpu {
        let reason = "this browser does not offer WebGPU (navigator.gpu is missing); training runs on the CPU";
        return (ComputeStatus::CpuFallback { reason: reason.into() }, None);
    }
    let gpu = match device::acquire().await {
        Ok(gpu) => gpu,
        Err(e) => return (ComputeStatus::CpuFallback { reason: format!("{e}; training runs on the CPU") }, None),
    };
    if let Err(e) = selftest::saxpy_check(&gpu, 1000).await {
        return (ComputeStatus::CpuFallback { reason: e.to_string() }, None);
    }
    let adapter = gpu.adapter.to_string();
    let software = gpu.adapter.is_software;
    (ComputeStatus::WebGpu { adapter }, Some((GpuBackend::new(gpu), software)))
}
