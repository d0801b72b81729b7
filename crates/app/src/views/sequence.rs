//! For sequence data: the network's predictions against the true values over consecutive test
//! samples (for the sine, the forecast against the real curve).

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::{Grid, Lab};
use crate::views::boundary::{context, paint_cells_scaled};

/// A grid drawn as a strip of cells, 320 pixels wide (each time step one column of cells).
#[component]
fn StripCanvas(grid: Grid, label: String) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let height = (grid.height.max(1) * 6).clamp(8, 160) as u32;
    canvas.on_load(move |c| {
        if let Some(ctx) = context(&c) {
            paint_cells_scaled(&ctx, &grid, 320, height as usize);
        }
    });
    view! { <canvas node_ref=canvas width="320" height=height class="strip" role="img" aria-label=label /> }
}
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
    // The network unrolled over one test sample: time runs left to right, a row per unit.
    let unrolled = move || {
        lab.pictures.with(|p| p.sequence.clone()).map(|seq| {
            let rows = std::iter::once((
                tr(lang.get(), "input x₁ … x_T", "입력 x₁ … x_T").to_string(),
                seq.input,
            ))
            .chain(seq.hidden.into_iter().map(|(layer, units, g)| {
                (format!("{} {layer}: h₁ … h_T ({units} {})", tr(lang.get(), "layer", "층"), tr(lang.get(), "units", "유닛")), g)
            }))
            .map(|(label, grid)| {
                view! {
                    <div class="unrolled-row">
                        <span class="muted small">{label.clone()}</span>
                        <StripCanvas grid label=crate::views::a11y::strip(lang.get(), &label) />
                    </div>
                }
            })
            .collect_view();
            view! { <div class="unrolled" data-testid="unrolled">{rows}</div> }
        })
    };
    view! {
        <figure class="sequence" class:hidden=move || !shown()>
            <figcaption class="small">{move || tr(lang.get(), "The network unrolled over one test sample, each step's hidden state feeding the next", "테스트 샘플 하나에 대해 펼친 신경망: 각 단계의 은닉 상태가 다음 단계로 이어짐")}</figcaption>
            {unrolled}
            <canvas node_ref=canvas width="320" height="170" data-testid="sequence-chart"
                role="img" aria-label=move || crate::views::a11y::sequence(lang.get(), lab.latest.get().as_ref()) />
        </figure>
    }
}
