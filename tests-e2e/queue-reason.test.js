'use strict';
/*
 * Why a customer waits, in the agents' queue (HUM-03, HUM-07): a customer in crisis, and one who
 * asked to have their data erased, are labelled in text before anyone opens the conversation, and a
 * plain request carries no label. The customers
 * talk over the API (the widget's way to a person is in handoff.test.js); agent Sanne watches her
 * live queue in /console/.
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const { launchBrowser, assertNoSeriousAxeViolations, WAIT_MS } = require('./support/browser');

const CRISIS = 'Ik zie het niet meer zitten en wil er een eind aan maken';
const ERASURE = 'Verwijder al mijn gegevens alstublieft';

let server;
let browser;
let context;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (context) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.stop();
});

describe('the reason a customer waits, in the console queue', () => {
  test('HUM-03 HUM-07: a crisis and a data protection request are labelled in text in the live queue; a plain request is not', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const sanne = server.agents.sanne;
    await page.goto(new URL('console/', server.baseUrl).href);
    await page.getByTestId('console-username').fill(sanne.username);
    await page.getByTestId('console-password').fill(sanne.password);
    await page.getByTestId('console-login').click();
    await page.getByTestId('console-agents-online').filter({ hasText: /1/ }).waitFor({ timeout: WAIT_MS });

    const plain = await server.api('POST', 'api/v1/conversations', null, { locale: 'nl' });
    const asked = await server.api('POST', `api/v1/conversations/${plain.id}/handoff`, plain.token, {});
    assert.equal(asked.state, 'waiting_for_agent');
    const crisis = await server.api('POST', 'api/v1/conversations', null, { locale: 'nl' });
    const turn = await server.api('POST', `api/v1/conversations/${crisis.id}/messages`, crisis.token, { text: CRISIS });
    assert.equal(turn.state, 'waiting_for_agent');
    const privacy = await server.api('POST', 'api/v1/conversations', null, { locale: 'nl' });
    const request = await server.api('POST', `api/v1/conversations/${privacy.id}/messages`, privacy.token, { text: ERASURE });
    assert.equal(request.state, 'waiting_for_agent');

    const row = (id) => page.locator(`[data-testid=console-waiting-item][data-conversation-id="${id}"]`);
    await row(crisis.id).getByTestId('console-reason').filter({ hasText: 'Crisis: hulpnummers gegeven' }).waitFor({ timeout: WAIT_MS });
    await row(privacy.id).getByTestId('console-reason').filter({ hasText: 'Privacyverzoek (AVG)' }).waitFor({ timeout: WAIT_MS });
    await row(plain.id).waitFor({ timeout: WAIT_MS });
    assert.equal(await row(plain.id).getByTestId('console-reason').count(), 0, 'a plain request has no label');
    await assertNoSeriousAxeViolations(page, 'console queue with a crisis');
  });
});
