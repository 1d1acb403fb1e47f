/*
 * Loket customer chat widget.
 *
 * Embed with:
 *   <script src="/widget.js" defer data-locale="nl" data-api="/"></script>
 *
 * Layout of this file:
 *   1. STRINGS: every user-visible string, Dutch and English (REQUIREMENTS.md §2.1 wording).
 *   2. Pure logic (no DOM, no network): locale resolution, string lookup, the Server-Sent Events
 *      parser, seq-ordered message merging, transcript export, callback-form validation. These are
 *      exported for node's test runner at the bottom and reused by the agent console.
 *   3. The widget itself (DOM, network), started only in a browser.
 *
 * Deliberate choices, each tied to a requirement:
 *   - Server text is only ever written with textContent (never parsed as HTML).
 *   - There is no typing indicator and no artificial delay (DIS-08): the status line says that the
 *     AI assistant is generating a reply for exactly as long as the request is in flight.
 *   - The "Talk to a person" button is rendered once, outside the message list, and never hidden or
 *     disabled, so it exists from turn 0 and in every error state (HUM-01).
 *   - The widget never opens, focuses or plays anything by itself on page load (A11Y-12).
 *   - The only global is window.Loket ({open, close, lib}).
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // 1. Strings
  // ---------------------------------------------------------------------------------------------

  const STRINGS = {
    nl: {
      launcher: 'Chat met de AI-assistent',
      launcherShort: 'Chat',
      title: 'AI-assistent',
      badge: 'AI-assistent · geen medewerker',
      badgeAgent: 'Medewerker · een mens, geen AI',
      titleAgent: 'Chat met een medewerker',
      close: 'Chat sluiten',
      human: 'Praat met een medewerker',
      download: 'Download gesprek',
      downloadHint: 'U kunt dit gesprek met datum en tijd als tekstbestand bewaren.',
      erase: 'Gesprek wissen',
      eraseQuestion: 'Dit gesprek en de gegevens die u erin deelde worden definitief gewist. Doorgaan?',
      eraseYes: 'Ja, wis het gesprek',
      eraseNo: 'Annuleren',
      erasing: 'Gesprek wordt gewist…',
      erased: 'Uw gesprek is gewist. Met een nieuw bericht begint u een nieuw gesprek.',
      errorErase: 'Het gesprek is niet gewist.',
      errorEraseKept: 'Dit gesprek moeten wij bewaren, omdat de wet of een lopende zaak dat vraagt. Het is daarom niet gewist. Met vragen hierover kunt u ons bellen of mailen via de contactgegevens bovenaan.',
      logLabel: 'Gesprek',
      inputLabel: 'Uw bericht',
      inputHint: 'Enter verstuurt, Shift+Enter maakt een nieuwe regel.',
      send: 'Versturen',
      counter: '{count} van {max} tekens',
      counterRemaining: 'Nog {remaining} tekens over',
      generating: 'AI-assistent maakt een antwoord…',
      sending: 'Bericht wordt verstuurd…',
      starting: 'Gesprek wordt gestart…',
      handoffSending: 'Verzoek om een medewerker wordt verstuurd…',
      waiting: 'Wachten op een medewerker…',
      waitingPosition: 'Wachten op een medewerker… positie {position}',
      withAgent: 'U chat met een medewerker.',
      withBot: 'U chat met de AI-assistent (geen medewerker).',
      closed: 'Dit gesprek is gesloten.',
      newConversation: 'Nieuw gesprek starten',
      errorStart: 'Het gesprek kon niet worden gestart.',
      errorSend: 'Uw bericht is niet verstuurd.',
      errorHandoff: 'Uw verzoek om een medewerker is niet verstuurd.',
      errorReceipt: 'De ontvangstbevestiging is niet gedownload.',
      receiptDownload: 'Download ontvangstbevestiging',
      receiptFile: 'ontvangstbevestiging',
      errorCallback: 'Uw terugbelverzoek is niet verstuurd.',
      errorTooLong: 'Uw bericht is te lang: maximaal {max} tekens.',
      errorEmpty: 'Typ eerst een bericht.',
      errorRateLimited: 'U stuurt te veel berichten kort na elkaar. Wacht even en probeer het opnieuw.',
      retryHint: 'Probeer het opnieuw. U kunt ons ook bellen of mailen via de contactgegevens bovenaan.',
      retry: 'Opnieuw proberen',
      contactNav: 'Andere manieren om contact op te nemen',
      callUs: 'Bel {phone}',
      mailUs: 'Mail {email}',
      contactPage: 'Contactgegevens',
      privacy: 'Privacy',
      about: 'Over deze chat',
      sources: 'Bronnen',
      suggestions: 'Bedoelt u een van deze vragen?',
      feedbackQuestion: 'Klopte dit antwoord?',
      feedbackYes: 'Ja',
      feedbackNo: 'Nee',
      feedbackThanks: 'Bedankt voor uw reactie.',
      feedbackThanksNo: 'Bedankt. Wij kijken het antwoord na. Een medewerker kan u verder helpen.',
      you: 'U',
      pending: 'wordt verstuurd',
      drafting: 'concept, gecontroleerde zinnen; het antwoord volgt',
      unread: 'Er is een nieuw bericht in de chat.',
      callbackTitle: 'Terugbelverzoek of e-mail',
      callbackIntro: 'Laat uw telefoonnummer of e-mailadres achter, dan nemen wij contact met u op. Velden met een * zijn nodig: vul er minstens één in.',
      callbackName: 'Naam',
      callbackPhone: 'Telefoonnummer *',
      callbackEmail: 'E-mailadres *',
      callbackTime: 'Wanneer schikt het?',
      callbackTimeHint: 'Bijvoorbeeld: morgen na 14.00 uur',
      callbackNote: 'Waar gaat het over?',
      callbackSubmit: 'Verzoek versturen',
      callbackSent: 'Uw verzoek is verstuurd. Wij nemen contact met u op.',
      callbackErrors: 'Controleer het formulier:',
      errPhoneOrEmail: 'Vul een telefoonnummer of een e-mailadres in.',
      errPhone: 'Dit telefoonnummer klopt niet. Gebruik cijfers, spaties, + of -.',
      errEmail: 'Dit e-mailadres klopt niet, bijvoorbeeld naam@voorbeeld.nl.',
      errTooLongField: 'Dit veld is te lang: maximaal {max} tekens.',
      transcriptTitle: 'Gesprek met {company}',
      transcriptConversation: 'Gesprek-id',
      transcriptDownloaded: 'Gedownload op',
      transcriptFormat: 'Elke regel: tijd (ISO 8601, UTC) [soort afzender] afzender: tekst',
      transcriptFile: 'gesprek',
      transcriptSource: 'Bron',
      transcriptSuggestion: 'Voorgestelde vraag',
      transcriptModel: 'Geschreven door taalmodel',
    },
    en: {
      launcher: 'Chat with the AI assistant',
      launcherShort: 'Chat',
      title: 'AI assistant',
      badge: 'AI assistant · not a person',
      badgeAgent: 'Person · a human, not the AI',
      titleAgent: 'Chat with a person',
      close: 'Close chat',
      human: 'Talk to a person',
      download: 'Download transcript',
      downloadHint: 'You can keep this conversation, with date and time, as a text file.',
      erase: 'Delete conversation',
      eraseQuestion: 'This conversation and the data you shared in it will be deleted for good. Continue?',
      eraseYes: 'Yes, delete it',
      eraseNo: 'Cancel',
      erasing: 'Deleting the conversation…',
      erased: 'Your conversation was deleted. A new message starts a new conversation.',
      errorErase: 'The conversation was not deleted.',
      errorEraseKept: 'We have to keep this conversation because the law or an ongoing case requires it, so it was not deleted. If you have questions about this, call or e-mail us using the contact details at the top.',
      logLabel: 'Conversation',
      inputLabel: 'Your message',
      inputHint: 'Enter sends, Shift+Enter starts a new line.',
      send: 'Send',
      counter: '{count} of {max} characters',
      counterRemaining: '{remaining} characters left',
      generating: 'AI assistant is generating a reply…',
      sending: 'Sending your message…',
      starting: 'Starting the conversation…',
      handoffSending: 'Sending your request for a person…',
      waiting: 'Waiting for a person…',
      waitingPosition: 'Waiting for a person… position {position}',
      withAgent: 'You are chatting with a person.',
      withBot: 'You are chatting with the AI assistant (not a person).',
      closed: 'This conversation is closed.',
      newConversation: 'Start a new conversation',
      errorStart: 'The conversation could not be started.',
      errorSend: 'Your message was not sent.',
      errorHandoff: 'Your request for a person was not sent.',
      errorReceipt: 'The acknowledgement was not downloaded.',
      receiptDownload: 'Download acknowledgement',
      receiptFile: 'acknowledgement',
      errorCallback: 'Your call-back request was not sent.',
      errorTooLong: 'Your message is too long: at most {max} characters.',
      errorEmpty: 'Type a message first.',
      errorRateLimited: 'You are sending too many messages in a short time. Wait a moment and try again.',
      retryHint: 'Please try again. You can also call or e-mail us using the contact details at the top.',
      retry: 'Try again',
      contactNav: 'Other ways to contact us',
      callUs: 'Call {phone}',
      mailUs: 'E-mail {email}',
      contactPage: 'Contact details',
      privacy: 'Privacy',
      about: 'About this chat',
      sources: 'Sources',
      suggestions: 'Did you mean one of these questions?',
      feedbackQuestion: 'Was this answer right?',
      feedbackYes: 'Yes',
      feedbackNo: 'No',
      feedbackThanks: 'Thank you for your feedback.',
      feedbackThanksNo: 'Thank you. We will review the answer. A person can help you further.',
      you: 'You',
      pending: 'sending',
      drafting: 'draft, checked sentences; the answer follows',
      unread: 'There is a new message in the chat.',
      callbackTitle: 'Call-back or e-mail request',
      callbackIntro: 'Leave your phone number or e-mail address and we will contact you. Fields marked * are needed: fill in at least one.',
      callbackName: 'Name',
      callbackPhone: 'Phone number *',
      callbackEmail: 'E-mail address *',
      callbackTime: 'When suits you?',
      callbackTimeHint: 'For example: tomorrow after 2 pm',
      callbackNote: 'What is it about?',
      callbackSubmit: 'Send request',
      callbackSent: 'Your request has been sent. We will contact you.',
      callbackErrors: 'Please check the form:',
      errPhoneOrEmail: 'Fill in a phone number or an e-mail address.',
      errPhone: 'This phone number is not valid. Use digits, spaces, + or -.',
      errEmail: 'This e-mail address is not valid, for example name@example.com.',
      errTooLongField: 'This field is too long: at most {max} characters.',
      transcriptTitle: 'Conversation with {company}',
      transcriptConversation: 'Conversation id',
      transcriptDownloaded: 'Downloaded at',
      transcriptFormat: 'Each line: time (ISO 8601, UTC) [sender type] sender: text',
      transcriptFile: 'transcript',
      transcriptSource: 'Source',
      transcriptSuggestion: 'Suggested question',
      transcriptModel: 'Written by language model',
    },
  };

  const SUPPORTED_LOCALES = ['nl', 'en'];
  const DEFAULT_LOCALE = 'nl';
  /** Must match the server's limit on customer message length. */
  const MAX_MESSAGE_CHARS = 2000;
  /** Limit for each free-text field of the callback form. */
  const MAX_CALLBACK_FIELD_CHARS = 500;
  /** Remaining-character counts at which the counter is announced (not on every keystroke). */
  const COUNTER_ANNOUNCE_AT = [200, 100, 50, 10, 0];
  /** Polling interval when streaming is not possible. */
  const POLL_INTERVAL_MS = 3000;
  /** Most suggested questions shown with one message: the server's `answer.suggestions` limit. */
  const MAX_SUGGESTIONS = 5;
  /** Failed stream connections in a row before falling back to polling. */
  const STREAM_FAILURES_BEFORE_POLLING = 3;

  // ---------------------------------------------------------------------------------------------
  // 2. Pure logic
  // ---------------------------------------------------------------------------------------------

  /**
   * The widget's locale: the script's data-locale, else the page's <html lang>, else Dutch.
   * Region subtags are dropped ("en-GB" -> "en"); an unsupported language falls through to the next
   * source.
   */
  function resolveLocale(dataLocale, htmlLang) {
    for (const candidate of [dataLocale, htmlLang]) {
      const primary = primaryLanguage(candidate);
      if (primary && SUPPORTED_LOCALES.includes(primary)) return primary;
    }
    return DEFAULT_LOCALE;
  }

  /** "en-GB" -> "en"; anything that is not a string or is empty -> "". */
  function primaryLanguage(tag) {
    if (typeof tag !== 'string') return '';
    return tag.trim().toLowerCase().split(/[-_]/)[0];
  }

  /**
   * Looks up a string for a locale, falling back to Dutch, and fills `{name}` placeholders from
   * params. A missing key returns the key itself so a gap is visible instead of an empty control.
   */
  function translate(table, locale, key, params) {
    const forLocale = table[locale] || table[DEFAULT_LOCALE];
    let text = forLocale[key];
    if (text === undefined) text = table[DEFAULT_LOCALE][key];
    if (text === undefined) return key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  }

  /**
   * The API base URL, always ending in "/". data-api is resolved against the script's own URL, so
   * "/" means the script's origin; without data-api the script's origin is used.
   */
  function resolveApiBase(dataApi, scriptSrc, pageHref) {
    const scriptUrl = new URL(scriptSrc || pageHref, pageHref);
    const base = new URL(dataApi && dataApi.trim() ? dataApi.trim() : '/', scriptUrl);
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    return base.href;
  }

  /** Joins the API base and an API path such as "api/v1/conversations". */
  function apiUrl(base, path) {
    return new URL(path.replace(/^\/+/, ''), base).href;
  }

  /**
   * An incremental Server-Sent Events parser (the event-stream format of the HTML standard).
   * Feed it decoded text chunks in any split; it calls onEvent({event, data, id}) for each complete
   * event. Comment lines (": keepalive") are ignored; an event without data is not dispatched; the
   * event type defaults to "message"; a CR/LF pair split across two chunks counts as one line end.
   */
  function createSseParser(onEvent) {
    let buffer = '';
    let eventType = '';
    let dataLines = [];
    let lastId = '';
    let skipLeadingLf = false;

    function dispatch() {
      if (dataLines.length > 0) {
        onEvent({ event: eventType || 'message', data: dataLines.join('\n'), id: lastId });
      }
      eventType = '';
      dataLines = [];
    }

    function processLine(line) {
      if (line === '') {
        dispatch();
        return;
      }
      if (line.startsWith(':')) return;
      const colon = line.indexOf(':');
      let field = line;
      let value = '';
      if (colon !== -1) {
        field = line.slice(0, colon);
        value = line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
      }
      if (field === 'event') eventType = value;
      else if (field === 'data') dataLines.push(value);
      else if (field === 'id' && !value.includes('\0')) lastId = value;
      // "retry" and unknown fields are ignored: reconnection timing is the widget's own backoff.
    }

    return {
      push(chunk) {
        let text = chunk;
        if (skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
        skipLeadingLf = false;
        buffer += text;
        let start = 0;
        for (let i = 0; i < buffer.length; i++) {
          const ch = buffer[i];
          if (ch !== '\n' && ch !== '\r') continue;
          processLine(buffer.slice(start, i));
          if (ch === '\r') {
            if (i + 1 < buffer.length) {
              if (buffer[i + 1] === '\n') i++;
            } else {
              skipLeadingLf = true;
            }
          }
          start = i + 1;
        }
        buffer = buffer.slice(start);
      },
      /** End of stream: an unterminated event is discarded, as the standard requires. */
      end() {
        buffer = '';
        eventType = '';
        dataLines = [];
      },
      lastEventId() {
        return lastId;
      },
    };
  }

  /**
   * Merges incoming messages into a list ordered by seq. A seq that is already present is not added
   * again (the stream, polling and POST answers can deliver the same message). Returns the merged
   * list and the messages that were new, in seq order. Entries without an integer seq are dropped.
   */
  function mergeMessages(existing, incoming) {
    const bySeq = new Map();
    for (const message of existing) {
      if (message && Number.isInteger(message.seq)) bySeq.set(message.seq, message);
    }
    const added = [];
    for (const message of incoming || []) {
      if (!message || !Number.isInteger(message.seq) || bySeq.has(message.seq)) continue;
      bySeq.set(message.seq, message);
      added.push(message);
    }
    const merged = Array.from(bySeq.values()).sort((a, b) => a.seq - b.seq);
    added.sort((a, b) => a.seq - b.seq);
    return { messages: merged, added };
  }

  /** The highest seq in a list, or 0 for an empty list. */
  function maxSeq(messages) {
    let highest = 0;
    for (const message of messages) {
      if (Number.isInteger(message.seq) && message.seq > highest) highest = message.seq;
    }
    return highest;
  }

  /**
   * The queue position the server last told the customer, read from its most recent handoff
   * message ("… positie 2" / "… position 2"), or null. The widget never makes up a position.
   */
  function waitingPosition(messages) {
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i];
      if (message.author !== 'system' || message.kind !== 'handoff') continue;
      const match = /\b(?:positie|position)\D{0,3}(\d{1,4})\b/i.exec(message.text || '');
      return match ? Number(match[1]) : null;
    }
    return null;
  }

  /** The lang attribute a message needs, or null when it is in the surrounding language. */
  function messageLangAttribute(messageLang, surroundingLang) {
    const own = primaryLanguage(messageLang);
    if (!own) return null;
    return own === primaryLanguage(surroundingLang) ? null : messageLang;
  }

  /** Only absolute http(s) links or same-site relative links become hrefs; anything else is text. */
  function safeHref(url, base) {
    if (typeof url !== 'string' || url.trim() === '') return null;
    try {
      const parsed = new URL(url, base);
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch (_error) {
      return null;
    }
  }

  /**
   * The suggested questions of a message that can be shown: non-empty question strings, at most
   * MAX_SUGGESTIONS (the server's own limit), anything else dropped.
   */
  function suggestionsOf(message) {
    const list = message && Array.isArray(message.suggestions) ? message.suggestions : [];
    return list
      .filter((suggestion) => suggestion && typeof suggestion.question === 'string' && suggestion.question.trim() !== '')
      .slice(0, MAX_SUGGESTIONS);
  }

  /** The language model that wrote a message (its provenance, DIS-10), or '' when none did. */
  function modelOf(message) {
    const provenance = message && message.provenance;
    return provenance && typeof provenance.model === 'string' ? provenance.model : '';
  }

  /**
   * The transcript as plain text for download (ACC-05): a header, then one block per message with
   * its ISO-8601 timestamp, the sender type as the API names it, the sender label and the text;
   * under an AI message a language model wrote, the model (DIS-10).
   */
  function transcriptText(messages, meta) {
    const locale = meta.locale || DEFAULT_LOCALE;
    const t = (key, params) => translate(STRINGS, locale, key, params);
    const lines = [
      t('transcriptTitle', { company: meta.company || '' }).trim(),
      `${t('transcriptConversation')}: ${meta.conversationId || ''}`,
      `${t('transcriptDownloaded')}: ${meta.downloadedAt}`,
      t('transcriptFormat'),
      '',
    ];
    for (const message of messages) {
      const label = message.author_label || message.author;
      const text = String(message.text || '').replace(/\r\n?/g, '\n');
      lines.push(`${message.created_at} [${message.author}] ${label}: ${text}`);
      for (const citation of message.citations || []) {
        lines.push(`    ${t('transcriptSource')}: ${citation.title || ''} <${citation.url || ''}>`);
      }
      for (const suggestion of suggestionsOf(message)) {
        lines.push(`    ${t('transcriptSuggestion')}: ${suggestion.question}`);
      }
      const model = modelOf(message);
      if (model) lines.push(`    ${t('transcriptModel')}: ${model}`);
    }
    return lines.join('\n') + '\n';
  }

  /** A download file name such as "gesprek-2026-11-28.txt" (no personal data in it). */
  function transcriptFileName(locale, nowIso) {
    return `${translate(STRINGS, locale, 'transcriptFile')}-${String(nowIso).slice(0, 10)}.txt`;
  }

  /**
   * The file name of a signed withdrawal acknowledgement (ACC-04): the same name the server
   * gives it, so a saved copy is recognisable whichever way it was downloaded.
   */
  function receiptFileName(locale, conversationId, seq) {
    const id = String(conversationId || '').replace(/[^A-Za-z0-9-]/g, '');
    return `${translate(STRINGS, locale, 'receiptFile')}-${id}-${Number.parseInt(seq, 10) || 0}.txt`;
  }

  /**
   * Validates the callback form. Returns {body, errors}: errors maps a field name to a string key,
   * and body is the JSON to post (empty fields left out) when there are no errors.
   */
  function validateCallback(fields) {
    const trimmed = {};
    for (const name of ['name', 'phone', 'email', 'preferred_time', 'note']) {
      trimmed[name] = typeof fields[name] === 'string' ? fields[name].trim() : '';
    }
    const errors = {};
    if (!trimmed.phone && !trimmed.email) {
      errors.phone = 'errPhoneOrEmail';
      errors.email = 'errPhoneOrEmail';
    }
    if (trimmed.phone) {
      const digits = trimmed.phone.replace(/\D/g, '');
      if (!/^\+?[\d\s().-]+$/.test(trimmed.phone) || digits.length < 6 || digits.length > 15) {
        errors.phone = 'errPhone';
      }
    }
    if (trimmed.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed.email)) {
      errors.email = 'errEmail';
    }
    for (const name of Object.keys(trimmed)) {
      if (trimmed[name].length > MAX_CALLBACK_FIELD_CHARS && !errors[name]) {
        errors[name] = 'errTooLongField';
      }
    }
    if (Object.keys(errors).length > 0) return { body: null, errors };
    const body = {};
    for (const name of Object.keys(trimmed)) if (trimmed[name]) body[name] = trimmed[name];
    return { body, errors };
  }

  /**
   * Which status line the widget shows. `busy` is what is in flight ("sending", "handoff",
   * "starting" or ""). Returns {key, params} for translate, or null for no status.
   */
  function statusFor(state, busy, messages) {
    if (busy === 'starting') return { key: 'starting' };
    if (busy === 'handoff') return { key: 'handoffSending' };
    if (busy === 'erasing') return { key: 'erasing' };
    if (busy === 'sending') return { key: state === 'bot' ? 'generating' : 'sending' };
    if (state === 'waiting_for_agent') {
      const position = waitingPosition(messages);
      return position === null ? { key: 'waiting' } : { key: 'waitingPosition', params: { position } };
    }
    if (state === 'with_agent') return { key: 'withAgent' };
    if (state === 'closed') return { key: 'closed' };
    return null;
  }

  /**
   * Which header label is true for a conversation state (DIS-02): the AI label whenever the AI
   * assistant answers (also while waiting for a person), and the person label only while a person
   * has taken over, so the header never says "geen medewerker" while a medewerker is writing.
   */
  function badgeKeyFor(state) {
    return state === 'with_agent' ? 'badgeAgent' : 'badge';
  }

  /**
   * The panel's heading, which is also the dialog's accessible name: the AI assistant's name, and
   * "Chat met een medewerker" while a person has taken over, so a screen reader entering the chat
   * never hears the assistant's name for a person's conversation (DIS-02, A11Y-02). `null` keeps
   * the configured name.
   */
  function titleKeyFor(state) {
    return state === 'with_agent' ? 'titleAgent' : null;
  }

  /** Reconnection delay for the live stream: 1 s, 2 s, 4 s … capped at 30 s. */
  function reconnectDelayMs(attempt) {
    return Math.min(30000, 1000 * 2 ** Math.max(0, attempt));
  }

  /** The error text key for a failed API call, from its HTTP status and error code. */
  function errorKeyFor(status, code, fallbackKey) {
    if (status === 429 || code === 'rate_limited') return 'errorRateLimited';
    // A legal hold or a statutory retention period keeps the data (GDPR art. 17(3)): trying again
    // does not help, so this has its own text and no retry.
    if (code === 'legal_hold' || code === 'statutory_retention') return 'errorEraseKept';
    if (status === 413 || /too_long|too_large/.test(code || '')) return 'errorTooLong';
    return fallbackKey;
  }

  const lib = {
    STRINGS,
    MAX_MESSAGE_CHARS,
    POLL_INTERVAL_MS,
    resolveLocale,
    primaryLanguage,
    translate,
    resolveApiBase,
    apiUrl,
    createSseParser,
    mergeMessages,
    maxSeq,
    waitingPosition,
    messageLangAttribute,
    safeHref,
    suggestionsOf,
    modelOf,
    transcriptText,
    transcriptFileName,
    receiptFileName,
    validateCallback,
    statusFor,
    badgeKeyFor,
    titleKeyFor,
    reconnectDelayMs,
    errorKeyFor,
  };

  // ---------------------------------------------------------------------------------------------
  // 3. The widget (browser only)
  // ---------------------------------------------------------------------------------------------

  /** An API failure with the HTTP status and the server's stable error code. */
  class ApiError extends Error {
    constructor(status, code) {
      super(`api error ${status} ${code}`);
      this.status = status;
      this.code = code;
    }
  }

  /** Creates an element with attributes and optional text content (never HTML). */
  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function uniqueId(prefix) {
    return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  }

  function startWidget(script) {
    const locale = resolveLocale(script.getAttribute('data-locale'), document.documentElement.lang);
    const apiBase = resolveApiBase(script.getAttribute('data-api'), script.src, location.href);
    const assetBase = new URL('.', script.src || location.href).href;
    const storageKey = `loket:conversation:${apiBase}`;
    const t = (key, params) => translate(STRINGS, locale, key, params);

    const state = {
      config: null,
      configRequested: false,
      conversation: null, // {id, token, state, locale}
      messages: [],
      busy: '',
      started: false,
      liveAbort: null,
      streamFailures: 0,
      polling: false,
      liveTimer: 0,
      pendingBubble: null,
      draftBubble: null,
      startPromise: null,
      lastAnnouncedRemaining: null,
      retryAction: null,
    };

    // Stylesheet from the script's own origin (no external URLs).
    if (!document.querySelector('link[data-loket-style]')) {
      document.head.appendChild(
        element('link', { rel: 'stylesheet', href: new URL('widget.css', assetBase).href, 'data-loket-style': true }),
      );
    }

    // --- DOM -----------------------------------------------------------------------------------
    const ids = {
      panel: uniqueId('loket-panel'),
      title: uniqueId('loket-title'),
      badge: uniqueId('loket-badge'),
      input: uniqueId('loket-input'),
      inputHint: uniqueId('loket-input-hint'),
      counter: uniqueId('loket-counter'),
      download: uniqueId('loket-download-hint'),
      callbackTitle: uniqueId('loket-callback-title'),
      unread: uniqueId('loket-unread'),
    };

    const root = element('div', { class: 'loket-root', lang: locale, 'data-testid': 'loket-root' });

    const launcher = element('button', {
      type: 'button',
      class: 'loket-launcher',
      'aria-label': t('launcher'),
      'aria-expanded': 'false',
      'aria-controls': ids.panel,
      'data-testid': 'loket-launcher',
    });
    launcher.appendChild(chatIcon());
    launcher.appendChild(element('span', { class: 'loket-launcher-text' }, t('launcherShort')));
    // While the panel is closed, new messages from a person or the system mark the launcher. The
    // mark is a description, so the launcher's accessible name stays the same.
    const unreadNote = element('span', { id: ids.unread, class: 'loket-visually-hidden', 'data-testid': 'loket-unread' });
    launcher.appendChild(element('span', { class: 'loket-unread-dot', 'aria-hidden': 'true' }));

    const panel = element('section', {
      id: ids.panel,
      class: 'loket-panel',
      role: 'dialog',
      'aria-modal': 'false',
      'aria-labelledby': ids.title,
      'aria-describedby': ids.badge,
      'data-testid': 'loket-panel',
      hidden: true,
    });

    const header = element('div', { class: 'loket-header' });
    const headerTop = element('div', { class: 'loket-header-top' });
    const titleBox = element('div', { class: 'loket-title-box' });
    const title = element('h2', { id: ids.title, class: 'loket-title', 'data-testid': 'loket-title' }, t('title'));
    const badge = element('p', { id: ids.badge, class: 'loket-badge', 'data-testid': 'loket-badge' }, t('badge'));
    titleBox.append(title, badge);
    const closeButton = element('button', {
      type: 'button',
      class: 'loket-icon-button loket-close',
      'aria-label': t('close'),
      title: t('close'),
      'data-testid': 'loket-close',
    });
    closeButton.appendChild(closeIcon());
    headerTop.append(titleBox, closeButton);

    const contactNav = element('nav', { class: 'loket-contact', 'aria-label': t('contactNav'), 'data-testid': 'loket-contact' });
    const contactList = element('ul', { class: 'loket-contact-list' });
    contactNav.appendChild(contactList);
    header.append(headerTop, contactNav);

    const statusLine = element('p', { class: 'loket-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'loket-status' });
    const log = element('div', {
      class: 'loket-log',
      role: 'log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': t('logLabel'),
      tabindex: '0',
      'data-testid': 'loket-log',
    });
    const alertBox = element('div', { class: 'loket-alert', role: 'alert', 'data-testid': 'loket-alert' });

    const callbackBox = element('section', {
      class: 'loket-callback',
      'aria-labelledby': ids.callbackTitle,
      'data-testid': 'loket-callback',
      hidden: true,
    });

    const actions = element('div', { class: 'loket-actions' });
    const humanButton = element('button', { type: 'button', class: 'loket-human', 'data-testid': 'loket-human' }, t('human'));
    const downloadButton = element('button', {
      type: 'button',
      class: 'loket-secondary loket-download',
      'aria-describedby': ids.download,
      'data-testid': 'loket-download',
    }, t('download'));
    const downloadHint = element('p', { id: ids.download, class: 'loket-visually-hidden' }, t('downloadHint'));
    const eraseButton = element('button', {
      type: 'button',
      class: 'loket-secondary loket-erase',
      'data-testid': 'loket-erase',
    }, t('erase'));
    actions.append(humanButton, downloadButton, downloadHint, eraseButton);
    // Erasure asks first, in the page rather than in a browser dialog, so screen-reader users
    // hear the question and the two answers in order (GDPR art. 17 self-service).
    const eraseConfirm = element('div', {
      class: 'loket-erase-confirm',
      role: 'group',
      'aria-label': t('erase'),
      'data-testid': 'loket-erase-confirm',
      hidden: true,
    });
    const eraseQuestion = element('p', { class: 'loket-hint' }, t('eraseQuestion'));
    const eraseYes = element('button', { type: 'button', class: 'loket-human', 'data-testid': 'loket-erase-yes' }, t('eraseYes'));
    const eraseNo = element('button', { type: 'button', class: 'loket-secondary', 'data-testid': 'loket-erase-no' }, t('eraseNo'));
    eraseConfirm.append(eraseQuestion, eraseYes, eraseNo);
    actions.appendChild(eraseConfirm);

    const composer = element('form', { class: 'loket-composer', 'data-testid': 'loket-composer', novalidate: true });
    const inputLabel = element('label', { for: ids.input, class: 'loket-input-label' }, t('inputLabel'));
    const input = element('textarea', {
      id: ids.input,
      class: 'loket-input',
      rows: '2',
      maxlength: String(MAX_MESSAGE_CHARS),
      'aria-describedby': `${ids.inputHint} ${ids.counter}`,
      autocomplete: 'off',
      'data-testid': 'loket-input',
    });
    const inputRow = element('div', { class: 'loket-input-row' });
    const sendButton = element('button', { type: 'submit', class: 'loket-send', 'data-testid': 'loket-send' }, t('send'));
    inputRow.append(input, sendButton);
    const composerFoot = element('div', { class: 'loket-composer-foot' });
    const inputHint = element('p', { id: ids.inputHint, class: 'loket-hint' }, t('inputHint'));
    const counter = element('p', { id: ids.counter, class: 'loket-counter', 'data-testid': 'loket-counter' });
    const counterAnnouncer = element('p', { class: 'loket-visually-hidden', 'aria-live': 'polite', 'data-testid': 'loket-counter-live' });
    composerFoot.append(inputHint, counter);
    composer.append(inputLabel, inputRow, composerFoot, counterAnnouncer);

    panel.append(header, log, statusLine, alertBox, callbackBox, actions, composer);
    // The launcher comes first in the DOM so Tab moves from it into the panel it controls.
    root.append(launcher, unreadNote, panel);
    document.body.appendChild(root);
    updateCounter();
    renderContact();

    // --- opening and closing -------------------------------------------------------------------
    function open() {
      if (!panel.hidden) {
        input.focus();
        return;
      }
      panel.hidden = false;
      root.classList.add('loket-is-open');
      setUnread(false);
      launcher.setAttribute('aria-expanded', 'true');
      input.focus();
      loadConfig();
      if (!state.started) {
        state.started = true;
        startConversation();
      }
    }

    function close() {
      if (panel.hidden) return;
      panel.hidden = true;
      root.classList.remove('loket-is-open');
      launcher.setAttribute('aria-expanded', 'false');
      launcher.focus();
    }

    launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
    closeButton.addEventListener('click', close);
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        close();
      }
    });

    function setUnread(unread) {
      root.classList.toggle('loket-has-unread', unread);
      unreadNote.textContent = unread ? t('unread') : '';
      if (unread) launcher.setAttribute('aria-describedby', ids.unread);
      else launcher.removeAttribute('aria-describedby');
    }

    // --- network -------------------------------------------------------------------------------
    async function request(method, path, body, withToken) {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (withToken && state.conversation) headers.Authorization = `Bearer ${state.conversation.token}`;
      const response = await fetch(apiUrl(apiBase, path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
      });
      let payload = null;
      const text = await response.text();
      if (text) {
        try {
          payload = JSON.parse(text);
        } catch (_error) {
          payload = null;
        }
      }
      if (!response.ok) throw new ApiError(response.status, payload && payload.code);
      return payload;
    }

    function conversationPath(suffix) {
      return `api/v1/conversations/${encodeURIComponent(state.conversation.id)}${suffix}`;
    }

    /**
     * Applies the configured colours (validated for WCAG contrast by the server at startup) as
     * the widget's custom properties. Only #rrggbb values are taken.
     */
    function applyTheme(target, theme) {
      if (!theme || typeof theme !== 'object') return;
      const properties = {
        primary: ['--loket-primary'],
        on_primary: ['--loket-on-primary', '--loket-customer-text'],
        surface: ['--loket-surface'],
        text: ['--loket-text'],
        link: ['--loket-link'],
      };
      for (const [key, names] of Object.entries(properties)) {
        const value = theme[key];
        if (typeof value !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(value)) continue;
        for (const name of names) target.style.setProperty(name, value);
      }
    }

    async function loadConfig() {
      if (state.configRequested) return;
      state.configRequested = true;
      try {
        state.config = await request('GET', `api/v1/widget/config?locale=${encodeURIComponent(locale)}`);
        renderTitle();
        applyTheme(root, state.config && state.config.theme);
        renderContact();
      } catch (_error) {
        // Allow a later open to try again; the person button and errors work without config.
        state.configRequested = false;
      }
    }

    function readStored() {
      try {
        const raw = sessionStorage.getItem(storageKey);
        if (!raw) return null;
        const parsed = JSON.parse(raw);
        return parsed && typeof parsed.id === 'string' && typeof parsed.token === 'string' ? parsed : null;
      } catch (_error) {
        return null;
      }
    }

    function writeStored(value) {
      try {
        if (value) sessionStorage.setItem(storageKey, JSON.stringify(value));
        else sessionStorage.removeItem(storageKey);
      } catch (_error) {
        // Storage can be disabled; the conversation then simply does not survive a reload.
      }
    }

    /**
     * Resumes the stored conversation, or creates a new one. Concurrent callers (open, a quick
     * first message, the person button) share one attempt so only one conversation is created.
     */
    function startConversation() {
      if (!state.startPromise) {
        state.startPromise = runStart().finally(() => {
          state.startPromise = null;
        });
      }
      return state.startPromise;
    }

    async function runStart() {
      setBusy('starting');
      clearError();
      try {
        const stored = readStored();
        if (stored) {
          state.conversation = { id: stored.id, token: stored.token, state: 'bot', locale };
          try {
            const answer = await request('GET', conversationPath(''), undefined, true);
            applyAnswer(answer);
            startLive();
            return;
          } catch (error) {
            if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 404)) throw error;
            writeStored(null);
            resetConversation();
          }
        }
        await createConversation();
      } catch (_error) {
        state.started = false;
        showError('errorStart', () => {
          state.started = true;
          startConversation();
        });
      } finally {
        endBusy('starting');
      }
    }

    async function createConversation() {
      // A customer logged in on the company's site: the page passes a short-lived signed identity
      // token, so the conversation may use customer knowledge and the customer can export it.
      const identity = script.getAttribute('data-identity');
      const body = identity ? { locale, identity } : { locale };
      const answer = await request('POST', 'api/v1/conversations', body);
      state.conversation = { id: answer.id, token: answer.token, state: answer.state, locale: answer.locale };
      writeStored({ id: answer.id, token: answer.token });
      applyAnswer(answer);
      startLive();
    }

    function resetConversation() {
      stopLive();
      state.conversation = null;
      state.messages = [];
      log.textContent = '';
      callbackBox.hidden = true;
      callbackBox.textContent = '';
    }

    /** A conversation that accepts messages: the current one, or a new one if none or closed. */
    async function ensureOpenConversation() {
      if (state.startPromise) await state.startPromise;
      if (state.conversation && state.conversation.state !== 'closed') return;
      writeStored(null);
      resetConversation();
      await createConversation();
    }

    /** Applies a {state, messages} answer from any endpoint; `live` marks news, not history. */
    function applyAnswer(answer, live) {
      if (!answer) return;
      if (Array.isArray(answer.messages)) addMessages(answer.messages, live);
      if (typeof answer.state === 'string') setConversationState(answer.state);
    }

    function renderTitle() {
      const key = titleKeyFor(state.conversation && state.conversation.state);
      const name = state.config && typeof state.config.bot_name === 'string' && state.config.bot_name;
      title.textContent = key ? t(key) : name || t('title');
    }

    function setConversationState(next) {
      if (!state.conversation) return;
      state.conversation.state = next;
      root.setAttribute('data-state', next);
      badge.textContent = t(badgeKeyFor(next));
      renderTitle();
      renderClosedNotice();
      renderStatus();
      if (next === 'closed') stopLive();
    }

    // --- live updates --------------------------------------------------------------------------
    function startLive() {
      stopLive();
      if (!state.conversation || state.conversation.state === 'closed') return;
      state.streamFailures = 0;
      state.polling = false;
      openStream();
    }

    function stopLive() {
      if (state.liveAbort) state.liveAbort.abort();
      state.liveAbort = null;
      clearTimeout(state.liveTimer);
    }

    function scheduleLive(run, delay) {
      clearTimeout(state.liveTimer);
      state.liveTimer = setTimeout(run, delay);
    }

    async function openStream() {
      const conversation = state.conversation;
      if (!conversation || conversation.state === 'closed') return;
      const controller = new AbortController();
      state.liveAbort = controller;
      let receivedAnything = false;
      try {
        const response = await fetch(apiUrl(apiBase, `${conversationPath('/stream')}?after=${maxSeq(state.messages)}`), {
          headers: { Authorization: `Bearer ${conversation.token}`, Accept: 'text/event-stream' },
          signal: controller.signal,
          credentials: 'omit',
          cache: 'no-store',
        });
        if (response.status === 401 || response.status === 404) {
          lostConversation();
          return;
        }
        if (!response.ok || !response.body) throw new ApiError(response.status, null);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        const parser = createSseParser((event) => {
          receivedAnything = true;
          handleStreamEvent(event);
        });
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(decoder.decode(value, { stream: true }));
          if (value && value.length > 0) receivedAnything = true;
        }
        parser.end();
      } catch (_error) {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted || state.conversation !== conversation) return;
      state.streamFailures = receivedAnything ? 0 : state.streamFailures + 1;
      if (state.streamFailures >= STREAM_FAILURES_BEFORE_POLLING) {
        state.polling = true;
        scheduleLive(poll, POLL_INTERVAL_MS);
      } else {
        const reconnectDelay = reconnectDelayMs(state.streamFailures);
        scheduleLive(openStream, reconnectDelay);
      }
    }

    function handleStreamEvent(event) {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch (_error) {
        return;
      }
      if (event.event === 'message') addMessages([data], true);
      else if (event.event === 'draft' && data) showDraft(typeof data.text === 'string' ? data.text : null);
      else if (event.event === 'state' && data && typeof data.state === 'string') setConversationState(data.state);
    }

    async function poll() {
      const conversation = state.conversation;
      if (!conversation || conversation.state === 'closed' || !state.polling) return;
      try {
        const answer = await request('GET', `${conversationPath('/messages')}?after=${maxSeq(state.messages)}`, undefined, true);
        if (state.conversation === conversation) applyAnswer(answer, true);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
          lostConversation();
          return;
        }
      }
      if (state.conversation === conversation && state.polling) scheduleLive(poll, POLL_INTERVAL_MS);
    }

    /** The server no longer knows the conversation (expired or erased): start afresh when asked. */
    function lostConversation() {
      writeStored(null);
      if (state.conversation) setConversationState('closed');
    }

    // --- rendering -----------------------------------------------------------------------------
    function addMessages(incoming, live) {
      const { messages, added } = mergeMessages(state.messages, incoming);
      if (added.length === 0) return;
      const previousLast = maxSeq(state.messages);
      state.messages = messages;
      for (const message of added) {
        if (message.author === 'customer') removePendingBubble(message.text);
        if (message.author === 'ai') showDraft(null);
        const bubble = renderMessage(message);
        if (message.seq > previousLast) {
          log.appendChild(bubble);
        } else {
          // Out-of-order arrival: insert before the first bubble with a higher seq.
          const later = Array.from(log.querySelectorAll('[data-seq]')).find((node) => Number(node.getAttribute('data-seq')) > message.seq);
          log.insertBefore(bubble, later || null);
        }
        if (live && panel.hidden && (message.author === 'agent' || message.author === 'system')) setUnread(true);
        if (message.kind === 'unavailable') showCallbackForm();
        if (message.kind === 'ticket') hideCallbackForm();
      }
      renderStatus();
      log.scrollTop = log.scrollHeight;
    }

    function renderMessage(message) {
      const bubble = element('div', {
        class: `loket-msg loket-msg--${authorClass(message.author)} loket-kind--${String(message.kind || 'text').replace(/[^a-z_]/g, '')}`,
        'data-seq': message.seq,
        'data-author': message.author,
        'data-kind': message.kind,
        'data-testid': 'loket-message',
        lang: messageLangAttribute(message.lang, locale),
      });
      const label = message.author_label || (message.author === 'customer' ? t('you') : message.author);
      bubble.appendChild(element('p', { class: 'loket-msg-author', 'data-testid': 'loket-message-author' }, label));
      bubble.appendChild(element('p', { class: 'loket-msg-text', 'data-testid': 'loket-message-text' }, message.text || ''));
      const citations = (message.citations || []).filter((citation) => citation && safeHref(citation.url, location.href));
      if (citations.length > 0) {
        const list = element('ul', { class: 'loket-citations', 'aria-label': t('sources'), 'data-testid': 'loket-citations' });
        for (const citation of citations) {
          const item = element('li');
          item.appendChild(element('a', {
            href: safeHref(citation.url, location.href),
            class: 'loket-citation',
            'data-testid': 'loket-citation',
          }, citation.title || citation.url));
          list.appendChild(item);
        }
        bubble.appendChild(list);
      }
      if (message.author === 'ai' && message.kind === 'answer' && Number.isInteger(message.seq)) {
        bubble.appendChild(renderFeedback(message.seq));
      }
      if (message.kind === 'withdrawal_receipt' && Number.isInteger(message.seq)) {
        // The acknowledgement of a withdrawal statement, as a signed copy to keep (ACC-04).
        const button = element('button', { type: 'button', class: 'loket-secondary loket-receipt', 'data-testid': 'loket-receipt' }, t('receiptDownload'));
        button.addEventListener('click', () => downloadReceipt(message.seq, button));
        bubble.appendChild(button);
      }
      const suggestions = suggestionsOf(message);
      if (suggestions.length > 0) {
        // Approved questions near the customer's: picking one sends it as the next message, which
        // its own entry answers. A labelled group of ordinary buttons, so a screen reader announces
        // the question with the abstention and Tab reaches each choice.
        const intro = element('p', { class: 'loket-suggestions-intro', id: `loket-suggestions-${message.seq}` }, t('suggestions'));
        const group = element('div', {
          class: 'loket-suggestions',
          role: 'group',
          'aria-labelledby': `loket-suggestions-${message.seq}`,
          'data-testid': 'loket-suggestions',
        });
        group.appendChild(intro);
        const list = element('ul', { class: 'loket-suggestion-list' });
        for (const suggestion of suggestions) {
          const item = element('li');
          const button = element('button', { type: 'button', class: 'loket-secondary loket-suggestion', 'data-testid': 'loket-suggestion' }, suggestion.question);
          button.addEventListener('click', () => sendMessage(suggestion.question));
          item.appendChild(button);
          list.appendChild(item);
        }
        group.appendChild(list);
        bubble.appendChild(group);
      }
      if (message.offers_human) bubble.appendChild(inlinePersonButton());
      const created = new Date(message.created_at);
      if (!Number.isNaN(created.getTime())) {
        bubble.appendChild(element('time', { class: 'loket-msg-time', datetime: message.created_at },
          created.toLocaleString(locale === 'nl' ? 'nl-NL' : 'en-GB', { hour: '2-digit', minute: '2-digit' })));
      }
      return bubble;
    }

    /**
     * "Klopte dit antwoord?" with Yes and No (ACC-09). The rating is stored by the server as an
     * audit record without text; once given (or given before, 409), the buttons make way for a
     * thank-you that the log announces.
     */
    function renderFeedback(seq) {
      const question = element('p', { class: 'loket-feedback-question', id: `loket-feedback-${seq}` }, t('feedbackQuestion'));
      const group = element('div', {
        class: 'loket-feedback',
        role: 'group',
        'aria-labelledby': `loket-feedback-${seq}`,
        'data-testid': 'loket-feedback',
      });
      group.appendChild(question);
      const thank = (helpful) => {
        // The button that had focus goes away: focus moves to the thank-you, which is read out.
        const thanks = element('p', { class: 'loket-feedback-thanks', tabindex: '-1', 'data-testid': 'loket-feedback-thanks' },
          t(helpful ? 'feedbackThanks' : 'feedbackThanksNo'));
        // The question stays as the group's name; the buttons make way for the thank-you.
        group.replaceChildren(question, thanks);
        // A wrong answer is a reason to talk to a person: the control is right here too.
        if (!helpful) group.appendChild(inlinePersonButton());
        thanks.focus();
      };
      for (const helpful of [true, false]) {
        const button = element('button', {
          type: 'button',
          class: 'loket-secondary loket-feedback-button',
          'data-testid': helpful ? 'loket-feedback-yes' : 'loket-feedback-no',
        }, t(helpful ? 'feedbackYes' : 'feedbackNo'));
        button.addEventListener('click', async () => {
          for (const other of group.querySelectorAll('button')) other.disabled = true;
          try {
            await request('POST', conversationPath(`/messages/${seq}/feedback`), { helpful }, true);
            thank(helpful);
          } catch (error) {
            if (error.status === 409) {
              thank(helpful);
              return;
            }
            for (const other of group.querySelectorAll('button')) other.disabled = false;
            showError(errorKeyFor(error.status, error.code, 'errorSend'));
          }
        });
        group.appendChild(button);
      }
      return group;
    }

    /** "Praat met een medewerker" inside a message, doing what the header control does. */
    function inlinePersonButton() {
      const button = element('button', { type: 'button', class: 'loket-human loket-human--inline', 'data-testid': 'loket-human-inline' }, t('human'));
      button.addEventListener('click', requestHuman);
      return button;
    }

    function authorClass(author) {
      return ['ai', 'agent', 'customer', 'system'].includes(author) ? author : 'system';
    }

    function addPendingBubble(text) {
      removePendingBubble();
      const bubble = element('div', { class: 'loket-msg loket-msg--customer loket-msg--pending', 'data-testid': 'loket-message-pending' });
      bubble.appendChild(element('p', { class: 'loket-msg-author' }, `${t('you')} (${t('pending')})`));
      bubble.appendChild(element('p', { class: 'loket-msg-text' }, text));
      state.pendingBubble = { node: bubble, text };
      log.appendChild(bubble);
      log.scrollTop = log.scrollHeight;
    }

    /**
     * The verified part of an answer a model is still writing: every sentence in it passed the
     * grounding verifier and the output guard on the server. It is not a message yet: it is
     * labelled as still being written, hidden from screen readers (the stored answer that follows
     * is announced once, in full), and replaced by that answer or withdrawn (`null`).
     */
    function showDraft(text) {
      if (!text) {
        if (state.draftBubble) state.draftBubble.remove();
        state.draftBubble = null;
        return;
      }
      if (!state.draftBubble) {
        const name = (state.config && state.config.bot_name) || 'AI';
        const bubble = element('div', {
          class: 'loket-msg loket-msg--ai loket-msg--draft',
          'aria-hidden': 'true',
          'data-author': 'ai',
          'data-testid': 'loket-message-draft',
        });
        bubble.appendChild(element('p', { class: 'loket-msg-author' }, `${name} (${t('drafting')})`));
        bubble.appendChild(element('p', { class: 'loket-msg-text', 'data-testid': 'loket-draft-text' }, ''));
        state.draftBubble = bubble;
        log.appendChild(bubble);
      }
      state.draftBubble.querySelector('.loket-msg-text').textContent = text;
      log.scrollTop = log.scrollHeight;
    }

    function removePendingBubble(matchingText) {
      const pending = state.pendingBubble;
      if (!pending) return;
      if (matchingText !== undefined && matchingText !== pending.text) return;
      pending.node.remove();
      state.pendingBubble = null;
    }

    function renderStatus() {
      const status = statusFor(state.conversation ? state.conversation.state : 'bot', state.busy, state.messages);
      statusLine.textContent = status ? t(status.key, status.params) : '';
    }

    function renderClosedNotice() {
      const existing = panel.querySelector('.loket-restart');
      const closed = state.conversation && state.conversation.state === 'closed';
      if (!closed) {
        if (existing) existing.remove();
        return;
      }
      if (existing) return;
      const restart = element('button', { type: 'button', class: 'loket-secondary loket-restart', 'data-testid': 'loket-restart' }, t('newConversation'));
      restart.addEventListener('click', async () => {
        restart.remove();
        writeStored(null);
        resetConversation();
        state.started = true;
        await startConversation();
        input.focus();
      });
      actions.insertBefore(restart, actions.firstChild);
    }

    function renderContact() {
      contactList.textContent = '';
      const contact = (state.config && state.config.contact) || {};
      const fallbackUrl = script.getAttribute('data-contact-url');
      if (contact.phone) {
        const item = element('li');
        item.appendChild(element('a', { href: `tel:${String(contact.phone).replace(/[^\d+]/g, '')}`, 'data-testid': 'loket-contact-phone' }, t('callUs', { phone: contact.phone })));
        if (contact.phone_hours) item.appendChild(element('span', { class: 'loket-contact-note' }, ` (${contact.phone_hours})`));
        contactList.appendChild(item);
      }
      if (contact.email) {
        const item = element('li');
        item.appendChild(element('a', { href: `mailto:${contact.email}`, 'data-testid': 'loket-contact-email' }, t('mailUs', { email: contact.email })));
        if (contact.email_response) item.appendChild(element('span', { class: 'loket-contact-note' }, ` (${contact.email_response})`));
        contactList.appendChild(item);
      }
      const pageUrl = safeHref(contact.contact_url || fallbackUrl, location.href);
      if (pageUrl) {
        const item = element('li');
        item.appendChild(element('a', { href: pageUrl, 'data-testid': 'loket-contact-page' }, t('contactPage')));
        contactList.appendChild(item);
      }
      const privacyUrl = safeHref(state.config && state.config.privacy_url, location.href);
      if (privacyUrl) {
        const item = element('li');
        item.appendChild(element('a', { href: privacyUrl, 'data-testid': 'loket-privacy' }, t('privacy')));
        contactList.appendChild(item);
      }
      // "Over deze chat": what the assistant is, reaching a person, privacy, complaints and
      // accessibility, generated by the server from its configuration (PRIV-02, GOV-08, GOV-10).
      const aboutItem = element('li');
      aboutItem.appendChild(element('a', { href: apiUrl(apiBase, `/about?locale=${locale}`), 'data-testid': 'loket-about' }, t('about')));
      contactList.appendChild(aboutItem);
      contactNav.hidden = contactList.childElementCount === 0;
    }

    function setBusy(busy) {
      state.busy = busy;
      renderStatus();
    }

    /** Clears the busy status only if no later action has replaced it. */
    function endBusy(busy) {
      if (state.busy === busy) setBusy('');
    }

    // --- errors --------------------------------------------------------------------------------
    function showError(key, retry, params) {
      alertBox.textContent = '';
      state.retryAction = retry || null;
      // Kept data: the text itself says whom to ask; "try again" would mislead.
      const text = key === 'errorEraseKept' ? t(key, params) : `${t(key, params)} ${t('retryHint')}`;
      alertBox.appendChild(element('p', { class: 'loket-alert-text' }, text));
      if (retry) {
        const retryButton = element('button', { type: 'button', class: 'loket-secondary', 'data-testid': 'loket-retry' }, t('retry'));
        retryButton.addEventListener('click', () => {
          clearError();
          retry();
        });
        alertBox.appendChild(retryButton);
      }
      root.classList.add('loket-has-error');
    }

    function clearError() {
      alertBox.textContent = '';
      state.retryAction = null;
      root.classList.remove('loket-has-error');
    }

    // --- sending -------------------------------------------------------------------------------
    function updateCounter() {
      const count = input.value.length;
      counter.textContent = t('counter', { count, max: MAX_MESSAGE_CHARS });
      const remaining = MAX_MESSAGE_CHARS - count;
      const threshold = COUNTER_ANNOUNCE_AT.find((limit) => remaining <= limit && remaining > limit - 10);
      if (threshold !== undefined && state.lastAnnouncedRemaining !== threshold) {
        state.lastAnnouncedRemaining = threshold;
        counterAnnouncer.textContent = t('counterRemaining', { remaining });
      } else if (threshold === undefined) {
        state.lastAnnouncedRemaining = null;
      }
      root.classList.toggle('loket-near-limit', remaining <= 100);
    }

    input.addEventListener('input', updateCounter);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendMessage();
      }
    });
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      sendMessage();
    });

    /**
     * Sends what the customer typed, or `preset` (a suggested question they picked), which leaves
     * whatever they were typing in the input alone.
     */
    async function sendMessage(preset) {
      if (state.busy === 'sending') return;
      const typed = typeof preset !== 'string';
      const text = typed ? input.value.trim() : preset.trim();
      if (!text) {
        showError('errorEmpty');
        return;
      }
      if (text.length > MAX_MESSAGE_CHARS) {
        showError('errorTooLong', null, { max: MAX_MESSAGE_CHARS });
        return;
      }
      clearError();
      if (typed) {
        input.value = '';
        updateCounter();
      }
      addPendingBubble(text);
      setBusy('sending');
      try {
        await ensureOpenConversation();
        const answer = await request('POST', conversationPath('/messages'), { text }, true);
        removePendingBubble();
        applyAnswer(answer);
      } catch (error) {
        removePendingBubble();
        showDraft(null);
        if (typed && !input.value) {
          input.value = text;
          updateCounter();
        }
        const key = errorKeyFor(error.status, error.code, 'errorSend');
        const retry = typed ? () => sendMessage() : () => sendMessage(text);
        showError(key, key === 'errorSend' ? retry : null, { max: MAX_MESSAGE_CHARS });
      } finally {
        endBusy('sending');
      }
    }

    async function requestHuman() {
      if (state.busy === 'handoff') return;
      clearError();
      setBusy('handoff');
      try {
        await ensureOpenConversation();
        const answer = await request('POST', conversationPath('/handoff'), {}, true);
        applyAnswer(answer);
      } catch (error) {
        showError(errorKeyFor(error.status, error.code, 'errorHandoff'), requestHuman);
      } finally {
        endBusy('handoff');
      }
    }

    humanButton.addEventListener('click', requestHuman);
    downloadButton.addEventListener('click', downloadTranscript);
    eraseButton.addEventListener('click', () => {
      eraseConfirm.hidden = false;
      eraseNo.focus();
    });
    eraseNo.addEventListener('click', () => {
      eraseConfirm.hidden = true;
      eraseButton.focus();
    });
    eraseYes.addEventListener('click', eraseConversation);

    async function eraseConversation() {
      eraseConfirm.hidden = true;
      if (state.startPromise) await state.startPromise;
      if (!state.conversation) {
        statusLine.textContent = t('erased');
        return;
      }
      setBusy('erasing');
      clearError();
      try {
        await request('DELETE', conversationPath(''), undefined, true);
      } catch (error) {
        // Already gone (erased elsewhere or expired): the outcome the customer asked for.
        if (!(error instanceof ApiError) || error.status !== 404) {
          const key = errorKeyFor(error.status, error.code, 'errorErase');
          showError(key, key === 'errorEraseKept' ? null : eraseConversation);
          endBusy('erasing');
          return;
        }
      }
      writeStored(null);
      resetConversation();
      endBusy('erasing');
      statusLine.textContent = t('erased');
      input.focus();
    }

    /** Saves the signed acknowledgement at `seq` as the text file the server makes of it. */
    async function downloadReceipt(seq, button) {
      clearError();
      try {
        const response = await fetch(apiUrl(apiBase, `${conversationPath(`/messages/${seq}/receipt`)}?format=text`), {
          headers: { Accept: 'text/plain', Authorization: `Bearer ${state.conversation.token}` },
          credentials: 'omit',
        });
        if (!response.ok) throw new ApiError(response.status, null);
        saveText(await response.text(), receiptFileName(locale, state.conversation.id, seq));
      } catch (error) {
        showError(errorKeyFor(error.status, error.code, 'errorReceipt'), () => downloadReceipt(seq, button));
      }
    }

    function saveText(text, fileName) {
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
      const link = element('a', { href: url, download: fileName, hidden: true });
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    }

    function downloadTranscript() {
      const now = new Date().toISOString();
      const text = transcriptText(state.messages, {
        locale,
        company: state.config && state.config.company,
        conversationId: state.conversation && state.conversation.id,
        downloadedAt: now,
      });
      saveText(text, transcriptFileName(locale, now));
    }

    // --- callback form (shown when nobody can take over) ---------------------------------------
    function showCallbackForm() {
      if (!callbackBox.hidden && callbackBox.firstChild) return;
      callbackBox.textContent = '';
      callbackBox.appendChild(element('h3', { id: ids.callbackTitle, class: 'loket-callback-title' }, t('callbackTitle')));
      callbackBox.appendChild(element('p', { class: 'loket-hint' }, t('callbackIntro')));
      const alternatives = contactList.cloneNode(true);
      alternatives.classList.add('loket-callback-alternatives');
      for (const link of alternatives.querySelectorAll('[data-testid]')) {
        link.setAttribute('data-testid', `${link.getAttribute('data-testid')}-callback`);
      }
      if (alternatives.childElementCount > 0) callbackBox.appendChild(alternatives);

      const form = element('form', { class: 'loket-callback-form', novalidate: true, 'data-testid': 'loket-callback-form' });
      const summary = element('div', { class: 'loket-callback-errors', role: 'alert', 'data-testid': 'loket-callback-errors' });
      form.appendChild(summary);
      const fields = [
        { name: 'name', label: 'callbackName', type: 'text', autocomplete: 'name' },
        { name: 'phone', label: 'callbackPhone', type: 'tel', autocomplete: 'tel' },
        { name: 'email', label: 'callbackEmail', type: 'email', autocomplete: 'email' },
        { name: 'preferred_time', label: 'callbackTime', type: 'text', hint: 'callbackTimeHint' },
        { name: 'note', label: 'callbackNote', type: 'textarea' },
      ];
      const controls = {};
      for (const field of fields) {
        const id = uniqueId(`loket-cb-${field.name}`);
        const errorId = `${id}-error`;
        const hintId = field.hint ? `${id}-hint` : null;
        const wrapper = element('div', { class: 'loket-field' });
        wrapper.appendChild(element('label', { for: id }, t(field.label)));
        if (hintId) wrapper.appendChild(element('p', { id: hintId, class: 'loket-hint' }, t(field.hint)));
        const control = field.type === 'textarea'
          ? element('textarea', { id, name: field.name, rows: '2', maxlength: String(MAX_CALLBACK_FIELD_CHARS), 'data-testid': `loket-callback-${field.name}` })
          : element('input', { id, name: field.name, type: field.type, autocomplete: field.autocomplete, maxlength: String(MAX_CALLBACK_FIELD_CHARS), 'data-testid': `loket-callback-${field.name}` });
        control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
        wrapper.appendChild(control);
        wrapper.appendChild(element('p', { id: errorId, class: 'loket-field-error', 'data-testid': `loket-callback-${field.name}-error` }));
        controls[field.name] = { control, errorNode: wrapper.lastChild };
        form.appendChild(wrapper);
      }
      const submit = element('button', { type: 'submit', class: 'loket-send', 'data-testid': 'loket-callback-submit' }, t('callbackSubmit'));
      form.appendChild(submit);

      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const values = {};
        for (const [name, { control }] of Object.entries(controls)) values[name] = control.value;
        const { body, errors } = validateCallback(values);
        summary.textContent = '';
        let firstInvalid = null;
        for (const [name, { control, errorNode }] of Object.entries(controls)) {
          const key = errors[name];
          errorNode.textContent = key ? t(key, { max: MAX_CALLBACK_FIELD_CHARS }) : '';
          if (key) {
            control.setAttribute('aria-invalid', 'true');
            firstInvalid = firstInvalid || control;
          } else {
            control.removeAttribute('aria-invalid');
          }
        }
        if (!body) {
          summary.appendChild(element('p', {}, t('callbackErrors')));
          const list = element('ul');
          for (const key of new Set(Object.values(errors))) list.appendChild(element('li', {}, t(key, { max: MAX_CALLBACK_FIELD_CHARS })));
          summary.appendChild(list);
          if (firstInvalid) firstInvalid.focus();
          return;
        }
        try {
          await ensureOpenConversation();
          const answer = await request('POST', conversationPath('/callback'), body, true);
          applyAnswer(answer);
          hideCallbackForm();
          statusLine.textContent = t('callbackSent');
          input.focus();
        } catch (error) {
          summary.appendChild(element('p', {}, `${t(errorKeyFor(error.status, error.code, 'errorCallback'))} ${t('retryHint')}`));
        }
      });
      callbackBox.appendChild(form);
      callbackBox.hidden = false;
    }

    function hideCallbackForm() {
      callbackBox.hidden = true;
      callbackBox.textContent = '';
    }

    // --- resume in the background after a reload (no opening, no focus) ------------------------
    if (readStored()) {
      state.started = true;
      loadConfig();
      startConversation();
    }

    return { open, close };
  }

  function svgIcon(pathData) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '24');
    svg.setAttribute('height', '24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'loket-icon');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', pathData);
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }

  function chatIcon() {
    return svgIcon('M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm2 5v2h12V8H6zm0 4v2h8v-2H6z');
  }

  function closeIcon() {
    return svgIcon('M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z');
  }

  // ---------------------------------------------------------------------------------------------
  // Start-up and exports
  // ---------------------------------------------------------------------------------------------

  if (typeof window !== 'undefined' && typeof document !== 'undefined') {
    const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
    const libraryOnly = script && script.getAttribute('data-mode') === 'library';
    if (!window.Loket) {
      // The agent console loads this file with data-mode="library" to reuse the SSE parser only.
      const api = { lib, open() {}, close() {} };
      window.Loket = api;
      if (script && !libraryOnly) {
        const boot = () => {
          const widget = startWidget(script);
          api.open = widget.open;
          api.close = widget.close;
        };
        if (document.body) boot();
        else document.addEventListener('DOMContentLoaded', boot, { once: true });
      }
    }
  }

  if (typeof module !== 'undefined' && module.exports) module.exports = lib;
})();
