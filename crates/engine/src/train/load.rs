//! Loading weights into a trainer: a model file's layers (see [`crate::export::ModelFile`]) or
//! any other [`LayerParams`] of the same network replace the current parameters.

use super::Trainer;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::LayerParams;

impl<B: Backend> Trainer<B> {
    /// Replaces every weight, bias and PReLU slope with `layers` (one entry per built layer, as
    /// [`Trainer::parameters`] returns them), and clears the optimizer's state (momentum's
    /// velocity, Adam's moments), so training continues from these weights as from a fresh
    /// start. The epoch and step counters are left as they are.
    ///
    /// Everything is checked before anything changes (layer count, kinds, tensor lengths, finite
    /// values); on an error the trainer is as it was.
    pub fn load_parameters(&mut self, layers: &[LayerParams]) -> Result<()> {
        let flat = self.model.join_params(layers)?;
        let b = &mut self.backend;
        b.write(&self.model.params, &flat)?;
        b.fill(&self.model.m, 0.0)?;
        b.fill(&self.model.v, 0.0)?;
        b.submit()
    }

    /// Replaces the parameters with `layers` as [`Trainer::load_parameters`] does, but keeps the
    /// optimizer's state: the run goes on from an edited weight (the page's graph, where the
    /// learner types a new value) as if the weight had moved there by itself.
    pub fn edit_parameters(&mut self, layers: &[LayerParams]) -> Result<()> {
        let flat = self.model.join_params(layers)?;
        self.backend.write(&self.model.params, &flat)?;
        self.backend.submit()
    }
}
