//! Live diagnostics: each warning fires in a run that has the problem and stays quiet in a
//! healthy one; the per-layer figures exist for points, images and sequences.

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::data::{DatasetKind, Feature};
use engine::init::InitKind;
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::spec::ModelSpec;
use engine::testing::{self, block_on};
use engine::train::{Diagnostics, Trainer, WarningKind};

const XY: [Feature; 2] = [Feature::X1, Feature::X2];

fn circle(depth: usize, act: Activation, optim: OptimKind, lr: f32) -> ModelSpec {
    testing::spec(DatasetKind::Circle, &XY, &vec![8; depth], act, LossKind::SigmoidBce, optim, lr, 1)
}

/// Trains `epochs` and measures.
fn measure(spec: &ModelSpec, epochs: u32) -> (Trainer<CpuBackend>, Diagnostics) {
    let mut t = Trainer::new(CpuBackend::new(), spec).unwrap();
    t.step_epochs(epochs).unwrap();
    let d = block_on(t.diagnostics()).unwrap();
    (t, d)
}

fn kinds(d: &Diagnostics) -> Vec<WarningKind> {
    d.warnings.iter().map(|w| w.kind).collect()
}

fn has(d: &Diagnostics, k: WarningKind) -> bool {
    kinds(d).contains(&k)
}

fn max_dead(d: &Diagnostics) -> f32 {
    d.layers.iter().filter_map(|l| l.dead_share).fold(0.0, f32::max)
}

#[test]
fn healthy_runs_have_no_warnings() {
    for (name, spec) in [("xor relu", testing::xor_relu_spec()), ("spiral tanh", testing::spiral_tanh_spec()), ("default", ModelSpec::default())] {
        for epochs in [0, 5] {
            let (_, d) = measure(&spec, epochs);
            assert!(d.warnings.is_empty(), "{name} after {epochs} epochs: {:?}", d.warnings);
            assert_eq!(d.layers.len(), spec.layers.len() + 1);
            assert!(d.probe_loss.is_finite());
            for l in &d.layers {
                let g = l.grad_norm.unwrap();
                assert!(g.is_finite() && g > 0.0, "{name}: {l:?}");
                assert!(l.grad_to_weight.unwrap().is_finite());
            }
            let r = d.gradient_ratio.unwrap();
            assert!(r > 1e-2 && r < 1e2, "{name}: ratio {r}");
        }
    }
}

#[test]
fn deep_sigmoid_warns_of_vanishing_gradients() {
    let (_, d) = measure(&circle(8, Activation::Sigmoid, OptimKind::Sgd, 0.1), 2);
    let r = d.gradient_ratio.unwrap();
    eprintln!("deep sigmoid: ratio {r:e}, grad rms {:?}", d.layers.iter().map(|l| l.grad_rms.unwrap()).collect::<Vec<_>>());
    assert!(r < 1e-3);
    assert!(has(&d, WarningKind::Vanishing), "{:?}", kinds(&d));
    let w = d.warnings.iter().find(|w| w.kind == WarningKind::Vanishing).unwrap();
    assert_eq!(w.layers, vec![0]);
    assert!(w.en.contains("sigmoid") && w.ko.contains("시그모이드"), "{w:?}");
    // The same depth with ReLU keeps its gradient.
    let (_, d) = measure(&circle(8, Activation::Relu, OptimKind::Sgd, 0.1), 2);
    assert!(!has(&d, WarningKind::Vanishing), "{:?}", kinds(&d));
}

#[test]
fn relu_at_a_high_learning_rate_dies_and_leaky_relu_does_not() {
    let mut relu = circle(3, Activation::Relu, OptimKind::Adam, 0.3);
    relu.init = InitKind::HeNormal;
    let (_, d) = measure(&relu, 5);
    eprintln!("relu lr 0.3: dead {:?}", d.layers.iter().map(|l| l.dead_share).collect::<Vec<_>>());
    assert!(max_dead(&d) >= 0.5);
    assert!(has(&d, WarningKind::DeadRelu));
    // At SGD lr 2 every unit of the last hidden layer dies: no gradient reaches anything.
    let mut sgd = circle(3, Activation::Relu, OptimKind::Sgd, 2.0);
    sgd.init = InitKind::HeNormal;
    let (_, d) = measure(&sgd, 1);
    assert_eq!(d.layers[2].dead_share, Some(1.0));
    assert!(d.layers.iter().all(|l| l.grad_norm == Some(0.0)));
    assert!(has(&d, WarningKind::DeadRelu) && has(&d, WarningKind::ZeroGradient), "{:?}", kinds(&d));

    let mut leaky = relu.clone();
    for l in &mut leaky.layers {
        *l = engine::spec::LayerSpec::Dense { units: 8, activation: Activation::LeakyRelu { alpha: 0.01 } };
    }
    let (_, d) = measure(&leaky, 5);
    assert_eq!(max_dead(&d), 0.0);
    assert!(d.layers[..3].iter().all(|l| l.inactive_share.is_some()));
    assert!(!has(&d, WarningKind::DeadRelu), "{:?}", kinds(&d));
}

#[test]
fn a_too_high_learning_rate_saturates_sigmoid_and_tanh() {
    for act in [Activation::Tanh, Activation::Sigmoid] {
        // Adam at lr 1 blows the weights up: most units sit on the flat ends of the curve.
        let (_, d) = measure(&circle(2, act, OptimKind::Adam, 1.0), 5);
        eprintln!("{act:?} lr 1: saturated {:?}", d.layers.iter().map(|l| l.saturated_share).collect::<Vec<_>>());
        assert!(d.layers[0].saturated_share.unwrap() >= 0.5 && d.layers[1].saturated_share.unwrap() >= 0.5);
        let w = d.warnings.iter().find(|w| w.kind == WarningKind::Saturated).expect("a saturation warning");
        assert_eq!(w.layers, vec![0, 1]);
        // At a sensible rate they are not.
        let (_, d) = measure(&circle(2, act, OptimKind::Adam, 0.03), 5);
        assert!(d.layers[..2].iter().all(|l| l.saturated_share.unwrap() < 0.5), "{act:?}");
        assert!(!has(&d, WarningKind::Saturated));
    }
}

#[test]
fn divergence_warns_of_exploding_gradients() {
    let mut s = circle(3, Activation::LeakyRelu { alpha: 0.01 }, OptimKind::Sgd, 2.0);
    s.init = InitKind::HeNormal;
    let (_, d) = measure(&s, 1);
    assert!(!d.probe_loss.is_finite());
    assert_eq!(kinds(&d), vec![WarningKind::Exploding], "only the divergence is reported");
    assert!(d.warnings[0].en.contains("learning rate") && d.warnings[0].ko.contains("학습률"));
}

#[test]
fn binary_step_warns_that_no_gradient_flows() {
    let (_, d) = measure(&testing::binary_step_spec(), 2);
    let w = d.warnings.iter().find(|w| w.kind == WarningKind::BinaryStep).expect("a binary-step warning");
    assert_eq!(w.layers, vec![0, 1]);
    assert!(d.layers[2].grad_norm.unwrap() > 0.0, "the output layer still learns");
    assert!(w.ko.contains("이진 계단"));
    // A smooth activation in its place has gradients everywhere.
    let (_, d) = measure(&circle(2, Activation::Sigmoid, OptimKind::Adam, 0.03), 2);
    assert!(!has(&d, WarningKind::BinaryStep) && !has(&d, WarningKind::ZeroGradient));
}

#[test]
fn all_linear_network_is_named() {
    let (_, d) = measure(&testing::circle_linear_spec(), 1);
    assert!(has(&d, WarningKind::AllLinear));
    let (_, d) = measure(&circle(2, Activation::Tanh, OptimKind::Adam, 0.03), 1);
    assert!(!has(&d, WarningKind::AllLinear));
}

#[test]
fn prelu_slopes_are_reported_and_learned() {
    let s = circle(2, Activation::Prelu, OptimKind::Adam, 0.03);
    let (_, d0) = measure(&s, 0);
    let (_, d) = measure(&s, 3);
    let a0 = d0.layers[0].prelu_alpha.clone().unwrap();
    let a = d.layers[0].prelu_alpha.clone().unwrap();
    assert_eq!(a.len(), 8);
    assert!(a0.iter().all(|&x| x == 0.25));
    assert!(a.iter().any(|&x| (x - 0.25).abs() > 1e-3), "{a:?}");
    assert!(d.layers[2].prelu_alpha.is_none());
    assert_eq!(d.layers[0].dead_share, Some(0.0));
}

#[test]
fn maxout_piece_wins_are_shares() {
    let s = circle(2, Activation::Maxout { pieces: 3 }, OptimKind::Adam, 0.03);
    let (_, d) = measure(&s, 3);
    for l in &d.layers[..2] {
        let m = l.maxout.as_ref().expect("maxout wins");
        assert_eq!(m.pieces, 3);
        assert_eq!(m.per_unit.len(), 8 * 3);
        for unit in m.per_unit.chunks(3) {
            assert!((unit.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{unit:?}");
        }
        assert!((m.overall.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(m.overall.iter().all(|&w| w > 0.0), "every piece wins somewhere: {:?}", m.overall);
    }
    assert!(d.layers[2].maxout.is_none());
}

#[test]
fn maxout_winners_match_the_layer_output() {
    // A single maxout layer: its output must equal the winning piece computed from its weights.
    let s = circle(1, Activation::Maxout { pieces: 2 }, OptimKind::Adam, 0.03);
    let mut t = Trainer::new(CpuBackend::new(), &s).unwrap();
    t.step_epochs(2).unwrap();
    let d = block_on(t.diagnostics()).unwrap();
    let p = block_on(t.parameters()).unwrap();
    let pts: Vec<(f64, f64)> = t.train_points().iter().take(d.probe_rows).map(|q| (q.x, q.y)).collect();
    let outs = block_on(t.neuron_outputs(&pts)).unwrap();
    let mut wins = [0usize; 16];
    for (r, &(x1, x2)) in pts.iter().enumerate() {
        for j in 0..8 {
            let z: Vec<f32> = (0..2).map(|i| p[0].bias[2 * j + i] + p[0].weight[(2 * j + i) * 2] * x1 as f32 + p[0].weight[(2 * j + i) * 2 + 1] * x2 as f32).collect();
            let win = if z[1] > z[0] { 1 } else { 0 };
            assert!((outs[0][r * 8 + j] - z[win]).abs() < 1e-4);
            wins[2 * j + win] += 1;
        }
    }
    let shares: Vec<f32> = wins.iter().map(|&w| w as f32 / pts.len() as f32).collect();
    assert_eq!(shares, d.layers[0].maxout.as_ref().unwrap().per_unit);
}

#[test]
fn images_and_sequences_are_measured() {
    let (_, d) = measure(&testing::layers::digits_cnn_spec(), 0);
    let k: Vec<&str> = d.layers.iter().map(|l| l.kind).collect();
    assert_eq!(k, ["conv2d", "max_pool2d", "dense", "dense"]);
    assert_eq!(d.layers[0].units, 8);
    assert_eq!(d.layers[0].dead.as_ref().unwrap().len(), 8);
    assert!(d.layers[0].grad_norm.unwrap() > 0.0);
    assert!(d.layers[1].grad_norm.is_none() && d.layers[1].units == 8);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);

    let (_, d) = measure(&testing::layers::memory_spec("rnn"), 0);
    assert_eq!(d.layers[0].kind, "rnn");
    assert_eq!(d.layers[0].saturated.as_ref().unwrap().len(), 12);
    assert!(d.layers[0].grad_norm.unwrap() > 0.0);
    let (_, d) = measure(&testing::layers::memory_spec("lstm"), 0);
    assert_eq!(d.layers[0].kind, "lstm");
    assert!(d.layers[0].saturated.is_none() && d.layers[0].grad_norm.unwrap() > 0.0);
    assert_eq!(d.layers[0].weight_count, 4 * 12 * (2 + 12));
}

#[test]
fn measuring_does_not_change_the_run() {
    let spec = testing::xor_relu_spec();
    let mut a = Trainer::new(CpuBackend::new(), &spec).unwrap();
    let mut b = Trainer::new(CpuBackend::new(), &spec).unwrap();
    for _ in 0..3 {
        a.step(7).unwrap();
        block_on(a.diagnostics()).unwrap();
        b.step(7).unwrap();
    }
    let (pa, pb) = (block_on(a.parameters()).unwrap(), block_on(b.parameters()).unwrap());
    assert_eq!(pa, pb);
    assert_eq!(block_on(a.metrics()).unwrap(), block_on(b.metrics()).unwrap());
}
