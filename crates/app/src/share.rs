//! Sharing: the whole experiment lives in the URL fragment (the engine's versioned, validated
//! share format), kept up to date as the learner edits, and a button copies the link. Opening a
//! link rebuilds the same experiment; a broken one opens the nearest valid experiment and says why.

use engine::spec::ModelSpec;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::lab::Lab;

/// The experiment in the page's URL, if it has one: the spec and any problems decoding it.
pub fn from_location() -> Option<(ModelSpec, Vec<String>)> {
    let hash = window().location().hash().ok()?;
    let fragment = hash.trim_start_matches('#');
    if fragment.is_empty() {
        return None;
    }
    let decoded = engine::share::decode(fragment);
    Some((decoded.spec, decoded.problems))
}

/// The share link for a spec, on this page's address.
pub fn link(spec: &ModelSpec) -> String {
    let location = window().location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default().to_string();
    format!("{base}#{}", engine::share::encode(spec))
}

/// Mirrors every spec change into the address bar (replacing, not pushing, history entries).
pub fn keep_in_url(lab: Lab) {
    Effect::new(move |_| {
        let url = lab.spec.with(link);
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
        let url = lab.spec.with_untracked(link);
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

