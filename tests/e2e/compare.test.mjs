// Side-by-side runs: fork the experiment as B, change one thing, train both in lockstep; B's
// numbers, output and curves show beside A's, and the pair travels as one link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

const num = async (page, id) => Number((await page.getByTestId(id).textContent()).replace('%', ''));

test('A/B: tanh against all-linear layers on the circle, in lockstep, shared as one link', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('ab-fork').click();
    await page.getByTestId('ab-activation').selectOption('linear');
    assert.match(await page.getByTestId('ab-diff').textContent(), /activation: tanh → linear/);
    for (let i = 1; i <= 30; i++) {
      await page.getByTestId('step').click();
      await page.waitForFunction((i) => document.querySelector('[data-testid="ab-epoch"]').textContent === String(i), i, { timeout: 30_000 });
      assert.equal(await num(page, 'epoch'), i, 'A and B in lockstep');
    }
    const [a, b] = [await num(page, 'accuracy'), await num(page, 'ab-accuracy')];
    assert.ok(a >= 85, `A (tanh) reaches ${a}%`);
    assert.ok(b <= 70, `B (linear) stays at ${b}%: stacked linear layers are one linear map`);
    assert.ok(await page.getByTestId('ab-boundary').isVisible());

    await page.getByTestId('share').click();
    const link = await page.getByTestId('share-url').inputValue();
    assert.match(link, /&vs=/);
    const other = await openPage(browser, link);
    await backendLabel(other.page);
    assert.match(await other.page.getByTestId('ab-diff').textContent(), /activation: tanh → linear/);
    await other.page.getByTestId('step').click();
    await other.page.waitForFunction(() => document.querySelector('[data-testid="ab-epoch"]').textContent === '1', null, { timeout: 30_000 });
    assert.equal(await num(other.page, 'epoch'), 1);

    await page.getByTestId('ab-stop').click();
    assert.doesNotMatch(page.url(), /&vs=/);
    assert.deepEqual([...errors, ...other.errors], []);
  } finally {
    await browser.close();
  }
});
