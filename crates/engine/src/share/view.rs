//! How the page shows an experiment, as opposed to the experiment itself: test points on the
//! plot, the output discretized, the text hidden, the embed layout. Links carry these beside the
//! experiment (this playground's own keys and TensorFlow Playground's); they are not part of
//! [`crate::spec::ModelSpec`], because they change what is drawn, never what is trained.
//!
//! | this playground | TensorFlow Playground | field | default here (there) |
//! |---|---|---|---|
//! | `test=0` / `test=1` | `showTestData` | `test_points` | on (off) |
//! | `discretize=1` | `discretize` | `discretize` | off (off) |
//! | `text=0` | `hideText` | `hide_text` | off (off) |
//! | `embed=1` | — | `embed` | off |
//!
//! Only settings that differ from this playground's defaults are written.

use super::{Link, Lookup, Problems, quote};

/// The view settings a link carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// Test points drawn on the plot (ringed in black) beside the training points.
    pub test_points: bool,
    /// The output drawn as two flat colours (its sign), not a gradient.
    pub discretize: bool,
    /// No headings, captions or explanations: just the experiment, for a course page.
    pub hide_text: bool,
    /// Only the network graph, the plot and the run controls, sized for an iframe.
    pub embed: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            test_points: true,
            discretize: false,
            hide_text: false,
            embed: false,
        }
    }
}

impl ViewOptions {
    /// TensorFlow Playground's defaults: a link from there that does not say `showTestData=true`
    /// shows the training points only, as that page would.
    pub fn tf_playground() -> Self {
        ViewOptions {
            test_points: false,
            ..ViewOptions::default()
        }
    }
}

/// This format's view keys (for the list of keys a link may hold).
pub(crate) const KEYS: [&str; 4] = ["test", "discretize", "text", "embed"];

/// The keys for `view`, each `&key=value`, only where it differs from the default.
pub fn view_text(view: &ViewOptions) -> String {
    let d = ViewOptions::default();
    let mut s = String::new();
    for (key, on, default) in [
        ("test", view.test_points, d.test_points),
        ("discretize", view.discretize, d.discretize),
        ("text", !view.hide_text, !d.hide_text),
        ("embed", view.embed, d.embed),
    ] {
        if on != default {
            s.push_str(&format!("&{key}={}", u8::from(on)));
        }
    }
    s
}

/// Reads this format's view keys; a bad value keeps the default and is reported.
pub(crate) fn parse_view(link: &Link, p: &mut Problems) -> ViewOptions {
    let mut v = ViewOptions::default();
    for (key, field, invert) in [
        ("test", &mut v.test_points, false),
        ("discretize", &mut v.discretize, false),
        ("text", &mut v.hide_text, true),
        ("embed", &mut v.embed, false),
    ] {
        let on = match link.get(key, false, p) {
            Lookup::Missing => continue,
            Lookup::Value("1" | "true") => true,
            Lookup::Value("0" | "false") => false,
            Lookup::Value(other) => {
                p.push(key, format!("`{}` is not 0 or 1; ignored", quote(other)));
                continue;
            }
            Lookup::Bad(why) => {
                p.push(key, format!("{why}; ignored"));
                continue;
            }
        };
        *field = on != invert;
    }
    v
}
