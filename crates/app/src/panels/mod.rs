//! The page's panels, one file each.

pub mod activations;
pub mod compare;
pub mod controls;
pub mod custom_data;
pub mod data;
pub mod devices;
pub mod lessons;
pub mod model_io;
pub mod network;
