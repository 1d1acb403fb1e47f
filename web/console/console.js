/*
 * Loket agent console: login, live queue, claim, transcript, reply, hand back, close, reveal.
 *
 * Layout of this file:
 *   1. STRINGS (Dutch default, English toggle).
 *   2. Pure logic (placeholder splitting, waiting time, error mapping), exported for node's tests.
 *   3. The page (browser only). It talks to the agent API in docs/API.md with the session cookie;
 *      every POST carries X-CSRF-Token. Live updates come from GET /api/v1/agent/stream, read with
 *      fetch and the SSE parser that widget.js exposes as window.Loket.lib (index.html loads
 *      widget.js with data-mode="library", so no chat widget appears here).
 *
 * Server text (messages, ticket fields) is only written with textContent.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // 1. Strings
  // ---------------------------------------------------------------------------------------------

  const STRINGS = {
    nl: {
      pageTitle: 'Loket – medewerkersconsole',
      suggested: 'Voorgestelde vragen: {questions}',
      generatedBy: 'Geschreven door taalmodel {model}; elke zin is getoetst aan de geciteerde bron.',
      withdrawal: 'Herroeping of annulering: de klant heeft een ontvangstbevestiging gekregen. Handel haar af (bestelling, retour, terugbetaling).',
      ratedRight: 'De klant vond dit antwoord juist.',
      ratedWrong: 'De klant vond dit antwoord niet juist.',
      skip: 'Naar de inhoud',
      brand: 'Loket',
      brandSub: 'medewerkersconsole',
      langToggle: 'English',
      logout: 'Uitloggen',
      dashboardLink: 'Dashboard en nalevingsrapport',
      loggedInAs: 'Ingelogd als {name}',
      loginTitle: 'Inloggen',
      username: 'Gebruikersnaam',
      password: 'Wachtwoord',
      login: 'Inloggen',
      loggingIn: 'Bezig met inloggen…',
      appTitle: 'Medewerkersconsole',
      queueTitle: 'Wachtrij',
      mineTitle: 'Mijn gesprekken',
      ticketsTitle: 'Terugbelverzoeken en e-mailverzoeken',
      agentsOnline: 'Medewerkers online: {count}',
      queueEmpty: 'Er wacht niemand.',
      mineEmpty: 'U hebt geen open gesprekken.',
      ticketsEmpty: 'Er zijn geen verzoeken.',
      waitingItem: 'Positie {position} · {language} · wacht {waiting}',
      reason_withdrawal: 'Herroeping of annulering',
      reason_privacy: 'Privacyverzoek (AVG)',
      reason_complaint: 'Klacht',
      reason_crisis: 'Crisis: hulpnummers gegeven',
      mineItem: 'Gesprek {id} · {language} · {state}',
      unread: 'nieuw bericht',
      claim: 'Overnemen',
      claimLabel: 'Overnemen: gesprek op positie {position}',
      open: 'Openen',
      openLabel: 'Openen: gesprek {id}',
      lessThanMinute: 'minder dan 1 minuut',
      minutes: '{count} min',
      hoursMinutes: '{hours} uur {minutes} min',
      conversationNone: 'Geen gesprek geopend',
      conversationTitle: 'Gesprek {id}',
      conversationIntro: 'Kies links een gesprek uit de wachtrij of uit uw gesprekken.',
      stateLabel: 'Status: {state}',
      state_bot: 'bij de AI-assistent',
      state_waiting_for_agent: 'wacht op een medewerker',
      state_with_agent: 'met medewerker',
      state_closed: 'gesloten',
      assignedTo: 'Behandeld door {name}',
      transcriptLabel: 'Gesprek met de klant',
      replyLabel: 'Antwoord aan de klant',
      send: 'Versturen',
      handback: 'Teruggeven aan AI-assistent',
      closeConversation: 'Gesprek sluiten',
      reveal: 'Toon',
      revealLabel: 'Toon {placeholder}',
      revealed: '{placeholder} getoond.',
      ticketCallback: 'Terugbelverzoek',
      ticketEmail: 'E-mailverzoek',
      ticketPhone: 'Telefoon',
      ticketMail: 'E-mail',
      ticketTime: 'Voorkeurstijd',
      ticketNote: 'Toelichting',
      ticketCreated: 'Aangemaakt',
      ticketStatus: 'Status',
      ticketName: 'Naam',
      ticketConversation: 'Bij gesprek {id}',
      claimed: 'U hebt het gesprek overgenomen.',
      sent: 'Bericht verstuurd.',
      handedBack: 'Gesprek teruggegeven aan de AI-assistent.',
      closedDone: 'Gesprek gesloten.',
      liveLost: 'De live verbinding is verbroken; de wachtrij wordt elke paar seconden ververst.',
      errAlreadyClaimed: 'Al overgenomen door een collega.',
      errNotAssigned: 'Dit gesprek is niet aan u toegewezen. Neem het eerst over.',
      errForbidden: 'U hebt geen toestemming om dit gegeven te tonen. Alleen medewerkers met inzagerecht kunnen afgeschermde gegevens zien; vraag dit zo nodig aan een beheerder.',
      errInvalidCredentials: 'Gebruikersnaam of wachtwoord klopt niet.',
      codeLabel: 'Code uit uw authenticator-app',
      codeHint: 'Zes cijfers, of een van uw herstelcodes.',
      codeNeeded: 'Vul de code uit uw authenticator-app in.',
      errInvalidCode: 'Die code klopt niet of is al gebruikt. Vul de code in die de app nu toont, of een ongebruikte herstelcode.',
      sfTitle: 'Tweestapsverificatie instellen',
      sfIntro: 'Naast uw wachtwoord is bij elke login een code uit een authenticator-app nodig. Zo blijven de gesprekken van klanten beschermd, ook als iemand uw wachtwoord kent.',
      sfStep1: 'Open een authenticator-app op uw telefoon, bijvoorbeeld die van uw organisatie.',
      sfStep2: 'Scan de QR-code, of typ de sleutel eronder over.',
      sfStep3: 'Vul de code van zes cijfers in die de app toont.',
      sfQrLabel: 'QR-code met de sleutel voor uw authenticator-app',
      sfSecretLabel: 'Sleutel',
      sfCodeLabel: 'Code uit de app',
      sfConfirm: 'Bevestigen',
      sfRecoveryTitle: 'Uw herstelcodes',
      sfRecoveryIntro: 'Bewaar deze codes op een veilige plek, niet op uw telefoon. Elke code opent één keer een login als u uw telefoon kwijt bent. Ze worden niet opnieuw getoond.',
      sfDone: 'Ik heb ze bewaard, naar de console',
      sfReady: 'Tweestapsverificatie staat aan.',
      errMissingCode: 'Vul de code van zes cijfers uit de app in.',
      errRateLimited: 'Te veel pogingen. Wacht een paar minuten en probeer het opnieuw.',
      errSession: 'Uw sessie is verlopen. Log opnieuw in.',
      errEmptyReply: 'Typ eerst een antwoord.',
      errMissingLogin: 'Vul uw gebruikersnaam en wachtwoord in.',
      errGeneric: 'Dat is niet gelukt. Probeer het opnieuw.',
      errNetwork: 'Geen verbinding met de server. Probeer het opnieuw.',
      language_nl: 'Nederlands',
      language_en: 'Engels',
    },
    en: {
      suggested: 'Suggested questions: {questions}',
      generatedBy: 'Written by language model {model}; every sentence was checked against the cited source.',
      withdrawal: 'Withdrawal or cancellation: the customer has an acknowledgement of receipt. Please handle it (order, return, refund).',
      ratedRight: 'The customer said this answer was right.',
      ratedWrong: 'The customer said this answer was not right.',
      pageTitle: 'Loket – agent console',
      skip: 'Skip to content',
      brand: 'Loket',
      brandSub: 'agent console',
      langToggle: 'Nederlands',
      logout: 'Log out',
      dashboardLink: 'Dashboard and compliance report',
      loggedInAs: 'Logged in as {name}',
      loginTitle: 'Log in',
      username: 'Username',
      password: 'Password',
      login: 'Log in',
      loggingIn: 'Logging in…',
      appTitle: 'Agent console',
      queueTitle: 'Queue',
      mineTitle: 'My conversations',
      ticketsTitle: 'Call-back and e-mail requests',
      agentsOnline: 'Agents online: {count}',
      queueEmpty: 'Nobody is waiting.',
      mineEmpty: 'You have no open conversations.',
      ticketsEmpty: 'There are no requests.',
      waitingItem: 'Position {position} · {language} · waiting {waiting}',
      reason_withdrawal: 'Withdrawal or cancellation',
      reason_privacy: 'Data protection request (GDPR)',
      reason_complaint: 'Complaint',
      reason_crisis: 'Crisis: help numbers given',
      mineItem: 'Conversation {id} · {language} · {state}',
      unread: 'new message',
      claim: 'Claim',
      claimLabel: 'Claim: conversation at position {position}',
      open: 'Open',
      openLabel: 'Open: conversation {id}',
      lessThanMinute: 'less than 1 minute',
      minutes: '{count} min',
      hoursMinutes: '{hours} h {minutes} min',
      conversationNone: 'No conversation open',
      conversationTitle: 'Conversation {id}',
      conversationIntro: 'Choose a conversation from the queue or from your conversations.',
      stateLabel: 'State: {state}',
      state_bot: 'with the AI assistant',
      state_waiting_for_agent: 'waiting for an agent',
      state_with_agent: 'with an agent',
      state_closed: 'closed',
      assignedTo: 'Handled by {name}',
      transcriptLabel: 'Conversation with the customer',
      replyLabel: 'Reply to the customer',
      send: 'Send',
      handback: 'Hand back to the AI assistant',
      closeConversation: 'Close conversation',
      reveal: 'Reveal',
      revealLabel: 'Reveal {placeholder}',
      revealed: '{placeholder} revealed.',
      ticketCallback: 'Call-back request',
      ticketEmail: 'E-mail request',
      ticketPhone: 'Phone',
      ticketMail: 'E-mail',
      ticketTime: 'Preferred time',
      ticketNote: 'Note',
      ticketCreated: 'Created',
      ticketStatus: 'Status',
      ticketName: 'Name',
      ticketConversation: 'From conversation {id}',
      claimed: 'You have claimed the conversation.',
      sent: 'Message sent.',
      handedBack: 'Conversation handed back to the AI assistant.',
      closedDone: 'Conversation closed.',
      liveLost: 'The live connection was lost; the queue is refreshed every few seconds.',
      errAlreadyClaimed: 'Already claimed by a colleague.',
      errNotAssigned: 'This conversation is not assigned to you. Claim it first.',
      errForbidden: 'You are not allowed to reveal this value. Only agents with the reveal permission can see redacted data; ask an administrator if you need it.',
      errInvalidCredentials: 'The username or password is not correct.',
      codeLabel: 'Code from your authenticator app',
      codeHint: 'Six digits, or one of your recovery codes.',
      codeNeeded: 'Enter the code from your authenticator app.',
      errInvalidCode: 'That code is wrong or was already used. Enter the code the app shows now, or an unused recovery code.',
      sfTitle: 'Set up two-step verification',
      sfIntro: 'Besides your password, every login needs a code from an authenticator app. This keeps customers\' conversations protected, even if someone knows your password.',
      sfStep1: 'Open an authenticator app on your phone, for example the one your organisation uses.',
      sfStep2: 'Scan the QR code, or type in the key below it.',
      sfStep3: 'Enter the six-digit code the app shows.',
      sfQrLabel: 'QR code with the key for your authenticator app',
      sfSecretLabel: 'Key',
      sfCodeLabel: 'Code from the app',
      sfConfirm: 'Confirm',
      sfRecoveryTitle: 'Your recovery codes',
      sfRecoveryIntro: 'Keep these codes somewhere safe, not on your phone. Each code opens one login if you lose your phone. They are not shown again.',
      sfDone: 'I have stored them, go to the console',
      sfReady: 'Two-step verification is on.',
      errMissingCode: 'Enter the six-digit code from the app.',
      errRateLimited: 'Too many attempts. Wait a few minutes and try again.',
      errSession: 'Your session has expired. Please log in again.',
      errEmptyReply: 'Type a reply first.',
      errMissingLogin: 'Fill in your username and password.',
      errGeneric: 'That did not work. Please try again.',
      errNetwork: 'No connection to the server. Please try again.',
      language_nl: 'Dutch',
      language_en: 'English',
    },
  };

  const MAX_REPLY_CHARS = 2000;
  const POLL_INTERVAL_MS = 3000;
  const STREAM_FAILURES_BEFORE_POLLING = 3;
  /** How often the waiting times in the queue are re-rendered. */
  const CLOCK_TICK_MS = 15000;
  const LANG_STORAGE_KEY = 'loket.console.lang';

  // ---------------------------------------------------------------------------------------------
  // 2. Pure logic
  // ---------------------------------------------------------------------------------------------

  function translate(lang, key, params) {
    const table = STRINGS[lang] || STRINGS.nl;
    let text = table[key] !== undefined ? table[key] : STRINGS.nl[key];
    if (text === undefined) return key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (whole, name) =>
        Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
      );
    }
    return text;
  }

  /** The console language: a stored choice if valid, else Dutch. */
  function resolveConsoleLang(stored) {
    return stored === 'en' || stored === 'nl' ? stored : 'nl';
  }

  /**
   * Splits message text into plain parts and redaction placeholders such as [IBAN_1] or
   * [EMAIL_12], so each placeholder can get a reveal button next to it.
   */
  function splitPlaceholders(text) {
    const parts = [];
    const pattern = /\[[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_\d+\]/g;
    let last = 0;
    let match;
    const source = String(text || '');
    while ((match = pattern.exec(source)) !== null) {
      if (match.index > last) parts.push({ text: source.slice(last, match.index) });
      parts.push({ placeholder: match[0] });
      last = match.index + match[0].length;
    }
    if (last < source.length) parts.push({ text: source.slice(last) });
    return parts;
  }

  /**
   * The link for a ticket's phone number or e-mail address, or null when there is nothing to
   * dial or mail: a redaction placeholder such as [PHONE_1] must not become "tel:1".
   */
  function contactHref(kind, value) {
    const text = String(value || '').trim();
    if (!text || splitPlaceholders(text).some((part) => part.placeholder)) return null;
    if (kind === 'phone') {
      const dialable = text.replace(/[^\d+]/g, '');
      return /^\+?\d{6,}$/.test(dialable) ? `tel:${dialable}` : null;
    }
    if (kind === 'email') return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? `mailto:${text}` : null;
    return null;
  }

  /**
   * Orders the two sources of the queue. The live stream sends a fresh snapshot on every change,
   * so once a stream snapshot has arrived after a GET /queue was sent, that GET's answer may be
   * older (it can be computed before this agent's stream was counted online) and is dropped.
   * Without this, "Medewerkers online: 0" could overwrite the stream's "1" and stay.
   */
  function createQueueFeed() {
    let streamSnapshots = 0;
    return {
      /** Call when a GET /queue is sent; pass the result to `acceptsRequest` with its answer. */
      beginRequest: () => streamSnapshots,
      acceptsRequest: (token) => token === streamSnapshots,
      /** Call for every queue snapshot from the live stream. */
      streamSnapshot: () => {
        streamSnapshots += 1;
      },
    };
  }

  /** Whole minutes since an ISO timestamp, never negative; null for an invalid timestamp. */
  function waitingMinutes(sinceIso, nowMs) {
    const since = Date.parse(sinceIso);
    if (Number.isNaN(since)) return null;
    return Math.max(0, Math.floor((nowMs - since) / 60000));
  }

  /** "minder dan 1 minuut", "3 min", "1 uur 5 min" (or the English equivalents). */
  function formatWaiting(sinceIso, nowMs, lang) {
    const minutes = waitingMinutes(sinceIso, nowMs);
    if (minutes === null) return '?';
    if (minutes < 1) return translate(lang, 'lessThanMinute');
    if (minutes < 60) return translate(lang, 'minutes', { count: minutes });
    return translate(lang, 'hoursMinutes', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  }

  /** The string key that explains a failed request, from the server's error code and status. */
  function errorKey(status, code, fallback) {
    switch (code) {
      case 'already_claimed':
        return 'errAlreadyClaimed';
      case 'not_assigned':
        return 'errNotAssigned';
      case 'forbidden':
        return 'errForbidden';
      case 'invalid_credentials':
        return 'errInvalidCredentials';
      case 'rate_limited':
        return 'errRateLimited';
      case 'invalid_second_factor':
        return 'errInvalidCode';
      default:
        break;
    }
    if (status === 401) return 'errSession';
    if (status === 403) return 'errForbidden';
    if (status === 409) return 'errNotAssigned';
    if (status === 429) return 'errRateLimited';
    if (status === 0 || status === undefined) return 'errNetwork';
    return fallback || 'errGeneric';
  }

  /** Waiting conversations by position (then longest waiting first). */
  function sortWaiting(waiting) {
    return [...(waiting || [])].sort((a, b) => {
      const byPosition = (a.position ?? Infinity) - (b.position ?? Infinity);
      if (byPosition !== 0) return byPosition;
      return String(a.waiting_since).localeCompare(String(b.waiting_since));
    });
  }

  /** The language name for a conversation locale, in the console language. */
  function languageName(lang, locale) {
    const key = `language_${locale}`;
    return STRINGS.nl[key] ? translate(lang, key) : String(locale || '?');
  }

  /** A short, readable form of a conversation id for headings and lists. */
  function shortId(id) {
    const value = String(id || '');
    return value.length > 8 ? value.slice(-8) : value;
  }

  const lib = {
    STRINGS,
    translate,
    resolveConsoleLang,
    splitPlaceholders,
    contactHref,
    createQueueFeed,
    waitingMinutes,
    formatWaiting,
    errorKey,
    sortWaiting,
    languageName,
    shortId,
  };

  // ---------------------------------------------------------------------------------------------
  // 3. The page (browser only)
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code) {
      super(`api error ${status} ${code}`);
      this.status = status;
      this.code = code;
    }
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function startConsole() {
    const widgetLib = window.Loket && window.Loket.lib;
    const byId = (id) => document.getElementById(id);
    const view = {
      langToggle: byId('lang-toggle'),
      logout: byId('logout'),
      dashboardLink: byId('dashboard-link'),
      whoami: byId('whoami'),
      globalAlert: byId('global-alert'),
      globalStatus: byId('global-status'),
      loginView: byId('login-view'),
      loginForm: byId('login-form'),
      username: byId('username'),
      password: byId('password'),
      loginError: byId('login-error'),
      codeField: byId('code-field'),
      loginCode: byId('login-code'),
      sfView: byId('second-factor-view'),
      sfTitle: byId('sf-title'),
      sfQr: byId('sf-qr'),
      sfSecret: byId('sf-secret'),
      sfForm: byId('sf-form'),
      sfCode: byId('sf-code'),
      sfError: byId('sf-error'),
      sfRecovery: byId('sf-recovery'),
      sfRecoveryTitle: byId('sf-recovery-title'),
      sfRecoveryList: byId('sf-recovery-list'),
      sfDone: byId('sf-done'),
      appView: byId('app-view'),
      queueTitle: byId('queue-title'),
      agentsOnline: byId('agents-online'),
      waitingList: byId('waiting-list'),
      mineList: byId('mine-list'),
      ticketList: byId('ticket-list'),
      convTitle: byId('conv-title'),
      convIntro: byId('conv-intro'),
      convState: byId('conv-state'),
      transcript: byId('transcript'),
      replyForm: byId('reply-form'),
      reply: byId('reply'),
      convActions: byId('conv-actions'),
      handback: byId('handback'),
      closeConv: byId('close-conv'),
    };

    const state = {
      lang: resolveConsoleLang(readLangChoice()),
      me: null, // {username, display_name, role, csrf_token}
      queue: { waiting: [], mine: [], tickets: [], agents_online: 0 },
      current: null, // {id, state, locale, assigned_agent, messages}
      unread: new Set(),
      revealed: new Map(), // `${conversationId} ${placeholder}` -> value
      liveAbort: null,
      liveTimer: 0,
      streamFailures: 0,
      clockTimer: 0,
    };
    const t = (key, params) => translate(state.lang, key, params);
    const queueFeed = createQueueFeed();

    // --- language ------------------------------------------------------------------------------
    function readLangChoice() {
      try {
        return localStorage.getItem(LANG_STORAGE_KEY);
      } catch (_error) {
        return null;
      }
    }

    function applyStaticStrings() {
      document.documentElement.lang = state.lang;
      document.title = t('pageTitle');
      for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.getAttribute('data-i18n'));
      view.langToggle.setAttribute('lang', state.lang === 'nl' ? 'en' : 'nl');
      if (state.me) view.whoami.textContent = t('loggedInAs', { name: state.me.display_name || state.me.username });
      view.sfQr.alt = t('sfQrLabel');
    }

    view.langToggle.addEventListener('click', () => {
      state.lang = state.lang === 'nl' ? 'en' : 'nl';
      try {
        localStorage.setItem(LANG_STORAGE_KEY, state.lang);
      } catch (_error) {
        // Without storage the choice lasts for this page view only.
      }
      applyStaticStrings();
      renderQueue();
      renderConversation();
    });

    // --- network -------------------------------------------------------------------------------
    async function request(method, path, body) {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (method !== 'GET' && state.me && state.me.csrf_token) headers['X-CSRF-Token'] = state.me.csrf_token;
      let response;
      try {
        response = await fetch(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'same-origin',
        });
      } catch (_error) {
        throw new ApiError(0, null);
      }
      const text = await response.text();
      let payload = null;
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

    const conversationPath = (id, suffix) => `/api/v1/agent/conversations/${encodeURIComponent(id)}${suffix || ''}`;

    /** Shows an error; a 401 outside login means the session ended, so back to the login form. */
    function failed(error, fallback) {
      const status = error instanceof ApiError ? error.status : 0;
      const code = error instanceof ApiError ? error.code : null;
      if (status === 401 && state.me) {
        endSession();
        showLoginError('errSession');
        return;
      }
      showAlert(errorKey(status, code, fallback));
    }

    function showAlert(key, params) {
      view.globalAlert.textContent = t(key, params);
    }

    function clearAlert() {
      view.globalAlert.textContent = '';
    }

    function announce(key, params) {
      view.globalStatus.textContent = t(key, params);
    }

    // --- login and logout ----------------------------------------------------------------------
    function showLoginError(key) {
      view.loginError.textContent = key ? t(key) : '';
      const invalid = key === 'errInvalidCredentials' || key === 'errMissingLogin';
      for (const field of [view.username, view.password]) {
        if (invalid) field.setAttribute('aria-invalid', 'true');
        else field.removeAttribute('aria-invalid');
      }
      if (key === 'errInvalidCode') view.loginCode.setAttribute('aria-invalid', 'true');
      else view.loginCode.removeAttribute('aria-invalid');
    }

    /** Shows or hides the second-factor field of the login form (SEC-09). */
    function showCodeField(show) {
      view.codeField.hidden = !show;
      if (!show) view.loginCode.value = '';
    }

    view.loginForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const username = view.username.value.trim();
      const password = view.password.value;
      if (!username || !password) {
        showLoginError('errMissingLogin');
        (username ? view.password : view.username).focus();
        return;
      }
      showLoginError(null);
      announce('loggingIn');
      const body = { username, password };
      const code = view.codeField.hidden ? '' : view.loginCode.value.trim();
      if (code) body.code = code;
      try {
        const me = await request('POST', '/api/v1/agent/login', body);
        view.password.value = '';
        showCodeField(false);
        beginSession(me, true);
      } catch (error) {
        const status = error instanceof ApiError ? error.status : 0;
        const errorCode = error instanceof ApiError ? error.code : null;
        view.globalStatus.textContent = '';
        if (errorCode === 'second_factor_required') {
          // The password was right; the account has an authenticator app.
          showCodeField(true);
          showLoginError('codeNeeded');
          view.loginCode.focus();
          return;
        }
        if (errorCode === 'invalid_second_factor') {
          showLoginError('errInvalidCode');
          view.loginCode.select();
          view.loginCode.focus();
          return;
        }
        showCodeField(false);
        showLoginError(status === 401 ? 'errInvalidCredentials' : errorKey(status, errorCode));
        view.password.focus();
      }
    });

    // --- second factor (SEC-09) ----------------------------------------------------------------
    /** A member who must set up an authenticator app sees only this until it is done. */
    async function showSecondFactorSetup() {
      view.loginView.hidden = true;
      view.appView.hidden = true;
      view.sfView.hidden = false;
      view.sfForm.hidden = false;
      view.sfRecovery.hidden = true;
      view.logout.hidden = false;
      view.sfError.textContent = '';
      view.sfCode.value = '';
      applyStaticStrings();
      view.sfTitle.focus();
      try {
        const setup = await request('POST', '/api/v1/agent/second-factor');
        // An image, not markup in the page: the SVG is never parsed into the console's DOM.
        view.sfQr.src = `data:image/svg+xml;base64,${btoa(setup.qr_svg)}`;
        // Groups of four are easier to read aloud and to type over.
        view.sfSecret.textContent = setup.secret.replace(/(.{4})(?=.)/g, '$1 ');
      } catch (error) {
        view.sfError.textContent = t(errorKey(error.status, error.code));
      }
    }

    view.sfForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const code = view.sfCode.value.trim();
      if (!code) {
        view.sfError.textContent = t('errMissingCode');
        view.sfCode.setAttribute('aria-invalid', 'true');
        view.sfCode.focus();
        return;
      }
      try {
        const result = await request('POST', '/api/v1/agent/second-factor/confirm', { code });
        view.sfCode.removeAttribute('aria-invalid');
        view.sfError.textContent = '';
        view.sfForm.hidden = true;
        view.sfRecoveryList.textContent = '';
        for (const recovery of result.recovery_codes) {
          const item = document.createElement('li');
          const text = document.createElement('code');
          text.textContent = recovery;
          item.append(text);
          view.sfRecoveryList.append(item);
        }
        view.sfRecovery.hidden = false;
        view.sfRecoveryTitle.focus();
      } catch (error) {
        view.sfCode.setAttribute('aria-invalid', 'true');
        view.sfError.textContent = t(errorKey(error.status, error.code));
        view.sfCode.select();
        view.sfCode.focus();
      }
    });

    view.sfDone.addEventListener('click', () => {
      view.sfView.hidden = true;
      view.sfRecoveryList.textContent = '';
      view.sfQr.removeAttribute('src');
      view.sfSecret.textContent = '';
      state.me.second_factor = 'in_use';
      beginSession(state.me, true);
      announce('sfReady');
    });

    view.logout.addEventListener('click', async () => {
      try {
        await request('POST', '/api/v1/agent/logout');
      } catch (_error) {
        // The session is dropped locally either way; an expired one is already gone on the server.
      }
      endSession();
      view.username.focus();
    });

    /** Shows the console for a logged-in agent; focus moves only after an explicit login. */
    function beginSession(me, moveFocus) {
      state.me = me;
      if (me.second_factor === 'setup_required') {
        showSecondFactorSetup();
        return;
      }
      view.loginView.hidden = true;
      view.appView.hidden = false;
      view.logout.hidden = false;
      // Admins and auditors read evidence on the dashboard (GOV-07); agents have no access there.
      view.dashboardLink.hidden = !(me.role === 'admin' || me.role === 'auditor');
      view.whoami.hidden = false;
      applyStaticStrings();
      clearAlert();
      view.globalStatus.textContent = '';
      loadQueue();
      startLive();
      clearInterval(state.clockTimer);
      state.clockTimer = setInterval(renderQueue, CLOCK_TICK_MS);
      if (moveFocus) view.queueTitle.focus();
    }

    function endSession() {
      stopLive();
      clearInterval(state.clockTimer);
      state.me = null;
      state.current = null;
      state.queue = { waiting: [], mine: [], tickets: [], agents_online: 0 };
      state.unread.clear();
      state.revealed.clear();
      view.appView.hidden = true;
      view.sfView.hidden = true;
      view.sfQr.removeAttribute('src');
      view.sfSecret.textContent = '';
      view.sfRecoveryList.textContent = '';
      showCodeField(false);
      view.loginView.hidden = false;
      view.logout.hidden = true;
      view.dashboardLink.hidden = true;
      view.whoami.hidden = true;
      view.whoami.textContent = '';
      clearAlert();
      renderQueue();
      renderConversation();
    }

    // --- queue ---------------------------------------------------------------------------------
    async function loadQueue() {
      const token = queueFeed.beginRequest();
      try {
        const queue = await request('GET', '/api/v1/agent/queue');
        if (queueFeed.acceptsRequest(token)) applyQueue(queue);
      } catch (error) {
        failed(error);
      }
    }

    function applyQueue(queue) {
      if (!queue) return;
      state.queue = {
        waiting: Array.isArray(queue.waiting) ? queue.waiting : [],
        mine: Array.isArray(queue.mine) ? queue.mine : [],
        tickets: Array.isArray(queue.tickets) ? queue.tickets : [],
        agents_online: Number.isInteger(queue.agents_online) ? queue.agents_online : 0,
      };
      renderQueue();
    }

    /**
     * Re-renders the queue lists without losing keyboard focus: the queue changes live and the
     * waiting times tick, so a focused button is found again in its row afterwards (or, if its
     * row is gone, focus moves to the queue heading instead of falling back to the page).
     */
    function renderQueue() {
      const focused = document.activeElement;
      const lists = [view.waitingList, view.mineList, view.ticketList];
      let restore = null;
      if (focused && lists.some((list) => list.contains(focused))) {
        const row = focused.closest('[data-conversation-id]');
        restore = {
          testId: focused.getAttribute('data-testid'),
          conversationId: row ? row.getAttribute('data-conversation-id') : null,
        };
      }
      renderQueueLists();
      if (!restore) return;
      const row = restore.conversationId
        ? lists.map((list) => list.querySelector(`[data-conversation-id="${CSS.escape(restore.conversationId)}"]`)).find(Boolean)
        : null;
      const target = row && restore.testId ? row.querySelector(`[data-testid="${CSS.escape(restore.testId)}"]`) : null;
      if (target) target.focus();
      else if (state.me) view.queueTitle.focus();
    }

    /**
     * Why the customer wants a person, as a text label in the queue row (not colour alone): a
     * crisis, a complaint or a withdrawal is seen before the conversation is opened (HUM-03,
     * HUM-07). A plain request gets no label.
     */
    function appendReason(row, reason) {
      if (!['crisis', 'complaint', 'withdrawal', 'privacy'].includes(reason)) return;
      row.appendChild(element('span', { class: `queue-reason queue-reason--${reason}`, 'data-testid': 'console-reason' }, t(`reason_${reason}`)));
    }

    function renderQueueLists() {
      const now = Date.now();
      view.agentsOnline.textContent = state.me ? t('agentsOnline', { count: state.queue.agents_online }) : '';

      view.waitingList.textContent = '';
      const waiting = sortWaiting(state.queue.waiting);
      if (waiting.length === 0) view.waitingList.appendChild(element('li', { class: 'empty' }, t('queueEmpty')));
      for (const item of waiting) {
        const row = element('li', { class: 'queue-item', 'data-testid': 'console-waiting-item', 'data-conversation-id': item.id });
        row.appendChild(element('span', { class: 'queue-text' }, t('waitingItem', {
          position: item.position,
          language: languageName(state.lang, item.locale),
          waiting: formatWaiting(item.waiting_since, now, state.lang),
        })));
        appendReason(row, item.reason);
        const claim = element('button', {
          type: 'button',
          class: 'button primary',
          'aria-label': t('claimLabel', { position: item.position }),
          'data-testid': 'console-claim',
        }, t('claim'));
        claim.addEventListener('click', () => claimConversation(item.id));
        row.appendChild(claim);
        view.waitingList.appendChild(row);
      }

      view.mineList.textContent = '';
      if (state.queue.mine.length === 0) view.mineList.appendChild(element('li', { class: 'empty' }, t('mineEmpty')));
      for (const item of state.queue.mine) {
        const row = element('li', { class: 'queue-item', 'data-testid': 'console-mine-item', 'data-conversation-id': item.id });
        if (state.current && state.current.id === item.id) row.classList.add('current');
        const text = t('mineItem', {
          id: shortId(item.id),
          language: languageName(state.lang, item.locale),
          state: t(`state_${item.state}`),
        });
        row.appendChild(element('span', { class: 'queue-text' }, text));
        appendReason(row, item.reason);
        if (state.unread.has(item.id)) row.appendChild(element('span', { class: 'unread', 'data-testid': 'console-unread' }, t('unread')));
        const openButton = element('button', {
          type: 'button',
          class: 'button',
          'aria-label': t('openLabel', { id: shortId(item.id) }),
          'aria-current': state.current && state.current.id === item.id ? 'true' : null,
          'data-testid': 'console-open',
        }, t('open'));
        openButton.addEventListener('click', () => openConversation(item.id));
        row.appendChild(openButton);
        view.mineList.appendChild(row);
      }

      view.ticketList.textContent = '';
      if (state.queue.tickets.length === 0) view.ticketList.appendChild(element('li', { class: 'empty' }, t('ticketsEmpty')));
      for (const ticket of state.queue.tickets) view.ticketList.appendChild(renderTicket(ticket));
    }

    function renderTicket(ticket) {
      const item = element('li', { class: 'ticket', 'data-testid': 'console-ticket' });
      item.appendChild(element('h4', { class: 'ticket-title' }, ticket.kind === 'email' ? t('ticketEmail') : t('ticketCallback')));
      const details = element('dl', { class: 'ticket-details' });
      const add = (labelKey, value, href) => {
        if (!value) return;
        details.appendChild(element('dt', {}, t(labelKey)));
        const dd = element('dd');
        if (href) dd.appendChild(element('a', { href }, value));
        else dd.textContent = value;
        details.appendChild(dd);
      };
      // Contact details arrive pseudonymised; the agent who calls back reveals them (audited).
      const addContact = (labelKey, value, kind) => {
        if (!value) return;
        const key = `${ticket.conversation_id} ${value}`;
        if (!/^\[[A-Z_]+_\d+\]$/.test(value) || !ticket.conversation_id) {
          add(labelKey, value, contactHref(kind, value));
          return;
        }
        if (state.revealed.has(key)) {
          const original = state.revealed.get(key);
          add(labelKey, original, contactHref(kind, original));
          return;
        }
        details.appendChild(element('dt', {}, t(labelKey)));
        const dd = element('dd');
        dd.appendChild(element('span', { class: 'placeholder-name' }, value));
        const button = element('button', {
          type: 'button',
          class: 'button small',
          'aria-label': t('revealLabel', { placeholder: value }),
          'data-testid': 'console-ticket-reveal',
          'data-placeholder': value,
        }, t('reveal'));
        button.addEventListener('click', () => revealTicketValue(ticket.conversation_id, value));
        dd.appendChild(document.createTextNode(' '));
        dd.appendChild(button);
        details.appendChild(dd);
      };
      addContact('ticketName', ticket.name, 'name');
      addContact('ticketPhone', ticket.phone, 'phone');
      addContact('ticketMail', ticket.email, 'email');
      add('ticketTime', ticket.preferred_time);
      add('ticketNote', ticket.note);
      add('ticketCreated', ticket.created_at);
      add('ticketStatus', ticket.status);
      item.appendChild(details);
      if (ticket.conversation_id) item.appendChild(element('p', { class: 'muted' }, t('ticketConversation', { id: shortId(ticket.conversation_id) })));
      return item;
    }

    async function claimConversation(id) {
      clearAlert();
      try {
        const conversation = await request('POST', conversationPath(id, '/claim'));
        showConversation(conversation);
        announce('claimed');
        view.convTitle.focus();
      } catch (error) {
        failed(error);
      }
      loadQueue();
    }

    async function openConversation(id) {
      clearAlert();
      try {
        showConversation(await request('GET', conversationPath(id)));
        view.convTitle.focus();
      } catch (error) {
        failed(error);
      }
    }

    // --- conversation --------------------------------------------------------------------------
    function showConversation(conversation) {
      if (!conversation) return;
      const { messages } = mergeMessages([], conversation.messages || []);
      state.current = {
        id: conversation.id,
        state: conversation.state,
        locale: conversation.locale,
        assigned_agent: conversation.assigned_agent,
        assigned_agent_name: conversation.assigned_agent_name,
        messages,
        ratings: new Map((Array.isArray(conversation.ratings) ? conversation.ratings : [])
          .filter((rating) => rating && Number.isInteger(rating.seq))
          .map((rating) => [rating.seq, rating.helpful === true])),
      };
      state.unread.delete(conversation.id);
      renderQueue();
      renderConversation();
    }

    function mergeMessages(existing, incoming) {
      return widgetLib.mergeMessages(existing, incoming);
    }

    function applyConversationAnswer(answer) {
      if (!state.current || !answer) return;
      if (Array.isArray(answer.messages)) addMessages(answer.messages);
      if (typeof answer.state === 'string') {
        state.current.state = answer.state;
        renderConversationState();
      }
    }

    function addMessages(incoming) {
      const { messages, added } = mergeMessages(state.current.messages, incoming);
      if (added.length === 0) return;
      const last = state.current.messages.length ? state.current.messages[state.current.messages.length - 1].seq : 0;
      state.current.messages = messages;
      if (added.every((message) => message.seq > last)) {
        for (const message of added) view.transcript.appendChild(renderMessage(message));
      } else {
        renderTranscript();
      }
      view.transcript.scrollTop = view.transcript.scrollHeight;
    }

    function renderConversation() {
      const current = state.current;
      view.convIntro.hidden = Boolean(current);
      view.transcript.hidden = !current;
      view.replyForm.hidden = !current;
      view.convActions.hidden = !current;
      view.convTitle.textContent = current ? t('conversationTitle', { id: shortId(current.id) }) : t('conversationNone');
      renderConversationState();
      renderTranscript();
    }

    function renderConversationState() {
      const current = state.current;
      if (!current) {
        view.convState.textContent = '';
        return;
      }
      let text = t('stateLabel', { state: t(`state_${current.state}`) });
      if (current.assigned_agent) text += ` · ${t('assignedTo', { name: current.assigned_agent_name || current.assigned_agent })}`;
      view.convState.textContent = text;
      const closed = current.state === 'closed';
      for (const control of [view.reply, view.replyForm.querySelector('button'), view.handback, view.closeConv]) {
        control.disabled = closed;
      }
    }

    function renderTranscript() {
      view.transcript.textContent = '';
      if (!state.current) return;
      for (const message of state.current.messages) view.transcript.appendChild(renderMessage(message));
    }

    function renderMessage(message) {
      const author = ['ai', 'agent', 'customer', 'system'].includes(message.author) ? message.author : 'system';
      const bubble = element('div', {
        class: `msg msg-${author}`,
        'data-seq': message.seq,
        'data-author': message.author,
        'data-testid': 'console-message',
        lang: message.lang && message.lang !== state.lang ? message.lang : null,
      });
      bubble.appendChild(element('p', { class: 'msg-author' }, `${message.author_label || message.author} (${message.author})`));
      const body = element('p', { class: 'msg-text' });
      for (const part of splitPlaceholders(message.text)) {
        if (part.text !== undefined) {
          body.appendChild(document.createTextNode(part.text));
          continue;
        }
        body.appendChild(renderPlaceholder(part.placeholder));
      }
      bubble.appendChild(body);
      // What the customer was offered with an abstention, so the agent sees what they saw.
      const suggested = widgetLib.suggestionsOf(message).map((suggestion) => suggestion.question);
      if (suggested.length > 0) {
        bubble.appendChild(element('p', { class: 'msg-note', 'data-testid': 'console-suggested' },
          t('suggested', { questions: suggested.join(' · ') })));
      }
      const model = widgetLib.modelOf(message);
      if (model) {
        bubble.appendChild(element('p', { class: 'msg-note', 'data-testid': 'console-generated-by' }, t('generatedBy', { model })));
      }
      if (message.kind === 'withdrawal_receipt') {
        bubble.appendChild(element('p', { class: 'msg-note', 'data-testid': 'console-withdrawal' }, t('withdrawal')));
      }
      const ratings = state.current && state.current.ratings;
      if (ratings && ratings.has(message.seq)) {
        bubble.appendChild(element('p', { class: 'msg-note', 'data-testid': 'console-rating' },
          t(ratings.get(message.seq) ? 'ratedRight' : 'ratedWrong')));
      }
      const created = new Date(message.created_at);
      if (!Number.isNaN(created.getTime())) {
        bubble.appendChild(element('time', { class: 'msg-time', datetime: message.created_at },
          created.toLocaleString(state.lang === 'nl' ? 'nl-NL' : 'en-GB', { hour: '2-digit', minute: '2-digit' })));
      }
      return bubble;
    }

    function renderPlaceholder(placeholder) {
      const wrapper = element('span', { class: 'placeholder' });
      wrapper.appendChild(element('span', { class: 'placeholder-name' }, placeholder));
      const key = `${state.current.id} ${placeholder}`;
      if (state.revealed.has(key)) {
        wrapper.appendChild(element('span', {
          class: 'revealed',
          tabindex: '-1',
          'data-placeholder': placeholder,
          'data-testid': 'console-revealed',
        }, ` ${state.revealed.get(key)}`));
        return wrapper;
      }
      const button = element('button', {
        type: 'button',
        class: 'button small',
        'aria-label': t('revealLabel', { placeholder }),
        'data-testid': 'console-reveal',
        'data-placeholder': placeholder,
      }, t('reveal'));
      button.addEventListener('click', () => reveal(placeholder));
      wrapper.appendChild(button);
      return wrapper;
    }

    async function revealTicketValue(conversationId, placeholder) {
      clearAlert();
      try {
        const answer = await request('POST', conversationPath(conversationId, '/reveal'), { placeholder });
        state.revealed.set(`${conversationId} ${placeholder}`, String(answer && answer.value !== undefined ? answer.value : ''));
        renderQueue();
        announce('revealed', { placeholder });
      } catch (error) {
        failed(error);
      }
    }

    async function reveal(placeholder) {
      if (!state.current) return;
      const conversationId = state.current.id;
      clearAlert();
      try {
        const answer = await request('POST', conversationPath(conversationId, '/reveal'), { placeholder });
        state.revealed.set(`${conversationId} ${placeholder}`, String(answer && answer.value !== undefined ? answer.value : ''));
        if (state.current && state.current.id === conversationId) {
          renderTranscript();
          // The reveal button is gone; keep focus on the value that replaced it.
          const value = view.transcript.querySelector(`[data-placeholder="${CSS.escape(placeholder)}"][data-testid="console-revealed"]`);
          if (value) value.focus();
          announce('revealed', { placeholder });
        }
      } catch (error) {
        failed(error);
      }
    }

    view.replyForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!state.current) return;
      const text = view.reply.value.trim();
      if (!text) {
        showAlert('errEmptyReply');
        view.reply.focus();
        return;
      }
      clearAlert();
      try {
        const answer = await request('POST', conversationPath(state.current.id, '/messages'), { text });
        view.reply.value = '';
        applyConversationAnswer(answer);
        announce('sent');
      } catch (error) {
        failed(error);
      }
    });

    view.reply.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        view.replyForm.requestSubmit();
      }
    });

    async function conversationAction(suffix, doneKey) {
      if (!state.current) return;
      clearAlert();
      try {
        applyConversationAnswer(await request('POST', conversationPath(state.current.id, suffix)));
        announce(doneKey);
      } catch (error) {
        failed(error);
      }
      loadQueue();
    }

    view.handback.addEventListener('click', () => conversationAction('/handback', 'handedBack'));
    view.closeConv.addEventListener('click', () => conversationAction('/close', 'closedDone'));

    // --- live updates --------------------------------------------------------------------------
    function startLive() {
      stopLive();
      state.streamFailures = 0;
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
      if (!state.me) return;
      const controller = new AbortController();
      state.liveAbort = controller;
      let receivedAnything = false;
      try {
        const response = await fetch('/api/v1/agent/stream', {
          headers: { Accept: 'text/event-stream' },
          credentials: 'same-origin',
          cache: 'no-store',
          signal: controller.signal,
        });
        if (response.status === 401) {
          endSession();
          showLoginError('errSession');
          return;
        }
        if (!response.ok || !response.body) throw new ApiError(response.status, null);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        const parser = widgetLib.createSseParser(handleStreamEvent);
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value && value.length > 0) receivedAnything = true;
          parser.push(decoder.decode(value, { stream: true }));
        }
        parser.end();
      } catch (_error) {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted || !state.me) return;
      state.streamFailures = receivedAnything ? 0 : state.streamFailures + 1;
      if (state.streamFailures >= STREAM_FAILURES_BEFORE_POLLING) {
        announce('liveLost');
        scheduleLive(poll, POLL_INTERVAL_MS);
      } else {
        const reconnectDelay = widgetLib.reconnectDelayMs(state.streamFailures);
        scheduleLive(openStream, reconnectDelay);
      }
    }

    /** Fallback when the stream cannot be held open: refresh the queue and the open conversation. */
    async function poll() {
      if (!state.me) return;
      await loadQueue();
      if (state.current) {
        try {
          const fresh = await request('GET', conversationPath(state.current.id));
          if (state.current && fresh && fresh.id === state.current.id) applyConversationAnswer(fresh);
        } catch (error) {
          failed(error);
        }
      }
      if (state.me) scheduleLive(poll, POLL_INTERVAL_MS);
    }

    function handleStreamEvent(event) {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch (_error) {
        return;
      }
      if (!data) return;
      if (event.event === 'queue') {
        queueFeed.streamSnapshot();
        applyQueue(data);
      } else if (event.event === 'message' && data.message) {
        if (state.current && state.current.id === data.conversation_id) {
          addMessages([data.message]);
        } else if (data.conversation_id) {
          state.unread.add(data.conversation_id);
          renderQueue();
        }
      } else if (event.event === 'state' && state.current && state.current.id === data.conversation_id) {
        state.current.state = data.state;
        renderConversationState();
      }
    }

    // --- start ---------------------------------------------------------------------------------
    view.reply.setAttribute('maxlength', String(MAX_REPLY_CHARS));
    applyStaticStrings();
    renderQueue();
    renderConversation();
    (async () => {
      try {
        beginSession(await request('GET', '/api/v1/agent/me'));
      } catch (_error) {
        // Not logged in (401) or server unreachable: the login form is already showing.
      }
    })();
  }

  if (typeof window !== 'undefined' && typeof document !== 'undefined') {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startConsole, { once: true });
    else startConsole();
  }

  if (typeof module !== 'undefined' && module.exports) module.exports = lib;
})();
