//! Recording ops into one command encoder and submitting them together.
//!
//! - Pipelines are built once per kernel, on first use (or all at once by
//!   [`super::GpuBackend::compile_all`]), each with an explicit bind-group layout.
//! - Per-op parameters (sizes, offsets in floats, learning rate, Adam's bias corrections, ...) go
//!   into a *uniform arena*: one uniform buffer of fixed-size slots, bound with a dynamic offset.
//!   Each recorded op appends its parameters to a host-side mirror of the arena and gets its own
//!   slot; just before the encoder is submitted the used part of the mirror is written to the
//!   arena with `queue.write_buffer` (which the queue orders before that submission and after the
//!   previous one). So every op of a submission sees its own values, even when several training
//!   steps with different Adam `t` are recorded into one submission, and no uniform buffer or bind
//!   group is created per step.
//! - Because the uniform is bound with a dynamic offset and storage buffers are bound whole (views'
//!   offsets are in the uniform), a bind group depends only on the kernel and the storage buffers'
//!   ids. Bind groups are cached under that key; an identical training step builds nothing.
//!   Entries whose buffers have all been dropped by the engine are swept as the cache grows.
//! - Host writes are ordered with the recorded ops: the data goes into an *upload arena* mirror
//!   (written to the device at submission like the uniforms) and a `copy_buffer_to_buffer` from
//!   it is recorded in the encoder.
//! - Consecutive dispatches are recorded into one compute pass (WebGPU makes each dispatch its
//!   own synchronisation scope, so ordering between them holds); the pass is ended before a copy,
//!   a clear or the submission.
//! - If a submission needs more uniform slots or upload space than the arenas hold, what was
//!   recorded so far is submitted early (still correct, as the queue runs submissions in order)
//!   and the arena doubles, so that later steps fit in one submission again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::buffer::{GpuBuffer, Inner};
use super::kernels::{KERNELS, Kernel, MAX_STORAGE, PARAM_BYTES};
use crate::error::{EngineError, Result};

/// Counters that show what the GPU backend built and submitted, for tests and the page's
/// diagnostics: after the first training step, repeating it must not build pipelines or bind
/// groups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpuStats {
    pub pipelines_built: u64,
    pub bind_groups_built: u64,
    pub dispatches: u64,
    pub submissions: u64,
    /// Times an arena filled up within one submission and had to grow.
    pub arena_growths: u64,
}

struct Built {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

type BindKey = (Kernel, [u64; MAX_STORAGE]);

struct CachedGroup {
    group: wgpu::BindGroup,
    buffers: Vec<Weak<Inner>>,
}

const INITIAL_UNIFORM_SLOTS: u64 = 512;
const INITIAL_UPLOAD_BYTES: usize = 1 << 20;
const MAX_UPLOAD_BYTES: usize = 64 << 20;
/// Most workgroups per dispatch dimension that WebGPU guarantees.
const MAX_GROUPS: usize = 65_535;

pub struct Recorder {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// The open compute pass: consecutive dispatches share one pass (each dispatch is still its
    /// own synchronisation scope, so a dispatch sees the writes of the one before). It is ended
    /// before any copy, clear or submission, which cannot happen inside a pass.
    pass: Option<wgpu::ComputePass<'static>>,
    encoder: Option<wgpu::CommandEncoder>,
    pipelines: Vec<Option<Built>>,
    groups: HashMap<BindKey, CachedGroup>,
    sweep_at: usize,
    uniform_buf: wgpu::Buffer,
    uniform_mirror: Vec<u8>,
    slot_bytes: u64,
    uniform_used: u64,
    upload_buf: wgpu::Buffer,
    upload_mirror: Vec<u8>,
    upload_used: usize,
    errors: Arc<Mutex<Vec<String>>>,
    /// Set by the device-lost callback: the device (and every buffer on it) is gone for good.
    pub lost: Arc<std::sync::atomic::AtomicBool>,
    pub stats: GpuStats,
    /// Dispatches so far of each kernel, in [`Kernel`] order (which variant a shape took).
    pub dispatched: Vec<u64>,
}

fn uniform_arena(device: &wgpu::Device, bytes: u64) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("dl101 uniform arena"),
        size: bytes,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn upload_arena(device: &wgpu::Device, bytes: usize) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("dl101 upload arena"),
        size: bytes as u64,
        usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// Workgroup counts `(x, y)` covering `groups` workgroups within WebGPU's per-dimension limit;
/// kernels linearise them as `wg.y * num_workgroups.x + wg.x` and skip the overhang.
pub fn grid(op: &'static str, groups: usize) -> Result<(u32, u32)> {
    if groups <= MAX_GROUPS {
        return Ok((groups as u32, 1));
    }
    let y = groups.div_ceil(MAX_GROUPS);
    if y > MAX_GROUPS {
        return Err(EngineError::Unsupported(format!("{op} over {groups} workgroups")));
    }
    Ok((MAX_GROUPS as u32, y as u32))
}

impl Recorder {
    pub fn new(device: wgpu::Device, queue: wgpu::Queue) -> Self {
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut list = sink.lock().unwrap_or_else(|p| p.into_inner());
            if list.len() < 8 {
                list.push(e.to_string());
            }
        }));
        let sink = errors.clone();
        let lost = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = lost.clone();
        device.set_device_lost_callback(move |reason, msg| {
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
            let mut list = sink.lock().unwrap_or_else(|p| p.into_inner());
            list.push(format!("the GPU device was lost ({reason:?}): {msg}"));
        });
        let slot_bytes = u64::from(device.limits().min_uniform_buffer_offset_alignment).max(PARAM_BYTES);
        Recorder {
            uniform_buf: uniform_arena(&device, INITIAL_UNIFORM_SLOTS * slot_bytes),
            uniform_mirror: vec![0; (INITIAL_UNIFORM_SLOTS * slot_bytes) as usize],
            slot_bytes,
            uniform_used: 0,
            upload_buf: upload_arena(&device, INITIAL_UPLOAD_BYTES),
            upload_mirror: vec![0; INITIAL_UPLOAD_BYTES],
            upload_used: 0,
            pass: None,
            encoder: None,
            pipelines: KERNELS.iter().map(|_| None).collect(),
            groups: HashMap::new(),
            sweep_at: 256,
            errors,
            lost,
            stats: GpuStats::default(),
            dispatched: vec![0; KERNELS.len()],
            device,
            queue,
        }
    }

    /// The first device error since the last call, if any (validation errors, lost device).
    pub fn take_error(&self) -> Result<()> {
        let mut list = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        if list.is_empty() {
            return Ok(());
        }
        let msg = list.join("; ");
        list.clear();
        Err(EngineError::Gpu(msg))
    }

    pub fn new_buffer(&mut self, len: usize) -> Result<GpuBuffer> {
        let max = self.device.limits().max_storage_buffer_binding_size as usize / 4;
        if len > max {
            return Err(EngineError::Unsupported(format!(
                "a GPU buffer of {len} floats (this device binds at most {max})"
            )));
        }
        // Never zero-sized: WebGPU cannot bind an empty buffer.
        let raw = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: (len.max(1) * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(GpuBuffer::new(raw, len))
    }

    /// The encoder, for a copy or clear: ends the open compute pass first.
    fn encoder(&mut self) -> &mut wgpu::CommandEncoder {
        self.pass = None;
        let device = &self.device;
        self.encoder.get_or_insert_with(|| {
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("dl101 ops") })
        })
    }

    /// Builds a kernel's pipeline if it has not been built yet.
    pub fn ensure_pipeline(&mut self, k: Kernel) {
        if self.pipelines[k as usize].is_some() {
            return;
        }
        let def = k.def();
        let mut entries = vec![wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: true,
                min_binding_size: None,
            },
            count: None,
        }];
        for (i, &writes) in def.writes.iter().enumerate() {
            entries.push(wgpu::BindGroupLayoutEntry {
                binding: i as u32 + 1,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage { read_only: !writes },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            });
        }
        let layout = self.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(def.name),
            entries: &entries,
        });
        let pipeline_layout = self.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(def.name),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(def.name),
            source: wgpu::ShaderSource::Wgsl(def.source.into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(def.name),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        self.stats.pipelines_built += 1;
        self.pipelines[k as usize] = Some(Built { layout, pipeline });
    }

    /// Copies `params` (at most 32 words) into the next uniform slot; returns its byte offset.
    fn push_uniform(&mut self, params: &[u32]) -> Result<u32> {
        debug_assert!(params.len() * 4 <= PARAM_BYTES as usize);
        let cap = self.uniform_mirror.len() as u64 / self.slot_bytes;
        if self.uniform_used == cap {
            // Full within one submission: submit what is recorded, then grow the arena fourfold
            // (so that a repeated batch of steps fits again soon: each growth rebuilds the bind
            // groups, which name the old arena).
            self.flush()?;
            let bytes = 4 * cap * self.slot_bytes;
            self.uniform_buf = uniform_arena(&self.device, bytes);
            self.uniform_mirror = vec![0; bytes as usize];
            self.groups.clear();
            self.stats.arena_growths += 1;
        }
        let at = (self.uniform_used * self.slot_bytes) as usize;
        for (i, w) in params.iter().enumerate() {
            self.uniform_mirror[at + 4 * i..at + 4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        self.uniform_used += 1;
        Ok(at as u32)
    }

    /// Records one dispatch of `k` over `groups` workgroups, with `params` as its uniform and
    /// `buffers` bound whole at bindings 1, 2, ... .
    pub fn dispatch(&mut self, k: Kernel, params: &[u32], buffers: &[&GpuBuffer], groups: (u32, u32)) -> Result<()> {
        debug_assert_eq!(buffers.len(), k.def().writes.len(), "{}", k.def().name);
        if groups.0 == 0 || groups.1 == 0 {
            return Ok(());
        }
        let offset = self.push_uniform(params)?;
        self.ensure_pipeline(k);
        let mut ids = [0u64; MAX_STORAGE];
        for (slot, b) in ids.iter_mut().zip(buffers) {
            *slot = b.id();
        }
        let key = (k, ids);
        if !self.groups.contains_key(&key) {
            self.sweep();
            let Some(built) = &self.pipelines[k as usize] else { unreachable!("pipeline built above") };
            let mut entries = vec![wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &self.uniform_buf,
                    offset: 0,
                    size: wgpu::BufferSize::new(PARAM_BYTES),
                }),
            }];
            for (i, b) in buffers.iter().enumerate() {
                entries.push(wgpu::BindGroupEntry { binding: i as u32 + 1, resource: b.raw().as_entire_binding() });
            }
            let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(k.def().name),
                layout: &built.layout,
                entries: &entries,
            });
            self.stats.bind_groups_built += 1;
            self.groups.insert(key, CachedGroup { group, buffers: buffers.iter().map(|b| b.weak()).collect() });
        }
        if self.pass.is_none() {
            let pass = self
                .encoder()
                .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("dl101 ops"), timestamp_writes: None })
                .forget_lifetime();
            self.pass = Some(pass);
        }
        let (Some(pass), Some(built), Some(cached)) =
            (self.pass.as_mut(), self.pipelines[k as usize].as_ref(), self.groups.get(&key))
        else {
            unreachable!("pass, pipeline and bind group made above")
        };
        pass.set_pipeline(&built.pipeline);
        pass.set_bind_group(0, &cached.group, &[offset]);
        pass.dispatch_workgroups(groups.0, groups.1, 1);
        self.stats.dispatches += 1;
        self.dispatched[k as usize] += 1;
        Ok(())
    }

    /// Drops cached bind groups whose buffers the engine no longer holds, once the cache has
    /// doubled since the last sweep.
    fn sweep(&mut self) {
        if self.groups.len() < self.sweep_at {
            return;
        }
        self.groups.retain(|_, g| g.buffers.iter().all(|w| w.strong_count() > 0));
        self.sweep_at = (2 * self.groups.len()).max(256);
    }

    /// Records a copy of host data into `dst` at `offset` floats, ordered with the recorded ops.
    pub fn upload(&mut self, dst: &GpuBuffer, offset: usize, data: &[f32]) -> Result<()> {
        let bytes = data.len() * 4;
        if bytes == 0 {
            return Ok(());
        }
        let as_bytes = || data.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>();
        if bytes > MAX_UPLOAD_BYTES / 2 {
            use wgpu::util::DeviceExt;
            let tmp = self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("dl101 large upload"),
                contents: &as_bytes(),
                usage: wgpu::BufferUsages::COPY_SRC,
            });
            self.encoder().copy_buffer_to_buffer(&tmp, 0, dst.raw(), (offset * 4) as u64, bytes as u64);
            return Ok(());
        }
        if self.upload_used + bytes > self.upload_mirror.len() {
            // Full within one submission: submit what is recorded, then grow the arena.
            self.flush()?;
            if self.upload_mirror.len() < MAX_UPLOAD_BYTES {
                let size = (self.upload_mirror.len() * 2).max(bytes.next_power_of_two()).min(MAX_UPLOAD_BYTES);
                self.upload_buf = upload_arena(&self.device, size);
                self.upload_mirror = vec![0; size];
                self.stats.arena_growths += 1;
            }
        }
        let at = self.upload_used;
        for (chunk, f) in self.upload_mirror[at..at + bytes].chunks_exact_mut(4).zip(data) {
            chunk.copy_from_slice(&f.to_le_bytes());
        }
        self.upload_used += bytes;
        let upload_buf = self.upload_buf.clone();
        self.encoder().copy_buffer_to_buffer(
            &upload_buf,
            at as u64,
            dst.raw(),
            (offset * 4) as u64,
            bytes as u64,
        );
        Ok(())
    }

    /// Records a buffer-to-buffer copy (different buffers).
    pub fn copy(&mut self, src: &GpuBuffer, src_off: usize, dst: &GpuBuffer, dst_off: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.encoder().copy_buffer_to_buffer(
            src.raw(),
            (src_off * 4) as u64,
            dst.raw(),
            (dst_off * 4) as u64,
            (len * 4) as u64,
        );
    }

    /// Records zeroing `len` floats of `dst` from `offset`.
    pub fn clear(&mut self, dst: &GpuBuffer, offset: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.encoder().clear_buffer(dst.raw(), (offset * 4) as u64, Some((len * 4) as u64));
    }

    /// Records a copy of `len` floats from `src` into a new mappable staging buffer and submits.
    pub fn stage_read(&mut self, src: &GpuBuffer, offset: usize, len: usize) -> Result<wgpu::Buffer> {
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("dl101 readback"),
            size: (len.max(1) * 4) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        if len > 0 {
            self.encoder().copy_buffer_to_buffer(
                src.raw(),
                (offset * 4) as u64,
                &staging,
                0,
                (len * 4) as u64,
            );
        }
        self.flush()?;
        Ok(staging)
    }

    /// Writes the used parts of the arenas and submits everything recorded, as one submission.
    pub fn flush(&mut self) -> Result<()> {
        self.pass = None;
        if let Some(encoder) = self.encoder.take() {
            if self.uniform_used > 0 {
                let used = (self.uniform_used * self.slot_bytes) as usize;
                self.queue.write_buffer(&self.uniform_buf, 0, &self.uniform_mirror[..used]);
            }
            if self.upload_used > 0 {
                self.queue.write_buffer(&self.upload_buf, 0, &self.upload_mirror[..self.upload_used]);
            }
            self.queue.submit([encoder.finish()]);
            self.stats.submissions += 1;
        }
        self.uniform_used = 0;
        self.upload_used = 0;
        self.take_error()
    }
}
