//! Shared helpers for the GPU tests: acquiring the backend (failing, never skipping, without an
//! adapter), a seeded generator, uploads, downloads and tolerant comparisons.
#![allow(dead_code)]

use engine::backend::gpu::{GpuBackend, KernelSet};
use engine::backend::{Backend, View};

/// The GPU backend on the machine's adapter. Panics with a clear message where there is none.
pub fn gpu() -> GpuBackend {
    let mut b = pollster::block_on(GpuBackend::acquire()).unwrap_or_else(|e| {
        panic!("no GPU adapter for the GPU tests ({e}); install Mesa's Vulkan drivers (mesa-vulkan-drivers) for lavapipe")
    });
    pollster::block_on(b.compile_all()).unwrap_or_else(|e| panic!("kernels failed to compile: {e}"));
    b
}

/// The GPU backend with a kernel set forced, whatever the adapter.
pub fn gpu_with(kernels: KernelSet) -> GpuBackend {
    let mut b = gpu();
    b.set_kernels(kernels);
    b
}

/// A small seeded generator (xorshift64*), so every test is reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * u
    }
    pub fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Uploads `data` into a fresh buffer at offset `pad` (so offsets are exercised) and returns
/// the view of it.
pub fn put<B: Backend>(b: &mut B, data: &[f32], pad: usize) -> View<B::Buffer> {
    let buf = b.alloc(data.len() + 2 * pad).expect("alloc");
    let v = View { buf, offset: pad, len: data.len() };
    b.write(&v, data).expect("write");
    v
}

/// A zeroed view of `len` floats at offset `pad` in a fresh buffer.
pub fn zeros<B: Backend>(b: &mut B, len: usize, pad: usize) -> View<B::Buffer> {
    let buf = b.alloc(len + 2 * pad).expect("alloc");
    View { buf, offset: pad, len }
}

pub fn get<B: Backend>(b: &mut B, v: &View<B::Buffer>) -> Vec<f32> {
    pollster::block_on(b.read(v)).expect("read")
}

/// Elementwise `|got − want| <= atol + rtol·|want|`, with the first offender in the message.
pub fn assert_close(what: &str, got: &[f32], want: &[f64], rtol: f64, atol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let mut worst = 0.0f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (f64::from(g) - w).abs();
        assert!(
            err <= atol + rtol * w.abs() && g.is_finite() == w.is_finite(),
            "{what}[{i}]: got {g}, want {w} (|err| {err:.3e})"
        );
        worst = worst.max(err);
    }
    let _ = worst;
}
