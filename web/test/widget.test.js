// Unit tests for the widget's pure logic (web/widget.js). Run: node --test web/test/
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const widget = require('../widget.js');

function message(seq, extra) {
  return {
    id: `m${seq}`,
    seq,
    author: 'ai',
    kind: 'answer',
    text: `text ${seq}`,
    created_at: `2026-11-28T12:00:0${seq % 10}Z`,
    author_label: 'AI-assistent',
    lang: 'nl',
    citations: [],
    offers_human: false,
    ...extra,
  };
}

function parseAll(chunks) {
  const events = [];
  const parser = widget.createSseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

test('locale comes from data-locale, then html lang, then Dutch', () => {
  const check = (dataLocale, htmlLang, expected) =>
    assert.equal(widget.resolveLocale(dataLocale, htmlLang), expected, `${dataLocale} / ${htmlLang}`);
  check('nl', 'en', 'nl');
  check('en', 'nl', 'en');
  check(null, 'en-GB', 'en');
  check('', 'EN', 'en');
  check(undefined, 'nl-BE', 'nl');
  check('de', 'en', 'en');
  check('fr', 'de', 'nl');
  check(null, '', 'nl');
  check(null, null, 'nl');
  check(' en_US ', null, 'en');
});

test('every string key exists in both languages and no string is empty', () => {
  const nlKeys = Object.keys(widget.STRINGS.nl).sort();
  const enKeys = Object.keys(widget.STRINGS.en).sort();
  assert.deepEqual(nlKeys, enKeys);
  for (const locale of ['nl', 'en']) {
    for (const [key, value] of Object.entries(widget.STRINGS[locale])) {
      assert.ok(typeof value === 'string' && value.trim() !== '', `${locale}.${key}`);
    }
  }
});

test('the required wording is used verbatim (DIS-02, DIS-08, HUM-01, §2.1)', () => {
  const check = (locale, key, expected) => assert.equal(widget.translate(widget.STRINGS, locale, key), expected);
  check('nl', 'badge', 'AI-assistent · geen medewerker');
  check('en', 'badge', 'AI assistant · not a person');
  check('nl', 'badgeAgent', 'Medewerker · een mens, geen AI');
  check('en', 'badgeAgent', 'Person · a human, not the AI');
  check('nl', 'human', 'Praat met een medewerker');
  check('en', 'human', 'Talk to a person');
  check('nl', 'generating', 'AI-assistent maakt een antwoord…');
  check('en', 'generating', 'AI assistant is generating a reply…');
  check('nl', 'launcher', 'Chat met de AI-assistent');
  check('en', 'launcher', 'Chat with the AI assistant');
  check('nl', 'download', 'Download gesprek');
  check('en', 'download', 'Download transcript');
});

test('translate fills parameters, falls back to Dutch and shows a missing key as itself', () => {
  const table = { nl: { a: 'positie {position}', only: 'alleen nl' }, en: { a: 'position {position}' } };
  assert.equal(widget.translate(table, 'en', 'a', { position: 2 }), 'position 2');
  assert.equal(widget.translate(table, 'en', 'only'), 'alleen nl');
  assert.equal(widget.translate(table, 'fr', 'a', { position: 3 }), 'positie 3');
  assert.equal(widget.translate(table, 'nl', 'missing'), 'missing');
  assert.equal(widget.translate(table, 'nl', 'a', {}), 'positie {position}');
  assert.equal(widget.translate(table, 'nl', 'a', { position: '$&' }), 'positie $&');
});

test('the API base defaults to the script origin and resolves data-api against the script', () => {
  const check = (dataApi, scriptSrc, pageHref, expected) =>
    assert.equal(widget.resolveApiBase(dataApi, scriptSrc, pageHref), expected);
  check('/', 'https://chat.example/widget.js', 'https://shop.example/p/1', 'https://chat.example/');
  check(null, 'https://chat.example/static/widget.js?v=3', 'https://shop.example/', 'https://chat.example/');
  check('/loket', 'https://chat.example/widget.js', 'https://shop.example/', 'https://chat.example/loket/');
  check('https://api.example/base/', 'https://chat.example/widget.js', 'https://shop.example/', 'https://api.example/base/');
  check('', '', 'https://shop.example/a/b', 'https://shop.example/');
  assert.equal(widget.apiUrl('https://chat.example/loket/', '/api/v1/conversations'), 'https://chat.example/loket/api/v1/conversations');
  assert.equal(widget.apiUrl('https://chat.example/', 'api/v1/widget/config?locale=nl'), 'https://chat.example/api/v1/widget/config?locale=nl');
});

test('the SSE parser reads message and state events and skips keepalive comments', () => {
  const events = parseAll([
    ': keepalive\n\n',
    'event: message\ndata: {"seq":1}\n\n',
    'event: state\ndata: {"state":"with_agent"}\n\n',
  ]);
  assert.deepEqual(events.map((e) => [e.event, e.data]), [
    ['message', '{"seq":1}'],
    ['state', '{"state":"with_agent"}'],
  ]);
});

test('the SSE parser handles any chunk split, CRLF and CR line ends', () => {
  const stream = 'event: message\r\ndata: {"seq":1,\r\ndata: "x":2}\r\n\r\nid: 7\rdata: plain\r\r';
  const whole = parseAll([stream]);
  assert.deepEqual(whole.map((e) => [e.event, e.data, e.id]), [
    ['message', '{"seq":1,\n"x":2}', ''],
    ['message', 'plain', '7'],
  ]);
  for (let size = 1; size <= 7; size++) {
    const chunks = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
    assert.deepEqual(parseAll(chunks), whole, `chunk size ${size}`);
  }
});

test('the SSE parser ignores events without data, unknown fields and an unterminated tail', () => {
  const check = (input, expected) => assert.deepEqual(parseAll([input]).map((e) => [e.event, e.data]), expected, JSON.stringify(input));
  check('event: state\n\n', []);
  check('retry: 1000\nfoo: bar\ndata: a\n\n', [['message', 'a']]);
  check('data\n\n', [['message', '']]);
  check('data:no-space\n\n', [['message', 'no-space']]);
  check('data:  two spaces\n\n', [['message', ' two spaces']]);
  check('data: incomplete\n', []);
  check('event: state\ndata: x\n\ndata: y\n\n', [['state', 'x'], ['message', 'y']]);
});

test('merging deduplicates by seq and keeps seq order', () => {
  const first = widget.mergeMessages([], [message(2), message(1)]);
  assert.deepEqual(first.messages.map((m) => m.seq), [1, 2]);
  assert.deepEqual(first.added.map((m) => m.seq), [1, 2]);

  const second = widget.mergeMessages(first.messages, [message(2, { text: 'duplicate' }), message(4), message(3), message(4)]);
  assert.deepEqual(second.messages.map((m) => m.seq), [1, 2, 3, 4]);
  assert.deepEqual(second.added.map((m) => m.seq), [3, 4]);
  assert.equal(second.messages[1].text, 'text 2', 'the first copy of a seq wins');

  const junk = widget.mergeMessages(second.messages, [null, { seq: 'x' }, { text: 'no seq' }, message(1.5)]);
  assert.equal(junk.added.length, 0);
  assert.equal(widget.maxSeq(junk.messages), 4);
  assert.equal(widget.maxSeq([]), 0);
});

test('the waiting position comes only from the latest server handoff message', () => {
  const handoff = (seq, text) => message(seq, { author: 'system', kind: 'handoff', text });
  const check = (messages, expected) => assert.equal(widget.waitingPosition(messages), expected);
  check([], null);
  check([handoff(1, 'U wordt doorverbonden. U bent positie 2 in de wachtrij.')], 2);
  check([handoff(1, 'You are position: 3 in the queue.')], 3);
  check([handoff(1, 'positie 4'), handoff(2, 'U wordt doorverbonden met een medewerker.')], null);
  check([handoff(1, 'positie 4'), message(2, { text: 'positie 9' })], 4);
  check([message(1, { text: 'positie 9' })], null);
});

test('status follows the conversation state and what is in flight (DIS-08)', () => {
  const check = (state, busy, messages, expected) => assert.deepEqual(widget.statusFor(state, busy, messages), expected);
  check('bot', 'sending', [], { key: 'generating' });
  check('with_agent', 'sending', [], { key: 'sending' });
  check('bot', 'starting', [], { key: 'starting' });
  check('bot', 'handoff', [], { key: 'handoffSending' });
  check('bot', '', [], null);
  check('waiting_for_agent', '', [], { key: 'waiting' });
  check('waiting_for_agent', '', [message(1, { author: 'system', kind: 'handoff', text: 'positie 2' })], { key: 'waitingPosition', params: { position: 2 } });
  check('with_agent', '', [], { key: 'withAgent' });
  check('closed', '', [], { key: 'closed' });
  assert.equal(
    widget.translate(widget.STRINGS, 'nl', 'waitingPosition', { position: 2 }),
    'Wachten op een medewerker… positie 2',
  );
});

test('a message gets a lang attribute only when its language differs (A11Y-11)', () => {
  const check = (messageLang, surrounding, expected) => assert.equal(widget.messageLangAttribute(messageLang, surrounding), expected);
  check('en', 'nl', 'en');
  check('nl', 'nl', null);
  check('nl-NL', 'nl', null);
  check('en-GB', 'nl', 'en-GB');
  check(undefined, 'nl', null);
  check('', 'en', null);
});

test('only http(s) and relative citation links become hrefs', () => {
  const check = (url, expected) => assert.equal(widget.safeHref(url, 'https://shop.example/page'), expected);
  check('https://shop.example/retour', 'https://shop.example/retour');
  check('/retour', 'https://shop.example/retour');
  check('javascript:alert(1)', null);
  check('data:text/html,x', null);
  check('  ', null);
  check(undefined, null);
  check('http://[', null);
});

test('the transcript has ISO timestamps, sender types, labels, sources and the model that wrote a message (ACC-05, DIS-10)', () => {
  const messages = [
    message(1, { author: 'system', kind: 'disclosure', author_label: 'AI-assistent', text: 'U chat met de AI-assistent.', created_at: '2026-11-28T12:00:00Z' }),
    message(2, { author: 'customer', kind: 'text', author_label: 'U', text: 'Regel 1\r\nRegel 2', created_at: '2026-11-28T12:00:05Z' }),
    message(3, { author: 'ai', citations: [{ id: 'retour-nl', title: 'Retourneren', url: 'https://shop.example/retour' }], created_at: '2026-11-28T12:00:07Z' }),
    message(4, { author: 'agent', kind: 'text', author_label: 'Sanne, medewerker', text: 'Hallo', created_at: '2026-11-28T12:01:00Z' }),
    message(5, { author: 'ai', text: 'text 5', created_at: '2026-11-28T12:01:30Z', provenance: { generator: 'ai', method: 'generated', model: 'openai:mistral-small' } }),
  ];
  const text = widget.transcriptText(messages, { locale: 'nl', company: 'De Spaak', conversationId: 'c1', downloadedAt: '2026-11-28T12:02:00.000Z' });
  const lines = text.split('\n');
  assert.equal(lines[0], 'Gesprek met De Spaak');
  assert.ok(lines.includes('Gesprek-id: c1'));
  assert.ok(lines.includes('2026-11-28T12:00:00Z [system] AI-assistent: U chat met de AI-assistent.'));
  assert.ok(lines.includes('2026-11-28T12:00:05Z [customer] U: Regel 1'));
  assert.ok(lines.includes('Regel 2'));
  assert.ok(lines.includes('2026-11-28T12:00:07Z [ai] AI-assistent: text 3'));
  assert.ok(lines.includes('    Bron: Retourneren <https://shop.example/retour>'));
  assert.ok(lines.includes('2026-11-28T12:01:00Z [agent] Sanne, medewerker: Hallo'));
  // DIS-10: under an AI message a model wrote, the model; never under approved text.
  assert.equal(lines[lines.indexOf('2026-11-28T12:01:30Z [ai] AI-assistent: text 5') + 1], '    Geschreven door taalmodel: openai:mistral-small');
  assert.equal(lines.filter((line) => line.includes('taalmodel')).length, 1);
  assert.ok(text.endsWith('\n'));
  assert.equal(widget.transcriptFileName('en', '2026-11-28T12:02:00.000Z'), 'transcript-2026-11-28.txt');
  assert.equal(widget.transcriptFileName('nl', '2026-11-28T12:02:00.000Z'), 'gesprek-2026-11-28.txt');
});

test('a withdrawal acknowledgement is saved under the name the server gives it (ACC-04)', () => {
  const id = '01900000-0000-7000-8000-000000000001';
  assert.equal(widget.receiptFileName('nl', id, 4), `ontvangstbevestiging-${id}-4.txt`);
  assert.equal(widget.receiptFileName('en', id, '12'), `acknowledgement-${id}-12.txt`);
  assert.equal(widget.receiptFileName('nl', '../x"y', 'z'), 'ontvangstbevestiging-xy-0.txt');
});

test('the callback form needs a phone number or an e-mail address and checks both', () => {
  const check = (fields, expectedErrors) => assert.deepEqual(widget.validateCallback(fields).errors, expectedErrors, JSON.stringify(fields));
  check({}, { phone: 'errPhoneOrEmail', email: 'errPhoneOrEmail' });
  check({ name: 'Jan', phone: '  ', email: '' }, { phone: 'errPhoneOrEmail', email: 'errPhoneOrEmail' });
  check({ phone: '020-123 4567' }, {});
  check({ phone: '+31 6 12345678' }, {});
  check({ phone: 'bel me' }, { phone: 'errPhone' });
  check({ phone: '12' }, { phone: 'errPhone' });
  check({ email: 'jan@voorbeeld.nl' }, {});
  check({ email: 'jan@' }, { email: 'errEmail' });
  check({ email: 'jan@voorbeeld.nl', note: 'x'.repeat(501) }, { note: 'errTooLongField' });
  const ok = widget.validateCallback({ name: ' Jan ', phone: '', email: 'jan@voorbeeld.nl', preferred_time: '', note: 'Fiets kapot' });
  assert.deepEqual(ok.body, { name: 'Jan', email: 'jan@voorbeeld.nl', note: 'Fiets kapot' });
});

test('reconnect delays back off and are capped', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map(widget.reconnectDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(widget.reconnectDelayMs(-1), 1000);
});

test('error keys name rate limiting and too-long messages, else the action that failed', () => {
  assert.equal(widget.errorKeyFor(429, 'rate_limited', 'errorSend'), 'errorRateLimited');
  assert.equal(widget.errorKeyFor(400, 'message_too_long', 'errorSend'), 'errorTooLong');
  assert.equal(widget.errorKeyFor(413, 'payload_too_large', 'errorSend'), 'errorTooLong');
  assert.equal(widget.errorKeyFor(400, 'validation', 'errorSend'), 'errorSend');
  assert.equal(widget.errorKeyFor(500, 'internal', 'errorSend'), 'errorSend');
  assert.equal(widget.errorKeyFor(undefined, undefined, 'errorHandoff'), 'errorHandoff');
  // RET-03, RET-07: kept data is not erased, and trying again would not help.
  assert.equal(widget.errorKeyFor(409, 'legal_hold', 'errorErase'), 'errorEraseKept');
  assert.equal(widget.errorKeyFor(409, 'statutory_retention', 'errorErase'), 'errorEraseKept');
  assert.equal(widget.errorKeyFor(409, 'conflict', 'errorErase'), 'errorErase');
});

test('the message limit matches the server limit of 2000 characters', () => {
  assert.equal(widget.MAX_MESSAGE_CHARS, 2000);
  assert.equal(widget.POLL_INTERVAL_MS, 3000);
});

test('the header label says AI in every state except while a person has taken over (DIS-02)', () => {
  const check = (state, expected) => assert.equal(widget.badgeKeyFor(state), expected, state);
  check('bot', 'badge');
  check('waiting_for_agent', 'badge');
  check('closed', 'badge');
  check('with_agent', 'badgeAgent');
  check(undefined, 'badge');
});

test('the heading, the dialog\'s accessible name, names a person only while one has taken over (DIS-02)', () => {
  for (const state of ['bot', 'waiting_for_agent', 'closed', undefined]) {
    assert.equal(widget.titleKeyFor(state), null, String(state));
  }
  assert.equal(widget.titleKeyFor('with_agent'), 'titleAgent');
});

test('suggested questions: only non-empty question strings, at most five, and in the transcript', () => {
  assert.deepEqual(widget.suggestionsOf({}), []);
  assert.deepEqual(widget.suggestionsOf({ suggestions: 'no list' }), []);
  const shown = widget.suggestionsOf({
    suggestions: [
      { entry_id: 'a', question: 'Hoe lang duurt de levering?' },
      null,
      { entry_id: 'b', question: '   ' },
      { entry_id: 'c', question: 42 },
      ...Array.from({ length: 6 }, (_, index) => ({ entry_id: `d${index}`, question: `Vraag ${index}?` })),
    ],
  });
  assert.equal(shown.length, 5);
  assert.equal(shown[0].question, 'Hoe lang duurt de levering?');
  assert.equal(shown[1].question, 'Vraag 0?');
  const text = widget.transcriptText(
    [message(2, { kind: 'abstention', suggestions: [{ entry_id: 'levering-nl', question: 'Hoe lang duurt de levering?' }] })],
    { locale: 'nl', company: 'De Spaak', conversationId: 'c1', downloadedAt: '2026-11-28T12:02:00.000Z' },
  );
  assert.ok(text.split('\n').includes('    Voorgestelde vraag: Hoe lang duurt de levering?'));
});
