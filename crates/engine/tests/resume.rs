//! Saving and resuming a run: a trainer restored from a snapshot continues exactly as the
//! original does (on the CPU bit for bit; from the GPU onto the CPU within float noise), the JSON
//! form round-trips, and a snapshot that does not fit is refused without changing anything.

#![allow(clippy::field_reassign_with_default)]

mod gpu_common;

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::data::DatasetKind;
use engine::optim::OptimKind;
use engine::spec::{LayerSpec, ModelSpec};
use engine::testing::block_on;
use engine::train::{Snapshot, Trainer};

fn adam_spiral() -> ModelSpec {
    let mut spec = ModelSpec::default();
    spec.data.kind = DatasetKind::Spiral;
    spec.optimizer.kind = OptimKind::Adam;
    spec.optimizer.lr = 0.01;
    spec.batch_size = 7; // the epoch's last batch is a partial one
    spec
}

fn flat(t: &mut Trainer<CpuBackend>) -> Vec<f32> {
    block_on(t.snapshot()).unwrap().params
}

#[test]
fn a_restored_trainer_continues_exactly() {
    let spec = adam_spiral();
    let mut a = Trainer::new(CpuBackend::new(), &spec).unwrap();
    a.step(45).unwrap(); // mid-epoch, after a reshuffle
    let snap = block_on(a.snapshot()).unwrap();
    assert!(snap.cursor > 0 && snap.epoch > 0, "the snapshot should be taken mid-epoch: {snap:?}");
    a.step(100).unwrap();

    let mut b = Trainer::new(CpuBackend::new(), &spec).unwrap();
    let fresh = flat(&mut b);
    assert_ne!(fresh, snap.params);
    b.restore(&Snapshot::from_json(&snap.to_json()).unwrap()).unwrap();
    assert_eq!((b.epoch(), b.steps()), (snap.epoch, snap.step));
    b.step(100).unwrap();
    assert_eq!(flat(&mut a), flat(&mut b));
    assert_eq!(block_on(a.metrics()).unwrap(), block_on(b.metrics()).unwrap());
}

#[test]
fn json_round_trips_bit_for_bit() {
    let mut t = Trainer::new(CpuBackend::new(), &adam_spiral()).unwrap();
    t.step(10).unwrap();
    let snap = block_on(t.snapshot()).unwrap();
    let back = Snapshot::from_json(&snap.to_json()).unwrap();
    assert_eq!(snap, back);
    for broken in ["", "{}", "not json", &snap.to_json().replace("\"params\":\"", "\"params\":\"!")] {
        assert!(Snapshot::from_json(broken).is_err(), "{broken:.40} was accepted");
    }
}

#[test]
fn a_snapshot_that_does_not_fit_is_refused_and_changes_nothing() {
    let spec = adam_spiral();
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    t.step(5).unwrap();
    let good = block_on(t.snapshot()).unwrap();

    let mut other = spec.clone();
    other.layers.push(LayerSpec::Dense { units: 3, activation: Activation::Relu });
    let mut bigger = Trainer::new(CpuBackend::new(), &other).unwrap();
    let err = bigger.restore(&good).unwrap_err().to_string();
    assert!(err.contains("weights"), "{err}");

    let mut nan = good.clone();
    nan.params[0] = f32::NAN;
    let mut dup = good.clone();
    dup.order[1] = dup.order[0];
    let mut past = good.clone();
    past.cursor = past.order.len();
    let before = flat(&mut t);
    for bad in [nan, dup, past] {
        assert!(t.restore(&bad).is_err());
        assert_eq!(flat(&mut t), before);
    }
}

#[test]
fn a_gpu_run_continues_on_the_cpu() {
    // What the page does when the GPU device is lost: the last snapshot moves to the CPU.
    let spec = adam_spiral();
    let mut g = Trainer::new(gpu_common::gpu(), &spec).unwrap();
    g.step(60).unwrap();
    let snap = block_on(g.snapshot()).unwrap();
    g.step(40).unwrap();
    let on_gpu = block_on(g.metrics()).unwrap();

    let mut c = Trainer::new(CpuBackend::new(), &spec).unwrap();
    c.restore(&snap).unwrap();
    c.step(40).unwrap();
    let on_cpu = block_on(c.metrics()).unwrap();
    assert_eq!((on_cpu.epoch, on_cpu.step), (on_gpu.epoch, on_gpu.step));
    assert!((on_cpu.train_loss - on_gpu.train_loss).abs() < 1e-3 * on_gpu.train_loss.max(1.0), "{on_cpu:?} vs {on_gpu:?}");
}
