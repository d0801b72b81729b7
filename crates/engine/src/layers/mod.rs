//! Layers. Each is written once against [`crate::backend::Backend`] and never knows which backend
//! runs it: dense, convolution, pooling and recurrent (RNN, LSTM, GRU) layers.

pub mod conv;
pub mod dense;
pub mod recurrent;

pub use conv::{Conv, Pool, PoolKind};
pub use dense::Dense;
pub use recurrent::{CellKind, Recurrent};
