//! Korean and English. The page follows the browser's language and has a switch; every string the
//! page shows goes through [`tr`] or comes from the engine's tables, which carry both.

use engine::activation::Text;

/// The page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// Korean when the browser prefers Korean, English otherwise.
    pub fn from_browser() -> Lang {
        let lang = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
        if lang.to_lowercase().starts_with("ko") { Lang::Ko } else { Lang::En }
    }

    /// The code for `<html lang>` and the switch.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

/// Picks the string for `lang`.
pub fn tr(lang: Lang, en: &'static str, ko: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// Picks an engine table's text for `lang`.
pub fn text(lang: Lang, t: &Text) -> &'static str {
    tr(lang, t.en, t.ko)
}
