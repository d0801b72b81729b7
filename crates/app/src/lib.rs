//! DL101 Playground, the page: Leptos components on top of the engine. `main.rs` only mounts
//! [`App`]; the state lives in [`lab`], the training loop in [`driver`], and each panel and view
//! in a file of its own.

mod app;
mod calibrate;
pub mod compute;
mod driver;
mod host;
mod link;
pub mod i18n;
pub mod lab;
mod panels;
mod panic_banner;
pub mod persist;
mod session;
mod share;
mod views;
mod wire;
pub mod worker;

pub use app::App;
pub use panic_banner::install as install_panic_banner;

/// Whether this instance runs on a page (the other place is the trainer's worker).
pub fn on_page() -> bool {
    web_sys::window().is_some()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
