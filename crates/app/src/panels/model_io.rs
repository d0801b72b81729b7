//! Taking a model out and bringing it back: the model file (spec and trained weights, which
//! imports back here), and the same network as Keras or PyTorch code that can load that file.
//! An imported file is size-capped and checked by the engine before anything changes; what is
//! wrong with it is said in the notice, and the running experiment is kept.

use engine::export::{MAX_FILE_BYTES, ModelFile, to_keras, to_pytorch};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::tr;
use crate::lab::Lab;

/// Export, import and code buttons, and the generated code.
#[component]
pub fn ModelIo(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let (code, set_code) = signal(None::<String>);
    let show = move |text: String| {
        let _ = window().navigator().clipboard().write_text(&text);
        set_code.set(Some(text));
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        // Clear the input so choosing the same file again fires another change.
        input.set_value("");
        leptos::task::spawn_local(import_file(lab, file));
    };
    view! {
        <section class="panel model-io" aria-labelledby="io-h">
            <h2 id="io-h">{move || tr(lang.get(), "Model", "모델")}</h2>
            <div class="row">
                <button data-testid="export-model" on:click=move |_| lab.export_requests.update(|n| *n += 1)>
                    {move || tr(lang.get(), "Export model", "모델 내보내기")}</button>
                <label class="button">
                    {move || tr(lang.get(), "Import model", "모델 가져오기")}
                    <input type="file" accept=".json,application/json" data-testid="import-model" class="visually-hidden" on:change=import />
                </label>
                <button data-testid="copy-keras" on:click=move |_| show(lab.spec.with_untracked(to_keras))>
                    {move || tr(lang.get(), "Copy as Keras code", "Keras 코드로 복사")}</button>
                <button data-testid="copy-pytorch" on:click=move |_| show(lab.spec.with_untracked(to_pytorch))>
                    {move || tr(lang.get(), "Copy as PyTorch code", "PyTorch 코드로 복사")}</button>
            </div>
            <textarea class="code" readonly data-testid="code" class:hidden=move || code.get().is_none()
                aria-label=move || tr(lang.get(), "Generated code", "생성된 코드")
                prop:value=move || code.get().unwrap_or_default()></textarea>
        </section>
    }
}

/// Reads, checks and queues an imported file; the driver loads its weights into the session it
/// builds for the file's spec.
async fn import_file(lab: Lab, file: web_sys::File) {
    let say = |msg: String| lab.notice.set(Some(msg));
    let name = file.name();
    if file.size() > MAX_FILE_BYTES as f64 {
        say(format!("{name} was not imported: it is {:.0} MB, and model files are limited to {} MB.", file.size() / 1e6, MAX_FILE_BYTES >> 20));
        return;
    }
    let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()) {
        Some(t) => t,
        None => return say(format!("{name} was not imported: the browser could not read it as text.")),
    };
    match ModelFile::parse(&text) {
        Ok(model) => {
            lab.playing.set(false);
            lab.lesson.set(None);
            lab.spec.set(model.spec.clone());
            lab.import.set(Some(model));
            // Rebuild even when the spec is the one already open.
            lab.resets.update(|n| *n += 1);
        }
        Err(e) => say(format!("{name} was not imported: {e}. The current experiment is unchanged.")),
    }
}

/// Offers `text` as a JSON file download (a Blob behind a temporary link).
pub fn offer_download(name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    offer_text(name, text, "application/json")
}

/// Offers `text` as a file download of type `mime`.
pub fn offer_text(name: &str, text: &str, mime: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    offer_href(name, &url)?;
    web_sys::Url::revoke_object_url(&url)
}

/// Offers what `href` points at (a blob or data URL) as a download named `name`.
pub fn offer_href(name: &str, href: &str) -> Result<(), wasm_bindgen::JsValue> {
    let a: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    a.set_href(href);
    a.set_download(name);
    a.click();
    Ok(())
}
