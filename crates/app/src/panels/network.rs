//! The network builder: add and remove layers of the kinds that make sense for the data (dense
//! for 2-D points; convolution, pooling and flatten for images; RNN, LSTM and GRU for sequences),
//! resize them with +/−, and pick each layer's activation (here, or from the comparison table).

use engine::activation::{ACTIVATIONS, Activation};
use engine::data::DatasetKind;
use engine::spec::{LayerSpec, limits};
use leptos::prelude::*;

use crate::i18n::{text, tr};
use crate::lab::Lab;
use crate::views::graph::NetworkGraph;

/// The layer kinds offered for a data set, with their names.
pub fn offered(kind: DatasetKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        DatasetKind::Digits | DatasetKind::Shapes => &[
            ("conv2d", "Conv2D"),
            ("max_pool2d", "MaxPool2D"),
            ("avg_pool2d", "AvgPool2D"),
            ("flatten", "Flatten"),
            ("dense", "Dense"),
        ],
        DatasetKind::Sine | DatasetKind::Memory => &[("lstm", "LSTM"), ("gru", "GRU"), ("rnn", "RNN"), ("dense", "Dense")],
        _ => &[("dense", "Dense")],
    }
}

/// A new layer of kind `id` with sensible settings.
pub fn new_layer(id: &str) -> LayerSpec {
    match id {
        "conv2d" => LayerSpec::Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: Activation::Relu },
        "max_pool2d" => LayerSpec::MaxPool2d { kernel: 2, stride: 2 },
        "avg_pool2d" => LayerSpec::AvgPool2d { kernel: 2, stride: 2 },
        "flatten" => LayerSpec::Flatten,
        "rnn" => LayerSpec::Rnn { hidden: 16, return_sequences: false },
        "lstm" => LayerSpec::Lstm { hidden: 16, return_sequences: false },
        "gru" => LayerSpec::Gru { hidden: 16, return_sequences: false },
        _ => LayerSpec::Dense { units: 8, activation: Activation::Relu },
    }
}

/// The size the +/− buttons change: units, filters, pooling window or hidden size.
fn size(l: &LayerSpec) -> Option<u32> {
    match *l {
        LayerSpec::Dense { units, .. } => Some(units),
        LayerSpec::Conv2d { filters, .. } => Some(filters),
        LayerSpec::MaxPool2d { kernel, .. } | LayerSpec::AvgPool2d { kernel, .. } => Some(kernel),
        LayerSpec::Flatten => None,
        LayerSpec::Rnn { hidden, .. } | LayerSpec::Lstm { hidden, .. } | LayerSpec::Gru { hidden, .. } => Some(hidden),
    }
}

fn resize(l: &mut LayerSpec, delta: i32) {
    let clamp = |v: u32, lo: i32, hi: i32| (v as i32 + delta).clamp(lo, hi) as u32;
    match l {
        LayerSpec::Dense { units, .. } => *units = clamp(*units, 1, limits::MAX_UNITS as i32),
        LayerSpec::Conv2d { filters, .. } => *filters = clamp(*filters, 1, 64),
        LayerSpec::MaxPool2d { kernel, stride } | LayerSpec::AvgPool2d { kernel, stride } => {
            *kernel = clamp(*kernel, 2, 4);
            *stride = *kernel;
        }
        LayerSpec::Flatten => {}
        LayerSpec::Rnn { hidden, .. } | LayerSpec::Lstm { hidden, .. } | LayerSpec::Gru { hidden, .. } => {
            *hidden = clamp(*hidden, 1, 256)
        }
    }
}

/// Resizes layer `i` by `delta` (the −/+ of a layer card or of the graph).
pub(crate) fn resize_layer(lab: Lab, i: usize, delta: i32) {
    lab.edit(|s| {
        if let Some(l) = s.layers.get_mut(i) {
            resize(l, delta)
        }
    })
}

/// The `<option>`s of an activation select, `current` marked.
pub(crate) fn activation_options(lab: Lab, current: impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = lab.lang;
    ACTIVATIONS
        .iter()
        .map(|a| view! { <option value=a.id selected=move || current() == Some(a.id)>{text(lang.get(), &a.name)}</option> })
        .collect_view()
}

/// The layer's activation, for the kinds that have one.
pub fn activation(l: &LayerSpec) -> Option<Activation> {
    match *l {
        LayerSpec::Dense { activation, .. } | LayerSpec::Conv2d { activation, .. } => Some(activation),
        _ => None,
    }
}

/// Sets layer `i`'s activation (used by the builder and the comparison table).
pub fn set_activation(lab: Lab, i: usize, a: Activation) {
    lab.edit(|s| match s.layers.get_mut(i) {
        Some(LayerSpec::Dense { activation, .. } | LayerSpec::Conv2d { activation, .. }) => *activation = a,
        _ => {}
    })
}

#[component]
pub fn NetworkPanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let count = move || lab.spec.with(|s| s.layers.len());
    let kinds = move || offered(lab.spec.with(|s| s.data.kind));
    let (next_kind, set_next_kind) = signal("dense");
    let add = move |_| {
        let id = if kinds().iter().any(|k| k.0 == next_kind.get_untracked()) { next_kind.get_untracked() } else { kinds()[0].0 };
        lab.edit(|s| {
            if s.layers.len() < limits::MAX_LAYERS {
                let mut layer = new_layer(id);
                // A new dense layer keeps the activation of the dense layer before it.
                if let (LayerSpec::Dense { activation, .. }, Some(prev)) =
                    (&mut layer, s.layers.iter().rev().find_map(|l| matches!(l, LayerSpec::Dense { .. }).then(|| activation(l)).flatten()))
                {
                    *activation = prev;
                }
                if matches!(layer, LayerSpec::Dense { .. }) && s.data.kind.is_points() && s.layers.is_empty() {
                    layer = LayerSpec::Dense { units: 4, activation: Activation::Tanh };
                }
                s.layers.push(layer);
            }
        });
        lab.selected_layer.set(count().saturating_sub(1));
    };
    let remove = move |_| {
        lab.edit(|s| {
            s.layers.pop();
        });
        lab.selected_layer
            .update(|i| *i = (*i).min(count().saturating_sub(1)));
    };
    // On 2-D points the graph has each layer's controls (and their test ids); no cards then.
    let layers = move || {
        let cards = if lab.spec.with(|s| s.data.kind.is_points()) {
            0
        } else {
            count()
        };
        (0..cards)
            .map(|i| view! { <LayerCard lab i /> })
            .collect_view()
    };
    let output = move || {
        let (units, act) = lab.spec.with(|s| {
            let o = s.output();
            (o.units, o.presented)
        });
        format!("{units} × {}", text(lang.get(), &act.info().name))
    };
    let kind_options = move || {
        kinds()
            .iter()
            .map(|(id, name)| view! { <option value=*id selected=move || next_kind.get() == *id>{*name}</option> })
            .collect_view()
    };
    let input = move || {
        lab.spec.with(|s| match s.data.kind {
            DatasetKind::Digits => "1 × 8 × 8".to_string(),
            DatasetKind::Shapes => "1 × 12 × 12".to_string(),
            DatasetKind::Sine | DatasetKind::Memory => format!("{} × 1", tr(lang.get(), "sequence", "시퀀스")),
            _ => s.features.len().to_string(),
        })
    };
    view! {
        <section class="panel network" aria-labelledby="net-h">
            <h2 id="net-h">{move || tr(lang.get(), "Network", "신경망")}</h2>
            <div class="layer-buttons">
                <select data-testid="add-layer-kind" class:hidden=move || kinds().len() < 2
                    aria-label=move || tr(lang.get(), "Kind of layer to add", "추가할 층의 종류")
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(k) = kinds().iter().find(|k| k.0 == v) { set_next_kind.set(k.0) }
                    }>{kind_options}</select>
                <button data-testid="add-layer" on:click=add disabled=move || { count() >= limits::MAX_LAYERS }>
                    {move || tr(lang.get(), "+ layer", "+ 층")}
                </button>
                <button data-testid="remove-layer" on:click=remove disabled=move || count() == 0>
                    {move || tr(lang.get(), "− layer", "− 층")}
                </button>
                <span class="muted">{move || format!("{} {}", count(), tr(lang.get(), "hidden layers", "개 은닉층"))}</span>
            </div>
            // 2-D points: the network as a graph of neurons and weights, each layer's size and
            // activation on it. Images and sequences: one card per layer.
            <NetworkGraph lab />
            <div class="layers" class:hidden=move || lab.spec.with(|s| s.data.kind.is_points())>
                <div class="layer io">{move || tr(lang.get(), "Input", "입력")} ": " {input}</div>
                {layers}
                <div class="layer io" data-testid="output-layer">{move || tr(lang.get(), "Output", "출력")} ": " {output}</div>
            </div>
        </section>
    }
}

#[component]
fn LayerCard(lab: Lab, i: usize) -> impl IntoView {
    let lang = lab.lang;
    let layer = move || lab.spec.with(|s| s.layers.get(i).copied());
    let size_text = move || layer().and_then(|l| size(&l)).map(|v| v.to_string()).unwrap_or_default();
    let kind = move || layer().map(|l| l.kind()).unwrap_or("dense");
    let has_size = move || layer().and_then(|l| size(&l)).is_some();
    let act_id = move || layer().and_then(|l| activation(&l)).map(|a| a.id());
    let step = move |delta: i32| resize_layer(lab, i, delta);
    let options = move || activation_options(lab, act_id);
    let detail = move || match layer() {
        Some(LayerSpec::Dense { .. }) => tr(lang.get(), "units", "유닛"),
        Some(LayerSpec::Conv2d { .. }) => tr(lang.get(), "filters 3×3", "필터 3×3"),
        Some(LayerSpec::MaxPool2d { .. } | LayerSpec::AvgPool2d { .. }) => tr(lang.get(), "window", "창 크기"),
        Some(LayerSpec::Flatten) => tr(lang.get(), "to a vector", "벡터로 펼침"),
        Some(_) => tr(lang.get(), "hidden size", "은닉 크기"),
        None => "",
    };
    let selected = move || lab.selected_layer.get() == i;
    view! {
        <div class="layer" class:selected=selected data-testid=format!("layer-{i}")
            on:click=move |_| lab.selected_layer.set(i)>
            <span class="kind" data-testid=format!("layer-{i}-kind")>{kind}</span>
            <div class="units" class:hidden=move || !has_size()>
                <button aria-label=move || format!("{} {}", tr(lang.get(), "smaller layer", "층 줄이기"), i + 1)
                    data-testid=format!("layer-{i}-minus") on:click=move |_| step(-1)>"−"</button>
                <span data-testid=format!("layer-{i}-units")>{size_text}</span>
                <button aria-label=move || format!("{} {}", tr(lang.get(), "larger layer", "층 늘리기"), i + 1)
                    data-testid=format!("layer-{i}-plus") on:click=move |_| step(1)>"+"</button>
            </div>
            <span class="muted small">{detail}</span>
            <select data-testid=format!("layer-{i}-activation") class:hidden=move || act_id().is_none()
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
