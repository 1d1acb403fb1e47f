'use strict';
/*
 * The admin dashboard in a real browser against a real `loket serve --demo` (GOV-07, HUM-12,
 * A11Y-01): a customer chats and asks for a person through the API; an auditor (created with
 * `loket user add --role auditor`) logs in at /console/dashboard.html and sees four SVG charts,
 * each with an accessible name that summarises it and a data table; the totals count the
 * conversation; nothing the customer typed appears; axe-core finds no serious or critical
 * violation on the dashboard (tables open, Dutch and English) or on the HTML compliance report
 * it links to. An agent gets no dashboard link in the console and is refused on the dashboard.
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const { AUDITOR, addStaff } = require('./support/staff');
const { launchBrowser, assertNoSeriousAxeViolations, WAIT_MS } = require('./support/browser');

/** What the customer types; it must never reach the dashboard or the report. */
const CUSTOMER_TEXT = 'Mijn frame met nummer kwartel-zebrapad-731 is gebroken';

let server;
let browser;
const contexts = [];

before(async () => {
  server = await startServer();
  addStaff(server, AUDITOR);
  browser = await launchBrowser();
  await seedConversation();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** One conversation with a question, an answer attempt and a request for a person. */
async function seedConversation() {
  const opened = await server.api('POST', '/api/v1/conversations', null, { locale: 'nl' });
  await server.api('POST', `/api/v1/conversations/${opened.id}/messages`, opened.token, { text: CUSTOMER_TEXT });
  await server.api('POST', `/api/v1/conversations/${opened.id}/messages`, opened.token, { text: 'Hoeveel dagen bedenktijd heb ik?' });
  await server.api('POST', `/api/v1/conversations/${opened.id}/handoff`, opened.token);
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

async function dashboardLogin(page, account) {
  await page.goto(new URL('console/dashboard.html', server.baseUrl).href);
  await page.getByTestId('dashboard-username').fill(account.username);
  await page.getByTestId('dashboard-password').fill(account.password);
  await page.getByTestId('dashboard-login').click();
}

describe('the auditor reads the dashboard', () => {
  let page;

  test('after logging in, five charts with accessible names and data tables appear', async () => {
    page = await newPage();
    await dashboardLogin(page, AUDITOR);
    await page.locator('#app-view:not([hidden])').waitFor({ timeout: WAIT_MS });
    const figures = page.locator('[data-testid=dashboard-charts] figure');
    await figures.nth(4).waitFor({ timeout: WAIT_MS });
    assert.equal(await figures.count(), 5);

    for (const id of ['conversations', 'abstention', 'time-to-person', 'guards', 'feedback']) {
      const svg = page.getByTestId(`dashboard-chart-${id}-svg`);
      assert.equal(await svg.getAttribute('role'), 'img');
      const name = await svg.evaluate((node) => node.getAttribute('aria-labelledby')
        .split(' ')
        .map((ref) => document.getElementById(ref).textContent)
        .join(' '));
      assert.ok(name.length > 20, `chart ${id} has an accessible name: "${name}"`);
      const rows = page.getByTestId(`dashboard-chart-${id}-table`).locator('tbody tr');
      assert.equal(await rows.count(), 30, `chart ${id} has a row per day`);
    }
    const bars = page.locator('[data-testid=dashboard-chart-conversations-svg] rect');
    assert.ok((await bars.count()) >= 1, 'today\'s conversation is drawn');
    assert.equal(await page.getByTestId('dashboard-total-conversations').textContent(), '1');
    const text = await page.locator('body').innerText();
    assert.ok(!text.includes('zebrapad'), 'no customer text on the dashboard');
    // Every count a chart reads comes from the API: a field the API lacks would show as "geen"
    // (the tables are in closed details, so their text content is read, not their rendering).
    for (const id of ['guards', 'feedback']) {
      const cells = await page.getByTestId(`dashboard-chart-${id}-table`).locator('tbody td').allTextContents();
      assert.ok(cells.length >= 30, `chart ${id} has cells`);
      for (const cell of cells) assert.match(cell.trim(), /^\d+$/, `chart ${id}: every cell is a count, not "${cell}"`);
    }
  });

  test('axe-core finds no serious violations, with the tables open and in English', async () => {
    await assertNoSeriousAxeViolations(page, 'dashboard');
    for (const summary of await page.locator('.chart-data summary').all()) await summary.click();
    await page.getByTestId('dashboard-chart-guards-table').waitFor({ state: 'visible', timeout: WAIT_MS });
    await assertNoSeriousAxeViolations(page, 'dashboard with data tables');
    await page.getByTestId('dashboard-lang').click();
    await page.locator('html[lang=en]').waitFor({ timeout: WAIT_MS });
    await page.locator('#chart-conversations-title', { hasText: 'Conversations per day' }).waitFor({ timeout: WAIT_MS });
    await assertNoSeriousAxeViolations(page, 'dashboard (English)');
  });

  test('the HTML compliance report it links to is accessible and holds no customer text', async () => {
    const href = await page.getByTestId('dashboard-report-html').getAttribute('href');
    await page.goto(new URL(href, server.baseUrl).href);
    await page.locator('h1', { hasText: 'Compliance report' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    const text = await page.locator('body').innerText();
    assert.ok(text.includes('DIS-01'));
    assert.ok(!text.includes('zebrapad'), 'no customer text in the report');
    await assertNoSeriousAxeViolations(page, 'compliance report');
  });
});

describe('an agent has no dashboard', () => {
  test('the console shows no dashboard link and the dashboard refuses the agent', async () => {
    const page = await newPage();
    const agent = server.agents.sanne;
    await page.goto(new URL('console/', server.baseUrl).href);
    await page.getByTestId('console-username').fill(agent.username);
    await page.getByTestId('console-password').fill(agent.password);
    await page.getByTestId('console-login').click();
    await page.locator('#app-view:not([hidden])').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('console-dashboard-link').isVisible(), false);

    await page.goto(new URL('console/dashboard.html', server.baseUrl).href);
    await page.getByTestId('dashboard-alert').filter({ hasText: 'Alleen beheerders en auditors' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=dashboard-charts] figure').count(), 0);
  });
});
