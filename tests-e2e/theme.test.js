'use strict';
/*
 * The widget's theme comes from the server's configuration ([theme] or LOKET_THEME__*). A theme
 * that fails WCAG 2.2 AA contrast stops startup with a message naming the setting (A11Y-06); a
 * valid theme is applied to the widget.
 */

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('./support/server');
const { launchBrowser, assertNoSeriousAxeViolations, WAIT_MS } = require('./support/browser');

const REPO_ROOT = path.resolve(__dirname, '..');
const LOKET_BIN = process.env.LOKET_BIN || path.join(REPO_ROOT, 'target', 'debug', 'loket');

describe('theme', () => {
  test('A11Y-06: a configured theme that fails contrast is rejected at startup', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loket-theme-'));
    try {
      const result = spawnSync(LOKET_BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], {
        env: { ...process.env, LOKET_THEME__PRIMARY: '#9db4f0' },
        encoding: 'utf8',
        timeout: 20000,
      });
      assert.notEqual(result.status, 0, 'the server must not start');
      assert.match(result.stderr, /theme\.on_primary/);
      assert.match(result.stderr, /contrast/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  let server;
  let browser;
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('a valid custom theme is applied to the widget and passes axe', async () => {
    server = await startServer({ env: { LOKET_THEME__PRIMARY: '#0b6e4f', LOKET_THEME__LINK: '#0b6e4f' } });
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(server.baseUrl);
    await page.getByTestId('loket-launcher').click();
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector('.loket-root')).getPropertyValue('--loket-primary').trim() === '#0b6e4f',
      null,
      { timeout: WAIT_MS },
    );
    await assertNoSeriousAxeViolations(page, 'widget with a custom theme');
  });
});
