//! Learning scenarios for convolutional and recurrent layers, generic over [`Backend`]
//! (instantiate them with [`layer_learning_tests!`](crate::layer_learning_tests)).

use super::LearnReport;
use crate::activation::Activation;
use crate::backend::Backend;
use crate::data::DatasetKind;
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::spec::{DataSpec, LayerSpec, ModelSpec, OptimizerSpec};
use crate::train::{Metrics, Trainer};

/// Test MSE the LSTM must reach on the sine forecast (targets in [−1, 1]; predicting 0 scores
/// about 0.5, repeating the last noisy input about 0.05).
pub const SINE_MSE_THRESHOLD: f32 = 0.01;

fn base(kind: DatasetKind, points: u32, layers: Vec<LayerSpec>, loss: LossKind, lr: f32, batch: u32) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind, points, noise: 0, train_percent: 80 };
    s.layers = layers;
    s.loss = loss;
    s.optimizer = OptimizerSpec { kind: OptimKind::Adam, lr, ..s.optimizer };
    s.batch_size = batch;
    s.seed = 1;
    s
}

/// Digits: conv 8@3x3 (pad 1) relu → max pool 2 → flatten → dense 32 relu → 10 logits.
pub fn digits_cnn_spec() -> ModelSpec {
    let layers = vec![
        LayerSpec::Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: Activation::Relu },
        LayerSpec::MaxPool2d { kernel: 2, stride: 2 },
        LayerSpec::Flatten,
        LayerSpec::Dense { units: 32, activation: Activation::Relu },
    ];
    base(DatasetKind::Digits, 1797, layers, LossKind::SoftmaxCrossEntropy, 0.01, 32)
}

/// Sine forecasting with one LSTM of 16 (last step) → 1 value, mse, noise 5.
pub fn sine_lstm_spec() -> ModelSpec {
    let mut s = base(DatasetKind::Sine, 600, vec![LayerSpec::Lstm { hidden: 16, return_sequences: false }], LossKind::Mse, 0.01, 16);
    s.data.noise = 5;
    s.data.train_percent = 70;
    s
}

/// The memory task with one recurrent layer of `kind` (`rnn`, `lstm`, `gru`), 16 units.
pub fn memory_spec(kind: &str) -> ModelSpec {
    let hidden = 12;
    let l = match kind {
        "lstm" => LayerSpec::Lstm { hidden, return_sequences: false },
        "gru" => LayerSpec::Gru { hidden, return_sequences: false },
        _ => LayerSpec::Rnn { hidden, return_sequences: false },
    };
    base(DatasetKind::Memory, 800, vec![l], LossKind::SoftmaxCrossEntropy, 0.02, 16)
}

/// Trains for at most `epochs`, reading metrics after every epoch, and stops early once
/// `done(metrics)`. Returns the last metrics, the best test accuracy and the best test loss.
async fn train<B: Backend>(backend: B, spec: &ModelSpec, epochs: u32, done: impl Fn(&Metrics) -> bool) -> Result<(Metrics, f32, f32), String> {
    let mut t = Trainer::new(backend, spec).map_err(|e| e.to_string())?;
    let (mut best_acc, mut best_loss) = (0.0f32, f32::INFINITY);
    loop {
        t.step_epochs(1).map_err(|e| e.to_string())?;
        let m = t.metrics().await.map_err(|e| e.to_string())?;
        if m.diverged() {
            return Err(format!("diverged at epoch {}: {m:?}", m.epoch));
        }
        best_acc = best_acc.max(m.test_accuracy.unwrap_or(0.0));
        best_loss = best_loss.min(m.test_loss);
        if m.epoch >= epochs || done(&m) {
            return Ok((m, best_acc, best_loss));
        }
    }
}

/// A small CNN reaches 95 % test accuracy on the digits within 10 epochs (training stops at 96 %).
pub async fn digits_cnn_learns<B: Backend>(backend: B) -> Result<LearnReport, String> {
    let (last, best, _) = train(backend, &digits_cnn_spec(), 10, |m| m.test_accuracy.unwrap_or(0.0) >= 0.96).await?;
    if last.test_accuracy.unwrap_or(0.0) < 0.95 {
        return Err(format!("digits CNN reached only {:.1}% test accuracy ({last:?})", last.test_accuracy.unwrap_or(0.0) * 100.0));
    }
    Ok(LearnReport { epochs: last.epoch, last, best_test_accuracy: best })
}

/// An LSTM forecasts the sine with test MSE below [`SINE_MSE_THRESHOLD`] within 15 epochs
/// (training stops below half of it).
pub async fn sine_lstm_learns<B: Backend>(backend: B) -> Result<LearnReport, String> {
    let (last, _, _) = train(backend, &sine_lstm_spec(), 15, |m| m.test_loss < SINE_MSE_THRESHOLD / 2.0).await?;
    if last.test_loss >= SINE_MSE_THRESHOLD {
        return Err(format!("sine LSTM test MSE {} ≥ {SINE_MSE_THRESHOLD} ({last:?})", last.test_loss));
    }
    Ok(LearnReport { epochs: last.epoch, last, best_test_accuracy: 0.0 })
}

/// Best test accuracy of rnn, lstm and gru on the memory task within `epochs` (each stops
/// early at 98 %).
pub async fn memory_accuracies<B: Backend>(mut make: impl FnMut() -> B, epochs: u32) -> Result<[f32; 3], String> {
    let mut out = [0.0; 3];
    for (i, kind) in ["rnn", "lstm", "gru"].iter().enumerate() {
        let (last, best, _) = train(make(), &memory_spec(kind), epochs, |m| m.test_accuracy.unwrap_or(0.0) >= 0.98).await?;
        out[i] = best;
        eprintln!("memory task, {kind}: best test accuracy {:.1}% in {} epochs ({last:?})", out[i] * 100.0, last.epoch);
    }
    Ok(out)
}

/// On the memory task LSTM and GRU clearly beat a plain RNN of the same size (12 units): both
/// reach ≥ 90 % test accuracy and the RNN's best stays at least 15 points lower within 20 epochs.
pub async fn memory_gates_beat_rnn<B: Backend>(make: impl FnMut() -> B) -> Result<[f32; 3], String> {
    let [rnn, lstm, gru] = memory_accuracies(make, 20).await?;
    let msg = format!("test accuracy rnn {:.1}%, lstm {:.1}%, gru {:.1}%", rnn * 100.0, lstm * 100.0, gru * 100.0);
    if lstm < 0.9 || gru < 0.9 || lstm - rnn < 0.15 || gru - rnn < 0.15 {
        return Err(msg);
    }
    Ok([rnn, lstm, gru])
}

/// `#[test]` functions for the convolutional and recurrent learning scenarios on one backend.
#[macro_export]
macro_rules! layer_learning_tests {
    ($make:expr) => {
        #[test]
        fn digits_cnn_reaches_95_percent() {
            let r = $crate::testing::block_on($crate::testing::layers::digits_cnn_learns($make())).unwrap();
            println!("digits CNN: {r:?}");
        }

        #[test]
        fn lstm_forecasts_the_sine() {
            let r = $crate::testing::block_on($crate::testing::layers::sine_lstm_learns($make())).unwrap();
            println!("sine LSTM: {r:?}");
        }

        #[test]
        fn lstm_and_gru_beat_rnn_on_memory() {
            let r = $crate::testing::block_on($crate::testing::layers::memory_gates_beat_rnn(|| $make())).unwrap();
            println!("memory rnn/lstm/gru test accuracy: {r:?}");
        }
    };
}
