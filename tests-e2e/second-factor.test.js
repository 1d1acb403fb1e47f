'use strict';
/*
 * Two-step verification for staff (SEC-09) on a real `loket serve --demo` with
 * `auth.second_factor = required`: an agent's first login opens only the setup (QR code and key,
 * a code from the app, ten recovery codes shown once), then the console; the next login asks
 * for the app's code after the password. The codes are computed here as an authenticator app
 * does (RFC 6238). axe-core runs on the setup and on the code step.
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startServer } = require('./support/server');
const { launchBrowser, assertNoSeriousAxeViolations, WAIT_MS } = require('./support/browser');

let server;
let browser;
let context;

before(async () => {
  server = await startServer({ env: { LOKET_AUTH__SECOND_FACTOR: 'required' } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  if (context) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** RFC 4648 base32 (spaces ignored) to bytes. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/\s+/g, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    assert.ok(value >= 0, `not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let index = 0; index + 8 <= bits.length; index += 8) bytes.push(parseInt(bits.slice(index, index + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit code of `step` (30-second steps since 1970), as an authenticator app computes it. */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = crypto.createHmac('sha1', secret).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const number = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(number).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

async function logIn(page, agent) {
  await page.getByTestId('console-username').fill(agent.username);
  await page.getByTestId('console-password').fill(agent.password);
  await page.getByTestId('console-login').click();
}

describe('two-step verification for staff', () => {
  let secret;
  let page;

  test('SEC-09 A11Y-01: the first login opens only the setup; a code from the app turns it on and shows ten recovery codes once', async () => {
    page = await context.newPage();
    await page.goto(new URL('console/', server.baseUrl).href);
    await logIn(page, server.agents.sanne);
    const setup = page.getByTestId('console-second-factor');
    await setup.waitFor({ timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'sf-title', 'focus moves to the setup heading');
    assert.equal(await page.locator('#app-view').isHidden(), true, 'the queue stays closed');
    const qr = page.getByRole('img', { name: 'QR-code met de sleutel voor uw authenticator-app' });
    await qr.waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(() => {
      const image = document.getElementById('sf-qr');
      return image.complete && image.naturalWidth >= 200;
    }, null, { timeout: WAIT_MS });
    const shown = (await page.getByTestId('console-sf-secret').textContent()).trim();
    assert.match(shown, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, `the key is shown in groups of four: ${shown}`);
    secret = base32Decode(shown);
    assert.equal(secret.length, 20);
    await assertNoSeriousAxeViolations(page, 'console: setting up two-step verification');

    // The console's own request with the session still limited is refused by the server.
    const queue = await page.evaluate(async () => (await fetch('/api/v1/agent/queue')).json());
    assert.equal(queue.code, 'second_factor_setup_required');

    await page.getByTestId('console-sf-code').fill('12345');
    await page.getByTestId('console-sf-confirm').click();
    await page.getByTestId('console-sf-error').filter({ hasText: /klopt niet/ }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('console-sf-code').fill(totp(secret, currentStep()));
    await page.getByTestId('console-sf-confirm').click();
    const recovery = page.getByTestId('console-sf-recovery').locator('li');
    await recovery.first().waitFor({ timeout: WAIT_MS });
    assert.equal(await recovery.count(), 10);
    for (const code of await recovery.allTextContents()) assert.match(code, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'sf-recovery-title');

    await page.getByTestId('console-sf-done').click();
    await page.locator('#app-view').waitFor({ state: 'visible', timeout: WAIT_MS });
    assert.equal(await setup.isHidden(), true);
    await page.getByTestId('console-status').filter({ hasText: 'Tweestapsverificatie staat aan.' }).waitFor({ timeout: WAIT_MS });
  });

  test('SEC-09 A11Y-01: the next login asks for the code after the password; a wrong code is announced, the right one opens the console', async () => {
    await page.getByTestId('console-logout').click();
    await page.getByTestId('console-login-form').waitFor({ timeout: WAIT_MS });
    await logIn(page, server.agents.sanne);
    const code = page.getByTestId('console-code');
    await code.waitFor({ state: 'visible', timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-testid')), 'console-code');
    assert.match(await page.getByTestId('console-login-error').textContent(), /authenticator-app/);
    await assertNoSeriousAxeViolations(page, 'console: login asks for the second factor');

    const wrong = ['000000', '111111', '222222'].find((candidate) =>
      [-1, 0, 1, 2].every((delta) => totp(secret, currentStep() + delta) !== candidate));
    await code.fill(wrong);
    await page.getByTestId('console-login').click();
    await page.getByTestId('console-login-error').filter({ hasText: /klopt niet of is al gebruikt/ }).waitFor({ timeout: WAIT_MS });
    assert.equal(await code.getAttribute('aria-invalid'), 'true');

    // The code that confirmed the app is spent; the app's next code (one step ahead) is accepted.
    await code.fill(totp(secret, currentStep() + 1));
    await page.getByTestId('console-login').click();
    await page.locator('#app-view').waitFor({ state: 'visible', timeout: WAIT_MS });
    assert.equal(await page.getByTestId('console-code').isHidden(), true);
  });
});
