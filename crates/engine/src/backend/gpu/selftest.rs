//! The smallest end-to-end proof that a GPU computes: `y = a·x + y` in WGSL, checked against the
//! same arithmetic on the CPU. The page runs it once after acquiring a device, and the native and
//! in-browser tests run it, so "WebGPU: <adapter>" is never claimed for a device that does not work.

use super::device::Gpu;
use super::readback::read_f32;
use crate::error::{EngineError, Result};

const SHADER: &str = include_str!("kernels/selftest.wgsl");

/// Runs `y = a·x + y` on the GPU for `n` elements and returns the largest absolute difference from
/// the CPU result. Errors if the GPU result differs by more than rounding.
pub async fn saxpy_check(gpu: &Gpu, n: usize) -> Result<f32> {
    use wgpu::util::DeviceExt;
    let a = 1.5f32;
    let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0).collect();
    let y: Vec<f32> = (0..n).map(|i| ((i * 104_729) % 997) as f32 / 100.0 - 5.0).collect();
    let want: Vec<f32> = x.iter().zip(&y).map(|(x, y)| a * x + y).collect();

    let d = &gpu.device;
    let mut params = [0u8; 8];
    params[..4].copy_from_slice(&a.to_le_bytes());
    params[4..].copy_from_slice(&(n as u32).to_le_bytes());
    let as_bytes = |v: &[f32]| v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>();
    let uniform = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("selftest params"),
        contents: &params,
        usage: wgpu::BufferUsages::UNIFORM,
    });
    let xb = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("selftest x"),
        contents: &as_bytes(&x),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let yb = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("selftest y"),
        contents: &as_bytes(&y),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    });
    let staging = d.create_buffer(&wgpu::BufferDescriptor {
        label: Some("selftest staging"),
        size: (n * 4) as u64,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let module = d.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("selftest.wgsl"),
        source: wgpu::ShaderSource::Wgsl(SHADER.into()),
    });
    let pipeline = d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("selftest"),
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("selftest"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() },
            wgpu::BindGroupEntry { binding: 1, resource: xb.as_entire_binding() },
            wgpu::BindGroupEntry { binding: 2, resource: yb.as_entire_binding() },
        ],
    });
    let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("selftest") });
    {
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind, &[]);
        pass.dispatch_workgroups(n.div_ceil(64) as u32, 1, 1);
    }
    enc.copy_buffer_to_buffer(&yb, 0, &staging, 0, (n * 4) as u64);
    gpu.queue.submit([enc.finish()]);
    let got = read_f32(d, &staging, n).await?;
    let err = got.iter().zip(&want).map(|(g, w)| (g - w).abs()).fold(0.0f32, f32::max);
    if got.len() != n || !err.is_finite() || err > 1e-5 {
        return Err(EngineError::Gpu(format!(
            "self-test kernel gave wrong results on {} (max error {err})",
            gpu.adapter
        )));
    }
    Ok(err)
}
