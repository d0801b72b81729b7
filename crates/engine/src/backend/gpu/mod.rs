//! GPU backend: WGSL compute shaders through wgpu, natively (Vulkan, Metal, DX12; Mesa lavapipe on
//! CI) and in the browser (WebGPU). Device acquisition lives in [`device`], apart from the code
//! that uses a device, so tests can bring their own.
//!
//! [`GpuBackend`] implements [`crate::backend::Backend`]: buffers are resident device buffers, ops
//! are recorded into one command encoder ([`recorder`] explains the caching of pipelines, bind
//! groups and per-op uniforms) and run when [`crate::backend::Backend::submit`] or a read flushes
//! them, so a whole training step is one submission. The kernels are listed in [`kernels`], one
//! `.wgsl` file each.

pub mod buffer;
pub mod device;
pub mod kernel_set;
pub mod kernels;
mod ops;
pub mod readback;
pub mod recorder;
pub mod selftest;

pub use buffer::GpuBuffer;
pub use device::{AdapterSummary, Gpu};
pub use kernel_set::KernelSet;
pub use recorder::GpuStats;

use crate::error::{EngineError, Result};
use kernels::KERNELS;
use recorder::Recorder;

/// The WebGPU implementation of [`crate::backend::Backend`].
///
/// ```no_run
/// # async fn demo() -> engine::Result<()> {
/// use engine::backend::{Backend, View, gpu::GpuBackend};
/// let mut gpu = GpuBackend::acquire().await?;
/// let buf = gpu.alloc(4)?;
/// gpu.fill(&View::whole(buf.clone(), 4), 2.5)?;
/// assert_eq!(gpu.read(&View::whole(buf, 4)).await?, vec![2.5; 4]);
/// # Ok(()) }
/// ```
pub struct GpuBackend {
    rec: Recorder,
    adapter: AdapterSummary,
    kernels: KernelSet,
    /// Whether the reductions use subgroup operations (where the device has them).
    subgroups: bool,
}

impl GpuBackend {
    /// Wraps an acquired device. Pipelines are built on first use (or by [`Self::compile_all`]).
    pub fn new(gpu: Gpu) -> Self {
        let kernels = KernelSet::for_adapter(&gpu.adapter);
        let subgroups = gpu.adapter.subgroups.is_some();
        GpuBackend { rec: Recorder::new(gpu.device, gpu.queue), adapter: gpu.adapter, kernels, subgroups }
    }

    /// Acquires the default device ([`device::acquire`]) and wraps it.
    pub async fn acquire() -> Result<Self> {
        Ok(Self::new(device::acquire().await?))
    }

    /// What the adapter is.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.adapter
    }

    /// Which kernels products and convolutions go to (chosen from the adapter's class).
    pub fn kernels(&self) -> KernelSet {
        self.kernels
    }

    /// Forces a kernel set, whatever the adapter (tests run every variant; the bench compares them).
    pub fn set_kernels(&mut self, kernels: KernelSet) {
        self.kernels = kernels;
    }

    /// Whether the one-workgroup reductions (the loss, the count of right answers) add their
    /// threads' shares with subgroup operations: by default wherever the device has them.
    pub fn subgroups(&self) -> bool {
        self.subgroups
    }

    /// Turns the subgroup reductions on or off (tests run both; `dl101 bench` compares them).
    /// Turning them on fails on a device without subgroup operations.
    pub fn set_subgroups(&mut self, on: bool) -> Result<()> {
        if on && self.adapter.subgroups.is_none() {
            return Err(EngineError::Gpu(format!("{} has no subgroup operations", self.adapter)));
        }
        self.subgroups = on;
        Ok(())
    }

    /// Whether the device has been lost (the browser reset it, the driver crashed, or the page
    /// called `destroy()`): nothing on it can be read any more, and training must move elsewhere.
    pub fn lost(&self) -> bool {
        self.rec.lost.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What has been built and submitted so far.
    pub fn stats(&self) -> GpuStats {
        self.rec.stats
    }

    /// How many times `kernel` has been dispatched so far.
    pub fn dispatches_of(&self, kernel: kernels::Kernel) -> u64 {
        self.rec.dispatched[kernel as usize]
    }

    /// Builds every kernel's pipeline now (the page does this once, up front, so the first
    /// training step does not stall on shader compilation) and reports any compile error. The
    /// browser reports validation errors asynchronously, hence an error scope that is awaited.
    pub async fn compile_all(&mut self) -> Result<()> {
        let scope = self.rec.device.push_error_scope(wgpu::ErrorFilter::Validation);
        for def in KERNELS.iter().filter(|d| !d.subgroups || self.adapter.subgroups.is_some()) {
            self.rec.ensure_pipeline(def.kernel);
        }
        if let Some(e) = scope.pop().await {
            return Err(EngineError::Gpu(format!("the WGSL kernels did not compile on {}: {e}", self.adapter)));
        }
        self.rec.take_error()
    }
}
