// Keyboard only, as a learner without a mouse: Tab and Shift+Tab to reach a control, Enter,
// Space and the arrow keys to use it. Build a network, train it, open a lesson and copy the
// share link, with the focus visible at every stop. Then the reduced-motion setting: pictures
// redraw at most once a second while training, and still redraw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE_URL, backendLabel } from './browser.mjs';

const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

/** Presses Tab until the control with this testid has the focus (Shift+Tab with `back`). */
async function tabTo(page, testid, back = false) {
  for (let i = 0; i < 400; i++) {
    if ((await focused(page)) === testid) {
      // The focus is visible: an outline of at least 2 px.
      const outline = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement);
        return s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth);
      });
      assert.ok(outline >= 2, `${testid}: focus outline ${outline}px`);
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${testid} cannot be reached with ${back ? 'Shift+Tab' : 'Tab'}`);
}

test('keyboard only: build a network, train it, open a lesson and copy the share link', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { context, page, errors } = await openPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE_URL).origin });
    await backendLabel(page);
    const text = (id) => page.getByTestId(id).textContent();

    // Build: the spiral, two more neurons in the first layer, another activation.
    await tabTo(page, 'dataset-spiral');
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('dataset-spiral').getAttribute('aria-pressed'), 'true');
    await tabTo(page, 'layer-0-plus');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    assert.equal(await text('layer-0-units'), '6');
    await tabTo(page, 'layer-0-minus', true);
    await page.keyboard.press('Enter');
    assert.equal(await text('layer-0-units'), '5');
    const before = await page.getByTestId('layer-0-activation').inputValue();
    await tabTo(page, 'layer-0-activation');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((b) => document.querySelector('[data-testid="layer-0-activation"]').value !== b, before);

    // Train: Play, watch the epochs go by, Pause.
    await tabTo(page, 'play');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 3, null, { timeout: 60_000 });
    await page.keyboard.press('Enter');
    assert.match(await text('play'), /Play/);
    assert.ok(Number.isFinite(Number(await text('train-loss'))));

    // A lesson.
    await tabTo(page, 'lesson-dying_relu');
    await page.keyboard.press('Enter');
    assert.match(await text('lesson'), /ReLU/);
    await tabTo(page, 'lesson-try');
    await page.keyboard.press('Enter');

    // Copy the share link.
    await tabTo(page, 'share');
    await page.keyboard.press('Enter');
    await page.getByTestId('share-url').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /#v=1&.*layers=/);
    assert.equal(copied, await page.getByTestId('share-url').inputValue());
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('with reduced motion, pictures redraw at most once a second while training, and still redraw', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser, '', { reducedMotion: 'reduce' });
    await backendLabel(page);
    const updates = () => page.getByTestId('boundary').getAttribute('data-updates').then(Number);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 1);
    const [n0, t0] = [await updates(), Date.now()];
    await page.waitForTimeout(4000);
    const [n1, t1] = [await updates(), Date.now()];
    await page.getByTestId('play').click();
    const seconds = (t1 - t0) / 1000;
    console.log(`reduced motion: ${n1 - n0} redraws in ${seconds.toFixed(1)} s`);
    assert.ok(n1 - n0 >= 1, 'the pictures still follow the training');
    assert.ok(n1 - n0 <= Math.ceil(seconds) + 1, `${n1 - n0} redraws in ${seconds} s`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
