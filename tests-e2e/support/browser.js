'use strict';
/*
 * Debian's Chromium driven by playwright-core (no browser is ever downloaded), axe-core injected
 * into pages, and the keyboard and layout measurements the accessibility tests share.
 *
 * Layout:
 *   launchBrowser()                 headless /usr/bin/chromium (or $CHROMIUM_BIN)
 *   assertNoSeriousAxeViolations()  axe-core run; fails on any serious or critical violation
 *   tabUntil(page, predicate)       presses Tab (keyboard only) until the focused element matches
 *   horizontalOverflow(page)        how far the page scrolls sideways, in CSS px
 *   (every axe run is also recorded by ./accessibility-summary for the compliance report)
 *   screenshotPath(name)            $LOKET_SCREENSHOT_DIR/<name>.png (default target/e2e-screenshots;
 *                                   the README's pictures in docs/screenshots are copied from there)
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { REPO_ROOT } = require('./server');
const { recordAxeResults } = require('./accessibility-summary');

const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** How long a test waits for a DOM condition before it fails. */
const WAIT_MS = 15000;
// The source is evaluated through the DevTools protocol rather than added as a <script> tag: the
// server's Content-Security-Policy (script-src 'self') rightly blocks inline scripts, and the tests
// keep that policy on instead of bypassing it.
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0-2.2 A and AA rules plus axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A11Y-01: runs axe-core on the whole page (host page, widget or console) and fails with a
 * readable list if any violation is serious or critical. Contrast (1.4.3) is one of the rules.
 */
async function assertNoSeriousAxeViolations(page, stateName) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const scanStarted = Date.now();
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  recordAxeResults(stateName, results, Date.now() - scanStarted);
  const blocking = results.violations.filter((violation) => BLOCKING_IMPACTS.has(violation.impact));
  const report = blocking
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help}\n${violation.nodes
      .slice(0, 5)
      .map((node) => `    ${node.target.join(' ')}: ${node.failureSummary.replace(/\s+/g, ' ')}`)
      .join('\n')}`)
    .join('\n');
  assert.equal(blocking.length, 0, `axe-core found serious or critical violations in state "${stateName}":\n${report}`);
  // Guard against a vacuous pass: axe must actually have evaluated rules on this page.
  assert.ok(results.passes.length > 0, `axe-core evaluated no rules in state "${stateName}"`);
  return results;
}

/**
 * Presses Tab until the focused element matches: `target` is a data-testid, or a function run
 * in the page that returns true. Fails after `maxPresses`. Uses the keyboard only, as a
 * keyboard user would.
 */
async function tabUntil(page, target, description, maxPresses = 60) {
  const matches = typeof target === 'string'
    ? () => page.evaluate((testId) => Boolean(document.activeElement) && document.activeElement.getAttribute('data-testid') === testId, target)
    : () => page.evaluate(target);
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    if (await matches()) return press + 1;
  }
  const focused = await page.evaluate(() => {
    const active = document.activeElement;
    return active ? `${active.tagName} ${active.getAttribute('data-testid') || ''} ${active.textContent.slice(0, 40)}` : 'nothing';
  });
  assert.fail(`Tab never reached ${description} within ${maxPresses} presses (focus is on ${focused})`);
  return maxPresses;
}

/** The data-testid of the focused element (or null). */
async function focusedTestId(page) {
  return page.evaluate(() => (document.activeElement ? document.activeElement.getAttribute('data-testid') : null));
}

/** How many CSS px the document scrolls horizontally (0 means no sideways scrolling). */
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const root = document.scrollingElement || document.documentElement;
    return Math.max(0, root.scrollWidth - root.clientWidth);
  });
}

function screenshotPath(name) {
  const directory = process.env.LOKET_SCREENSHOT_DIR || path.join(REPO_ROOT, 'target', 'e2e-screenshots');
  fs.mkdirSync(directory, { recursive: true });
  return path.join(directory, `${name}.png`);
}

module.exports = {
  launchBrowser,
  assertNoSeriousAxeViolations,
  tabUntil,
  focusedTestId,
  horizontalOverflow,
  screenshotPath,
  WAIT_MS,
};
