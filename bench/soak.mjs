// The driver of `cargo xtask soak` (xtask/src/soak.rs): the playground (PLAYGROUND_URL, dist/)
// trains at full speed for SOAK_MINUTES on the default network and on the digits CNN (the
// automatic device choice), and for SOAK_GPU_MINUTES on the default network forced onto WebGPU.
// Every 15 s it samples the page's and the worker's wasm memory, the worker's live GPU buffers
// (`trainer_stats` in crates/app/src/worker.rs), the frames drawn and the epoch. Writes the
// samples as JSON to SOAK_OUT; xtask judges them.
import { writeFileSync } from 'node:fs';
import { launch } from '../tests/e2e/browser.mjs';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const gpuMinutes = Number(process.env.SOAK_GPU_MINUTES ?? 3);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 15_000);
const out = process.env.SOAK_OUT ?? 'target/soak/soak.json';
const say = (s) => process.stderr.write(`soak: ${s}\n`);

async function soak(browser, scene) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.__frames = 0;
    const tick = () => { window.__frames += 1; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.goto(process.env.PLAYGROUND_URL);
  await page.waitForFunction(() => /^(WebGPU|CPU fallback):/.test(document.querySelector('[data-testid="backend"]')?.textContent ?? ''), null, { timeout: 60_000 });
  if (scene.dataset) await page.getByTestId(`dataset-${scene.dataset}`).click();
  if (scene.device) {
    await page.getByTestId('device-select').selectOption({ label: scene.device });
    await page.waitForFunction((d) => document.querySelector('[data-testid="device"]').textContent.includes(d), scene.device, { timeout: 60_000 });
  }
  await page.getByTestId('speed').selectOption({ label: 'Full speed' });
  const worker = page.workers()[0];
  if (!worker) throw new Error('no trainer worker');
  await page.getByTestId('play').click();
  const samples = [];
  const started = Date.now();
  let frames = await page.evaluate(() => window.__frames);
  let at = Date.now();
  while (Date.now() - started < scene.minutes * 60_000) {
    await page.waitForTimeout(sampleMs);
    const now = Date.now();
    const p = await page.evaluate(() => ({
      frames: window.__frames,
      stats: JSON.parse(window.wasmBindings.trainer_stats()),
      epoch: Number(document.querySelector('[data-testid="epoch"]').textContent),
      rate: Number(document.querySelector('[data-testid="steps-per-sec"]').textContent.replace(/[^0-9.]/g, '')),
      device: document.querySelector('[data-testid="device"]').textContent,
    }));
    const w = await worker.evaluate(() => self.dl101Stats());
    const s = {
      seconds: Math.round((now - started) / 1000),
      fps: ((p.frames - frames) * 1000) / (now - at),
      page_wasm_bytes: p.stats.wasm_bytes,
      worker_wasm_bytes: w.wasm_bytes,
      gpu_buffers: w.gpu_buffers,
      gpu_bytes: w.gpu_bytes,
      epoch: p.epoch,
      steps_per_s: p.rate,
      device: p.device,
    };
    samples.push(s);
    say(`${scene.name} ${s.seconds} s: ${s.fps.toFixed(1)} fps, page ${s.page_wasm_bytes} B, worker ${s.worker_wasm_bytes} B, ${s.gpu_buffers} GPU buffers (${s.gpu_bytes} B), epoch ${s.epoch}, ${s.steps_per_s} steps/s`);
    frames = p.frames;
    at = now;
  }
  await page.getByTestId('play').click();
  await context.close();
  return { ...scene, samples, console_errors: errors.slice(0, 5) };
}

const scenes = [
  { name: 'default network', minutes },
  { name: 'digits CNN', dataset: 'digits', minutes },
  { name: 'default network on WebGPU', device: 'WebGPU', minutes: gpuMinutes },
].filter((s) => s.minutes > 0);
const browser = await launch({ webgpu: true });
const result = { minutes, gpuMinutes, sampleMs, scenes: [] };
try {
  for (const scene of scenes) {
    try {
      result.scenes.push(await soak(browser, scene));
    } catch (e) {
      say(`${scene.name}: ${e}`);
      result.scenes.push({ ...scene, error: String(e).split('\n')[0] });
    }
  }
} finally {
  await browser.close();
}
writeFileSync(out, JSON.stringify(result, null, 1));
say(`wrote ${out}`);
