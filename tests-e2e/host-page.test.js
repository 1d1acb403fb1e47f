'use strict';
/*
 * The widget as a guest on the shop's pages: the floating launcher never hides what has keyboard
 * focus and focus is visible (A11Y-05), the launcher and the page's human-contact link keep the
 * same relative order on every page (A11Y-13), a conversation survives a reload without the
 * widget opening or taking focus by itself (A11Y-12), and SIGTERM stops the server cleanly even
 * while a customer's live stream is open (runs last: it stops this file's server).
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const { launchBrowser, focusedTestId, WAIT_MS } = require('./support/browser');

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** The focused element's box, the launcher's box, and whether focus is drawn visibly. */
function focusSnapshot() {
  const active = document.activeElement;
  const launcher = document.querySelector('[data-testid=loket-launcher]');
  const box = (node) => {
    const rect = node.getBoundingClientRect();
    return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
  };
  const style = getComputedStyle(active);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {
    name: `${active.tagName} ${active.getAttribute('data-testid') || active.textContent.trim().slice(0, 30)}`,
    isLauncher: active === launcher,
    isBody: active === document.body,
    focused: box(active),
    launcher: box(launcher),
    indicator: Boolean(outline || shadow),
  };
}

function overlapArea(a, b) {
  const width = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const height = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return width * height;
}

describe('the widget on the host page', () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 320, height: 640 }]) {
    test(`A11Y-05 at ${viewport.width} px: tabbing through the page, the launcher never fully hides the focused element and focus is visible`, async () => {
      const context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        await page.goto(server.baseUrl);
        await page.getByTestId('loket-launcher').waitFor({ timeout: WAIT_MS });
        const visited = [];
        for (let press = 0; press < 60; press += 1) {
          await page.keyboard.press('Tab');
          const snapshot = await page.evaluate(focusSnapshot);
          if (snapshot.isBody) continue;
          visited.push(snapshot.name);
          assert.ok(snapshot.indicator, `no visible focus indicator on ${snapshot.name}`);
          if (snapshot.isLauncher) break;
          const area = snapshot.focused.width * snapshot.focused.height;
          const hidden = overlapArea(snapshot.focused, snapshot.launcher);
          assert.ok(area === 0 || hidden < area, `the launcher hides ${snapshot.name} entirely`);
        }
        assert.ok(visited.length > 5, `too few focus stops: ${visited.join(', ')}`);
        assert.match(visited[visited.length - 1], /loket-launcher/, 'Tab never reached the launcher');
      } finally {
        await context.close();
      }
    });
  }

  test('A11Y-13: the page\'s contact link and the chat launcher keep the same order on the Dutch and English pages', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const orders = [];
      for (const path of ['/', '/en.html']) {
        await page.goto(new URL(path, server.baseUrl).href);
        await page.getByTestId('loket-launcher').waitFor({ timeout: WAIT_MS });
        orders.push(await page.evaluate(() => {
          const contact = document.querySelector('[data-testid=demo-nav-contact]');
          const launcher = document.querySelector('[data-testid=loket-launcher]');
          return contact.compareDocumentPosition(launcher) & Node.DOCUMENT_POSITION_FOLLOWING ? 'contact, launcher' : 'launcher, contact';
        }));
      }
      assert.deepEqual(orders, ['contact, launcher', 'contact, launcher']);
    } finally {
      await context.close();
    }
  });

  test('A11Y-12: after a reload the conversation is kept, the widget stays closed and focus stays on the page', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(server.baseUrl);
      await page.getByTestId('loket-launcher').click();
      await page.getByTestId('loket-input').fill('Hoeveel dagen bedenktijd heb ik?');
      await page.getByTestId('loket-input').press('Enter');
      await page.locator('[data-testid=loket-message][data-kind=answer]').waitFor({ timeout: WAIT_MS });

      await page.reload();
      await page.getByTestId('loket-launcher').waitFor({ timeout: WAIT_MS });
      // The resumed conversation is loaded in the background…
      await page.locator('[data-testid=loket-message][data-kind=answer]').waitFor({ state: 'attached', timeout: WAIT_MS });
      // …without opening the panel or moving focus.
      assert.equal(await page.getByTestId('loket-panel').isHidden(), true);
      assert.equal(await page.evaluate(() => document.activeElement === document.body), true);
      await page.getByTestId('loket-launcher').click();
      assert.equal(await focusedTestId(page), 'loket-input');
      const kinds = await page.locator('[data-testid=loket-log] [data-testid=loket-message]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-kind')));
      assert.deepEqual(kinds.slice(0, 3), ['disclosure', 'text', 'answer']);
    } finally {
      await context.close();
    }
  });
  test('the server shuts down gracefully on SIGTERM while a customer\'s live stream is open', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(server.baseUrl);
      await page.getByTestId('loket-launcher').click();
      await page.locator('[data-testid=loket-message][data-kind=disclosure]').waitFor({ timeout: WAIT_MS });
      // The widget holds GET .../stream open from here on.
      const started = Date.now();
      const status = await server.stop();
      assert.deepEqual(status, { code: 0, signal: null }, `loket serve did not exit cleanly:\n${server.output()}`);
      assert.ok(Date.now() - started < 10000, 'shutdown waited for the open stream');
    } finally {
      await context.close();
    }
  });
});
