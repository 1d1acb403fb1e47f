// Static checks over the web assets: things that must never ship, whatever the browser tests see.
// DIS-08 (no typing indicator, no artificial delay), XSS (no HTML parsing of server text), no
// external URLs (nothing is downloaded at run time), names and test ids for browser tests.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const webDir = path.join(__dirname, '..');
const read = (file) => fs.readFileSync(path.join(webDir, file), 'utf8');

const SCRIPTS = ['widget.js', 'console/console.js', 'console/dashboard.js'];
const LIVE_SCRIPTS = ['widget.js', 'console/console.js'];
const MARKUP = ['demo/index.html', 'demo/en.html', 'console/index.html', 'console/dashboard.html'];
const STYLES = ['widget.css', 'console/console.css', 'console/dashboard.css', 'demo/demo.css'];
const ASSETS = fs.readdirSync(path.join(webDir, 'assets')).map((name) => `assets/${name}`);

/** Source without comments, so explanations of what is forbidden do not trip the checks. */
function code(file) {
  return read(file)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

/** The object literal that starts at the first "{" at or after `from`, braces balanced. */
function objectLiteralAt(source, from) {
  const start = source.indexOf('{', from);
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(start, i + 1);
  }
  return source.slice(start);
}

/** [line number, line] for every line of text matching the pattern. */
function findLines(text, pattern) {
  return text.split('\n').flatMap((line, index) => (pattern.test(line) ? [[index + 1, line.trim()]] : []));
}

test('scripts never parse strings as HTML or code', () => {
  const forbidden = /\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new Function\s*\(|createContextualFragment|DOMParser/;
  for (const file of SCRIPTS) {
    assert.deepEqual(findLines(code(file), forbidden), [], file);
  }
});

test('no typing indicator or typing animation anywhere (DIS-08)', () => {
  const forbidden = /is typing|typt\b|aan het typen|typing[-_ ]?(dot|indicator|bubble)|\btyping\b/i;
  for (const file of MARKUP) {
    assert.deepEqual(findLines(read(file), forbidden), [], file);
  }
  for (const file of [...SCRIPTS, ...STYLES]) {
    assert.deepEqual(findLines(code(file), forbidden), [], file);
  }
  for (const file of STYLES) {
    assert.deepEqual(findLines(code(file), /@keyframes|animation\s*:/), [], `${file} has no animations`);
  }
});

test('no external URLs: only the SVG namespace name may contain http', () => {
  const allowed = 'http://www.w3.org/2000/svg';
  for (const file of [...SCRIPTS, ...MARKUP, ...STYLES, ...ASSETS]) {
    const hits = findLines(read(file).split(allowed).join(''), /https?:\/\//i);
    assert.deepEqual(hits, [], file);
  }
  for (const file of STYLES) {
    assert.deepEqual(findLines(code(file), /@import|url\(|@font-face/), [], `${file} loads nothing`);
  }
});

test('timers are only used for reconnect backoff, polling and the queue clock (DIS-08)', () => {
  for (const file of SCRIPTS) {
    const source = code(file);
    const timeouts = source.match(/setTimeout\([^)]*\)/g) || [];
    // The widget and the console follow live streams; the dashboard only loads on request.
    const live = LIVE_SCRIPTS.includes(file);
    assert.ok(!live || timeouts.length > 0, `${file} schedules reconnects`);
    for (const call of timeouts) assert.equal(call, 'setTimeout(run, delay)', `${file}: ${call}`);
    const scheduled = [...source.matchAll(/scheduleLive\((\w+), (\w+)\)/g)].filter((m) => m[1] !== 'run');
    assert.ok(!live || scheduled.length >= 2, `${file} reconnects and polls`);
    for (const [, run, delay] of scheduled) {
      assert.ok(['openStream', 'poll'].includes(run), `${file}: scheduleLive(${run}, …)`);
      assert.ok(['POLL_INTERVAL_MS', 'reconnectDelay'].includes(delay), `${file}: delay ${delay}`);
    }
    const intervals = source.match(/setInterval\([^)]*\)/g) || [];
    for (const call of intervals) assert.equal(call, 'setInterval(renderQueue, CLOCK_TICK_MS)', `${file}: ${call}`);
    assert.deepEqual(findLines(source, /requestAnimationFrame|\bsleep\s*\(|\bdelay\s*\(/), [], file);
  }
});

test('the widget keeps its conversation in sessionStorage only', () => {
  const source = code('widget.js');
  assert.ok(source.includes('sessionStorage'));
  assert.deepEqual(findLines(source, /localStorage|document\.cookie|indexedDB/), []);
});

test('the widget script defines no global except window.Loket', () => {
  const context = {
    document: {
      currentScript: { getAttribute: (name) => (name === 'data-mode' ? 'library' : null) },
      querySelector: () => null,
    },
    URL,
  };
  context.window = context;
  vm.createContext(context);
  const before = new Set(Object.keys(context));
  vm.runInContext(read('widget.js'), context, { filename: 'widget.js' });
  const added = Object.keys(context).filter((key) => !before.has(key));
  assert.deepEqual(added, ['Loket']);
  assert.equal(typeof context.Loket.open, 'function');
  assert.equal(typeof context.Loket.close, 'function');
  assert.equal(typeof context.Loket.lib.createSseParser, 'function');
});

test('every interactive element the widget creates has a data-testid', () => {
  const source = code('widget.js');
  const creations = [...source.matchAll(/element\('(button|textarea|input|a)', \{/g)];
  assert.ok(creations.length >= 10);
  for (const match of creations) {
    const snippet = objectLiteralAt(source, match.index);
    const isTemporaryDownloadLink = snippet.includes('download:');
    assert.ok(isTemporaryDownloadLink || snippet.includes("'data-testid'"), `no data-testid: ${snippet.slice(0, 80)}`);
  }
});

test('pages declare their language, a skip link, a main landmark and one h1', () => {
  const check = (file, lang) => {
    const html = read(file);
    assert.match(html, /^<!doctype html>/i, file);
    assert.match(html, new RegExp(`<html lang="${lang}">`), file);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/, file);
    assert.match(html, /class="skip-link" href="#([\w-]+)"/, file);
    const skipTarget = /class="skip-link" href="#([\w-]+)"/.exec(html)[1];
    assert.match(html, new RegExp(`<main id="${skipTarget}"`), `${file}: skip link target`);
    assert.equal((html.match(/<h1[\s>]/g) || []).length, 1, `${file}: one h1`);
    assert.doesNotMatch(html, /user-scalable=no|maximum-scale/, `${file}: zoom allowed`);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, `${file}: ids are unique`);
  };
  check('demo/index.html', 'nl');
  check('demo/en.html', 'en');
  check('console/index.html', 'nl');
});

test('the demo pages embed the widget, link each other and show the contact details', () => {
  const nl = read('demo/index.html');
  const en = read('demo/en.html');
  assert.match(nl, /<script src="\/widget.js" defer data-locale="nl" data-api="\/"><\/script>/);
  assert.match(en, /<script src="\/widget.js" defer data-locale="en" data-api="\/"><\/script>/);
  assert.match(nl, /href="en.html"/);
  assert.match(en, /href="\.\/"/);
  for (const html of [nl, en]) {
    assert.match(html, /020-123 4567/);
    assert.match(html, /klantenservice@despaak\.example/);
    assert.match(html, /id="contact"/);
    assert.match(html, /href="#contact"/);
  }
  assert.match(nl, /bestaat niet/);
  assert.match(nl, /fictieve demowinkel van\s+Loket/);
  assert.match(en, /fictitious demo shop for\s+Loket/);
  for (const html of [nl, en]) {
    for (const image of html.match(/<img [^>]*>/g) || []) assert.match(image, /alt="[^"]+"/, image);
  }
});

test('the console page has every element console.js looks up, labels and test ids', () => {
  const html = read('console/index.html');
  const source = code('console/console.js');
  const lookedUp = [...source.matchAll(/byId\('([\w-]+)'\)/g)].map((m) => m[1]);
  assert.ok(lookedUp.length >= 20);
  for (const id of lookedUp) assert.match(html, new RegExp(`id="${id}"`), `#${id}`);

  const consoleLib = require('../console/console.js');
  for (const match of html.matchAll(/data-i18n="(\w+)"/g)) {
    assert.ok(consoleLib.STRINGS.nl[match[1]], `string ${match[1]}`);
    assert.ok(consoleLib.STRINGS.en[match[1]], `string ${match[1]}`);
  }
  for (const control of html.match(/<(button|input|textarea)\b[^>]*>/g) || []) {
    assert.match(control, /data-testid="[\w-]+"/, control);
  }
  for (const match of html.matchAll(/<(input|textarea)\b[^>]*\sid="([\w-]+)"/g)) {
    assert.match(html, new RegExp(`<label for="${match[2]}"`), `label for #${match[2]}`);
  }
  assert.match(html, /<script src="\/widget.js" data-mode="library" defer><\/script>/);
  const creations = [...source.matchAll(/element\('(button|a)', \{/g)];
  for (const match of creations) {
    const snippet = objectLiteralAt(source, match.index);
    const isTicketLink = snippet === '{ href }';
    assert.ok(isTicketLink || snippet.includes("'data-testid'"), `no data-testid: ${snippet.slice(0, 80)}`);
  }
});
