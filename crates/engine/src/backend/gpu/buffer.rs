//! [`GpuBuffer`]: the GPU backend's buffer handle, a reference-counted resident device buffer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// A resident device buffer of `f32` (`STORAGE | COPY_SRC | COPY_DST`). Cloning is cheap and
/// shares the buffer; the id (unique in the process) keys the bind-group cache.
#[derive(Clone)]
pub struct GpuBuffer(pub(super) Arc<Inner>);

pub(super) struct Inner {
    pub(super) id: u64,
    pub(super) raw: wgpu::Buffer,
    pub(super) len: usize,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// Resident buffers alive in this process (a browser worker is a process of its own here), and
/// their bytes: `cargo xtask soak` checks that a long run does not pile them up.
static LIVE: AtomicU64 = AtomicU64::new(0);
static LIVE_BYTES: AtomicU64 = AtomicU64::new(0);

/// How many resident GPU buffers are alive, and how many bytes they hold.
pub fn live() -> (u64, u64) {
    (LIVE.load(Ordering::Relaxed), LIVE_BYTES.load(Ordering::Relaxed))
}

impl Drop for Inner {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(self.raw.size(), Ordering::Relaxed);
    }
}

impl GpuBuffer {
    // Natively wgpu's handles are Send + Sync, and Arc keeps the backend Send; in the browser
    // they are not, and Arc costs one atomic per clone.
    #[allow(clippy::arc_with_non_send_sync)]
    pub(super) fn new(raw: wgpu::Buffer, len: usize) -> Self {
        LIVE.fetch_add(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_add(raw.size(), Ordering::Relaxed);
        GpuBuffer(Arc::new(Inner { id: NEXT_ID.fetch_add(1, Ordering::Relaxed), raw, len }))
    }

    /// Length in floats.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// Whether the buffer holds no floats.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    pub(super) fn id(&self) -> u64 {
        self.0.id
    }

    pub(super) fn raw(&self) -> &wgpu::Buffer {
        &self.0.raw
    }

    pub(super) fn weak(&self) -> Weak<Inner> {
        Arc::downgrade(&self.0)
    }
}

impl std::fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuBuffer#{}[{}]", self.0.id, self.0.len)
    }
}
