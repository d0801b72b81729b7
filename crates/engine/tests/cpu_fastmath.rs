//! The CPU backend's `f32` approximations of exp, tanh and sigmoid against `f64`, across the
//! whole range, plus NaN and infinities.

use engine::backend::cpu::fastmath::{exp, exp_f32, sigmoid, sigmoid_f32, tanh, tanh_f32};

fn grid() -> impl Iterator<Item = f32> {
    // Dense near zero, coarse out to ±100.
    (-200_000..=200_000).map(|i| {
        let t = i as f32 / 200_000.0;
        t * t * t * 100.0
    })
}

#[test]
fn approximations_are_within_a_few_ulp() {
    let (mut worst_exp, mut worst_tanh, mut worst_sig) = (0.0f64, 0.0f64, 0.0f64);
    for x in grid() {
        let xd = x as f64;
        if (-87.0..=88.0).contains(&x) {
            let want = xd.exp();
            worst_exp = worst_exp.max((exp_f32(x) as f64 - want).abs() / want);
        }
        let want = xd.tanh();
        // Relative near 0, absolute (to 1) elsewhere: the two formulas meet at |x| = 0.25.
        let err = (tanh_f32(x) as f64 - want).abs() / want.abs().max(0.25);
        worst_tanh = worst_tanh.max(err);
        let want = 1.0 / (1.0 + (-xd).exp());
        if want > 1e-30 {
            worst_sig = worst_sig.max((sigmoid_f32(x) as f64 - want).abs() / want);
        }
    }
    assert!(worst_exp < 4e-7, "exp relative error {worst_exp:e}");
    assert!(worst_tanh < 4e-7, "tanh error {worst_tanh:e}");
    assert!(worst_sig < 6e-7, "sigmoid relative error {worst_sig:e}");
}

#[test]
fn odd_symmetry_and_special_values() {
    for x in grid() {
        assert_eq!(tanh_f32(-x).to_bits(), (-tanh_f32(x)).to_bits(), "tanh(-{x})");
        assert!(tanh_f32(x).abs() <= 1.0);
        let s = sigmoid_f32(x);
        assert!((0.0..=1.0).contains(&s), "sigmoid({x}) = {s}");
    }
    assert!(exp_f32(f32::NAN).is_nan() && tanh_f32(f32::NAN).is_nan() && sigmoid_f32(f32::NAN).is_nan());
    assert_eq!(tanh_f32(f32::INFINITY), 1.0);
    assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
    assert_eq!(sigmoid_f32(f32::INFINITY), 1.0);
    assert!(sigmoid_f32(f32::NEG_INFINITY) < 1e-37);
    assert!(exp_f32(f32::NEG_INFINITY) < 1e-37);
    assert!(exp_f32(1000.0).is_finite() && exp_f32(1000.0) > 1e38);
    assert_eq!(exp_f32(0.0), 1.0);
    assert_eq!(tanh_f32(0.0), 0.0);
    assert_eq!(sigmoid_f32(0.0), 0.5);
}

#[test]
fn generic_entry_points_use_the_library_in_f64() {
    for x in [-3.7f64, -0.1, 0.0, 0.2, 5.5] {
        assert_eq!(exp(x), x.exp());
        assert_eq!(tanh(x), x.tanh());
        assert_eq!(sigmoid(x), engine::real::Real::sigmoid(x));
    }
    assert_eq!(exp(1.5f32).to_bits(), exp_f32(1.5).to_bits());
    assert_eq!(tanh(1.5f32).to_bits(), tanh_f32(1.5).to_bits());
    assert_eq!(sigmoid(1.5f32).to_bits(), sigmoid_f32(1.5).to_bits());
}
