//! Every lesson trains on the CPU and shows what its text promises, before and after its
//! "try this" change. Figures are printed (`--nocapture`) for the report.

use engine::backend::cpu::CpuBackend;
use engine::lessons::{LESSONS, Lesson, lesson};
use engine::spec::ModelSpec;
use engine::testing::block_on;
use engine::train::{Diagnostics, Metrics, Trainer, WarningKind};

struct Run {
    t: Trainer<CpuBackend>,
    last: Metrics,
    best: f32,
}

/// Trains `spec` for up to `epochs`, stopping early once test accuracy reaches `stop`.
fn train(spec: &ModelSpec, epochs: u32, stop: f32) -> Run {
    let mut t = Trainer::new(CpuBackend::new(), spec).expect("lesson spec builds");
    let mut best = 0.0f32;
    loop {
        t.step_epochs(1).unwrap();
        let last = block_on(t.metrics()).unwrap();
        best = best.max(last.test_accuracy.unwrap_or(0.0));
        if last.epoch >= epochs || last.test_accuracy.unwrap_or(0.0) >= stop {
            return Run { t, last, best };
        }
    }
}

fn get(id: &str) -> &'static Lesson {
    lesson(id).unwrap_or_else(|| panic!("lesson {id}"))
}

fn tried(l: &Lesson) -> ModelSpec {
    (l.try_spec.expect("a try-this change"))(&(l.spec)())
}

fn diag(r: &mut Run) -> Diagnostics {
    block_on(r.t.diagnostics()).unwrap()
}

fn has(d: &Diagnostics, k: WarningKind) -> bool {
    d.warnings.iter().any(|w| w.kind == k)
}

fn max_dead(d: &Diagnostics) -> f32 {
    d.layers.iter().filter_map(|l| l.dead_share).fold(0.0, f32::max)
}

#[test]
fn every_lesson_is_complete_and_valid() {
    let mut ids = std::collections::HashSet::new();
    assert!(LESSONS.len() >= 8);
    for l in LESSONS {
        assert!(ids.insert(l.id), "duplicate id {}", l.id);
        let spec = (l.spec)();
        spec.validate().unwrap_or_else(|e| panic!("{}: {e}", l.id));
        if let Some(t) = l.try_spec {
            let after = t(&spec);
            after.validate().unwrap_or_else(|e| panic!("{} try: {e}", l.id));
            assert_ne!(after, spec, "{}: the try-this change changes nothing", l.id);
        }
        for text in [l.title, l.explain, l.try_this, l.expect] {
            assert!(!text.en.trim().is_empty() && !text.ko.trim().is_empty(), "{}: empty text", l.id);
            assert!(text.ko.chars().any(|c| ('가'..='힣').contains(&c)), "{}: Korean text has no Hangul", l.id);
        }
        let sentences = l.explain.en.matches(". ").count() + 1;
        assert!((3..=6).contains(&sentences), "{}: {sentences} sentences in the explanation", l.id);
        // The page opens a lesson through its share link: the spec must survive it.
        let link = engine::share::encode(&spec);
        let back = engine::share::decode(&link);
        assert!(back.problems.is_empty(), "{}: {:?}", l.id, back.problems);
        assert_eq!(back.spec, spec, "{}: the share link changes the spec", l.id);
        assert!(l.epochs > 0);
    }
}

#[test]
fn linear_layers_collapse_and_tanh_bends() {
    let l = get("linear_collapse");
    let mut lin = train(&(l.spec)(), l.epochs, f32::INFINITY);
    let d = diag(&mut lin);
    let tanh = train(&tried(l), l.epochs, 0.95);
    eprintln!("linear_collapse: linear best {:.3}, tanh {:.3} at epoch {}", lin.best, tanh.best, tanh.last.epoch);
    assert!(lin.best <= 0.7, "an all-linear network reached {}", lin.best);
    assert!(has(&d, WarningKind::AllLinear), "{:?}", d.warnings);
    assert!(tanh.best >= 0.9, "tanh reached only {}", tanh.best);
}

#[test]
fn binary_step_hidden_weights_never_move() {
    let l = get("binary_step");
    let spec = (l.spec)();
    let mut step = train(&spec, 0, f32::INFINITY); // one epoch (stops at epoch ≥ 0)
    let before = block_on(Trainer::new(CpuBackend::new(), &spec).unwrap().parameters()).unwrap();
    step.t.step_epochs(l.epochs - 1).unwrap();
    let after = block_on(step.t.parameters()).unwrap();
    let d = diag(&mut step);
    let hidden = before.len() - 1;
    for i in 0..hidden {
        assert_eq!(before[i].weight, after[i].weight, "binary-step layer {i} moved");
        assert_eq!(d.layers[i].grad_norm, Some(0.0));
    }
    assert_ne!(before[hidden].weight, after[hidden].weight, "the output layer should still learn");
    assert!(has(&d, WarningKind::BinaryStep), "{:?}", d.warnings);

    let mut sig = train(&tried(l), l.epochs, 0.95);
    let moved = block_on(sig.t.parameters()).unwrap();
    let ds = diag(&mut sig);
    eprintln!("binary_step: step acc after 1 epoch {:?}, sigmoid best {:.3} at epoch {}", step.last.test_accuracy, sig.best, sig.last.epoch);
    assert_ne!(before[0].weight, moved[0].weight);
    assert!(ds.layers[..hidden].iter().all(|l| l.grad_norm.unwrap() > 0.0));
    assert!(!has(&ds, WarningKind::BinaryStep));
    assert!(sig.best >= 0.9, "sigmoid reached only {}", sig.best);
}

#[test]
fn deep_sigmoid_vanishes_and_relu_trains() {
    let l = get("vanishing_gradients");
    let mut sig = train(&(l.spec)(), l.epochs, f32::INFINITY);
    let d = diag(&mut sig);
    let mut relu = train(&tried(l), l.epochs, 0.95);
    let dr = diag(&mut relu);
    eprintln!(
        "vanishing: sigmoid ratio {:?} best {:.3}; relu ratio {:?} best {:.3} at epoch {}",
        d.gradient_ratio, sig.best, dr.gradient_ratio, relu.best, relu.last.epoch
    );
    assert!(d.gradient_ratio.unwrap() < 1e-3);
    assert!(has(&d, WarningKind::Vanishing), "{:?}", d.warnings);
    assert!(sig.best <= 0.6, "deep sigmoid reached {}", sig.best);
    assert!(dr.gradient_ratio.unwrap() > 1e-2);
    assert!(!has(&dr, WarningKind::Vanishing));
    assert!(relu.best >= 0.9, "relu reached only {}", relu.best);
}

#[test]
fn relu_dies_at_high_lr_and_leaky_relu_does_not() {
    let l = get("dying_relu");
    let mut relu = train(&(l.spec)(), l.epochs, f32::INFINITY);
    let d = diag(&mut relu);
    let mut leaky = train(&tried(l), l.epochs, f32::INFINITY);
    let dl = diag(&mut leaky);
    eprintln!(
        "dying_relu: relu dead {:?} acc {:?} (best {:.3}); leaky dead {:?} acc {:?}",
        d.layers.iter().map(|l| l.dead_share).collect::<Vec<_>>(),
        relu.last.test_accuracy,
        relu.best,
        dl.layers.iter().map(|l| l.dead_share).collect::<Vec<_>>(),
        leaky.last.test_accuracy
    );
    assert!(max_dead(&d) >= 0.5, "{:?}", d.layers);
    assert!(has(&d, WarningKind::DeadRelu));
    assert_eq!(max_dead(&dl), 0.0);
    assert!(!has(&dl, WarningKind::DeadRelu));
    let (r, k) = (relu.last.test_accuracy.unwrap(), leaky.last.test_accuracy.unwrap());
    assert!(k >= 0.95 && k > r, "leaky {k} vs relu {r}");
}

#[test]
fn softmax_gives_probabilities_per_class() {
    let l = get("softmax");
    for (spec, classes) in [((l.spec)(), 10), (tried(l), 4)] {
        let mut r = train(&spec, l.epochs, 0.95);
        assert_eq!(r.t.output_width(), classes);
        let n = r.t.test_samples().len().min(50);
        let x = r.t.test_samples().x[..n * r.t.test_samples().width].to_vec();
        let p = block_on(r.t.predict_samples(&x)).unwrap();
        for row in p.chunks(classes) {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4 && row.iter().all(|&q| q >= 0.0), "{row:?}");
        }
        eprintln!("softmax: {classes} classes, best test accuracy {:.3} at epoch {}", r.best, r.last.epoch);
        assert!(r.best >= 0.85, "{classes} classes: {}", r.best);
    }
}

#[test]
fn swish_keeps_every_unit_in_a_very_deep_network() {
    let l = get("swish_deep");
    let mut swish = train(&(l.spec)(), l.epochs, f32::INFINITY);
    let d = diag(&mut swish);
    let mut relu = train(&tried(l), l.epochs, f32::INFINITY);
    let dr = diag(&mut relu);
    eprintln!(
        "swish_deep: swish best {:.3} dead {}; relu best {:.3} dead {:?}",
        swish.best,
        max_dead(&d),
        relu.best,
        dr.layers.iter().map(|l| l.dead_share.unwrap_or(0.0)).collect::<Vec<_>>()
    );
    assert_eq!(d.layers.len(), 17);
    assert!(swish.best >= 0.95, "swish reached only {}", swish.best);
    assert_eq!(max_dead(&d), 0.0);
    assert!(max_dead(&dr) >= 0.25, "{:?}", dr.layers);
}

#[test]
fn cnn_reads_digits_with_fewer_weights() {
    let l = get("cnn_digits");
    let cnn = train(&(l.spec)(), l.epochs, 0.95);
    let dense = train(&tried(l), l.epochs, 0.95);
    let (pc, pd) = (cnn.t.parameter_count(), dense.t.parameter_count());
    eprintln!("cnn_digits: cnn {:.3} with {pc} weights (epoch {}); dense {:.3} with {pd}", cnn.best, cnn.last.epoch, dense.best);
    assert!(cnn.best >= 0.9, "cnn reached only {}", cnn.best);
    assert!(pd as f32 >= 1.5 * pc as f32);
    assert!(dense.best >= 0.85);
}

#[test]
fn lstm_remembers_where_rnn_forgets() {
    let l = get("memory_gates");
    let rnn = train(&(l.spec)(), l.epochs, f32::INFINITY);
    let lstm = train(&tried(l), l.epochs, 0.95);
    eprintln!("memory_gates: rnn best {:.3}; lstm best {:.3} at epoch {}", rnn.best, lstm.best, lstm.last.epoch);
    assert!(rnn.best <= 0.65, "rnn reached {}", rnn.best);
    assert!(lstm.best >= 0.9, "lstm reached only {}", lstm.best);
}

#[test]
fn the_gpu_lesson_widens_the_same_network() {
    use engine::lessons::{GPU_LESSON_WIDTHS, spiral_at_width};
    let l = lesson("why_gpus").unwrap();
    assert_eq!((l.spec)(), spiral_at_width(GPU_LESSON_WIDTHS[0]));
    let flops: Vec<f64> = GPU_LESSON_WIDTHS.iter().map(|&w| engine::plan::flops_per_step(&spiral_at_width(w)).unwrap()).collect();
    // Each width is a bigger step than the last, and the widest is over a thousand times the narrowest.
    assert!(flops.windows(2).all(|w| w[1] > w[0]), "{flops:?}");
    assert!(flops[3] > 1000.0 * flops[0], "{flops:?}");
    for &w in &GPU_LESSON_WIDTHS {
        let s = spiral_at_width(w);
        s.validate().unwrap();
        // Only the widths differ between the measured networks.
        assert_eq!(s.layers.len(), 2);
        assert_eq!(ModelSpec { layers: (l.spec)().layers, ..s.clone() }, (l.spec)());
    }
    // The narrow network learns the spiral a little in its two epochs; the wide one more.
    let narrow = train(&(l.spec)(), l.epochs, f32::INFINITY);
    let wide = train(&tried(l), l.epochs, f32::INFINITY);
    assert!(wide.last.train_loss < narrow.last.train_loss, "{:?} vs {:?}", narrow.last, wide.last);
}
