//! Layers. Each is written once against [`crate::backend::Backend`] and never knows which backend
//! runs it. Dense layers now; convolution, pooling and recurrent layers come next.

pub mod dense;

pub use dense::Dense;
