//! The browser side of `cargo xtask bench`: what `bench/bench.js` calls (wasm-bindgen, `--target
//! web`). Trainers and GEMM benches live in a registry by id, so every export is a free function
//! (wasm-bindgen's async exports cannot borrow `self`). One GPU device is acquired once and handed
//! from run to run, as the page does.

use std::cell::RefCell;
use std::collections::HashMap;

use engine::backend::cpu::CpuBackend;
use engine::backend::gpu::GpuBackend;
use engine::train::Trainer;
use wasm_bindgen::prelude::*;

use crate::GemmBench;

enum Run {
    CpuTrain(Trainer<CpuBackend>),
    GpuTrain(Trainer<GpuBackend>),
    CpuGemm(GemmBench<CpuBackend>),
    GpuGemm(GemmBench<GpuBackend>),
}

thread_local! {
    static GPU: RefCell<Option<GpuBackend>> = const { RefCell::new(None) };
    static RUNS: RefCell<HashMap<u32, Run>> = RefCell::new(HashMap::new());
    static NEXT: RefCell<u32> = const { RefCell::new(1) };
}

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Acquires the browser's WebGPU device (once) and describes its adapter as JSON
/// `{name, backend, is_software}`; the automatic choice of the page trains on the CPU when
/// `is_software` (see crates/app/src/compute.rs).
#[wasm_bindgen]
pub async fn gpu_init() -> Result<String, JsError> {
    if GPU.with(|g| g.borrow().is_none()) {
        let mut gpu = GpuBackend::acquire().await.map_err(err)?;
        gpu.compile_all().await.map_err(err)?;
        GPU.with(|g| *g.borrow_mut() = Some(gpu));
    }
    GPU.with(|g| {
        let g = g.borrow();
        let a = g.as_ref().map(|g| g.adapter().clone()).ok_or_else(|| err("no GPU"))?;
        Ok(serde_json::json!({ "name": a.name, "backend": a.backend, "is_software": a.is_software }).to_string())
    })
}

fn take_gpu() -> Result<GpuBackend, JsError> {
    GPU.with(|g| g.borrow_mut().take()).ok_or_else(|| err("call gpu_init first (or the GPU is in use by another run)"))
}

fn register(run: Run) -> u32 {
    let id = NEXT.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    RUNS.with(|r| r.borrow_mut().insert(id, run));
    id
}

fn take(id: u32) -> Result<Run, JsError> {
    RUNS.with(|r| r.borrow_mut().remove(&id)).ok_or_else(|| err(format!("no run {id}")))
}

fn put(id: u32, run: Run) {
    RUNS.with(|r| r.borrow_mut().insert(id, run));
}

/// The workload's spec, training set, batch order and initial weights (see [`crate::export`]).
#[wasm_bindgen]
pub async fn export_workload(name: String, epochs: u32) -> Result<String, JsError> {
    crate::export(&name, epochs as usize).await.map_err(err)
}

/// Workload `name` as a share link's fragment, so that the playground can open it.
#[wasm_bindgen]
pub fn workload_link(name: String) -> Result<String, JsError> {
    let spec = crate::spec(&name).ok_or_else(|| err(format!("unknown workload {name}")))?;
    Ok(engine::share::encode(&spec))
}

/// A trainer for workload `name` on `backend` ("cpu" or "gpu"); returns its id.
#[wasm_bindgen]
pub fn train_new(name: String, backend: String) -> Result<u32, JsError> {
    let spec = crate::spec(&name).ok_or_else(|| err(format!("unknown workload {name}")))?;
    let run = match backend.as_str() {
        "cpu" => Run::CpuTrain(Trainer::new(CpuBackend::new(), &spec).map_err(err)?),
        "gpu" => {
            let gpu = take_gpu()?;
            Run::GpuTrain(Trainer::new(gpu, &spec).map_err(err)?)
        }
        other => return Err(err(format!("unknown backend {other}"))),
    };
    Ok(register(run))
}

/// W5: an `n × n` GEMM bench on `backend`; returns its id.
#[wasm_bindgen]
pub fn gemm_new(n: u32, backend: String) -> Result<u32, JsError> {
    let run = match backend.as_str() {
        "cpu" => Run::CpuGemm(GemmBench::new(CpuBackend::new(), n as usize).map_err(err)?),
        "gpu" => Run::GpuGemm(GemmBench::new(take_gpu()?, n as usize).map_err(err)?),
        other => return Err(err(format!("unknown backend {other}"))),
    };
    Ok(register(run))
}

/// One timed block: `n` training steps or GEMMs, ending with a read-back.
#[wasm_bindgen]
pub async fn block(id: u32, n: u32) -> Result<(), JsError> {
    let mut run = take(id)?;
    let r = match &mut run {
        Run::CpuTrain(t) => crate::train_block(t, n).await,
        Run::GpuTrain(t) => crate::train_block(t, n).await,
        Run::CpuGemm(g) => g.block(n).await,
        Run::GpuGemm(g) => g.block(n).await,
    };
    put(id, run);
    r.map_err(err)
}

/// Ends a run, giving the GPU back for the next.
#[wasm_bindgen]
pub fn drop_run(id: u32) {
    if let Some(run) = RUNS.with(|r| r.borrow_mut().remove(&id)) {
        let gpu = match run {
            Run::GpuTrain(t) => Some(t.into_backend()),
            Run::GpuGemm(g) => Some(g.backend),
            _ => None,
        };
        if let Some(gpu) = gpu {
            GPU.with(|g| *g.borrow_mut() = Some(gpu));
        }
    }
}
