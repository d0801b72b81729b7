// The training loop's thread (crates/app/src/worker.rs). The page first sends the URL of its JS
// bindings and its compiled wasm module, so that nothing is downloaded or compiled twice; the
// messages that come while the module starts wait in a queue and are handed over with it.
const early = [];
let starting = false;

// Keeps every GPU device this thread asks for, so that a lost device can be simulated from the
// outside (tests/e2e/device.test.mjs destroys them, as a driver reset would).
if (self.GPUAdapter) {
  self.__devices = [];
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await request.apply(this, args);
    self.__devices.push(device);
    return device;
  };
}

self.onmessage = async (e) => {
  if (starting) {
    early.push(e.data);
    return;
  }
  starting = true;
  try {
    const bindings = await import(e.data.glue);
    await bindings.default({ module_or_path: e.data.module });
    bindings.worker_main(early);
    // For `cargo xtask soak`: this thread's wasm memory and live GPU buffers.
    self.dl101Stats = () => JSON.parse(bindings.trainer_stats());
  } catch (err) {
    // The page trains on its own thread instead.
    self.postMessage({ failed: String(err) });
  }
};
