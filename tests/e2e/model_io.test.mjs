// Export and import: the trained model leaves as a file and comes back with the same weights; a
// file that is not a model is refused with a message and the experiment is kept; the Keras and
// PyTorch code for the network is shown and copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, backendLabel, epochIs, stepEpochs } from './browser.mjs';


test('a model exported from the page imports back with the same weights; junk is refused', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('dataset-spiral').click();
    await stepEpochs(page, 4);
    const loss = await page.getByTestId('test-loss').textContent();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-model').click()]);
    const dir = await mkdtemp(join(tmpdir(), 'dl101-'));
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);

    await page.getByTestId('new-experiment').click();
    await epochIs(page, 0);
    assert.equal(await page.getByTestId('dataset-circle').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('import-model').setInputFiles(file);
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]').textContent.includes('Imported a model'));
    assert.equal(await page.getByTestId('dataset-spiral').getAttribute('aria-pressed'), 'true');
    await page.waitForFunction((l) => document.querySelector('[data-testid="test-loss"]').textContent === l, loss, { timeout: 10_000 });

    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{"format":"dl101-model","version":1,"spec":{},"layers":[{"kind":"dense","weight":{"shape":[4,2],"data":"!!"}}]}');
    await page.getByTestId('import-model').setInputFiles(junk);
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]').textContent.includes('was not imported'));
    assert.match(await page.getByTestId('notice').textContent(), /unchanged/);
    assert.equal(await page.getByTestId('dataset-spiral').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByTestId('test-loss').textContent(), loss);

    await page.getByTestId('copy-keras').click();
    assert.match(await page.getByTestId('code').inputValue(), /keras/);
    await page.getByTestId('copy-pytorch').click();
    assert.match(await page.getByTestId('code').inputValue(), /torch/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
