//! The engine's one error type. Anything a user, a URL or a file can get wrong comes back as an
//! [`EngineError`] with a message fit to show in the page; the engine does not panic on such input.

use thiserror::Error;

/// Everything that can go wrong in the engine.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EngineError {
    /// A model spec, share link or file that describes something the engine cannot build.
    #[error("invalid model: {0}")]
    InvalidSpec(String),
    /// An op was given views whose sizes do not fit together.
    #[error("{op}: shape mismatch: {detail}")]
    Shape { op: &'static str, detail: String },
    /// The op exists but this backend or configuration cannot run it.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// No usable GPU adapter or device, or the device was lost.
    #[error("GPU unavailable: {0}")]
    Gpu(String),
    /// Reading or parsing a file (conformance vectors, imported models).
    #[error("{0}")]
    Io(String),
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, EngineError>;
