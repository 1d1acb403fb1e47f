'use strict';
/*
 * The whole way to a person, in two browser contexts against a real `loket serve --demo`:
 * a customer who uses only the keyboard (A11Y-03) asks, is offered approved questions with an
 * abstention and rates an answer not right (which Sanne sees too), reaches "Praat met een medewerker"
 * (HUM-01), waits, and is connected to agent Sanne, who logs in to /console/, claims and
 * answers live (HUM-11, DIS-09); the customer's IBAN reaches the console only as [IBAN_1] until
 * Sanne reveals it; a second agent's claim of the same conversation is refused with a clear
 * message; hand-back announces the switch and repeats the disclosure (DIS-05); with the panel
 * closed a new agent message marks the launcher without taking focus; closing the conversation
 * tells the customer and offers a new one. axe-core runs in the waiting, with-agent and closed
 * states of the widget and on the console's login, queue and conversation views (Dutch and
 * English). The steps share one journey and run in order. Writes the console screenshot (see screenshotPath).
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const {
  launchBrowser,
  assertNoSeriousAxeViolations,
  tabUntil,
  focusedTestId,
  screenshotPath,
  WAIT_MS,
} = require('./support/browser');

const QUESTION = 'Hoeveel dagen bedenktijd heb ik?';
/** In the customer's own words: the bot abstains and offers approved questions, among them SUGGESTED. */
const NEAR_MISS = 'Kan ik mijn fiets na twee weken nog terugsturen?';
const SUGGESTED = 'Hoe kan ik mijn bestelling retourneren?';
const IBAN = 'NL91ABNA0417164300';
// The reply names no person: the server currently redacts a name in an agent's own reply before
// the customer sees it ("u spreekt met Sanne" arrives as "u spreekt met [PERSON_1]"), a server
// defect reported separately; the label check below still demands the agent's name.
const AGENT_REPLY = 'Goedemiddag, ik kijk even met u mee. Waarmee kan ik u helpen?';

let server;
let browser;
/** The pages of the journey, shared by the ordered steps below. */
const journey = { customer: null, sanne: null, pieter: null, contexts: [] };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const context of journey.contexts) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  journey.contexts.push(context);
  return context.newPage();
}

async function consoleLogin(page, agent) {
  await page.goto(new URL('console/', server.baseUrl).href);
  await page.getByTestId('console-username').fill(agent.username);
  await page.getByTestId('console-password').fill(agent.password);
  await page.getByTestId('console-login').click();
  await page.locator('#app-view:not([hidden])').waitFor({ timeout: WAIT_MS });
  await page.getByTestId('console-whoami').filter({ hasText: agent.displayName }).waitFor({ timeout: WAIT_MS });
}

/** Waits until the widget's log holds a message matching the CSS attribute selector. */
async function waitForMessage(page, selector, hasText) {
  const locator = page.locator(`[data-testid=loket-log] [data-testid=loket-message]${selector}`);
  const matching = hasText ? locator.filter({ hasText }) : locator;
  try {
    await matching.last().waitFor({ timeout: WAIT_MS });
  } catch (error) {
    // Say what the customer did see, so a failure explains itself.
    const seen = await page.locator('[data-testid=loket-log] [data-testid=loket-message]').evaluateAll(
      (nodes) => nodes.map((node) => `${node.getAttribute('data-seq')} ${node.getAttribute('data-author')}:${node.getAttribute('data-kind')} ${node.textContent.slice(0, 80)}`),
    );
    error.message += `\nthe widget shows:\n  ${seen.join('\n  ')}`;
    throw error;
  }
  return matching.last();
}

describe('handoff to a person and back, keyboard only for the customer', () => {
  test('console: a wrong password is refused in an alert; the login view passes axe', async () => {
    const page = await newPage();
    await page.goto(new URL('console/', server.baseUrl).href);
    await assertNoSeriousAxeViolations(page, 'console login');
    await page.getByTestId('console-username').fill(server.agents.sanne.username);
    await page.getByTestId('console-password').fill('not-the-right-password');
    await page.getByTestId('console-login').click();
    const error = page.getByTestId('console-login-error');
    await page.locator('[data-testid=console-login-error]:not(:empty)').waitFor({ timeout: WAIT_MS });
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await page.getByTestId('console-password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#app-view').isHidden(), true);
    await assertNoSeriousAxeViolations(page, 'console login error');
  });

  test('console: Sanne logs in and is counted online; the empty queue passes axe', async () => {
    journey.sanne = await newPage();
    await consoleLogin(journey.sanne, server.agents.sanne);
    // The queue event arrives over the live stream, so the server now counts Sanne as online.
    await journey.sanne.getByTestId('console-agents-online').filter({ hasText: /1/ }).waitFor({ timeout: WAIT_MS });
    // After an explicit login, focus moves to the queue heading.
    assert.equal(await journey.sanne.evaluate(() => document.activeElement.id), 'queue-title');
    await assertNoSeriousAxeViolations(journey.sanne, 'console queue (empty)');
  });

  test('HUM-01 A11Y-03: by keyboard the customer opens the widget, asks, and reaches "Praat met een medewerker"', async () => {
    const page = await newPage();
    journey.customer = page;
    await page.goto(server.baseUrl);
    await page.getByTestId('loket-launcher').waitFor({ timeout: WAIT_MS });
    await tabUntil(page, 'loket-launcher', 'the chat launcher');
    await page.keyboard.press('Enter');
    assert.equal(await focusedTestId(page), 'loket-input', 'opening moves focus to the input');
    await waitForMessage(page, '[data-kind=disclosure]');

    await page.keyboard.type(QUESTION);
    await page.keyboard.press('Enter');
    const answer = await waitForMessage(page, '[data-author=ai]');
    assert.equal(await answer.getAttribute('data-kind'), 'answer');
    assert.equal(await page.getByTestId('loket-badge').textContent(), 'AI-assistent · geen medewerker');
    journey.title = await page.getByTestId('loket-title').textContent();
    await page.getByRole('dialog', { name: journey.title }).waitFor({ timeout: WAIT_MS });
    await page.keyboard.type(NEAR_MISS);
    await page.keyboard.press('Enter');
    await waitForMessage(page, '[data-kind=abstention]', SUGGESTED);
    // ACC-09: by keyboard the customer says the first answer was not right.
    await tabUntil(page, 'loket-feedback-no', 'the "Nee" of "Klopte dit antwoord?"');
    await page.keyboard.press('Space');
    await page.getByTestId('loket-feedback-thanks').waitFor({ timeout: WAIT_MS });
    assert.equal(await focusedTestId(page), 'loket-feedback-thanks');

    await tabUntil(
      page,
      () => document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === 'Praat met een medewerker',
      'the "Praat met een medewerker" button',
    );
    await page.keyboard.press('Space');
    const handoff = await waitForMessage(page, '[data-kind=handoff]');
    assert.match(await handoff.textContent(), /medewerker/);
    assert.equal(await page.getByTestId('loket-root').getAttribute('data-state'), 'waiting_for_agent');
    const status = page.getByTestId('loket-status');
    assert.equal(await status.getAttribute('role'), 'status');
    await page.getByTestId('loket-status').filter({ hasText: /Wachten op een medewerker/ }).waitFor({ timeout: WAIT_MS });
    await assertNoSeriousAxeViolations(page, 'waiting for an agent');
  });

  test('console: the waiting customer appears live in Sanne\'s queue; the queue passes axe', async () => {
    const item = journey.sanne.getByTestId('console-waiting-item');
    await item.first().waitFor({ timeout: WAIT_MS });
    assert.equal(await item.count(), 1);
    assert.match(await item.first().textContent(), /Nederlands|nl/i);
    await assertNoSeriousAxeViolations(journey.sanne, 'console queue (one waiting)');
  });

  test('console: a second agent, Pieter, sees the same waiting customer', async () => {
    journey.pieter = await newPage();
    // Pieter's live stream is held empty by the harness, so his queue stays as it was at login:
    // that is the stale view in which a colleague's claim has not arrived yet.
    await journey.pieter.route('**/api/v1/agent/stream', (route) => route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
      body: ': held by the test harness\n\n',
    }));
    await consoleLogin(journey.pieter, server.agents.pieter);
    await journey.pieter.getByTestId('console-waiting-item').first().waitFor({ timeout: WAIT_MS });
  });

  test('HUM-11 DIS-09: Sanne claims; the customer is told, live, that a person took over', async () => {
    await journey.sanne.getByTestId('console-claim').first().click();
    await journey.sanne.getByTestId('console-transcript').filter({ hasText: QUESTION }).waitFor({ timeout: WAIT_MS });
    // The agent sees the customer's rating and what they were offered with the abstention.
    const rating = journey.sanne.getByTestId('console-rating').first();
    await rating.waitFor({ timeout: WAIT_MS });
    assert.equal(await rating.textContent(), 'De klant vond dit antwoord niet juist.');
    const suggested = journey.sanne.getByTestId('console-suggested').first();
    await suggested.waitFor({ timeout: WAIT_MS });
    assert.match(await suggested.textContent(), new RegExp(`^Voorgestelde vragen: .*${SUGGESTED.replace('?', '\\?')}`));
    await journey.sanne.getByTestId('console-conv-state').filter({ hasText: /Sanne|sanne/ }).waitFor({ timeout: WAIT_MS });

    const customer = journey.customer;
    await customer.locator('[data-testid=loket-root][data-state=with_agent]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const notice = await waitForMessage(customer, '[data-author=system]', /Sanne/);
    assert.match(await notice.textContent(), /medewerker/);
    await customer.getByTestId('loket-status').filter({ hasText: 'U chat met een medewerker.' }).waitFor({ timeout: WAIT_MS });
    // DIS-02: the header label tells the truth about who writes now.
    assert.equal(await customer.getByTestId('loket-badge').textContent(), 'Medewerker · een mens, geen AI');
    assert.ok(await customer.getByTestId('loket-badge').isVisible());
    // The heading names the dialog for screen readers: a person's chat is not called the assistant.
    await customer.getByRole('dialog', { name: 'Chat met een medewerker' }).waitFor({ timeout: WAIT_MS });
  });

  test('a second agent\'s claim of the same conversation is refused with a clear message', async () => {
    const pieter = journey.pieter;
    await pieter.getByTestId('console-claim').first().click();
    const alert = pieter.getByTestId('console-alert');
    await alert.filter({ hasText: 'Al overgenomen door een collega.' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(await pieter.getByTestId('console-transcript').isHidden(), true, 'Pieter must not see the transcript');

    // The same refusal at the API: 409 with the stable code.
    const me = await (await pieter.request.get(new URL('api/v1/agent/me', server.baseUrl).href)).json();
    const queue = await (await journey.sanne.request.get(new URL('api/v1/agent/queue', server.baseUrl).href)).json();
    assert.equal(queue.mine.length, 1);
    const response = await pieter.request.post(new URL(`api/v1/agent/conversations/${queue.mine[0].id}/claim`, server.baseUrl).href, {
      headers: { 'X-CSRF-Token': me.csrf_token },
    });
    assert.equal(response.status(), 409);
    assert.equal((await response.json()).code, 'already_claimed');
  });

  test('the agent\'s reply reaches the customer live, labelled as a person (with-agent state passes axe)', async () => {
    await journey.sanne.getByTestId('console-reply').fill(AGENT_REPLY);
    await journey.sanne.getByTestId('console-send').click();
    const message = await waitForMessage(journey.customer, '[data-author=agent]', AGENT_REPLY);
    const label = await message.getByTestId('loket-message-author').textContent();
    assert.match(label, /Sanne/);
    assert.match(label, /medewerker/);
    await assertNoSeriousAxeViolations(journey.customer, 'with an agent');
  });

  // Known server defect, kept visible as a TODO: a name in the agent's own reply is redacted
  // before the customer sees it ("u spreekt met Sanne" arrives as "u spreekt met [PERSON_1]").
  test('an agent\'s reply reaches the customer verbatim, without redaction placeholders', async () => {
    const customer = journey.customer;
    const agentMessages = customer.locator('[data-testid=loket-log] [data-testid=loket-message][data-author=agent]');
    const before = await agentMessages.count();
    const text = 'U spreekt met Sanne van De Spaak.';
    await journey.sanne.getByTestId('console-reply').fill(text);
    await journey.sanne.getByTestId('console-send').click();
    await agentMessages.nth(before).waitFor({ timeout: WAIT_MS });
    assert.equal((await agentMessages.nth(before).getByTestId('loket-message-text').textContent()).trim(), text);
  });

  test('PRIV: the customer\'s IBAN reaches the console as [IBAN_1] and Sanne can reveal it', async () => {
    const customer = journey.customer;
    // Focus is wherever the keyboard journey left it; go back to the input by keyboard.
    await tabUntil(customer, 'loket-input', 'the message input');
    await customer.keyboard.type(`Mijn rekeningnummer is ${IBAN}`);
    await customer.keyboard.press('Enter');

    const sanne = journey.sanne;
    const transcript = sanne.getByTestId('console-transcript');
    await transcript.filter({ hasText: '[IBAN_1]' }).waitFor({ timeout: WAIT_MS });
    assert.doesNotMatch(await transcript.textContent(), new RegExp(IBAN), 'the raw IBAN is shown before any reveal');
    await assertNoSeriousAxeViolations(sanne, 'console conversation');

    await sanne.locator('[data-testid=console-reveal][data-placeholder="[IBAN_1]"]').click();
    const revealed = sanne.locator('[data-testid=console-revealed][data-placeholder="[IBAN_1]"]');
    await revealed.waitFor({ timeout: WAIT_MS });
    assert.equal((await revealed.textContent()).trim(), IBAN);
    await sanne.screenshot({ path: screenshotPath('console') });
  });

  test('HUM-11 DIS-05: hand-back is announced to the customer and the disclosure is shown again', async () => {
    const customer = journey.customer;
    const disclosuresBefore = await customer.locator('[data-testid=loket-message][data-kind=disclosure]').count();
    await journey.sanne.getByTestId('console-handback').click();

    await customer.locator('[data-testid=loket-root][data-state=bot]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const disclosure = customer.locator('[data-testid=loket-log] [data-testid=loket-message][data-kind=disclosure]').nth(disclosuresBefore);
    await disclosure.waitFor({ timeout: WAIT_MS });
    // The repeated disclosure comes after everything the agent wrote.
    const order = await customer.locator('[data-testid=loket-log] [data-testid=loket-message]').evaluateAll(
      (nodes) => nodes.map((node) => `${node.getAttribute('data-author')}:${node.getAttribute('data-kind')}`),
    );
    const lastAgent = order.lastIndexOf('agent:text');
    const lastDisclosure = order.lastIndexOf('system:disclosure');
    assert.ok(lastAgent >= 0 && lastDisclosure > lastAgent, `disclosure not repeated after the agent: ${order.join(', ')}`);
    const switchNotice = order.slice(lastAgent + 1).some((entry) => entry.startsWith('system:'));
    assert.ok(switchNotice, 'the switch back is announced');
    assert.equal(await customer.getByTestId('loket-badge').textContent(), 'AI-assistent · geen medewerker');
    assert.ok(await customer.getByTestId('loket-badge').isVisible());
    assert.equal(await customer.getByRole('dialog', { name: 'Chat met een medewerker' }).count(), 0);
    assert.equal(await customer.getByTestId('loket-title').textContent(), journey.title);

    // And the assistant answers again.
    await tabUntil(customer, 'loket-input', 'the message input');
    const aiBefore = await customer.locator('[data-testid=loket-message][data-author=ai]').count();
    await customer.keyboard.type(QUESTION);
    await customer.keyboard.press('Enter');
    await customer.locator('[data-testid=loket-message][data-author=ai]').nth(aiBefore).waitFor({ timeout: WAIT_MS });
  });
  test('A11Y-02: with the panel closed, an agent message marks the launcher without taking focus', async () => {
    const customer = journey.customer;
    // Ask for a person again by keyboard; Sanne takes the conversation once more.
    await tabUntil(customer, 'loket-human', 'the "Praat met een medewerker" button');
    await customer.keyboard.press('Enter');
    await customer.locator('[data-testid=loket-root][data-state=waiting_for_agent]').waitFor({ state: 'attached', timeout: WAIT_MS });
    await journey.sanne.getByTestId('console-claim').first().waitFor({ timeout: WAIT_MS });
    await journey.sanne.getByTestId('console-claim').first().click();
    await customer.locator('[data-testid=loket-root][data-state=with_agent]').waitFor({ state: 'attached', timeout: WAIT_MS });

    await customer.keyboard.press('Escape');
    assert.equal(await focusedTestId(customer), 'loket-launcher');
    const agentMessages = customer.locator('[data-testid=loket-message][data-author=agent]');
    const before = await agentMessages.count();
    await journey.sanne.getByTestId('console-reply').fill('Bent u er nog?');
    await journey.sanne.getByTestId('console-send').click();
    await agentMessages.nth(before).waitFor({ state: 'attached', timeout: WAIT_MS });
    const launcher = customer.getByTestId('loket-launcher');
    const describedBy = await launcher.getAttribute('aria-describedby');
    assert.ok(describedBy, 'the launcher is not marked');
    assert.equal((await customer.locator(`[id="${describedBy}"]`).textContent()).trim(), 'Er is een nieuw bericht in de chat.');
    assert.equal(await focusedTestId(customer), 'loket-launcher', 'focus moved by itself');
    assert.equal(await customer.getByTestId('loket-panel').isHidden(), true, 'the panel opened by itself');

    await customer.keyboard.press('Enter');
    assert.equal(await focusedTestId(customer), 'loket-input');
    assert.equal(await launcher.getAttribute('aria-describedby'), null, 'opening clears the mark');
  });

  test('console in English, and closing the conversation: the customer is told and can start anew (closed state passes axe)', async () => {
    const sanne = journey.sanne;
    await sanne.getByTestId('console-lang').click();
    await sanne.getByTestId('console-handback').filter({ hasText: /AI/ }).waitFor({ timeout: WAIT_MS });
    assert.equal(await sanne.evaluate(() => document.documentElement.lang), 'en');
    await assertNoSeriousAxeViolations(sanne, 'console conversation (English)');

    await sanne.getByTestId('console-close').click();
    await sanne.getByTestId('console-conv-state').filter({ hasText: /closed/ }).waitFor({ timeout: WAIT_MS });
    const customer = journey.customer;
    await customer.locator('[data-testid=loket-root][data-state=closed]').waitFor({ state: 'attached', timeout: WAIT_MS });
    await customer.getByTestId('loket-status').filter({ hasText: 'Dit gesprek is gesloten.' }).waitFor({ timeout: WAIT_MS });
    const restart = customer.getByTestId('loket-restart');
    await restart.waitFor({ timeout: WAIT_MS });
    assert.ok(await customer.getByTestId('loket-human').isVisible(), 'the person control stays after closing');
    await assertNoSeriousAxeViolations(customer, 'closed conversation');

    await restart.focus();
    await customer.keyboard.press('Enter');
    await customer.locator('[data-testid=loket-root][data-state=bot]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const kinds = await customer.locator('[data-testid=loket-log] [data-testid=loket-message]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-kind')));
    assert.deepEqual(kinds, ['disclosure'], 'a new conversation starts with the disclosure alone');
    assert.equal(await focusedTestId(customer), 'loket-input');
  });
});
