//! The activation table is complete and consistent: one entry per variant, ids that match the
//! serialised `kind`, text in both languages, and conformance kink conventions.

use engine::activation::{ACTIVATIONS, Activation, PRELU_INIT};

#[test]
fn every_entry_round_trips_through_its_id_and_serde() {
    let mut ids = std::collections::HashSet::new();
    for info in &ACTIVATIONS {
        assert!(ids.insert(info.id), "duplicate id {}", info.id);
        let a = Activation::from_id(info.id).unwrap();
        assert_eq!(a, info.default);
        assert_eq!(a.id(), info.id);
        assert_eq!(a.info().id, info.id);
        let json = serde_json::to_value(a).unwrap();
        assert_eq!(json["kind"], info.id, "serialised kind of {}", info.id);
        let back: Activation = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
        a.validate().unwrap();
    }
    // The eleven activations of the seed's table, by their conformance names.
    let want = [
        "linear", "binary_step", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "swish", "maxout", "softmax",
    ];
    assert_eq!(ACTIVATIONS.map(|i| i.id).to_vec(), want);
    assert!(Activation::from_id("gelu").is_err());
}

#[test]
fn every_entry_has_english_and_korean_text() {
    let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    for i in &ACTIVATIONS {
        for t in [i.name, i.property, i.strengths, i.weaknesses, i.use_where] {
            assert!(!t.en.is_empty(), "{}: empty English text", i.id);
            assert!(hangul(t.ko), "{}: Korean text without Hangul: {:?}", i.id, t.ko);
        }
        assert!(i.formula.starts_with("f("), "{}", i.id);
        assert!(!i.derivative.is_empty(), "{}", i.id);
        if let Some(p) = i.param {
            assert!(p.min <= p.default && p.default <= p.max, "{}", i.id);
            // Settings are stored as f32.
            assert_eq!(i.default.param(), Some(p.default as f32 as f64));
        } else {
            assert_eq!(i.default.param(), None, "{}", i.id);
        }
    }
}

#[test]
fn defaults_are_the_documented_ones() {
    assert_eq!(Activation::from_id("leaky_relu").unwrap(), Activation::LeakyRelu { alpha: 0.01 });
    assert_eq!(Activation::from_id("elu").unwrap(), Activation::Elu { alpha: 1.0 });
    assert_eq!(Activation::from_id("swish").unwrap(), Activation::Swish { beta: 1.0 });
    assert_eq!(Activation::from_id("maxout").unwrap(), Activation::Maxout { pieces: 2 });
    assert_eq!(PRELU_INIT, 0.25);
    let a: Activation = serde_json::from_str(r#"{"kind":"maxout"}"#).unwrap();
    assert_eq!(a, Activation::Maxout { pieces: 2 });
}

#[test]
fn kink_conventions_follow_the_conformance_readme() {
    assert_eq!(Activation::Relu.df(0.0), 0.0);
    assert_eq!(Activation::LeakyRelu { alpha: 0.2 }.df(0.0), 0.2f32 as f64);
    assert_eq!(Activation::LeakyRelu { alpha: 0.2 }.f(-1.0), -(0.2f32 as f64));
    assert_eq!(Activation::BinaryStep.f(0.0), 0.0);
    assert_eq!(Activation::BinaryStep.f(1e-9), 1.0);
    assert_eq!(Activation::Elu { alpha: 1.0 }.df(0.0), 1.0);
    assert_eq!(Activation::Prelu.df(-3.0), 0.25);
    assert!((Activation::Swish { beta: 1.0 }.f(1.0) - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-15);
}

#[test]
fn settings_out_of_range_are_rejected_not_clamped() {
    assert!(Activation::LeakyRelu { alpha: -0.5 }.validate().is_err());
    assert!(Activation::LeakyRelu { alpha: f32::NAN }.validate().is_err());
    assert!(Activation::Maxout { pieces: 1 }.validate().is_err());
    assert!(Activation::Maxout { pieces: 9 }.validate().is_err());
    assert!(Activation::Swish { beta: 2.0 }.validate().is_ok());
    assert_eq!(Activation::Maxout { pieces: 2 }.with_param(3.0), Activation::Maxout { pieces: 3 });
    assert_eq!(Activation::Relu.with_param(3.0), Activation::Relu);
}
