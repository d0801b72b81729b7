//! The side-by-side panel: fork the open experiment as B, change what you like (the activation of
//! the hidden layers, the optimizer, the learning rate, the layers themselves, the data), and
//! watch both train at the same time, B in a trainer of its own (on the other core): B's numbers
//! and its output over the plane here, its curves drawn over A's by epoch. The pair is in the
//! share link.

use engine::activation::{ACTIVATIONS, Activation};
use engine::data::DatasetKind;
use engine::optim::OptimKind;
use engine::spec::{LayerSpec, ModelSpec};
use leptos::html::Canvas;
use leptos::prelude::*;

use crate::i18n::{Lang, tr};
use crate::lab::Lab;
use crate::views::boundary::{context, paint_grid};

use crate::panels::controls::LEARNING_RATES;

/// The hidden layers' activation (the first dense layer's), if there is one.
fn hidden_activation(s: &ModelSpec) -> Option<Activation> {
    s.layers.iter().find_map(|l| match l {
        LayerSpec::Dense { activation, .. } => Some(*activation),
        _ => None,
    })
}

/// What B changes, in words ("activation: tanh → relu; learning rate: 0.03 → 0.3").
pub fn differences(a: &ModelSpec, b: &ModelSpec) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(x), Some(y)) = (hidden_activation(a), hidden_activation(b))
        && x != y {
            out.push(format!("activation: {} → {}", x.id(), y.id()));
        }
    if a.optimizer.kind != b.optimizer.kind {
        out.push(format!("optimizer: {:?} → {:?}", a.optimizer.kind, b.optimizer.kind));
    }
    if a.optimizer.lr != b.optimizer.lr {
        out.push(format!("learning rate: {} → {}", a.optimizer.lr, b.optimizer.lr));
    }
    if a.data.kind != b.data.kind {
        out.push(format!("data: {} → {}", a.data.kind.id(), b.data.kind.id()));
    }
    if a.layers != b.layers && a.data.kind == b.data.kind {
        out.push(format!("layers: {} → {}", layers_text(&a.layers), layers_text(&b.layers)));
    }
    out
}

/// Hidden layers as links write them: `8:tanh,8:tanh`.
fn layers_text(layers: &[LayerSpec]) -> String {
    layers.iter().map(engine::share::layer_text).collect::<Vec<_>>().join(",")
}

#[component]
pub fn ComparePanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    // Any change restarts both from the same start.
    let restart = move || {
        lab.playing.set(false);
        lab.resets.update(|n| *n += 1);
    };
    let edit_b = move |f: &dyn Fn(&mut ModelSpec)| {
        lab.compare.update(|b| {
            if let Some(b) = b {
                f(b)
            }
        });
        restart();
    };
    let fork = move |_| {
        lab.compare.set(Some(lab.spec.get_untracked()));
        restart();
    };
    let comparing = move || lab.compare.with(Option::is_some);
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let out = lab.b_output.get();
        if let Some(ctx) = canvas.get().and_then(|c| context(&c)) {
            let n = (out.len() as f64).sqrt() as usize;
            paint_grid(&ctx, &out, n, 150.0, 1.0, lab.view.with(|v| v.discretize));
        }
    });
    let b_value = move |f: fn(&engine::train::Metrics) -> Option<f32>, pct: bool| {
        lab.b_latest.get().and_then(|m| f(&m)).map(|v| if pct { format!("{:.1}%", v * 100.0) } else { format!("{v:.4}") }).unwrap_or_else(|| "–".into())
    };
    let b = move || lab.compare.get().unwrap_or_default();
    view! {
        <section class="panel compare" aria-labelledby="ab-h">
            <h2 id="ab-h">{move || tr(lang.get(), "Side by side (A/B)", "나란히 비교 (A/B)")}</h2>
            <div class:hidden=comparing>
                <p class="small muted">{move || tr(lang.get(),
                    "Fork this experiment as B, change something, and train both at the same time from the same seed.",
                    "이 실험을 B로 복제하고 무언가를 바꾼 뒤, 같은 시드에서 둘을 동시에 학습합니다.")}</p>
                <button data-testid="ab-fork" on:click=fork>{move || tr(lang.get(), "Compare with a variant", "변형과 비교하기")}</button>
            </div>
            <div class:hidden=move || !comparing()>
                <div class="row">
                    <label class="field"><span>{move || tr(lang.get(), "B: activation", "B: 활성화 함수")}</span>
                        <select data-testid="ab-activation" on:change=move |ev| {
                            if let Ok(act) = Activation::from_id(&event_target_value(&ev)) {
                                edit_b(&|b| *b = engine::lessons::with_activation(b, act));
                            }
                        }>
                            {ACTIVATIONS.iter().filter(|i| i.id != "softmax").map(|i| view! {
                                <option value=i.id selected=move || hidden_activation(&b()).map(|a| a.id()) == Some(i.id)>
                                    {move || if lang.get() == Lang::En { i.name.en } else { i.name.ko }}</option>
                            }).collect_view()}
                        </select></label>
                    <label class="field"><span>{move || tr(lang.get(), "B: optimizer", "B: 옵티마이저")}</span>
                        <select data-testid="ab-optimizer" on:change=move |ev| {
                            let kind = match event_target_value(&ev).as_str() { "sgd" => OptimKind::Sgd, "momentum" => OptimKind::Momentum, _ => OptimKind::Adam };
                            edit_b(&|b| b.optimizer.kind = kind);
                        }>
                            {[("sgd", "SGD", OptimKind::Sgd), ("momentum", "Momentum", OptimKind::Momentum), ("adam", "Adam", OptimKind::Adam)].into_iter().map(|(v, name, k)| view! {
                                <option value=v selected=move || b().optimizer.kind == k>{name}</option>
                            }).collect_view()}
                        </select></label>
                    <label class="field"><span>{move || tr(lang.get(), "B: learning rate", "B: 학습률")}</span>
                        <select data-testid="ab-lr" on:change=move |ev| {
                            if let Ok(lr) = event_target_value(&ev).parse::<f32>() { edit_b(&|b| b.optimizer.lr = lr) }
                        }>
                            {LEARNING_RATES.iter().map(|&v| view! { <option value=v.to_string() selected=move || b().optimizer.lr == v>{v.to_string()}</option> }).collect_view()}
                        </select></label>
                    <label class="field"><span>{move || tr(lang.get(), "B: data", "B: 데이터")}</span>
                        <select data-testid="ab-data" on:change=move |ev| {
                            if let Some(&kind) = DatasetKind::EVERY.iter().find(|k| k.id() == event_target_value(&ev)) {
                                edit_b(&|b| crate::panels::data::switch_data(b, kind));
                            }
                        }>
                            {DatasetKind::EVERY.iter().map(|&kind| view! {
                                <option value=kind.id() selected=move || b().data.kind == kind>
                                    {move || { let (en, ko) = kind.name(); if lang.get() == Lang::En { en } else { ko } }}</option>
                            }).collect_view()}
                        </select></label>
                    <label class="field"><span>{move || tr(lang.get(), "B: layers", "B: 층")}</span>
                        <input type="text" data-testid="ab-layers" spellcheck="false" size="18"
                            prop:value=move || layers_text(&b().layers)
                            on:change=move |ev| match engine::share::layers_from_text(&event_target_value(&ev)) {
                                Ok(layers) => edit_b(&|b| b.layers = layers.clone()),
                                Err(problems) => lab.notice.set(Some(format!("B's layers were not changed: {}", problems.join("; ")))),
                            } /></label>
                    <button data-testid="ab-stop" on:click=move |_| lab.compare.set(None)>{move || tr(lang.get(), "Stop comparing", "비교 끝내기")}</button>
                </div>
                <p class="small" data-testid="ab-diff">{move || {
                    let d = lab.compare.with(|b| b.as_ref().map(|b| lab.spec.with(|a| differences(a, b))).unwrap_or_default());
                    if d.is_empty() { tr(lang.get(), "B is the same as A: change one thing.", "B가 A와 같습니다: 한 가지를 바꿔 보세요.").to_string() } else { format!("B: {}", d.join("; ")) }
                }}</p>
                <div class="row ab-numbers">
                    <canvas node_ref=canvas width="150" height="150" data-testid="ab-boundary" class="ab-boundary"
                        class:hidden=move || !lab.compare.with(|b| b.as_ref().is_some_and(|b| b.data.kind.is_points()))
                        role="img" aria-label=move || crate::views::a11y::b_boundary(lang.get(), lab.b_latest.get().as_ref()) />
                    <div class="numbers">
                        <div><span>{move || tr(lang.get(), "B epoch", "B 에폭")}</span><b data-testid="ab-epoch">{move || lab.b_latest.get().map(|m| m.epoch).unwrap_or(0)}</b></div>
                        <div><span>{move || tr(lang.get(), "B train loss", "B 학습 손실")}</span><b data-testid="ab-train-loss">{move || b_value(|m| Some(m.train_loss), false)}</b></div>
                        <div><span>{move || tr(lang.get(), "B test loss", "B 테스트 손실")}</span><b data-testid="ab-test-loss">{move || b_value(|m| Some(m.test_loss), false)}</b></div>
                        <div><span>{move || tr(lang.get(), "B test accuracy", "B 테스트 정확도")}</span><b data-testid="ab-accuracy">{move || b_value(|m| m.test_accuracy, true)}</b></div>
                        <div><span>{move || tr(lang.get(), "B steps/s", "B 초당 스텝")}</span><b data-testid="ab-steps-per-sec">{move || crate::driver::rate_text(lab.b_steps_per_sec.get())}</b></div>
                    </div>
                </div>
            </div>
        </section>
    }
}
