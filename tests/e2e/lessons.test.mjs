// Lessons from the notes: every lesson opens its experiment and trains; the dying-ReLU lesson
// shows dead units that its "try this" (Leaky ReLU) revives; the binary-step lesson shows why
// backpropagation cannot train it. The figures come from the page's live diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel, epochIs, stepEpochs } from './browser.mjs';


/** Dead shares of every layer row in the diagnostics table, as fractions (null for "–"). */
const deadShares = (page) => page.$$eval('[data-testid$="-dead"]', (cells) =>
  cells.map((c) => (c.textContent.endsWith('%') ? Number(c.textContent.slice(0, -1)) / 100 : null)));

test('every lesson opens its experiment, explains it and trains, before and after its "try this"', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    const ids = await page.$$eval('[data-testid^="lesson-"]', (bs) =>
      bs.map((b) => b.dataset.testid.slice('lesson-'.length)).filter((id) => !['try', 'close'].includes(id)));
    assert.ok(ids.length >= 8, `lessons: ${ids}`);
    for (const id of ids) {
      await page.getByTestId(`lesson-${id}`).click();
      await epochIs(page, 0);
      const article = await page.getByTestId('lesson').textContent();
      assert.ok(article.length > 200, `${id}: explanation shown`);
      const before = page.url();
      await stepEpochs(page, 2);
      assert.ok(Number.isFinite(Number(await page.getByTestId('train-loss').textContent())), `${id}: finite loss`);
      if (await page.getByTestId('lesson-try').count()) {
        await page.getByTestId('lesson-try').click();
        await epochIs(page, 0);
        assert.notEqual(page.url(), before, `${id}: "try this" changed the experiment`);
        await stepEpochs(page, 1);
      }
    }
    // Korean too.
    await page.getByTestId('lang').click();
    assert.match(await page.getByTestId('lesson').textContent(), /[가-힣]/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/**
 * What each lesson promises, as the page shows it: the best test accuracy over the lesson's
 * epochs (bounded above or below), a warning in the diagnostics, the largest dead-unit share.
 * `before` is the prepared experiment, `after` its "try this". The engine's tests/lessons.rs
 * checks the same claims natively.
 */
const PROMISES = {
  linear_collapse: { before: { epochs: 10, maxAcc: 70, warning: 'alllinear' }, after: { epochs: 10, minAcc: 90 } },
  binary_step: { before: { epochs: 3, warning: 'binarystep' }, after: { epochs: 10, minAcc: 90 } },
  vanishing_gradients: { before: { epochs: 15, maxAcc: 60, warning: 'vanishing' }, after: { epochs: 15, minAcc: 90 } },
  dying_relu: { before: { epochs: 15, warning: 'deadrelu', minDead: 0.5 }, after: { epochs: 15, minAcc: 90, noWarning: 'deadrelu', maxDead: 0 } },
  softmax: { before: { epochs: 8, minAcc: 85 }, after: { epochs: 8, minAcc: 85 } },
  swish_deep: { before: { epochs: 6, minAcc: 95, maxDead: 0 }, after: { epochs: 6, minDead: 0.25 } },
  cnn_digits: { before: { epochs: 5, minAcc: 90 }, after: { epochs: 5, minAcc: 85 } },
  memory_gates: { before: { epochs: 20, maxAcc: 65 }, after: { epochs: 20, minAcc: 90 } },
};

/** Trains epoch by epoch (stopping early once `minAcc` is reached) and checks one promise. */
async function keeps(page, id, when, p) {
  let best = 0;
  for (let i = 1; i <= p.epochs; i++) {
    await page.getByTestId('step').click();
    await epochIs(page, i);
    best = Math.max(best, Number((await page.getByTestId('accuracy').textContent()).replace('%', '')) || 0);
    if (p.minAcc !== undefined && best >= p.minAcc) break;
  }
  const what = `${id} (${when})`;
  if (p.minAcc !== undefined) assert.ok(best >= p.minAcc, `${what}: best accuracy ${best}% < ${p.minAcc}%`);
  if (p.maxAcc !== undefined) assert.ok(best <= p.maxAcc, `${what}: best accuracy ${best}% > ${p.maxAcc}%`);
  if (p.warning) assert.equal(await page.getByTestId(`diag-warning-${p.warning}`).count(), 1, `${what}: ${p.warning} warning`);
  if (p.noWarning) assert.equal(await page.getByTestId(`diag-warning-${p.noWarning}`).count(), 0, `${what}: no ${p.noWarning} warning`);
  const dead = Math.max(0, ...(await deadShares(page)).filter((x) => x !== null));
  if (p.minDead !== undefined) assert.ok(dead >= p.minDead, `${what}: largest dead share ${dead} < ${p.minDead}`);
  if (p.maxDead !== undefined) assert.ok(dead <= p.maxDead, `${what}: largest dead share ${dead} > ${p.maxDead}`);
}

test('each lesson shows what it promises, before and after its "try this"', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    for (const [id, promise] of Object.entries(PROMISES)) {
      await page.getByTestId(`lesson-${id}`).click();
      await epochIs(page, 0);
      await keeps(page, id, 'as prepared', promise.before);
      await page.getByTestId('lesson-try').click();
      await epochIs(page, 0);
      await keeps(page, id, 'after "try this"', promise.after);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
