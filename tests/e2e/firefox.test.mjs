// The journeys a class takes, in Firefox: Debian's firefox-esr, headless, through geckodriver.
// The page must work there as in Chromium: on WebGPU if this Firefox offers it, else on the CPU
// with the page saying why. Every journey fails on a console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  openFirefox, backendLabel, click, content, epochIs, number, selectLabel, stepEpochs, tid, waitFor,
} from './firefox.mjs';

/** Opens Firefox at `path`, runs `journey(driver)`, fails on console errors, always quits. */
async function inFirefox(path, journey) {
  const { driver, errors } = await openFirefox(path);
  try {
    const label = await backendLabel(driver);
    assert.match(label, /^(WebGPU: \S|CPU fallback: .{10,})/, `backend label "${label}"`);
    await journey(driver, label);
    assert.deepEqual(errors, []);
  } finally {
    await driver.quit();
  }
}

test('Firefox: the default network trains, its loss falls and its accuracy rises', async () => {
  await inFirefox('', async (driver, label) => {
    // The trainer says which device it chose once its first session is built.
    await waitFor(driver, () => document.querySelector('[data-testid="device"]').textContent !== '', undefined, 30_000, 'device line');
    const device = await content(driver, 'device');
    assert.match(device, label.startsWith('CPU') ? /CPU/ : /CPU|WebGPU/, device);
    await stepEpochs(driver, 1);
    const first = await number(driver, 'train-loss');
    await click(driver, 'play');
    await waitFor(driver, () => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 30, undefined, 120_000, 'epoch 30');
    await click(driver, 'play');
    assert.match(await content(driver, 'play'), /Play/);
    const last = await number(driver, 'train-loss');
    assert.ok(last < first, `train loss ${first} → ${last}`);
    assert.ok((await number(driver, 'accuracy')) > 80, 'test accuracy above 80%');
    // The network is drawn: a picture per neuron.
    assert.ok((await driver.findElements(tid('graph-neuron'))).length >= 6);
  });
});

test('Firefox: a share link rebuilds its experiment', async () => {
  await inFirefox('#v=1&data=spiral&layers=8:tanh,6:relu&lr=0.1&batch=20', async (driver) => {
    assert.equal(await content(driver, 'layer-0-units'), '8');
    assert.equal(await content(driver, 'layer-1-units'), '6');
    assert.equal(await (await driver.findElement(tid('layer-1-activation'))).getAttribute('value'), 'relu');
    assert.equal(await (await driver.findElement(tid('dataset-spiral'))).getAttribute('aria-pressed'), 'true');
    await stepEpochs(driver, 2);
    assert.ok(Number.isFinite(await number(driver, 'train-loss')));
  });
});

test('Firefox: a CNN on the digits trains and draws its feature maps', async () => {
  await inFirefox('', async (driver) => {
    await click(driver, 'dataset-digits');
    assert.equal(await content(driver, 'layer-0-kind'), 'conv2d');
    await epochIs(driver, 0);
    await stepEpochs(driver, 2);
    assert.ok((await number(driver, 'accuracy')) > 50, 'digits test accuracy above 50% after 2 epochs');
    await waitFor(driver, () => document.querySelectorAll('[data-testid="filters"] canvas').length === 8, undefined, 30_000, 'eight filters');
    assert.ok(await driver.executeScript(() => document.querySelectorAll('[data-testid="feature-maps"] canvas').length >= 16), 'conv and pool maps');
  });
});

test('Firefox: a lesson opens, explains and trains, before and after its "try this"', async () => {
  await inFirefox('', async (driver) => {
    await click(driver, 'lesson-dying_relu');
    await epochIs(driver, 0);
    assert.ok((await content(driver, 'lesson')).length > 200);
    await stepEpochs(driver, 2);
    await click(driver, 'lesson-try');
    await epochIs(driver, 0);
    await stepEpochs(driver, 2);
    assert.ok(Number.isFinite(await number(driver, 'train-loss')));
  });
});

test('Firefox: a reload continues the trained experiment', async () => {
  await inFirefox('', async (driver) => {
    await click(driver, 'dataset-xor');
    await stepEpochs(driver, 3);
    const loss = await content(driver, 'train-loss');
    await waitFor(driver, () => JSON.parse(localStorage.getItem('dl101.experiment.v1') ?? 'null')?.history?.length >= 4, undefined, 10_000, 'the save');
    await driver.navigate().refresh();
    await backendLabel(driver);
    await epochIs(driver, 3);
    assert.match(await content(driver, 'notice'), /Restored your experiment.*epoch 3/);
    assert.equal(await (await driver.findElement(tid('dataset-xor'))).getAttribute('aria-pressed'), 'true');
    assert.equal(await content(driver, 'train-loss'), loss, 'the same weights: the same loss');
  });
});

test('Firefox: a hostile link opens the nearest valid experiment and says what was wrong', async () => {
  const link = '#v=1&data=spiral&layers=8:tanh,99999:nonsense&lr=NaN&batch=-5&<script>alert(1)</script>';
  await inFirefox(link, async (driver) => {
    const problems = await content(driver, 'link-problems');
    assert.match(problems, /nearest valid experiment/);
    assert.match(problems, /lr/);
    assert.equal(await content(driver, 'layer-0-units'), '8');
    const inline = await driver.executeScript(() => document.querySelectorAll('script:not([src]):not([type])').length);
    assert.equal(inline, 0, 'nothing from the link became HTML');
    await selectLabel(driver, 'lr', '0.03');
    await epochIs(driver, 0);
    await stepEpochs(driver, 1);
  });
});
