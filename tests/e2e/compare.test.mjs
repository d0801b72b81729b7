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

test('A/B: B changes its layers and its data and trains at the same time as A, in a worker of its own', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('ab-fork').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="ab-epoch"]') !== null);
    await page.getByTestId('ab-layers').fill('16:relu,16:relu,16:relu');
    await page.getByTestId('ab-layers').press('Enter');
    assert.match(await page.getByTestId('ab-diff').textContent(), /layers: 4:tanh,2:tanh → 16:relu,16:relu,16:relu/);
    // Text that is not a layer changes nothing and says why.
    await page.getByTestId('ab-layers').fill('16:relu,banana');
    await page.getByTestId('ab-layers').press('Enter');
    await page.getByTestId('notice').getByText(/B's layers were not changed: .*layers\[1\]/).waitFor();
    assert.match(await page.getByTestId('ab-diff').textContent(), /16:relu,16:relu,16:relu/);
    await page.getByTestId('ab-data').selectOption('spiral');
    assert.match(await page.getByTestId('ab-diff').textContent(), /data: circle → spiral/);

    assert.equal(page.workers().length, 2, 'A and B each train in a worker');
    await page.getByTestId('speed').selectOption({ label: 'Full speed' });
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="ab-epoch"]').textContent) >= 20
      && Number(document.querySelector('[data-testid="epoch"]').textContent) >= 20, null, { timeout: 60_000 });
    // Both report a rate of their own once they have trained for a second.
    await page.waitForFunction(() => ['steps-per-sec', 'ab-steps-per-sec']
      .every((id) => Number(document.querySelector(`[data-testid="${id}"]`).textContent.replace(/,/g, '')) > 0), null, { timeout: 30_000 });
    await page.getByTestId('play').click();
    assert.ok(await page.getByTestId('ab-boundary').isVisible(), 'B on the spiral draws its output');

    await page.getByTestId('ab-stop').click();
    await page.waitForFunction(() => true);
    assert.equal(page.workers().length, 1, 'B\'s worker is gone');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
