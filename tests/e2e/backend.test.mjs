// The page tells the truth about compute: "WebGPU: <adapter>" when Chromium has WebGPU, and
// "CPU fallback: <reason>" when it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel, stepEpochs } from './browser.mjs';

test('with --enable-unsafe-webgpu the page reports a WebGPU adapter', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    const label = await backendLabel(page);
    assert.match(label, /^WebGPU: \S/, `backend label was "${label}"`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('without WebGPU the page reports the CPU fallback and why, and trains on the CPU', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await openPage(browser);
    const label = await backendLabel(page);
    assert.match(label, /^CPU fallback: .{10,}/, `backend label was "${label}"`);
    assert.match(await page.getByTestId('device').textContent(), /CPU.*no usable WebGPU/);
    // Asking for WebGPU cannot break anything: the page stays on the CPU.
    await page.getByTestId('device-select').selectOption({ label: 'WebGPU' });
    await stepEpochs(page, 2);
    assert.ok(Number.isFinite(Number(await page.getByTestId('train-loss').textContent())));
  } finally {
    await browser.close();
  }
});
