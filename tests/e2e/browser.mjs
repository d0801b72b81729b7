// Shared set-up for the end-to-end journeys: Debian's Chromium driven by playwright-core (never a
// downloaded browser), the release build served by `cargo xtask test` at BASE_URL, and a record of
// console errors so that every journey can fail on one.
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';

const COMMON_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu-sandbox', '--disable-dev-shm-usage', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches Chromium, with WebGPU (SwiftShader) or with WebGPU switched off. */
export async function launch({ webgpu = true } = {}) {
  const args = webgpu
    ? [...COMMON_ARGS, '--enable-unsafe-webgpu']
    : [...COMMON_ARGS, '--disable-features=WebGPU,Vulkan', '--disable-gpu'];
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

/**
 * Opens the playground in a fresh page; `errors` collects console errors and page crashes.
 * `options` go to the browser context (a viewport, reduced motion, `bypassCSP`).
 */
export async function openPage(browser, path = '', options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(new URL(path, BASE_URL).toString());
  return { context, page, errors };
}

/** Waits until the compute status has left "Detecting" and returns it. */
export async function backendLabel(page) {
  const el = page.getByTestId('backend');
  await page.waitForFunction(
    () => {
      const t = document.querySelector('[data-testid="backend"]')?.textContent ?? '';
      return t.startsWith('WebGPU:') || t.startsWith('CPU fallback:');
    },
    null,
    { timeout: 60_000 },
  );
  return (await el.textContent()).trim();
}

/** Waits until the epoch counter shows `n`. */
export const epochIs = (page, n) =>
  page.waitForFunction((n) => document.querySelector('[data-testid="epoch"]').textContent === String(n), n, { timeout: 60_000 });

/** Presses Step `n` times, waiting for each epoch (from a counter at 0). */
export async function stepEpochs(page, n) {
  for (let i = 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await epochIs(page, i);
  }
}
