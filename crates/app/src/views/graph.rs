//! The network as TensorFlow Playground draws it: the input features, every hidden neuron and the
//! output as small live pictures of what each computes over the plane, and every weight as a line
//! between them, blue for positive and orange for negative, wider the larger it is. Pointing at a
//! neuron puts its picture in the big plot; pointing at a weight or a bias shows its value, and
//! clicking one lets the learner type a new value, which the driver writes into the running
//! session (see [`crate::lab::Lab::edits`]). Each hidden layer has its −/+ and activation here.
//!
//! Wide layers stay readable: at most [`MAX_SHOWN`] neurons of a layer are drawn (the rest are
//! counted under the column), and lines fade with the size of their weight.
//!
//! The graph is SVG (lines and frames) with each picture an `<image>` holding a small PNG made
//! on a canvas: the page's CSP allows `data:` images, and the whole graph then serialises into
//! one picture for the PNG export ([`crate::views::figures`]).

use engine::activation::Activation;
use engine::data::Feature;
use engine::model::LayerParams;
use engine::spec::{LayerSpec, ModelSpec};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::driver::DOMAIN;
use crate::i18n::{Lang, tr};
use crate::lab::{Lab, Node, Param, Pictures};
use crate::panels::network::{activation_options, resize_layer, set_activation};
use crate::views::boundary::{colour, context, paint_grid};

/// The most neurons drawn in one column.
pub const MAX_SHOWN: usize = 12;
/// Picture side and the distance between two neurons of a column, in the SVG's units.
const NODE: f64 = 34.0;
const PITCH: f64 = 44.0;
/// Width of one column, in the SVG's units.
const COLUMN: f64 = 64.0;
/// Side of the pictures' PNGs, in pixels.
const PICTURE_PX: u32 = 40;

/// One column of the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Neurons in the layer (features for the input column).
    pub units: usize,
    /// For the input column, each feature's label.
    pub features: Vec<Feature>,
    /// The hidden layer's index in the spec; `None` for the input and output columns.
    pub layer: Option<usize>,
}

impl Column {
    pub fn shown(&self) -> usize {
        self.units.min(MAX_SHOWN)
    }
}

/// The graph's columns for a dense network on 2-D points; empty for any other network.
pub fn columns(spec: &ModelSpec) -> Vec<Column> {
    if !spec.data.kind.is_points() {
        return Vec::new();
    }
    let mut cols = vec![Column {
        units: spec.features.len(),
        features: spec.features.clone(),
        layer: None,
    }];
    for (i, l) in spec.layers.iter().enumerate() {
        if let LayerSpec::Dense { units, .. } = *l {
            cols.push(Column {
                units: units as usize,
                features: Vec::new(),
                layer: Some(i),
            });
        }
    }
    cols.push(Column {
        units: spec.output().units,
        features: Vec::new(),
        layer: None,
    });
    cols
}

/// Where a neuron's picture sits (its top-left corner).
/// Inputs sit at the right of their column, leaving room for their labels.
fn node_at(column: usize, unit: usize) -> (f64, f64) {
    let inset = if column == 0 {
        COLUMN - NODE - 4.0
    } else {
        (COLUMN - NODE) / 2.0
    };
    (column as f64 * COLUMN + inset, 8.0 + unit as f64 * PITCH)
}

/// The SVG's height for these columns.
fn height(cols: &[Column]) -> f64 {
    let rows = cols.iter().map(Column::shown).max().unwrap_or(1).max(1);
    16.0 + rows as f64 * PITCH
}

/// The value of `param` in the weights read back, if the network has it. A Maxout unit has one
/// row of weights per piece; the graph shows (and edits) the first piece's.
pub fn value_of(weights: &[LayerParams], param: Param) -> Option<f32> {
    let (layer, bias, at) = slot(weights, param)?;
    let p = &weights[layer];
    Some(if bias { p.bias[at] } else { p.weight[at] })
}

/// Sets `param` to `value` in `weights`; false when the network has no such number.
pub fn set_value(weights: &mut [LayerParams], param: Param, value: f32) -> bool {
    let Some((layer, bias, at)) = slot(weights, param) else { return false };
    let p = &mut weights[layer];
    if bias { p.bias[at] = value } else { p.weight[at] = value }
    true
}

/// Where `param` is: its layer, whether it is a bias, and its index in that layer's weights or
/// biases; `None` when the network has no such number.
fn slot(weights: &[LayerParams], param: Param) -> Option<(usize, bool, usize)> {
    let (layer, unit, input) = match param {
        Param::Weight { layer, unit, input } => (layer, unit, Some(input)),
        Param::Bias { layer, unit } => (layer, unit, None),
    };
    let p = weights.get(layer)?;
    // Maxout has a row of weights and a bias per piece: the first piece stands for the unit.
    let pieces = (p.bias.len() / p.units.max(1)).max(1);
    if unit >= p.units {
        return None;
    }
    match input {
        Some(i) if i < p.fan_in => Some((layer, false, unit * pieces * p.fan_in + i)).filter(|s| s.2 < p.weight.len()),
        Some(_) => None,
        None => Some((layer, true, unit * pieces)).filter(|s| s.2 < p.bias.len()),
    }
}

/// A weight's line: colour by sign, width and opacity by size (as TensorFlow Playground: wider
/// up to |w| = 5; small weights fade so that a wide layer's strong links stand out).
pub fn line_style(w: f32) -> (String, f64, f64) {
    let w = if w.is_finite() { w } else { 0.0 };
    // From light grey at 0 (a zero weight stays visible) to the full class colour at |w| = 1.
    let (r, g, b) = colour(if w < 0.0 { -1.0 } else { 1.0 });
    let t = w.abs().min(1.0);
    let mix = |grey: f32, c: u8| (grey + (c as f32 - grey) * t) as u8;
    let (r, g, b) = (mix(203.0, r), mix(213.0, g), mix(225.0, b));
    let a = w.abs() as f64;
    (
        format!("rgb({r},{g},{b})"),
        0.6 + 5.4 * (a / 5.0).min(1.0),
        0.35 + 0.65 * a.min(1.0),
    )
}

/// A neuron's picture over the plane: `values` on an n×n grid, as a PNG data URL.
fn picture_url(values: &[f32], n: usize, scale: f32, discrete: bool) -> String {
    thread_local!(static CANVAS: std::cell::RefCell<Option<web_sys::HtmlCanvasElement>> = const { std::cell::RefCell::new(None) });
    CANVAS.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = document()
                .create_element("canvas")
                .ok()
                .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
                .inspect(|canvas| {
                    canvas.set_width(PICTURE_PX);
                    canvas.set_height(PICTURE_PX);
                });
        }
        let Some(canvas) = c.as_ref() else {
            return String::new();
        };
        let Some(ctx) = context(canvas) else {
            return String::new();
        };
        paint_grid(&ctx, values, n, PICTURE_PX as f64, scale, discrete);
        canvas.to_data_url().unwrap_or_default()
    })
}

/// The picture's values for a neuron, the grid's side and its colour scale.
pub fn node_values(p: &Pictures, features: &[Feature], node: Node, columns: usize) -> Option<(Vec<f32>, usize, f32)> {
    if node.column == 0 {
        return input_values(features, node.unit, p.thumb);
    }
    if node.column + 1 == columns && p.neurons.last().is_some_and(|o| o.len() == 1) {
        return (!p.output.is_empty()).then(|| (p.output.clone(), p.grid, 1.0));
    }
    p.neurons.get(node.column - 1)?.get(node.unit).cloned().map(|v| scaled(v, p.thumb))
}

/// Input feature `unit` over the plane on an n×n grid, with its colour scale.
fn input_values(features: &[Feature], unit: usize, n: usize) -> Option<(Vec<f32>, usize, f32)> {
    let f = features.get(unit)?;
    (n > 0).then(|| scaled(feature_grid(*f, n), n))
}

/// A picture's values with their colour scale: the largest magnitude, at least 1.
fn scaled(v: Vec<f32>, n: usize) -> (Vec<f32>, usize, f32) {
    let scale = v.iter().fold(1e-6f32, |m, x| m.max(x.abs())).max(1.0);
    (v, n, scale)
}

/// A feature's value over the plane on an n×n grid, top row first (as the driver's grids).
fn feature_grid(f: Feature, n: usize) -> Vec<f32> {
    let cell = 2.0 * DOMAIN / n as f64;
    (0..n * n)
        .map(|i| {
            let (row, col) = (i / n, i % n);
            f.eval(
                -DOMAIN + (col as f64 + 0.5) * cell,
                DOMAIN - (row as f64 + 0.5) * cell,
            ) as f32
        })
        .collect()
}

pub(crate) fn node_name(lang: Lang, cols: &[Column], node: Node) -> String {
    let last = cols.len().saturating_sub(1);
    match node.column {
        0 => cols
            .first()
            .and_then(|c| c.features.get(node.unit))
            .map(|f| f.label().to_string())
            .unwrap_or_default(),
        c if c == last => tr(lang, "the output", "출력").to_string(),
        c => format!(
            "{} {c}, {} {}",
            tr(lang, "layer", "층"),
            tr(lang, "neuron", "뉴런"),
            node.unit + 1
        ),
    }
}

fn param_name(lang: Lang, cols: &[Column], param: Param) -> String {
    let name = |column: usize, unit: usize| node_name(lang, cols, Node { column, unit });
    match param {
        Param::Weight { layer, unit, input } => format!("{} {} → {}", tr(lang, "Weight", "가중치"), name(layer, input), name(layer + 1, unit)),
        Param::Bias { layer, unit } => format!("{} {}", tr(lang, "Bias of", "편향:"), name(layer + 1, unit)),
    }
}

#[component]
pub fn NetworkGraph(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let cols = Memo::new(move |_| lab.spec.with(columns));
    // What the pointer is on, and what the learner is editing.
    let pointed = RwSignal::new(None::<Param>);
    let editing = RwSignal::new(None::<Param>);
    let draft = RwSignal::new(String::new());
    let rejected = RwSignal::new(false);

    let links = move || {
        let cols = cols.get();
        let mut out = Vec::new();
        for c in 1..cols.len() {
            for u in 0..cols[c].shown() {
                for i in 0..cols[c - 1].shown() {
                    out.push((c, u, i));
                }
            }
        }
        out.into_iter()
            .map(|(c, unit, input)| {
                let param = Param::Weight { layer: c - 1, unit, input };
                let (x0, y0) = node_at(c - 1, input);
                let (x1, y1) = node_at(c, unit);
                let (x0, y0, x1, y1) = (x0 + NODE, y0 + NODE / 2.0, x1, y1 + NODE / 2.0);
                let xm = (x0 + x1) / 2.0;
                let d = format!("M{x0:.1},{y0:.1} C{xm:.1},{y0:.1} {xm:.1},{y1:.1} {x1:.1},{y1:.1}");
                let style = move || lab.weights.with(|w| value_of(w, param)).map(line_style);
                view! {
                    <path class="graph-weight" fill="none" d=d data-testid="graph-weight" data-layer=c - 1 data-unit=unit data-input=input
                        stroke=move || style().map(|s| s.0).unwrap_or_else(|| "#cbd5e1".into())
                        stroke-width=move || style().map(|s| format!("{:.2}", s.1)).unwrap_or_else(|| "1".into())
                        stroke-opacity=move || style().map(|s| format!("{:.2}", s.2)).unwrap_or_else(|| "0.5".into())
                        on:mouseenter=move |_| pointed.set(Some(param))
                        on:mouseleave=move |_| pointed.set(None)
                        on:click=move |_| start_edit(lab, editing, draft, rejected, param) />
                }
            })
            .collect_view()
    };

    let cols_now = move || cols.get_untracked();
    let nodes = move || {
        let cols = cols.get();
        let count = cols.len();
        let features = cols.first().map(|c| c.features.clone()).unwrap_or_default();
        let mut out = Vec::new();
        for (c, col) in cols.iter().enumerate() {
            for u in 0..col.shown() {
                out.push((c, u));
            }
        }
        out.into_iter()
            .map(|(column, unit)| {
                let node = Node { column, unit };
                let (x, y) = node_at(column, unit);
                let features = features.clone();
                // The inputs' pictures never change with training: made once per picture size.
                let thumb = Memo::new(move |_| lab.pictures.with(|p| p.thumb));
                let href = move || {
                    if column == 0 {
                        return input_values(&features, unit, thumb.get()).map(|(v, n, scale)| picture_url(&v, n, scale, false)).unwrap_or_default();
                    }
                    let discrete = lab.view.with(|v| v.discretize) && column + 1 == count;
                    lab.pictures
                        .with(|p| node_values(p, &features, node, count))
                        .map(|(v, n, scale)| picture_url(&v, n, scale, discrete))
                        .unwrap_or_default()
                };
                let bias = (column > 0).then(|| {
                    let param = Param::Bias { layer: column - 1, unit };
                    let fill = move || lab.weights.with(|w| value_of(w, param)).map(|b| line_style(b).0).unwrap_or_else(|| "#cbd5e1".into());
                    view! {
                        <rect class="graph-bias" stroke="#64748b" stroke-width="0.5" data-testid="graph-bias" x=x - 4.0 y=y + NODE - 6.0 width="7" height="7" fill=fill
                            on:mouseenter=move |_| pointed.set(Some(param)) on:mouseleave=move |_| pointed.set(None)
                            on:click=move |_| start_edit(lab, editing, draft, rejected, param) />
                    }
                });
                let hovered = move || lab.hover.get() == Some(node);
                view! {
                    // Focusable too: the keyboard shows a neuron in the big plot, and Enter edits its bias.
                    <g class="graph-node" class:hovered=hovered data-testid="graph-neuron" data-column=column data-unit=unit
                        tabindex="0" role="button" aria-label=move || node_name(lang.get(), &cols_now(), node)
                        on:mouseenter=move |_| lab.hover.set(Some(node))
                        on:mouseleave=move |_| lab.hover.set(None)
                        on:focus=move |_| lab.hover.set(Some(node))
                        on:blur=move |_| lab.hover.set(None)
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && column > 0 {
                                start_edit(lab, editing, draft, rejected, Param::Bias { layer: column - 1, unit });
                            }
                        }>
                        <image x=x y=y width=NODE height=NODE href=href preserveAspectRatio="none" />
                        <rect class="graph-frame" fill="none" stroke="#94a3b8" stroke-width="0.8" x=x y=y width=NODE height=NODE />
                        {bias}
                    </g>
                }
            })
            .collect_view()
    };

    // Labels under the input pictures and "+N more" under wide layers.
    let labels = move || {
        let cols = cols.get();
        let mut out = Vec::new();
        if let Some(c) = cols.first() {
            for (u, f) in c.features.iter().take(MAX_SHOWN).enumerate() {
                let (x, y) = node_at(0, u);
                out.push(view! { <text class="graph-label" font-size="9" fill="#64748b" font-family="sans-serif" x=x - 2.0 y=y + NODE / 2.0 + 4.0 text-anchor="end">{f.label()}</text> }.into_any());
            }
        }
        for (c, col) in cols.iter().enumerate() {
            if col.units > col.shown() {
                let (x, y) = node_at(c, col.shown());
                let more = col.units - col.shown();
                out.push(view! { <text class="graph-label" font-size="9" fill="#64748b" font-family="sans-serif" x=x + NODE / 2.0 y=y + 6.0 text-anchor="middle">{format!("+{more}")}</text> }.into_any());
            }
        }
        out
    };

    let view_box = move || {
        let c = cols.get();
        format!("0 0 {} {:.0}", c.len() as f64 * COLUMN, height(&c))
    };
    let heads = move || {
        let c = cols.get();
        c.iter()
            .enumerate()
            .map(|(i, col)| view! { <ColumnHead lab index=i column=col.clone() /> })
            .collect_view()
    };

    // The line under the graph: what the pointer is on, or the value being typed.
    let info = move || {
        let lang = lang.get();
        let cols = cols.get();
        if let Some(param) = editing.get() {
            let name = param_name(lang, &cols, param);
            let commit = move || {
                let text = draft.get_untracked();
                match text.trim().parse::<f32>() {
                    Ok(v) if v.is_finite() && v.abs() <= 100.0 => {
                        lab.edits.update(|e| e.push((param, v)));
                        editing.set(None);
                        rejected.set(false);
                    }
                    _ => rejected.set(true),
                }
            };
            // The field takes the focus, so that typing goes on from a click or a key.
            let field = NodeRef::<leptos::html::Input>::new();
            field.on_load(|el| {
                let _ = el.focus();
                el.select();
            });
            return view! {
                <label>{name} " = "
                    <input node_ref=field type="text" inputmode="decimal" data-testid="graph-edit" size="8" prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev| match ev.key().as_str() {
                            "Enter" => commit(),
                            "Escape" => editing.set(None),
                            _ => {}
                        } />
                </label>
                <button data-testid="graph-edit-apply" on:click=move |_| commit()>{tr(lang, "Set", "적용")}</button>
                <button on:click=move |_| editing.set(None)>{tr(lang, "Cancel", "취소")}</button>
                <span class="muted small" class:hidden=move || !rejected.get()>
                    {tr(lang, "A number from −100 to 100, please.", "−100에서 100 사이의 숫자를 입력하세요.")}
                </span>
            }
            .into_any();
        }
        let shown = pointed.get().and_then(|param| {
            lab.weights
                .with(|w| value_of(w, param))
                .map(|v| format!("{}: {v:.3}", param_name(lang, &cols, param)))
        });
        let shown = shown.or_else(|| {
            lab.hover.get().map(|n| {
                format!(
                    "{}: {}",
                    node_name(lang, &cols, n),
                    tr(
                        lang,
                        "its output fills the big plot",
                        "출력이 큰 그림에 표시됨"
                    )
                )
            })
        });
        // The hint is text (hidden by hideText); a value pointed at belongs to the experiment.
        let hint = shown.is_none();
        view! {
            <span data-testid="graph-hover" class:hide-text=hint>{shown.unwrap_or_else(|| tr(lang, "Point at a neuron to see its output in the big plot; at a line or a small square for its weight or bias; click one to change it.", "뉴런을 가리키면 큰 그림에 출력이 나타나고, 선이나 작은 사각형을 가리키면 가중치나 편향 값이, 누르면 바꿀 수 있습니다.").to_string())}</span>
        }
        .into_any()
    };

    let label = move || {
        let c = cols.get();
        let sizes: Vec<String> = c.iter().map(|c| c.units.to_string()).collect();
        format!(
            "{} {}",
            tr(
                lang.get(),
                "Network graph, neurons per column:",
                "신경망 그래프, 열마다 뉴런 수:"
            ),
            sizes.join(", ")
        )
    };
    view! {
        <div class="graph" class:hidden=move || cols.with(Vec::is_empty)>
            <div class="graph-heads">{heads}</div>
            <svg class="graph-svg" data-testid="graph" viewBox=view_box role="group" aria-label=label xmlns="http://www.w3.org/2000/svg">
                <g>{links}</g>
                <g>{nodes}</g>
                <g>{labels}</g>
            </svg>
            <p class="graph-info small" data-testid="graph-info">{info}</p>
            <p class="muted small hide-text">
                {move || tr(lang.get(),
                    "Blue: positive, orange: negative; wider lines are larger weights, and small ones fade. A layer wider than 12 shows its first 12 neurons. An edited weight stays in this run (and its saved copy), not in the share link, which carries the set-up.",
                    "파랑은 양수, 주황은 음수이고 굵을수록 큰 가중치이며 작은 가중치는 흐리게 보입니다. 12개보다 넓은 층은 처음 12개 뉴런만 그립니다. 바꾼 가중치는 이 실행(과 저장본)에 남고, 설정만 담는 공유 링크에는 들어가지 않습니다.")}
            </p>
        </div>
    }
}

fn start_edit(
    lab: Lab,
    editing: RwSignal<Option<Param>>,
    draft: RwSignal<String>,
    rejected: RwSignal<bool>,
    param: Param,
) {
    let now = lab
        .weights
        .with_untracked(|w| value_of(w, param))
        .unwrap_or(0.0);
    draft.set(format!("{now:.3}"));
    rejected.set(false);
    editing.set(Some(param));
}

/// Above each column: its name, and for a hidden layer its −/+ and activation.
#[component]
fn ColumnHead(lab: Lab, index: usize, column: Column) -> impl IntoView {
    let lang = lab.lang;
    let Some(layer) = column.layer else {
        let name = move || {
            if index == 0 {
                tr(lang.get(), "Input", "입력")
            } else {
                tr(lang.get(), "Output", "출력")
            }
        };
        return view! { <div class="graph-head"><span class="graph-title">{name}</span></div> }
            .into_any();
    };
    let act_id = move || {
        lab.spec.with(|s| match s.layers.get(layer) {
            Some(LayerSpec::Dense { activation, .. }) => Some(activation.id()),
            _ => None,
        })
    };
    let step = move |delta: i32| resize_layer(lab, layer, delta);
    let options = move || activation_options(lab, act_id);
    let units = column.units;
    view! {
        <div class="graph-head" class:selected=move || lab.selected_layer.get() == layer data-testid=format!("layer-{layer}")
            on:click=move |_| lab.selected_layer.set(layer)>
            <span class="graph-title"><span data-testid=format!("layer-{layer}-units")>{units}</span> " " {move || tr(lang.get(), "neurons", "뉴런")}</span>
            <span class="graph-steps">
                <button data-testid=format!("layer-{layer}-minus") on:click=move |_| step(-1)
                    aria-label=move || format!("{} {}", tr(lang.get(), "fewer neurons in layer", "뉴런 줄이기, 층"), layer + 1)>"−"</button>
                <button data-testid=format!("layer-{layer}-plus") on:click=move |_| step(1)
                    aria-label=move || format!("{} {}", tr(lang.get(), "more neurons in layer", "뉴런 늘리기, 층"), layer + 1)>"+"</button>
            </span>
            <select data-testid=format!("layer-{layer}-activation")
                aria-label=move || format!("{} {}", tr(lang.get(), "activation of layer", "활성화 함수, 층"), layer + 1)
                on:change=move |ev| {
                    if let Ok(a) = Activation::from_id(&event_target_value(&ev)) {
                        set_activation(lab, layer, a);
                    }
                }>{options}</select>
        </div>
    }
    .into_any()
}
