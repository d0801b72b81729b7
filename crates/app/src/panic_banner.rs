//! If anything panics, the page says so instead of going dead: a banner with what happened, a
//! "Reset" that reopens the default experiment, and "Copy report" for a bug report. It is built
//! with plain DOM calls because the reactive system may be the thing that failed; it speaks the
//! language the page was showing.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Installs the hook: the usual console message, then the banner.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let report = format!("DL101 Playground crashed: {info}\nPage: {}", location());
        show(&report);
    }));
}

fn location() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// Shows the banner with `report` (also for a crash in the trainer's worker).
pub fn show_report(report: &str) {
    // One banner, whatever else fails after the first crash.
    if web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.query_selector("[data-testid='crash']").ok().flatten().is_some()) {
        return;
    }
    show(report);
}

fn show(report: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = doc.body() else { return };
    let Ok(banner) = doc.create_element("div") else { return };
    banner.set_class_name("crash");
    // The page's language, as the app last set it on <html lang>.
    let korean = doc.document_element().and_then(|e| e.get_attribute("lang")).is_some_and(|l| l.starts_with("ko"));
    let _ = banner.set_attribute("role", "alert");
    let _ = banner.set_attribute("data-testid", "crash");
    let text = doc.create_element("p").ok();
    if let Some(p) = &text {
        // text_content, never HTML: the report may quote a URL.
        p.set_text_content(Some(if korean {
            "문제가 생겨 학습이 멈췄습니다. 초기화는 기본 실험을 다시 열고, 보고서 복사는 무슨 일이 있었는지 복사합니다."
        } else {
            "Something went wrong and training stopped. Reset reopens the default experiment; Copy report copies what happened."
        }));
        let _ = banner.append_child(p);
    }
    let reset = button(&doc, if korean { "초기화" } else { "Reset" }, "crash-reset", || {
        // The saved experiment may be what crashed the page: forget it too.
        crate::persist::clear();
        if let Some(w) = web_sys::window() {
            let path = w.location().pathname().unwrap_or_else(|_| "./".into());
            let _ = w.location().set_href(&path);
        }
    });
    let owned = report.to_string();
    let copy = button(&doc, if korean { "보고서 복사" } else { "Copy report" }, "crash-copy", move || {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&owned);
        }
    });
    for b in [reset, copy].into_iter().flatten() {
        let _ = banner.append_child(&b);
    }
    let _ = body.prepend_with_node_1(&banner);
}

fn button(doc: &web_sys::Document, label: &str, testid: &str, on_click: impl Fn() + 'static) -> Option<web_sys::Element> {
    let b = doc.create_element("button").ok()?;
    b.set_text_content(Some(label));
    let _ = b.set_attribute("data-testid", testid);
    let handler = Closure::<dyn Fn()>::new(on_click);
    let _ = b.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref());
    // The banner lives until the page is left.
    handler.forget();
    Some(b)
}
