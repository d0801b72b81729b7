//! DL101 engine: the compute core of the playground.
//!
//! It knows networks, activations, losses, optimizers and data sets, and runs them on a
//! [`backend::Backend`]: the CPU (the reference) or the GPU through WGSL compute shaders. It has no
//! web-sys or leptos dependency, so it builds natively (tests, the command-line runner,
//! conformance) and for the browser alike.
//!
//! The page uses three things: a [`spec::ModelSpec`] (the one description of a run, shared by the
//! page, the share link and files), a [`train::Trainer`] built from it on any backend, and the
//! [`activation::ACTIVATIONS`] table.

pub mod activation;
pub mod b64;
pub mod backend;
pub mod conformance;
pub mod data;
pub mod error;
pub mod export;
pub mod init;
pub mod layers;
pub mod lessons;
pub mod loss;
pub mod model;
pub mod optim;
pub mod plan;
pub mod real;
pub mod rng;
pub mod share;
pub mod spec;
pub mod testing;
pub mod tfplayground;
pub mod train;

pub use error::{EngineError, Result};
