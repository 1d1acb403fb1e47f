'use strict';
/*
 * Generated answers in the widget (issue 8): a real `loket model serve` with SmolLM2-135M-Instruct
 * (the GGUF from $LOKET_TEST_LLM_GGUF, see scripts/smollm.sh) behind a real `loket serve --demo`
 * configured with `generation.provider = "openai"`. While the model writes, the widget may show a
 * draft made of sentences the server already verified; it is marked as a draft, hidden from screen
 * readers (the stored answer is announced once), and replaced by the stored answer, which cites its
 * sources. Skipped when $LOKET_TEST_LLM_GGUF is unset, unless LOKET_REQUIRE_LLM=1.
 */

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { startServer, REPO_ROOT } = require('./support/server');
const { launchBrowser, assertNoSeriousAxeViolations } = require('./support/browser');

const LOKET_BIN = process.env.LOKET_BIN || path.join(REPO_ROOT, 'target', 'debug', 'loket');
const GGUF = process.env.LOKET_TEST_LLM_GGUF || '';
const REQUIRED = process.env.LOKET_REQUIRE_LLM === '1';
/** A generated answer takes the model's time: up to a minute on a loaded 2-core machine. */
const ANSWER_WAIT_MS = 90000;

if (REQUIRED && !GGUF) throw new Error('LOKET_REQUIRE_LLM=1 but LOKET_TEST_LLM_GGUF is not set');

/** Starts `loket model serve` on a free port and resolves with its API root. */
function startModelServer() {
  const child = spawn(LOKET_BIN, ['model', 'serve', '--gguf', GGUF, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, LOKET_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`loket model serve did not start:\n${output}`)), 60000);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, api: `${match[1]}/v1` });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`loket model serve exited (${code}):\n${output}`));
    });
  });
}

describe('generated answers in the widget', { skip: GGUF ? false : 'LOKET_TEST_LLM_GGUF not set' }, () => {
  let model;
  let server;
  let browser;

  before(async () => {
    model = await startModelServer();
    server = await startServer({
      env: {
        LOKET_GENERATION__PROVIDER: 'openai',
        LOKET_GENERATION__BASE_URL: model.api,
        LOKET_GENERATION__MODEL: 'smollm2-135m-instruct',
        LOKET_GENERATION__SELF_HOSTED: 'true',
        LOKET_GENERATION__PROCESSOR: 'the company itself',
        LOKET_GENERATION__REGION: 'NL',
        LOKET_GENERATION__RETENTION: 'none',
        LOKET_GENERATION__TIMEOUT_SECONDS: '80',
        LOKET_GENERATION__FIRST_TOKEN_TIMEOUT_SECONDS: '80',
        LOKET_SERVER__REQUEST_TIMEOUT_SECONDS: '100',
      },
    });
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
    if (model) model.child.kill('SIGTERM');
  });

  test('ACC-01 DIS-02 A11Y-02: drafts are verified, marked and hidden from screen readers; the stored answer replaces them', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(new URL('/en.html', server.baseUrl).href);
      await page.getByTestId('loket-launcher').click();
      await page.locator('[data-testid=loket-message][data-kind=disclosure]').first().waitFor({ timeout: 15000 });
      // Record every draft the widget shows, as the customer would have seen it.
      await page.evaluate(() => {
        window.loketDrafts = [];
        new MutationObserver(() => {
          const draft = document.querySelector('[data-testid=loket-message-draft]');
          if (!draft) return;
          const text = draft.querySelector('[data-testid=loket-draft-text]').textContent;
          const last = window.loketDrafts[window.loketDrafts.length - 1];
          if (!last || last.text !== text) {
            window.loketDrafts.push({
              text,
              hidden: draft.getAttribute('aria-hidden'),
              author: draft.querySelector('.loket-msg-author').textContent,
            });
          }
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.getByTestId('loket-input').fill('How many days do I have to change my mind?');
      await page.getByTestId('loket-input').press('Enter');
      const answer = page.locator('[data-testid=loket-message][data-author=ai][data-kind=answer]').first();
      await answer.waitFor({ timeout: ANSWER_WAIT_MS });
      const text = (await answer.getByTestId('loket-message-text').textContent()).trim();
      assert.ok(text.length > 0);
      assert.ok(await answer.getByTestId('loket-citation').count() >= 1, 'the answer cites its source');
      assert.equal(await page.getByTestId('loket-message-draft').count(), 0, 'the draft is gone');
      const drafts = await page.evaluate(() => window.loketDrafts);
      drafts.forEach((draft, index) => {
        assert.equal(draft.hidden, 'true', 'a draft is hidden from screen readers');
        assert.match(draft.author, /draft/, 'a draft says it is one');
        // Sentences are only added: what was shown is never rewritten while the model writes.
        if (index > 0) assert.ok(draft.text.startsWith(drafts[index - 1].text), JSON.stringify(drafts));
      });
      console.log(`# ${drafts.length} draft update(s); stored answer of ${text.length} characters`);
      await assertNoSeriousAxeViolations(page, 'widget with a generated answer');
    } finally {
      await context.close();
    }
  });
});
