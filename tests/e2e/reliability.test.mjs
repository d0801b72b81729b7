// What the page does when things go wrong: a learning rate that makes the loss NaN, and a
// mangled share link. It explains, keeps the page alive, and Reset recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

test('a learning rate of 10 diverges: training pauses, says what to try, and Reset recovers', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    // Regression has a linear output: at this rate its weights overflow within a few epochs.
    await page.getByTestId('dataset-reg_plane').click();
    await page.getByTestId('lr').selectOption({ label: '10' });
    await page.getByTestId('play').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="notice"]').textContent.includes('diverged'),
      null,
      { timeout: 60_000 },
    );
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /lower learning rate/);
    assert.match(await page.getByTestId('play').textContent(), /Play/, 'training paused itself');
    await page.getByTestId('lr').selectOption({ label: '0.03' });
    await page.getByTestId('reset').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '0');
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
    assert.ok(Number.isFinite(Number(await page.getByTestId('train-loss').textContent())));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a mangled share link opens the nearest valid experiment and says what was wrong', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const link = '#v=1&data=spiral&layers=8:tanh,99999:nonsense&lr=NaN&batch=-5&<script>alert(1)</script>';
    const { page, errors } = await openPage(browser, link);
    await backendLabel(page);
    const notice = await page.getByTestId('link-problems').textContent();
    assert.match(notice, /nearest valid experiment/);
    assert.match(notice, /lr/);
    assert.equal(await page.getByTestId('dataset-spiral').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByTestId('layer-0-units').textContent(), '8');
    assert.equal(await page.locator('script:not([src]):not([type])').count(), 0, 'nothing from the link became HTML');
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
