// Unit tests for the agent console's pure logic (web/console/console.js). Run: node --test web/test/
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const consoleLib = require('../console/console.js');

test('every console string exists in Dutch and English and none is empty', () => {
  const nl = Object.keys(consoleLib.STRINGS.nl).sort();
  const en = Object.keys(consoleLib.STRINGS.en).sort();
  assert.deepEqual(nl, en);
  for (const lang of ['nl', 'en']) {
    for (const [key, value] of Object.entries(consoleLib.STRINGS[lang])) {
      assert.ok(typeof value === 'string' && value.trim() !== '', `${lang}.${key}`);
    }
  }
});

test('the console uses the required Dutch wording for claim conflicts and actions', () => {
  const check = (key, expected) => assert.equal(consoleLib.translate('nl', key), expected);
  check('errAlreadyClaimed', 'Al overgenomen door een collega.');
  check('handback', 'Teruggeven aan AI-assistent');
  check('closeConversation', 'Gesprek sluiten');
  assert.equal(consoleLib.translate('en', 'errAlreadyClaimed'), 'Already claimed by a colleague.');
});

test('placeholders are split out of message text for reveal buttons', () => {
  const check = (text, expected) => assert.deepEqual(consoleLib.splitPlaceholders(text), expected, text);
  check('', []);
  check('geen gegevens', [{ text: 'geen gegevens' }]);
  check('Mijn IBAN is [IBAN_1].', [{ text: 'Mijn IBAN is ' }, { placeholder: '[IBAN_1]' }, { text: '.' }]);
  check('[BSN_1][EMAIL_12]', [{ placeholder: '[BSN_1]' }, { placeholder: '[EMAIL_12]' }]);
  check('bel [PHONE_NUMBER_3] of [POSTCODE_1]', [
    { text: 'bel ' },
    { placeholder: '[PHONE_NUMBER_3]' },
    { text: ' of ' },
    { placeholder: '[POSTCODE_1]' },
  ]);
  check('[iban_1] [IBAN] [IBAN_] [1_IBAN]', [{ text: '[iban_1] [IBAN] [IBAN_] [1_IBAN]' }]);
  check(undefined, []);
});

test('ticket contact links are made only for real numbers and addresses, never for placeholders', () => {
  const check = (kind, value, expected) => assert.equal(consoleLib.contactHref(kind, value), expected, `${kind} ${value}`);
  check('phone', '06 1234 5678', 'tel:0612345678');
  check('phone', '+31 20-123 4567', 'tel:+31201234567');
  check('phone', '[PHONE_1]', null);
  check('phone', '[PHONE_NUMBER_2]', null);
  check('phone', '12', null);
  check('phone', '', null);
  check('phone', undefined, null);
  check('email', 'jan@voorbeeld.nl', 'mailto:jan@voorbeeld.nl');
  check('email', '[EMAIL_1]', null);
  check('email', 'geen adres', null);
  check('fax', '020 123 4567', null);
});

test('a queue answer that a newer live snapshot overtook is dropped; others are applied', () => {
  const feed = consoleLib.createQueueFeed();
  const quiet = feed.beginRequest();
  assert.equal(feed.acceptsRequest(quiet), true, 'no stream snapshot in between');
  const overtaken = feed.beginRequest();
  feed.streamSnapshot();
  assert.equal(feed.acceptsRequest(overtaken), false, 'the stream sent a newer snapshot meanwhile');
  const later = feed.beginRequest();
  assert.equal(feed.acceptsRequest(later), true, 'a request sent after the snapshot counts');
});

test('waiting time is shown in whole minutes and hours', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const check = (since, lang, expected) => assert.equal(consoleLib.formatWaiting(since, now, lang), expected, since);
  check('2026-11-28T11:59:30Z', 'nl', 'minder dan 1 minuut');
  check('2026-11-28T11:57:00Z', 'nl', '3 min');
  check('2026-11-28T10:55:00Z', 'nl', '1 uur 5 min');
  check('2026-11-28T10:55:00Z', 'en', '1 h 5 min');
  check('2026-11-28T12:05:00Z', 'en', 'less than 1 minute');
  check('not a time', 'nl', '?');
  assert.equal(consoleLib.waitingMinutes('2026-11-28T11:50:00Z', now), 10);
});

test('error codes map to explanations; 409 on claim says a colleague has it', () => {
  const check = (status, code, expected) => assert.equal(consoleLib.errorKey(status, code), expected, `${status} ${code}`);
  check(409, 'already_claimed', 'errAlreadyClaimed');
  check(409, 'not_assigned', 'errNotAssigned');
  check(403, 'forbidden', 'errForbidden');
  check(403, null, 'errForbidden');
  check(401, 'invalid_credentials', 'errInvalidCredentials');
  check(401, 'unauthorized', 'errSession');
  check(429, 'rate_limited', 'errRateLimited');
  check(0, null, 'errNetwork');
  check(500, 'internal', 'errGeneric');
  assert.equal(consoleLib.errorKey(500, 'internal', 'errNotAssigned'), 'errNotAssigned');
});

test('the waiting list is ordered by position, then by waiting time', () => {
  const waiting = [
    { id: 'c', position: 3, waiting_since: '2026-11-28T11:00:00Z' },
    { id: 'a', position: 1, waiting_since: '2026-11-28T11:30:00Z' },
    { id: 'x', waiting_since: '2026-11-28T10:00:00Z' },
    { id: 'b', position: 1, waiting_since: '2026-11-28T11:10:00Z' },
  ];
  assert.deepEqual(consoleLib.sortWaiting(waiting).map((item) => item.id), ['b', 'a', 'c', 'x']);
  assert.deepEqual(consoleLib.sortWaiting(undefined), []);
  assert.equal(waiting[0].id, 'c', 'the input is not reordered');
});

test('the console language is Dutch unless English was chosen', () => {
  const check = (stored, expected) => assert.equal(consoleLib.resolveConsoleLang(stored), expected);
  check(null, 'nl');
  check('en', 'en');
  check('nl', 'nl');
  check('de', 'nl');
});

test('language names and short ids are readable', () => {
  assert.equal(consoleLib.languageName('nl', 'en'), 'Engels');
  assert.equal(consoleLib.languageName('en', 'nl'), 'Dutch');
  assert.equal(consoleLib.languageName('nl', 'fr'), 'fr');
  assert.equal(consoleLib.shortId('0190c0ffee-1234-5678'), '234-5678');
  assert.equal(consoleLib.shortId('abc'), 'abc');
});
