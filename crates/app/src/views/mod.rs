//! What training shows: the output over the plane with the data, each neuron's picture, and the
//! loss and accuracy curves.

pub mod a11y;
pub mod boundary;
pub mod curves;
pub mod diagnostics;
pub mod figures;
pub mod graph;
pub mod images;
pub mod sequence;
