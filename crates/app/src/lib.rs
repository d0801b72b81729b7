//! DL101 Playground, the page: Leptos components on top of the engine. `main.rs` only mounts
//! [`App`]; each panel lives in a file of its own.

mod app;
pub mod compute;

pub use app::App;
