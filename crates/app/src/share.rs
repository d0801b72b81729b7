//! Sharing: the whole experiment lives in the URL fragment (the engine's versioned, validated
//! share format), kept up to date as the learner edits, and a button copies the link. Opening a
//! link rebuilds the same experiment; a broken one opens the nearest valid experiment and says why.

use engine::share::ViewOptions;
use engine::spec::ModelSpec;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::{Lab, LinkReport};

/// Where a side-by-side run's experiment B starts in the fragment: `#<A>&vs=<B, URI-encoded>`.
const B_KEY: &str = "&vs=";

/// What a link opens: experiment A, what decoding it reported, how to show it, and B when the
/// link is a pair.
pub struct Opened {
    pub spec: ModelSpec,
    pub report: LinkReport,
    pub view: ViewOptions,
    pub compare: Option<ModelSpec>,
}

impl Opened {
    /// An experiment that did not come from a link.
    pub fn plain(spec: ModelSpec) -> Opened {
        Opened {
            spec,
            report: LinkReport::default(),
            view: ViewOptions::default(),
            compare: None,
        }
    }
}

/// The experiment in the page's URL, if it has one.
pub fn from_location() -> Option<Opened> {
    let hash = window().location().hash().ok()?;
    let fragment = hash.trim_start_matches('#');
    if fragment.is_empty() {
        return None;
    }
    Some(decode_pair(fragment))
}

/// Decodes a fragment holding one experiment or a side-by-side pair; never fails.
pub fn decode_pair(fragment: &str) -> Opened {
    let (a, b) = match fragment.split_once(B_KEY) {
        Some((a, b)) => (a, Some(b)),
        None => (fragment, None),
    };
    let decoded = engine::share::decode(a);
    let mut report = LinkReport {
        problems: decoded.problems,
        missing: decoded.missing,
        notes: decoded.notes,
    };
    let compare = b.map(|b| {
        let text = js_sys::decode_uri_component(b).ok().and_then(|t| t.as_string()).unwrap_or_default();
        let d = engine::share::decode(&text);
        report
            .problems
            .extend(d.problems.into_iter().map(|p| format!("B: {p}")));
        report
            .missing
            .extend(d.missing.into_iter().map(|p| format!("B: {p}")));
        d.spec
    });
    Opened {
        spec: decoded.spec,
        report,
        view: decoded.view,
        compare,
    }
}

/// The share link for an experiment (and its B in a side-by-side run), with how it is shown, on
/// this page's address.
pub fn link(spec: &ModelSpec, compare: Option<&ModelSpec>, view: &ViewOptions) -> String {
    let location = window().location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default().to_string();
    let b = compare
        .map(|b| format!("{B_KEY}{}", String::from(js_sys::encode_uri_component(&engine::share::encode(b)))))
        .unwrap_or_default();
    format!(
        "{base}#{}{}{b}",
        engine::share::encode(spec),
        engine::share::view_text(view)
    )
}

/// The page's current link.
fn lab_link(lab: Lab) -> String {
    let view = lab.view.get();
    lab.compare
        .with(|b| lab.spec.with(|a| link(a, b.as_ref(), &view)))
}

/// Mirrors every spec change into the address bar (replacing, not pushing, history entries).
pub fn keep_in_url(lab: Lab) {
    Effect::new(move |_| {
        let url = lab_link(lab);
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });
}

/// Copies the share link to the clipboard and shows it, so it can be copied by hand too.
#[component]
pub fn ShareButton(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let (copied, set_copied) = signal(None::<String>);
    let share = move |_| {
        let url = untrack(|| lab_link(lab));
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&url);
        set_copied.set(Some(url));
    };
    view! {
        <button data-testid="share" on:click=share>{move || tr(lang.get(), "Copy share link", "공유 링크 복사")}</button>
        <input class="share-url" readonly data-testid="share-url" class:hidden=move || copied.get().is_none()
            aria-label=move || tr(lang.get(), "Share link", "공유 링크")
            prop:value=move || copied.get().unwrap_or_default() />
    }
}

