// Contrast of the default themes (A11Y-05, A11Y-06): every text colour on its background >= 4.5:1,
// every UI component and focus colour >= 3:1, computed from the custom properties in the CSS files.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const webDir = path.join(__dirname, '..');

/** Custom properties (--name: #rrggbb) declared in the first block that matches `selector`. */
function themeOf(file, selector) {
  const css = fs.readFileSync(path.join(webDir, file), 'utf8');
  const start = css.indexOf(`${selector} {`);
  assert.ok(start >= 0, `${selector} block in ${file}`);
  const block = css.slice(start, css.indexOf('}', start));
  const theme = {};
  for (const match of block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\b/g)) theme[match[1]] = match[2];
  return theme;
}

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

test('the contrast formula matches known WCAG values', () => {
  assert.equal(Math.round(contrast('#000000', '#ffffff') * 10) / 10, 21);
  assert.equal(Math.round(contrast('#767676', '#ffffff') * 100) / 100, 4.54);
  assert.equal(contrast('#123456', '#123456'), 1);
});

function checkPairs(theme, pairs, minimum) {
  for (const [foreground, background] of pairs) {
    assert.ok(theme[foreground], `--${foreground} is defined`);
    assert.ok(theme[background] || /^#/.test(background), `--${background} is defined`);
    const ratio = contrast(theme[foreground], theme[background] || background);
    assert.ok(ratio >= minimum, `--${foreground} on --${background}: ${ratio.toFixed(2)} < ${minimum}`);
  }
}

test('the widget default theme passes WCAG 2.2 AA contrast', () => {
  const theme = themeOf('widget.css', '.loket-root');
  checkPairs(theme, [
    ['loket-text', 'loket-surface'],
    ['loket-muted-text', 'loket-surface'],
    ['loket-link', 'loket-surface'],
    ['loket-on-primary', 'loket-primary'],
    ['loket-customer-text', 'loket-primary'],
    ['loket-text', 'loket-ai-bubble'],
    ['loket-text', 'loket-agent-bubble'],
    ['loket-text', 'loket-system-bubble'],
    ['loket-link', 'loket-ai-bubble'],
    ['loket-muted-text', 'loket-ai-bubble'],
    ['loket-muted-text', 'loket-agent-bubble'],
    ['loket-muted-text', 'loket-system-bubble'],
    ['loket-badge-text', 'loket-badge-bg'],
    ['loket-error', 'loket-surface'],
    ['loket-text', 'loket-error-bg'],
    ['loket-link', 'loket-ai-bubble'],
    ['loket-on-primary', 'loket-text'], // hover state of the launcher and send button
  ], 4.5);
  checkPairs(theme, [
    ['loket-border', 'loket-surface'],
    ['loket-primary', 'loket-surface'],
    ['loket-focus', 'loket-surface'],
    ['loket-focus', 'loket-focus-ring'],
    ['loket-focus', 'loket-ai-bubble'],
    ['loket-error', 'loket-error-bg'],
  ], 3);
});

test('the console theme passes WCAG 2.2 AA contrast', () => {
  const theme = themeOf('console/console.css', ':root');
  checkPairs(theme, [
    ['console-text', 'console-surface'],
    ['console-text', 'console-bg'],
    ['console-muted', 'console-surface'],
    ['console-muted', 'console-bg'],
    ['console-primary', 'console-surface'],
    ['console-on-primary', 'console-primary'],
    ['console-text', 'console-ai'],
    ['console-text', 'console-agent'],
    ['console-text', 'console-system'],
    ['console-text', 'console-reveal'],
    ['console-muted', 'console-ai'],
    ['console-muted', 'console-agent'],
    ['console-muted', 'console-system'],
    ['console-error', 'console-surface'],
    ['console-text', 'console-error-bg'],
  ], 4.5);
  checkPairs(theme, [
    ['console-border', 'console-surface'],
    ['console-focus', 'console-surface'],
    ['console-focus', 'console-bg'],
  ], 3);
});

test('the demo shop colours pass WCAG 2.2 AA contrast', () => {
  const theme = themeOf('demo/demo.css', ':root');
  checkPairs(theme, [
    ['shop-text', 'shop-bg'],
    ['shop-muted', 'shop-bg'],
    ['shop-link', 'shop-bg'],
    ['shop-text', 'shop-band'],
    ['shop-link', 'shop-band'],
    ['shop-green', '#ffffff'], // white header text on the green band
  ], 4.5);
});
