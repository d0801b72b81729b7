"""Runs the Keras or PyTorch code that DL101 generates and checks it against the engine.

For every spec in tests/python/specs/: `dl101 export` trains it natively for a few steps and
writes the model file, the framework's code and a check batch (test inputs with the engine's
predictions and parameter count). Then this script imports the generated module, builds the
model, and checks
  (a) the parameter count: PyTorch's equals DL101's; Keras' equals DL101's minus one bias vector
      per SimpleRNN and LSTM layer (Keras keeps b_ih + b_hh as one bias: the same function),
  (b) with the exported weights loaded by the generated `load_dl101_weights`, `predict` gives
      DL101's predictions within 1e-4 (max abs difference),
  (c) the generated `train` runs an epoch on the batch and the loss stays finite.
Then it runs one generated file as a script (`python file.py model.json`).

Usage: check.py keras|pytorch DL101_BINARY WORK_DIR [SPEC_NAME ...]
One framework per run, because they come from different places: Keras (with JAX) from PyPI in a
virtual environment, PyTorch from Debian's python3-torch with Debian's python (PyPI's Linux torch
is the CUDA build, 9 GB with its NVIDIA libraries).
Prints one line per check and, last, `test result: ok|FAILED. N passed; M failed` (cargo's
form, which `cargo xtask test` totals). Exits 1 on any failure.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys
import time
import traceback

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 1e-4
STEPS = "30"


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merged_biases(model_file):
    """Floats that Keras' SimpleRNN and LSTM keep as one bias where DL101 has two."""
    with open(model_file, encoding="utf-8") as f:
        doc = json.load(f)
    return sum(layer["bias_hh"]["shape"][0] for layer in doc["layers"] if layer["kind"] in ("rnn", "lstm"))


def targets_for(check, spec):
    """Plausible training targets for the batch (from the engine's own predictions)."""
    out = np.asarray(check["outputs"], dtype=np.float32).reshape(check["rows"], check["output_width"])
    kind = spec["data"]["kind"]
    if kind in ("reg_plane", "reg_gauss", "sine"):
        return out.reshape(-1, 1)
    if spec["loss"] == "softmax_cross_entropy":
        return out.argmax(axis=1)
    if spec["loss"] == "sigmoid_bce":
        return (out > 0.5).astype(np.float32).reshape(-1, 1)
    return np.where(out > 0, 1.0, -1.0).astype(np.float32).reshape(-1, 1)


def check_framework(framework, code, model_file, check, spec, tag):
    module = load_module(code, f"dl101_{tag}_{framework}")
    model = module.build_model()
    ours = check["parameter_count"]
    if framework == "keras":
        count = model.count_params()
        want = ours - merged_biases(model_file)
    else:
        count = sum(p.numel() for p in model.parameters())
        want = ours
    if count != want:
        raise AssertionError(f"{count} parameters, expected {want} (DL101: {ours})")
    module.load_dl101_weights(model, model_file)
    x = np.asarray(check["inputs"], dtype=np.float32).reshape(check["rows"], -1)
    want_out = np.asarray(check["outputs"], dtype=np.float64).reshape(check["rows"], check["output_width"])
    got = np.asarray(module.predict(model, x), dtype=np.float64).reshape(want_out.shape)
    diff = float(np.max(np.abs(got - want_out)))
    if not diff <= TOLERANCE:
        raise AssertionError(f"outputs differ by up to {diff:.3g} (tolerance {TOLERANCE})")
    # The training code runs.
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        history = module.train(model, x, targets_for(check, spec), epochs=1)
    if framework == "keras":
        loss = history.history["loss"][-1]
        if not math.isfinite(loss):
            raise AssertionError(f"training gave loss {loss}")
    after = np.asarray(module.predict(model, x), dtype=np.float64)
    if not np.all(np.isfinite(after)):
        raise AssertionError("predictions after training are not finite")
    return f"params {count} (DL101 {ours}), max |diff| {diff:.2e}"


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("keras", "pytorch"):
        print(__doc__)
        return 2
    framework, dl101, work = sys.argv[1], sys.argv[2], os.path.join(sys.argv[3], sys.argv[1])
    only = set(sys.argv[4:])
    os.makedirs(work, exist_ok=True)
    spec_dir = os.path.join(HERE, "specs")
    names = sorted(n[:-5] for n in os.listdir(spec_dir) if n.endswith(".json"))
    names = [n for n in names if not only or n in only]
    passed, failed = 0, 0
    started = time.time()

    def report(name, ok, detail):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print(f"test {name} ... {'ok' if ok else 'FAILED'}: {detail}", flush=True)

    script = None
    for name in names:
        spec_path = os.path.join(spec_dir, name + ".json")
        with open(spec_path, encoding="utf-8") as f:
            spec = json.load(f)
        out = {k: os.path.join(work, f"{name}{suffix}") for k, suffix in
               [("model", ".model.json"), ("code", f"_{framework}.py"), ("check", ".check.json")]}
        cmd = [dl101, "export", spec_path, "--steps", STEPS, "--out", out["model"], f"--{framework}", out["code"],
               "--check", out["check"]]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            report(f"{name}::export", False, (run.stderr or run.stdout).strip())
            continue
        with open(out["check"], encoding="utf-8") as f:
            check = json.load(f)
        t = time.time()
        try:
            detail = check_framework(framework, out["code"], out["model"], check, spec, name)
            report(f"{name}::{framework}", True, f"{detail} ({time.time() - t:.1f} s)")
        except Exception as e:  # any failure of the generated code is a failed check
            traceback.print_exc()
            report(f"{name}::{framework}", False, f"{type(e).__name__}: {e}")
        if script is None:
            script = (name, out["code"], out["model"])

    # A generated file runs as a script too.
    if script is not None:
        name, code, model = script
        run = subprocess.run([sys.executable, code, model], capture_output=True, text=True)
        ok = run.returncode == 0 and "weights loaded from" in run.stdout
        what = os.path.basename(code)
        report(f"{name}::{what} as a script", ok, "ran" if ok else (run.stderr or run.stdout)[-2000:])

    import_version = __import__("keras" if framework == "keras" else "torch").__version__
    print(f"python checks ({framework} {import_version}, numpy {np.__version__}): {time.time() - started:.0f} s")
    status = "ok" if failed == 0 else "FAILED"
    print(f"test result: {status}. {passed} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
