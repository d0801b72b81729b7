//! The activation comparison table from the notes: every activation with its formula, its
//! strengths and weaknesses, where to use it, and a plot of f and f′. Picking a row sets the
//! selected hidden layer's activation. Everything comes from the engine's one table.

use engine::activation::{ACTIVATIONS, ActivationInfo};
use leptos::prelude::*;

use crate::i18n::{text, tr};
use crate::lab::Lab;
use crate::panels::network::{activation, set_activation};

/// x from −4 to 4 in 33 samples, as SVG polyline points (y up), for f or f′.
fn curve(info: &ActivationInfo, derivative: bool) -> String {
    let a = info.default;
    (0..=32)
        .map(|i| {
            let x = -4.0 + i as f64 * 0.25;
            let y = if derivative { a.df(x) } else { a.f(x) };
            let (px, py) = (x * 10.0 + 40.0, 30.0 - y.clamp(-2.5, 4.0) * 10.0);
            format!("{px:.1},{py:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
fn Plot(info: &'static ActivationInfo) -> impl IntoView {
    view! {
        <svg class="fplot" viewBox="0 -12 80 56" role="img" aria-label=format!("{}: f and f′", info.id)>
            <line x1="0" y1="30" x2="80" y2="30" class="axis" />
            <line x1="40" y1="-12" x2="40" y2="44" class="axis" />
            <polyline points=curve(info, true) class="df" />
            <polyline points=curve(info, false) class="f" />
        </svg>
    }
}

#[component]
pub fn ActivationTable(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let current = move || {
        lab.spec.with(|s| s.layers.get(lab.selected_layer.get()).and_then(activation).map(|a| a.id()))
    };
    let rows = ACTIVATIONS
        .iter()
        .map(|info| {
            let pick = move |_| set_activation(lab, lab.selected_layer.get_untracked(), info.default);
            view! {
                <tr class:current=move || current() == Some(info.id) data-testid=format!("act-row-{}", info.id)>
                    <th scope="row">
                        <span class="act-name">{move || text(lang.get(), &info.name)}</span>
                        <Plot info />
                    </th>
                    <td><code>{info.formula}</code><br /><code class="muted">{info.derivative}</code>
                        <br />{move || text(lang.get(), &info.property)}</td>
                    <td>{move || text(lang.get(), &info.strengths)}</td>
                    <td>{move || text(lang.get(), &info.weaknesses)}</td>
                    <td>{move || text(lang.get(), &info.use_where)}</td>
                    <td>
                        <button data-testid=format!("use-{}", info.id) on:click=pick
                            disabled=move || lab.spec.with(|s| s.layers.is_empty())
                            aria-label=move || format!("{} {}", tr(lang.get(), "Use for the selected layer:", "선택한 층에 사용:"), text(lang.get(), &info.name))>
                            {move || tr(lang.get(), "Use", "사용")}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel acts" aria-labelledby="acts-h">
            <h2 id="acts-h">{move || tr(lang.get(), "Activation functions", "활성화 함수 비교표")}</h2>
            <p class="muted">
                {move || tr(lang.get(),
                    "Choose for layer ",
                    "적용할 층: ")}
                <strong data-testid="selected-layer">{move || lab.selected_layer.get() + 1}</strong>
                {move || tr(lang.get(),
                    " (click a layer in the network to choose another). Blue: f(x); dashed orange: f′(x). Advice from the notes: softmax for the output of a multi-class problem; tanh in RNNs; otherwise start with ReLU, try leaky ReLU if units die, keep PReLU and Maxout as last resorts; consider Swish for very deep networks.",
                    " (신경망에서 다른 층을 누르면 바뀝니다). 파란색: f(x), 주황 점선: f′(x). 노트의 조언: 다중 분류의 출력층에는 Softmax, RNN에는 TanH, 그 외에는 ReLU로 시작하고 죽은 ReLU 문제가 생기면 Leaky ReLU를, PReLU와 Maxout은 최후의 수단으로. 매우 깊은 신경망에는 Swish를 고려.")}
            </p>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{move || tr(lang.get(), "Function", "함수명")}</th>
                        <th scope="col">{move || tr(lang.get(), "Formula / property", "수식 / 특성")}</th>
                        <th scope="col">{move || tr(lang.get(), "Strengths", "장점")}</th>
                        <th scope="col">{move || tr(lang.get(), "Weaknesses", "단점")}</th>
                        <th scope="col">{move || tr(lang.get(), "Where to use", "권장 사용처")}</th>
                        <th scope="col"><span class="visually-hidden">{move || tr(lang.get(), "Use in the selected layer", "선택한 층에 적용")}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
