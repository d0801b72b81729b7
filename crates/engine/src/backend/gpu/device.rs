//! Finding a GPU: an adapter, a device and a queue, natively or through the browser's WebGPU.
//! Kept apart from the code that uses a device so tests and the page can acquire one themselves.

use crate::error::{EngineError, Result};

/// An acquired device and queue, with what we learned about the adapter.
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter: AdapterSummary,
}

/// What the page and the logs say about the adapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterSummary {
    /// The adapter's name ("llvmpipe (LLVM 15.0.6, 256 bits)", "NVIDIA H200", or the browser's
    /// description, which may be empty).
    pub name: String,
    /// "Vulkan", "Metal", "Dx12", "BrowserWebGpu", ...
    pub backend: String,
    /// A software rasteriser (lavapipe, SwiftShader, WARP) or a browser fallback adapter: real
    /// WebGPU, but the CPU backend is usually faster there.
    pub is_software: bool,
    /// The subgroup sizes (least, most) where the device was opened with subgroup operations
    /// (wgpu's `SUBGROUP` feature: Vulkan, Metal, DX12 natively; wgpu 30 does not pass the
    /// browser's `subgroups` feature through, so in the page this is always `None`).
    pub subgroups: Option<[u32; 2]>,
}

impl AdapterSummary {
    fn from_info(info: &wgpu::AdapterInfo, subgroups: Option<[u32; 2]>) -> Self {
        let lower = info.name.to_lowercase();
        let is_software = info.device_type == wgpu::DeviceType::Cpu
            || ["llvmpipe", "lavapipe", "swiftshader", "warp", "software"]
                .iter()
                .any(|s| lower.contains(s));
        AdapterSummary {
            name: if info.name.is_empty() { "unnamed adapter".into() } else { info.name.clone() },
            backend: format!("{:?}", info.backend),
            is_software,
            subgroups,
        }
    }
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}{})", self.name, self.backend, if self.is_software { ", software" } else { "" })
    }
}

/// Finds an adapter and opens a device on it. Natively this tries Vulkan, Metal and DX12; in the
/// browser it asks `navigator.gpu`. Fails with a message that says what was missing.
pub async fn acquire() -> Result<Gpu> {
    let backends = if cfg!(target_arch = "wasm32") {
        wgpu::Backends::BROWSER_WEBGPU
    } else {
        wgpu::Backends::PRIMARY
    };
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            ..Default::default()
        })
        .await
        .map_err(|e| EngineError::Gpu(format!("no WebGPU adapter found ({e})")))?;
    let subgroup_ops = adapter.features() & wgpu::Features::SUBGROUP;
    let info = adapter.get_info();
    let sizes = (!subgroup_ops.is_empty()).then_some([info.subgroup_min_size, info.subgroup_max_size]);
    let summary = AdapterSummary::from_info(&info, sizes);
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("dl101"),
            required_features: subgroup_ops,
            required_limits: wgpu::Limits::downlevel_defaults().using_resolution(adapter.limits()),
            ..Default::default()
        })
        .await
        .map_err(|e| EngineError::Gpu(format!("adapter {summary} refused a device ({e})")))?;
    Ok(Gpu { device, queue, adapter: summary })
}
