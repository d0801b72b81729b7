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

test('dying ReLU: dead units are visible at a high learning rate and Leaky ReLU revives them', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('lesson-dying_relu').click();
    await epochIs(page, 0);
    await stepEpochs(page, 15);
    const relu = await deadShares(page);
    assert.ok(Math.max(...relu.filter((x) => x !== null)) >= 0.5, `ReLU dead shares ${relu}`);
    assert.equal(await page.getByTestId('diag-warning-deadrelu').count(), 1, 'a dying-ReLU warning in words');

    await page.getByTestId('lesson-try').click();
    await epochIs(page, 0);
    assert.match(decodeURIComponent(page.url()), /leaky/i, 'the share link now says leaky ReLU');
    await stepEpochs(page, 15);
    const leaky = await deadShares(page);
    assert.ok(Math.max(...leaky.filter((x) => x !== null), 0) < Math.max(...relu.filter((x) => x !== null)),
      `dead share falls: ReLU ${relu} → Leaky ${leaky}`);
    assert.equal(await page.getByTestId('diag-warning-deadrelu').count(), 0);
    assert.ok(Number((await page.getByTestId('accuracy').textContent()).replace('%', '')) >= 90);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('binary step: the page says the gradient is zero, and the weights do not move', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('lesson-binary_step').click();
    await epochIs(page, 0);
    await stepEpochs(page, 3);
    assert.equal(await page.getByTestId('diag-warning-binarystep').count(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
