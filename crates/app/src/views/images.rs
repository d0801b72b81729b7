//! For image data: one test image with the network's answer, the first convolution's learned
//! filters, and what every convolution and pooling layer makes of the image (its feature maps).

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::{Grid, Lab};
use crate::views::boundary::{context, paint_grid_rect};

/// A canvas showing one grid, scaled to its largest magnitude.
#[component]
fn GridCanvas(grid: Grid, size: u32, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    canvas.on_load(move |c| {
        if let Some(ctx) = context(&c) {
            paint_grid_rect(&ctx, &grid, size as f64);
        }
    });
    view! { <canvas node_ref=canvas width=size height=size class="thumb" data-testid=testid /> }
}

#[component]
pub fn ImageViews(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let pictures = move || lab.pictures.with(|p| p.images.clone());
    view! {
        <div class="images" class:hidden=move || pictures().is_none()>
            {move || pictures().map(|p| {
                // A network without convolutions (a dense one on images) has no filters or maps.
                let (no_filters, no_maps) = (p.filters.is_empty(), p.maps.is_empty());
                let filters = p.filters.into_iter().map(|g| view! { <GridCanvas grid=g size=36 /> }).collect_view();
                let maps = p.maps.into_iter().map(|(label, grids)| {
                    let grids = grids.into_iter().map(|g| view! { <GridCanvas grid=g size=36 /> }).collect_view();
                    view! { <div class="map-row"><span class="muted small">{label}</span><div class="thumbs">{grids}</div></div> }
                }).collect_view();
                view! {
                    <figure>
                        <GridCanvas grid=p.input size=72 testid="sample-image" />
                        <figcaption class="small">
                            {move || tr(lang.get(), "Test image: label ", "테스트 이미지: 정답 ")} {p.label}
                            {move || tr(lang.get(), ", network says ", ", 신경망의 답 ")}
                            <b data-testid="sample-prediction">{p.predicted}</b>
                        </figcaption>
                    </figure>
                    <figure class:hidden=no_filters>
                        <figcaption class="small">{move || tr(lang.get(), "Learned filters (first convolution)", "학습된 필터 (첫 합성곱 층)")}</figcaption>
                        <div class="thumbs" data-testid="filters">{filters}</div>
                    </figure>
                    <figure class:hidden=no_maps>
                        <figcaption class="small">{move || tr(lang.get(), "Feature maps for this image", "이 이미지의 특성 맵")}</figcaption>
                        <div data-testid="feature-maps">{maps}</div>
                    </figure>
                }
            })}
        </div>
    }
}
