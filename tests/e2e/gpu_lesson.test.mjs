// The device choice and the GPU lesson measure instead of assuming: the automatic choice shows
// the steps per second it measured on each device (once per network shape), and the lesson "Why
// deep learning trains on GPUs" times its network at growing widths on the CPU and on WebGPU. On
// this machine WebGPU is SwiftShader, a software adapter: what the page then says must agree
// with the figures it shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel, stepEpochs } from './browser.mjs';

const rate = (text) => Number(text.replace(/,/g, ''));

/** The two figures of an automatic device line: [chosen device's, the other's]. */
function figures(line) {
  const m = line.match(/auto: measured here, (the CPU|WebGPU) ([\d,]+) steps\/s, (WebGPU|the CPU) ([\d,]+)/);
  assert.ok(m, `device line: "${line}"`);
  return { chosen: m[1], chosenRate: rate(m[2]), otherRate: rate(m[4]) };
}

test('the automatic device choice shows what it measured, and keeps it for the same network shape', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    assert.match(await backendLabel(page), /^WebGPU:/);
    await page.waitForFunction(() => /auto: measured here/.test(document.querySelector('[data-testid="device"]').textContent));
    const line = await page.getByTestId('device').textContent();
    const f = figures(line);
    assert.ok(f.chosenRate > 0 && f.otherRate > 0, line);
    // The device it trains on is the one that measured faster.
    assert.ok(f.chosenRate >= f.otherRate, line);
    assert.match(line, f.chosen === 'the CPU' ? /^Training on the CPU/ : /^Training on WebGPU/);
    assert.match(line, /software renderer/, 'SwiftShader is named as a software adapter');
    await stepEpochs(page, 1);
    // A new learning rate is the same shape: the same figures, not a new measurement.
    await page.getByTestId('lr').selectOption({ index: 1 });
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '0');
    assert.equal(await page.getByTestId('device').textContent(), line);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the GPU lesson measures its network at each width on both devices and says which wins', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('lesson-why_gpus').click();
    await page.getByTestId('sweep-measure').click();
    await page.getByTestId('sweep-verdict').waitFor({ timeout: 120_000 });
    const rows = await page.$$eval('[data-testid^="sweep-row-"]', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => Number(r[0])), [8, 64, 256, 1024]);
    let firstWin = null;
    for (const [width, cpu, gpu, winner] of rows) {
      assert.ok(rate(cpu) > 0 && rate(gpu) > 0, `width ${width}: ${cpu} / ${gpu}`);
      assert.equal(winner, rate(gpu) > rate(cpu) ? 'WebGPU' : 'CPU', `width ${width}`);
      if (firstWin === null && rate(gpu) > rate(cpu)) firstWin = width;
    }
    // The CPU's rate falls as the network widens: each step is more work.
    assert.ok(rate(rows[3][1]) < rate(rows[0][1]), `CPU ${rows[0][1]} at 8, ${rows[3][1]} at 1024`);
    const verdict = await page.getByTestId('sweep-verdict').textContent();
    if (firstWin === null) {
      assert.match(verdict, /the CPU wins at every width.*software renderer/);
    } else {
      assert.match(verdict, new RegExp(`WebGPU wins from ${firstWin} units`));
    }
    // The page still trains afterwards.
    await stepEpochs(page, 1);
    await page.getByTestId('lang').click();
    assert.match(await page.getByTestId('sweep-verdict').textContent(), /[가-힣]/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('without WebGPU the GPU lesson measures the CPU and says the GPU could not be', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser);
    assert.match(await backendLabel(page), /^CPU fallback:/);
    await page.getByTestId('lesson-why_gpus').click();
    await page.getByTestId('sweep-measure').click();
    await page.getByTestId('sweep-verdict').waitFor({ timeout: 120_000 });
    assert.equal(await page.getByTestId('sweep-gpu-8').textContent(), '–');
    assert.ok(rate(await page.getByTestId('sweep-cpu-8').textContent()) > 0);
    assert.match(await page.getByTestId('sweep-verdict').textContent(), /no working WebGPU/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
