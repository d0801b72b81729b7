// A lost GPU device (simulated with GPUDevice.destroy()) does not stop a run: training continues
// on the CPU from the same weights and epoch, and the page says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, backendLabel } from './browser.mjs';

test('when the GPU device is lost mid-run, training continues on the CPU from the same epoch', async () => {
  const browser = await launch({ webgpu: true });
  try {
    // The trainer's worker keeps a handle on every device it asks for (web/worker.js), as a test
    // of any WebGPU app would.
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(BASE_URL);
    assert.match(await backendLabel(page), /^WebGPU:/);
    await page.getByTestId('device-select').selectOption({ label: 'WebGPU' });
    await page.waitForFunction(() => document.querySelector('[data-testid="device"]').textContent.includes('WebGPU'));
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 4, null, { timeout: 120_000 });

    const before = Number(await page.getByTestId('epoch').textContent());
    const [trainer] = page.workers();
    assert.ok(trainer, 'training runs in a worker');
    assert.ok(await trainer.evaluate(() => { self.__devices.forEach((d) => d.destroy()); return self.__devices.length; }) > 0);
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]').textContent.includes('lost'), null, { timeout: 30_000 });
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /continues on the CPU from epoch \d+, with the same weights/);
    const from = Number(notice.match(/from epoch (\d+)/)[1]);
    assert.ok(from >= before - 1 && from > 0, `continued from epoch ${from}, destroyed at ${before}`);
    assert.match(await page.getByTestId('device').textContent(), /CPU.*lost/);
    // Still training, on from there, with a finite loss.
    await page.waitForFunction((e) => Number(document.querySelector('[data-testid="epoch"]').textContent) >= e + 3, from, { timeout: 60_000 });
    assert.ok(Number.isFinite(Number(await page.getByTestId('train-loss').textContent())));
    assert.match(await page.getByTestId('play').textContent(), /Pause/);
    assert.deepEqual(errors.filter((e) => !/destroyed|lost/i.test(e)), []);
  } finally {
    await browser.close();
  }
});
