//! Reading a GPU buffer back to the host without blocking the browser.
//!
//! `map_async` reports through a callback; [`read_f32`] turns that into a future. Natively the
//! device is polled until the map completes (there is no event loop to do it); in the browser the
//! future is simply awaited, as WebGPU requires.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::error::{EngineError, Result};

#[derive(Default)]
struct Slot {
    done: Option<std::result::Result<(), wgpu::BufferAsyncError>>,
    waker: Option<Waker>,
}

/// Resolves when the buffer's `map_async` callback has run.
struct MapFuture(Arc<Mutex<Slot>>);

impl Future for MapFuture {
    type Output = std::result::Result<(), wgpu::BufferAsyncError>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.done.take() {
            Some(r) => Poll::Ready(r),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Reads `len` floats from the start of `staging` (a `MAP_READ | COPY_DST` buffer whose copy has
/// been submitted), then unmaps it.
pub async fn read_f32(device: &wgpu::Device, staging: &wgpu::Buffer, len: usize) -> Result<Vec<f32>> {
    let bytes = (len * 4) as u64;
    if bytes == 0 {
        return Ok(Vec::new());
    }
    let slot = Arc::new(Mutex::new(Slot::default()));
    let callback_slot = slot.clone();
    staging.map_async(wgpu::MapMode::Read, 0..bytes, move |r| {
        let mut s = callback_slot.lock().unwrap_or_else(|p| p.into_inner());
        s.done = Some(r);
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| EngineError::Gpu(format!("device poll failed: {e}")))?;
    #[cfg(target_arch = "wasm32")]
    let _ = device;
    MapFuture(slot).await.map_err(|e| EngineError::Gpu(format!("reading a buffer back failed: {e}")))?;
    let out = {
        let view = staging
            .get_mapped_range(0..bytes)
            .map_err(|e| EngineError::Gpu(format!("mapping a buffer failed: {e}")))?;
        view.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    };
    staging.unmap();
    Ok(out)
}
