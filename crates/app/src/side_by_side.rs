//! Side-by-side runs: experiment B is a fork of the open experiment (A) with one thing changed
//! (an activation, the optimizer, the learning rate). Both start from the same seed, so the same
//! data and, where the network's shape is the same, the same initial weights, and they train in
//! lockstep: every frame B takes the same number of steps as A. B trains on the CPU, whatever A
//! uses: the point is to compare what the change does, not the devices.

use engine::spec::ModelSpec;
use leptos::prelude::*;

use crate::driver::{plane_output, push_history};
use crate::lab::Lab;
use crate::session::{Device, Session};

/// B's session, and the spec and reset count it was built for.
#[derive(Default)]
pub struct SideBySide {
    session: Option<Session>,
    built: Option<(ModelSpec, u32)>,
}

impl SideBySide {
    /// Builds, rebuilds or drops B to match the page: a new B spec, or A's Reset, starts B afresh.
    pub fn sync(&mut self, lab: &Lab) {
        let Some(spec) = lab.compare.get_untracked() else {
            if self.built.take().is_some() {
                self.session = None;
                lab.b_history.set(Vec::new());
                lab.b_latest.set(None);
                lab.b_output.set(Vec::new());
            }
            return;
        };
        let key = (spec, lab.resets.get_untracked());
        if self.built.as_ref() == Some(&key) {
            return;
        }
        lab.b_history.set(Vec::new());
        lab.b_latest.set(None);
        lab.b_output.set(Vec::new());
        self.session = match Session::new(Device::Cpu, &key.0) {
            Ok(s) => Some(s),
            Err(e) => {
                lab.notice.set(Some(format!("Experiment B cannot be built: {e}")));
                None
            }
        };
        self.built = Some(key);
    }

    /// B takes `steps` steps and, when due (as for A), publishes its metrics and its output over
    /// the plane. A divergence or an error in B pauses both, with a message.
    pub async fn step(&mut self, lab: &Lab, steps: u32, metrics: bool, pictures: bool) {
        let Some(s) = self.session.as_mut() else { return };
        let result = async {
            s.step(steps)?;
            if metrics {
                let m = s.metrics().await?;
                push_history(lab.b_history, m.step as f64 / s.steps_per_epoch() as f64, m);
                lab.b_latest.set(Some(m));
                if m.diverged() {
                    lab.playing.set(false);
                    lab.notice.set(Some(format!("Experiment B diverged at epoch {}: its loss became NaN or infinite.", m.epoch)));
                    return Ok(());
                }
            }
            if pictures && s.spec().data.kind.is_points() {
                lab.b_output.set(plane_output(s).await?);
            }
            Ok::<(), engine::EngineError>(())
        };
        if let Err(e) = result.await {
            lab.playing.set(false);
            lab.notice.set(Some(format!("Experiment B stopped: {e}")));
            self.session = None;
        }
    }
}
