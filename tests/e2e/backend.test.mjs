// The page tells the truth about compute: "WebGPU: <adapter>" when Chromium has WebGPU, and
// "CPU fallback: <reason>" when it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

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

test('without WebGPU the page reports the CPU fallback and why', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await openPage(browser);
    const label = await backendLabel(page);
    assert.match(label, /^CPU fallback: .{10,}/, `backend label was "${label}"`);
  } finally {
    await browser.close();
  }
});
