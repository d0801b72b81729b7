//! `ModelSpec`: serialisation round trips, and validation that names the bad field.

// Tests build specs by changing a default one field at a time, which reads better than
// struct-update syntax here.
#![allow(clippy::field_reassign_with_default)]

use engine::activation::Activation;
use engine::data::{DatasetKind, Feature};
use engine::loss::LossKind;
use engine::spec::{LayerSpec, ModelSpec, RegKind};

fn err(spec: &ModelSpec) -> String {
    spec.validate().unwrap_err().to_string()
}

#[test]
fn default_spec_is_valid_and_round_trips() {
    let s = ModelSpec::default();
    s.validate().unwrap();
    assert_eq!(ModelSpec::from_json(&s.to_json()).unwrap(), s);
    assert_eq!(s.parameter_count(), (2 * 4 + 4) + (4 * 2 + 2) + (2 + 1));
}

#[test]
fn json_uses_stable_ids() {
    let mut s = ModelSpec::default();
    s.features = Feature::ALL.to_vec();
    s.layers = vec![LayerSpec::Dense { units: 3, activation: Activation::LeakyRelu { alpha: 0.1 } }];
    let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    let feats: Vec<&str> = v["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(feats, Feature::ALL.map(|f| f.id()).to_vec());
    assert_eq!(v["layers"][0]["type"], "dense");
    assert_eq!(v["layers"][0]["activation"]["kind"], "leaky_relu");
    assert_eq!(v["data"]["kind"], "circle");
    assert_eq!(v["loss"], "mse");
}

#[test]
fn invalid_fields_are_named() {
    let base = ModelSpec::default();
    let mut s = base.clone();
    s.layers = vec![LayerSpec::Dense { units: 0, activation: Activation::Relu }];
    assert!(err(&s).contains("layers[0].units"), "{}", err(&s));
    s.layers = vec![LayerSpec::Dense { units: 2000, activation: Activation::Relu }];
    assert!(err(&s).contains("layers[0].units"));
    s.layers = vec![LayerSpec::Dense { units: 4, activation: Activation::Relu }; 17];
    assert!(err(&s).contains("layers"));
    s.layers = vec![LayerSpec::Dense { units: 4, activation: Activation::Maxout { pieces: 20 } }];
    assert!(err(&s).contains("layers[0].activation"), "{}", err(&s));

    let mut s = base.clone();
    s.optimizer.lr = 0.0;
    assert!(err(&s).contains("optimizer.lr"));
    s.optimizer.lr = f32::NAN;
    assert!(err(&s).contains("optimizer.lr"));
    s.optimizer.lr = 11.0;
    assert!(err(&s).contains("optimizer.lr"));

    let mut s = base.clone();
    s.batch_size = 0;
    assert!(err(&s).contains("batch_size"));
    s.batch_size = 1025;
    assert!(err(&s).contains("batch_size"));

    let mut s = base.clone();
    s.data.noise = 51;
    assert!(err(&s).contains("data.noise"));
    let mut s = base.clone();
    s.data.train_percent = 95;
    assert!(err(&s).contains("data.train_percent"));
    let mut s = base.clone();
    s.data.points = 3;
    assert!(err(&s).contains("data.points"));

    let mut s = base.clone();
    s.features = vec![];
    assert!(err(&s).contains("features"));
    s.features = vec![Feature::X1, Feature::X1];
    assert!(err(&s).contains("features"));

    let mut s = base.clone();
    s.regularization.kind = RegKind::L2;
    s.regularization.rate = -1.0;
    assert!(err(&s).contains("regularization.rate"));

    let mut s = base.clone();
    s.data.kind = DatasetKind::RegPlane;
    s.loss = LossKind::SoftmaxCrossEntropy;
    assert!(err(&s).contains("loss"));

    let mut s = base;
    s.optimizer.beta2 = 1.0;
    assert!(err(&s).contains("optimizer.beta2"));
}

#[test]
fn bad_json_and_versions_are_errors_not_panics() {
    for bad in [
        "",
        "[]",
        "{}",
        r#"{"version": 2}"#,
        r#"{"version": "1"}"#,
        r#"{"version": 1, "data": 5}"#,
        r#"{"version": 1}"#,
    ] {
        let e = ModelSpec::from_json(bad);
        assert!(e.is_err(), "{bad} parsed");
    }
    let future = ModelSpec::from_json(r#"{"version": 2}"#).unwrap_err().to_string();
    assert!(future.contains("version 2"), "{future}");
    let mut v: serde_json::Value = serde_json::from_str(&ModelSpec::default().to_json()).unwrap();
    v["layers"][0]["activation"]["kind"] = "gelu".into();
    assert!(ModelSpec::from_json(&v.to_string()).is_err());
}

#[test]
fn optional_fields_take_torch_defaults() {
    let v = r#"{"version":1,"data":{"kind":"xor","points":200,"noise":10,"train_percent":50},
        "features":["x1","x2"],"layers":[{"type":"dense","units":4,"activation":{"kind":"relu"}}],
        "loss":"sigmoid_bce","optimizer":{"kind":"adam","lr":0.01},"batch_size":16,"seed":3}"#;
    let s = ModelSpec::from_json(v).unwrap();
    assert_eq!((s.optimizer.beta1, s.optimizer.beta2, s.optimizer.eps), (0.9, 0.999, 1e-8));
    assert_eq!(s.regularization.kind, RegKind::None);
}

#[test]
fn output_layer_follows_task_and_loss() {
    let mut s = ModelSpec::default();
    assert_eq!((s.output().units, s.output().activation), (1, Activation::Tanh));
    s.loss = LossKind::SigmoidBce;
    assert_eq!((s.output().units, s.output().activation, s.output().presented), (1, Activation::Linear, Activation::Sigmoid));
    s.loss = LossKind::SoftmaxCrossEntropy;
    assert_eq!((s.output().units, s.output().presented), (2, Activation::Softmax));
    s.data.kind = DatasetKind::RegGauss;
    s.loss = LossKind::Mse;
    assert_eq!((s.output().units, s.output().activation), (1, Activation::Linear));
}

#[test]
fn regularisation_maps_to_the_optimizer_step() {
    let mut s = ModelSpec::default();
    s.regularization.kind = RegKind::L1;
    s.regularization.rate = 0.01;
    let st = s.optim_step(3);
    assert_eq!((st.l1, st.weight_decay, st.t), (0.01, 0.0, 3));
    s.regularization.kind = RegKind::L2;
    let st = s.optim_step(1);
    assert_eq!((st.l1, st.weight_decay), (0.0, 0.01));
}
