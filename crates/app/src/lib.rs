//! DL101 Playground, the page: Leptos components on top of the engine. `main.rs` only mounts
//! [`App`]; the state lives in [`lab`], the training loop in [`driver`], and each panel and view
//! in a file of its own.

mod app;
mod calibrate;
pub mod compute;
mod driver;
pub mod i18n;
pub mod lab;
mod panels;
mod panic_banner;
pub mod persist;
mod session;
mod side_by_side;
mod share;
mod views;

pub use app::App;
pub use panic_banner::install as install_panic_banner;

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
