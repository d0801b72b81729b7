//! For image data: one test image with the network's answer, the first convolution's learned
//! filters, and what every convolution and pooling layer makes of the image (its feature maps).

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::{Grid, ImagePictures, Lab};
use crate::views::a11y;
use crate::views::boundary::{context, paint_grid_rect};

/// Which grid of the image pictures a canvas shows.
#[derive(Clone, Copy, PartialEq)]
enum Which {
    Input,
    Filter(usize),
    /// Layer, channel.
    Map(usize, usize),
}

impl Which {
    fn grid(self, p: &ImagePictures) -> Option<&Grid> {
        match self {
            Which::Input => Some(&p.input),
            Which::Filter(i) => p.filters.get(i),
            Which::Map(l, c) => p.maps.get(l).and_then(|m| m.1.get(c)),
        }
    }
}

/// What stays the same while a network trains: how many filters, and each mapped layer's label
/// and channels. The canvases are built for this once and repainted in place at each update
/// (rebuilding thirty canvases ten times a second grew the page's memory without bound).
#[derive(Clone, PartialEq)]
struct Layout {
    filters: usize,
    maps: Vec<(String, usize)>,
}

/// A canvas showing one grid of the latest pictures, scaled to its largest magnitude.
#[component]
fn GridCanvas(lab: Lab, which: Which, size: u32, label: Signal<String>, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let Some(ctx) = context(&c) else { return };
        lab.pictures.with(|p| {
            if let Some(g) = p.images.as_ref().and_then(|i| which.grid(i)) {
                paint_grid_rect(&ctx, g, size as f64);
            }
        });
    });
    view! { <canvas node_ref=canvas width=size height=size class="thumb" data-testid=testid role="img" aria-label=label /> }
}

/// The network on one test image, in the network's own shape, left to right: the image, the first
/// convolution's filters, each convolution's and pooling layer's feature maps, and the answer.
#[component]
pub fn ImageViews(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let layout = Memo::new(move |_| {
        lab.pictures.with(|p| {
            p.images.as_ref().map(|i| Layout { filters: i.filters.len(), maps: i.maps.iter().map(|(l, g)| (l.clone(), g.len())).collect() })
        })
    });
    let answer = move || lab.pictures.with(|p| p.images.as_ref().map(|i| (i.label, i.predicted)).unwrap_or((0.0, 0)));
    let arrow = || view! { <div class="flow-arrow" aria-hidden="true">"→"</div> };
    view! {
        <figure class="images" class:hidden=move || layout.with(Option::is_none)>
            <figcaption class="small">{move || tr(lang.get(), "The network on one test image, layer by layer", "테스트 이미지 하나에 대한 신경망, 층별로")}</figcaption>
            <div class="flow" data-testid="image-flow">
            {move || layout.get().map(|layout| {
                // A network without convolutions (a dense one on images) has no filters or maps.
                let no_filters = layout.filters == 0;
                let filters = (0..layout.filters).map(|i| {
                    let label = Signal::derive(move || a11y::filter(lang.get(), i));
                    view! { <GridCanvas lab which=Which::Filter(i) size=28 label /> }
                }).collect_view();
                let maps = layout.maps.into_iter().enumerate().map(|(l, (name, channels))| {
                    let grids = (0..channels).map(|c| {
                        let name = name.clone();
                        let label = Signal::derive(move || a11y::feature_map(lang.get(), &name, c));
                        view! { <GridCanvas lab which=Which::Map(l, c) size=36 label /> }
                    }).collect_view();
                    view! {
                        {arrow()}
                        <div class="flow-col"><span class="muted small">{name}</span><div class="flow-cells">{grids}</div></div>
                    }
                }).collect_view();
                let sample_label = Signal::derive(move || {
                    let (label, predicted) = answer();
                    a11y::sample(lang.get(), &label.to_string(), &predicted.to_string())
                });
                view! {
                    <div class="flow-col">
                        <span class="muted small">{move || tr(lang.get(), "input", "입력")}</span>
                        <GridCanvas lab which=Which::Input size=72 testid="sample-image" label=sample_label />
                        <span class="small">{move || tr(lang.get(), "label ", "정답 ")} {move || answer().0}</span>
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
                        <b class="flow-answer" data-testid="sample-prediction">{move || answer().1}</b>
                    </div>
                }
            })}
            </div>
        </figure>
    }
}
