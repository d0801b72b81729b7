//! What the page shows for image and sequence data: feature maps, hidden states over time, and
//! predictions against the truth for test samples.

use super::Trainer;
use crate::backend::{ActOp, Backend, View};
use crate::data::Samples;
use crate::error::{EngineError, Result};
use crate::model::Layer;
use crate::plan::Shape;

/// One layer's output for one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMap {
    /// Index in the spec's layers.
    pub spec_index: Option<usize>,
    /// `conv2d`, `max_pool2d` or `avg_pool2d`.
    pub kind: &'static str,
    /// `[channels, height, width]`.
    pub shape: [usize; 3],
    /// Row-major `channels × height × width`.
    pub data: Vec<f32>,
}

/// A recurrent layer's hidden state at every step for one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct HiddenStates {
    pub spec_index: Option<usize>,
    pub steps: usize,
    pub hidden: usize,
    /// `steps × hidden`, row-major: `h_1 … h_T`.
    pub data: Vec<f32>,
}

/// Predictions for test samples next to their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    /// Floats per prediction ([`Trainer::output_width`]).
    pub width: usize,
    /// `count × width`, after the output's presentation (probabilities for the cross-entropies).
    pub predicted: Vec<f32>,
    /// The true label of each sample (class index, or the value to regress).
    pub truth: Vec<f32>,
}

impl<B: Backend> Trainer<B> {
    /// The training samples of an image or sequence data set (empty for the 2-D point sets).
    pub fn train_samples(&self) -> &Samples {
        &self.train_samples
    }

    /// The test samples of an image or sequence data set.
    pub fn test_samples(&self) -> &Samples {
        &self.test_samples
    }

    /// The shape of one input sample.
    pub fn input_shape(&self) -> Shape {
        self.model.layers.first().map_or(Shape::Flat(0), |l| l.plan.input)
    }

    fn test_row(&self, sample: usize) -> Result<Vec<f32>> {
        let s = &self.test_samples;
        if sample >= s.len() {
            return Err(EngineError::InvalidSpec(format!("test sample {sample} does not exist ({} test samples)", s.len())));
        }
        Ok(s.row(sample).to_vec())
    }

    /// Runs the network on test sample `sample` (an image or sequence data set).
    fn forward_one(&mut self, sample: usize) -> Result<()> {
        let row = self.test_row(sample)?;
        let x = View::whole(self.xb.clone(), row.len());
        self.backend.write(&x, &row)?;
        self.model.forward(&mut self.backend, 1, &x)?;
        Ok(())
    }

    /// Every convolution and pooling layer's output for test sample `sample`, input side first.
    pub async fn feature_maps(&mut self, sample: usize) -> Result<Vec<FeatureMap>> {
        self.forward_one(sample)?;
        let mut out = Vec::new();
        for l in &self.model.layers {
            let kind = match &l.layer {
                Layer::Conv(_) => "conv2d",
                Layer::Pool(p) if p.kind == crate::layers::PoolKind::Max => "max_pool2d",
                Layer::Pool(_) => "avg_pool2d",
                _ => continue,
            };
            let Shape::Image { channels, height, width } = l.plan.output else { continue };
            let data = self.backend.read(&l.output(1)).await?;
            out.push(FeatureMap { spec_index: l.plan.spec_index, kind, shape: [channels, height, width], data });
        }
        Ok(out)
    }

    /// Every recurrent layer's hidden state at each step for test sample `sample`.
    pub async fn hidden_states(&mut self, sample: usize) -> Result<Vec<HiddenStates>> {
        self.forward_one(sample)?;
        let mut out = Vec::new();
        for l in &self.model.layers {
            let Layer::Recurrent(r) = &l.layer else { continue };
            let all = View { buf: r.h_state(1, 1).buf, offset: r.hidden, len: r.steps * r.hidden };
            let data = self.backend.read(&all).await?;
            out.push(HiddenStates { spec_index: l.plan.spec_index, steps: r.steps, hidden: r.hidden, data });
        }
        Ok(out)
    }

    /// The network's answer for `rows` samples given as `rows × input width` floats, after the
    /// output's presentation (see [`Trainer::predict`]).
    pub async fn predict_samples(&mut self, x: &[f32]) -> Result<Vec<f32>> {
        let f = self.model.input_width;
        if f == 0 || !x.len().is_multiple_of(f) {
            return Err(EngineError::Shape { op: "predict_samples", detail: format!("{} floats are not samples of {f}", x.len()) });
        }
        let w = self.output.units;
        let mut result = Vec::with_capacity(x.len() / f * w);
        for chunk in x.chunks(self.model.capacity * f) {
            let rows = chunk.len() / f;
            let xv = View::whole(self.xb.clone(), chunk.len());
            self.backend.write(&xv, chunk)?;
            let pred = self.model.forward(&mut self.backend, rows, &xv)?;
            let shown = if self.output.presented == self.output.activation {
                pred
            } else {
                let probs = View::whole(self.probs.clone(), rows * w);
                let op = ActOp { act: self.output.presented, rows, cols: w };
                self.backend.act_forward(op, &pred, None, &probs)?;
                probs
            };
            result.extend(self.backend.read(&shown).await?);
        }
        Ok(result)
    }

    /// Predictions for test samples `start .. start + count` (clamped to the test set) next to
    /// their labels: for the sine, consecutive windows, so `predicted` against `truth` is the
    /// forecast against the true series over that stretch of time.
    pub async fn test_predictions(&mut self, start: usize, count: usize) -> Result<Predictions> {
        let n = self.test_samples.len();
        let start = start.min(n);
        let end = start.saturating_add(count).min(n);
        let w = self.model.input_width;
        let x = self.test_samples.x[start * w..end * w].to_vec();
        let predicted = if x.is_empty() { Vec::new() } else { self.predict_samples(&x).await? };
        Ok(Predictions { width: self.output.units, predicted, truth: self.test_samples.labels[start..end].to_vec() })
    }

    /// [`Trainer::test_predictions`] under the name the sequence view uses.
    pub async fn predict_sequence(&mut self, start: usize, count: usize) -> Result<Predictions> {
        self.test_predictions(start, count).await
    }
}
