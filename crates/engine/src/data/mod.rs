//! Data sets: TensorFlow Playground's 2-D sets ([`playground`]) and their input
//! [`features`]; your own 2-D points ([`custom`], clicked or pasted as CSV, kept in the spec);
//! the 8x8 handwritten [`digits`] and generated [`shapes`] for convolution; and generated
//! [`sequences`] (sine forecasting, a memory task) for recurrent layers.

pub mod custom;
pub mod digits;
pub mod features;
pub mod playground;
pub mod sequences;
pub mod shapes;

pub use custom::CustomPoint;
pub use features::Feature;
pub use playground::{DatasetKind, Point, generate, split};

use crate::error::Result;
use crate::plan::{MEMORY_DELAY, MEMORY_WINDOW, SINE_FREQUENCY, SINE_WINDOW};
use crate::rng::Rng;

/// Samples of an image or sequence data set: `n` rows of `width` floats (images NCHW without the
/// batch axis, sequences `steps × features`) and one label each (a class index, or the value to
/// regress).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    pub width: usize,
    pub x: Vec<f32>,
    pub labels: Vec<f32>,
}

impl Samples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Sample `i`'s inputs.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.width..(i + 1) * self.width]
    }

    fn push(&mut self, row: &[f32], label: f32) {
        self.x.extend_from_slice(row);
        self.labels.push(label);
    }

    /// The samples at `index`, in that order.
    pub fn select(&self, index: &[usize]) -> Samples {
        let mut s = Samples { width: self.width, ..Default::default() };
        for &i in index {
            s.push(self.row(i), self.labels[i]);
        }
        s
    }
}

/// `n` samples of an image or sequence data set (`noise` in [0, 0.5]) split into train and test:
/// shuffled for images and the memory task; by time for the sine (train on the start of the
/// series, test on its end), so the test windows are a continuous stretch to forecast.
/// Returns empty sets for the 2-D point sets (see [`generate`]).
pub fn samples(kind: DatasetKind, n: usize, noise: f64, train_percent: u32, rng: &mut Rng, split_rng: &mut Rng) -> Result<(Samples, Samples)> {
    let mut all = Samples::default();
    match kind {
        DatasetKind::Digits => {
            let digits = digits::load()?;
            let mut idx: Vec<usize> = (0..digits.len()).collect();
            rng.shuffle(&mut idx);
            idx.truncate(n.min(digits.len()));
            all.width = 64;
            for i in idx {
                all.push(&digits[i].0, digits[i].1 as f32);
            }
        }
        DatasetKind::Shapes => {
            all.width = shapes::SIZE * shapes::SIZE;
            for i in 0..n {
                let label = i % shapes::CLASSES.len();
                all.push(&shapes::draw(label, noise, rng), label as f32);
            }
        }
        DatasetKind::Sine => {
            let (xs, ys) = sequences::sine(n, SINE_WINDOW, SINE_FREQUENCY, noise, rng);
            all.width = SINE_WINDOW;
            for (x, y) in xs.iter().zip(ys) {
                all.push(x, y);
            }
            let cut = n * train_percent.min(100) as usize / 100;
            let train: Vec<usize> = (0..cut).collect();
            let test: Vec<usize> = (cut..n).collect();
            return Ok((all.select(&train), all.select(&test)));
        }
        DatasetKind::Memory => {
            let (xs, ys) = sequences::memory(n, MEMORY_WINDOW, MEMORY_DELAY, rng);
            all.width = 2 * MEMORY_WINDOW;
            for (x, y) in xs.iter().zip(ys) {
                all.push(x, y);
            }
        }
        _ => return Ok((Samples::default(), Samples::default())),
    }
    let mut idx: Vec<usize> = (0..all.len()).collect();
    split_rng.shuffle(&mut idx);
    let cut = idx.len() * train_percent.min(100) as usize / 100;
    Ok((all.select(&idx[..cut]), all.select(&idx[cut..])))
}
