//! Live diagnostics per layer: how strong the gradient reaching each layer is (vanishing or
//! exploding), how many ReLU units are dead, how many sigmoid/tanh units are saturated, PReLU's
//! learned slopes and which Maxout piece wins; and warnings in words when they explain a stall.

use engine::train::{LayerDiagnostics, Severity};
use leptos::prelude::*;

use crate::i18n::{Lang, tr};
use crate::lab::Lab;

#[component]
pub fn DiagnosticsView(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    view! {
        // Focusable, so that its table scrolls by keyboard too.
        <div class="diagnostics" data-testid="diagnostics" class:hidden=move || lab.diagnostics.with(Option::is_none)
            tabindex="0" role="region" aria-label=move || tr(lang.get(), "Inside the layers", "층 안쪽 들여다보기")>
            <h3>{move || tr(lang.get(), "Inside the layers", "층 안쪽 들여다보기")}</h3>
            <ul class="warnings" data-testid="diag-warnings">
                {move || lab.diagnostics.get().map(|d| d.warnings.into_iter().map(|w| {
                    let class = match w.severity { Severity::Problem => "problem", Severity::Warning => "warning", Severity::Info => "info" };
                    let text = if lang.get() == Lang::En { w.en } else { w.ko };
                    view! { <li class=class data-testid=format!("diag-warning-{:?}", w.kind).to_lowercase()>{text}</li> }
                }).collect_view())}
            </ul>
            <table class="diag-table">
                <thead><tr>
                    <th>{move || tr(lang.get(), "Layer", "층")}</th>
                    <th title="‖∂L/∂W‖">{move || tr(lang.get(), "Gradient norm", "기울기 크기")}</th>
                    <th>{move || tr(lang.get(), "Dead ReLU", "죽은 ReLU")}</th>
                    <th>{move || tr(lang.get(), "Saturated", "포화")}</th>
                    <th>{move || tr(lang.get(), "Learned", "학습된 값")}</th>
                </tr></thead>
                <tbody>
                    {move || lab.diagnostics.get().map(|d| d.layers.into_iter().map(row).collect_view())}
                </tbody>
            </table>
        </div>
    }
}

fn row(l: LayerDiagnostics) -> impl IntoView {
    let i = l.index;
    let name = match (l.spec_index, l.activation) {
        (Some(s), Some(a)) => format!("{} {} · {}", l.kind, s + 1, a.id()),
        (Some(s), None) => format!("{} {}", l.kind, s + 1),
        (None, _) => "output".to_string(),
    };
    let sci = |v: Option<f32>| v.map(|v| format!("{v:.2e}")).unwrap_or_else(|| "–".into());
    let pct = |v: Option<f32>| v.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_else(|| "–".into());
    let learned = match (&l.prelu_alpha, &l.maxout) {
        (Some(a), _) if !a.is_empty() => {
            let mean = a.iter().sum::<f32>() / a.len() as f32;
            let (lo, hi) = a.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            format!("PReLU α {mean:.3} ({lo:.3}…{hi:.3})")
        }
        (_, Some(m)) => format!(
            "Maxout wins {}",
            m.overall.iter().map(|w| format!("{:.0}%", w * 100.0)).collect::<Vec<_>>().join(" / ")
        ),
        _ => String::new(),
    };
    view! {
        <tr data-testid=format!("diag-layer-{i}")>
            <td>{name}</td>
            <td data-testid=format!("diag-layer-{i}-grad")>{sci(l.grad_norm)}</td>
            <td data-testid=format!("diag-layer-{i}-dead")>{pct(l.dead_share)}</td>
            <td data-testid=format!("diag-layer-{i}-saturated")>{pct(l.saturated_share)}</td>
            <td>{learned}</td>
        </tr>
    }
}
