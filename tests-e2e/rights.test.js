'use strict';
/*
 * The privacy officer's panel on the dashboard in a real browser against a real `loket serve
 * --demo` with one statutory retention ground configured (RET-03, RET-07, GDPR art. 15 and 17):
 * an admin looks up a customer's conversation by its id and sees when it will be deleted; places
 * a legal hold (erasure is then refused with the reason), lifts it, tags the conversation with
 * the statutory ground (erasure refused again, with the article), removes the tag, downloads the
 * access export as a file (with the customer's own data restored), and erases the conversation
 * after confirming, getting the deletion certificate. An auditor sees the status but no actions.
 * For a customer the company's login identified, the admin looks up every conversation by the
 * customer id, downloads one export of them all, and erases them all at once.
 * axe-core finds no serious or critical violation on the panel, in Dutch and in English.
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { startServer } = require('./support/server');
const { AUDITOR, addStaff } = require('./support/staff');
const { launchBrowser, assertNoSeriousAxeViolations, horizontalOverflow, WAIT_MS } = require('./support/browser');

const ADMIN = { username: 'priya', displayName: 'Priya', role: 'admin', password: 'priya-e2e-password-123' };
const IBAN = 'NL91ABNA0417164300';
const GROUND = 'wwft';
const IDENTITY_SECRET = 'identity-secret-for-e2e-0123456789';
const CUSTOMER = 'klant-4711';

let server;
let browser;
let conversationId;
const contexts = [];

before(async () => {
  server = await startServer({
    env: {
      LOKET_RETENTION__STATUTORY: `[{ground="${GROUND}",days=1827,justification="Wwft art. 33: customer due diligence records, five years."}]`,
      LOKET_IDENTITY__SECRET: IDENTITY_SECRET,
    },
  });
  addStaff(server, ADMIN);
  addStaff(server, AUDITOR);
  browser = await launchBrowser();
  conversationId = await seedConversation();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** An HS256 identity token as the company's site signs it for a logged-in customer. */
function identityToken(subject) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: subject, exp: Math.floor(Date.now() / 1000) + 300 })}`;
  return `${input}.${crypto.createHmac('sha256', IDENTITY_SECRET).update(input).digest('base64url')}`;
}

/** Two conversations of a customer the company's login identified. */
async function seedIdentifiedCustomer() {
  const ids = [];
  for (const text of ['Waar blijft mijn pakket?', 'Kan ik mijn fiets nog retourneren?']) {
    const opened = await server.api('POST', '/api/v1/conversations', null, { locale: 'nl', identity: identityToken(CUSTOMER) });
    await server.api('POST', `/api/v1/conversations/${opened.id}/messages`, opened.token, { text });
    ids.push(opened.id);
  }
  return ids;
}

/** A customer's conversation with an IBAN in it (pseudonymised in storage, kept in the vault). */
async function seedConversation() {
  const opened = await server.api('POST', '/api/v1/conversations', null, { locale: 'nl' });
  await server.api('POST', `/api/v1/conversations/${opened.id}/messages`, opened.token, { text: `Mijn IBAN is ${IBAN}, wanneer krijg ik mijn geld terug?` });
  return opened.id;
}

async function loggedIn(account) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(new URL('console/dashboard.html', server.baseUrl).href);
  await page.getByTestId('dashboard-username').fill(account.username);
  await page.getByTestId('dashboard-password').fill(account.password);
  await page.getByTestId('dashboard-login').click();
  await page.locator('#app-view:not([hidden])').waitFor({ timeout: WAIT_MS });
  return page;
}

async function lookUp(page, id) {
  await page.getByTestId('dashboard-rights-id').fill(id);
  await page.getByTestId('dashboard-rights-lookup').click();
}

async function statusText(page, field) {
  return (await page.getByTestId(`dashboard-rights-status-${field}`).textContent()).trim();
}

async function waitForStatus(page, field, expected) {
  await page.getByTestId(`dashboard-rights-status-${field}`).filter({ hasText: expected }).waitFor({ timeout: WAIT_MS });
}

async function eraseExpectingRefusal(page, message) {
  await page.getByTestId('dashboard-rights-erase-confirm').check();
  await page.getByTestId('dashboard-rights-erase').click();
  await page.getByTestId('dashboard-rights-error').filter({ hasText: message }).waitFor({ timeout: WAIT_MS });
  await page.getByTestId('dashboard-rights-erase-confirm').uncheck();
}

describe('a rights request from a customer the login identified', () => {
  test('the admin finds their conversations by the customer id, downloads one export of all and erases all', async () => {
    const ids = await seedIdentifiedCustomer();
    const page = await loggedIn(ADMIN);
    await page.getByTestId('dashboard-rights-by').selectOption('customer');
    assert.equal(await page.locator('#rights-id-label').textContent(), 'Klantnummer');
    await page.getByTestId('dashboard-rights-id').fill('klant-0000');
    await page.getByTestId('dashboard-rights-lookup').click();
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'Over dit klantnummer is niets' }).waitFor({ timeout: WAIT_MS });

    await page.getByTestId('dashboard-rights-id').fill(CUSTOMER);
    await page.getByTestId('dashboard-rights-lookup').click();
    await page.getByTestId('dashboard-status').filter({ hasText: '2 gesprekken van deze klant gevonden' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('dashboard-rights-subject-list').locator('li').count(), 2);
    await page.getByTestId(`dashboard-rights-subject-${ids[1]}`).click();
    await waitForStatus(page, 'hold', 'nee');
    assert.equal(await page.getByTestId('dashboard-rights-hold').isVisible(), true);
    await assertNoSeriousAxeViolations(page, 'rights panel with a customer\'s conversations');
    // Reflow (WCAG 1.4.10): the list of conversation ids fits a 320 px wide screen.
    await page.setViewportSize({ width: 320, height: 900 });
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((node) => node.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !node.closest('details'))
      .map((node) => `${node.tagName}#${node.id}.${node.className}`));
    assert.equal(await horizontalOverflow(page), 0, `no horizontal scrolling at 320 px: ${wide.slice(0, 8).join(', ')}`);
    await page.setViewportSize({ width: 1280, height: 900 });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByTestId('dashboard-rights-subject-export').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'loket-export-customer.json');
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(exported.conversations.map((conversation) => conversation.id).sort(), [...ids].sort());
    const url = page.url();
    assert.ok(!url.includes(CUSTOMER), 'the customer id never goes into a URL');

    // Erasing all of them at once: refused while one is held, done once the hold is lifted.
    await page.getByTestId('dashboard-rights-hold').click();
    await waitForStatus(page, 'hold', 'ja');
    await page.getByTestId('dashboard-rights-subject-erase').click();
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'Bevestig eerst' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('dashboard-rights-subject-erase-confirm').check();
    await page.getByTestId('dashboard-rights-subject-erase').click();
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'bewaarplicht (legal hold)' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('dashboard-rights-hold').click();
    await waitForStatus(page, 'hold', 'nee');
    await page.getByTestId('dashboard-rights-subject-erase').click();
    const erased = page.getByTestId('dashboard-status').filter({ hasText: '2 gesprekken gewist' });
    await erased.waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#rights-subject').isHidden(), true);
    await page.getByTestId('dashboard-rights-lookup').click();
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'Over dit klantnummer is niets' }).waitFor({ timeout: WAIT_MS });
  });

  test('an auditor cannot look customers up', async () => {
    const page = await loggedIn(AUDITOR);
    assert.equal(await page.getByTestId('dashboard-rights-by').isVisible(), false);
    assert.equal(await page.locator('#rights-id-label').textContent(), 'Gespreksnummer');
  });
});

describe('the privacy officer handles a rights request on the dashboard', () => {
  let page;

  before(async () => {
    page = await loggedIn(ADMIN);
  });

  test('the status shows the deletion dates and no content', async () => {
    await page.getByTestId('dashboard-rights-lookup').click();
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'Vul een gespreksnummer in' }).waitFor({ timeout: WAIT_MS });
    await lookUp(page, '019aa0a0-0000-7000-8000-000000000000');
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'geen gesprek met dit nummer' }).waitFor({ timeout: WAIT_MS });

    await lookUp(page, conversationId);
    await waitForStatus(page, 'hold', 'nee');
    assert.equal(await statusText(page, 'ground'), 'geen');
    assert.match(await statusText(page, 'deleted-after'), /\d{4}/, 'a deletion date');
    assert.match(await statusText(page, 'vault-deleted-after'), /\d{4}/);
    const text = await page.getByTestId('dashboard-rights').innerText();
    assert.ok(!text.includes(IBAN) && !text.includes('IBAN_'), 'no content on the panel');
    assert.equal(await page.getByTestId('dashboard-rights-hold').isVisible(), true);
    await assertNoSeriousAxeViolations(page, 'rights panel');
  });

  test('a legal hold stops erasure until it is lifted (RET-03, RET-07)', async () => {
    await page.getByTestId('dashboard-rights-hold').click();
    await waitForStatus(page, 'hold', 'ja');
    assert.equal(await statusText(page, 'deleted-after'), 'niet zolang de bewaarplicht geldt');
    assert.equal(await page.getByTestId('dashboard-rights-hold').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('dashboard-status').filter({ hasText: 'Bewaarplicht geplaatst' }).waitFor({ timeout: WAIT_MS });
    await eraseExpectingRefusal(page, 'bewaarplicht (legal hold)');
    await page.getByTestId('dashboard-rights-hold').click();
    await waitForStatus(page, 'hold', 'nee');
  });

  test('a statutory ground keeps the conversation and stops erasure (RET-03, art. 17(3)(b))', async () => {
    // Erasing without confirming is not possible.
    await page.getByTestId('dashboard-rights-erase').click();
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'Bevestig eerst' }).waitFor({ timeout: WAIT_MS });

    await page.getByTestId('dashboard-rights-ground').selectOption(GROUND);
    await page.getByTestId('dashboard-rights-ground-save').click();
    await waitForStatus(page, 'ground', GROUND);
    await eraseExpectingRefusal(page, 'art. 17 lid 3 onder b');
    await page.getByTestId('dashboard-rights-ground').selectOption('');
    await page.getByTestId('dashboard-rights-ground-save').click();
    await waitForStatus(page, 'ground', 'geen');
  });

  test('the access export downloads as a file with the customer\'s own data (art. 15)', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByTestId('dashboard-rights-export-json').click(),
    ]);
    assert.equal(download.suggestedFilename(), `loket-export-${conversationId}.json`);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(exported.conversations[0].id, conversationId);
    assert.ok(JSON.stringify(exported).includes(IBAN), 'the original value is restored for the subject');
    await page.getByTestId('dashboard-status').filter({ hasText: 'Inzage-export gedownload' }).waitFor({ timeout: WAIT_MS });
  });

  test('in English the panel is accessible too', async () => {
    await page.getByTestId('dashboard-lang').click();
    await page.locator('html[lang=en]').waitFor({ timeout: WAIT_MS });
    await waitForStatus(page, 'hold', 'no');
    assert.equal(await page.getByTestId('dashboard-rights-hold').textContent(), 'Place legal hold');
    await assertNoSeriousAxeViolations(page, 'rights panel (English)');
    await page.getByTestId('dashboard-lang').click();
    await page.locator('html[lang=nl]').waitFor({ timeout: WAIT_MS });
  });

  test('the auditor sees the status but cannot act', async () => {
    const auditorPage = await loggedIn(AUDITOR);
    await lookUp(auditorPage, conversationId);
    await waitForStatus(auditorPage, 'hold', 'nee');
    assert.equal(await auditorPage.getByTestId('dashboard-rights-hold').isVisible(), false);
    assert.equal(await auditorPage.getByTestId('dashboard-rights-erase').isVisible(), false);
    assert.ok((await auditorPage.locator('#rights-readonly').innerText()).includes('Alleen beheerders'));
  });

  test('erasure after confirming gives the deletion certificate (art. 17)', async () => {
    await page.getByTestId('dashboard-rights-erase-confirm').check();
    await page.getByTestId('dashboard-rights-erase').click();
    const status = page.getByTestId('dashboard-status').filter({ hasText: 'Verklaring van verwijdering' });
    await status.waitFor({ timeout: WAIT_MS });
    assert.match(await status.textContent(), /[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.equal(await page.locator('#rights-result').isHidden(), true);
    await lookUp(page, conversationId);
    await page.getByTestId('dashboard-rights-error').filter({ hasText: 'geen gesprek met dit nummer' }).waitFor({ timeout: WAIT_MS });
  });
});

/*
 * The register of data subjects' requests (PRIV-07, GDPR art. 12(3)): the admin registers a
 * request under the company's reference and sees its deadline one month on; a request received
 * 40 days ago shows as late and cannot be extended any more; the admin records the extension told
 * within the first month (deadline three months on) and the answer; the auditor reads the
 * register without actions; the table reflows at 320 px and passes axe-core.
 */
describe('the register of data subjects\' requests', () => {
  test('the admin registers, extends and answers requests against the one-month deadline', async () => {
    const page = await loggedIn(ADMIN);
    await page.getByTestId('dashboard-requests-summary').filter({ hasText: 'Nog geen verzoeken' }).waitFor({ timeout: WAIT_MS });

    await page.getByTestId('dashboard-requests-reference').fill('AVG 41');
    await page.getByTestId('dashboard-requests-register').click();
    await page.getByTestId('dashboard-requests-error').filter({ hasText: 'Vul een kenmerk in' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'requests-reference');

    await page.getByTestId('dashboard-requests-reference').fill('AVG-2026-41');
    await page.getByTestId('dashboard-requests-right').selectOption('erasure');
    await page.getByTestId('dashboard-requests-register').click();
    await page.getByTestId('dashboard-status').filter({ hasText: 'Verzoek AVG-2026-41 geregistreerd' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('dashboard-requests-error').textContent(), '');

    // Received 40 days ago: past its month, no extension possible.
    const received = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    const local = new Date(received.getTime() - received.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await page.getByTestId('dashboard-requests-reference').fill('AVG-2026-07');
    await page.getByTestId('dashboard-requests-right').selectOption('access');
    await page.getByTestId('dashboard-requests-received').fill(local);
    await page.getByTestId('dashboard-requests-register').click();
    await page.getByTestId('dashboard-request-standing-AVG-2026-07').filter({ hasText: 'Te laat: open na de termijn' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('dashboard-request-extend-AVG-2026-07').count(), 0);
    await page.getByTestId('dashboard-requests-summary').filter({ hasText: '2 open, 1 te laat' }).waitFor({ timeout: WAIT_MS });
    const order = await page.getByTestId('dashboard-requests-rows').locator('th').allTextContents();
    assert.deepEqual(order, ['AVG-2026-07', 'AVG-2026-41'], 'the nearest deadline first');

    await page.getByTestId('dashboard-requests-reference').fill('AVG-2026-41');
    await page.getByTestId('dashboard-requests-register').click();
    await page.getByTestId('dashboard-requests-error').filter({ hasText: 'al een verzoek met dit kenmerk' }).waitFor({ timeout: WAIT_MS });

    await page.getByTestId('dashboard-request-extend-AVG-2026-41').click();
    await page.getByTestId('dashboard-status').filter({ hasText: 'Verlenging van AVG-2026-41 vastgelegd' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('dashboard-request-standing-AVG-2026-41').filter({ hasText: 'Verlengd, gemeld op' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'request-AVG-2026-41', 'focus stays on the request');
    assert.equal(await page.getByTestId('dashboard-request-extend-AVG-2026-41').count(), 0);

    await assertNoSeriousAxeViolations(page, 'register of requests');
    await page.setViewportSize({ width: 320, height: 900 });
    assert.equal(await horizontalOverflow(page), 0, 'no horizontal scrolling at 320 px');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByTestId('dashboard-request-outcome-AVG-2026-41').selectOption('partly_fulfilled');
    await page.getByTestId('dashboard-request-answer-AVG-2026-41').click();
    await page.getByTestId('dashboard-status').filter({ hasText: 'Antwoord op AVG-2026-41 vastgelegd. Op tijd beantwoord' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('dashboard-request-standing-AVG-2026-41').filter({ hasText: 'Deels uitgevoerd op' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('dashboard-request-answer-AVG-2026-41').count(), 0);
    await page.getByTestId('dashboard-requests-summary').filter({ hasText: '2 in totaal' }).waitFor({ timeout: WAIT_MS });

    await page.getByTestId('dashboard-lang').click();
    await page.getByTestId('dashboard-request-standing-AVG-2026-07').filter({ hasText: 'Late: open past the deadline' }).waitFor({ timeout: WAIT_MS });
    await assertNoSeriousAxeViolations(page, 'register of requests (English)');
    await page.getByTestId('dashboard-lang').click();
    await page.locator('html[lang=nl]').waitFor({ timeout: WAIT_MS });

    const auditorPage = await loggedIn(AUDITOR);
    await auditorPage.getByTestId('dashboard-request-standing-AVG-2026-07').waitFor({ timeout: WAIT_MS });
    assert.equal(await auditorPage.getByTestId('dashboard-requests-form').isVisible(), false);
    assert.equal(await auditorPage.getByTestId('dashboard-request-answer-AVG-2026-07').count(), 0);
  });

  test('HUM-07 PRIV-07: a request typed in the chat waits in the panel until the admin registers it with its conversation', async () => {
    const opened = await server.api('POST', '/api/v1/conversations', null, { locale: 'nl' });
    await server.api('POST', `/api/v1/conversations/${opened.id}/messages`, opened.token, { text: 'Verwijder al mijn gegevens alstublieft' });
    const page = await loggedIn(ADMIN);
    const item = page.getByTestId(`dashboard-request-chat-${opened.id}`);
    await item.filter({ hasText: `Wissen (art. 17): gesprek ${opened.id}, ontvangen` }).waitFor({ timeout: WAIT_MS });
    await assertNoSeriousAxeViolations(page, 'register with a request from the chat');

    await page.getByTestId(`dashboard-request-chat-register-${opened.id}`).click();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'requests-reference', 'focus goes to the reference');
    assert.equal(await page.getByTestId('dashboard-requests-right').inputValue(), 'erasure');
    assert.notEqual(await page.getByTestId('dashboard-requests-received').inputValue(), '');
    await page.getByTestId('dashboard-requests-conversation').filter({ hasText: `Gesprek: ${opened.id}` }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('dashboard-requests-reference').fill('AVG-2026-90');
    await page.getByTestId('dashboard-requests-register').click();
    await page.getByTestId('dashboard-status').filter({ hasText: 'Verzoek AVG-2026-90 geregistreerd' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('dashboard-requests-chat').waitFor({ state: 'hidden', timeout: WAIT_MS });
    assert.equal(await page.getByTestId('dashboard-requests-conversation').isVisible(), false);

    const register = await page.evaluate(async () => (await fetch('/api/v1/admin/rights-requests', { credentials: 'same-origin' })).json());
    const registered = register.requests.find((entry) => entry.reference === 'AVG-2026-90');
    assert.deepEqual(registered.conversations, [opened.id]);
    assert.equal(registered.right, 'erasure');
    assert.deepEqual(register.from_chat, []);
  });
});
