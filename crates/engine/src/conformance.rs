//! The conformance runner: reads reference vectors (format in `conformance/README.md`) and runs
//! each through the [`Backend`] trait ops, so every backend is checked by the same code and
//! against the same numbers. Ops the engine does not implement yet are reported as failed
//! ("not supported"), never skipped, so a folder passes only when everything in it works.
//!
//! ```no_run
//! use engine::backend::cpu::CpuBackend;
//! let results = engine::conformance::run_dir_blocking("conformance/vectors".as_ref(), &mut CpuBackend::new()).unwrap();
//! assert!(results.iter().all(|r| r.passed));
//! ```

mod layers;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::activation::Activation;
use crate::backend::{ActOp, Backend, Gemm, LossOp, View};
use crate::error::{EngineError, Result};
use crate::loss::LossKind;
use crate::optim::{OptimKind, OptimStep};

/// A tensor of a vector file: shape and row-major data.
#[derive(Clone, Debug, Deserialize)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

/// A case passes when `|got − want| <= atol + rtol·|want|` for every element.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Tolerance {
    pub rtol: f64,
    pub atol: f64,
}

/// One vector file.
#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub name: String,
    pub op: String,
    #[serde(default)]
    pub attrs: Map<String, Value>,
    pub inputs: BTreeMap<String, Tensor>,
    pub outputs: BTreeMap<String, Tensor>,
    #[serde(default)]
    pub upstream: BTreeMap<String, Tensor>,
    #[serde(default)]
    pub grads: BTreeMap<String, Tensor>,
    pub tolerance: Tolerance,
}

/// The outcome of one case on one backend.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// The file name (or the case name when run from memory).
    pub file: String,
    pub name: String,
    pub op: String,
    pub passed: bool,
    /// Why it failed, or a short summary when it passed.
    pub message: String,
}

impl Case {
    /// Parses one vector file's text.
    pub fn from_json(text: &str) -> Result<Case> {
        let case: Case = serde_json::from_str(text).map_err(|e| EngineError::Io(format!("bad vector file: {e}")))?;
        for (k, t) in case.inputs.iter().chain(&case.outputs).chain(&case.upstream).chain(&case.grads) {
            let n = t.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
            let n = n.ok_or_else(|| EngineError::Io(format!("tensor `{k}`: shape {:?} is too large", t.shape)))?;
            if n != t.data.len() {
                return Err(EngineError::Io(format!("tensor `{k}`: shape {:?} holds {n} values, data has {}", t.shape, t.data.len())));
            }
        }
        Ok(case)
    }
}

/// The vector files of `dir` (`*.json`, sorted by name), each parsed or with its parse error.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, Result<Case>)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| EngineError::Io(format!("cannot read {}: {e}", dir.display())))?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files
        .into_iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let case = std::fs::read_to_string(&p)
                .map_err(|e| EngineError::Io(format!("cannot read {}: {e}", p.display())))
                .and_then(|t| Case::from_json(&t));
            (name, case)
        })
        .collect())
}

/// Runs every vector file of `dir` on `backend`. Files that do not parse are failed results.
pub async fn run_dir<B: Backend>(dir: &Path, backend: &mut B) -> Result<Vec<CaseResult>> {
    let mut out = Vec::new();
    for (file, case) in load_dir(dir)? {
        out.push(match case {
            Ok(case) => run_case(backend, &case, &file).await,
            Err(e) => CaseResult { file: file.clone(), name: file, op: "?".into(), passed: false, message: e.to_string() },
        });
    }
    Ok(out)
}

/// [`run_dir`], blocking until done (native only: the browser must await).
#[cfg(not(target_arch = "wasm32"))]
pub fn run_dir_blocking<B: Backend>(dir: &Path, backend: &mut B) -> Result<Vec<CaseResult>> {
    pollster::block_on(run_dir(dir, backend))
}

/// Runs one case on `backend` and compares every output and gradient.
pub async fn run_case<B: Backend>(backend: &mut B, case: &Case, file: &str) -> CaseResult {
    let result = match case.op.as_str() {
        "dense" => dense(backend, case).await,
        "activation" => activation(backend, case).await,
        "loss" => loss(backend, case).await,
        "optimizer" => optimizer(backend, case).await,
        "conv2d" => layers::conv2d(backend, case).await,
        "maxpool2d" => layers::pool2d(backend, case, crate::layers::PoolKind::Max).await,
        "avgpool2d" => layers::pool2d(backend, case, crate::layers::PoolKind::Avg).await,
        "rnn" => layers::rnn(backend, case).await,
        other => Err(EngineError::Unsupported(format!("op `{other}` (not implemented yet)"))),
    };
    let (passed, message) = match result.and_then(|got| compare(case, &got)) {
        Ok(n) => (true, format!("{n} values within tolerance")),
        Err(e) => (false, e.to_string()),
    };
    CaseResult { file: file.to_string(), name: case.name.clone(), op: case.op.clone(), passed, message }
}

/// What an op produced: outputs and gradients by name.
#[derive(Default)]
struct Got {
    outputs: BTreeMap<String, Vec<f32>>,
    grads: BTreeMap<String, Vec<f32>>,
}

/// Checks every expected tensor; returns how many values were compared.
fn compare(case: &Case, got: &Got) -> Result<usize> {
    let tol = case.tolerance;
    let mut count = 0;
    let sets = [("output", &case.outputs, &got.outputs), ("grad", &case.grads, &got.grads)];
    for (what, want, have) in sets {
        for (key, t) in want {
            let g = have.get(key).ok_or_else(|| EngineError::Io(format!("{what} `{key}` was not produced")))?;
            if g.len() != t.data.len() {
                return Err(EngineError::Io(format!("{what} `{key}`: {} values, expected {}", g.len(), t.data.len())));
            }
            for (i, (&gv, &wv)) in g.iter().zip(&t.data).enumerate() {
                let gv = gv as f64;
                // Written so that NaN fails: every comparison with NaN is false.
                let within = (gv - wv).abs() <= tol.atol + tol.rtol * wv.abs();
                if !within {
                    return Err(EngineError::Io(format!(
                        "{what} `{key}`[{i}] = {gv}, expected {wv} (|diff| {:.3e} > {:.1e} + {:.1e}·|want|)",
                        (gv - wv).abs(),
                        tol.atol,
                        tol.rtol
                    )));
                }
                count += 1;
            }
        }
    }
    Ok(count)
}

fn input<'a>(case: &'a Case, key: &str) -> Result<&'a Tensor> {
    case.inputs.get(key).ok_or_else(|| EngineError::Io(format!("input `{key}` missing")))
}

fn upstream<'a>(case: &'a Case, key: &str) -> Option<&'a Tensor> {
    case.upstream.get(key)
}

fn as_f32(t: &Tensor) -> Vec<f32> {
    t.data.iter().map(|&v| v as f32).collect()
}

/// Allocates a buffer holding `t`.
fn upload<B: Backend>(b: &mut B, t: &Tensor) -> Result<View<B::Buffer>> {
    let data = as_f32(t);
    let buf = b.alloc(data.len())?;
    let v = View::whole(buf, data.len());
    b.write(&v, &data)?;
    Ok(v)
}

fn zeros<B: Backend>(b: &mut B, len: usize) -> Result<View<B::Buffer>> {
    Ok(View::whole(b.alloc(len)?, len))
}

/// `(rows, cols)` of a tensor read as a matrix: the first axis by everything else.
fn matrix(t: &Tensor) -> (usize, usize) {
    match t.shape.as_slice() {
        [] => (1, 1),
        [n] => (1, *n),
        [r, rest @ ..] => (*r, rest.iter().product()),
    }
}

fn attr_f32(case: &Case, key: &str, default: f32) -> Result<f32> {
    match case.attrs.get(key) {
        None => Ok(default),
        Some(v) => v.as_f64().map(|v| v as f32).ok_or_else(|| EngineError::Io(format!("attr `{key}` is not a number"))),
    }
}

fn attr_str<'a>(case: &'a Case, key: &str) -> Result<&'a str> {
    case.attrs.get(key).and_then(Value::as_str).ok_or_else(|| EngineError::Io(format!("attr `{key}` missing")))
}

async fn dense<B: Backend>(b: &mut B, case: &Case) -> Result<Got> {
    let (x, w, bias) = (input(case, "x")?, input(case, "weight")?, input(case, "bias")?);
    let (n, i) = matrix(x);
    let (o, wi) = matrix(w);
    if wi != i || bias.data.len() != o {
        return Err(EngineError::Shape { op: "dense", detail: format!("x {:?}, weight {:?}, bias {:?}", x.shape, w.shape, bias.shape) });
    }
    let (xv, wv, bv) = (upload(b, x)?, upload(b, w)?, upload(b, bias)?);
    let y = zeros(b, n * o)?;
    b.gemm(Gemm { m: n, n: o, k: i, trans_a: false, trans_b: true, accumulate: false }, &xv, &wv, Some(&bv), &y)?;
    let mut got = Got::default();
    got.outputs.insert("y".into(), b.read(&y).await?);
    if let Some(dy) = upstream(case, "y") {
        let dyv = upload(b, dy)?;
        let (dx, dw, db) = (zeros(b, n * i)?, zeros(b, o * i)?, zeros(b, o)?);
        b.gemm(Gemm { m: n, n: i, k: o, trans_a: false, trans_b: false, accumulate: false }, &dyv, &wv, None, &dx)?;
        b.gemm(Gemm { m: o, n: i, k: n, trans_a: true, trans_b: false, accumulate: false }, &dyv, &xv, None, &dw)?;
        b.col_sum(&dyv, n, o, &db, false)?;
        got.grads.insert("x".into(), b.read(&dx).await?);
        got.grads.insert("weight".into(), b.read(&dw).await?);
        got.grads.insert("bias".into(), b.read(&db).await?);
    }
    Ok(got)
}

async fn activation<B: Backend>(b: &mut B, case: &Case) -> Result<Got> {
    let act: Activation = serde_json::from_value(Value::Object(case.attrs.clone()))
        .map_err(|e| EngineError::Unsupported(format!("activation {:?}: {e}", case.attrs.get("kind"))))?;
    let x = input(case, "x")?;
    let (rows, cols) = matrix(x);
    let out_cols = cols / act.fan().max(1);
    let xv = upload(b, x)?;
    let alpha = match act {
        Activation::Prelu => Some(upload(b, input(case, "alpha")?)?),
        _ => None,
    };
    let y = zeros(b, rows * out_cols)?;
    let op = ActOp { act, rows, cols };
    b.act_forward(op, &xv, alpha.as_ref(), &y)?;
    let mut got = Got::default();
    got.outputs.insert("y".into(), b.read(&y).await?);
    if let Some(dy) = upstream(case, "y") {
        let dyv = upload(b, dy)?;
        let dx = zeros(b, rows * cols)?;
        let dalpha = match act {
            Activation::Prelu => Some(zeros(b, cols)?),
            _ => None,
        };
        b.act_backward(op, &xv, &y, &dyv, alpha.as_ref(), &dx, dalpha.as_ref())?;
        got.grads.insert("x".into(), b.read(&dx).await?);
        if let Some(da) = dalpha {
            got.grads.insert("alpha".into(), b.read(&da).await?);
        }
    }
    Ok(got)
}

async fn loss<B: Backend>(b: &mut B, case: &Case) -> Result<Got> {
    let kind = attr_str(case, "kind")?;
    let kind = LossKind::from_id(kind).ok_or_else(|| EngineError::Unsupported(format!("loss `{kind}`")))?;
    let (pred, target) = (input(case, "pred")?, input(case, "target")?);
    let (rows, cols) = match kind {
        LossKind::SoftmaxCrossEntropy => matrix(pred),
        // Elementwise losses: the layout does not matter, only the count.
        _ => (pred.data.len(), 1),
    };
    let (pv, tv) = (upload(b, pred)?, upload(b, target)?);
    let (dpred, value) = (zeros(b, rows * cols)?, zeros(b, 1)?);
    b.loss(LossOp { kind, rows, cols }, &pv, &tv, &dpred, &value)?;
    let mut got = Got::default();
    got.outputs.insert("loss".into(), b.read(&value).await?);
    if let Some(up) = upstream(case, "loss") {
        // The vector-Jacobian product of a scalar output is the gradient scaled by the upstream.
        let scale = up.data.first().copied().unwrap_or(1.0) as f32;
        let d = b.read(&dpred).await?;
        got.grads.insert("pred".into(), d.iter().map(|v| v * scale).collect());
    }
    Ok(got)
}

async fn optimizer<B: Backend>(b: &mut B, case: &Case) -> Result<Got> {
    let kind = attr_str(case, "kind")?;
    let kind = OptimKind::from_id(kind).ok_or_else(|| EngineError::Unsupported(format!("optimizer `{kind}`")))?;
    let mut step = OptimStep::new(kind, attr_f32(case, "lr", 0.0)?);
    step.momentum = attr_f32(case, "momentum", 0.0)?;
    step.beta1 = attr_f32(case, "beta1", 0.9)?;
    step.beta2 = attr_f32(case, "beta2", 0.999)?;
    step.eps = attr_f32(case, "eps", 1e-8)?;
    step.weight_decay = attr_f32(case, "weight_decay", 0.0)?;
    step.l1 = attr_f32(case, "l1", 0.0)?;
    let p = input(case, "param")?;
    let n = p.data.len();
    let pv = upload(b, p)?;
    let (g, m, v) = (zeros(b, n)?, zeros(b, n)?, zeros(b, n)?);
    let mut got = Got::default();
    for t in 1.. {
        let Some(grad) = case.inputs.get(&format!("grad_{t}")) else { break };
        if grad.data.len() != n {
            return Err(EngineError::Shape { op: "optimizer", detail: format!("grad_{t} has {} values, param {n}", grad.data.len()) });
        }
        b.write(&g, &as_f32(grad))?;
        step.t = t;
        b.optim_step(&step, &pv, &g, &m, &v)?;
        got.outputs.insert(format!("param_{t}"), b.read(&pv).await?);
    }
    Ok(got)
}
