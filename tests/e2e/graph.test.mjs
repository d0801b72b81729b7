// The network graph (TensorFlow Playground's own view): one picture per neuron and one line per
// weight, live; hovering a neuron swaps the big plot; a clicked weight takes a typed value; the
// −/+ on each layer changes the network and the link. And what links carry besides the
// experiment: TensorFlow Playground's view options, embed mode, quiet notices, figure exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openPage, backendLabel, stepEpochs } from './browser.mjs';

const TFP = 'activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.88062&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification';

const count = (page, testid) => page.getByTestId(testid).count();

/** Every weight line's stroke colour and width. */
const strokes = (page) =>
  page.$$eval('[data-testid="graph-weight"]', (ps) => ps.map((p) => `${p.getAttribute('stroke')}/${p.getAttribute('stroke-width')}`));

/** The big plot's pixels, as a data URL. */
const plot = (page) => page.$eval('[data-testid="boundary"]', (c) => c.toDataURL());

/** The share of sampled plot pixels in its two commonest colours: near 1 for a discretized plot. */
const twoColourShare = (page) =>
  page.$eval('[data-testid="boundary"]', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Map();
    let n = 0;
    for (let i = 0; i < d.length; i += 4 * 7) {
      const k = `${d[i]},${d[i + 1]},${d[i + 2]}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
      n++;
    }
    const top = [...seen.values()].sort((a, b) => b - a);
    return (top[0] + (top[1] ?? 0)) / n;
  });

/** Waits until the graph has its weights (the lines are no longer the grey placeholder). */
const weightsShown = (page) =>
  page.waitForFunction(() => [...document.querySelectorAll('[data-testid="graph-weight"]')].every((p) => p.getAttribute('stroke') !== '#cbd5e1'));

test('the default network as a graph: a picture per neuron, a line per weight, changing as it trains', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    // Inputs x1, x2; hidden 4 and 2; one output.
    assert.equal(await count(page, 'graph-neuron'), 2 + 4 + 2 + 1);
    assert.equal(await count(page, 'graph-weight'), 2 * 4 + 4 * 2 + 2 * 1);
    assert.equal(await count(page, 'graph-bias'), 4 + 2 + 1);
    await weightsShown(page);
    // Every neuron has its picture.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="graph-neuron"] image')].every((i) => (i.getAttribute('href') ?? '').startsWith('data:image/png')));
    const before = await strokes(page);
    const pictures = await page.$$eval('[data-testid="graph-neuron"] image', (is) => is.map((i) => i.getAttribute('href')));
    await stepEpochs(page, 5);
    await page.waitForFunction((b) => {
      const now = [...document.querySelectorAll('[data-testid="graph-weight"]')].map((p) => `${p.getAttribute('stroke')}/${p.getAttribute('stroke-width')}`);
      return now.filter((s, i) => s !== b[i]).length >= 9;
    }, before);
    const after = await strokes(page);
    const changed = after.filter((s, i) => s !== before[i]).length;
    assert.ok(changed >= 9, `${changed} of ${after.length} lines changed`);
    const hidden = await page.$$eval('[data-testid="graph-neuron"][data-column="1"] image', (is) => is.map((i) => i.getAttribute('href')));
    assert.notDeepEqual(hidden, pictures.slice(2, 6), 'the hidden neurons\' pictures moved');
    console.log(`graph: ${changed}/${after.length} lines changed colour or width over 5 epochs`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('hovering a neuron puts its picture in the big plot; a typed weight changes the output; −/+ change the layer and the link', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await stepEpochs(page, 3);
    await weightsShown(page);
    const output = await plot(page);
    const neuron = page.locator('[data-testid="graph-neuron"][data-column="1"][data-unit="2"]');
    await neuron.hover();
    await page.waitForFunction(() => document.querySelector('[data-testid="boundary"]').dataset.showing === '1:2');
    assert.match(await page.getByTestId('boundary-caption').textContent(), /layer 1, neuron 3/);
    assert.notEqual(await plot(page), output, 'the plot shows the neuron');
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => document.querySelector('[data-testid="boundary"]').dataset.showing === 'output');
    assert.equal(await plot(page), output, 'and the output again after');

    // The weight from hidden layer 2's first neuron to the output, pointed at and then edited.
    const weight = page.locator('[data-testid="graph-weight"][data-layer="2"][data-unit="0"][data-input="0"]');
    await weight.dispatchEvent('mouseenter');
    assert.match(await page.getByTestId('graph-info').textContent(), /Weight layer 2, neuron 1 → the output: -?\d+\.\d{3}/);
    await weight.dispatchEvent('click');
    const edit = page.getByTestId('graph-edit');
    await edit.fill('not a number');
    await edit.press('Enter');
    assert.match(await page.getByTestId('graph-info').textContent(), /number from −100 to 100/);
    await edit.fill('5');
    await edit.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="graph-weight"][data-layer="2"][data-unit="0"][data-input="0"]').getAttribute('stroke-width') === '6.00');
    await page.waitForFunction((o) => document.querySelector('[data-testid="boundary"]').toDataURL() !== o, output);
    await weight.dispatchEvent('mouseenter');
    assert.match(await page.getByTestId('graph-info').textContent(), /: 5\.000/);
    // Training goes on from the edited weight.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '4');

    // −/+ on the graph.
    await page.getByTestId('layer-0-plus').click();
    assert.equal(await page.getByTestId('layer-0-units').textContent(), '5');
    assert.equal(await count(page, 'graph-neuron'), 2 + 5 + 2 + 1);
    assert.equal(await count(page, 'graph-weight'), 2 * 5 + 5 * 2 + 2 * 1);
    await page.waitForFunction(() => location.hash.includes('layers=5:tanh,2:tanh'));
    await page.getByTestId('layer-1-minus').click();
    assert.equal(await count(page, 'graph-weight'), 2 * 5 + 5 * 1 + 1 * 1);
    await page.waitForFunction(() => location.hash.includes('layers=5:tanh,1:tanh'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a TensorFlow Playground link with showTestData, discretize, hideText and initZero opens quietly and does what it says', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const link = `#${TFP}&showTestData=true&discretize=true&hideText=true&initZero=true`;
    const { page, errors } = await openPage(browser, link);
    await backendLabel(page);
    assert.ok(await page.getByTestId('link-problems').isHidden(), await page.getByTestId('link-problems').textContent());
    assert.ok(await page.getByTestId('notice').isHidden(), await page.getByTestId('notice').textContent());
    // Text hidden: no footer, no captions, no small-print note.
    assert.ok(await page.locator('footer').isHidden());
    assert.ok(await page.getByTestId('boundary-caption').isHidden());
    assert.ok(await page.getByTestId('link-notes').isHidden());
    assert.ok(await page.getByTestId('show-test').isChecked());
    assert.ok(await page.getByTestId('discretize').isChecked());
    // Zero weights: every line at the thinnest width.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="graph-weight"]')].every((p) => p.getAttribute('stroke-width') === '0.60'));
    // The link the page writes keeps the view options.
    await page.waitForFunction(() => location.hash.startsWith('#v=1') && location.hash.includes('discretize=1') && location.hash.includes('text=0') && location.hash.includes('init=zeros'));

    // The same link without the options: TensorFlow Playground's view (no test data), the seed in small print.
    const plain = await openPage(browser, `#${TFP}`);
    await backendLabel(plain.page);
    assert.ok(await plain.page.getByTestId('link-problems').isHidden());
    assert.ok(!(await plain.page.getByTestId('show-test').isChecked()));
    assert.ok(!(await plain.page.getByTestId('discretize').isChecked()));
    assert.match(await plain.page.getByTestId('link-notes').textContent(), /seed/);

    // Discretized after some training: two flat colours (and the points); the gradient back when unticked.
    await stepEpochs(plain.page, 3);
    await plain.page.getByTestId('discretize').check();
    const flat = await twoColourShare(plain.page);
    await plain.page.getByTestId('discretize').uncheck();
    const smooth = await twoColourShare(plain.page);
    console.log(`discretize: the two commonest colours cover ${(100 * flat).toFixed(1)}% of the plot, ${(100 * smooth).toFixed(1)}% when smooth`);
    assert.ok(flat > 0.85 && smooth < flat - 0.2, `discretized ${flat}, smooth ${smooth}`);
    assert.deepEqual([...errors, ...plain.errors], []);
  } finally {
    await browser.close();
  }
});

test('notices read well: a short hand-typed link gets one line; embed=1 shows only the graph, the plot and the controls', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser, '#v=1&data=xor&layers=4:tanh');
    await backendLabel(page);
    assert.ok(await page.getByTestId('link-problems').isHidden());
    const line = page.getByTestId('link-missing');
    assert.match(await line.locator('span').first().textContent(), /^11 settings were missing from the link; defaults used\.$/);
    assert.ok(await line.locator('li').first().isHidden(), 'the list is behind a click');
    await line.locator('summary').click();
    assert.ok(await line.getByText('lr: 0.03').isVisible());
    assert.equal(await count(page, 'graph-neuron'), 2 + 4 + 1);

    const embed = await openPage(browser, '#v=1&data=xor&layers=4:tanh&embed=1');
    await backendLabel(embed.page);
    for (const hidden of ['header.top', 'footer', '.panel.data', '.panel.hyper', '.panel.lessons', '.panel.acts', '.curves']) {
      assert.ok(await embed.page.locator(hidden).first().isHidden(), `${hidden} hidden in embed mode`);
    }
    for (const shown of ['graph', 'boundary', 'play', 'step']) {
      assert.ok(await embed.page.getByTestId(shown).isVisible(), `${shown} shown in embed mode`);
    }
    await embed.page.getByTestId('step').click();
    await embed.page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
    assert.deepEqual([...errors, ...embed.errors], []);
  } finally {
    await browser.close();
  }
});

test('figures a teacher can take away: plot, graph and curves as PNG, curves as CSV', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await stepEpochs(page, 2);
    await weightsShown(page);
    const save = async (testid) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
      return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
    };
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    for (const [testid, name] of [['save-boundary', 'dl101-boundary.png'], ['save-graph', 'dl101-network.png'], ['save-curves', 'dl101-curves.png']]) {
      const f = await save(testid);
      assert.equal(f.name, name);
      assert.ok(f.bytes.subarray(0, 4).equals(png), `${name} is a PNG`);
      assert.ok(f.bytes.length > 1000, `${name}: ${f.bytes.length} bytes`);
    }
    const csv = await save('save-csv');
    assert.equal(csv.name, 'dl101-curves.csv');
    const rows = csv.bytes.toString().trim().split('\n');
    assert.equal(rows[0], 'epoch,step,train_loss,test_loss,train_accuracy,test_accuracy');
    assert.ok(rows.length >= 3, rows.join('\n'));
    assert.equal(rows.at(-1).split(',')[0], '2');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the graph by keyboard: a focused neuron fills the big plot, Enter edits its bias', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await stepEpochs(page, 1);
    await weightsShown(page);
    const neuron = page.locator('[data-testid="graph-neuron"][data-column="2"][data-unit="0"]');
    assert.equal(await neuron.getAttribute('aria-label'), 'layer 2, neuron 1');
    await neuron.focus();
    await page.waitForFunction(() => document.querySelector('[data-testid="boundary"]').dataset.showing === '2:0');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'graph-edit');
    assert.match(await page.getByTestId('graph-info').textContent(), /Bias of layer 2, neuron 1/);
    const bias = neuron.locator('[data-testid="graph-bias"]');
    const before = await bias.getAttribute('fill');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('-3');
    await page.keyboard.press('Enter');
    await page.waitForFunction((b) => document.querySelector('[data-testid="graph-neuron"][data-column="2"][data-unit="0"] [data-testid="graph-bias"]').getAttribute('fill') !== b, before);
    // A bias of −3 is drawn in the full orange of a large negative number.
    const orange = await page.evaluate(() => {
      const [r, g, b] = document.querySelector('[data-testid="graph-neuron"][data-column="2"][data-unit="0"] [data-testid="graph-bias"]').getAttribute('fill').match(/\d+/g).map(Number);
      return r > g && g > b;
    });
    assert.ok(orange, await bias.getAttribute('fill'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
