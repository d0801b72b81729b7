//! Your own data: when the custom data set is chosen, clicking the decision-boundary canvas adds
//! a point of the chosen class, "Clear points" removes them all, and a CSV of `x, y, label` rows
//! replaces them. Every change edits the spec's `custom_points`, so the driver rebuilds the
//! session and the share link carries the points. A CSV that cannot be read leaves the points
//! as they are and says why (with the line) in the page's notice.

use std::cell::Cell;

use engine::data::DatasetKind;
use engine::data::custom::{self, CustomPoint, MAX_POINTS};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::driver::DOMAIN;
use crate::i18n::tr;
use crate::lab::Lab;

thread_local! {
    /// The class a click on the plane adds: positive (blue, +1) or not. Shared by the buttons
    /// here and the canvas's click handler.
    static CLICK_POSITIVE: Cell<bool> = const { Cell::new(true) };
}

fn is_custom(lab: Lab) -> bool {
    lab.spec.with_untracked(|s| s.data.kind == DatasetKind::Custom)
}

/// The canvas's click handler (`views/boundary.rs`): with the custom data set chosen, adds a
/// point of the chosen class where the plane was clicked (x₁ to the right, x₂ up, both in
/// [−DOMAIN, DOMAIN] across the canvas as it is shown).
pub fn on_plane_click(lab: Lab, ev: &web_sys::MouseEvent) {
    if !is_custom(lab) {
        return;
    }
    let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let (w, h) = (el.client_width() as f64, el.client_height() as f64);
    if w < 1.0 || h < 1.0 {
        return;
    }
    let (fx, fy) = ((ev.offset_x() as f64 / w).clamp(0.0, 1.0), (ev.offset_y() as f64 / h).clamp(0.0, 1.0));
    let x = -DOMAIN + 2.0 * DOMAIN * fx;
    let y = DOMAIN - 2.0 * DOMAIN * fy;
    let Some(point) = CustomPoint::new(x, y, CLICK_POSITIVE.with(Cell::get)) else { return };
    if lab.spec.with_untracked(|s| s.custom_points.len()) >= MAX_POINTS {
        lab.notice.set(Some(format!("Your own data holds at most {MAX_POINTS} points; clear some to add more.")));
        return;
    }
    lab.edit(|s| s.custom_points.push(point));
}

/// The controls shown under the data sets while "Your own data" is chosen.
#[component]
pub fn CustomDataControls(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let positive = RwSignal::new(CLICK_POSITIVE.with(Cell::get));
    let choose = move |p: bool| {
        CLICK_POSITIVE.with(|c| c.set(p));
        positive.set(p);
    };
    let csv = RwSignal::new(String::new());
    let shown = move || lab.spec.with(|s| s.data.kind == DatasetKind::Custom);

    // While the points cannot be trained on (too few, one class), no session shows them: draw
    // them as they are, so each click is seen.
    Effect::new(move |_| {
        let unusable = lab.spec.with(|s| {
            (s.data.kind == DatasetKind::Custom && custom::check(&s.custom_points, true).is_err()).then(|| custom::points(&s.custom_points))
        });
        if let Some(points) = unusable {
            lab.points.set((points, Vec::new()));
        }
    });

    let apply_csv = move |_| {
        let text = csv.get_untracked();
        match custom::parse_csv(&text) {
            Ok(points) => {
                lab.notice.set(None);
                lab.edit(|s| s.custom_points = points);
            }
            Err(e) => lab.notice.set(Some(format!("The CSV was not used: {e}. Your points are unchanged."))),
        }
    };
    let count = move || {
        lab.spec.with(|s| {
            let (neg, pos) = custom::class_counts(&s.custom_points);
            match lang.get() {
                crate::i18n::Lang::Ko => format!("점 {}개 (파랑 {pos}, 주황 {neg})", s.custom_points.len()),
                _ => format!("{} points ({pos} blue, {neg} orange)", s.custom_points.len()),
            }
        })
    };
    view! {
        <div class="custom-data" class:hidden=move || !shown() data-testid="custom-data">
            <p class="muted small">{move || tr(lang.get(),
                "Click the plane to add a point of the chosen class, or paste CSV rows of x, y, label (x and y in [-6, 6]; labels 0/1, -1/1 or two words).",
                "평면을 클릭해 고른 클래스의 점을 더하거나, x, y, label 형식의 CSV를 붙여 넣으세요 (x, y는 [-6, 6], 레이블은 0/1, -1/1 또는 두 단어).")}</p>
            <div class="row" role="group">
                <button class="chip" data-testid="custom-class-pos" aria-pressed=move || positive.get().to_string()
                    on:click=move |_| choose(true)>{move || tr(lang.get(), "Blue (+1)", "파랑 (+1)")}</button>
                <button class="chip" data-testid="custom-class-neg" aria-pressed=move || (!positive.get()).to_string()
                    on:click=move |_| choose(false)>{move || tr(lang.get(), "Orange (−1)", "주황 (−1)")}</button>
                <button data-testid="custom-clear" on:click=move |_| lab.edit(|s| s.custom_points.clear())>
                    {move || tr(lang.get(), "Clear points", "점 모두 지우기")}</button>
                <span class="muted small" data-testid="custom-count">{count}</span>
            </div>
            <textarea class="code" data-testid="custom-csv" rows="5" spellcheck="false"
                placeholder="x,y,label\n1.5,2,1\n-2,-1.25,0"
                aria-label=move || tr(lang.get(), "Points as CSV: x, y, label", "CSV 형식의 점: x, y, label")
                prop:value=move || csv.get()
                on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
            <div class="row">
                <button data-testid="custom-csv-apply" on:click=apply_csv>{move || tr(lang.get(), "Use CSV", "CSV 사용")}</button>
                <button data-testid="custom-csv-show"
                    on:click=move |_| csv.set(lab.spec.with_untracked(|s| custom::to_csv(&s.custom_points)))>
                    {move || tr(lang.get(), "Show my points as CSV", "내 점을 CSV로 보기")}</button>
            </div>
        </div>
    }
}
