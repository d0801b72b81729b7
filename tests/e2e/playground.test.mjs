// Journeys through the playground as a learner takes them: build a network by clicking, train it,
// share it, and use the activation table. Every journey fails on a console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

/** Test loss (mean squared error against ±1 labels) that the spiral journey must get under. */
const SPIRAL_TEST_LOSS = 0.2;

async function clickTimes(page, testid, n) {
  for (let i = 0; i < n; i++) await page.getByTestId(testid).click();
}

async function number(page, testid) {
  return Number((await page.getByTestId(testid).textContent()).replace('%', ''));
}

/** Builds spiral with two hidden layers of 8 tanh units, starting from the default page (4, 2). */
async function buildSpiral(page) {
  await page.getByTestId('dataset-spiral').click();
  await clickTimes(page, 'layer-0-plus', 4);
  await clickTimes(page, 'layer-1-plus', 6);
  await page.getByTestId('feature-sin_x1').check();
  await page.getByTestId('feature-sin_x2').check();
  await page.getByTestId('lr').selectOption({ label: '0.1' });
  assert.equal(await page.getByTestId('layer-0-units').textContent(), '8');
  assert.equal(await page.getByTestId('layer-1-units').textContent(), '8');
  assert.equal(await page.getByTestId('layer-0-activation').inputValue(), 'tanh');
  assert.equal(await page.getByTestId('layer-1-activation').inputValue(), 'tanh');
}

test('spiral: two hidden layers of 8 tanh units, built by clicking, train below the target loss', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await buildSpiral(page);
    await page.getByTestId('play').click();
    assert.match(await page.getByTestId('play').textContent(), /Pause/);
    await page.waitForFunction(
      (target) => Number(document.querySelector('[data-testid="test-loss"]').textContent) < target,
      SPIRAL_TEST_LOSS,
      { timeout: 120_000, polling: 250 },
    );
    await page.getByTestId('play').click();
    assert.match(await page.getByTestId('play').textContent(), /Play/);
    const epoch = await number(page, 'epoch');
    assert.ok(epoch > 0, `epoch ${epoch}`);
    const accuracy = await number(page, 'accuracy');
    assert.ok(accuracy > 80, `test accuracy ${accuracy}%`);
    const loss = await number(page, 'test-loss');
    console.log(`spiral: test loss ${loss} (target ${SPIRAL_TEST_LOSS}), test accuracy ${accuracy}% at epoch ${epoch}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a share link rebuilds the same experiment and, on the CPU, the same loss at the same epoch', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const first = await openPage(browser);
    await backendLabel(first.page);
    await first.page.getByTestId('device-select').selectOption({ label: 'CPU' });
    await buildSpiral(first.page);
    await first.page.getByTestId('layer-1-activation').selectOption('relu');
    await first.page.getByTestId('seed').fill('42');
    await first.page.getByTestId('seed').dispatchEvent('change');
    await clickTimes(first.page, 'step', 3);
    await first.page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '3');
    const loss = await first.page.getByTestId('train-loss').textContent();
    await first.page.getByTestId('share').click();
    const url = await first.page.getByTestId('share-url').inputValue();
    assert.match(url, /#/);

    const second = await openPage(browser, url);
    await backendLabel(second.page);
    await second.page.getByTestId('device-select').selectOption({ label: 'CPU' });
    assert.equal(await second.page.getByTestId('dataset-spiral').getAttribute('aria-pressed'), 'true');
    assert.equal(await second.page.getByTestId('layer-0-units').textContent(), '8');
    assert.equal(await second.page.getByTestId('layer-1-units').textContent(), '8');
    assert.equal(await second.page.getByTestId('layer-0-activation').inputValue(), 'tanh');
    assert.equal(await second.page.getByTestId('layer-1-activation').inputValue(), 'relu');
    assert.equal(await second.page.getByTestId('seed').inputValue(), '42');
    assert.ok(await second.page.getByTestId('feature-sin_x1').isChecked());
    await clickTimes(second.page, 'step', 3);
    await second.page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '3');
    assert.equal(await second.page.getByTestId('train-loss').textContent(), loss);
    assert.deepEqual([...first.errors, ...second.errors], []);
  } finally {
    await browser.close();
  }
});

test('the activation table switches language and sets the selected layer\'s activation', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    assert.equal(await page.locator('#acts-h').textContent(), 'Activation functions');
    await page.getByTestId('lang').click();
    assert.equal(await page.locator('#acts-h').textContent(), '활성화 함수 비교표');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    await page.getByTestId('layer-1').click();
    assert.equal(await page.getByTestId('selected-layer').textContent(), '2');
    await page.getByTestId('use-leaky_relu').click();
    assert.equal(await page.getByTestId('layer-1-activation').inputValue(), 'leaky_relu');
    assert.equal(await page.getByTestId('layer-0-activation').inputValue(), 'tanh');
    assert.equal(await page.getByTestId('act-row-leaky_relu').getAttribute('class'), 'current');
    await page.getByTestId('lang').click();
    assert.equal(await page.locator('#acts-h').textContent(), 'Activation functions');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
