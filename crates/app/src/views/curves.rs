//! Train and test loss and accuracy against epochs, drawn live with plotters on a canvas.

use engine::train::Metrics;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

/// The page's font stack (web/style.css), for text drawn on canvases: Korean titles need the
/// Hangul fonts too.
const CANVAS_FONTS: &str = r#"system-ui, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", NanumGothic, "DL101 Hangul", sans-serif"#;
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
    // The y axis ends on a round number (the next tick above the data); the x axis ends at the
    // last epoch, with ticks on round epochs inside it.
    let data_top = all().map(|p| p.1).filter(|v| v.is_finite()).fold(y_min + 1e-3, f64::max);
    let y_step = nice_step(y_max.unwrap_or(data_top) - y_min, 4);
    let y_top = y_max.unwrap_or_else(|| y_min + ((data_top - y_min) / y_step - 1e-9).ceil().max(1.0) * y_step);
    let x_step = nice_step(x_max, 4).max(1.0);
    let mut chart = ChartBuilder::on(&root)
        .margin_top(20)
        .margin_right(12)
        .x_label_area_size(18)
        .y_label_area_size(42)
        .build_cartesian_2d(0f64..x_max, y_min..y_top)
        .ok()?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (left, right, top, bottom) = (xs.start as f64, xs.end as f64, ys.start as f64, ys.end as f64);
    ctx.set_font(&format!("11px {CANVAS_FONTS}"));
    ctx.set_stroke_style_str("#e2e8f0");
    ctx.set_fill_style_str("#64748b");
    let y_digits = decimals(y_step);
    let ticks = ((y_top - y_min) / y_step).round() as usize;
    for i in 0..=ticks {
        let v = y_min + i as f64 * y_step;
        let y = bottom - (v - y_min) / (y_top - y_min) * (bottom - top);
        ctx.begin_path();
        ctx.move_to(left, y);
        ctx.line_to(right, y);
        ctx.stroke();
        let label = if v == 0.0 { "0".to_string() } else { format!("{v:.y_digits$}") };
        let _ = ctx.fill_text(&label, 2.0, y + 4.0);
    }
    ctx.set_text_align("center");
    let mut epoch = 0.0;
    while epoch <= x_max + 1e-9 {
        let x = left + epoch / x_max * (right - left);
        let _ = ctx.fill_text(&format!("{epoch:.0}"), x.min(right - 6.0), bottom + 14.0);
        epoch += x_step;
    }
    ctx.set_text_align("start");
    ctx.set_fill_style_str("#0f172a");
    ctx.set_font(&format!("12px {CANVAS_FONTS}"));
    let _ = ctx.fill_text(title, left, 13.0);
    let clip = move |v: Series| v.into_iter().filter(|p| p.1.is_finite()).map(move |(x, y)| (x, y.clamp(y_min, y_top)));
    for (points, colour, width) in lines.into_iter().rev() {
        chart.draw_series(LineSeries::new(clip(points), colour.stroke_width(width))).ok()?;
    }
    root.present().ok()
}

/// A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about `parts`.
pub(crate) fn nice_step(span: f64, parts: usize) -> f64 {
    let raw = if span.is_finite() && span > 0.0 { span / parts.max(1) as f64 } else { 1.0 };
    let magnitude = 10f64.powf(raw.log10().floor());
    let m = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|&m| raw <= m * magnitude * (1.0 + 1e-9)).unwrap_or(10.0);
    m * magnitude
}

/// The decimals that show every multiple of `step` exactly (0.25 → 2, 0.5 → 1, 20 → 0).
pub(crate) fn decimals(step: f64) -> usize {
    (0..8)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(8)
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
                role="img" aria-label=move || crate::views::a11y::curves(lang.get(), false, lab.latest.get().as_ref()) />
            <canvas node_ref=acc_canvas width="320" height="170" data-testid="accuracy-chart" class:hidden=move || !classify()
                role="img" aria-label=move || crate::views::a11y::curves(lang.get(), true, lab.latest.get().as_ref()) />
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{decimals, nice_step};

    #[test]
    fn steps_are_round_and_cut_the_span_into_about_four() {
        for (span, want) in [(1.0, 0.25), (1.14, 0.5), (0.03, 0.01), (179.0, 50.0), (7.0, 2.0), (2.0, 0.5), (40.0, 10.0)] {
            let got = nice_step(span, 4);
            assert!((got - want).abs() < 1e-12 * want, "span {span}: step {got}, expected {want}");
        }
        for span in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(nice_step(span, 4), 1.0, "span {span}");
        }
    }

    #[test]
    fn labels_show_each_step_exactly() {
        assert_eq!(decimals(0.25), 2);
        assert_eq!(decimals(0.5), 1);
        assert_eq!(decimals(0.01), 2);
        assert_eq!(decimals(20.0), 0);
        assert_eq!(decimals(2.5), 1);
    }
}
