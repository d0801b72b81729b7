//! The network builder: add and remove hidden layers, resize them with +/−, and pick each
//! layer's activation (here, or from the comparison table for the selected layer).

use engine::activation::{ACTIVATIONS, Activation};
use engine::spec::{LayerSpec, limits};
use leptos::prelude::*;

use crate::i18n::{text, tr};
use crate::lab::Lab;

/// Units of a hidden layer, and its activation.
fn dense(l: &LayerSpec) -> (u32, Activation) {
    match *l {
        LayerSpec::Dense { units, activation } => (units, activation),
    }
}

#[component]
pub fn NetworkPanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let count = move || lab.spec.with(|s| s.layers.len());
    let add = move |_| {
        lab.edit(|s| {
            if s.layers.len() < limits::MAX_LAYERS {
                let activation = s.layers.last().map(|l| dense(l).1).unwrap_or(Activation::Tanh);
                s.layers.push(LayerSpec::Dense { units: 4, activation });
            }
        });
        lab.selected_layer.set(count().saturating_sub(1));
    };
    let remove = move |_| {
        lab.edit(|s| {
            s.layers.pop();
        });
        lab.selected_layer.update(|i| *i = (*i).min(count().saturating_sub(1)));
    };
    let layers = move || (0..count()).map(|i| view! { <LayerCard lab i /> }).collect_view();
    let output = move || {
        let (units, act) = lab.spec.with(|s| {
            let o = s.output();
            (o.units, o.presented)
        });
        format!("{units} × {}", text(lang.get(), &act.info().name))
    };
    view! {
        <section class="panel network" aria-labelledby="net-h">
            <h2 id="net-h">{move || tr(lang.get(), "Network", "신경망")}</h2>
            <div class="layer-buttons">
                <button data-testid="add-layer" on:click=add
                    disabled=move || { count() >= limits::MAX_LAYERS }>
                    {move || tr(lang.get(), "+ hidden layer", "+ 은닉층")}
                </button>
                <button data-testid="remove-layer" on:click=remove disabled=move || count() == 0>
                    {move || tr(lang.get(), "− hidden layer", "− 은닉층")}
                </button>
                <span class="muted">{move || format!("{} {}", count(), tr(lang.get(), "hidden layers", "개 은닉층"))}</span>
            </div>
            <div class="layers">
                <div class="layer io">{move || tr(lang.get(), "Input", "입력")} ": "
                    {move || lab.spec.with(|s| s.features.len())}</div>
                {layers}
                <div class="layer io" data-testid="output-layer">{move || tr(lang.get(), "Output", "출력")} ": " {output}</div>
            </div>
        </section>
    }
}

#[component]
fn LayerCard(lab: Lab, i: usize) -> impl IntoView {
    let lang = lab.lang;
    let layer = move || lab.spec.with(|s| s.layers.get(i).map(dense));
    let units = move || layer().map(|l| l.0).unwrap_or(0);
    let act_id = move || layer().map(|l| l.1.id()).unwrap_or("tanh");
    let resize = move |delta: i32| {
        lab.edit(|s| {
            if let Some(LayerSpec::Dense { units, .. }) = s.layers.get_mut(i) {
                *units = (*units as i32 + delta).clamp(1, limits::MAX_UNITS as i32) as u32;
            }
        })
    };
    let options = move || {
        ACTIVATIONS
            .iter()
            .map(|a| view! { <option value=a.id selected=move || act_id() == a.id>{text(lang.get(), &a.name)}</option> })
            .collect_view()
    };
    let selected = move || lab.selected_layer.get() == i;
    view! {
        <div class="layer" class:selected=selected data-testid=format!("layer-{i}")
            on:click=move |_| lab.selected_layer.set(i)>
            <div class="units">
                <button aria-label=move || format!("{} {}", tr(lang.get(), "fewer units in layer", "유닛 줄이기, 층"), i + 1)
                    data-testid=format!("layer-{i}-minus") on:click=move |_| resize(-1)>"−"</button>
                <span data-testid=format!("layer-{i}-units")>{units}</span>
                <button aria-label=move || format!("{} {}", tr(lang.get(), "more units in layer", "유닛 늘리기, 층"), i + 1)
                    data-testid=format!("layer-{i}-plus") on:click=move |_| resize(1)>"+"</button>
            </div>
            <select data-testid=format!("layer-{i}-activation")
                aria-label=move || format!("{} {}", tr(lang.get(), "activation of layer", "활성화 함수, 층"), i + 1)
                on:change=move |ev| {
                    if let Ok(a) = Activation::from_id(&event_target_value(&ev)) {
                        set_activation(lab, i, a);
                    }
                }>
                {options}
            </select>
            <span class="muted small">{move || tr(lang.get(), "layer", "층")} " " {i + 1}</span>
        </div>
    }
}

/// Sets hidden layer `i`'s activation (used by the builder and the comparison table).
pub fn set_activation(lab: Lab, i: usize, a: Activation) {
    lab.edit(|s| {
        if let Some(LayerSpec::Dense { activation, .. }) = s.layers.get_mut(i) {
            *activation = a;
        }
    })
}
