//! Export and import: the model file ([`file`]: a spec with its trained weights, which imports
//! back, checked), and code for the same network in Keras ([`keras`]) and PyTorch ([`pytorch`]),
//! with a function that loads the model file's weights.

pub mod file;
pub mod keras;
pub mod pytorch;
mod python;

pub use file::{FORMAT, FORMAT_VERSION, ImportError, MAX_FILE_BYTES, ModelFile};
pub use keras::to_keras;
pub use pytorch::to_pytorch;
