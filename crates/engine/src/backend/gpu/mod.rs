//! GPU backend: WGSL compute shaders through wgpu, natively (Vulkan, Metal, DX12; Mesa lavapipe on
//! CI) and in the browser (WebGPU). Device acquisition lives in [`device`], apart from the code
//! that uses a device, so tests can bring their own.

pub mod device;
pub mod readback;
pub mod selftest;
