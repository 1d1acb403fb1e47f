'use strict';
/*
 * The customer widget on the demo shop pages (Dutch and English) in headless Chromium against a
 * real `loket serve --demo`: disclosure (DIS-01, DIS-02, DIS-09), citations and abstentions,
 * the person control in every state including errors (HUM-01, HUM-05), and accessibility
 * (A11Y-01, -02, -04, -07, -08, -12) with axe-core in the closed, open, conversation and error
 * states. Writes widget screenshots (see screenshotPath).
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const {
  launchBrowser,
  assertNoSeriousAxeViolations,
  focusedTestId,
  horizontalOverflow,
  screenshotPath,
  WAIT_MS,
} = require('./support/browser');

/** Demo FAQ questions the demo knowledge base answers with a citation (checked with curl). */
const ANSWERED = {
  nl: { question: 'Hoeveel dagen bedenktijd heb ik?', citationTitle: 'Hoeveel dagen bedenktijd heb ik?' },
  en: { question: 'How many days do I have to change my mind?', citationTitle: 'How many days do I have to change my mind?' },
};
/** Questions far outside the shop's knowledge: the assistant must abstain and offer a person. */
const OUT_OF_SCOPE = {
  nl: 'Hoe laat vertrekt de trein naar Parijs?',
  en: 'What is the airspeed velocity of an unladen swallow?',
};
/**
 * A customer's own wording that the demo base does not answer with confidence, and the approved
 * question among the ones offered with the abstention (checked against `loket serve --demo`).
 */
const NEAR_MISS = {
  question: 'Kan ik mijn fiets na twee weken nog terugsturen?',
  suggestion: 'Hoe kan ik mijn bestelling retourneren?',
};
const LABELS = {
  nl: { badge: 'AI-assistent · geen medewerker', human: 'Praat met een medewerker', page: '/' },
  en: { badge: 'AI assistant · not a person', human: 'Talk to a person', page: '/en.html' },
};

let server;
let browser;

/** The approved disclosure template for a locale, as the API hands it out at turn 0. */
async function disclosureTemplate(locale) {
  const response = await fetch(new URL('api/v1/conversations', server.baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ locale }),
  });
  assert.equal(response.status, 201);
  const body = await response.json();
  assert.equal(body.messages[0].kind, 'disclosure');
  return body.messages[0].text;
}

async function shopPage(locale, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  await page.goto(new URL(LABELS[locale].page, server.baseUrl).href);
  await page.getByTestId('loket-launcher').waitFor({ timeout: WAIT_MS });
  return { context, page };
}

async function openWidget(page) {
  await page.getByTestId('loket-launcher').click();
  await page.locator('[data-testid=loket-log] [data-testid=loket-message][data-kind=disclosure]').first().waitFor({ timeout: WAIT_MS });
}

/** Types a question, sends it with Enter and waits for the assistant's reply bubble. */
async function ask(page, text) {
  const before = await page.locator('[data-testid=loket-message][data-author=ai]').count();
  await page.getByTestId('loket-input').fill(text);
  await page.getByTestId('loket-input').press('Enter');
  await page.locator('[data-testid=loket-message][data-author=ai]').nth(before).waitFor({ timeout: WAIT_MS });
  return page.locator('[data-testid=loket-message][data-author=ai]').nth(before);
}

/** DIS-02: the AI label is visible and is the panel's accessible description. */
async function assertAiLabelVisible(page, locale, turn) {
  const badge = page.getByTestId('loket-badge');
  assert.ok(await badge.isVisible(), `AI label hidden at ${turn}`);
  assert.equal((await badge.textContent()).trim(), LABELS[locale].badge, `AI label text at ${turn}`);
  const panel = page.getByRole('dialog', { name: /AI/ });
  assert.equal(await panel.getAttribute('aria-describedby'), await badge.getAttribute('id'));
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

describe('widget on the demo shop', () => {
  test('A11Y-12: on page load the widget is closed and takes no focus (closed state passes axe)', async () => {
    const { context, page } = await shopPage('nl');
    try {
      assert.equal(await page.getByTestId('loket-panel').isHidden(), true);
      assert.equal(await page.getByTestId('loket-launcher').getAttribute('aria-expanded'), 'false');
      assert.equal(await page.evaluate(() => document.activeElement === document.body), true);
      await assertNoSeriousAxeViolations(page, 'closed');
    } finally {
      await context.close();
    }
  });

  test('PRIV-13 PRIV-14: nothing is stored before the chat starts, only the session is kept, and unsent text never leaves the page', async () => {
    const { context, page } = await shopPage('nl');
    const posted = [];
    page.on('request', (request) => {
      if (request.method() !== 'GET') posted.push({ url: request.url(), body: request.postData() || '' });
    });
    const storage = () => page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: Object.keys(sessionStorage).map((key) => [key, sessionStorage.getItem(key)]),
      cookie: document.cookie,
    }));
    try {
      // Before the customer opens the chat: no cookie, nothing in either storage, nothing sent.
      assert.deepEqual(await storage(), { local: [], session: [], cookie: '' });
      assert.deepEqual(await context.cookies(), []);
      assert.deepEqual(posted, []);
      await openWidget(page);
      // The chat session itself is the only thing kept: one session-scoped entry with the
      // conversation's id and token, no cookie, nothing in localStorage.
      const opened = await storage();
      assert.deepEqual(opened.local, []);
      assert.equal(opened.cookie, '');
      assert.deepEqual(await context.cookies(), []);
      assert.equal(opened.session.length, 1);
      assert.deepEqual(Object.keys(JSON.parse(opened.session[0][1])).sort(), ['id', 'token']);
      const afterOpen = posted.length;
      // Typing is not sent: no draft, no keystroke, no "is typing" signal.
      await page.getByTestId('loket-input').pressSequentially('Mijn IBAN is NL91ABNA0417164300', { delay: 5 });
      await page.waitForTimeout(1500);
      assert.deepEqual(posted.slice(afterOpen), [], 'a request left the page while the customer typed');
      await page.getByTestId('loket-input').fill('Hoeveel dagen bedenktijd heb ik?');
      await page.getByTestId('loket-input').press('Enter');
      await page.locator('[data-testid=loket-message][data-author=ai]').first().waitFor({ timeout: WAIT_MS });
      const sent = posted.slice(afterOpen);
      assert.equal(sent.length, 1, JSON.stringify(sent));
      assert.match(sent[0].url, /\/api\/v1\/conversations\/[^/]+\/messages$/);
      assert.deepEqual(JSON.parse(sent[0].body), { text: 'Hoeveel dagen bedenktijd heb ik?' });
      assert.ok(!JSON.stringify(posted).includes('NL91ABNA'), 'the unsent IBAN left the page');
    } finally {
      await context.close();
    }
  });

  for (const locale of ['nl', 'en']) {
    test(`DIS-01 DIS-02 (${locale}): the disclosure comes first, in the live log; answers cite, abstentions offer a person`, async () => {
      const template = await disclosureTemplate(locale);
      const { context, page } = await shopPage(locale);
      try {
        await openWidget(page);
        // A11Y-04: opening moves focus to the message input.
        assert.equal(await focusedTestId(page), 'loket-input');
        assert.equal(await page.getByTestId('loket-launcher').getAttribute('aria-expanded'), 'true');

        // DIS-01: the first bubble in the log is the approved template for the locale.
        const log = page.getByTestId('loket-log');
        assert.equal(await log.getAttribute('role'), 'log');
        assert.equal(await log.getAttribute('aria-live'), 'polite');
        const first = log.getByTestId('loket-message').first();
        assert.equal(await first.getAttribute('data-kind'), 'disclosure');
        assert.equal((await first.getByTestId('loket-message-text').textContent()).trim(), template);
        assert.equal(await log.getByTestId('loket-message').count(), 1, 'nothing precedes or accompanies the disclosure at turn 0');
        await assertAiLabelVisible(page, locale, 'turn 0');
        // HUM-01: the person control exists from turn 0, by its visible name.
        const personControl = page.getByRole('button', { name: LABELS[locale].human, exact: true }).and(page.getByTestId('loket-human'));
        assert.ok(await personControl.isVisible());
        // HUM-05: contact details are reachable without going through the bot.
        await page.getByTestId('loket-contact-phone').waitFor({ timeout: WAIT_MS });
        assert.match(await page.getByTestId('loket-contact-phone').getAttribute('href'), /^tel:\+?\d+$/);
        assert.match(await page.getByTestId('loket-contact-email').getAttribute('href'), /^mailto:.+@.+/);
        await assertNoSeriousAxeViolations(page, `open (${locale})`);

        // An answer from the knowledge base shows its source as a link.
        const answer = await ask(page, ANSWERED[locale].question);
        assert.equal(await answer.getAttribute('data-kind'), 'answer');
        const citation = answer.getByTestId('loket-citation');
        assert.equal((await citation.textContent()).trim(), ANSWERED[locale].citationTitle);
        assert.match(await citation.getAttribute('href'), /^https:\/\/despaak\.example\//);
        // DIS-09: the reply is attributed visibly to the AI assistant.
        assert.match(await answer.getByTestId('loket-message-author').textContent(), /AI/);
        await assertAiLabelVisible(page, locale, 'turn 1');
        // The screenshot for the documentation: disclosure, question and a cited answer.
        await page.getByTestId('loket-panel').screenshot({ path: screenshotPath(`widget-${locale}`) });

        // An abstention offers a person inside the bubble.
        const abstention = await ask(page, OUT_OF_SCOPE[locale]);
        assert.equal(await abstention.getAttribute('data-kind'), 'abstention');
        assert.ok(await abstention.getByRole('button', { name: LABELS[locale].human, exact: true }).isVisible());
        await assertAiLabelVisible(page, locale, 'turn 2');
        assert.ok(await page.getByTestId('loket-human').isVisible(), 'the person control stays at turn n');

        // A11Y-11: every bubble carries no lang or the conversation's own language.
        const langs = await log.getByTestId('loket-message').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('lang')));
        for (const lang of langs) assert.ok(lang === null || lang === '' || lang === locale, `unexpected lang ${lang}`);

        await assertNoSeriousAxeViolations(page, `conversation (${locale})`);
      } finally {
        await context.close();
      }
    });
  }

  test('ACC-01 HUM-01 A11Y-10: an abstention offers approved questions as a named group of buttons; picking one gets its cited answer', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      const abstention = await ask(page, NEAR_MISS.question);
      assert.equal(await abstention.getAttribute('data-kind'), 'abstention');
      const group = abstention.getByRole('group', { name: 'Bedoelt u een van deze vragen?' });
      assert.ok(await group.isVisible());
      const offered = await group.getByRole('button').count();
      assert.ok(offered >= 1 && offered <= 3, `${offered} questions offered`);
      const choice = group.getByRole('button', { name: NEAR_MISS.suggestion, exact: true });
      assert.ok(await choice.isVisible());
      // The person stays on offer beside the questions (HUM-01).
      assert.ok(await abstention.getByRole('button', { name: LABELS.nl.human, exact: true }).isVisible());
      const choiceBox = await choice.boundingBox();
      assert.ok(choiceBox.width >= 24 && choiceBox.height >= 24, `a suggestion is ${choiceBox.width}×${choiceBox.height} CSS px`);
      await assertNoSeriousAxeViolations(page, 'suggested questions');

      // Picking a question sends it as the customer's message and leaves what they were typing.
      await page.getByTestId('loket-input').fill('half getypt');
      const before = await page.locator('[data-testid=loket-message][data-author=ai]').count();
      await choice.click();
      const answer = page.locator('[data-testid=loket-message][data-author=ai]').nth(before);
      await answer.waitFor({ timeout: WAIT_MS });
      assert.equal(await answer.getAttribute('data-kind'), 'answer');
      assert.equal((await answer.getByTestId('loket-citation').textContent()).trim(), NEAR_MISS.suggestion);
      const sent = page.locator('[data-testid=loket-message][data-author=customer]').last();
      assert.equal((await sent.getByTestId('loket-message-text').textContent()).trim(), NEAR_MISS.suggestion);
      assert.equal(await page.getByTestId('loket-input').inputValue(), 'half getypt');
    } finally {
      await context.close();
    }
  });

  test('ACC-09 A11Y-10: "Klopte dit antwoord?" under an answer records the rating once and thanks the customer', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      const answer = await ask(page, ANSWERED.nl.question);
      assert.equal(await answer.getAttribute('data-kind'), 'answer');
      const group = answer.getByRole('group', { name: 'Klopte dit antwoord?' });
      assert.ok(await group.isVisible());
      const no = group.getByRole('button', { name: 'Nee', exact: true });
      const box = await no.boundingBox();
      assert.ok(box.width >= 24 && box.height >= 24, `"Nee" is ${box.width}×${box.height} CSS px`);
      await assertNoSeriousAxeViolations(page, 'answer with its rating control');
      await no.click();
      const thanks = answer.getByTestId('loket-feedback-thanks');
      await thanks.waitFor({ timeout: WAIT_MS });
      assert.match(await thanks.textContent(), /Bedankt/);
      assert.equal(await focusedTestId(page), 'loket-feedback-thanks', 'focus is not lost with the button');
      assert.deepEqual(
        await group.getByRole('button').allTextContents(),
        [LABELS.nl.human],
        'the rating is given once; after "Nee" a person is offered right there',
      );
      // The person control stays, and nothing else was sent in the customer's name.
      assert.ok(await page.getByTestId('loket-human').isVisible());
      assert.equal(await page.locator('[data-testid=loket-message][data-author=customer]').count(), 1);
    } finally {
      await context.close();
    }
  });

  test('ACC-04 A11Y-10: a withdrawal statement gets an acknowledgement with its time and a signed copy to download', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      await page.getByTestId('loket-input').fill('Ik herroep hierbij mijn bestelling 4711');
      await page.getByTestId('loket-input').press('Enter');
      const receipt = page.locator('[data-testid=loket-message][data-kind=withdrawal_receipt]');
      await receipt.waitFor({ timeout: WAIT_MS });
      assert.match(await receipt.getByTestId('loket-message-text').textContent(), /^Ontvangstbevestiging: .* ontvangen op \w+ \d{1,2}-\d{1,2}-20\d\d om \d\d:\d\d\./);
      // The statement is never answered by the assistant; a person takes it from here.
      assert.equal(await page.locator('[data-testid=loket-message][data-author=ai][data-kind=answer]').count(), 0);
      const button = receipt.getByRole('button', { name: 'Download ontvangstbevestiging' });
      const box = await button.boundingBox();
      assert.ok(box.width >= 24 && box.height >= 24, `the download button is ${box.width}×${box.height} CSS px`);
      await assertNoSeriousAxeViolations(page, 'withdrawal acknowledgement');
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), button.click()]);
      assert.match(download.suggestedFilename(), /^ontvangstbevestiging-[0-9a-f-]+-\d+\.txt$/);
      const text = require('node:fs').readFileSync(await download.path(), 'utf8');
      assert.match(text, /^Ontvangstbevestiging van uw herroeping of annulering\n/);
      assert.ok(text.includes('Ik herroep hierbij mijn bestelling 4711'), text);
      assert.match(text, /\nsignature: [0-9a-f]{128}\n/);
      assert.ok(await page.getByTestId('loket-human').isVisible());
    } finally {
      await context.close();
    }
  });

  test('A11Y-03 A11Y-04: Escape and the close button close the panel and return focus to the launcher', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      await page.keyboard.press('Escape');
      assert.equal(await page.getByTestId('loket-panel').isHidden(), true);
      assert.equal(await focusedTestId(page), 'loket-launcher');
      assert.equal(await page.getByTestId('loket-launcher').getAttribute('aria-expanded'), 'false');

      await page.keyboard.press('Enter');
      assert.equal(await focusedTestId(page), 'loket-input');
      await page.getByTestId('loket-close').click();
      assert.equal(await page.getByTestId('loket-panel').isHidden(), true);
      assert.equal(await focusedTestId(page), 'loket-launcher');
    } finally {
      await context.close();
    }
  });

  test('HUM-01 A11Y-02: a failed request shows an alert, keeps the person control operable, and retry recovers (error state passes axe)', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      // The harness makes the send request fail the way a dropped connection does.
      await page.route('**/api/v1/conversations/*/messages', (route) => route.abort('connectionfailed'));
      await page.getByTestId('loket-input').fill(ANSWERED.nl.question);
      await page.getByTestId('loket-input').press('Enter');
      const alert = page.getByTestId('loket-alert');
      await page.getByTestId('loket-retry').waitFor({ timeout: WAIT_MS });
      assert.equal(await alert.getAttribute('role'), 'alert');
      assert.match(await alert.textContent(), /niet verstuurd/);
      // The typed text is kept, not lost.
      assert.equal(await page.getByTestId('loket-input').inputValue(), ANSWERED.nl.question);
      const human = page.getByTestId('loket-human');
      assert.ok(await human.isVisible());
      assert.equal(await human.isEnabled(), true);
      await human.focus();
      assert.equal(await focusedTestId(page), 'loket-human');
      await assertAiLabelVisible(page, 'nl', 'error');
      await assertNoSeriousAxeViolations(page, 'error');

      await page.unroute('**/api/v1/conversations/*/messages');
      await page.getByTestId('loket-retry').click();
      await page.locator('[data-testid=loket-message][data-kind=answer]').waitFor({ timeout: WAIT_MS });
      assert.equal(await page.getByTestId('loket-retry').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('A11Y-08: launcher, send, close and person controls are at least 24 by 24 CSS px', async () => {
    const { context, page } = await shopPage('nl');
    try {
      const launcherBox = await page.getByTestId('loket-launcher').boundingBox();
      await openWidget(page);
      await ask(page, OUT_OF_SCOPE.nl);
      const boxes = {
        launcher: launcherBox,
        send: await page.getByTestId('loket-send').boundingBox(),
        close: await page.getByTestId('loket-close').boundingBox(),
        human: await page.getByTestId('loket-human').boundingBox(),
        'human (inline)': await page.getByTestId('loket-human-inline').last().boundingBox(),
      };
      for (const [name, box] of Object.entries(boxes)) {
        assert.ok(box, `${name} is not rendered`);
        assert.ok(box.width >= 24 && box.height >= 24, `${name} is ${box.width}×${box.height} CSS px`);
      }
    } finally {
      await context.close();
    }
  });

  test('DIS-08 A11Y-02: while a reply is generated the status line says so politely, with no typing indicator', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      // The harness holds the request until the in-flight state has been checked.
      let release;
      const held = new Promise((resolve) => { release = resolve; });
      await page.route('**/api/v1/conversations/*/messages', async (route) => {
        if (route.request().method() === 'POST') await held;
        await route.continue();
      });
      await page.getByTestId('loket-input').fill(ANSWERED.nl.question);
      await page.getByTestId('loket-input').press('Enter');
      const status = page.getByTestId('loket-status');
      await status.filter({ hasText: 'AI-assistent maakt een antwoord…' }).waitFor({ timeout: WAIT_MS });
      assert.equal(await status.getAttribute('role'), 'status');
      assert.equal(await status.getAttribute('aria-live'), 'polite');
      // The customer's own text is shown at once, marked as still being sent.
      assert.match(await page.getByTestId('loket-message-pending').textContent(), /bedenktijd/);
      assert.doesNotMatch(await page.getByTestId('loket-panel').textContent(), /typt|aan het typen|is typing/i);
      // Focus stays where the customer is typing (no focus moves for announcements).
      assert.equal(await focusedTestId(page), 'loket-input');
      release();
      await page.locator('[data-testid=loket-message][data-kind=answer]').waitFor({ timeout: WAIT_MS });
      await page.waitForFunction(() => !document.querySelector('[data-testid=loket-status]').textContent.includes('maakt een antwoord'), null, { timeout: WAIT_MS });
      assert.equal(await page.getByTestId('loket-message-pending').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('HUM-02 HUM-04: a typed request for a person gets the handover or the alternatives in the very next response', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      await page.getByTestId('loket-input').fill('Ik wil een medewerker spreken');
      await page.getByTestId('loket-input').press('Enter');
      const customerBubble = page.locator('[data-testid=loket-log] [data-testid=loket-message][data-author=customer]');
      await customerBubble.waitFor({ timeout: WAIT_MS });
      const next = page.locator('[data-testid=loket-log] [data-testid=loket-message][data-author=customer] + [data-testid=loket-message]');
      await next.waitFor({ timeout: WAIT_MS });
      // Nobody is logged in to the console on this server, so the truthful answer is the
      // alternatives, with the callback form; never silence and never "try again later" alone.
      assert.equal(await next.getAttribute('data-kind'), 'unavailable');
      assert.match(await next.textContent(), /020-123 4567/);
      await page.getByTestId('loket-callback-form').waitFor({ timeout: WAIT_MS });
    } finally {
      await context.close();
    }
  });

  test('A11Y-10: the launcher, dialog, log, input and buttons have names, roles and states', async () => {
    const { context, page } = await shopPage('nl');
    try {
      const launcher = page.getByRole('button', { name: 'Chat met de AI-assistent', exact: true });
      assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
      // WCAG 2.5.3: the visible text "Chat" is part of the accessible name.
      assert.match(await launcher.textContent(), /Chat/);
      await openWidget(page);
      assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
      const dialog = page.getByRole('dialog', { name: 'AI-assistent' });
      assert.ok(await dialog.isVisible());
      assert.equal(await launcher.getAttribute('aria-controls'), await dialog.getAttribute('id'));
      assert.ok(await page.getByRole('log', { name: 'Gesprek' }).isVisible());
      assert.equal(await page.getByRole('textbox', { name: 'Uw bericht' }).getAttribute('data-testid'), 'loket-input');
      for (const name of ['Versturen', 'Chat sluiten', 'Download gesprek']) {
        assert.ok(await page.getByRole('button', { name, exact: true }).isVisible(), name);
      }
      assert.ok(await page.getByRole('navigation', { name: 'Andere manieren om contact op te nemen' }).isVisible());
    } finally {
      await context.close();
    }
  });

  test('PRIV-02 GOV-08 GOV-10: "Over deze chat" opens the notice with privacy, complaint and accessibility information (passes axe)', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      const link = page.getByRole('navigation', { name: 'Andere manieren om contact op te nemen' }).getByRole('link', { name: 'Over deze chat' });
      assert.ok(await link.isVisible());
      const href = await link.getAttribute('href');
      const notice = await context.newPage();
      const response = await notice.goto(href);
      assert.equal(response.status(), 200);
      assert.equal(await notice.locator('html').getAttribute('lang'), 'nl');
      assert.equal(await notice.getByRole('heading', { level: 1 }).textContent(), 'Over deze chat van Fietsenwinkel De Spaak');
      for (const heading of ['Wat is deze chat?', 'Een medewerker spreken', 'Uw gegevens', 'Uw rechten', 'Klachten', 'Toegankelijkheid']) {
        assert.ok(await notice.getByRole('heading', { level: 2, name: heading }).isVisible(), heading);
      }
      assert.ok(await notice.getByRole('link', { name: 'www.autoriteitpersoonsgegevens.nl' }).isVisible());
      assert.ok(await notice.getByRole('link', { name: 'www.consuwijzer.nl' }).isVisible());
      await assertNoSeriousAxeViolations(notice, 'notice page');
      const english = await notice.goto(new URL('/about?locale=en', server.baseUrl).href);
      assert.equal(english.status(), 200);
      assert.equal(await notice.getByRole('heading', { level: 1 }).textContent(), 'About this chat of Fietsenwinkel De Spaak');
    } finally {
      await context.close();
    }
  });

  test('A11Y-07: with the WCAG 1.4.12 text-spacing overrides no text in the widget is clipped', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      await ask(page, ANSWERED.nl.question);
      await ask(page, OUT_OF_SCOPE.nl);
      // A constructed style sheet, because the server's CSP (rightly) refuses inline <style>.
      await page.evaluate(() => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(`* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
          p { margin-bottom: 2em !important; }`);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      });
      const clipped = await page.getByTestId('loket-root').evaluate((root) => {
        const found = [];
        for (const node of root.querySelectorAll('*')) {
          const style = getComputedStyle(node);
          if (node.clientWidth <= 1 || style.display === 'none') continue;
          const clips = (value) => value === 'hidden' || value === 'clip';
          const width = clips(style.overflowX) && node.scrollWidth > node.clientWidth + 1;
          const height = clips(style.overflowY) && node.scrollHeight > node.clientHeight + 1;
          if (width || height) found.push(`${node.getAttribute('data-testid') || node.className}: ${node.scrollWidth}x${node.scrollHeight} in ${node.clientWidth}x${node.clientHeight}`);
        }
        return found;
      });
      assert.deepEqual(clipped, []);
      assert.equal(await horizontalOverflow(page), 0);
    } finally {
      await context.close();
    }
  });

  // Known server defect, kept visible as a TODO: on the Dutch page an English question gets the
  // English FAQ answer, but the API labels that message `"lang":"nl"`, so the bubble is marked
  // Dutch and a screen reader reads English with Dutch pronunciation (WCAG 3.1.2).
  test('A11Y-11: an English answer on the Dutch page carries lang="en"', async () => {
    const { context, page } = await shopPage('nl');
    try {
      await openWidget(page);
      const answer = await ask(page, ANSWERED.en.question);
      assert.equal(await answer.getAttribute('data-kind'), 'answer');
      assert.equal(await answer.getAttribute('lang'), 'en');
    } finally {
      await context.close();
    }
  });

  const layouts = [
    { name: '320 CSS px wide (WCAG 1.4.10 reflow)', viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 },
    { name: '200% zoom of a 1280×800 window', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
  ];
  for (const layout of layouts) {
    test(`A11Y-07: at ${layout.name} nothing scrolls sideways and every control stays within the viewport`, async () => {
      const { context, page } = await shopPage('nl', { viewport: layout.viewport, deviceScaleFactor: layout.deviceScaleFactor });
      try {
        assert.equal(await horizontalOverflow(page), 0, 'the host page with the closed launcher scrolls sideways');
        await openWidget(page);
        await ask(page, ANSWERED.nl.question);
        await ask(page, OUT_OF_SCOPE.nl);
        assert.equal(await horizontalOverflow(page), 0, 'the page scrolls sideways with the widget open');
        const panelOverflow = await page.getByTestId('loket-panel').evaluate((panel) => {
          const overflowing = [];
          for (const node of [panel, ...panel.querySelectorAll('*')]) {
            // Visually hidden text (1 px, clipped) is for screen readers and is not content loss.
            if (node.clientWidth <= 1) continue;
            if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== 'visible') {
              overflowing.push(`${node.className || node.tagName}: ${node.scrollWidth} > ${node.clientWidth}`);
            }
          }
          return overflowing;
        });
        assert.deepEqual(panelOverflow, [], 'content scrolls sideways inside the panel');
        for (const testId of ['loket-badge', 'loket-close', 'loket-human', 'loket-input', 'loket-send']) {
          const box = await page.getByTestId(testId).boundingBox();
          assert.ok(box, `${testId} is not rendered`);
          assert.ok(box.x >= 0 && box.x + box.width <= layout.viewport.width + 0.5, `${testId} sticks out sideways: x=${box.x} width=${box.width}`);
        }
        // The citation link of the answer is reachable too (no loss of content).
        const citation = page.getByTestId('loket-citation').first();
        await citation.scrollIntoViewIfNeeded();
        const citationBox = await citation.boundingBox();
        assert.ok(citationBox && citationBox.x + citationBox.width <= layout.viewport.width + 0.5);
        await assertNoSeriousAxeViolations(page, `conversation at ${layout.name}`);
      } finally {
        await context.close();
      }
    });
  }
});
