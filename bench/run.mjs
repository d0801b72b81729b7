// The Playwright driver of `cargo xtask bench`: ONE headless Chromium (Debian's, WebGPU on
// SwiftShader; launched as the end-to-end tests launch it), two pages:
// 1. the bench page (BENCH_URL, target/bench/site): every configuration of W1-W5 in turn;
// 2. the real playground (PLAYGROUND_URL, dist/), opened on each of W1-W4 by its share link: time
//    to first render, then while it trains at full speed on the CPU the steps/s it shows (beside
//    the engine's own figure from page 1), the frames per second, the longest main-thread task
//    (PerformanceObserver 'longtask') and the longest frame; then an A/B pair of the same workload
//    training at once (A and B each in a worker), their combined steps/s against one run's.
// Writes everything as JSON to BENCH_OUT. BENCH_CONFIG: {blockMs, repeats, trainSeconds}.
import { writeFileSync } from 'node:fs';
import { launch } from '../tests/e2e/browser.mjs';

const cfg = { blockMs: 400, repeats: 5, trainSeconds: 5, ...JSON.parse(process.env.BENCH_CONFIG ?? '{}') };
const out = process.env.BENCH_OUT ?? 'target/bench/browser.json';
const say = (s) => process.stderr.write(`bench: ${s}\n`);

const WORKLOADS = ['W1', 'W2', 'W3', 'W4'];
const GEMM_SIZES = [64, 128, 256, 512, 1024];

function plan() {
  const items = [];
  for (const w of WORKLOADS) {
    items.push({ workload: w, engine: 'dl101', backend: 'cpu' }, { workload: w, engine: 'dl101', backend: 'gpu' });
    for (const b of ['webgpu', 'wasm', 'cpu']) items.push({ workload: w, engine: 'tfjs', backend: b });
    if (w !== 'W4') items.push({ workload: w, engine: 'convnetjs', backend: 'js' });
  }
  for (const n of GEMM_SIZES) {
    items.push({ workload: 'W5', n, engine: 'dl101', backend: 'cpu' }, { workload: 'W5', n, engine: 'dl101', backend: 'gpu' });
    for (const b of ['webgpu', 'wasm', 'cpu']) {
      // TF.js's plain-JS backend does about 0.6 GFLOP/s: n = 1024 alone would take a minute.
      if (b === 'cpu' && n > 512) continue;
      items.push({ workload: 'W5', n, engine: 'tfjs', backend: b });
    }
  }
  return items;
}

/** Bench page: every configuration, each in its own `evaluate`, an error becoming a row's note. */
async function benchPage(browser) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') say(`[page ${m.type()}] ${m.text().slice(0, 300)}`); });
  page.on('pageerror', (e) => say(`[page error] ${e}`));
  await page.goto(process.env.BENCH_URL);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 120_000 });
  const info = { tfjs: await page.evaluate(() => window.bench.tfVersion), userAgent: await page.evaluate(() => navigator.userAgent) };
  try {
    info.gpu = await page.evaluate(() => window.bench.gpuInit());
  } catch (e) {
    info.gpu = null;
    info.gpu_error = String(e).split('\n')[0];
  }
  // The page's automatic choice (crates/app/src/compute.rs): a software adapter, or none, trains on the CPU.
  info.auto = info.gpu && !info.gpu.is_software ? 'gpu' : 'cpu';
  info.links = {};
  for (const w of WORKLOADS) info.links[w] = await page.evaluate((w) => window.bench.link(w), w);
  say(`GPU: ${JSON.stringify(info.gpu ?? info.gpu_error)}; auto = ${info.auto}`);
  const rows = [];
  for (const item of plan()) {
    const started = Date.now();
    let row = { workload: item.n ? `W5 n=${item.n}` : item.workload, engine: item.engine, backend: item.backend };
    if (item.engine === 'dl101' && item.backend === 'gpu' && !info.gpu) {
      rows.push({ ...row, error: `no WebGPU: ${info.gpu_error}` });
      continue;
    }
    try {
      const r = await page.evaluate(([it, c]) => window.bench.run(it, c), [item, cfg]);
      row = { ...row, ...r };
    } catch (e) {
      row.error = String(e.message ?? e).split('\n')[0].replace(/^page\.evaluate: /, '').slice(0, 200);
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    say(`${row.workload} ${row.engine}/${row.backend}: ${row.error ? 'ERROR ' + row.error : `${row.steps_per_s.toFixed(1)} steps/s, ${row.samples_per_s.toFixed(0)} samples/s${row.gflops ? `, ${row.gflops.toFixed(2)} GFLOP/s` : ''}`} (${secs} s)`);
    rows.push(row);
    if (item.engine === 'dl101' && item.backend === info.auto) {
      rows.push({ ...row, backend: `auto (${info.auto})`, note: `the page's automatic choice: the same run as dl101/${info.auto}` });
    }
  }
  await page.close();
  return { info, rows };
}

/** Median of a list of numbers. */
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : 0; };

/**
 * Playground opened on `fragment` (a workload's share link; `&vs=` for an A/B pair): first render,
 * then while training at full speed on the CPU, the steps/s shown (A's, and B's for a pair:
 * medians of readings every 500 ms after the first 2.2 s), frames per second, the longest task
 * and frame.
 */
async function playground(browser, workload, fragment, pair) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.__bench = { longtasks: [], mounted: null, frames: [] };
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longtasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
    const watch = () => {
      if (window.__bench.mounted === null && document.querySelector('[data-testid="play"]')) window.__bench.mounted = performance.now();
      else if (window.__bench.mounted === null) requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
  await page.goto(`${process.env.PLAYGROUND_URL}#${pair ? `${fragment}&vs=${encodeURIComponent(fragment)}` : fragment}`);
  await page.waitForSelector('[data-testid="play"]', { timeout: 60_000 });
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid="backend"]')?.textContent ?? '';
    return t.startsWith('WebGPU:') || t.startsWith('CPU fallback:');
  }, null, { timeout: 60_000 });
  const load = await page.evaluate(() => ({
    first_contentful_paint_ms: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    mounted_ms: window.__bench.mounted,
    dom_content_loaded_ms: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
  }));
  const device = (await page.getByTestId('backend').textContent()).trim();
  await page.getByTestId('device-select').selectOption({ label: 'CPU' });
  await page.getByTestId('speed').selectOption({ label: 'Full speed' });
  await page.waitForFunction(() => document.querySelector('[data-testid="device"]').textContent.includes('CPU'));
  const t0 = await page.evaluate(() => {
    const b = window.__bench;
    b.frames = [];
    let last = performance.now();
    const tick = (t) => { b.frames.push(t - last); last = t; if (!b.stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    return performance.now();
  });
  await page.getByTestId('play').click();
  const rate = (id) => page.evaluate((id) => Number(document.querySelector(`[data-testid="${id}"]`).textContent.replace(/[^0-9.]/g, '')), id);
  const [a, b] = [[], []];
  const started = Date.now();
  // The rate shown covers the last second: the first reading comes after a whole second of
  // training at full speed (the first second includes the ramp to full-size blocks).
  await page.waitForTimeout(2200);
  while (Date.now() - started < cfg.trainSeconds * 1000) {
    a.push(await rate('steps-per-sec'));
    if (pair) b.push(await rate('ab-steps-per-sec'));
    await page.waitForTimeout(500);
  }
  const during = await page.evaluate((start) => {
    const b = window.__bench;
    b.stopFrames = true;
    const tasks = b.longtasks.filter((e) => e.start >= start);
    return {
      longtasks: tasks.length,
      longest_task_ms: tasks.reduce((m, e) => Math.max(m, e.duration), 0),
      longest_tasks: tasks.map((e) => ({ at_ms: Math.round(e.start - start), ms: Math.round(e.duration) })).sort((a, b) => b.ms - a.ms).slice(0, 5),
      longest_frame_ms: b.frames.slice(1).reduce((m, f) => Math.max(m, f), 0),
      frames: b.frames.length,
      fps: (b.frames.length * 1000) / (performance.now() - start),
    };
  }, t0);
  const epoch = Number(await page.getByTestId('epoch').textContent());
  await page.getByTestId('play').click();
  await context.close();
  const result = { workload, device, ...load, ...during, steps_per_s_shown: median(a), epoch, console_errors: errors.slice(0, 5) };
  if (pair) {
    result.b_steps_per_s_shown = median(b);
    result.combined_steps_per_s = median(a.map((x, i) => x + (b[i] ?? 0)));
  }
  return result;
}

const browser = await launch({ webgpu: true });
try {
  const started = Date.now();
  const result = await benchPage(browser);
  result.playground = [];
  result.pairs = [];
  if (process.env.PLAYGROUND_URL) {
    const runs = [...WORKLOADS.map((w) => [w, false]), ...(cfg.pairs ?? ['W1', 'W2']).map((w) => [w, true])];
    for (const [w, pair] of runs) {
      try {
        const p = await playground(browser, w, result.info.links[w], pair);
        say(`playground ${w}${pair ? ' A/B' : ''}: first render ${p.mounted_ms?.toFixed(0)} ms, longest task ${p.longest_task_ms.toFixed(0)} ms, longest frame ${p.longest_frame_ms.toFixed(0)} ms, ${p.fps.toFixed(1)} fps, ${p.steps_per_s_shown} steps/s shown${pair ? ` (B ${p.b_steps_per_s_shown}, together ${p.combined_steps_per_s})` : ''}`);
        (pair ? result.pairs : result.playground).push(p);
      } catch (e) {
        say(`playground ${w}${pair ? ' A/B' : ''}: ${e}`);
        (pair ? result.pairs : result.playground).push({ workload: w, error: String(e).split('\n')[0] });
      }
    }
  }
  result.config = cfg;
  result.seconds = (Date.now() - started) / 1000;
  writeFileSync(out, JSON.stringify(result, null, 1));
  say(`wrote ${out} (${result.seconds.toFixed(0)} s)`);
} finally {
  await browser.close();
}
