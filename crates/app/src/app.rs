//! The page's root component: header (title, compute status, language, share), the run bar, and
//! the panels: data, network, training settings, the views, and the activation table.

use engine::spec::ModelSpec;
use leptos::prelude::*;

use crate::i18n::{Lang, tr};
use crate::lab::Lab;
use crate::panels::activations::ActivationTable;
use crate::panels::controls::{Hyperparameters, RunBar};
use crate::panels::compare::ComparePanel;
use crate::panels::data::DataPanel;
use crate::panels::lessons::LessonsPanel;
use crate::panels::model_io::ModelIo;
use crate::panels::network::NetworkPanel;
use crate::views::boundary::Boundary;
use crate::views::curves::Curves;
use crate::views::diagnostics::DiagnosticsView;
use crate::views::images::ImageViews;
use crate::views::sequence::SequenceView;
use crate::link::Link;
use crate::wire::Role;
use crate::{persist, share};

/// The whole playground.
#[component]
pub fn App() -> impl IntoView {
    let (opened, saved) = opening_experiment();
    let share::Opened {
        spec,
        report,
        view,
        compare,
    } = opened;
    let lab = Lab::new(spec, Lang::from_browser());
    lab.compare.set(compare);
    lab.view.set(view);
    lab.link_report.set(report);
    install_view_classes(lab);
    // Experiment A's trainer for the page's life; B's while comparing.
    std::mem::forget(Link::open(lab, Role::A, saved.as_ref()));
    open_b_while_comparing(lab);
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
                if lang.get() == Lang::En { en } else { ko }
            }}</span>
            <div class="spacer"></div>
            // Named by what it shows (the other language, in that language), as axe asks of a
            // visible label; the title says what it is in both.
            <button data-testid="lang" on:click=move |_| lang.update(|l| *l = if *l == Lang::En { Lang::Ko } else { Lang::En })
                title="Language / 언어" lang=move || if lang.get() == Lang::En { "ko" } else { "en" }>
                {move || if lang.get() == Lang::En { "한국어" } else { "English" }}</button>
            <share::ShareButton lab />
        </header>
        <div class="notice" role="alert" data-testid="notice" class:hidden=move || lab.notice.get().is_none()>
            <span>{move || lab.notice.get().unwrap_or_default()}</span>
            <button on:click=move |_| lab.notice.set(None) aria-label="dismiss">"×"</button>
        </div>
        <LinkNotice lab />
        <RunBar lab />
        <LessonsPanel lab />
        <main class="grid">
            <DataPanel lab />
            <NetworkPanel lab />
            <section class="panel views" aria-label="output">
                <Boundary lab />
                <ImageViews lab />
                <SequenceView lab />
                <Curves lab />
                <crate::views::figures::FigureActions lab />
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
            let same = saved.filter(|s| {
                opened.report.problems.is_empty()
                    && opened.compare.is_none()
                    && s.spec == opened.spec
            });
            (opened, same)
        }
        (None, Some(saved)) => (share::Opened::plain(saved.spec.clone()), Some(saved)),
        (None, None) => (share::Opened::plain(ModelSpec::default()), None),
    }
}

/// Experiment B trains in a trainer of its own while the page compares; stopping the comparison
/// closes it and clears its curves.
fn open_b_while_comparing(lab: Lab) {
    let comparing = Memo::new(move |_| lab.compare.with(Option::is_some));
    Effect::new(move |running: Option<Option<Link>>| {
        if let Some(Some(b)) = running {
            b.close();
            lab.b_history.set(Vec::new());
            lab.b_latest.set(None);
            lab.b_output.set(Vec::new());
            lab.b_steps_per_sec.set(0.0);
        }
        comparing.get().then(|| Link::open(lab, Role::B, None))
    });
}

/// The link's view options as classes on `<body>`: `hide-text` and `embed` (see `web/style.css`).
fn install_view_classes(lab: Lab) {
    Effect::new(move |_| {
        let view = lab.view.get();
        if let Some(body) = document().body() {
            let list = body.class_list();
            for (class, on) in [("hide-text", view.hide_text), ("embed", view.embed)] {
                let _ = if on {
                    list.add_1(class)
                } else {
                    list.remove_1(class)
                };
            }
        }
    });
}

/// What the opening link reported: its problems in the yellow banner, the keys it left out as one
/// line, and notes in small print, each list behind a click. A link this page wrote says nothing.
#[component]
fn LinkNotice(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let report = lab.link_report;
    let list = |items: Vec<String>| {
        items
            .into_iter()
            .map(|m| view! { <li>{m}</li> })
            .collect_view()
    };
    let details = move |items: Vec<String>| {
        view! {
            <details>
                <summary>{move || tr(lang.get(), "Details", "자세히")}</summary>
                <ul>{list(items)}</ul>
            </details>
        }
    };
    let problems = move || report.with(|r| r.problems.clone());
    let missing = move || report.with(|r| r.missing.clone());
    let notes = move || report.with(|r| r.notes.clone());
    let dismiss = move |_| report.set(Default::default());
    view! {
        <div class="notice" role="alert" data-testid="link-problems" class:hidden=move || problems().is_empty()>
            <div>
                <span>{move || {
                    let n = problems().len();
                    match lang.get() {
                        Lang::En => format!("This link had {n} problem{}; opened the nearest valid experiment.", if n == 1 { "" } else { "s" }),
                        Lang::Ko => format!("링크에 문제가 {n}개 있어 가장 가까운 올바른 실험을 열었습니다."),
                    }
                }}</span>
                {move || details(problems())}
            </div>
            <button on:click=dismiss aria-label=move || tr(lang.get(), "Dismiss", "닫기")>"×"</button>
        </div>
        <div class="link-line small" data-testid="link-missing" class:hidden=move || missing().is_empty() || !problems().is_empty()>
            <span>{move || {
                let n = missing().len();
                match lang.get() {
                    Lang::En => format!("{n} setting{} missing from the link; defaults used.", if n == 1 { " was" } else { "s were" }),
                    Lang::Ko => format!("링크에 없는 설정 {n}개는 기본값을 썼습니다."),
                }
            }}</span>
            {move || details(missing())}
        </div>
        <div class="link-line muted small" data-testid="link-notes" class:hidden=move || notes().is_empty()>
            <span>{move || tr(lang.get(), "Note: ", "참고: ")} {move || notes().first().cloned().unwrap_or_default()}</span>
            {move || (notes().len() > 1).then(|| details(notes()))}
        </div>
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
