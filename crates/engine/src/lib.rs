//! DL101 engine: the compute core of the playground.
//!
//! It knows networks, activations, losses, optimizers and data sets, and runs them on a
//! [`backend::Backend`]: the CPU (the reference) or the GPU through WGSL compute shaders. It has no
//! web-sys or leptos dependency, so it builds natively (tests, the command-line runner,
//! conformance) and for the browser alike.

pub mod activation;
pub mod backend;
pub mod error;
pub mod loss;
pub mod optim;

pub use error::{EngineError, Result};
