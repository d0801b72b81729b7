// Convolutional and recurrent networks on the page: a CNN on the handwritten digits draws its
// filters and feature maps; an LSTM forecasting the sine draws its predictions against the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

/** Test accuracy the digits CNN must reach, in percent. */
const DIGITS_ACCURACY = 90;
/** Test loss (MSE) the sine LSTM must get under; predicting zero scores about 0.5. */
const SINE_TEST_LOSS = 0.05;

test('a CNN on the digits trains, and its filters and feature maps are drawn', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('dataset-digits').click();
    assert.equal(await page.getByTestId('layer-0-kind').textContent(), 'conv2d');
    assert.equal(await page.getByTestId('layer-1-kind').textContent(), 'max_pool2d');
    assert.equal(await page.getByTestId('layer-2-kind').textContent(), 'flatten');
    await page.getByTestId('play').click();
    await page.waitForFunction(
      (target) => parseFloat(document.querySelector('[data-testid="accuracy"]').textContent) >= target,
      DIGITS_ACCURACY,
      { timeout: 120_000, polling: 250 },
    );
    await page.getByTestId('play').click();
    assert.equal(await page.locator('[data-testid="filters"] canvas').count(), 8, 'one picture per filter');
    assert.ok((await page.locator('[data-testid="feature-maps"] canvas').count()) >= 16, 'conv and pool maps');
    assert.ok(await page.getByTestId('sample-image').isVisible());
    // One flow, left to right: input, filters, the conv and pool maps, the answer.
    assert.match(await page.getByTestId('image-flow').textContent(), /input.*filters.*conv2d 1.*max_pool2d 2.*answer/s);
    console.log(`digits: test accuracy ${await page.getByTestId('accuracy').textContent()} at epoch ${await page.getByTestId('epoch').textContent()}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('an LSTM forecasting the sine trains, and its predictions are drawn against the truth', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('dataset-sine').click();
    assert.equal(await page.getByTestId('layer-0-kind').textContent(), 'lstm');
    await page.getByTestId('play').click();
    await page.waitForFunction(
      (target) => Number(document.querySelector('[data-testid="test-loss"]').textContent) < target,
      SINE_TEST_LOSS,
      { timeout: 120_000, polling: 250 },
    );
    await page.getByTestId('play').click();
    assert.ok(await page.getByTestId('sequence-chart').isVisible());
    // Unrolled over time: the input steps and the LSTM's 16 units at each step, one strip each.
    assert.equal(await page.locator('[data-testid="unrolled"] canvas').count(), 2);
    assert.match(await page.getByTestId('unrolled').textContent(), /layer 1: h₁ … h_T \(16 units\)/);
    console.log(`sine: test loss ${await page.getByTestId('test-loss').textContent()} at epoch ${await page.getByTestId('epoch').textContent()}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
