// Accessibility, audited by axe-core (npm) in the page as learners see it: the default page, a
// lesson, the digits CNN, a sine LSTM, an A/B run and the phone layout, each after some
// training. No serious or critical violation may remain; every violation found is printed.
// axe is injected as a script tag, so these contexts bypass the page's CSP (which allows no
// script but the page's own); nothing else about the page changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, openPage, backendLabel, stepEpochs } from './browser.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Opens the page in a context that can take axe; `viewport` for the phone layout. */
async function open(browser, viewport = { width: 1280, height: 900 }) {
  const opened = await openPage(browser, '', { bypassCSP: true, viewport });
  await backendLabel(opened.page);
  return opened;
}

/** Runs axe on the whole page; prints the violations by impact; returns them. */
async function audit(page, scene) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(' ') }));
  });
  const byImpact = {};
  for (const v of violations) byImpact[v.impact] = (byImpact[v.impact] ?? 0) + 1;
  console.log(`axe ${scene}: ${JSON.stringify(byImpact)}`);
  for (const v of violations) console.log(`  ${v.impact} ${v.id} (${v.nodes} nodes, e.g. ${v.target}): ${v.help}`);
  return violations;
}

function noneSerious(scene, violations) {
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.target})`), [], `${scene}: serious or critical violations`);
}

const SCENES = {
  'the default page': async (page) => { await stepEpochs(page, 2); },
  'a lesson': async (page) => {
    await page.getByTestId('lesson-dying_relu').click();
    await stepEpochs(page, 1);
  },
  'digits (CNN)': async (page) => {
    await page.getByTestId('dataset-digits').click();
    await stepEpochs(page, 1);
  },
  'a sine LSTM': async (page) => {
    await page.getByTestId('dataset-sine').click();
    await stepEpochs(page, 1);
  },
  'an A/B run': async (page) => {
    await page.getByTestId('ab-fork').click();
    await page.getByTestId('ab-activation').selectOption('linear');
    await stepEpochs(page, 2);
  },
};

for (const [scene, reach] of Object.entries(SCENES)) {
  test(`axe: ${scene} has no serious or critical violation`, async () => {
    const browser = await launch({ webgpu: true });
    try {
      const { page, errors } = await open(browser);
      await reach(page);
      noneSerious(scene, await audit(page, scene));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}

test('axe: the phone layout has no serious or critical violation', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await open(browser, { width: 390, height: 844 });
    await stepEpochs(page, 1);
    noneSerious('the phone layout', await audit(page, 'the phone layout'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
