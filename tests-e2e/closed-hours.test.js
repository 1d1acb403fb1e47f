'use strict';
/*
 * Nobody can take over: a real `loket serve --demo` whose configuration makes today (in
 * Europe/Amsterdam) a holiday. By keyboard only, the customer asks for a person and gets the
 * truth (when people are back) with the alternatives (HUM-04, A11Y-16), then the callback form:
 * its validation errors are announced and focus the first field in error, and a valid request
 * creates a ticket that shows up in the agent console. axe-core runs in the closed-hours state.
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const {
  launchBrowser,
  assertNoSeriousAxeViolations,
  tabUntil,
  focusedTestId,
  WAIT_MS,
} = require('./support/browser');

const CALLBACK = { name: 'Jan de Vries', phone: '06 1234 5678', preferred_time: 'morgen na 14.00 uur' };

let server;
let browser;
const contexts = [];

before(async () => {
  server = await startServer({ closedToday: true });
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  return context.newPage();
}

describe('closed hours: the truth, the alternatives and a callback request', () => {
  let customer;
  const journey = { agent: null };

  test('HUM-04 A11Y-03 A11Y-16: by keyboard the customer asks for a person and is told when people are back, with alternatives', async () => {
    const config = await (await fetch(new URL('api/v1/widget/config?locale=nl', server.baseUrl))).json();
    assert.equal(config.agents_available, false, 'precondition: the server must consider nobody available');

    customer = await newPage();
    await customer.goto(server.baseUrl);
    await customer.getByTestId('loket-launcher').waitFor({ timeout: WAIT_MS });
    await tabUntil(customer, 'loket-launcher', 'the chat launcher');
    await customer.keyboard.press('Enter');
    assert.equal(await focusedTestId(customer), 'loket-input');
    await customer.locator('[data-testid=loket-message][data-kind=disclosure]').waitFor({ timeout: WAIT_MS });

    await tabUntil(customer, 'loket-human', 'the "Praat met een medewerker" button');
    await customer.keyboard.press('Enter');
    const unavailable = customer.locator('[data-testid=loket-log] [data-testid=loket-message][data-kind=unavailable]');
    await unavailable.waitFor({ timeout: WAIT_MS });
    const text = await unavailable.textContent();
    // Truthful about when people are back, and at least one non-automated alternative with its
    // hours or response time.
    assert.match(text, /weer/);
    assert.ok(text.includes(config.contact.phone), `the phone number is missing: ${text}`);
    assert.ok(text.includes(config.contact.phone_hours), `the phone hours are missing: ${text}`);
    assert.ok(text.includes(config.contact.email), `the e-mail address is missing: ${text}`);
    assert.ok(text.includes(config.contact.email_response), `the e-mail response time is missing: ${text}`);
    // Never pretends that someone is coming.
    assert.equal(await customer.getByTestId('loket-root').getAttribute('data-state'), 'bot');
    assert.equal(await customer.locator('[data-testid=loket-message][data-kind=handoff]').count(), 0);

    const callback = customer.getByTestId('loket-callback');
    await callback.waitFor({ timeout: WAIT_MS });
    assert.match(await customer.getByTestId('loket-contact-phone-callback').getAttribute('href'), /^tel:/);
    assert.match(await customer.getByTestId('loket-contact-email-callback').getAttribute('href'), /^mailto:/);
    assert.ok(await customer.getByTestId('loket-human').isVisible(), 'the person control stays');
    await assertNoSeriousAxeViolations(customer, 'closed hours');
  });

  test('A11Y-02: an empty callback form is refused in an alert and focus moves to the first field in error', async () => {
    await tabUntil(customer, 'loket-callback-submit', 'the callback submit button');
    await customer.keyboard.press('Enter');
    const errors = customer.getByTestId('loket-callback-errors');
    await errors.filter({ hasText: /telefoonnummer of een e-mailadres/ }).waitFor({ timeout: WAIT_MS });
    assert.equal(await errors.getAttribute('role'), 'alert');
    assert.equal(await focusedTestId(customer), 'loket-callback-phone');
    assert.equal(await customer.getByTestId('loket-callback-phone').getAttribute('aria-invalid'), 'true');
    await assertNoSeriousAxeViolations(customer, 'closed hours, callback form with errors');
  });

  test('HUM-04: a valid callback request by keyboard creates a ticket that the console shows', async () => {
    // Focus is on the phone field after the refused submit; fill the form by keyboard.
    await customer.keyboard.type(CALLBACK.phone);
    // The name field comes just before the phone field.
    await customer.keyboard.press('Shift+Tab');
    assert.equal(await focusedTestId(customer), 'loket-callback-name');
    await customer.keyboard.type(CALLBACK.name);
    await tabUntil(customer, 'loket-callback-preferred_time', 'the preferred-time field');
    await customer.keyboard.type(CALLBACK.preferred_time);
    await tabUntil(customer, 'loket-callback-submit', 'the callback submit button');
    await customer.keyboard.press('Enter');

    await customer.locator('[data-testid=loket-log] [data-testid=loket-message][data-kind=ticket]').waitFor({ timeout: WAIT_MS });
    await customer.getByTestId('loket-callback').waitFor({ state: 'hidden', timeout: WAIT_MS });
    assert.equal(await focusedTestId(customer), 'loket-input', 'focus returns to the input after sending');

    const agent = await newPage();
    await agent.goto(new URL('console/', server.baseUrl).href);
    await agent.getByTestId('console-username').fill(server.agents.sanne.username);
    await agent.getByTestId('console-password').fill(server.agents.sanne.password);
    await agent.getByTestId('console-login').click();
    const ticket = agent.getByTestId('console-ticket');
    await ticket.first().waitFor({ timeout: WAIT_MS });
    assert.equal(await ticket.count(), 1);
    const ticketText = await ticket.first().textContent();
    assert.ok(ticketText.includes(CALLBACK.preferred_time), `the ticket lacks the preferred time: ${ticketText}`);
    assert.match(ticketText, /Terugbelverzoek/);
    // A redacted number must not turn into a link that dials something else ("tel:1").
    const telLinks = await ticket.first().locator('a[href^="tel:"]').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    for (const href of telLinks) assert.match(href, /^tel:\+?\d{6,}$/);
    await assertNoSeriousAxeViolations(agent, 'console queue with a ticket');
    journey.agent = agent;
  });

  // The ticket's contact details arrive pseudonymised ([PHONE_1]); the agent reveals them with
  // one button (an audited reveal) to call the customer back.
  test('HUM-04: the agent can reveal and read the phone number of a callback request', async () => {
    const ticket = journey.agent.getByTestId('console-ticket').first();
    const revealPhone = ticket.locator('[data-testid="console-ticket-reveal"][data-placeholder^="[PHONE_"]');
    await revealPhone.focus();
    await journey.agent.keyboard.press('Enter');
    await ticket.locator('a[href^="tel:"]').waitFor({ timeout: 15000 });
    const ticketText = await ticket.textContent();
    assert.ok(ticketText.replace(/\s/g, '').includes(CALLBACK.phone.replace(/\s/g, '')), `the ticket shows: ${ticketText}`);
  });
});
