//! `dl101 export <spec.json | share link | model.json> [--epochs N] [--steps N] [--out model.json]
//! [--keras model_keras.py] [--pytorch model_torch.py] [--check check.json]`
//!
//! Builds the spec's network (or a model file's, with its weights), trains it for `--epochs`
//! epochs and then `--steps` steps (none by default), and writes the model file, the Keras code
//! and the PyTorch code. `--check` also writes a batch of test inputs with this engine's
//! predictions and the parameter count, which `tests/python/check.py` compares the generated
//! code against.

use std::path::Path;

use engine::backend::cpu::CpuBackend;
use engine::export::{ModelFile, to_keras, to_pytorch};
use engine::train::Trainer;

/// Rows of the `--check` batch.
const CHECK_ROWS: usize = 16;

pub fn export_cmd(args: &[String]) -> Result<bool, String> {
    let (pos, opts) = crate::parse(args, &["epochs", "steps", "out", "keras", "pytorch", "check"])?;
    let [source] = pos.as_slice() else { return Err(crate::USAGE.to_string()) };
    let opt = |name: &str| opts.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let number = |name: &str| -> Result<u32, String> {
        opt(name).map_or(Ok(0), |v| v.parse().map_err(|_| format!("--{name} must be a whole number, not `{v}`")))
    };
    let (epochs, steps) = (number("epochs")?, number("steps")?);
    if ["out", "keras", "pytorch", "check"].iter().all(|k| opt(k).is_none()) {
        return Err("export: name at least one output: --out, --keras, --pytorch or --check".into());
    }

    let mut trainer = load(source)?;
    trainer.step_epochs(epochs).map_err(|e| e.to_string())?;
    trainer.step(steps).map_err(|e| e.to_string())?;
    let file = pollster::block_on(ModelFile::from_trainer(&mut trainer)).map_err(|e| e.to_string())?;
    let spec = &file.spec;
    println!("# {} parameters, epoch {}, step {}", trainer.parameter_count(), file.epoch, file.step);
    if let Some(path) = opt("out") {
        write(&path, &file.to_json())?;
    }
    if let Some(path) = opt("keras") {
        write(&path, &to_keras(spec))?;
    }
    if let Some(path) = opt("pytorch") {
        write(&path, &to_pytorch(spec))?;
    }
    if let Some(path) = opt("check") {
        write(&path, &check(&mut trainer)?)?;
    }
    Ok(true)
}

/// A trainer from a spec or link, or from a model file with its weights.
fn load(source: &str) -> Result<Trainer<CpuBackend>, String> {
    let path = Path::new(source);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {source}: {e}"))?;
        if text.contains("\"dl101-model\"") {
            let file = ModelFile::parse(&text).map_err(|e| format!("{source}: {e}"))?;
            return file.build(CpuBackend::new()).map_err(|e| e.to_string());
        }
    }
    let spec = crate::load_spec(source)?;
    Trainer::new(CpuBackend::new(), &spec).map_err(|e| e.to_string())
}

fn write(path: &str, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    println!("wrote {path} ({} bytes)", text.len());
    Ok(())
}

/// Test inputs (DL101's input rows) with this engine's predictions, as JSON.
fn check(t: &mut Trainer<CpuBackend>) -> Result<String, String> {
    let samples = t.test_samples();
    let inputs: Vec<f32> = if samples.is_empty() {
        let mut rows = Vec::new();
        for p in t.test_points().iter().take(CHECK_ROWS) {
            engine::data::Feature::row(&t.spec().features, p.x, p.y, &mut rows);
        }
        rows
    } else {
        samples.x[..samples.width * CHECK_ROWS.min(samples.len())].to_vec()
    };
    let outputs = pollster::block_on(t.predict_samples(&inputs)).map_err(|e| e.to_string())?;
    let rows = outputs.len() / t.output_width().max(1);
    let v = serde_json::json!({
        "parameter_count": t.parameter_count(),
        "rows": rows,
        "inputs": inputs,
        "outputs": outputs,
        "output_width": t.output_width(),
    });
    Ok(v.to_string())
}
