//! The decision boundary heatmap with the train and test points on top (as TensorFlow Playground
//! draws it, orange for negative and blue for positive). While the pointer is on a neuron of the
//! network graph, the plot shows that neuron's output instead.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use crate::driver::DOMAIN;
use crate::i18n::tr;
use crate::lab::Lab;

const SIZE: u32 = 300;

/// The colour for a value in [-1, 1]: orange (−1) through white (0) to blue (+1).
pub(crate) fn colour(v: f32) -> (u8, u8, u8) {
    let v = if v.is_finite() {
        v.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let (target, t) = if v < 0.0 {
        ((245.0, 147.0, 34.0), -v)
    } else {
        ((8.0, 119.0, 189.0), v)
    };
    let mix = |c: f32| (255.0 + (c - 255.0) * t * 0.85) as u8;
    (mix(target.0), mix(target.1), mix(target.2))
}

pub(crate) fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Paints an n×n grid of samples of a function over the plane onto the whole (square, `size`
/// pixels) canvas, interpolated between samples: a smooth field, as TensorFlow Playground draws
/// it, not a mosaic of cells. `discrete` paints only the sign (TensorFlow Playground's
/// "discretize output"): two flat colours with the boundary between them.
pub(crate) fn paint_grid(
    ctx: &CanvasRenderingContext2d,
    values: &[f32],
    n: usize,
    size: f64,
    scale: f32,
    discrete: bool,
) {
    if n == 0 || values.len() < n * n {
        ctx.clear_rect(0.0, 0.0, size, size);
        return;
    }
    let px = size as usize;
    put_pixels(ctx, px, px, |x, y| {
        // Sample (i, j) sits at the centre of its cell; pixels between samples blend the four around.
        let at = |p: usize| ((p as f32 + 0.5) * n as f32 / px as f32 - 0.5).clamp(0.0, (n - 1) as f32);
        let (fx, fy) = (at(x), at(y));
        let (x0, y0) = (fx as usize, fy as usize);
        let (x1, y1) = ((x0 + 1).min(n - 1), (y0 + 1).min(n - 1));
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let v = |r: usize, c: usize| values[r * n + c];
        let top = v(y0, x0) + (v(y0, x1) - v(y0, x0)) * tx;
        let bottom = v(y1, x0) + (v(y1, x1) - v(y1, x0)) * tx;
        let v = (top + (bottom - top) * ty) / scale;
        colour(if discrete {
            if v < 0.0 { -1.0 } else { 1.0 }
        } else {
            v
        })
    });
}

/// Paints a small grid of any shape onto a square canvas, scaled to its largest magnitude.
pub(crate) fn paint_grid_rect(ctx: &CanvasRenderingContext2d, grid: &crate::lab::Grid, size: f64) {
    let (w, h) = (grid.width.max(1), grid.height.max(1));
    if grid.data.len() < w * h {
        ctx.clear_rect(0.0, 0.0, size, size);
        return;
    }
    let scale = grid.data.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
    paint_cells(ctx, &grid.data, w, h, size as usize, size as usize, scale);
}

/// Paints a grid of any shape onto a `px_w × px_h` canvas as sharp cells, scaled to its largest
/// magnitude.
pub(crate) fn paint_cells_scaled(
    ctx: &CanvasRenderingContext2d,
    grid: &crate::lab::Grid,
    px_w: usize,
    px_h: usize,
) {
    let (w, h) = (grid.width.max(1), grid.height.max(1));
    if grid.data.len() < w * h {
        ctx.clear_rect(0.0, 0.0, px_w as f64, px_h as f64);
        return;
    }
    let scale = grid.data.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
    paint_cells(ctx, &grid.data, w, h, px_w, px_h, scale);
}

/// Fills a `px_w × px_h` canvas with `cols × rows` cells of colour (an image's pixels stay
/// sharp squares).
fn paint_cells(ctx: &CanvasRenderingContext2d, values: &[f32], cols: usize, rows: usize, px_w: usize, px_h: usize, scale: f32) {
    put_pixels(ctx, px_w, px_h, |x, y| {
        let row = (y * rows / px_h.max(1)).min(rows - 1);
        let col = (x * cols / px_w.max(1)).min(cols - 1);
        colour(values[row * cols + col] / scale)
    });
}

/// Fills a `px_w × px_h` canvas with the colour `pixel(x, y)` gives, in one `putImageData`: a
/// canvas call per cell (thousands per picture) costs far more than building the pixels here.
fn put_pixels(ctx: &CanvasRenderingContext2d, px_w: usize, px_h: usize, pixel: impl Fn(usize, usize) -> (u8, u8, u8)) {
    let mut rgba = vec![255u8; px_w * px_h * 4];
    for y in 0..px_h {
        for x in 0..px_w {
            let (r, g, b) = pixel(x, y);
            let at = (y * px_w + x) * 4;
            rgba[at..at + 3].copy_from_slice(&[r, g, b]);
        }
    }
    if let Ok(image) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&rgba), px_w as u32, px_h as u32) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

#[component]
pub fn Boundary(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pictures = lab.pictures.get();
        let (train, test) = lab.points.get();
        let view = lab.view.get();
        let hover = lab.hover.get();
        let (regression, features) = lab
            .spec
            .with(|s| (s.data.kind.is_regression(), s.features.clone()));
        let Some(ctx) = canvas.get().and_then(|c| context(&c)) else {
            return;
        };
        let size = SIZE as f64;
        let columns = lab.spec.with(crate::views::graph::columns).len();
        // A neuron under the pointer fills the plot (the output itself stays the output).
        let neuron = hover
            .filter(|n| n.column + 1 < columns)
            .and_then(|n| crate::views::graph::node_values(&pictures, &features, n, columns));
        match &neuron {
            Some((values, n, scale)) => paint_grid(&ctx, values, *n, size, *scale, false),
            None => {
                let scale = if regression {
                    pictures.output.iter().fold(1e-6f32, |m, v| m.max(v.abs()))
                } else {
                    1.0
                };
                paint_grid(
                    &ctx,
                    &pictures.output,
                    pictures.grid,
                    size,
                    scale,
                    view.discretize && !regression,
                );
            }
        }
        let to_px = |x: f64, y: f64| {
            (
                (x + DOMAIN) / (2.0 * DOMAIN) * size,
                (DOMAIN - y) / (2.0 * DOMAIN) * size,
            )
        };
        let label_scale = if regression {
            train.iter().fold(1e-6f64, |m, p| m.max(p.label.abs()))
        } else {
            1.0
        };
        let test: &[engine::data::Point] = if view.test_points { &test } else { &[] };
        for (points, is_test) in [(&train[..], false), (test, true)] {
            for p in points.iter() {
                let (px, py) = to_px(p.x, p.y);
                let v = if regression { p.label / label_scale } else if p.label > 0.0 { 1.0 } else { -1.0 };
                let (r, g, b) = colour(v as f32);
                ctx.begin_path();
                let _ = ctx.arc(px, py, 3.0, 0.0, std::f64::consts::TAU);
                ctx.set_fill_style_str(&format!("rgb({r},{g},{b})"));
                ctx.fill();
                ctx.set_stroke_style_str(if is_test { "#111" } else { "#fff" });
                ctx.set_line_width(if is_test { 1.2 } else { 0.8 });
                ctx.stroke();
            }
        }
    });
    let lang = lab.lang;
    let showing = move || {
        let cols = lab.spec.with(crate::views::graph::columns);
        match lab.hover.get() {
            Some(n) if n.column + 1 < cols.len() => {
                format!("{} {}", tr(lang.get(), "Showing", "표시 중:"), crate::views::graph::node_name(lang.get(), &cols, n))
            }
            _ => tr(lang.get(), "Output (orange −1, blue +1); test points ringed in black", "출력 (주황 −1, 파랑 +1), 검은 테두리는 테스트 데이터").to_string(),
        }
    };
    let view = lab.view;
    view! {
        <figure class="boundary" class:hidden=move || !lab.spec.with(|s| s.data.kind.is_points())>
            <canvas node_ref=canvas width=SIZE height=SIZE data-testid="boundary" data-updates=move || lab.picture_updates.get()
                data-showing=move || lab.hover.get().map(|n| format!("{}:{}", n.column, n.unit)).unwrap_or_else(|| "output".into())
                on:click=move |ev| crate::panels::custom_data::on_plane_click(lab, &ev)
                role="img" aria-label=move || crate::views::a11y::boundary(lang.get(), &showing(), lab.latest.get().as_ref()) />
            <figcaption class="muted small" data-testid="boundary-caption">{showing}</figcaption>
            <div class="view-options">
                <label><input type="checkbox" data-testid="show-test" prop:checked=move || view.with(|v| v.test_points)
                    on:change=move |ev| { let on = event_target_checked(&ev); view.update(|v| v.test_points = on) } />
                    {move || tr(lang.get(), "Show test data", "테스트 데이터 보기")}</label>
                <label><input type="checkbox" data-testid="discretize" prop:checked=move || view.with(|v| v.discretize)
                    on:change=move |ev| { let on = event_target_checked(&ev); view.update(|v| v.discretize = on) } />
                    {move || tr(lang.get(), "Discretize output", "출력 이산화")}</label>
            </div>
        </figure>
    }
}
