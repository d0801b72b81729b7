//! The data panel: which data set, its noise, the train/test split, and the input features.

use engine::data::{DatasetKind, Feature};
use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::spec::ModelSpec;
use leptos::prelude::*;

use crate::i18n::{Lang, tr};
use crate::lab::Lab;
use crate::panels::custom_data::CustomDataControls;
use crate::panels::network::new_layer;

/// Switches the data set. Within a family (2-D points, images, sequences) the network stays; a
/// new family gets a network, loss and optimizer that suit it, since the old layers cannot take
/// the new input.
pub fn switch_data(s: &mut ModelSpec, kind: DatasetKind) {
    let family = |k: DatasetKind| match k {
        DatasetKind::Digits | DatasetKind::Shapes => 1,
        DatasetKind::Sine | DatasetKind::Memory => 2,
        _ => 0,
    };
    let same_family = family(s.data.kind) == family(kind);
    s.data.kind = kind;
    if same_family {
        if kind.is_regression() {
            s.loss = LossKind::Mse;
        } else if s.loss == LossKind::Mse && !kind.is_points() {
            s.loss = LossKind::SoftmaxCrossEntropy;
        }
        return;
    }
    let defaults = ModelSpec::default();
    s.data.points = defaults.data.points;
    s.data.noise = 0;
    match family(kind) {
        0 => {
            s.layers = defaults.layers;
            s.loss = LossKind::Mse;
            s.optimizer = defaults.optimizer;
            s.batch_size = defaults.batch_size;
            return;
        }
        1 => {
            s.layers = ["conv2d", "max_pool2d", "flatten"].iter().map(|k| new_layer(k)).collect();
            s.loss = LossKind::SoftmaxCrossEntropy;
        }
        _ => {
            s.layers = vec![new_layer("lstm")];
            s.loss = if kind.is_regression() { LossKind::Mse } else { LossKind::SoftmaxCrossEntropy };
        }
    }
    s.optimizer.kind = OptimKind::Adam;
    s.optimizer.lr = 0.01;
    s.batch_size = 32;
}

#[component]
pub fn DataPanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let kinds = DatasetKind::EVERY.iter().map(|&kind| {
        let pressed = move || lab.spec.with(|s| s.data.kind == kind);
        let name = move || {
            let (en, ko) = kind.name();
            if lang.get() == Lang::Ko { ko } else { en }
        };
        view! {
            <button class="chip" aria-pressed=move || pressed().to_string()
                data-testid=format!("dataset-{}", kind.id())
                on:click=move |_| lab.edit(|s| switch_data(s, kind))>
                {name}
            </button>
        }
    }).collect_view();
    let features = Feature::ALL.iter().map(|&f| {
        let checked = move || lab.spec.with(|s| s.features.contains(&f));
        view! {
            <label class="feature">
                <input type="checkbox" prop:checked=checked data-testid=format!("feature-{}", f.id())
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        lab.edit(|s| {
                            if on && !s.features.contains(&f) {
                                s.features.push(f);
                                s.features.sort_by_key(|x| Feature::ALL.iter().position(|y| y == x));
                            } else if !on && s.features.len() > 1 {
                                s.features.retain(|x| *x != f);
                            }
                        })
                    } />
                {f.label()}
            </label>
        }
    }).collect_view();
    view! {
        <section class="panel data" aria-labelledby="data-h">
            <h2 id="data-h">{move || tr(lang.get(), "Data", "데이터")}</h2>
            <div class="chips" role="group">{kinds}</div>
            <CustomDataControls lab=lab />
            <label class="slider" class:hidden=move || lab.spec.with(|s| s.data.kind == DatasetKind::Custom)>
                <span>{move || tr(lang.get(), "Noise", "잡음")} " " {move || lab.spec.with(|s| s.data.noise)}</span>
                <input type="range" min="0" max="50" step="5" data-testid="noise"
                    prop:value=move || lab.spec.with(|s| s.data.noise.to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse() { lab.edit(|s| s.data.noise = v) }
                    } />
            </label>
            <label class="slider">
                <span>{move || tr(lang.get(), "Training data", "학습 데이터 비율")} " "
                    {move || lab.spec.with(|s| s.data.train_percent)} "%"</span>
                <input type="range" min="10" max="90" step="10" data-testid="train-percent"
                    prop:value=move || lab.spec.with(|s| s.data.train_percent.to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse() { lab.edit(|s| s.data.train_percent = v) }
                    } />
            </label>
            <fieldset class="features" class:hidden=move || !lab.spec.with(|s| s.data.kind.is_points())>
                <legend>{move || tr(lang.get(), "Input features", "입력 특성")}</legend>
                {features}
            </fieldset>
        </section>
    }
}
