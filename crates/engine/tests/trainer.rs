//! The trainer: reproducible from its seed, metrics and predictions of the right shapes,
//! every loss and optimizer trains, divergence is reported.

// Tests build specs by changing a default one field at a time, which reads better than
// struct-update syntax here.
#![allow(clippy::field_reassign_with_default)]

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::data::{DatasetKind, Feature};
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::spec::{LayerSpec, ModelSpec, RegKind};
use engine::testing::block_on;
use engine::train::Trainer;

fn run(spec: &ModelSpec, epochs: u32) -> (Trainer<CpuBackend>, engine::train::Metrics) {
    let mut t = Trainer::new(CpuBackend::new(), spec).unwrap();
    t.step_epochs(epochs).unwrap();
    let m = block_on(t.metrics()).unwrap();
    (t, m)
}

#[test]
fn same_spec_same_run_other_seed_other_run() {
    let spec = ModelSpec::default();
    let (mut a, ma) = run(&spec, 3);
    let (mut b, mb) = run(&spec, 3);
    assert_eq!(ma, mb);
    assert_eq!(block_on(a.parameters()).unwrap(), block_on(b.parameters()).unwrap());
    let mut other = spec.clone();
    other.seed = 2;
    let (_, mc) = run(&other, 3);
    assert_ne!(ma.train_loss, mc.train_loss);
}

#[test]
fn steps_and_epochs_are_counted() {
    let mut spec = ModelSpec::default();
    spec.data.points = 100;
    spec.batch_size = 15; // 50 training points: 4 steps per epoch, the last of 5
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    assert_eq!(t.train_points().len(), 50);
    assert_eq!(t.test_points().len(), 50);
    assert_eq!(t.steps_per_epoch(), 4);
    t.step(3).unwrap();
    assert_eq!((t.epoch(), t.steps()), (0, 3));
    t.step(1).unwrap();
    assert_eq!((t.epoch(), t.steps()), (1, 4));
    t.step_epochs(2).unwrap();
    assert_eq!((t.epoch(), t.steps()), (3, 12));

    // Image sets count their samples, not 2-D points (there are none).
    let mut digits = ModelSpec::default();
    digits.data.kind = DatasetKind::Digits;
    digits.layers = vec![LayerSpec::Flatten];
    digits.loss = LossKind::SoftmaxCrossEntropy;
    digits.batch_size = 32;
    let mut t = Trainer::new(CpuBackend::new(), &digits).unwrap();
    assert!(t.train_points().is_empty());
    let per_epoch = t.steps_per_epoch();
    assert_eq!(per_epoch as usize, t.train_samples().len().div_ceil(32));
    t.step(per_epoch).unwrap();
    assert_eq!(t.epoch(), 1);
}

#[test]
fn training_lowers_the_loss_for_every_loss_and_optimizer() {
    for loss in LossKind::ALL {
        for optim in OptimKind::ALL {
            for reg in [RegKind::None, RegKind::L1, RegKind::L2] {
                let mut spec = ModelSpec::default();
                spec.data.kind = DatasetKind::Gauss;
                spec.data.points = 200;
                spec.loss = loss;
                spec.optimizer.kind = optim;
                spec.optimizer.lr = if optim == OptimKind::Adam { 0.01 } else { 0.05 };
                spec.regularization.kind = reg;
                spec.regularization.rate = 0.001;
                let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
                let before = block_on(t.metrics()).unwrap();
                t.step_epochs(5).unwrap();
                let after = block_on(t.metrics()).unwrap();
                assert!(
                    after.train_loss < before.train_loss,
                    "{} {} {reg:?}: {} -> {}",
                    loss.id(),
                    optim.id(),
                    before.train_loss,
                    after.train_loss
                );
                assert!(after.test_accuracy.unwrap() > 0.9, "{} {}: {after:?}", loss.id(), optim.id());
            }
        }
    }
}

#[test]
fn regression_reports_no_accuracy_and_learns_the_plane() {
    let mut spec = ModelSpec::default();
    spec.data.kind = DatasetKind::RegPlane;
    spec.layers = vec![];
    spec.optimizer.lr = 0.01;
    let (_, m) = run(&spec, 30);
    assert_eq!(m.train_accuracy, None);
    assert!(m.test_loss < 1e-3, "{m:?}");
}

#[test]
fn predict_returns_presented_outputs() {
    let mut spec = ModelSpec::default();
    spec.loss = LossKind::SoftmaxCrossEntropy;
    spec.data.kind = DatasetKind::Gauss;
    let (mut t, _) = run(&spec, 5);
    assert_eq!(t.output_width(), 2);
    // More points than the scratch holds, to cross a chunk boundary.
    let grid: Vec<(f64, f64)> = (0..1200).map(|i| ((i % 40) as f64 * 0.3 - 6.0, (i / 40) as f64 * 0.4 - 6.0)).collect();
    let p = block_on(t.predict(&grid)).unwrap();
    assert_eq!(p.len(), grid.len() * 2);
    for row in p.chunks(2) {
        assert!((row[0] + row[1] - 1.0).abs() < 1e-5 && row.iter().all(|v| (0.0..=1.0).contains(v)));
    }
    // The positive blob sits at (2, 2), the negative one at (−2, −2); class 1 is positive.
    let p = block_on(t.predict(&[(2.0, 2.0), (-2.0, -2.0)])).unwrap();
    assert!(p[1] > 0.8 && p[2] > 0.8, "{p:?}");

    spec.loss = LossKind::SigmoidBce;
    let (mut t, _) = run(&spec, 5);
    let p = block_on(t.predict(&[(2.0, 2.0), (-2.0, -2.0)])).unwrap();
    assert!(p[0] > 0.8 && p[1] < 0.2, "{p:?}");
}

#[test]
fn parameters_have_pytorch_shapes() {
    let mut spec = ModelSpec::default();
    spec.features = Feature::ALL.to_vec();
    spec.layers = vec![
        LayerSpec::Dense { units: 5, activation: Activation::Prelu },
        LayerSpec::Dense { units: 3, activation: Activation::Maxout { pieces: 3 } },
    ];
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    let p = block_on(t.parameters()).unwrap();
    assert_eq!(p.len(), 3);
    assert_eq!(
        (p[0].weight.len(), p[0].bias.len()),
        (5 * Feature::ALL.len(), 5)
    );
    assert_eq!(p[0].prelu_alpha.as_deref(), Some(&[0.25f32; 5][..]));
    assert_eq!((p[1].weight.len(), p[1].bias.len(), p[1].prelu_alpha.is_none()), (9 * 5, 9, true));
    assert_eq!((p[2].weight.len(), p[2].bias.len()), (3, 1));
    assert_eq!(t.parameter_count(), spec.parameter_count());
    assert!(p.iter().all(|l| l.bias.iter().all(|&b| b == 0.0)));
    t.step(20).unwrap();
    let q = block_on(t.parameters()).unwrap();
    assert_ne!(p[0].prelu_alpha, q[0].prelu_alpha, "PReLU slopes are trained");
}

#[test]
fn divergence_is_reported() {
    let mut spec = ModelSpec::default();
    spec.layers = vec![LayerSpec::Dense { units: 8, activation: Activation::Relu }; 3];
    spec.data.kind = DatasetKind::RegPlane;
    spec.features = vec![Feature::X1, Feature::X2, Feature::X1Sq, Feature::X2Sq];
    spec.optimizer.lr = 10.0;
    let (_, m) = run(&spec, 5);
    assert!(m.diverged(), "{m:?}");
}

#[test]
fn he_init_trains_relu_too() {
    let mut spec = engine::testing::xor_relu_spec();
    spec.init = engine::init::InitKind::HeNormal;
    let r = block_on(engine::testing::train_until(CpuBackend::new(), &spec, 30, 2, 0.95)).unwrap();
    assert!(r.best_test_accuracy >= 0.95, "{r:?}");
}

#[test]
fn neuron_outputs_cover_every_layer_and_match_predict() {
    let spec = ModelSpec::default(); // hidden 4 and 2 tanh, tanh output
    let (mut t, _) = run(&spec, 2);
    let pts = [(0.0, 0.0), (1.0, -2.0), (3.0, 3.0)];
    let outs = block_on(t.neuron_outputs(&pts)).unwrap();
    assert_eq!(outs.iter().map(Vec::len).collect::<Vec<_>>(), vec![3 * 4, 3 * 2, 3]);
    assert!(outs[0].iter().all(|v| (-1.0..=1.0).contains(v)));
    assert_eq!(outs[2], block_on(t.predict(&pts)).unwrap());
}

#[test]
fn hyper_parameters_change_without_a_restart_and_shapes_do_not() {
    let spec = ModelSpec::default();
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    t.step(10).unwrap();
    let mut faster = spec.clone();
    faster.optimizer.lr = 0.1;
    faster.batch_size = 25;
    faster.regularization.kind = RegKind::L2;
    faster.regularization.rate = 0.001;
    assert!(t.update(&faster).unwrap());
    assert_eq!(t.spec().optimizer.lr, 0.1);
    t.step(1).unwrap();
    assert_eq!(t.steps(), 11);
    let mut wider = faster.clone();
    wider.layers.push(LayerSpec::Dense { units: 3, activation: Activation::Relu });
    assert!(!t.update(&wider).unwrap());
    assert_eq!(t.spec(), &faster);
    let mut invalid = faster.clone();
    invalid.optimizer.lr = -1.0;
    assert!(t.update(&invalid).is_err());
}

/// TensorFlow Playground's `initZero`: every weight starts at 0, so the units of a hidden layer
/// get identical gradients and stay identical copies of each other, whatever the training.
#[test]
fn zero_init_starts_at_zero_and_keeps_units_identical() {
    let mut spec = ModelSpec::default(); // hidden 4 and 2 tanh
    spec.init = engine::init::InitKind::Zeros;
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    let start = block_on(t.parameters()).unwrap();
    assert!(
        start.iter().all(|l| l.weight.iter().all(|&w| w == 0.0)),
        "{start:?}"
    );
    t.step_epochs(3).unwrap();
    let after = block_on(t.parameters()).unwrap();
    let first = &after[0];
    let rows: Vec<&[f32]> = first.weight.chunks(first.fan_in).collect();
    assert!(
        rows.iter().all(|r| r == &rows[0]),
        "hidden units stayed copies: {rows:?}"
    );
    assert!(
        first.bias.iter().all(|&b| b == first.bias[0]),
        "{:?}",
        first.bias
    );
}

/// Editing a weight keeps the optimizer's state (momentum's velocity), unlike loading a model.
#[test]
fn an_edited_weight_takes_effect_and_training_continues_from_it() {
    let mut spec = ModelSpec::default();
    spec.optimizer.kind = OptimKind::Momentum;
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    t.step(20).unwrap();
    let pts = [(1.0, 1.0)];
    let before = block_on(t.predict(&pts)).unwrap();
    let mut params = block_on(t.parameters()).unwrap();
    params[0].weight[0] += 3.0;
    t.edit_parameters(&params).unwrap();
    assert_eq!(block_on(t.parameters()).unwrap(), params);
    assert_ne!(block_on(t.predict(&pts)).unwrap(), before);
    // The same edit with a fresh optimizer state trains on differently: the state was kept.
    let mut reloaded = Trainer::new(CpuBackend::new(), &spec).unwrap();
    reloaded.step(20).unwrap();
    reloaded.load_parameters(&params).unwrap();
    t.step(5).unwrap();
    reloaded.step(5).unwrap();
    assert_ne!(
        block_on(t.parameters()).unwrap(),
        block_on(reloaded.parameters()).unwrap()
    );
    // Bad input changes nothing.
    let mut bad = params.clone();
    bad[0].weight[0] = f32::NAN;
    let kept = block_on(t.parameters()).unwrap();
    assert!(t.edit_parameters(&bad).is_err());
    assert_eq!(block_on(t.parameters()).unwrap(), kept);
}
