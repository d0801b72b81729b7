// Your own data: points placed by clicking on the plane, a pasted CSV, a CSV that cannot be read,
// and a share link that carries the points into a fresh browser context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, backendLabel } from './browser.mjs';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The points in a share link's `custom` key, as [x, y, label] in plane units. */
function linkPoints(url) {
  const value = new URL(url).hash.slice(1).split('&').find((kv) => kv.startsWith('custom='))?.slice(7) ?? '';
  const points = [];
  for (let i = 0; i + 4 <= value.length; i += 4) {
    let v = 0;
    for (const c of value.slice(i, i + 4)) v = v * 64 + ALPHABET.indexOf(c);
    const xy = Math.floor(v / 2);
    points.push([Math.floor(xy / 1201) / 100 - 6, (xy % 1201) / 100 - 6, v % 2 ? 1 : -1]);
  }
  return points;
}

async function shareUrl(page) {
  await page.getByTestId('share').click();
  return page.getByTestId('share-url').inputValue();
}

async function number(page, testid) {
  return Number((await page.getByTestId(testid).textContent()).replace('%', ''));
}

/** Plays until the test accuracy reaches `target` % (or the timeout), pauses, returns [accuracy, epoch]. */
async function trainTo(page, target, timeout = 60_000) {
  await page.getByTestId('play').click();
  await page.waitForFunction(
    (t) => Number(document.querySelector('[data-testid="accuracy"]').textContent.replace('%', '')) >= t,
    target,
    { timeout, polling: 200 },
  ).catch(() => {});
  await page.getByTestId('play').click();
  return [await number(page, 'accuracy'), await number(page, 'epoch')];
}

/** 40 rows of an XOR: the label is whether x and y have the same sign. */
function xorCsv() {
  const rows = ['x,y,label'];
  for (let i = 0; i < 40; i++) {
    const sx = i % 2 ? 1 : -1;
    const sy = i % 4 < 2 ? 1 : -1;
    const r = 1 + (i % 10) * 0.4;
    const s = 1 + ((i * 7) % 10) * 0.4;
    rows.push(`${(sx * r).toFixed(2)},${(sy * s).toFixed(2)},${sx * sy > 0 ? 1 : 0}`);
  }
  return rows.join('\n');
}

test('your own data: click points of both classes, train, paste a CSV, reject junk, share', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const first = await openPage(browser);
    const page = first.page;
    await backendLabel(page);
    await page.getByTestId('device-select').selectOption({ label: 'CPU' });
    await page.getByTestId('dataset-custom').click();
    assert.equal(await page.getByTestId('dataset-custom').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('notice').getByText(/add at least 10/).waitFor();

    // Ten orange points on the left of the plane, ten blue on the right.
    const canvas = page.getByTestId('boundary');
    const box = await canvas.boundingBox();
    const at = (fx, fy) => ({ position: { x: fx * box.width, y: fy * box.height } });
    await page.getByTestId('custom-class-neg').click();
    assert.equal(await page.getByTestId('custom-class-neg').getAttribute('aria-pressed'), 'true');
    for (let i = 0; i < 10; i++) await canvas.click(at(0.15 + 0.015 * i, 0.1 + 0.08 * i));
    await page.getByTestId('custom-class-pos').click();
    for (let i = 0; i < 10; i++) await canvas.click(at(0.85 - 0.015 * i, 0.1 + 0.08 * i));
    assert.equal(await page.getByTestId('custom-count').textContent(), '20 points (10 blue, 10 orange)');

    // The first click is where it was clicked: x₁ to the right, x₂ up, across [-6, 6].
    const clicked = linkPoints(await shareUrl(page));
    assert.equal(clicked.length, 20);
    const [x0, y0, l0] = clicked[0];
    assert.ok(Math.abs(x0 - (-6 + 12 * 0.15)) < 0.1 && Math.abs(y0 - (6 - 12 * 0.1)) < 0.1 && l0 === -1, `${clicked[0]}`);
    assert.ok(clicked.slice(10).every(([x, , l]) => x > 2.5 && l === 1), `${clicked.slice(10)}`);

    const [accuracy, epoch] = await trainTo(page, 100);
    console.log(`clicked points: test accuracy ${accuracy}% at epoch ${epoch}`);
    assert.ok(accuracy >= 90, `test accuracy ${accuracy}% at epoch ${epoch}`);

    // A pasted CSV replaces the points; with the x1·x2 feature an XOR is easy.
    await page.getByTestId('custom-csv').fill(xorCsv());
    await page.getByTestId('custom-csv-apply').click();
    assert.equal(await page.getByTestId('custom-count').textContent(), '40 points (20 blue, 20 orange)');
    await page.getByTestId('feature-x1x2').check();
    const [xorAccuracy, xorEpoch] = await trainTo(page, 90);
    console.log(`pasted XOR CSV: test accuracy ${xorAccuracy}% at epoch ${xorEpoch}`);
    assert.ok(xorEpoch > 0, `epoch ${xorEpoch}`);
    assert.ok(xorAccuracy >= 90, `test accuracy ${xorAccuracy}% at epoch ${xorEpoch}`);

    // Junk: the notice names the line, and the points stay as they were.
    const before = await shareUrl(page);
    await page.getByTestId('custom-csv').fill('x,y,label\n1,2,1\nfoo;bar\n');
    await page.getByTestId('custom-csv-apply').click();
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /line 3/);
    assert.equal(await page.getByTestId('custom-count').textContent(), '40 points (20 blue, 20 orange)');
    assert.equal(await shareUrl(page), before);

    // The link replays the same points in a fresh context.
    const second = await openPage(browser, before);
    await backendLabel(second.page);
    assert.equal(await second.page.getByTestId('dataset-custom').getAttribute('aria-pressed'), 'true');
    assert.equal(await second.page.getByTestId('custom-count').textContent(), '40 points (20 blue, 20 orange)');
    assert.ok(await second.page.getByTestId('feature-x1x2').isChecked());
    assert.equal(await shareUrl(second.page), before);
    assert.deepEqual(linkPoints(before).length, 40);
    assert.ok(await second.page.getByTestId('notice').isHidden(), await second.page.getByTestId('notice').textContent());

    // Clear removes every point.
    await second.page.getByTestId('custom-clear').click();
    assert.equal(await second.page.getByTestId('custom-count').textContent(), '0 points (0 blue, 0 orange)');
    assert.deepEqual([...first.errors, ...second.errors], []);
  } finally {
    await browser.close();
  }
});
