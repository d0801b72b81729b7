//! Data sets. For now TensorFlow Playground's 2-D sets ([`playground`]) and their seven input
//! [`features`]; digits, shapes and sequences come with the convolutional and recurrent layers.

pub mod features;
pub mod playground;

pub use features::Feature;
pub use playground::{DatasetKind, Point, generate, split};
