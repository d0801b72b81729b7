// Nothing lost on reload: the experiment (spec, weights, curves) is kept in the browser and
// restored when the page opens again; "New experiment" forgets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel, epochIs, stepEpochs } from './browser.mjs';

const text = (page, id) => page.getByTestId(id).textContent();
const saved = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('dl101.experiment.v1') ?? 'null'));

test('a reload continues the trained experiment; New experiment forgets it', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('dataset-spiral').click();
    await page.getByTestId('layer-0-plus').click();
    await stepEpochs(page, 3);
    const loss = await text(page, 'train-loss');
    const units = await text(page, 'layer-0-units');
    // Saved within a few seconds of the last change.
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('dl101.experiment.v1') ?? 'null')?.history?.length >= 4,
      null, { timeout: 10_000 });
    const kept = await saved(page);
    assert.equal(kept.spec.data.kind, 'spiral');
    assert.ok(kept.snapshot, 'the weights were saved');

    await page.reload();
    await backendLabel(page);
    await epochIs(page, 3);
    assert.match(await text(page, 'notice'), /Restored your experiment.*epoch 3/);
    assert.equal(await page.getByTestId('dataset-spiral').getAttribute('aria-pressed'), 'true');
    assert.equal(await text(page, 'layer-0-units'), units);
    assert.equal(await text(page, 'train-loss'), loss, 'the same weights: the same loss');
    assert.ok(await page.locator('[data-testid="loss-chart"]').count() > 0);
    await page.getByTestId('step').click();
    await epochIs(page, 4);

    await page.getByTestId('new-experiment').click();
    await epochIs(page, 0);
    assert.equal(await page.getByTestId('dataset-circle').getAttribute('aria-pressed'), 'true');
    assert.equal(await saved(page), null);
    await page.reload();
    await backendLabel(page);
    await epochIs(page, 0);
    assert.doesNotMatch(await text(page, 'notice'), /Restored/);
    assert.equal(await page.getByTestId('dataset-circle').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('hiding the page saves the running experiment at once', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 5, null, { timeout: 60_000 });
    // As the browser does when the tab goes to the background.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForTimeout(300);
    const shown = Number(await text(page, 'epoch'));
    const kept = await saved(page);
    assert.ok(kept?.snapshot, 'saved with its weights');
    const savedEpoch = kept.history.at(-1)[1];
    assert.equal(savedEpoch, shown, 'the saved state is the one on screen');
    await page.waitForTimeout(500);
    assert.equal(Number(await text(page, 'epoch')), shown, 'training rests while the page is hidden');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a damaged saved entry is ignored and the page opens normally', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.evaluate(() => localStorage.setItem('dl101.experiment.v1', '{"spec":{"layers":[{"dense":{"units":1e99}}]},"history":"x"}'));
    await page.reload();
    await backendLabel(page);
    await page.getByTestId('step').click();
    await epochIs(page, 1);
    assert.equal(await page.getByTestId('dataset-circle').getAttribute('aria-pressed'), 'true');
    assert.doesNotMatch(await text(page, 'notice'), /Restored/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
