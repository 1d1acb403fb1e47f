/*
 * Loket admin dashboard: daily figures from GET /api/v1/admin/dashboard drawn as SVG bar charts
 * by the small code below (no chart library), for admins and auditors. The figures are counts
 * and times from the audit log; no message text ever reaches this page. Below them, the privacy
 * officer's panel for one conversation (GET /api/v1/admin/conversations/{id} and the admin
 * rights endpoints); an access export is downloaded as a file, never shown on the page.
 *
 * Every chart has a visible one-sentence summary that is also its accessible name, a legend in
 * text, and the full data as a table (WCAG 1.1.1, 1.3.1, 1.4.1: colour is never the only cue).
 *
 * Layout:
 *   1. Strings (nl, en)          the page's texts; the language choice is shared with the console
 *   2. Formatting                numbers, percentages, durations, dates
 *   3. Chart drawing             drawChart(): figure, summary, SVG bars, legend, data table
 *   4. The page                  session check, login, period choice, loading and rendering;
 *                                the retention and rights panel: one conversation's retention
 *                                status, and for admins its legal hold, statutory ground, access
 *                                export and erasure
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // 1. Strings
  // ---------------------------------------------------------------------------------------------

  const STRINGS = {
    nl: {
      pageTitle: 'Loket – dashboard',
      skip: 'Naar de inhoud',
      brand: 'Loket',
      brandSub: 'dashboard',
      toConsole: 'Naar de console',
      langToggle: 'English',
      logout: 'Uitloggen',
      loggedInAs: 'Ingelogd als {name} ({role})',
      loginTitle: 'Inloggen voor het dashboard',
      loginIntro: 'Alleen voor beheerders en auditors. Het dashboard toont cijfers, nooit berichten.',
      username: 'Gebruikersnaam',
      password: 'Wachtwoord',
      login: 'Inloggen',
      loggingIn: 'Bezig met inloggen…',
      title: 'Dashboard',
      intro: 'Cijfers uit het auditlogboek: aantallen en tijden, geen berichtteksten.',
      period: 'Periode',
      days7: 'Laatste 7 dagen',
      days30: 'Laatste 30 dagen',
      days90: 'Laatste 90 dagen',
      days365: 'Laatste 365 dagen',
      show: 'Tonen',
      reportTitle: 'Nalevingsrapport',
      reportHtml: 'Nalevingsrapport (HTML)',
      reportMd: 'Nalevingsrapport (Markdown)',
      reportJson: 'Nalevingsrapport (JSON)',
      totalsTitle: 'Totalen over de periode',
      loading: 'Cijfers worden geladen…',
      loaded: 'Cijfers van {from} tot en met {to} geladen.',
      totalConversations: 'Gesprekken',
      totalHanded: 'Overgenomen door medewerkers',
      totalBot: 'Afgehandeld door de AI-assistent',
      totalAbstention: 'Aandeel keren dat de AI-assistent geen antwoord gaf',
      totalTimeToPerson: 'Mediane tijd tot een medewerker',
      totalGuards: 'Beveiligingsgebeurtenissen',
      chartConversations: 'Gesprekken per dag: door de AI-assistent afgehandeld of door medewerkers overgenomen',
      chartAbstention: 'Aandeel vragen per dag waarop de AI-assistent geen antwoord gaf',
      chartTime: 'Mediane tijd per dag van een verzoek om een medewerker tot de overname',
      chartGuards: 'Beveiligingsgebeurtenissen per dag',
      chartFeedback: 'Antwoorden die klanten beoordeelden ("Klopte dit antwoord?") per dag',
      seriesRight: 'Klopte',
      seriesWrong: 'Klopte niet',
      seriesBot: 'Door de AI-assistent',
      seriesHanded: 'Door medewerkers',
      seriesAbstention: 'Geen antwoord',
      seriesTime: 'Mediane tijd tot een medewerker',
      seriesPii: 'Persoonsgegevens afgeschermd',
      seriesPrivacy: 'Privacywaarschuwingen',
      seriesInjection: 'Prompt-injectie gemeld',
      seriesBlocked: 'Uitgaand bericht geblokkeerd',
      seriesAdvice: 'Persoonlijk advies geweigerd',
      summaryCount: '{days} dagen, totaal {total}: {parts}. Hoogste dag: {peakDate} met {peak}.',
      summaryEmpty: '{days} dagen zonder gegevens.',
      summaryRate: '{days} dagen, gemiddeld over de periode {overall}. Hoogste dag: {peakDate} met {peak}.',
      summaryTime: '{days} dagen, mediaan over de periode {overall}. Langste dag: {peakDate} met {peak}.',
      tableToggle: 'Toon de gegevens als tabel',
      tableDate: 'Datum',
      legend: 'Legenda',
      none: '–',
      seconds: '{count} s',
      minutes: '{minutes} min {seconds} s',
      hours: '{hours} u {minutes} min',
      roleAdmin: 'beheerder',
      roleAuditor: 'auditor',
      roleAgent: 'medewerker',
      requestsTitle: 'Verzoeken van betrokkenen',
      requestsIntro: 'Elk verzoek wordt binnen een maand beantwoord. Twee maanden verlengen mag alleen als de klant dat binnen de eerste maand met de redenen hoort (AVG art. 12(3)). Wie het verzoek deed, staat onder het kenmerk in uw eigen dossier, niet hier.',
      requestsCaption: 'Geregistreerde verzoeken, openstaande eerst, de eerste termijn bovenaan',
      requestsReference: 'Kenmerk',
      requestsReferenceHint: 'Letters, cijfers, \'-\', \'_\' of \'.\', zoals AVG-2026-41.',
      requestsRight: 'Recht',
      requestsReceived: 'Ontvangen',
      requestsReceivedLabel: 'Ontvangen op (leeg: nu)',
      requestsDeadline: 'Uiterlijk beantwoorden',
      requestsStanding: 'Stand',
      requestsActions: 'Acties',
      requestsRegister: 'Verzoek registreren',
      requestsRegisterButton: 'Registreren',
      requestsSummary: '{open} open, {late} te laat (open na de termijn of te laat beantwoord), {total} in totaal.',
      requestsEmpty: 'Nog geen verzoeken geregistreerd.',
      requestsExtend: 'Verlenging gemeld aan de klant',
      requestsExtendUntil: 'Verlengen kan tot {date}',
      requestsExtended: 'Verlengd, gemeld op {date}',
      requestsOutcome: 'Uitkomst van {reference}',
      requestsAnswer: 'Beantwoord',
      requestsAnsweredOn: '{outcome} op {date}',
      requestsRegistered: 'Verzoek {reference} geregistreerd; uiterlijk beantwoorden op {date}.',
      requestsExtendedDone: 'Verlenging van {reference} vastgelegd; nieuwe termijn {date}.',
      requestsAnsweredDone: 'Antwoord op {reference} vastgelegd. {standing}.',
      rightAccess: 'Inzage (art. 15)',
      rightRectification: 'Rectificatie (art. 16)',
      rightErasure: 'Wissen (art. 17)',
      rightRestriction: 'Beperking (art. 18)',
      rightPortability: 'Overdraagbaarheid (art. 20)',
      rightObjection: 'Bezwaar (art. 21)',
      rightUnspecified: 'Niet genoemd',
      requestsChatTitle: 'In de chat gedaan, nog niet geregistreerd',
      requestsChatIntro: 'De klant vroeg dit in de chat; de termijn van een maand loopt vanaf dat bericht. Registreer elk verzoek onder een kenmerk, met het gesprek erbij.',
      requestsChatItem: '{right}: gesprek {id}, ontvangen {received}, uiterlijk beantwoorden {deadline}.',
      requestsChatOverdue: 'De termijn is verstreken.',
      requestsChatRegister: 'Registreren',
      requestsChatPicked: 'Vul een kenmerk in om het verzoek uit gesprek {id} te registreren.',
      requestsConversation: 'Gesprek: {id}',
      outcomeFulfilled: 'Uitgevoerd',
      outcomePartlyFulfilled: 'Deels uitgevoerd',
      outcomeRefused: 'Geweigerd',
      standingOpen: 'Open',
      standingDueSoon: 'Open, termijn binnen een week',
      standingOverdue: 'Te laat: open na de termijn',
      standingAnsweredInTime: 'Op tijd beantwoord',
      standingAnsweredLate: 'Te laat beantwoord',
      errRequestsReference: 'Vul een kenmerk in van letters, cijfers, \'-\', \'_\' of \'.\' (hoogstens 64 tekens).',
      errRequestsTaken: 'Er is al een verzoek met dit kenmerk.',
      errRequestsFuture: 'Een verzoek kan niet in de toekomst ontvangen zijn.',
      errRequestsTooLate: 'Verlengen kan alleen binnen een maand na ontvangst (AVG art. 12(3)).',
      errRequestsAnswered: 'Dit verzoek is al beantwoord.',
      rightsTitle: 'Bewaring en rechten van klanten',
      rightsIntro: 'Zoek een gesprek op om te zien hoe lang het bewaard wordt en wat het vasthoudt. Er staan hier geen berichten.',
      rightsId: 'Gespreksnummer',
      rightsCustomerId: 'Klantnummer',
      rightsBy: 'Zoeken op',
      rightsByConversation: 'Gespreksnummer',
      rightsByCustomer: 'Klantnummer van de login',
      rightsSubjectTitle: 'Gesprekken van deze klant',
      rightsSubjectExport: 'Inzage van alle gesprekken downloaden (JSON)',
      rightsSubjectEraseLegend: 'Alle gesprekken van deze klant wissen (AVG art. 17)',
      rightsSubjectErase: 'Alle gesprekken wissen',
      rightsSubjectErased: '{count} gesprekken gewist. Verklaring van verwijdering: {certificate}.',
      rightsSubjectItem: 'Gesprek {id} van {started}, {state}',
      rightsSubjectLoaded: '{count} gesprekken van deze klant gevonden. Kies er een om te bekijken.',
      errRightsCustomerId: 'Vul een klantnummer in.',
      errRightsNoCustomer: 'Over dit klantnummer is niets (meer) opgeslagen.',
      rightsLookup: 'Opzoeken',
      rightsReadOnly: 'Alleen beheerders kunnen een gesprek vasthouden, exporteren of wissen.',
      rightsGround: 'Wettelijke bewaargrond',
      rightsGroundSave: 'Bewaargrond opslaan',
      rightsGroundNone: 'Geen: de gewone bewaartermijnen',
      rightsGroundOption: '{ground} ({days} dagen)',
      rightsExportJson: 'Inzage downloaden (JSON)',
      rightsExportHtml: 'Inzage downloaden (HTML)',
      rightsEraseLegend: 'Gesprek wissen (AVG art. 17)',
      rightsEraseConfirm: 'Ik heb het verzoek gecontroleerd. Wissen kan niet ongedaan worden gemaakt.',
      rightsErase: 'Gesprek wissen',
      rightsHoldPlace: 'Bewaarplicht (legal hold) plaatsen',
      rightsHoldLift: 'Bewaarplicht (legal hold) opheffen',
      rightsState: 'Status',
      rightsStarted: 'Begonnen',
      rightsLastActivity: 'Laatste activiteit',
      rightsHold: 'Bewaarplicht (legal hold)',
      rightsGroundLabel: 'Wettelijke bewaargrond',
      rightsSensitive: 'Bijzondere persoonsgegevens gezien',
      rightsDeletedAfter: 'Uiterlijk gewist op',
      rightsVaultDeletedAfter: 'Persoonsgegevens uiterlijk gewist op',
      rightsYes: 'ja',
      rightsNo: 'nee',
      rightsNoGround: 'geen',
      rightsWhileHeld: 'niet zolang de bewaarplicht geldt',
      stateBot: 'bij de AI-assistent',
      stateWaiting: 'wacht op een medewerker',
      stateWithAgent: 'bij een medewerker',
      stateClosed: 'gesloten',
      rightsLoading: 'Gesprek wordt opgezocht…',
      rightsLoaded: 'Gesprek opgezocht.',
      rightsHoldPlaced: 'Bewaarplicht geplaatst. Het gesprek wordt niet gewist zolang die geldt.',
      rightsHoldLifted: 'Bewaarplicht opgeheven. De gewone termijnen gelden weer.',
      rightsGroundSaved: 'Bewaargrond opgeslagen.',
      rightsExported: 'Inzage-export gedownload ({file}).',
      rightsErased: 'Gesprek gewist. Verklaring van verwijdering: {certificate}.',
      errRightsId: 'Vul een gespreksnummer in.',
      errRightsNotFound: 'Er is geen gesprek met dit nummer (meer).',
      errLegalHold: 'Dit gesprek heeft een bewaarplicht (legal hold). Hef die eerst op.',
      errStatutory: 'De wet vereist dat dit gesprek bewaard blijft (AVG art. 17 lid 3 onder b). Verwijder eerst de bewaargrond als die niet meer geldt.',
      errEraseConfirm: 'Bevestig eerst dat u het verzoek hebt gecontroleerd.',
      errRightsAdminOnly: 'Alleen beheerders kunnen dit doen.',
      errInvalidCredentials: 'Gebruikersnaam of wachtwoord klopt niet.',
      codeLabel: 'Code uit uw authenticator-app',
      codeNeeded: 'Vul de code uit uw authenticator-app in, of een van uw herstelcodes.',
      errInvalidCode: 'Die code klopt niet of is al gebruikt.',
      errSetupRequired: 'Stel eerst tweestapsverificatie in, in de medewerkersconsole (/console/).',
      errMissingLogin: 'Vul uw gebruikersnaam en wachtwoord in.',
      errForbidden: 'Uw rol heeft geen toegang tot het dashboard. Alleen beheerders en auditors.',
      errSession: 'Uw sessie is verlopen. Log opnieuw in.',
      errRateLimited: 'Te veel pogingen. Wacht een minuut.',
      errNetwork: 'Geen verbinding met de server. Probeer het opnieuw.',
      errGeneric: 'Er ging iets mis. Probeer het opnieuw.',
    },
    en: {
      pageTitle: 'Loket – dashboard',
      skip: 'Skip to content',
      brand: 'Loket',
      brandSub: 'dashboard',
      toConsole: 'To the console',
      langToggle: 'Nederlands',
      logout: 'Log out',
      loggedInAs: 'Logged in as {name} ({role})',
      loginTitle: 'Log in to the dashboard',
      loginIntro: 'For admins and auditors only. The dashboard shows figures, never messages.',
      username: 'Username',
      password: 'Password',
      login: 'Log in',
      loggingIn: 'Logging in…',
      title: 'Dashboard',
      intro: 'Figures from the audit log: counts and times, no message text.',
      period: 'Period',
      days7: 'Last 7 days',
      days30: 'Last 30 days',
      days90: 'Last 90 days',
      days365: 'Last 365 days',
      show: 'Show',
      reportTitle: 'Compliance report',
      reportHtml: 'Compliance report (HTML)',
      reportMd: 'Compliance report (Markdown)',
      reportJson: 'Compliance report (JSON)',
      totalsTitle: 'Totals over the period',
      loading: 'Loading figures…',
      loaded: 'Figures from {from} to {to} loaded.',
      totalConversations: 'Conversations',
      totalHanded: 'Taken over by staff',
      totalBot: 'Handled by the AI assistant',
      totalAbstention: 'Share of questions the AI assistant did not answer',
      totalTimeToPerson: 'Median time to a person',
      totalGuards: 'Security events',
      chartConversations: 'Conversations per day: handled by the AI assistant or taken over by staff',
      chartAbstention: 'Share of questions per day the AI assistant did not answer',
      chartTime: 'Median time per day from a request for a person to the takeover',
      chartGuards: 'Security events per day',
      chartFeedback: 'Answers customers rated ("Was this answer right?") per day',
      seriesRight: 'Right',
      seriesWrong: 'Not right',
      seriesBot: 'By the AI assistant',
      seriesHanded: 'By staff',
      seriesAbstention: 'Not answered',
      seriesTime: 'Median time to a person',
      seriesPii: 'Personal data masked',
      seriesPrivacy: 'Privacy warnings',
      seriesInjection: 'Prompt injection flagged',
      seriesBlocked: 'Outgoing message blocked',
      seriesAdvice: 'Personal advice declined',
      summaryCount: '{days} days, total {total}: {parts}. Busiest day: {peakDate} with {peak}.',
      summaryEmpty: '{days} days without data.',
      summaryRate: '{days} days, {overall} over the period. Highest day: {peakDate} with {peak}.',
      summaryTime: '{days} days, median {overall} over the period. Longest day: {peakDate} with {peak}.',
      tableToggle: 'Show the data as a table',
      tableDate: 'Date',
      legend: 'Legend',
      none: '–',
      seconds: '{count} s',
      minutes: '{minutes} min {seconds} s',
      hours: '{hours} h {minutes} min',
      roleAdmin: 'admin',
      roleAuditor: 'auditor',
      roleAgent: 'agent',
      requestsTitle: 'Requests from data subjects',
      requestsIntro: 'Every request is answered within one month. Extending by two months is only allowed when the customer is told so, with the reasons, within the first month (GDPR art. 12(3)). Who made the request is in your own case file under the reference, not here.',
      requestsCaption: 'Registered requests, open ones first, the nearest deadline at the top',
      requestsReference: 'Reference',
      requestsReferenceHint: 'Letters, digits, \'-\', \'_\' or \'.\', such as GDPR-2026-41.',
      requestsRight: 'Right',
      requestsReceived: 'Received',
      requestsReceivedLabel: 'Received on (empty: now)',
      requestsDeadline: 'Answer by',
      requestsStanding: 'Standing',
      requestsActions: 'Actions',
      requestsRegister: 'Register a request',
      requestsRegisterButton: 'Register',
      requestsSummary: '{open} open, {late} late (open past the deadline or answered after it), {total} in total.',
      requestsEmpty: 'No requests registered yet.',
      requestsExtend: 'Extension told to the customer',
      requestsExtendUntil: 'Can be extended until {date}',
      requestsExtended: 'Extended, told on {date}',
      requestsOutcome: 'Outcome of {reference}',
      requestsAnswer: 'Answered',
      requestsAnsweredOn: '{outcome} on {date}',
      requestsRegistered: 'Request {reference} registered; answer by {date}.',
      requestsExtendedDone: 'Extension of {reference} recorded; new deadline {date}.',
      requestsAnsweredDone: 'Answer to {reference} recorded. {standing}.',
      rightAccess: 'Access (art. 15)',
      rightRectification: 'Rectification (art. 16)',
      rightErasure: 'Erasure (art. 17)',
      rightRestriction: 'Restriction (art. 18)',
      rightPortability: 'Portability (art. 20)',
      rightObjection: 'Objection (art. 21)',
      rightUnspecified: 'Not named',
      requestsChatTitle: 'Made in the chat, not registered yet',
      requestsChatIntro: 'The customer asked in the chat; the one-month deadline runs from that message. Register each request under a reference, with its conversation.',
      requestsChatItem: '{right}: conversation {id}, received {received}, answer by {deadline}.',
      requestsChatOverdue: 'The deadline has passed.',
      requestsChatRegister: 'Register',
      requestsChatPicked: 'Enter a reference to register the request from conversation {id}.',
      requestsConversation: 'Conversation: {id}',
      outcomeFulfilled: 'Fulfilled',
      outcomePartlyFulfilled: 'Partly fulfilled',
      outcomeRefused: 'Refused',
      standingOpen: 'Open',
      standingDueSoon: 'Open, due within a week',
      standingOverdue: 'Late: open past the deadline',
      standingAnsweredInTime: 'Answered in time',
      standingAnsweredLate: 'Answered late',
      errRequestsReference: 'Enter a reference of letters, digits, \'-\', \'_\' or \'.\' (at most 64 characters).',
      errRequestsTaken: 'A request with this reference already exists.',
      errRequestsFuture: 'A request cannot have been received in the future.',
      errRequestsTooLate: 'An extension is only possible within one month of receipt (GDPR art. 12(3)).',
      errRequestsAnswered: 'This request has already been answered.',
      rightsTitle: 'Retention and customers\' rights',
      rightsIntro: 'Look up a conversation to see how long it is kept and what keeps it. No messages are shown here.',
      rightsId: 'Conversation id',
      rightsCustomerId: 'Customer id',
      rightsBy: 'Look up by',
      rightsByConversation: 'Conversation id',
      rightsByCustomer: 'Customer id of the login',
      rightsSubjectTitle: 'This customer\'s conversations',
      rightsSubjectExport: 'Download access export of all conversations (JSON)',
      rightsSubjectEraseLegend: 'Erase all of this customer\'s conversations (GDPR art. 17)',
      rightsSubjectErase: 'Erase all conversations',
      rightsSubjectErased: '{count} conversations erased. Deletion certificate: {certificate}.',
      rightsSubjectItem: 'Conversation {id} of {started}, {state}',
      rightsSubjectLoaded: '{count} conversations of this customer found. Choose one to see it.',
      errRightsCustomerId: 'Enter a customer id.',
      errRightsNoCustomer: 'Nothing is held (any more) about this customer id.',
      rightsLookup: 'Look up',
      rightsReadOnly: 'Only admins can hold, export or erase a conversation.',
      rightsGround: 'Statutory retention ground',
      rightsGroundSave: 'Save ground',
      rightsGroundNone: 'None: the ordinary retention periods',
      rightsGroundOption: '{ground} ({days} days)',
      rightsExportJson: 'Download access export (JSON)',
      rightsExportHtml: 'Download access export (HTML)',
      rightsEraseLegend: 'Erase the conversation (GDPR art. 17)',
      rightsEraseConfirm: 'I have checked the request. Erasure cannot be undone.',
      rightsErase: 'Erase conversation',
      rightsHoldPlace: 'Place legal hold',
      rightsHoldLift: 'Lift legal hold',
      rightsState: 'State',
      rightsStarted: 'Started',
      rightsLastActivity: 'Last activity',
      rightsHold: 'Legal hold',
      rightsGroundLabel: 'Statutory retention ground',
      rightsSensitive: 'Special-category data seen',
      rightsDeletedAfter: 'Deleted at the latest on',
      rightsVaultDeletedAfter: 'Personal data deleted at the latest on',
      rightsYes: 'yes',
      rightsNo: 'no',
      rightsNoGround: 'none',
      rightsWhileHeld: 'not while the legal hold applies',
      stateBot: 'with the AI assistant',
      stateWaiting: 'waiting for a person',
      stateWithAgent: 'with a person',
      stateClosed: 'closed',
      rightsLoading: 'Looking up the conversation…',
      rightsLoaded: 'Conversation found.',
      rightsHoldPlaced: 'Legal hold placed. The conversation is not deleted while it applies.',
      rightsHoldLifted: 'Legal hold lifted. The ordinary periods apply again.',
      rightsGroundSaved: 'Retention ground saved.',
      rightsExported: 'Access export downloaded ({file}).',
      rightsErased: 'Conversation erased. Deletion certificate: {certificate}.',
      errRightsId: 'Enter a conversation id.',
      errRightsNotFound: 'There is no conversation with this id (any more).',
      errLegalHold: 'This conversation is under a legal hold. Lift it first.',
      errStatutory: 'The law requires this conversation to be kept (GDPR art. 17(3)(b)). Remove its retention ground first if it no longer applies.',
      errEraseConfirm: 'First confirm that you have checked the request.',
      errRightsAdminOnly: 'Only admins can do this.',
      errInvalidCredentials: 'Wrong username or password.',
      codeLabel: 'Code from your authenticator app',
      codeNeeded: 'Enter the code from your authenticator app, or one of your recovery codes.',
      errInvalidCode: 'That code is wrong or was already used.',
      errSetupRequired: 'Set up two-step verification in the agent console (/console/) first.',
      errMissingLogin: 'Enter your username and password.',
      errForbidden: 'Your role has no access to the dashboard. Admins and auditors only.',
      errSession: 'Your session has ended. Please log in again.',
      errRateLimited: 'Too many attempts. Wait a minute.',
      errNetwork: 'No connection to the server. Please try again.',
      errGeneric: 'Something went wrong. Please try again.',
    },
  };

  /** Shared with the console, so a language chosen there holds here too. */
  const LANG_STORAGE_KEY = 'loket.console.lang';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  /** The drawing area in SVG user units; the SVG scales to its container's width. */
  const FRAME = { width: 640, height: 220, left: 56, right: 12, top: 12, bottom: 32 };
  /** Bar colours: each at least 3:1 against white (WCAG 1.4.11); the legend names them. */
  const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7e22ce'];

  /** The charts: which day fields they draw and how values read. */
  const CHARTS = [
    {
      id: 'conversations',
      titleKey: 'chartConversations',
      kind: 'count',
      series: [
        { field: 'handled_by_bot', labelKey: 'seriesBot' },
        { field: 'handed_to_people', labelKey: 'seriesHanded' },
      ],
    },
    {
      id: 'abstention',
      titleKey: 'chartAbstention',
      kind: 'rate',
      series: [{ field: 'abstention_rate', labelKey: 'seriesAbstention' }],
    },
    {
      id: 'time-to-person',
      titleKey: 'chartTime',
      kind: 'duration',
      series: [{ field: 'median_seconds_to_person', labelKey: 'seriesTime' }],
    },
    {
      id: 'guards',
      titleKey: 'chartGuards',
      kind: 'count',
      series: [
        { field: 'pii_redacted', labelKey: 'seriesPii' },
        { field: 'privacy_warnings', labelKey: 'seriesPrivacy' },
        { field: 'injection_flagged', labelKey: 'seriesInjection' },
        { field: 'output_blocked', labelKey: 'seriesBlocked' },
        { field: 'advice_declined', labelKey: 'seriesAdvice' },
      ],
    },
    {
      id: 'feedback',
      titleKey: 'chartFeedback',
      kind: 'count',
      series: [
        { field: 'rated_right', labelKey: 'seriesRight' },
        { field: 'rated_wrong', labelKey: 'seriesWrong' },
      ],
    },
  ];

  function translate(lang, key, params) {
    const table = STRINGS[lang] || STRINGS.nl;
    const template = key in table ? table[key] : STRINGS.nl[key] || key;
    return template.replace(/\{(\w+)\}/g, (match, name) => (params && name in params ? String(params[name]) : match));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Formatting
  // ---------------------------------------------------------------------------------------------

  function formatNumber(value, lang) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nl-NL').format(value);
  }

  function formatRate(value, lang) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nl-NL', { style: 'percent', maximumFractionDigits: 1 }).format(value);
  }

  function formatDuration(seconds, lang) {
    const whole = Math.max(0, Math.round(seconds));
    if (whole < 60) return translate(lang, 'seconds', { count: whole });
    if (whole < 3600) return translate(lang, 'minutes', { minutes: Math.floor(whole / 60), seconds: whole % 60 });
    return translate(lang, 'hours', { hours: Math.floor(whole / 3600), minutes: Math.floor((whole % 3600) / 60) });
  }

  /** `2026-11-30` as a short local date; the date is a calendar day, so it is read in UTC. */
  function formatDate(isoDate, lang) {
    const date = new Date(`${isoDate}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return isoDate;
    return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nl-NL', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
  }

  function formatValue(kind, value, lang) {
    if (value === null || value === undefined) return translate(lang, 'none');
    if (kind === 'rate') return formatRate(value, lang);
    if (kind === 'duration') return formatDuration(value, lang);
    return formatNumber(value, lang);
  }

  /** The smallest of 1, 2, 5 × 10^k that is at least `value` (and at least 1). */
  function niceCeiling(value) {
    if (!(value > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 5, 10]) {
      if (step * power >= value) return step * power;
    }
    return 10 * power;
  }

  /** The top of the value axis: four equal steps of a readable size (whole counts, 15 s). */
  function axisMaximum(kind, largest) {
    if (kind === 'rate') return 1;
    const minimumStep = kind === 'duration' ? 15 : 1;
    return 4 * Math.max(minimumStep, niceCeiling(largest / 4));
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Chart drawing
  // ---------------------------------------------------------------------------------------------

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgElement(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Per day, the value of each series (null when the day has none, e.g. no takeovers). */
  function chartValues(chart, series) {
    return series.map((day) => chart.series.map((item) => (day[item.field] === undefined ? null : day[item.field])));
  }

  /** The one-sentence summary that is the chart's accessible name and visible caption text. */
  function chartSummary(chart, dashboard, values, lang) {
    const t = (key, params) => translate(lang, key, params);
    const days = dashboard.series.length;
    const dayTotals = values.map((row) => row.reduce((sum, value) => sum + (value || 0), 0));
    const known = values.map((row) => row.some((value) => value !== null));
    if (!known.some(Boolean) || (chart.kind === 'count' && dayTotals.every((total) => total === 0))) {
      return t('summaryEmpty', { days });
    }
    let peakIndex = 0;
    dayTotals.forEach((total, index) => {
      if (known[index] && (!known[peakIndex] || total > dayTotals[peakIndex])) peakIndex = index;
    });
    const peakDate = formatDate(dashboard.series[peakIndex].date, lang);
    const peak = formatValue(chart.kind, dayTotals[peakIndex], lang);
    if (chart.kind === 'count') {
      const parts = chart.series
        .map((item, column) => `${t(item.labelKey)} ${formatNumber(values.reduce((sum, row) => sum + (row[column] || 0), 0), lang)}`)
        .join(', ');
      const total = formatNumber(dayTotals.reduce((sum, value) => sum + value, 0), lang);
      return t('summaryCount', { days, total, parts, peakDate, peak });
    }
    const overall = formatValue(chart.kind, dashboard.totals[chart.series[0].field], lang);
    return t(chart.kind === 'rate' ? 'summaryRate' : 'summaryTime', { days, overall, peakDate, peak });
  }

  /** The SVG: horizontal grid with value labels, one (stacked) bar per day, a few date labels. */
  function drawSvg(chart, dashboard, values, lang, labelledBy) {
    const plotWidth = FRAME.width - FRAME.left - FRAME.right;
    const plotHeight = FRAME.height - FRAME.top - FRAME.bottom;
    const dayTotals = values.map((row) => row.reduce((sum, value) => sum + (value || 0), 0));
    const maximum = axisMaximum(chart.kind, Math.max(0, ...dayTotals));
    const svg = svgElement('svg', {
      viewBox: `0 0 ${FRAME.width} ${FRAME.height}`,
      role: 'img',
      'aria-labelledby': labelledBy,
      focusable: 'false',
      class: 'chart-svg',
      'data-testid': `dashboard-chart-${chart.id}-svg`,
    });
    const y = (value) => FRAME.top + plotHeight - (value / maximum) * plotHeight;
    for (let tick = 0; tick <= 4; tick += 1) {
      const value = (maximum * tick) / 4;
      svg.appendChild(svgElement('line', {
        x1: FRAME.left, x2: FRAME.width - FRAME.right, y1: y(value), y2: y(value), stroke: '#9ca3af', 'stroke-width': 1,
      }));
      svg.appendChild(svgElement('text', {
        x: FRAME.left - 6, y: y(value) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#1a1a1a',
      }, chart.kind === 'count' ? formatNumber(value, lang) : formatValue(chart.kind, value, lang)));
    }
    const band = plotWidth / Math.max(1, values.length);
    const barWidth = Math.max(1, band * 0.7);
    values.forEach((row, index) => {
      let base = 0;
      row.forEach((value, column) => {
        if (!value) return;
        const top = y(base + value);
        svg.appendChild(svgElement('rect', {
          x: FRAME.left + index * band + (band - barWidth) / 2,
          y: top,
          width: barWidth,
          height: Math.max(0, y(base) - top),
          fill: COLOURS[column % COLOURS.length],
          'data-field': chart.series[column].field,
        }));
        base += value;
      });
    });
    const labelled = new Set([0, Math.floor((values.length - 1) / 2), values.length - 1]);
    for (const index of labelled) {
      if (!dashboard.series[index]) continue;
      svg.appendChild(svgElement('text', {
        x: FRAME.left + index * band + band / 2,
        y: FRAME.height - 10,
        'text-anchor': 'middle',
        'font-size': 11,
        fill: '#1a1a1a',
      }, formatDate(dashboard.series[index].date, lang)));
    }
    return svg;
  }

  /** A figure: heading, summary (the accessible name), SVG, legend and the data table. */
  function drawChart(chart, dashboard, lang) {
    const t = (key, params) => translate(lang, key, params);
    const values = chartValues(chart, dashboard.series);
    const titleId = `chart-${chart.id}-title`;
    const summaryId = `chart-${chart.id}-summary`;
    const figure = element('figure', { class: 'chart', 'aria-labelledby': titleId, 'data-testid': `dashboard-chart-${chart.id}` });
    const caption = element('figcaption', {});
    caption.appendChild(element('h2', { id: titleId, class: 'chart-title' }, t(chart.titleKey)));
    caption.appendChild(element('p', { id: summaryId, class: 'chart-summary' }, chartSummary(chart, dashboard, values, lang)));
    figure.appendChild(caption);
    figure.appendChild(drawSvg(chart, dashboard, values, lang, `${titleId} ${summaryId}`));

    const legend = element('ul', { class: 'legend', 'aria-label': t('legend') });
    chart.series.forEach((item, column) => {
      const entry = element('li', {});
      entry.appendChild(element('span', { class: `swatch swatch-${column}`, 'aria-hidden': 'true' }));
      entry.appendChild(document.createTextNode(t(item.labelKey)));
      legend.appendChild(entry);
    });
    figure.appendChild(legend);

    const details = element('details', { class: 'chart-data' });
    details.appendChild(element('summary', {}, t('tableToggle')));
    const table = element('table', { 'data-testid': `dashboard-chart-${chart.id}-table` });
    table.appendChild(element('caption', {}, t(chart.titleKey)));
    const head = element('thead');
    const headRow = element('tr');
    headRow.appendChild(element('th', { scope: 'col' }, t('tableDate')));
    for (const item of chart.series) headRow.appendChild(element('th', { scope: 'col' }, t(item.labelKey)));
    head.appendChild(headRow);
    table.appendChild(head);
    const body = element('tbody');
    dashboard.series.forEach((day, index) => {
      const row = element('tr');
      row.appendChild(element('th', { scope: 'row' }, formatDate(day.date, lang)));
      for (const value of values[index]) row.appendChild(element('td', {}, formatValue(chart.kind, value, lang)));
      body.appendChild(row);
    });
    table.appendChild(body);
    details.appendChild(table);
    figure.appendChild(details);
    return figure;
  }

  // ---------------------------------------------------------------------------------------------
  // 4. The page
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code) {
      super(`request failed: ${status} ${code || ''}`);
      this.status = status;
      this.code = code;
    }
  }

  /** A response body as JSON; null when it is empty or not JSON. */
  function parseJson(text) {
    try {
      return text ? JSON.parse(text) : null;
    } catch (_error) {
      return null;
    }
  }

  function errorKey(error) {
    const status = error instanceof ApiError ? error.status : 0;
    if (status === 0) return 'errNetwork';
    if (status === 401) return 'errSession';
    if (status === 403) return 'errForbidden';
    if (status === 429) return 'errRateLimited';
    return 'errGeneric';
  }

  function startDashboard() {
    const byId = (id) => document.getElementById(id);
    const view = {
      langToggle: byId('lang-toggle'),
      logout: byId('logout'),
      whoami: byId('whoami'),
      alert: byId('global-alert'),
      status: byId('global-status'),
      loginView: byId('login-view'),
      loginForm: byId('login-form'),
      username: byId('username'),
      password: byId('password'),
      loginError: byId('login-error'),
      codeField: byId('code-field'),
      loginCode: byId('login-code'),
      appView: byId('app-view'),
      title: byId('dashboard-title'),
      periodForm: byId('period-form'),
      period: byId('period'),
      totals: byId('totals'),
      charts: byId('charts'),
      rightsForm: byId('rights-form'),
      rightsBy: byId('rights-by'),
      rightsId: byId('rights-id'),
      rightsIdLabel: byId('rights-id-label'),
      rightsSubject: byId('rights-subject'),
      rightsSubjectList: byId('rights-subject-list'),
      rightsSubjectExport: byId('rights-subject-export'),
      rightsSubjectEraseConfirm: byId('rights-subject-erase-confirm'),
      rightsSubjectErase: byId('rights-subject-erase'),
      rightsError: byId('rights-error'),
      rightsResult: byId('rights-result'),
      rightsStatus: byId('rights-status'),
      rightsReadOnly: byId('rights-readonly'),
      rightsActions: byId('rights-actions'),
      rightsHold: byId('rights-hold'),
      rightsGroundForm: byId('rights-ground-form'),
      rightsGround: byId('rights-ground'),
      rightsExportJson: byId('rights-export-json'),
      rightsExportHtml: byId('rights-export-html'),
      rightsEraseConfirm: byId('rights-erase-confirm'),
      rightsErase: byId('rights-erase'),
      requestsSummary: byId('requests-summary'),
      requestsRows: byId('requests-rows'),
      requestsForm: byId('requests-form'),
      requestsReference: byId('requests-reference'),
      requestsRight: byId('requests-right'),
      requestsReceived: byId('requests-received'),
      requestsError: byId('requests-error'),
      requestsChat: byId('requests-chat'),
      requestsChatList: byId('requests-chat-list'),
      requestsConversation: byId('requests-conversation'),
    };
    const state = {
      lang: readLang(), me: null, dashboard: null, retention: null, exportUrl: null, subject: null, requests: null,
      // The conversation of a request typed in the chat that the admin is registering.
      requestConversation: null,
    };
    const t = (key, params) => translate(state.lang, key, params);

    function readLang() {
      try {
        const stored = localStorage.getItem(LANG_STORAGE_KEY);
        if (stored === 'nl' || stored === 'en') return stored;
      } catch (_error) {
        // No storage: the default language.
      }
      return 'nl';
    }

    /** Sends a request; the response when it is 2xx, else an ApiError with the body's code. */
    async function send(method, path, body, accept = 'application/json') {
      const headers = { Accept: accept };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (method !== 'GET' && state.me && state.me.csrf_token) headers['X-CSRF-Token'] = state.me.csrf_token;
      let response;
      try {
        response = await fetch(path, {
          method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (_error) {
        throw new ApiError(0, null);
      }
      if (!response.ok) {
        const payload = parseJson(await response.text());
        throw new ApiError(response.status, payload && payload.code);
      }
      return response;
    }

    /** The parsed JSON body of a 2xx answer (null when empty or not JSON). */
    async function request(method, path, body) {
      return parseJson(await (await send(method, path, body)).text());
    }

    /**
     * Shows a failed request in `target`, in the words `keyFor(error)` names; a 401 ends the
     * session instead and the login form says why. False when the session ended.
     */
    function showFailure(error, target, keyFor) {
      view.status.textContent = '';
      if (error instanceof ApiError && error.status === 401) {
        endSession();
        view.loginError.textContent = t('errSession');
        return false;
      }
      target.textContent = t(keyFor(error));
      return true;
    }

    function roleName(role) {
      if (role === 'admin') return t('roleAdmin');
      if (role === 'auditor') return t('roleAuditor');
      return t('roleAgent');
    }

    function applyStaticStrings() {
      document.documentElement.lang = state.lang;
      document.title = t('pageTitle');
      for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.getAttribute('data-i18n'));
      view.langToggle.setAttribute('lang', state.lang === 'nl' ? 'en' : 'nl');
      if (state.me) view.whoami.textContent = t('loggedInAs', { name: state.me.display_name || state.me.username, role: roleName(state.me.role) });
    }

    function renderTotals(dashboard) {
      const totals = dashboard.totals;
      const guards = totals.pii_redacted + totals.privacy_warnings + totals.injection_flagged + totals.output_blocked + totals.advice_declined;
      const entries = [
        ['totalConversations', formatNumber(totals.conversations_started, state.lang), 'conversations'],
        ['totalBot', formatNumber(totals.handled_by_bot, state.lang), 'bot'],
        ['totalHanded', formatNumber(totals.handed_to_people, state.lang), 'handed'],
        ['totalAbstention', formatValue('rate', totals.abstention_rate, state.lang), 'abstention'],
        ['totalTimeToPerson', formatValue('duration', totals.median_seconds_to_person, state.lang), 'time'],
        ['totalGuards', formatNumber(guards, state.lang), 'guards'],
      ];
      view.totals.replaceChildren();
      for (const [key, value, id] of entries) {
        const group = element('div', { class: 'total' });
        group.appendChild(element('dt', {}, t(key)));
        group.appendChild(element('dd', { 'data-testid': `dashboard-total-${id}` }, value));
        view.totals.appendChild(group);
      }
    }

    function render() {
      if (!state.dashboard) return;
      renderTotals(state.dashboard);
      view.charts.replaceChildren(...CHARTS.map((chart) => drawChart(chart, state.dashboard, state.lang)));
    }

    async function load() {
      view.alert.textContent = '';
      view.status.textContent = t('loading');
      try {
        state.dashboard = await request('GET', `/api/v1/admin/dashboard?days=${encodeURIComponent(view.period.value)}`);
        render();
        view.status.textContent = t('loaded', {
          from: formatDate(state.dashboard.from, state.lang),
          to: formatDate(state.dashboard.to, state.lang),
        });
      } catch (error) {
        showFailure(error, view.alert, errorKey);
      }
    }

    // The retention and rights panel: one conversation's retention status (admins and auditors)
    // and, for admins, the legal hold, the statutory ground, the access export and erasure.

    function formatMoment(iso) {
      const date = new Date(iso);
      if (Number.isNaN(date.getTime())) return iso;
      return new Intl.DateTimeFormat(state.lang === 'en' ? 'en-GB' : 'nl-NL', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
    }

    function formatDay(iso) {
      const date = new Date(iso);
      if (Number.isNaN(date.getTime())) return iso;
      return new Intl.DateTimeFormat(state.lang === 'en' ? 'en-GB' : 'nl-NL', { dateStyle: 'long' }).format(date);
    }

    function stateName(name) {
      const key = { bot: 'stateBot', waiting_for_agent: 'stateWaiting', with_agent: 'stateWithAgent', closed: 'stateClosed' }[name];
      return key ? t(key) : name;
    }

    function rightsErrorKey(error) {
      if (error instanceof ApiError) {
        if (error.code === 'unknown_subject' && state.subject) return 'errRightsNoCustomer';
        if (error.status === 404) return 'errRightsNotFound';
        if (error.code === 'legal_hold') return 'errLegalHold';
        if (error.code === 'statutory_retention') return 'errStatutory';
        if (error.status === 403) return 'errRightsAdminOnly';
      }
      return errorKey(error);
    }

    /** Shows a failed rights request; false when the session ended (the login form shows why). */
    function rightsFailed(error) {
      return showFailure(error, view.rightsError, rightsErrorKey);
    }

    function renderRetention() {
      const status = state.retention;
      view.rightsResult.hidden = !status;
      if (!status) {
        view.rightsStatus.replaceChildren();
        return;
      }
      const yesNo = (value) => t(value ? 'rightsYes' : 'rightsNo');
      const until = (value) => (value ? formatDay(value) : t('rightsWhileHeld'));
      const entries = [
        ['rightsState', stateName(status.state), 'state'],
        ['rightsStarted', formatMoment(status.created_at), 'started'],
        ['rightsLastActivity', formatMoment(status.last_activity_at), 'last-activity'],
        ['rightsHold', yesNo(status.legal_hold), 'hold'],
        ['rightsGroundLabel', status.statutory_ground || t('rightsNoGround'), 'ground'],
        ['rightsSensitive', yesNo(status.sensitive), 'sensitive'],
        ['rightsDeletedAfter', until(status.deleted_after), 'deleted-after'],
        ['rightsVaultDeletedAfter', until(status.personal_data_deleted_after), 'vault-deleted-after'],
      ];
      view.rightsStatus.replaceChildren();
      for (const [key, value, id] of entries) {
        const group = element('div', { class: 'total' });
        group.appendChild(element('dt', {}, t(key)));
        group.appendChild(element('dd', { 'data-testid': `dashboard-rights-status-${id}` }, value));
        view.rightsStatus.appendChild(group);
      }
      const admin = Boolean(state.me && state.me.role === 'admin');
      view.rightsActions.hidden = !admin;
      view.rightsReadOnly.hidden = admin;
      view.rightsHold.textContent = t(status.legal_hold ? 'rightsHoldLift' : 'rightsHoldPlace');
      view.rightsHold.setAttribute('aria-pressed', status.legal_hold ? 'true' : 'false');
      const grounds = status.statutory_grounds || [];
      view.rightsGroundForm.hidden = grounds.length === 0 && !status.statutory_ground;
      view.rightsGround.replaceChildren(element('option', { value: '' }, t('rightsGroundNone')));
      for (const ground of grounds) {
        view.rightsGround.appendChild(element('option', { value: ground.ground }, t('rightsGroundOption', { ground: ground.ground, days: formatNumber(ground.days, state.lang) })));
      }
      view.rightsGround.value = status.statutory_ground || '';
    }

    function renderSubject() {
      const subject = state.subject;
      view.rightsSubject.hidden = !subject || !subject.conversations;
      view.rightsSubjectList.replaceChildren();
      if (!subject || !subject.conversations) return;
      for (const status of subject.conversations) {
        const item = element('li');
        const open = element('button', { type: 'button', class: 'button', 'data-testid': `dashboard-rights-subject-${status.id}` },
          t('rightsSubjectItem', { id: status.id, started: formatMoment(status.created_at), state: stateName(status.state) }));
        open.addEventListener('click', () => lookUp(status.id));
        item.appendChild(open);
        view.rightsSubjectList.appendChild(item);
      }
    }

    function renderLookupMode() {
      const admin = Boolean(state.me && state.me.role === 'admin');
      for (const node of document.querySelectorAll('[data-admin-only]')) node.hidden = !admin;
      if (!admin) view.rightsBy.value = 'conversation';
      view.rightsIdLabel.textContent = t(view.rightsBy.value === 'customer' ? 'rightsCustomerId' : 'rightsId');
    }

    /** Finds every conversation of a customer the company's login identified (admins). */
    async function findSubject(customer) {
      view.rightsError.textContent = '';
      state.retention = null;
      renderRetention();
      state.subject = { customer, conversations: null };
      view.status.textContent = t('rightsLoading');
      try {
        const found = await request('POST', '/api/v1/admin/subjects/retention', { customer });
        state.subject.conversations = found.conversations;
        renderSubject();
        view.status.textContent = t('rightsSubjectLoaded', { count: formatNumber(found.conversations.length, state.lang) });
      } catch (error) {
        renderSubject();
        rightsFailed(error);
        state.subject = null;
      }
    }

    async function lookUp(id, message) {
      view.rightsError.textContent = '';
      view.status.textContent = t('rightsLoading');
      try {
        state.retention = await request('GET', `/api/v1/admin/conversations/${encodeURIComponent(id)}`);
        renderRetention();
        view.status.textContent = message || t('rightsLoaded');
      } catch (error) {
        state.retention = null;
        renderRetention();
        rightsFailed(error);
      }
    }

    /** Runs an admin action on the conversation shown, then shows its status again. */
    async function act(action, message) {
      const id = state.retention && state.retention.id;
      if (!id) return;
      view.rightsError.textContent = '';
      try {
        await action(id);
        await lookUp(id, message);
      } catch (error) {
        rightsFailed(error);
      }
    }

    /** Downloads the access export (GDPR art. 15) of the conversation shown, as a file. */
    async function downloadExport(format, subject, name) {
      if (!subject) return;
      view.rightsError.textContent = '';
      let response;
      try {
        response = await send('POST', '/api/v1/admin/subjects/export', { ...subject, format },
          format === 'html' ? 'text/html' : 'application/json');
      } catch (error) {
        rightsFailed(error);
        return;
      }
      const file = `loket-export-${name}.${format}`;
      // The previous export's file is released now rather than on a timer (DIS-08).
      if (state.exportUrl) URL.revokeObjectURL(state.exportUrl);
      state.exportUrl = URL.createObjectURL(await response.blob());
      const link = element('a', { href: state.exportUrl, download: file });
      document.body.appendChild(link);
      link.click();
      link.remove();
      view.status.textContent = t('rightsExported', { file });
    }

    view.rightsForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = view.rightsId.value.trim();
      const byCustomer = view.rightsBy.value === 'customer';
      if (!value) {
        view.rightsError.textContent = t(byCustomer ? 'errRightsCustomerId' : 'errRightsId');
        view.rightsId.focus();
        return;
      }
      if (byCustomer) {
        findSubject(value);
      } else {
        state.subject = null;
        renderSubject();
        lookUp(value);
      }
    });

    view.rightsBy.addEventListener('change', () => {
      renderLookupMode();
      view.rightsError.textContent = '';
    });

    view.rightsSubjectExport.addEventListener('click', () => {
      if (state.subject) downloadExport('json', { customer: state.subject.customer }, 'customer');
    });

    view.rightsHold.addEventListener('click', () => {
      const hold = !state.retention.legal_hold;
      act(
        (id) => request('POST', `/api/v1/admin/conversations/${encodeURIComponent(id)}/legal-hold`, { hold }),
        t(hold ? 'rightsHoldPlaced' : 'rightsHoldLifted'),
      );
    });

    view.rightsGroundForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const ground = view.rightsGround.value || null;
      act(
        (id) => request('POST', `/api/v1/admin/conversations/${encodeURIComponent(id)}/statutory-retention`, { ground }),
        t('rightsGroundSaved'),
      );
    });

    /** The conversation shown, as the body of an export and the name of its file. */
    function shownConversation() {
      const id = state.retention && state.retention.id;
      return id ? [{ conversation_id: id }, id] : [null, ''];
    }

    view.rightsExportJson.addEventListener('click', () => downloadExport('json', ...shownConversation()));
    view.rightsExportHtml.addEventListener('click', () => downloadExport('html', ...shownConversation()));

    /**
     * Erases what `body` names once `confirm` is ticked (GDPR art. 17); `erased` updates the page
     * with the deletion certificate.
     */
    async function erase(confirm, body, erased) {
      if (!confirm.checked) {
        view.rightsError.textContent = t('errEraseConfirm');
        confirm.focus();
        return;
      }
      view.rightsError.textContent = '';
      try {
        const certificate = await request('POST', '/api/v1/admin/subjects/erase', body);
        confirm.checked = false;
        erased(certificate);
        view.rightsId.focus();
      } catch (error) {
        rightsFailed(error);
      }
    }

    view.rightsSubjectErase.addEventListener('click', () => {
      const subject = state.subject;
      if (!subject || !subject.conversations) return;
      erase(view.rightsSubjectEraseConfirm, { customer: subject.customer }, (certificate) => {
        state.subject = null;
        state.retention = null;
        renderSubject();
        renderRetention();
        view.status.textContent = t('rightsSubjectErased', {
          count: formatNumber(certificate.conversations.length, state.lang),
          certificate: certificate.certificate_id,
        });
      });
    });

    view.rightsErase.addEventListener('click', () => {
      const id = state.retention && state.retention.id;
      if (!id) return;
      erase(view.rightsEraseConfirm, { conversation_id: id }, (certificate) => {
        state.retention = null;
        renderRetention();
        if (state.subject && state.subject.conversations) {
          state.subject.conversations = state.subject.conversations.filter((status) => status.id !== id);
          renderSubject();
        }
        view.status.textContent = t('rightsErased', { certificate: certificate.certificate_id });
      });
    });

    // The register of data subjects' requests (GDPR art. 12(3)): each request with its deadline
    // and standing, open ones first; admins register a request, record the extension told to the
    // customer and the answer. Only references, rights and times: no names, no messages.

    const RIGHT_KEYS = {
      access: 'rightAccess', rectification: 'rightRectification', erasure: 'rightErasure',
      restriction: 'rightRestriction', portability: 'rightPortability', objection: 'rightObjection',
      unspecified: 'rightUnspecified',
    };
    const OUTCOME_KEYS = { fulfilled: 'outcomeFulfilled', partly_fulfilled: 'outcomePartlyFulfilled', refused: 'outcomeRefused' };
    const STANDING_KEYS = {
      open: 'standingOpen', due_soon: 'standingDueSoon', overdue: 'standingOverdue',
      answered_in_time: 'standingAnsweredInTime', answered_late: 'standingAnsweredLate',
    };
    const REFERENCE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
    const keyed = (keys, name) => (keys[name] ? t(keys[name]) : name);

    function requestsErrorKey(error) {
      if (error instanceof ApiError) {
        const key = {
          invalid_reference: 'errRequestsReference',
          reference_taken: 'errRequestsTaken',
          invalid_time: 'errRequestsFuture',
          extension_too_late: 'errRequestsTooLate',
          already_answered: 'errRequestsAnswered',
        }[error.code];
        if (key) return key;
        if (error.status === 403) return 'errRightsAdminOnly';
      }
      return errorKey(error);
    }

    function requestsFailed(error) {
      showFailure(error, view.requestsError, requestsErrorKey);
    }

    /** The standing cell's text: where the request stands, its extension and its answer. */
    function standingText(entry) {
      const parts = [keyed(STANDING_KEYS, entry.standing)];
      if (entry.extended_at) parts.push(t('requestsExtended', { date: formatMoment(entry.extended_at) }));
      if (entry.answered_at) {
        parts.push(t('requestsAnsweredOn', { outcome: keyed(OUTCOME_KEYS, entry.outcome), date: formatMoment(entry.answered_at) }));
      }
      return parts.join('. ');
    }

    function requestActions(entry) {
      const actions = element('div', { class: 'request-actions' });
      if (entry.extension_possible_until) {
        const extend = element('button', { type: 'button', class: 'button', 'data-testid': `dashboard-request-extend-${entry.reference}` }, t('requestsExtend'));
        extend.setAttribute('aria-describedby', `request-extend-until-${entry.reference}`);
        extend.addEventListener('click', () => changeRequest(entry.reference, 'extend', {}, (changed) => t('requestsExtendedDone', {
          reference: changed.reference, date: formatDay(changed.deadline),
        })));
        actions.appendChild(extend);
        actions.appendChild(element('span', { id: `request-extend-until-${entry.reference}`, class: 'muted' },
          t('requestsExtendUntil', { date: formatMoment(entry.extension_possible_until) })));
      }
      const selectId = `request-outcome-${entry.reference}`;
      actions.appendChild(element('label', { for: selectId, class: 'visually-hidden' }, t('requestsOutcome', { reference: entry.reference })));
      const outcome = element('select', { id: selectId, 'data-testid': `dashboard-request-outcome-${entry.reference}` });
      for (const [value, key] of Object.entries(OUTCOME_KEYS)) outcome.appendChild(element('option', { value }, t(key)));
      actions.appendChild(outcome);
      const answer = element('button', { type: 'button', class: 'button', 'data-testid': `dashboard-request-answer-${entry.reference}` }, t('requestsAnswer'));
      answer.addEventListener('click', () => changeRequest(entry.reference, 'answer', { outcome: outcome.value }, (changed) => t('requestsAnsweredDone', {
        reference: changed.reference, standing: keyed(STANDING_KEYS, changed.standing),
      })));
      actions.appendChild(answer);
      return actions;
    }

    function renderRequests() {
      const register = state.requests;
      view.requestsRows.replaceChildren();
      renderChatRequests();
      if (!register) {
        view.requestsSummary.textContent = '';
        return;
      }
      view.requestsSummary.textContent = register.requests.length === 0
        ? t('requestsEmpty')
        : t('requestsSummary', {
          open: formatNumber(register.open, state.lang),
          late: formatNumber(register.late, state.lang),
          total: formatNumber(register.requests.length, state.lang),
        });
      const admin = Boolean(state.me && state.me.role === 'admin');
      for (const entry of register.requests) {
        const row = element('tr', { 'data-testid': `dashboard-request-${entry.reference}` });
        row.appendChild(element('th', { scope: 'row', tabindex: '-1', id: `request-${entry.reference}`, 'data-label': t('requestsReference') }, entry.reference));
        row.appendChild(element('td', { 'data-label': t('requestsRight') }, keyed(RIGHT_KEYS, entry.right)));
        row.appendChild(element('td', { 'data-label': t('requestsReceived') }, formatMoment(entry.received_at)));
        row.appendChild(element('td', { 'data-label': t('requestsDeadline') }, formatMoment(entry.deadline)));
        const late = entry.standing === 'overdue' || entry.standing === 'answered_late';
        row.appendChild(element('td', {
          'data-label': t('requestsStanding'), 'data-testid': `dashboard-request-standing-${entry.reference}`, class: late ? 'late' : '',
        }, standingText(entry)));
        if (admin) {
          const cell = element('td', { 'data-label': t('requestsActions') });
          if (!entry.answered_at) cell.appendChild(requestActions(entry));
          row.appendChild(cell);
        }
        view.requestsRows.appendChild(row);
      }
    }

    /** A `datetime-local` value (the admin's local time, to the minute) for an ISO time. */
    function localInputValue(iso) {
      const moment = new Date(iso);
      if (Number.isNaN(moment.getTime())) return '';
      const pad = (number) => String(number).padStart(2, '0');
      return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
    }

    function renderPickedConversation() {
      const id = state.requestConversation;
      view.requestsConversation.hidden = !id;
      view.requestsConversation.textContent = id ? t('requestsConversation', { id }) : '';
    }

    /** Fills the register form from a request typed in the chat; the admin adds the reference. */
    function pickChatRequest(typed) {
      state.requestConversation = typed.conversation_id;
      if (RIGHT_KEYS[typed.right] && typed.right !== 'unspecified') view.requestsRight.value = typed.right;
      view.requestsReceived.value = localInputValue(typed.received_at);
      renderPickedConversation();
      view.status.textContent = t('requestsChatPicked', { id: typed.conversation_id });
      view.requestsReference.focus();
    }

    function renderChatRequests() {
      const typed = (state.requests && state.requests.from_chat) || [];
      view.requestsChatList.replaceChildren();
      view.requestsChat.hidden = typed.length === 0;
      const admin = Boolean(state.me && state.me.role === 'admin');
      for (const entry of typed) {
        const textId = `request-chat-${entry.conversation_id}`;
        const item = element('li', { 'data-testid': `dashboard-request-chat-${entry.conversation_id}`, class: entry.overdue ? 'late' : '' });
        item.appendChild(element('span', { id: textId }, t('requestsChatItem', {
          right: keyed(RIGHT_KEYS, entry.right),
          id: entry.conversation_id,
          received: formatMoment(entry.received_at),
          deadline: formatMoment(entry.deadline),
        })));
        if (entry.overdue) item.appendChild(element('strong', {}, ` ${t('requestsChatOverdue')}`));
        if (admin) {
          const pick = element('button', {
            type: 'button', class: 'button', 'aria-describedby': textId, 'data-testid': `dashboard-request-chat-register-${entry.conversation_id}`,
          }, t('requestsChatRegister'));
          pick.addEventListener('click', () => pickChatRequest(entry));
          item.appendChild(pick);
        }
        view.requestsChatList.appendChild(item);
      }
    }

    async function loadRequests() {
      try {
        state.requests = await request('GET', '/api/v1/admin/rights-requests');
        renderRequests();
      } catch (error) {
        requestsFailed(error);
      }
    }

    /** Records the extension or the answer of `reference`, then shows the register again. */
    async function changeRequest(reference, action, body, message) {
      view.requestsError.textContent = '';
      try {
        const changed = await request('POST', `/api/v1/admin/rights-requests/${encodeURIComponent(reference)}/${action}`, body);
        await loadRequests();
        view.status.textContent = message(changed);
        const header = document.getElementById(`request-${reference}`);
        if (header) header.focus();
      } catch (error) {
        requestsFailed(error);
      }
    }

    view.requestsForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const reference = view.requestsReference.value.trim();
      if (!REFERENCE_PATTERN.test(reference)) {
        view.requestsError.textContent = t('errRequestsReference');
        view.requestsReference.focus();
        return;
      }
      const body = { reference, right: view.requestsRight.value };
      if (state.requestConversation) body.conversation_ids = [state.requestConversation];
      if (view.requestsReceived.value) {
        // A datetime-local value is the admin's local time.
        const received = new Date(view.requestsReceived.value);
        if (Number.isNaN(received.getTime())) {
          view.requestsError.textContent = t('errRequestsFuture');
          view.requestsReceived.focus();
          return;
        }
        body.received_at = received.toISOString();
      }
      view.requestsError.textContent = '';
      try {
        const registered = await request('POST', '/api/v1/admin/rights-requests', body);
        view.requestsReference.value = '';
        view.requestsReceived.value = '';
        state.requestConversation = null;
        renderPickedConversation();
        await loadRequests();
        view.status.textContent = t('requestsRegistered', { reference: registered.reference, date: formatMoment(registered.deadline) });
        view.requestsReference.focus();
      } catch (error) {
        requestsFailed(error);
        view.requestsReference.focus();
      }
    });

    function beginSession(me, moveFocus) {
      state.me = me;
      applyStaticStrings();
      view.logout.hidden = false;
      view.whoami.hidden = false;
      if (me.second_factor === 'setup_required') {
        view.loginView.hidden = true;
        view.appView.hidden = true;
        view.alert.textContent = t('errSetupRequired');
        return;
      }
      if (me.role !== 'admin' && me.role !== 'auditor') {
        view.loginView.hidden = true;
        view.appView.hidden = true;
        view.alert.textContent = t('errForbidden');
        return;
      }
      view.loginView.hidden = true;
      view.appView.hidden = false;
      renderLookupMode();
      if (moveFocus) view.title.focus();
      load();
      loadRequests();
    }

    function endSession() {
      state.me = null;
      state.dashboard = null;
      view.appView.hidden = true;
      view.loginView.hidden = false;
      view.logout.hidden = true;
      view.whoami.hidden = true;
      view.whoami.textContent = '';
      view.charts.replaceChildren();
      view.totals.replaceChildren();
      state.retention = null;
      renderRetention();
      state.subject = null;
      renderSubject();
      view.rightsError.textContent = '';
      state.requests = null;
      state.requestConversation = null;
      renderPickedConversation();
      renderRequests();
      view.requestsError.textContent = '';
      if (state.exportUrl) URL.revokeObjectURL(state.exportUrl);
      state.exportUrl = null;
    }

    view.loginForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const username = view.username.value.trim();
      const password = view.password.value;
      if (!username || !password) {
        view.loginError.textContent = t('errMissingLogin');
        (username ? view.password : view.username).focus();
        return;
      }
      view.loginError.textContent = '';
      view.status.textContent = t('loggingIn');
      const body = { username, password };
      const code = view.codeField.hidden ? '' : view.loginCode.value.trim();
      if (code) body.code = code;
      try {
        const me = await request('POST', '/api/v1/agent/login', body);
        view.password.value = '';
        view.loginCode.value = '';
        view.codeField.hidden = true;
        view.status.textContent = '';
        beginSession(me, true);
      } catch (error) {
        view.status.textContent = '';
        const status = error instanceof ApiError ? error.status : 0;
        const errorCode = error instanceof ApiError ? error.code : null;
        if (errorCode === 'second_factor_required' || errorCode === 'invalid_second_factor') {
          // The password was right; the account has an authenticator app (SEC-09).
          view.codeField.hidden = false;
          view.loginError.textContent = t(errorCode === 'second_factor_required' ? 'codeNeeded' : 'errInvalidCode');
          view.loginCode.focus();
          return;
        }
        view.loginError.textContent = t(status === 401 ? 'errInvalidCredentials' : errorKey(error));
        view.password.focus();
      }
    });

    view.logout.addEventListener('click', async () => {
      try {
        await request('POST', '/api/v1/agent/logout');
      } catch (_error) {
        // The session is dropped locally either way.
      }
      view.alert.textContent = '';
      endSession();
      view.username.focus();
    });

    view.periodForm.addEventListener('submit', (event) => {
      event.preventDefault();
      load();
    });

    view.langToggle.addEventListener('click', () => {
      state.lang = state.lang === 'nl' ? 'en' : 'nl';
      try {
        localStorage.setItem(LANG_STORAGE_KEY, state.lang);
      } catch (_error) {
        // Without storage the choice lasts for this page view only.
      }
      applyStaticStrings();
      render();
      renderRetention();
      renderSubject();
      renderLookupMode();
      renderRequests();
    });

    applyStaticStrings();
    // An existing console session opens the dashboard directly.
    request('GET', '/api/v1/agent/me')
      .then((me) => beginSession(me, false))
      .catch(() => endSession());
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startDashboard);
  else startDashboard();
})();
