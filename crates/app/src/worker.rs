//! The trainer in a Web Worker: `web/worker.js` loads the page's own wasm in the worker and calls
//! [`worker_main`], which waits for the page's first message ([`ToTrainer::Start`]), detects
//! WebGPU there (a worker has `navigator.gpu` where the page does), and runs the driver on a lab
//! of its own, kept in step with the page's through `host.rs` and `wire.rs`.

use std::cell::RefCell;

use engine::spec::ModelSpec;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

use crate::host::Host;
use crate::i18n::Lang;
use crate::lab::Lab;
use crate::wire::{self, ToPage, ToTrainer};
use crate::{compute, driver, persist};

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
}

/// The worker's entry point; `early` holds the messages that came before the module was ready.
#[wasm_bindgen]
pub fn worker_main(early: js_sys::Array) {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&ToPage::Crash(format!("DL101 Playground's trainer crashed: {info}")));
    }));
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| receive(&e.data()));
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    for m in early.iter() {
        receive(&m);
    }
}

fn receive(data: &JsValue) {
    let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>().map(js_sys::Uint8Array::to_vec) else { return };
    let Some(msg) = wire::decode::<ToTrainer>(&bytes) else { return };
    if let Some(host) = HOST.with(|h| h.borrow().clone()) {
        host.receive(msg);
        return;
    }
    if let ToTrainer::Start { role, ref saved, .. } = msg {
        let saved = saved.as_deref().and_then(persist::parse);
        let lab = Lab::new(ModelSpec::default(), Lang::En);
        let host = Host::new(lab, role, true, |m| post(&m));
        host.receive(msg);
        HOST.with(|h| *h.borrow_mut() = Some(host.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            let detected = compute::detect().await;
            lab.status.set(detected.status);
            driver::start(host, detected.gpu, saved);
        });
    }
}

/// What a long run must not pile up, as JSON: this instance's wasm memory (the page's or a
/// worker's) and its live GPU buffers. `web/worker.js` exposes it as `self.dl101Stats` and
/// Trunk's loader as `wasmBindings.trainer_stats` on the page, for `cargo xtask soak`.
#[wasm_bindgen]
pub fn trainer_stats() -> String {
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    let wasm_bytes = memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length();
    let (gpu_buffers, gpu_bytes) = engine::backend::gpu::buffer::live();
    format!("{{\"wasm_bytes\":{wasm_bytes},\"gpu_buffers\":{gpu_buffers},\"gpu_bytes\":{gpu_bytes}}}")
}

/// Sends a message to the page, its buffer transferred.
fn post(msg: &ToPage) {
    let bytes = js_sys::Uint8Array::from(wire::encode(msg).as_slice());
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message_with_transfer(&bytes, &js_sys::Array::of1(&bytes.buffer()));
}
