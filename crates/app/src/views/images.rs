//! For image data: one test image with the network's answer, the first convolution's learned
//! filters, and what every convolution and pooling layer makes of the image (its feature maps).

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::{Grid, Lab};
use crate::views::a11y;
use crate::views::boundary::{context, paint_grid_rect};

/// A canvas showing one grid, scaled to its largest magnitude.
#[component]
fn GridCanvas(grid: Grid, size: u32, label: String, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    canvas.on_load(move |c| {
        if let Some(ctx) = context(&c) {
            paint_grid_rect(&ctx, &grid, size as f64);
        }
    });
    view! { <canvas node_ref=canvas width=size height=size class="thumb" data-testid=testid role="img" aria-label=label /> }
}

/// The network on one test image, in the network's own shape, left to right: the image, the first
/// convolution's filters, each convolution's and pooling layer's feature maps, and the answer.
#[component]
pub fn ImageViews(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let pictures = move || lab.pictures.with(|p| p.images.clone());
    let arrow = || view! { <div class="flow-arrow" aria-hidden="true">"→"</div> };
    view! {
        <figure class="images" class:hidden=move || pictures().is_none()>
            <figcaption class="small">{move || tr(lang.get(), "The network on one test image, layer by layer", "테스트 이미지 하나에 대한 신경망, 층별로")}</figcaption>
            <div class="flow" data-testid="image-flow">
            {move || pictures().map(|p| {
                // A network without convolutions (a dense one on images) has no filters or maps.
                let no_filters = p.filters.is_empty();
                let l = lang.get();
                let filters = p.filters.into_iter().enumerate().map(|(i, g)| view! { <GridCanvas grid=g size=28 label=a11y::filter(l, i) /> }).collect_view();
                let maps = p.maps.into_iter().map(|(label, grids)| {
                    let grids = grids.into_iter().enumerate().map(|(i, g)| view! { <GridCanvas grid=g size=36 label=a11y::feature_map(l, &label, i) /> }).collect_view();
                    view! {
                        {arrow()}
                        <div class="flow-col"><span class="muted small">{label}</span><div class="flow-cells">{grids}</div></div>
                    }
                }).collect_view();
                view! {
                    <div class="flow-col">
                        <span class="muted small">{move || tr(lang.get(), "input", "입력")}</span>
                        <GridCanvas grid=p.input size=72 testid="sample-image" label=a11y::sample(l, &p.label.to_string(), &p.predicted.to_string()) />
                        <span class="small">{move || tr(lang.get(), "label ", "정답 ")} {p.label}</span>
                    </div>
                    <div class="flow-arrow" class:hidden=no_filters aria-hidden="true">"→"</div>
                    <div class="flow-col" class:hidden=no_filters>
                        <span class="muted small">{move || tr(lang.get(), "filters", "필터")}</span>
                        <div class="flow-cells filters" data-testid="filters">{filters}</div>
                    </div>
                    <div class="flow-maps" data-testid="feature-maps">{maps}</div>
                    {arrow()}
                    <div class="flow-col">
                        <span class="muted small">{move || tr(lang.get(), "answer", "답")}</span>
                        <b class="flow-answer" data-testid="sample-prediction">{p.predicted}</b>
                    </div>
                }
            })}
            </div>
        </figure>
    }
}
