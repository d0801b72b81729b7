//! The model file: a spec and its trained weights in one JSON document that imports back.
//!
//! ```json
//! {
//!   "format": "dl101-model",
//!   "version": 1,
//!   "spec": { ...the ModelSpec, exactly as in share links... },
//!   "training": { "epoch": 12, "step": 3000 },
//!   "layers": [
//!     { "kind": "conv2d", "spec_index": 0,
//!       "weight": { "shape": [8, 1, 3, 3], "data": "<base64>" },
//!       "bias":   { "shape": [8], "data": "<base64>" } },
//!     { "kind": "max_pool2d", "spec_index": 1 },
//!     { "kind": "lstm", "spec_index": 0,
//!       "weight_ih": {..}, "weight_hh": {..}, "bias_ih": {..}, "bias_hh": {..} },
//!     { "kind": "dense", "spec_index": null,
//!       "weight": {..}, "bias": {..}, "prelu_alpha": {..} }
//!   ]
//! }
//! ```
//!
//! - One entry per built layer, in order: every spec layer except `flatten` (which builds
//!   nothing), then the output layer (`spec_index` null). Pools have no tensors.
//! - Tensors are named and shaped as in PyTorch's `state_dict` (`torch.nn.Linear`, `Conv2d`,
//!   `PReLU`, `RNN`/`LSTM`/`GRU` without the `_l0` suffix), so `weight` of a dense layer is
//!   `[out, in]` (Maxout: `[units × pieces, in]`, piece `k` of unit `j` in row `j·pieces + k`).
//! - `data` is the base64 (RFC 4648, padded) of the values as little-endian IEEE 754 float32,
//!   row-major: exact, and a third the size of decimal text.
//! - The optimizer's state is not saved: an imported model continues training from its weights
//!   with a fresh optimizer (see [`crate::train::Trainer::load_parameters`]).
//!
//! [`ModelFile::parse`] never panics. It refuses files over [`MAX_FILE_BYTES`] before reading
//! them, then checks the format, the version, the spec (with [`ModelSpec::validate`]'s
//! messages), every layer's kind and every tensor's shape against what the spec builds, the
//! base64, and that every number is finite; the first problem comes back as an [`ImportError`]
//! whose message names the place, fit to show in the page.

use serde::Serialize;
use serde_json::{Map, Value};
use thiserror::Error;

use crate::b64;
use crate::backend::Backend;
use crate::error::{EngineError, Result};
use crate::layers::{CellKind, PoolKind};
use crate::model::LayerParams;
use crate::plan::{LayerPlan, Planned};
use crate::spec::ModelSpec;
use crate::train::Trainer;

/// The value of the `format` field.
pub const FORMAT: &str = "dl101-model";
/// The file format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;
/// The largest file [`ModelFile::parse`] reads: the biggest network a spec allows
/// ([`crate::spec::limits::MAX_PARAMS`], 4 Mi floats) is about 22 MB of base64.
pub const MAX_FILE_BYTES: usize = 32 << 20;

/// A model: its spec, where training stood, and its weights (PyTorch layouts).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    pub spec: ModelSpec,
    /// Completed epochs when it was saved.
    pub epoch: u32,
    /// Steps taken when it was saved.
    pub step: u64,
    /// One entry per built layer, as [`crate::train::Trainer::parameters`] returns them.
    pub layers: Vec<LayerParams>,
}

/// Why a model file cannot be imported. The message says what is wrong and where.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ImportError {
    #[error("the file is {bytes} bytes; model files are limited to {max} bytes (32 MiB)")]
    TooLarge { bytes: usize, max: usize },
    #[error("the file is not valid JSON: {0}")]
    NotJson(String),
    #[error("not a DL101 model file: {0}")]
    WrongFormat(String),
    #[error("model file version {found} is not supported; this version of DL101 reads version {FORMAT_VERSION}")]
    UnsupportedVersion { found: String },
    #[error("{field} is missing")]
    Missing { field: String },
    #[error("{field}: {message}")]
    BadField { field: String, message: String },
    #[error("the model's spec is invalid: {0}")]
    InvalidSpec(String),
    #[error("the file has {file} layers, the spec builds {built}{hint}")]
    LayerCount { file: usize, built: usize, hint: &'static str },
    #[error("layers[{index}]: the file has a {file} layer where the spec builds {built}")]
    LayerKind { index: usize, file: String, built: &'static str },
    #[error("layers[{index}] ({kind}): {tensor} is {} in the file, the spec builds {}", dims(file), dims_usize(built))]
    Shape { index: usize, kind: &'static str, tensor: &'static str, file: Vec<u64>, built: Vec<usize> },
    #[error("layers[{index}] ({kind}): {tensor}.data is not valid base64: {message}")]
    Base64 { index: usize, kind: &'static str, tensor: &'static str, message: String },
    #[error("layers[{index}] ({kind}): {tensor}.data holds {values} numbers, its shape needs {expected}")]
    DataLength { index: usize, kind: &'static str, tensor: &'static str, values: usize, expected: usize },
    #[error("layers[{index}] ({kind}): {tensor}[{position}] is {value}, not a finite number")]
    NonFinite { index: usize, kind: &'static str, tensor: &'static str, position: usize, value: String },
}

fn dims(d: &[u64]) -> String {
    format!("[{}]", d.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
}

fn dims_usize(d: &[usize]) -> String {
    format!("[{}]", d.iter().map(usize::to_string).collect::<Vec<_>>().join(","))
}

impl From<ImportError> for EngineError {
    fn from(e: ImportError) -> Self {
        EngineError::Io(format!("cannot import the model file: {e}"))
    }
}

#[derive(Serialize)]
struct TensorOut {
    shape: Vec<usize>,
    data: String,
}

#[derive(Serialize)]
struct TrainingOut {
    epoch: u32,
    step: u64,
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u64,
    spec: &'a ModelSpec,
    training: TrainingOut,
    layers: Vec<Map<String, Value>>,
}

/// The tensors a built layer has, by file name, with their shapes: the file's layout.
struct Layout {
    kind: &'static str,
    spec_index: Option<usize>,
    fan_in: usize,
    units: usize,
    tensors: Vec<(&'static str, Vec<usize>)>,
}

fn kind_of(plan: &LayerPlan) -> &'static str {
    match plan.layer {
        Planned::Dense { .. } => "dense",
        Planned::Conv { .. } => "conv2d",
        Planned::Pool { kind: PoolKind::Max, .. } => "max_pool2d",
        Planned::Pool { kind: PoolKind::Avg, .. } => "avg_pool2d",
        Planned::Flatten => "flatten",
        Planned::Recurrent { kind: CellKind::Rnn, .. } => "rnn",
        Planned::Recurrent { kind: CellKind::Lstm, .. } => "lstm",
        Planned::Recurrent { kind: CellKind::Gru, .. } => "gru",
    }
}

fn layouts(spec: &ModelSpec) -> Result<Vec<Layout>> {
    Ok(crate::plan::plan(spec)?
        .iter()
        .filter(|p| p.layer != Planned::Flatten)
        .map(|p| {
            let (fan_in, units, tensors) = match p.layer {
                Planned::Dense { fan_in, units, act } => {
                    let pre = units * act.fan();
                    let mut t = vec![("weight", vec![pre, fan_in]), ("bias", vec![pre])];
                    if act == crate::activation::Activation::Prelu {
                        t.push(("prelu_alpha", vec![units]));
                    }
                    (fan_in, units, t)
                }
                Planned::Conv { op, .. } => {
                    let (o, c, kh, kw) = (op.out_channels, op.in_channels, op.kernel[0], op.kernel[1]);
                    (c * kh * kw, o, vec![("weight", vec![o, c, kh, kw]), ("bias", vec![o])])
                }
                Planned::Recurrent { kind, input, hidden, .. } => {
                    let gh = kind.gates() * hidden;
                    let t = vec![("weight_ih", vec![gh, input]), ("weight_hh", vec![gh, hidden]), ("bias_ih", vec![gh]), ("bias_hh", vec![gh])];
                    (input, hidden, t)
                }
                Planned::Pool { .. } | Planned::Flatten => (0, 0, Vec::new()),
            };
            Layout { kind: kind_of(p), spec_index: p.spec_index, fan_in, units, tensors }
        })
        .collect())
}

/// The tensors of `p` by file name, in writing order.
fn tensors_of(p: &LayerParams) -> Vec<(&'static str, Vec<usize>, &[f32])> {
    match p.kind {
        "rnn" | "lstm" | "gru" => {
            let gh = p.bias.len();
            vec![
                ("weight_ih", p.weight_shape.clone(), &p.weight[..]),
                ("weight_hh", vec![gh, p.units], &p.weight_hh[..]),
                ("bias_ih", vec![gh], &p.bias[..]),
                ("bias_hh", vec![gh], &p.bias_hh[..]),
            ]
        }
        "dense" | "conv2d" => {
            let mut t = vec![("weight", p.weight_shape.clone(), &p.weight[..]), ("bias", vec![p.bias.len()], &p.bias[..])];
            if let Some(a) = &p.prelu_alpha {
                t.push(("prelu_alpha", vec![a.len()], &a[..]));
            }
            t
        }
        _ => Vec::new(),
    }
}

impl ModelFile {
    /// A model file of `spec` with these weights (one entry per built layer, see
    /// [`crate::train::Trainer::parameters`]) after `epoch` epochs and `step` steps.
    pub fn new(spec: ModelSpec, epoch: u32, step: u64, layers: Vec<LayerParams>) -> ModelFile {
        ModelFile { spec, epoch, step, layers }
    }

    /// The trainer's spec, position and current weights (read back from its device).
    pub async fn from_trainer<B: Backend>(trainer: &mut Trainer<B>) -> Result<ModelFile> {
        let layers = trainer.parameters().await?;
        Ok(ModelFile::new(trainer.spec().clone(), trainer.epoch(), trainer.steps(), layers))
    }

    /// A trainer of the file's spec on `backend`, with the file's weights.
    pub fn build<B: Backend>(&self, backend: B) -> Result<Trainer<B>> {
        let mut t = Trainer::new(backend, &self.spec)?;
        t.load_parameters(&self.layers)?;
        Ok(t)
    }

    /// Number of parameters in the file.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|l| tensors_of(l).iter().map(|t| t.2.len()).sum::<usize>()).sum()
    }

    /// The file's text (pretty-printed JSON, one field per line; tensors stay on one line each).
    pub fn to_json(&self) -> String {
        let layers = self
            .layers
            .iter()
            .map(|p| {
                let mut m = Map::new();
                m.insert("kind".into(), Value::from(p.kind));
                m.insert("spec_index".into(), p.spec_index.map_or(Value::Null, Value::from));
                for (name, shape, data) in tensors_of(p) {
                    let t = TensorOut { shape, data: b64::encode_f32(data) };
                    m.insert(name.into(), serde_json::to_value(t).unwrap_or(Value::Null));
                }
                m
            })
            .collect();
        let out = FileOut {
            format: FORMAT,
            version: FORMAT_VERSION,
            spec: &self.spec,
            training: TrainingOut { epoch: self.epoch, step: self.step },
            layers,
        };
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(&out).unwrap_or_default()
    }

    /// Reads and checks a model file; see the module documentation for what is checked. Never
    /// panics, whatever `text` holds.
    pub fn parse(text: &str) -> std::result::Result<ModelFile, ImportError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(ImportError::TooLarge { bytes: text.len(), max: MAX_FILE_BYTES });
        }
        let root: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
        let Some(obj) = root.as_object() else {
            return Err(ImportError::WrongFormat(format!("the file holds {}, not an object", describe(&root))));
        };
        match obj.get("format") {
            Some(Value::String(f)) if f == FORMAT => {}
            Some(Value::String(f)) => return Err(ImportError::WrongFormat(format!("its format is {f:?}, not {FORMAT:?}"))),
            Some(other) => return Err(ImportError::WrongFormat(format!("its format is {}, not {FORMAT:?}", describe(other)))),
            None if obj.contains_key("data") && obj.contains_key("loss") => {
                return Err(ImportError::WrongFormat("this is a model spec without weights; open it as an experiment instead".into()));
            }
            None if obj.contains_key("params") && obj.contains_key("shuffle") => {
                return Err(ImportError::WrongFormat("this is saved training state, not an exported model".into()));
            }
            None => return Err(ImportError::WrongFormat(format!("it has no \"format\": {FORMAT:?} field"))),
        }
        match obj.get("version") {
            Some(v) if v.as_u64() == Some(FORMAT_VERSION) => {}
            Some(v) => return Err(ImportError::UnsupportedVersion { found: short(v) }),
            None => return Err(ImportError::Missing { field: "version".into() }),
        }
        let spec_value = obj.get("spec").ok_or_else(|| ImportError::Missing { field: "spec".into() })?;
        if !spec_value.is_object() {
            return Err(ImportError::BadField { field: "spec".into(), message: format!("expected an object, found {}", describe(spec_value)) });
        }
        let spec = ModelSpec::from_json(&spec_value.to_string()).map_err(|e| {
            ImportError::InvalidSpec(match e {
                EngineError::InvalidSpec(m) => m,
                other => other.to_string(),
            })
        })?;
        let (epoch, step) = match obj.get("training") {
            None | Some(Value::Null) => (0, 0),
            Some(Value::Object(t)) => {
                let num = |name: &str, max: u64| -> std::result::Result<u64, ImportError> {
                    match t.get(name) {
                        None => Ok(0),
                        Some(v) => v.as_u64().filter(|&n| n <= max).ok_or_else(|| ImportError::BadField {
                            field: format!("training.{name}"),
                            message: format!("expected a whole number up to {max}, found {}", short(v)),
                        }),
                    }
                };
                (num("epoch", u32::MAX as u64)? as u32, num("step", u64::MAX)?)
            }
            Some(other) => {
                return Err(ImportError::BadField { field: "training".into(), message: format!("expected an object, found {}", describe(other)) });
            }
        };
        let file_layers = match obj.get("layers") {
            None => return Err(ImportError::Missing { field: "layers".into() }),
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(ImportError::BadField { field: "layers".into(), message: format!("expected a list, found {}", describe(other)) });
            }
        };
        // The spec validated, so it plans.
        let built = layouts(&spec).map_err(|e| ImportError::InvalidSpec(e.to_string()))?;
        if file_layers.len() != built.len() {
            let hint = if spec.layers.iter().any(|l| matches!(l, crate::spec::LayerSpec::Flatten)) {
                " (one per spec layer except flatten, plus the output layer)"
            } else {
                " (one per spec layer, plus the output layer)"
            };
            return Err(ImportError::LayerCount { file: file_layers.len(), built: built.len(), hint });
        }
        let mut layers = Vec::with_capacity(built.len());
        for (index, (value, want)) in file_layers.iter().zip(&built).enumerate() {
            layers.push(parse_layer(index, value, want)?);
        }
        Ok(ModelFile { spec, epoch, step, layers })
    }
}

/// What a JSON value is, for messages.
fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A value for a message, cut short.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
}

fn parse_layer(index: usize, value: &Value, want: &Layout) -> std::result::Result<LayerParams, ImportError> {
    let field = |name: &str| format!("layers[{index}].{name}");
    let Some(obj) = value.as_object() else {
        return Err(ImportError::BadField { field: format!("layers[{index}]"), message: format!("expected an object, found {}", describe(value)) });
    };
    let kind = match obj.get("kind") {
        Some(Value::String(k)) => k,
        Some(other) => return Err(ImportError::BadField { field: field("kind"), message: format!("expected text, found {}", describe(other)) }),
        None => return Err(ImportError::Missing { field: field("kind") }),
    };
    if kind != want.kind {
        let file = if kind.chars().count() > 40 { format!("{}…", kind.chars().take(40).collect::<String>()) } else { kind.clone() };
        return Err(ImportError::LayerKind { index, file, built: want.kind });
    }
    match obj.get("spec_index") {
        None => {}
        Some(v) => {
            let ok = match (v, want.spec_index) {
                (Value::Null, None) => true,
                (v, Some(i)) => v.as_u64() == Some(i as u64),
                _ => false,
            };
            if !ok {
                let built = want.spec_index.map_or("null (the output layer)".to_string(), |i| i.to_string());
                return Err(ImportError::BadField { field: field("spec_index"), message: format!("is {} in the file, the spec's is {built}", short(v)) });
            }
        }
    }
    let mut p = LayerParams {
        kind: want.kind,
        spec_index: want.spec_index,
        fan_in: want.fan_in,
        units: want.units,
        weight: Vec::new(),
        weight_shape: Vec::new(),
        bias: Vec::new(),
        prelu_alpha: None,
        weight_hh: Vec::new(),
        bias_hh: Vec::new(),
    };
    for (name, shape) in &want.tensors {
        let values = parse_tensor(index, want.kind, name, obj.get(*name), shape)?;
        match *name {
            "weight" | "weight_ih" => {
                p.weight = values;
                p.weight_shape = shape.clone();
            }
            "bias" | "bias_ih" => p.bias = values,
            "weight_hh" => p.weight_hh = values,
            "bias_hh" => p.bias_hh = values,
            _ => p.prelu_alpha = Some(values),
        }
    }
    // A slope tensor where the activation has none would be silently dropped: say so.
    if want.kind == "dense" && !want.tensors.iter().any(|t| t.0 == "prelu_alpha") && obj.get("prelu_alpha").is_some_and(|v| !v.is_null()) {
        return Err(ImportError::BadField {
            field: field("prelu_alpha"),
            message: "the file has PReLU slopes, but the spec's activation for this layer is not prelu".into(),
        });
    }
    Ok(p)
}

fn parse_tensor(
    index: usize,
    kind: &'static str,
    tensor: &'static str,
    value: Option<&Value>,
    shape: &[usize],
) -> std::result::Result<Vec<f32>, ImportError> {
    let field = |name: &str| format!("layers[{index}].{tensor}{name}");
    let obj = match value {
        None | Some(Value::Null) => return Err(ImportError::Missing { field: field("") }),
        Some(Value::Object(o)) => o,
        Some(other) => return Err(ImportError::BadField { field: field(""), message: format!("expected an object with shape and data, found {}", describe(other)) }),
    };
    let file_shape: Vec<u64> = match obj.get("shape") {
        None => return Err(ImportError::Missing { field: field(".shape") }),
        Some(Value::Array(a)) if a.len() <= 8 => {
            let dims: Option<Vec<u64>> = a.iter().map(Value::as_u64).collect();
            dims.ok_or_else(|| ImportError::BadField { field: field(".shape"), message: "expected a list of whole numbers".into() })?
        }
        Some(other) => {
            return Err(ImportError::BadField { field: field(".shape"), message: format!("expected a short list of whole numbers, found {}", describe(other)) });
        }
    };
    if file_shape.len() != shape.len() || file_shape.iter().zip(shape).any(|(&f, &s)| f != s as u64) {
        return Err(ImportError::Shape { index, kind, tensor, file: file_shape, built: shape.to_vec() });
    }
    let data = match obj.get("data") {
        None => return Err(ImportError::Missing { field: field(".data") }),
        Some(Value::String(s)) => s,
        Some(other) => return Err(ImportError::BadField { field: field(".data"), message: format!("expected base64 text, found {}", describe(other)) }),
    };
    let values = b64::decode_f32(data).map_err(|message| ImportError::Base64 { index, kind, tensor, message })?;
    let expected: usize = shape.iter().product();
    if values.len() != expected {
        return Err(ImportError::DataLength { index, kind, tensor, values: values.len(), expected });
    }
    if let Some(position) = values.iter().position(|v| !v.is_finite()) {
        return Err(ImportError::NonFinite { index, kind, tensor, position, value: values[position].to_string() });
    }
    Ok(values)
}
