//! The convolutional and recurrent learning scenarios of `engine::testing::layers` on the GPU
//! backend (lavapipe natively): the same specs, epochs and thresholds as on the CPU; and the same
//! CNN / LSTM / GRU / RNN training run on both backends, step for step.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

use engine::backend::cpu::CpuBackend;
use engine::testing::layers::{digits_cnn_spec, memory_spec, sine_lstm_spec};
use engine::train::Trainer;

engine::layer_learning_tests!(gpu_common::gpu);

fn close(what: &str, cpu: &[f32], gpu: &[f32], rtol: f32, atol: f32) {
    assert_eq!(cpu.len(), gpu.len(), "{what}: length");
    for (i, (&c, &g)) in cpu.iter().zip(gpu).enumerate() {
        assert!((c - g).abs() <= atol + rtol * c.abs() && g.is_finite(), "{what}[{i}]: cpu {c}, gpu {g}");
    }
}

/// The same spec trained on both backends (same initial weights, same batches): after 30 steps
/// the parameters and the training loss agree to float rounding.
#[test]
fn cnn_and_recurrent_training_agrees_with_cpu() {
    for (name, spec) in [
        ("digits cnn", digits_cnn_spec()),
        ("sine lstm", sine_lstm_spec()),
        ("memory gru", memory_spec("gru")),
        ("memory rnn", memory_spec("rnn")),
    ] {
        let mut cpu = Trainer::new(CpuBackend::new(), &spec).unwrap();
        let mut gpu = Trainer::new(gpu_common::gpu(), &spec).unwrap();
        cpu.step(30).unwrap();
        gpu.step(30).unwrap();
        let pc = pollster::block_on(cpu.parameters()).unwrap();
        let pg = pollster::block_on(gpu.parameters()).unwrap();
        assert_eq!(pc.len(), pg.len());
        let mut floats = 0;
        for (l, (c, g)) in pc.iter().zip(&pg).enumerate() {
            for (part, cv, gv) in [
                ("weight", &c.weight, &g.weight),
                ("bias", &c.bias, &g.bias),
                ("weight_hh", &c.weight_hh, &g.weight_hh),
                ("bias_hh", &c.bias_hh, &g.bias_hh),
            ] {
                close(&format!("{name} layer {l} ({}) {part}", c.kind), cv, gv, 1e-3, 1e-4);
                floats += cv.len();
            }
        }
        let mc = pollster::block_on(cpu.metrics()).unwrap();
        let mg = pollster::block_on(gpu.metrics()).unwrap();
        println!("{name}: {floats} parameters agree after 30 steps; train loss cpu {} gpu {}", mc.train_loss, mg.train_loss);
        assert!((mc.train_loss - mg.train_loss).abs() <= 1e-3 * mc.train_loss.abs() + 1e-5, "{name}: train loss");
    }
}

/// After warm-up, CNN and recurrent training steps build no pipeline or bind group, each
/// `step(n)` call is one submission (the per-step recurrent dispatches all fit the uniform arena),
/// and the recurrent cells keep their fused steps: at most this many dispatches per training step
/// (before the fused RNN and GRU steps, the memory task took 85 with either cell).
#[test]
fn cnn_and_recurrent_steps_build_nothing_after_warm_up() {
    for (name, spec, bound) in [
        ("digits cnn", digits_cnn_spec(), 14),
        ("sine lstm", sine_lstm_spec(), 53),
        ("memory gru", memory_spec("gru"), 67),
        ("memory rnn", memory_spec("rnn"), 49),
    ] {
        let mut t = Trainer::new(gpu_common::gpu(), &spec).unwrap();
        t.step(20).unwrap();
        t.step(20).unwrap();
        let before = t.backend().stats();
        t.step(20).unwrap();
        t.step(20).unwrap();
        let after = t.backend().stats();
        let per_step = (after.dispatches - before.dispatches) / 40;
        println!("{name}: {per_step} dispatches per step");
        assert!(per_step <= bound, "{name}: {per_step} dispatches per step, bound {bound}");
        assert_eq!(after.submissions, before.submissions + 2, "{name}: one submission per step(20)");
        assert_eq!(after.bind_groups_built, before.bind_groups_built, "{name}: bind groups built after warm-up");
        assert_eq!(after.pipelines_built, before.pipelines_built, "{name}: pipelines built after warm-up");
    }
}
