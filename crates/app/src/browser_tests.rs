//! Component tests in a real browser (wasm-bindgen-test in headless Chromium, run by
//! `cargo xtask test`): each mounts one panel on a fresh `Lab`, clicks it as a learner would, and
//! checks both the DOM and the state it changed.

use engine::activation::Activation;
use engine::spec::{LayerSpec, ModelSpec};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::compute::{self, ComputeStatus};
use crate::i18n::Lang;
use crate::lab::Lab;
use crate::panels::activations::ActivationTable;
use crate::panels::network::NetworkPanel;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a view into a new element and returns that element.
fn mount<V: IntoView + 'static>(f: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    let doc = document();
    let host: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&host).unwrap();
    std::mem::forget(leptos::mount::mount_to(host.clone(), f));
    host
}

fn click(host: &web_sys::HtmlElement, testid: &str) {
    let el: web_sys::HtmlElement = host
        .query_selector(&format!("[data-testid='{testid}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element {testid}"))
        .unchecked_into();
    el.click();
}

fn text(host: &web_sys::HtmlElement, testid: &str) -> String {
    host.query_selector(&format!("[data-testid='{testid}']")).unwrap().unwrap().text_content().unwrap_or_default()
}

fn activations(lab: Lab) -> Vec<Activation> {
    lab.spec.with_untracked(|s| s.layers.iter().filter_map(|l| match l { LayerSpec::Dense { activation, .. } => Some(*activation), _ => None }).collect())
}

/// Lets Leptos run the effects that a click scheduled.
async fn settle() {
    leptos::task::tick().await;
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn activation_table_lists_every_activation_and_sets_the_selected_layer() {
    let lab = Lab::new(ModelSpec::default(), Lang::En);
    let host = mount(move || view! { <ActivationTable lab /> });
    assert_eq!(host.query_selector_all("tbody tr").unwrap().length(), 11);
    assert_eq!(host.query_selector_all("svg.fplot").unwrap().length(), 11);
    lab.selected_layer.set(1);
    settle().await;
    click(&host, "use-relu");
    assert_eq!(activations(lab), vec![Activation::Tanh, Activation::Relu]);
    lab.lang.set(Lang::Ko);
    settle().await;
    assert_eq!(host.query_selector("h2").unwrap().unwrap().text_content().unwrap(), "활성화 함수 비교표");
}

#[wasm_bindgen_test]
async fn network_builder_adds_resizes_and_removes_layers() {
    let lab = Lab::new(ModelSpec::default(), Lang::En);
    let host = mount(move || view! { <NetworkPanel lab /> });
    click(&host, "add-layer");
    settle().await;
    assert_eq!(lab.spec.with_untracked(|s| s.layers.len()), 3);
    // A new dense layer keeps the activation of the dense layer before it.
    assert_eq!(activations(lab)[2], Activation::Tanh);
    let before: u32 = text(&host, "layer-2-units").parse().unwrap();
    click(&host, "layer-2-plus");
    click(&host, "layer-2-plus");
    settle().await;
    assert_eq!(text(&host, "layer-2-units"), (before + 2).to_string());
    click(&host, "layer-0-minus");
    assert_eq!(lab.spec.with_untracked(|s| s.layers[0]), LayerSpec::Dense { units: 3, activation: Activation::Tanh });
    click(&host, "remove-layer");
    settle().await;
    click(&host, "remove-layer");
    settle().await;
    assert_eq!(lab.spec.with_untracked(|s| s.layers.len()), 1);
    // The output layer follows the task: one tanh unit for two classes with squared error.
    assert!(text(&host, "output-layer").contains("1 × Tanh"), "{}", text(&host, "output-layer"));
}

#[wasm_bindgen_test]
fn share_link_round_trips_the_spec() {
    let mut spec = ModelSpec::default();
    spec.seed = 1234;
    spec.layers.push(LayerSpec::Dense {
        units: 7,
        activation: Activation::LeakyRelu { alpha: 0.2 },
    });
    let url = crate::share::link(&spec, None, &Default::default());
    let fragment = url.split_once('#').unwrap().1;
    let decoded = engine::share::decode(fragment);
    assert!(decoded.problems.is_empty(), "{:?}", decoded.problems);
    assert_eq!(decoded.spec, spec);

    // A side-by-side pair: B differs in its activation and learning rate.
    let mut b = engine::lessons::with_activation(&spec, Activation::Relu);
    b.optimizer.lr = 0.3;
    // Shown as an embed without test points: the view rides in A's part of the pair.
    let view = engine::share::ViewOptions {
        embed: true,
        test_points: false,
        ..Default::default()
    };
    let url = crate::share::link(&spec, Some(&b), &view);
    let opened = crate::share::decode_pair(url.split_once('#').unwrap().1);
    assert!(
        opened.report.problems.is_empty() && opened.report.missing.is_empty(),
        "{:?}",
        opened.report
    );
    assert_eq!(
        (opened.spec, opened.compare, opened.view),
        (spec, Some(b), view)
    );
}

/// Chromium (run with --enable-unsafe-webgpu, see webdriver.json) must find WebGPU and prove it
/// computes; a browser without `navigator.gpu` (Firefox ESR on Linux) must fall back to the CPU
/// and say why.
#[wasm_bindgen_test]
async fn detection_finds_webgpu_where_the_browser_offers_it_and_says_why_not_elsewhere() {
    let window = web_sys::window().unwrap();
    let agent = window.navigator().user_agent().unwrap_or_default();
    let offered = js_sys::Reflect::has(&window.navigator(), &"gpu".into()).unwrap_or(false);
    let detected = compute::detect().await;
    if agent.contains("Chrome/") || offered {
        match detected.status {
            ComputeStatus::WebGpu { adapter } => assert!(adapter.contains("BrowserWebGpu"), "{adapter}"),
            other => panic!("expected WebGPU in {agent} (webdriver.json passes --enable-unsafe-webgpu), got {}", other.label()),
        }
        assert!(detected.gpu.is_some());
    } else {
        match detected.status {
            ComputeStatus::CpuFallback { reason } => assert!(reason.contains("does not offer WebGPU"), "{reason}"),
            other => panic!("{agent} has no navigator.gpu, yet the page reported {}", other.label()),
        }
        assert!(detected.gpu.is_none());
    }
}

#[wasm_bindgen_test]
async fn saved_experiment_round_trips_through_local_storage() {
    use engine::backend::cpu::CpuBackend;
    use engine::train::{Metrics, Trainer};

    let mut spec = ModelSpec::default();
    spec.seed = 77;
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    t.step(30).unwrap();
    let m = t.metrics().await.unwrap();
    let diverged = Metrics { train_loss: f32::NAN, test_loss: f32::INFINITY, ..m };
    let saved = crate::persist::Saved { spec, snapshot: Some(t.snapshot().await.unwrap()), history: vec![(1.0, m), (2.0, diverged)] };
    assert!(crate::persist::save(&saved));
    let back = crate::persist::load().expect("saved entry reads back");
    assert_eq!(back.spec, saved.spec);
    assert_eq!(back.snapshot, saved.snapshot);
    assert_eq!(back.history[0], saved.history[0]);
    assert!(back.history[1].1.train_loss.is_nan(), "a non-finite loss stays non-finite");

    // A damaged entry is dropped, not trusted.
    let store = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    store.set_item("dl101.experiment.v1", "{\"spec\":{\"seed\":\"x\"}}").unwrap();
    assert!(crate::persist::load().is_none());
    assert!(store.get_item("dl101.experiment.v1").unwrap().is_none());
    crate::persist::clear();
}

#[wasm_bindgen_test]
async fn graph_columns_weights_and_line_styles() {
    use crate::lab::Param;
    use crate::views::graph::{MAX_SHOWN, columns, line_style, set_value, value_of};
    let mut spec = ModelSpec::default(); // x1, x2 → 4 → 2 → 1
    spec.layers[0] = LayerSpec::Dense { units: 20, activation: Activation::Maxout { pieces: 2 } };
    let cols = columns(&spec);
    assert_eq!(cols.iter().map(|c| (c.units, c.shown())).collect::<Vec<_>>(), vec![(2, 2), (20, MAX_SHOWN), (2, 2), (1, 1)]);
    let mut t = engine::train::Trainer::new(engine::backend::cpu::CpuBackend::new(), &spec).unwrap();
    let mut w = t.parameters().await.unwrap();
    // Maxout: unit 3's first piece is row 6 of the weight matrix.
    let p = Param::Weight { layer: 0, unit: 3, input: 1 };
    assert_eq!(value_of(&w, p), Some(w[0].weight[6 * 2 + 1]));
    assert!(set_value(&mut w, p, 2.5));
    assert_eq!(w[0].weight[6 * 2 + 1], 2.5);
    assert!(set_value(&mut w, Param::Bias { layer: 2, unit: 0 }, -1.0));
    assert_eq!(w[2].bias[0], -1.0);
    // Numbers the network does not have are refused.
    assert!(!set_value(&mut w, Param::Weight { layer: 0, unit: 0, input: 2 }, 1.0));
    assert!(!set_value(&mut w, Param::Weight { layer: 9, unit: 0, input: 0 }, 1.0));
    assert_eq!(value_of(&w, Param::Bias { layer: 1, unit: 7 }), None);
    // Sign picks the hue, size the width; zero stays a thin visible grey.
    let (pos, neg, zero, big) = (line_style(0.8), line_style(-0.8), line_style(0.0), line_style(9.0));
    assert_ne!(pos.0, neg.0);
    assert_eq!(zero.0, "rgb(203,213,225)");
    assert!(zero.1 < pos.1 && pos.1 < big.1 && (big.1 - 6.0).abs() < 1e-9);
    assert_eq!(line_style(f32::NAN).0, zero.0);
    // Image and sequence networks have no point graph.
    spec.data.kind = engine::data::DatasetKind::Digits;
    assert!(columns(&spec).is_empty());
}

#[wasm_bindgen_test]
fn messages_between_page_and_trainer_round_trip_nan_losses_and_pictures() {
    use crate::wire::{self, ToPage, ToTrainer, Value};
    let diverged = engine::train::Metrics { epoch: 3, step: 30, train_loss: f32::NAN, test_loss: f32::INFINITY, train_accuracy: Some(0.5), test_accuracy: None };
    let pictures = crate::lab::Pictures { grid: 2, output: vec![0.25, -1.0, f32::NAN, 1.0], neurons: vec![vec![vec![0.5; 4]]], thumb: 2, ..Default::default() };
    let spec = ModelSpec { layers: Vec::new(), ..ModelSpec::default() };
    let msg = ToPage::Set(vec![Value::Latest(Some(diverged)), Value::Pictures(pictures.clone()), Value::Spec(spec.clone())]);
    let Some(ToPage::Set(back)) = wire::decode::<ToPage>(&wire::encode(&msg)) else { panic!("did not decode") };
    let Value::Latest(Some(m)) = back[0] else { panic!("{:?}", back[0]) };
    assert!(m.train_loss.is_nan() && m.test_loss == f32::INFINITY && m.epoch == 3 && m.train_accuracy == Some(0.5));
    let Value::Pictures(p) = &back[1] else { panic!("{:?}", back[1]) };
    assert!(p.output[2].is_nan() && p.output[..2] == pictures.output[..2] && p.neurons == pictures.neurons);
    // A spec that does not validate still travels: the trainer says why it cannot train it.
    assert_eq!(back[2], Value::Spec(spec));
    assert!(wire::decode::<ToTrainer>(b"not a message").is_none());
}

#[wasm_bindgen_test]
async fn a_trainer_sends_only_what_changed_and_waits_for_the_page_to_draw() {
    use crate::wire::{Role, ToPage, ToTrainer, Value};
    use std::{cell::RefCell, rc::Rc};
    let lab = Lab::new(ModelSpec::default(), Lang::En);
    let sent: Rc<RefCell<Vec<ToPage>>> = Rc::default();
    let s = sent.clone();
    let host = crate::host::Host::new(lab, Role::A, true, move |m| s.borrow_mut().push(m));
    host.flush();
    assert_eq!(sent.borrow().len(), 1, "the first flush sends every output");
    lab.steps_per_sec.set(123.0);
    host.flush();
    assert_eq!(sent.borrow().len(), 1, "nothing more until the page has drawn");
    // Updates are at least 33 ms apart.
    host.receive(ToTrainer::Drawn);
    host.sleep(40).await;
    host.flush();
    assert_eq!(sent.borrow().last(), Some(&ToPage::Set(vec![Value::StepsPerSec(123.0)])), "only the change");
    host.receive(ToTrainer::Drawn);
    host.sleep(40).await;
    host.flush();
    assert_eq!(sent.borrow().len(), 2, "no change, no message");
    // Inputs from the page land in the trainer's lab.
    host.receive(ToTrainer::Set(vec![Value::Playing(true), Value::StepRequests(4)]));
    assert!(lab.playing.get_untracked());
    assert_eq!(lab.step_requests.get_untracked(), 4);
    // B never saves; A does, through the page.
    let saved = crate::persist::Saved { spec: ModelSpec::default(), snapshot: None, history: Vec::new() };
    host.save(&saved);
    assert!(matches!(sent.borrow().last(), Some(ToPage::Save { .. })));
    let b_sent: Rc<RefCell<Vec<ToPage>>> = Rc::default();
    let s = b_sent.clone();
    crate::host::Host::new(lab, Role::B, true, move |m| s.borrow_mut().push(m)).save(&saved);
    assert!(b_sent.borrow().is_empty());
}
