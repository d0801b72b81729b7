//! The page's root component: header (title, compute status, language, share), the run bar, and
//! the panels: data, network, training settings, the views, and the activation table.

use engine::spec::ModelSpec;
use leptos::prelude::*;

use crate::compute;
use crate::i18n::{Lang, tr};
use crate::lab::Lab;
use crate::panels::activations::ActivationTable;
use crate::panels::controls::{Hyperparameters, RunBar};
use crate::panels::compare::ComparePanel;
use crate::panels::data::DataPanel;
use crate::panels::lessons::LessonsPanel;
use crate::panels::model_io::ModelIo;
use crate::panels::network::NetworkPanel;
use crate::views::boundary::{Boundary, Neurons};
use crate::views::curves::Curves;
use crate::views::diagnostics::DiagnosticsView;
use crate::views::images::ImageViews;
use crate::views::sequence::SequenceView;
use crate::{driver, persist, share};

/// The whole playground.
#[component]
pub fn App() -> impl IntoView {
    let (opened, saved) = opening_experiment();
    let share::Opened { spec, problems, compare } = opened;
    let lab = Lab::new(spec, Lang::from_browser());
    lab.compare.set(compare);
    if !problems.is_empty() {
        lab.notice.set(Some(format!("This link had problems; opened the nearest valid experiment: {}", problems.join("; "))));
    }
    leptos::task::spawn_local(async move {
        let detected = compute::detect().await;
        lab.status.set(detected.status);
        driver::start(lab, detected.gpu, saved);
    });
    share::keep_in_url(lab);
    install_keyboard(lab);
    let lang = lab.lang;
    Effect::new(move |_| {
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", lang.get().code());
        }
    });
    view! {
        <header class="top">
            <h1>"DL101 Playground"</h1>
            <p class="backend" data-testid="backend">{move || lab.status.get().label()}</p>
            <span class="device" data-testid="device">{move || {
                let (en, ko) = lab.device.get();
                tr(lang.get(), en, ko)
            }}</span>
            <div class="spacer"></div>
            <button data-testid="lang" on:click=move |_| lang.update(|l| *l = if *l == Lang::En { Lang::Ko } else { Lang::En })
                aria-label="Language / 언어">{move || if lang.get() == Lang::En { "한국어" } else { "English" }}</button>
            <share::ShareButton lab />
        </header>
        <div class="notice" role="alert" data-testid="notice" class:hidden=move || lab.notice.get().is_none()>
            <span>{move || lab.notice.get().unwrap_or_default()}</span>
            <button on:click=move |_| lab.notice.set(None) aria-label="dismiss">"×"</button>
        </div>
        <RunBar lab />
        <LessonsPanel lab />
        <main class="grid">
            <DataPanel lab />
            <NetworkPanel lab />
            <section class="panel views" aria-label="output">
                <Boundary lab />
                <Neurons lab />
                <ImageViews lab />
                <SequenceView lab />
                <Curves lab />
                <DiagnosticsView lab />
            </section>
            <Hyperparameters lab />
            <ComparePanel lab />
            <ModelIo lab />
        </main>
        <ActivationTable lab />
        <footer class="muted small">
            {move || tr(lang.get(),
                "Runs entirely in your browser. Data: TensorFlow Playground's generators; digits from the UCI Optical Recognition of Handwritten Digits set (CC BY 4.0).",
                "모든 계산은 브라우저 안에서 이루어집니다. 데이터: TensorFlow Playground의 생성 규칙, UCI 손글씨 숫자 데이터(CC BY 4.0).")}
        </footer>
    }
}

/// What the page opens: the link's experiment, unless this browser saved one with the same spec
/// (a reload, or the page opened again) or there is no link; then the saved one, to continue.
/// A side-by-side pair always starts afresh, so that A and B stay in lockstep.
fn opening_experiment() -> (share::Opened, Option<persist::Saved>) {
    let link = share::from_location();
    let saved = persist::load();
    match (link, saved) {
        (Some(opened), saved) => {
            let same = saved.filter(|s| opened.problems.is_empty() && opened.compare.is_none() && s.spec == opened.spec);
            (opened, same)
        }
        (None, Some(saved)) => (share::Opened { spec: saved.spec.clone(), problems: Vec::new(), compare: None }, Some(saved)),
        (None, None) => (share::Opened { spec: ModelSpec::default(), problems: Vec::new(), compare: None }, None),
    }
}

/// Space toggles play/pause unless the focus is on a control that uses the key itself.
fn install_keyboard(lab: Lab) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != " " {
            return;
        }
        let tag = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .map(|e| e.tag_name().to_lowercase())
            .unwrap_or_default();
        if !matches!(tag.as_str(), "input" | "select" | "textarea" | "button") {
            ev.prevent_default();
            lab.playing.update(|p| *p = !*p);
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}
