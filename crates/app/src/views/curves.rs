//! Train and test loss and accuracy against epochs, drawn live with plotters on a canvas.

use engine::train::Metrics;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;

use crate::i18n::tr;
use crate::lab::Lab;

const TRAIN: RGBColor = RGBColor(2, 132, 199);
const TEST: RGBColor = RGBColor(234, 88, 12);
/// Experiment B's lines in a side-by-side run: the same hues, lighter and thinner.
const B_TRAIN: RGBColor = RGBColor(125, 211, 252);
const B_TEST: RGBColor = RGBColor(253, 186, 116);

pub(crate) type Series = Vec<(f64, f64)>;

/// Draws two series (train, test) on a canvas with the y axis from `y_min` to `y_max` (None
/// scales to the data). Plotters draws the lines; the text is drawn straight on the canvas,
/// because plotters measures text with an inline-styled element that the page's
/// Content-Security-Policy (rightly) refuses.
pub(crate) fn draw_range(
    canvas: web_sys::HtmlCanvasElement,
    title: &str,
    train: Series,
    test: Series,
    y_min: f64,
    y_max: Option<f64>,
) -> Option<()> {
    draw_lines(canvas, title, vec![(train, TRAIN, 2), (test, TEST, 2)], y_min, y_max)
}

/// Draws any number of `(points, colour, width)` lines; later lines are drawn first, so the
/// first ones (A's) stay on top.
fn draw_lines(canvas: web_sys::HtmlCanvasElement, title: &str, lines: Vec<(Series, RGBColor, u32)>, y_min: f64, y_max: Option<f64>) -> Option<()> {
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let all = || lines.iter().flat_map(|l| l.0.iter());
    let x_max = all().map(|p| p.0).fold(1.0f64, f64::max);
    let y_top = y_max.unwrap_or_else(|| all().map(|p| p.1).filter(|v| v.is_finite()).fold(1e-3f64, f64::max) * 1.05);
    let mut chart = ChartBuilder::on(&root)
        .margin_top(20)
        .margin_right(8)
        .x_label_area_size(18)
        .y_label_area_size(42)
        .build_cartesian_2d(0f64..x_max, y_min..y_top)
        .ok()?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (left, right, top, bottom) = (xs.start as f64, xs.end as f64, ys.start as f64, ys.end as f64);
    ctx.set_font("11px sans-serif");
    ctx.set_stroke_style_str("#e2e8f0");
    ctx.set_fill_style_str("#64748b");
    for i in 0..=4 {
        let f = i as f64 / 4.0;
        let y = bottom - f * (bottom - top);
        ctx.begin_path();
        ctx.move_to(left, y);
        ctx.line_to(right, y);
        ctx.stroke();
        let _ = ctx.fill_text(&tick(y_min + f * (y_top - y_min)), 2.0, y + 4.0);
        let x = left + f * (right - left);
        let _ = ctx.fill_text(&tick(f * x_max), x - 8.0, bottom + 14.0);
    }
    ctx.set_fill_style_str("#0f172a");
    ctx.set_font("12px sans-serif");
    let _ = ctx.fill_text(title, left, 13.0);
    let clip = move |v: Series| v.into_iter().filter(|p| p.1.is_finite()).map(move |(x, y)| (x, y.clamp(y_min, y_top)));
    for (points, colour, width) in lines.into_iter().rev() {
        chart.draw_series(LineSeries::new(clip(points), colour.stroke_width(width))).ok()?;
    }
    root.present().ok()
}

/// A short axis label: 3 significant digits.
fn tick(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn series(history: &[(f64, Metrics)], f: impl Fn(&Metrics) -> Option<f32>) -> Series {
    history.iter().filter_map(|(x, m)| f(m).map(|v| (*x, v as f64))).collect()
}

#[component]
pub fn Curves(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let loss_canvas = NodeRef::<Canvas>::new();
    let acc_canvas = NodeRef::<Canvas>::new();
    let classify = move || lab.spec.with(|s| !s.data.kind.is_regression());
    Effect::new(move |_| {
        let l = lang.get();
        let b = lab.b_history.get();
        let with_b = !b.is_empty();
        let lines = |h: &[(f64, Metrics)], train: fn(&Metrics) -> Option<f32>, test: fn(&Metrics) -> Option<f32>| {
            let mut v = vec![(series(h, train), TRAIN, 2), (series(h, test), TEST, 2)];
            if with_b {
                v.push((series(&b, train), B_TRAIN, 1));
                v.push((series(&b, test), B_TEST, 1));
            }
            v
        };
        lab.history.with(|h| {
            if let Some(c) = loss_canvas.get() {
                let title = match with_b {
                    false => tr(l, "Loss (blue: train, orange: test)", "손실 (파랑: 학습, 주황: 테스트)"),
                    true => tr(l, "Loss (A: bold, B: light; blue: train, orange: test)", "손실 (A: 진하게, B: 연하게; 파랑: 학습, 주황: 테스트)"),
                };
                draw_lines(c, title, lines(h, |m| Some(m.train_loss), |m| Some(m.test_loss)), 0.0, None);
            }
            if let Some(c) = acc_canvas.get() {
                let title = tr(l, "Accuracy", "정확도");
                draw_lines(c, title, lines(h, |m| m.train_accuracy, |m| m.test_accuracy), 0.0, Some(1.0));
            }
        });
    });
    view! {
        <figure class="curves">
            <canvas node_ref=loss_canvas width="320" height="170" data-testid="loss-chart"
                aria-label=move || tr(lang.get(), "Loss curves", "손실 곡선") />
            <canvas node_ref=acc_canvas width="320" height="170" data-testid="accuracy-chart" class:hidden=move || !classify()
                aria-label=move || tr(lang.get(), "Accuracy curves", "정확도 곡선") />
        </figure>
    }
}
