//! For sequence data: the network's predictions against the true values over consecutive test
//! samples (for the sine, the forecast against the real curve).

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::Lab;
use crate::views::curves::draw_range;

#[component]
pub fn SequenceView(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let canvas = NodeRef::<Canvas>::new();
    let shown = move || lab.pictures.with(|p| p.sequence.is_some());
    Effect::new(move |_| {
        let title = tr(lang.get(), "Test: true (blue) and predicted (orange)", "테스트: 정답(파랑)과 예측(주황)");
        lab.pictures.with(|p| {
            let (Some(seq), Some(c)) = (&p.sequence, canvas.get()) else { return };
            let series = |v: &[f32]| v.iter().enumerate().map(|(i, y)| (i as f64, *y as f64)).collect::<Vec<_>>();
            let all = seq.truth.iter().chain(&seq.predicted).copied().filter(|v| v.is_finite());
            let (lo, hi) = all.fold((0.0f32, 1e-3f32), |(lo, hi), v| (lo.min(v), hi.max(v)));
            let pad = 0.1 * (hi - lo) as f64;
            draw_range(c, title, series(&seq.truth), series(&seq.predicted), lo as f64 - pad, Some(hi as f64 + pad));
        });
    });
    view! {
        <figure class="sequence" class:hidden=move || !shown()>
            <canvas node_ref=canvas width="320" height="170" data-testid="sequence-chart"
                aria-label=move || tr(lang.get(), "Predicted against true values", "예측값과 실제값") />
        </figure>
    }
}
