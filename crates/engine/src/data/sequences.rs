//! Generated sequences for recurrent layers: sine forecasting and a memory task.

use crate::rng::Rng;

/// Sine forecasting: windows of `window` consecutive samples of
/// `sin(2π·frequency·t + phase)` (`t` in steps, plus Gaussian noise of std `noise`); the target
/// is the next clean value. The series is one long run, so consecutive windows overlap: the
/// trainer splits it by time (train on the start, test on the end). Returns `(windows, targets)`.
pub fn sine(count: usize, window: usize, frequency: f64, noise: f64, rng: &mut Rng) -> (Vec<Vec<f32>>, Vec<f32>) {
    let phase = rng.uniform(0.0, std::f64::consts::TAU);
    let clean = |t: usize| (std::f64::consts::TAU * frequency * t as f64 + phase).sin();
    let series: Vec<f64> = (0..count + window).map(|t| clean(t) + rng.normal(0.0, noise)).collect();
    let windows = (0..count).map(|i| series[i..i + window].iter().map(|&v| v as f32).collect()).collect();
    let targets = (0..count).map(|i| clean(i + window) as f32).collect();
    (windows, targets)
}

/// The memory task: each sequence has `window` steps of two features, a random bit `x` (as ±1)
/// and a cue flag (1 at one step, 0 elsewhere). The cue falls at a random step at least `delay`
/// steps before the end; the label is the bit shown with the cue. Every other bit is a
/// distractor drawn from the same distribution, so the network must *store on the cue* and hold
/// that bit across the later distractors: a multiplicative decision that LSTM and GRU gates make
/// and a plain tanh RNN, which can only add its inputs into its state, struggles to learn.
/// Returns `(sequences as steps × [x, cue], labels 0/1)`.
pub fn memory(count: usize, window: usize, delay: usize, rng: &mut Rng) -> (Vec<Vec<f32>>, Vec<f32>) {
    let delay = delay.min(window.saturating_sub(1));
    let mut xs = Vec::with_capacity(count);
    let mut ys = Vec::with_capacity(count);
    for _ in 0..count {
        let cue = rng.below(window - delay);
        let mut seq = Vec::with_capacity(2 * window);
        for t in 0..window {
            let bit = if rng.below(2) == 1 { 1.0 } else { -1.0 };
            if t == cue {
                ys.push(if bit > 0.0 { 1.0 } else { 0.0 });
            }
            seq.extend([bit, if t == cue { 1.0 } else { 0.0 }]);
        }
        xs.push(seq);
    }
    (xs, ys)
}
