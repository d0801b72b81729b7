//! The 2-D data sets follow TensorFlow Playground's rules and are reproducible from a seed.

use engine::data::{DatasetKind, Feature, generate, split};
use engine::rng::Rng;

#[test]
fn same_seed_same_points_other_seed_other_points() {
    for kind in DatasetKind::ALL {
        let a = generate(kind, 200, 0.2, &mut Rng::new(4));
        let b = generate(kind, 200, 0.2, &mut Rng::new(4));
        let c = generate(kind, 200, 0.2, &mut Rng::new(5));
        assert_eq!(a, b, "{}", kind.id());
        assert_ne!(a, c, "{}", kind.id());
        assert_eq!(a.len(), 200);
    }
}

#[test]
fn classification_sets_are_balanced_and_labelled_plus_minus_one() {
    for kind in [DatasetKind::Circle, DatasetKind::Gauss, DatasetKind::Spiral] {
        let pts = generate(kind, 300, 0.0, &mut Rng::new(1));
        let pos = pts.iter().filter(|p| p.label == 1.0).count();
        let neg = pts.iter().filter(|p| p.label == -1.0).count();
        assert_eq!((pos, neg), (150, 150), "{}", kind.id());
    }
}

#[test]
fn labels_follow_the_rules_without_noise() {
    let mut rng = Rng::new(2);
    for p in generate(DatasetKind::Circle, 400, 0.0, &mut rng) {
        let r = (p.x * p.x + p.y * p.y).sqrt();
        assert_eq!(p.label, if r < 2.5 { 1.0 } else { -1.0 });
        assert!(r <= 5.0 && !(2.5..3.5).contains(&r), "the gap between disc and ring is empty: r = {r}");
    }
    for p in generate(DatasetKind::Xor, 400, 0.0, &mut rng) {
        assert_eq!(p.label, if p.x * p.y >= 0.0 { 1.0 } else { -1.0 });
        assert!(p.x.abs() >= 0.3 && p.y.abs() >= 0.3);
    }
    for p in generate(DatasetKind::RegPlane, 400, 0.0, &mut rng) {
        assert!((p.label - (p.x + p.y) / 10.0).abs() < 1e-12);
        assert!(p.x.abs() <= 6.0 && p.y.abs() <= 6.0);
    }
    for p in generate(DatasetKind::RegGauss, 400, 0.0, &mut rng) {
        assert!((-1.0..=1.0).contains(&p.label));
    }
    // Spiral radii grow from 0 to 5 along each arm.
    let s = generate(DatasetKind::Spiral, 100, 0.0, &mut rng);
    assert_eq!((s[0].x, s[0].y), (0.0, 0.0));
    assert!(s.iter().all(|p| (p.x * p.x + p.y * p.y).sqrt() <= 5.0 + 1e-9));
}

#[test]
fn noise_flips_some_circle_labels() {
    let pts = generate(DatasetKind::Circle, 1000, 0.5, &mut Rng::new(3));
    let flipped = pts.iter().filter(|p| (p.label == 1.0) != ((p.x * p.x + p.y * p.y).sqrt() < 2.5)).count();
    assert!(flipped > 20, "only {flipped} labels disagree with the geometry at noise 50");
}

#[test]
fn split_follows_the_ratio_and_keeps_every_point() {
    let pts = generate(DatasetKind::Gauss, 500, 0.1, &mut Rng::new(1));
    let (train, test) = split(pts.clone(), 30, &mut Rng::new(2));
    assert_eq!((train.len(), test.len()), (150, 350));
    let mut all: Vec<_> = train.iter().chain(&test).map(|p| (p.x.to_bits(), p.y.to_bits())).collect();
    let mut orig: Vec<_> = pts.iter().map(|p| (p.x.to_bits(), p.y.to_bits())).collect();
    all.sort();
    orig.sort();
    assert_eq!(all, orig);
}

#[test]
fn features_compute_what_they_say() {
    let (x, y) = (0.5, -2.0);
    let got: Vec<f64> = Feature::ALL.iter().map(|f| f.eval(x, y)).collect();
    assert_eq!(
        got,
        vec![
            0.5,
            -2.0,
            0.25,
            4.0,
            -1.0,
            0.5f64.sin(),
            (-2.0f64).sin(),
            0.5f64.cos(),
            (-2.0f64).cos()
        ]
    );
    for f in Feature::ALL {
        assert_eq!(serde_json::to_value(f).unwrap(), f.id());
    }
}

#[test]
fn rng_is_reproducible_and_roughly_right() {
    let mut r = Rng::new(42);
    let xs: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
    let mut r2 = Rng::new(42);
    assert_eq!(xs, (0..4).map(|_| r2.next_u64()).collect::<Vec<_>>());
    let n = 20000;
    let normals: Vec<f64> = (0..n).map(|_| r.normal(1.0, 2.0)).collect();
    let mean = normals.iter().sum::<f64>() / n as f64;
    let var = normals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    assert!((mean - 1.0).abs() < 0.05 && (var.sqrt() - 2.0).abs() < 0.05, "mean {mean}, std {}", var.sqrt());
    let mut counts = [0usize; 5];
    for _ in 0..n {
        counts[r.below(5)] += 1;
    }
    assert!(counts.iter().all(|&c| (3700..4300).contains(&c)), "{counts:?}");
    let mut v: Vec<u32> = (0..50).collect();
    r.shuffle(&mut v);
    let mut s = v.clone();
    s.sort();
    assert_eq!(s, (0..50).collect::<Vec<_>>());
    assert_ne!(v, s);
}
