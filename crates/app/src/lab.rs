//! The page's state: what the learner set up (the spec and the controls) and what training shows
//! (metrics, curves, pictures). One `Copy` bundle of signals that every panel receives.

use engine::data::Point;
use engine::export::ModelFile;
use engine::model::LayerParams;
use engine::share::ViewOptions;
use engine::spec::ModelSpec;
use engine::train::{Diagnostics, Metrics};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compute::ComputeStatus;
use crate::i18n::Lang;

/// Which device the learner asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DevicePref {
    /// WebGPU on a hardware adapter; the CPU without WebGPU or on a software adapter, where the
    /// CPU backend trains faster.
    Auto,
    Gpu,
    Cpu,
}

/// How fast training runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Speed {
    /// One epoch per frame at most (as TensorFlow Playground): the curves unfold as you watch.
    Paced,
    /// As many steps as fit in each frame's budget.
    Full,
}

/// A small picture: `height × width` values, row-major.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Grid {
    pub width: usize,
    pub height: usize,
    #[serde(with = "crate::wire::f32s")]
    pub data: Vec<f32>,
}

/// What a convolutional network shows: one test image, the first conv layer's filters, and every
/// conv and pooling layer's feature maps for that image.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ImagePictures {
    pub input: Grid,
    pub label: f32,
    pub predicted: usize,
    pub filters: Vec<Grid>,
    /// `(layer label, one grid per channel)`.
    pub maps: Vec<(String, Vec<Grid>)>,
}

/// What a recurrent network shows: predictions against the truth over consecutive test samples,
/// and the network unrolled over one test sample: its input at each time step and each
/// recurrent layer's hidden state at each step (`width` = steps, `height` = units).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SequencePictures {
    #[serde(with = "crate::wire::f32s")]
    pub truth: Vec<f32>,
    #[serde(with = "crate::wire::f32s")]
    pub predicted: Vec<f32>,
    pub input: Grid,
    /// `(layer number from 1, its hidden size, the states of up to 32 of its units)`.
    pub hidden: Vec<(usize, usize, Grid)>,
}

/// What training shows besides the curves: for 2-D points the network's answer over the input
/// plane and each neuron's; for images, filters and feature maps; for sequences, predictions.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Pictures {
    pub images: Option<ImagePictures>,
    pub sequence: Option<SequencePictures>,
    /// Cells per side of the grids below.
    pub grid: usize,
    /// The output, mapped to [-1, 1] (class colours) or the regression value, row-major, top row first.
    #[serde(with = "crate::wire::f32s")]
    pub output: Vec<f32>,
    /// `neurons[layer][unit]`: that neuron's output on a coarser grid of `thumb` cells per side.
    #[serde(with = "crate::wire::f32s::nested")]
    pub neurons: Vec<Vec<Vec<f32>>>,
    pub thumb: usize,
}

/// A neuron of the network graph: `column` 0 is the input features, 1.. the hidden layers, the
/// last the output; `unit` counts from 0 within its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    pub column: usize,
    pub unit: usize,
}

/// One number of the network the learner can point at on the graph: a weight of parameter layer
/// `layer` (as [`LayerParams`] counts them: the hidden layers, then the output layer) from input
/// `input` to unit `unit`, or a unit's bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Param {
    Weight {
        layer: usize,
        unit: usize,
        input: usize,
    },
    Bias {
        layer: usize,
        unit: usize,
    },
}

/// What a link said about itself when the page opened it, shown under the header: problems in
/// the yellow banner, left-out keys as one line with the list behind a click, notes in small
/// print. Empty for a link this page wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkReport {
    pub problems: Vec<String>,
    pub missing: Vec<String>,
    pub notes: Vec<String>,
}

/// Every signal the panels share.
#[derive(Clone, Copy)]
pub struct Lab {
    pub spec: RwSignal<ModelSpec>,
    pub lang: RwSignal<Lang>,
    pub playing: RwSignal<bool>,
    /// Bumped by the Step button: the driver trains one epoch per bump.
    pub step_requests: RwSignal<u32>,
    /// Bumped by Reset: the driver rebuilds the session from the spec.
    pub resets: RwSignal<u32>,
    pub device_pref: RwSignal<DevicePref>,
    pub speed: RwSignal<Speed>,
    /// The hidden layer whose activation the comparison table sets.
    pub selected_layer: RwSignal<usize>,

    pub status: RwSignal<ComputeStatus>,
    /// Which device the running session trains on, and why (shown in the page), in English and Korean.
    pub device: RwSignal<(String, String)>,
    pub history: RwSignal<Vec<(f64, Metrics)>>,
    pub latest: RwSignal<Option<Metrics>>,
    pub steps_per_sec: RwSignal<f64>,
    pub pictures: RwSignal<Pictures>,
    pub points: RwSignal<(Vec<Point>, Vec<Point>)>,
    /// A message for the learner (divergence, an invalid setting, a lost device).
    pub notice: RwSignal<Option<String>>,
    /// Per-layer gradient norms, dead and saturated units, and warnings in words.
    pub diagnostics: RwSignal<Option<Diagnostics>>,
    /// The open lesson's id.
    pub lesson: RwSignal<Option<&'static str>>,
    /// An imported model file waiting for the driver to load its weights into the next session.
    pub import: RwSignal<Option<ModelFile>>,
    /// Bumped by "Export model": the driver reads the weights back and offers the file.
    pub export_requests: RwSignal<u32>,
    /// Side-by-side run: experiment B, a fork of the open one (A) with one thing changed, trained
    /// at the same time in a trainer of its own. `None` when not comparing.
    pub compare: RwSignal<Option<ModelSpec>>,
    pub b_history: RwSignal<Vec<(f64, Metrics)>>,
    pub b_latest: RwSignal<Option<Metrics>>,
    /// B's output over the plane (2-D data), as [`Pictures::output`].
    pub b_output: RwSignal<Vec<f32>>,
    pub b_steps_per_sec: RwSignal<f64>,

    /// How the experiment is shown (test points, discretized output, text, embed layout); links
    /// carry it beside the spec.
    pub view: RwSignal<ViewOptions>,
    /// What the opening link reported.
    pub link_report: RwSignal<LinkReport>,
    /// The dense network's weights and biases as last read back (2-D data), for the graph.
    pub weights: RwSignal<Vec<LayerParams>>,
    /// The graph's neuron under the pointer: its picture fills the big plot.
    pub hover: RwSignal<Option<Node>>,
    /// Values the learner typed on the graph, waiting for the driver to write them into the
    /// running session.
    pub edits: RwSignal<Vec<(Param, f32)>>,
    /// Bumped by the GPU lesson's Measure: the driver times the lesson's network at each width
    /// on the CPU and on WebGPU.
    pub sweep_requests: RwSignal<u32>,
    /// What that measurement found so far.
    pub sweep: RwSignal<Option<Sweep>>,
    /// How many times the pictures have been redrawn (the boundary carries it as `data-updates`,
    /// so the reduced-motion pacing can be observed).
    pub picture_updates: RwSignal<u64>,
}

/// The GPU lesson's measurement: steps per second at each width on each device.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// (width, CPU steps/s, WebGPU steps/s where the browser has a working WebGPU).
    pub rows: Vec<(u32, f64, Option<f64>)>,
    /// Every width has been measured.
    pub done: bool,
    /// The WebGPU adapter is a software one (it runs on the CPU).
    pub software: bool,
}

impl Lab {
    pub fn new(spec: ModelSpec, lang: Lang) -> Lab {
        Lab {
            spec: RwSignal::new(spec),
            lang: RwSignal::new(lang),
            playing: RwSignal::new(false),
            step_requests: RwSignal::new(0),
            resets: RwSignal::new(0),
            device_pref: RwSignal::new(DevicePref::Auto),
            speed: RwSignal::new(Speed::Paced),
            selected_layer: RwSignal::new(0),
            status: RwSignal::new(ComputeStatus::Detecting),
            device: RwSignal::new((String::new(), String::new())),
            history: RwSignal::new(Vec::new()),
            latest: RwSignal::new(None),
            steps_per_sec: RwSignal::new(0.0),
            pictures: RwSignal::new(Pictures::default()),
            points: RwSignal::new((Vec::new(), Vec::new())),
            notice: RwSignal::new(None),
            diagnostics: RwSignal::new(None),
            lesson: RwSignal::new(None),
            import: RwSignal::new(None),
            export_requests: RwSignal::new(0),
            compare: RwSignal::new(None),
            b_history: RwSignal::new(Vec::new()),
            b_latest: RwSignal::new(None),
            b_output: RwSignal::new(Vec::new()),
            b_steps_per_sec: RwSignal::new(0.0),
            view: RwSignal::new(ViewOptions::default()),
            link_report: RwSignal::new(LinkReport::default()),
            weights: RwSignal::new(Vec::new()),
            hover: RwSignal::new(None),
            sweep_requests: RwSignal::new(0),
            sweep: RwSignal::new(None),
            picture_updates: RwSignal::new(0),
            edits: RwSignal::new(Vec::new()),
        }
    }

    /// Changes the spec; the driver notices and starts a fresh session.
    pub fn edit(&self, f: impl FnOnce(&mut ModelSpec)) {
        self.spec.update(f);
    }
}
