// Training runs off the page's thread, in a Web Worker loaded from the page's own origin; where
// the worker cannot start, the page trains on its own thread with the same code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, backendLabel, stepEpochs } from './browser.mjs';

async function open(browser, { blockWorker = false } = {}) {
  const context = await browser.newContext();
  if (blockWorker) await context.route('**/worker.js', (r) => r.fulfill({ status: 404, body: 'gone' }));
  const page = await context.newPage();
  const errors = [];
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(BASE_URL);
  return { page, errors, warnings };
}

test('training runs in a worker of the page\'s origin, with WebGPU detected there', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await open(browser);
    assert.match(await backendLabel(page), /^WebGPU:/, 'the worker found WebGPU');
    const workers = page.workers();
    assert.equal(workers.length, 1);
    assert.equal(new URL(workers[0].url()).origin, new URL(BASE_URL).origin);
    assert.ok(await workers[0].evaluate(() => typeof self.document === 'undefined' && 'gpu' in navigator));
    await stepEpochs(page, 3);
    // Play answers at once and Pause stops the count.
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 10, null, { timeout: 60_000 });
    await page.getByTestId('play').click();
    await page.waitForTimeout(300);
    const paused = await page.getByTestId('epoch').textContent();
    await page.waitForTimeout(500);
    assert.equal(await page.getByTestId('epoch').textContent(), paused, 'paused');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('where the worker cannot start, the page trains on its own thread and says so in the console', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors, warnings } = await open(browser, { blockWorker: true });
    await backendLabel(page);
    await stepEpochs(page, 3);
    assert.ok(Number.isFinite(Number(await page.getByTestId('train-loss').textContent())));
    await page.getByTestId('dataset-digits').click();
    await stepEpochs(page, 1);
    assert.equal(page.workers().length, 0, 'no worker left');
    assert.ok(warnings.some((w) => /page's thread/.test(w)), warnings.join('\n'));
    // The blocked script's 404 is the one error this journey causes on purpose.
    assert.deepEqual(errors.filter((e) => !/404|worker\.js/.test(e)), []);
  } finally {
    await browser.close();
  }
});
