'use strict';
/*
 * GDPR art. 17 self-service in the widget: a customer deletes their own conversation after a
 * confirmation that screen-reader and keyboard users reach in order; the server erases it (the
 * old token no longer opens anything) and the next message starts a new conversation that again
 * begins with the AI disclosure (DIS-01).
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const { launchBrowser, assertNoSeriousAxeViolations, focusedTestId, WAIT_MS } = require('./support/browser');

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

describe('deleting a conversation from the widget', () => {
  test('the customer confirms, the conversation is erased on the server, and a new one starts with the disclosure', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(new URL('/', server.baseUrl).href);
      await page.getByTestId('loket-launcher').click();
      const disclosure = '[data-testid=loket-log] [data-testid=loket-message][data-kind=disclosure]';
      await page.locator(disclosure).first().waitFor({ timeout: WAIT_MS });
      await page.getByTestId('loket-input').fill('Mijn IBAN is NL91ABNA0417164300, hoe lang duurt terugbetalen?');
      await page.getByTestId('loket-input').press('Enter');
      await page.locator('[data-testid=loket-message][data-author=ai]').first().waitFor({ timeout: WAIT_MS });
      const stored = await page.evaluate(() => {
        for (let index = 0; index < sessionStorage.length; index += 1) {
          const value = sessionStorage.getItem(sessionStorage.key(index));
          if (value && value.includes('token')) return JSON.parse(value);
        }
        return null;
      });
      assert.ok(stored && stored.id && stored.token, 'the widget keeps its conversation token');

      // Asking first: focus goes to "Cancel", so a stray Enter does not delete anything.
      await page.getByTestId('loket-erase').click();
      await page.getByTestId('loket-erase-confirm').waitFor({ timeout: WAIT_MS });
      assert.equal(await focusedTestId(page), 'loket-erase-no');
      await assertNoSeriousAxeViolations(page, 'erase confirmation');
      await page.keyboard.press('Enter');
      assert.equal(await page.getByTestId('loket-erase-confirm').isHidden(), true);
      assert.equal(await focusedTestId(page), 'loket-erase');
      assert.ok((await page.getByTestId('loket-message').count()) >= 3, 'cancel keeps the conversation');

      await page.getByTestId('loket-erase').click();
      await page.getByTestId('loket-erase-yes').click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid=loket-status]').textContent.includes('Uw gesprek is gewist'),
        null,
        { timeout: WAIT_MS },
      );
      assert.equal(await page.getByTestId('loket-message').count(), 0, 'the log is emptied');
      const gone = await fetch(new URL(`api/v1/conversations/${stored.id}`, server.baseUrl), {
        headers: { Authorization: `Bearer ${stored.token}` },
      });
      assert.equal(gone.status, 404, 'the server no longer holds the conversation');

      await page.getByTestId('loket-input').fill('Hoeveel dagen bedenktijd heb ik?');
      await page.getByTestId('loket-input').press('Enter');
      await page.locator('[data-testid=loket-message][data-author=ai]').first().waitFor({ timeout: WAIT_MS });
      const kinds = await page.locator('[data-testid=loket-message]').evaluateAll((nodes) => nodes.map((node) => node.dataset.kind));
      assert.equal(kinds[0], 'disclosure', 'a new conversation starts with the disclosure');
    } finally {
      await context.close();
    }
  });
});
