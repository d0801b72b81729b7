//! The `layers` key of a share link: how each layer kind is written
//! (`8:tanh`, `conv2d:8x3s1p1:relu`, `max_pool2d:2s2`, `flatten`, `lstm:16:seq`) and read back,
//! every field clamped and every change reported as a problem that names the layer.

use super::*;

pub(super) fn layers_text(l: &[LayerSpec]) -> String {
    l.iter().map(layer_text).collect::<Vec<_>>().join(",")
}

/// One layer as the `layers` key writes it: [`LayerSpec::short_text`], except that activations
/// keep their setting (`8:leaky_relu(0.01)`, `conv2d:8x3s1p1:elu(0.5)`).
pub fn layer_text(l: &LayerSpec) -> String {
    match *l {
        LayerSpec::Dense { units, activation } => format!("{units}:{}", activation_text(&activation)),
        LayerSpec::Conv2d { filters, kernel, stride, padding, activation } => {
            format!("conv2d:{filters}x{kernel}s{stride}p{padding}:{}", activation_text(&activation))
        }
        other => other.short_text(),
    }
}

/// The default for a layer whose units or activation cannot be read.
fn default_layer() -> (u32, Activation) {
    match ModelSpec::default().layers.first() {
        Some(LayerSpec::Dense { units, activation }) => (*units, *activation),
        _ => (4, Activation::Tanh),
    }
}

/// The layer kinds the `layers` key names, as [`LayerSpec::kind`] spells them.
const LAYER_KINDS: [&str; 8] = ["dense", "conv2d", "max_pool2d", "avg_pool2d", "flatten", "rnn", "lstm", "gru"];

/// Settings a layer gets when its own cannot be read: `conv2d:8x3s1p1:relu`, `max_pool2d:2s2`,
/// `lstm:16`.
const DEF_FILTERS: u32 = 8;
const DEF_KERNEL: u32 = 3;
const DEF_CONV_PADDING: u32 = 1;
const DEF_CONV_ACT: Activation = Activation::Relu;
const DEF_POOL: u32 = 2;
const DEF_HIDDEN: u32 = 16;

/// Comma-separated layers, input side first: at most [`limits::MAX_LAYERS`] are read. Each is
/// checked on its own here; whether they fit the data and each other is [`settle`]'s job.
pub(super) fn parse_layers(p: &mut Problems, v: &str) -> Vec<LayerSpec> {
    let v = v.trim();
    if v.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut total = 0usize;
    for (i, item) in v.split(',').enumerate() {
        total += 1;
        if i >= limits::MAX_LAYERS {
            continue;
        }
        out.push(parse_layer(p, &format!("layers[{i}]"), item.trim()));
    }
    if total > limits::MAX_LAYERS {
        p.push("layers", format!("{total} hidden layers, at most {}; kept the first {}", limits::MAX_LAYERS, limits::MAX_LAYERS));
    }
    out
}

/// One layer: `units:activation` (or `dense:units:activation`), `conv2d:FxKsSpP:activation`,
/// `max_pool2d:KsS`, `avg_pool2d:KsS`, `flatten`, `rnn:H`, `lstm:H`, `gru:H` (`:seq` after H
/// for every step's output).
fn parse_layer(p: &mut Problems, key: &str, item: &str) -> LayerSpec {
    let (head, rest) = match item.split_once(':') {
        Some((h, r)) => (h.trim(), Some(r)),
        None => (item, None),
    };
    let Some(kind) = LAYER_KINDS.iter().copied().find(|k| k.eq_ignore_ascii_case(head)) else {
        let (def_units, def_act) = default_layer();
        if head.starts_with(|c: char| c.is_alphabetic()) && head.parse::<f64>().is_err() {
            p.push(
                key,
                format!(
                    "`{}` is not a layer kind ({}) or a unit count; using {def_units}:{}",
                    quote(head),
                    LAYER_KINDS.join(", "),
                    def_act.id()
                ),
            );
            return LayerSpec::Dense { units: def_units, activation: def_act };
        }
        return parse_dense(p, key, item);
    };
    // The settings after the kind, `:`-separated.
    let args: Vec<&str> = rest.map(|r| r.split(':').map(str::trim).collect()).unwrap_or_default();
    let extra = |p: &mut Problems, n: usize, form: &str| {
        if args.len() > n {
            p.push(key, format!("{kind} takes {form}; `{}` ignored", quote(&args[n..].join(":"))));
        }
    };
    match kind {
        "dense" => parse_dense(p, key, rest.unwrap_or("")),
        "conv2d" => {
            const FORM: &str = "conv2d:FILTERSxKERNELsSTRIDEpPADDING:ACTIVATION, e.g. conv2d:8x3s1p1:relu";
            let (filters, kernel, stride, padding) = match args.first() {
                Some(g) if !g.is_empty() => conv_geometry(p, key, g),
                _ => {
                    p.push(
                        key,
                        format!("`{}` has no size (write {FORM}); using {DEF_FILTERS}x{DEF_KERNEL}s1p{DEF_CONV_PADDING}", quote(item)),
                    );
                    (DEF_FILTERS, DEF_KERNEL, 1, DEF_CONV_PADDING)
                }
            };
            let activation = match args.get(1) {
                Some(a) if !a.is_empty() => {
                    let act = parse_activation(p, key, a);
                    if act.is_elementwise() {
                        act
                    } else {
                        p.push(key, format!("conv2d needs an activation that acts on each value alone, not {}; using {}", act.id(), DEF_CONV_ACT.id()));
                        DEF_CONV_ACT
                    }
                }
                _ => {
                    p.push(key, format!("`{}` has no activation (write {FORM}); using {}", quote(item), DEF_CONV_ACT.id()));
                    DEF_CONV_ACT
                }
            };
            extra(p, 2, "a size and an activation");
            LayerSpec::Conv2d { filters, kernel, stride, padding, activation }
        }
        "max_pool2d" | "avg_pool2d" => {
            let (kernel, stride) = match args.first() {
                Some(g) if !g.is_empty() => pool_geometry(p, key, kind, g),
                _ => {
                    p.push(key, format!("`{}` has no window (write {kind}:KERNELsSTRIDE, e.g. {kind}:2s2); using {DEF_POOL}s{DEF_POOL}", quote(item)));
                    (DEF_POOL, DEF_POOL)
                }
            };
            extra(p, 1, "one window size");
            if kind == "max_pool2d" { LayerSpec::MaxPool2d { kernel, stride } } else { LayerSpec::AvgPool2d { kernel, stride } }
        }
        "flatten" => {
            extra(p, 0, "no settings");
            LayerSpec::Flatten
        }
        _ => {
            // rnn, lstm, gru
            let hidden = match args.first() {
                Some(h) if !h.is_empty() => int_field(p, key, kind, "hidden size", h, 1, limits::MAX_UNITS, DEF_HIDDEN),
                _ => {
                    p.push(key, format!("`{}` has no hidden size (write {kind}:HIDDEN, e.g. {kind}:16 or {kind}:16:seq); using {DEF_HIDDEN}", quote(item)));
                    DEF_HIDDEN
                }
            };
            let return_sequences = match args.get(1) {
                None => false,
                Some(f) if f.eq_ignore_ascii_case("seq") => true,
                Some(f) => {
                    p.push(key, format!("`{}` is not `seq` (every step's output); using the last step's", quote(f)));
                    false
                }
            };
            extra(p, 2, "a hidden size and optionally `seq`");
            match kind {
                "rnn" => LayerSpec::Rnn { hidden, return_sequences },
                "lstm" => LayerSpec::Lstm { hidden, return_sequences },
                _ => LayerSpec::Gru { hidden, return_sequences },
            }
        }
    }
}

/// `units:activation`.
fn parse_dense(p: &mut Problems, key: &str, item: &str) -> LayerSpec {
    let (def_units, def_act) = default_layer();
    let (u, a) = match item.split_once(':') {
        Some((u, a)) => (u.trim(), Some(a.trim())),
        None => (item.trim(), None),
    };
    let units = if u.is_empty() {
        p.push(key, format!("`{}` has no unit count (write units:activation, e.g. 8:relu); using {def_units}", quote(item)));
        def_units
    } else {
        int_in(p, key, u, 1, limits::MAX_UNITS, def_units)
    };
    let activation = match a {
        Some(a) => parse_activation(p, key, a),
        None => {
            p.push(key, format!("`{}` has no activation (write units:activation, e.g. 8:relu); using {}", quote(item), def_act.id()));
            def_act
        }
    };
    LayerSpec::Dense { units, activation }
}

/// A whole-number setting of a layer, reported as `key: kind what ...`.
#[allow(clippy::too_many_arguments)]
fn int_field(p: &mut Problems, key: &str, kind: &str, what: &str, v: &str, lo: u32, hi: u32, default: u32) -> u32 {
    if v.trim().is_empty() {
        p.push(key, format!("{kind} has no {what}; using {default}"));
        return default;
    }
    let (n, why) = int_checked(v, lo, hi, default);
    if let Some(why) = why {
        p.push(key, format!("{kind} {what} {why}"));
    }
    n
}

/// `text` cut at the first of `marks` (ASCII case ignored): the part before, the mark, the rest.
fn cut_at<'a>(text: &'a str, marks: &[char]) -> (&'a str, Option<(char, &'a str)>) {
    match text.char_indices().find(|(_, c)| marks.iter().any(|m| m.eq_ignore_ascii_case(c))) {
        Some((i, c)) => (&text[..i], Some((c.to_ascii_lowercase(), &text[i + c.len_utf8()..]))),
        None => (text, None),
    }
}

/// `FILTERSxKERNEL[sSTRIDE][pPADDING]`: stride 1 and padding 0 when left out, as in
/// `torch.nn.Conv2d`. Padding is brought below the kernel.
fn conv_geometry(p: &mut Problems, key: &str, g: &str) -> (u32, u32, u32, u32) {
    let (f, after) = cut_at(g, &['x']);
    let filters = int_field(p, key, "conv2d", "filters", f, 1, limits::MAX_FILTERS, DEF_FILTERS);
    let Some((_, after)) = after else {
        p.push(key, format!("conv2d `{}` has no kernel size (write FILTERSxKERNELsSTRIDEpPADDING, e.g. 8x3s1p1); using {DEF_KERNEL}", quote(g)));
        return (filters, DEF_KERNEL, 1, 0);
    };
    let (k, mut next) = cut_at(after, &['s', 'p']);
    let kernel = int_field(p, key, "conv2d", "kernel", k, 1, limits::MAX_KERNEL, DEF_KERNEL);
    let (mut stride, mut padding) = (1, 0);
    if let Some(('s', rest)) = next {
        let (t, n) = cut_at(rest, &['p']);
        stride = int_field(p, key, "conv2d", "stride", t, 1, limits::MAX_KERNEL, 1);
        next = n;
    }
    if let Some((_, rest)) = next {
        padding = int_field(p, key, "conv2d", "padding", rest, 0, limits::MAX_KERNEL - 1, 0);
    }
    if padding >= kernel {
        p.push(key, format!("conv2d padding {padding} must be smaller than the kernel {kernel}; using {}", kernel - 1));
        padding = kernel - 1;
    }
    (filters, kernel, stride, padding)
}

/// `KERNEL[sSTRIDE]`: the stride is the kernel when left out, as in `torch.nn.MaxPool2d`.
fn pool_geometry(p: &mut Problems, key: &str, kind: &str, g: &str) -> (u32, u32) {
    let (k, next) = cut_at(g, &['s']);
    let kernel = int_field(p, key, kind, "kernel", k, 1, limits::MAX_KERNEL, DEF_POOL);
    let stride = match next {
        Some((_, t)) => int_field(p, key, kind, "stride", t, 1, limits::MAX_KERNEL, kernel),
        None => kernel,
    };
    (kernel, stride)
}

/// `id` or `id(setting)`, the setting brought into the table's range.
pub(crate) fn parse_activation(p: &mut Problems, key: &str, text: &str) -> Activation {
    let (_, def_act) = default_layer();
    let (id, arg) = match text.split_once('(') {
        Some((id, rest)) => {
            let arg = match rest.strip_suffix(')') {
                Some(a) => a,
                None => {
                    p.push(key, format!("`{}` is missing its `)`", quote(text)));
                    rest.trim_end_matches(')')
                }
            };
            (id.trim(), Some(arg.trim()))
        }
        None => (text.trim(), None),
    };
    let Some(info) = ACTIVATIONS.iter().find(|i| i.id.eq_ignore_ascii_case(id)) else {
        let all: Vec<&str> = ACTIVATIONS.iter().map(|i| i.id).collect();
        p.push(key, format!("activation `{}` is not one of {}; using {}", quote(id), all.join(", "), def_act.id()));
        return def_act;
    };
    let mut act = info.default;
    match (arg, info.param) {
        (None, _) => {}
        (Some(_), None) => p.push(key, format!("{} takes no setting; `{}` ignored", info.id, quote(text))),
        (Some(a), Some(param)) => {
            let shown = |x: f64| if param.integer { format!("{x}") } else { fmt_f32(x as f32) };
            let value = match a.parse::<f64>() {
                Ok(x) if x.is_nan() => None,
                Ok(x) => Some(x),
                Err(_) => None,
            };
            match value {
                None => p.push(key, format!("{} `{}` is not a number; using {}", param.name, quote(a), shown(param.default))),
                Some(raw) => {
                    // Integer settings are rounded; f32 settings are read as f32, exactly as written.
                    let x = if param.integer { raw.round() } else { a.parse::<f32>().map(f64::from).unwrap_or(raw) };
                    let c = x.clamp(param.min, param.max);
                    if c != x {
                        p.push(
                            key,
                            format!("{} {} `{}` is outside [{}, {}]; using {}", info.id, param.name, quote(a), param.min, param.max, shown(c)),
                        );
                    } else if param.integer && x != raw {
                        p.push(key, format!("{} {} `{}` is not a whole number; using {}", info.id, param.name, quote(a), shown(c)));
                    }
                    act = act.with_param(c);
                }
            }
        }
    }
    if act.validate().is_err() {
        p.push(key, format!("{} setting out of range; using its default", info.id));
        act = info.default;
    }
    act
}
