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

impl GpuBuffer {
    // Natively wgpu's handles are Send + Sync, and Arc keeps the backend Send; in the browser
    // they are not, and Arc costs one atomic per clone.
    #[allow(clippy::arc_with_non_send_sync)]
    pub(super) fn new(raw: wgpu::Buffer, len: usize) -> Self {
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
