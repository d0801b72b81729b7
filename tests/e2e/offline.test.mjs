// The page makes no network request after it has loaded: it trains, draws, switches data sets and
// languages and builds share links with the network cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

test('after loading, the page works offline and requests nothing', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { context, page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.waitForLoadState('networkidle');
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await context.setOffline(true);

    await page.getByTestId('dataset-xor').click();
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 10, null, { timeout: 60_000 });
    await page.getByTestId('play').click();
    await page.getByTestId('dataset-digits').click();
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1', null, { timeout: 60_000 });
    await page.getByTestId('lang').click();
    await page.getByTestId('share').click();
    assert.match(await page.getByTestId('share-url').inputValue(), /#/);

    assert.deepEqual(requests, [], 'no request after load');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
