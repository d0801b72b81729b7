//! Figures a teacher can take away, one click each: the boundary, the network graph and the
//! curves as PNG, and the curves as CSV. Everything is made in the page (no request): canvases
//! give their pixels, and the graph's SVG (whose pictures are `data:` PNGs, and whose look is
//! in attributes, not the style sheet) is drawn onto a canvas through a blob URL.

use engine::train::Metrics;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlCanvasElement;

use crate::i18n::tr;
use crate::lab::Lab;
use crate::panels::model_io::{offer_href, offer_text};
use crate::views::boundary::context;

/// The curves as CSV: one row per point, epoch first; an accuracy is empty for regression.
pub fn curves_csv(history: &[(f64, Metrics)]) -> String {
    let mut s = String::from("epoch,step,train_loss,test_loss,train_accuracy,test_accuracy\n");
    let opt = |v: Option<f32>| v.map(|v| v.to_string()).unwrap_or_default();
    for (x, m) in history {
        s.push_str(&format!(
            "{x},{},{},{},{},{}\n",
            m.step,
            m.train_loss,
            m.test_loss,
            opt(m.train_accuracy),
            opt(m.test_accuracy)
        ));
    }
    s
}

fn by_testid<T: JsCast>(id: &str) -> Option<T> {
    document()
        .query_selector(&format!("[data-testid=\"{id}\"]"))
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

fn canvas(width: u32, height: u32) -> Option<HtmlCanvasElement> {
    let c: HtmlCanvasElement = document().create_element("canvas").ok()?.dyn_into().ok()?;
    c.set_width(width);
    c.set_height(height);
    Some(c)
}

/// The loss and accuracy charts side by side on white, as one PNG.
fn curves_png() -> Option<String> {
    let charts: Vec<HtmlCanvasElement> = ["loss-chart", "accuracy-chart"]
        .iter()
        .filter_map(|id| by_testid::<HtmlCanvasElement>(id))
        .filter(|c| !c.class_list().contains("hidden"))
        .collect();
    let width = charts.iter().map(|c| c.width()).sum::<u32>().max(1);
    let height = charts.iter().map(|c| c.height()).max().unwrap_or(1);
    let out = canvas(width, height)?;
    let ctx = context(&out)?;
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, width as f64, height as f64);
    let mut x = 0.0;
    for c in &charts {
        ctx.draw_image_with_html_canvas_element(c, x, 0.0).ok()?;
        x += c.width() as f64;
    }
    out.to_data_url().ok()
}

/// Draws the graph's SVG at twice its size on white and offers it as a PNG (asynchronously: the
/// SVG loads as an image first).
fn offer_graph_png(lab: Lab, name: &'static str) -> Result<(), JsValue> {
    let shown: web_sys::Element = by_testid("graph").ok_or("no graph")?;
    // A copy with room on the left for the input labels, which the page lets overflow.
    let svg: web_sys::Element = shown.clone_node_with_deep(true)?.dyn_into()?;
    let view: Vec<f64> = shown.get_attribute("viewBox").unwrap_or_default().split(' ').filter_map(|v| v.parse().ok()).collect();
    let [_, _, vw, vh] = view[..] else { return Err("the graph has no size".into()) };
    const MARGIN: f64 = 24.0;
    svg.set_attribute("viewBox", &format!("{} 0 {} {vh}", -MARGIN, vw + MARGIN))?;
    let scale = 2.0 * shown.get_bounding_client_rect().width().max(1.0) / vw;
    let (w, h) = (((vw + MARGIN) * scale) as u32, (vh * scale).max(1.0) as u32);
    svg.set_attribute("width", &w.to_string())?;
    svg.set_attribute("height", &h.to_string())?;
    let xml = web_sys::XmlSerializer::new()?.serialize_to_string(&svg)?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(
        &js_sys::Array::of1(&JsValue::from_str(&xml)),
        &options,
    )?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let img = web_sys::HtmlImageElement::new()?;
    let loaded = img.clone();
    let src = url.clone();
    let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
        let done = (|| {
            let out = canvas(w, h)?;
            let ctx = context(&out)?;
            ctx.set_fill_style_str("#fff");
            ctx.fill_rect(0.0, 0.0, w as f64, h as f64);
            ctx.draw_image_with_html_image_element_and_dw_and_dh(
                &loaded, 0.0, 0.0, w as f64, h as f64,
            )
            .ok()?;
            offer_href(name, &out.to_data_url().ok()?).ok()
        })();
        let _ = web_sys::Url::revoke_object_url(&src);
        if done.is_none() {
            lab.notice.set(Some(
                "The graph could not be drawn as a PNG in this browser.".into(),
            ));
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
    Ok(())
}

/// The export buttons under the views.
#[component]
pub fn FigureActions(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let say = move |what: &str, r: Result<(), JsValue>| {
        if let Err(e) = r {
            lab.notice.set(Some(format!(
                "{what} could not be saved: {}",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            )));
        }
    };
    let points = move || lab.spec.with(|s| s.data.kind.is_points());
    let boundary = move |_| {
        let r = by_testid::<HtmlCanvasElement>("boundary")
            .and_then(|c| c.to_data_url().ok())
            .ok_or_else(|| JsValue::from_str("no plot"))
            .and_then(|u| offer_href("dl101-boundary.png", &u));
        say("The plot", r);
    };
    let graph = move |_| say("The graph", offer_graph_png(lab, "dl101-network.png"));
    let curves = move |_| {
        let r = curves_png()
            .ok_or_else(|| JsValue::from_str("no curves"))
            .and_then(|u| offer_href("dl101-curves.png", &u));
        say("The curves", r);
    };
    let csv = move |_| {
        let text = lab.history.with_untracked(|h| curves_csv(h));
        say(
            "The curves",
            offer_text("dl101-curves.csv", &text, "text/csv"),
        );
    };
    view! {
        <div class="figure-actions" role="group" aria-label=move || tr(lang.get(), "Save figures", "그림 저장")>
            <button data-testid="save-boundary" class:hidden=move || !points() on:click=boundary>{move || tr(lang.get(), "Plot PNG", "출력 PNG")}</button>
            <button data-testid="save-graph" class:hidden=move || !points() on:click=graph>{move || tr(lang.get(), "Graph PNG", "그래프 PNG")}</button>
            <button data-testid="save-curves" on:click=curves>{move || tr(lang.get(), "Curves PNG", "곡선 PNG")}</button>
            <button data-testid="save-csv" on:click=csv>{move || tr(lang.get(), "Curves CSV", "곡선 CSV")}</button>
        </div>
    }
}
