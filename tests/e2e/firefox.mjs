// Shared set-up for the journeys in Firefox: Debian's firefox-esr, headless, driven through
// geckodriver (crates.io, installed by `cargo xtask test`) by npm's selenium-webdriver, with the
// driver and the browser named explicitly so that Selenium Manager never downloads anything.
// WebDriver BiDi's log events record console errors and uncaught exceptions, so that every
// journey can fail on one, as the Chromium journeys do.
import { Builder, By, until } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import LogInspector from 'selenium-webdriver/bidi/logInspector.js';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
/** `cargo xtask test` passes GECKODRIVER; otherwise where `cargo install` put it. */
export const GECKODRIVER = process.env.GECKODRIVER
  ?? join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'geckodriver');

/** A selector for a `data-testid`. */
export const tid = (id) => By.css(`[data-testid="${id}"]`);

/**
 * Starts headless Firefox and opens the playground at `path`. Returns the driver and `errors`,
 * which collects console errors and uncaught exceptions of every page the driver opens.
 */
export async function openFirefox(path = '') {
  for (const [what, p] of [['firefox-esr', FIREFOX], ['geckodriver', GECKODRIVER]]) {
    if (!existsSync(p)) throw new Error(`${what} not found at ${p}: run cargo xtask test, which installs it`);
  }
  const options = new firefox.Options()
    .setBinary(FIREFOX)
    .addArguments('-headless')
    .windowSize({ width: 1280, height: 900 })
    .enableBidi();
  const driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(GECKODRIVER))
    .build();
  const errors = [];
  try {
    const logs = await LogInspector(driver);
    await logs.onLog((entry) => { if (entry.level === 'error') errors.push(entry.text); });
    await driver.get(new URL(path, BASE_URL).toString());
  } catch (e) {
    await driver.quit();
    throw e;
  }
  return { driver, errors };
}

/** The text of the element with this testid. */
export const text = async (driver, id) => (await driver.findElement(tid(id))).getText();

/** Its `textContent` (also for hidden elements, unlike WebDriver's visible text). */
export const content = (driver, id) =>
  driver.executeScript((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

/** Clicks the element with this testid. */
export const click = async (driver, id) => (await driver.findElement(tid(id))).click();

/** An attribute (or a property such as `value` or `checked`) of the element with this testid. */
export const attr = async (driver, id, name) => (await driver.findElement(tid(id))).getAttribute(name);

/** Picks the option with this visible label in the `<select>` with this testid. */
export async function selectLabel(driver, id, label) {
  const select = await driver.findElement(tid(id));
  await select.findElement(By.xpath(`./option[normalize-space(.)=${JSON.stringify(label)}]`)).click();
}

/** Picks the option with this value in the `<select>` with this testid. */
export async function selectValue(driver, id, value) {
  const select = await driver.findElement(tid(id));
  await select.findElement(By.css(`option[value="${value}"]`)).click();
}

/** Waits until `fn` (run in the page, with `arg`) returns something truthy, and returns it. */
export const waitFor = (driver, fn, arg, timeout = 60_000, what = String(fn)) =>
  driver.wait(() => driver.executeScript(fn, arg), timeout, `timed out waiting for ${what}`, 200);

/** Waits until the compute status has left "Detecting" and returns it. */
export async function backendLabel(driver) {
  await driver.wait(until.elementLocated(tid('backend')), 60_000);
  return waitFor(driver, () => {
    const t = (document.querySelector('[data-testid="backend"]')?.textContent ?? '').trim();
    return t.startsWith('WebGPU:') || t.startsWith('CPU fallback:') ? t : null;
  }, undefined, 60_000, 'the backend label');
}

/** Waits until the epoch counter shows `n`. */
export const epochIs = (driver, n) =>
  waitFor(driver, (n) => document.querySelector('[data-testid="epoch"]')?.textContent === String(n), n, 60_000, `epoch ${n}`);

/** The number an element shows (a trailing % dropped). */
export const number = async (driver, id) => Number(String(await content(driver, id)).replace('%', ''));

/** Presses Step `n` times, waiting for each epoch (from a counter at 0). */
export async function stepEpochs(driver, n) {
  for (let i = 1; i <= n; i++) {
    await click(driver, 'step');
    await epochIs(driver, i);
  }
}
