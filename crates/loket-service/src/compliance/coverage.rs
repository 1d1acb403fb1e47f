//! The rows of the requirements that are mostly true by how Loket is built, so that the report
//! has a row for every requirement of REQUIREMENTS.md, not only for those with counters of their
//! own. A regulator who looks for HUM-01 or PII-08 finds what makes it true, the configuration
//! around it, the counts that show it working, and what the company still has to do. The
//! accessibility rows take their status from the browser tests of the recorded run: each test
//! names the requirements it checks, and the run's summary counts how those tests ended.
//!
//! The status rules are those of `requirements`: "met" where Loket itself makes it true and no
//! setting can undo it; "not met" where a setting undoes it; "requires human input" where part of
//! it is the company's (its infrastructure, its staff, its content, a legal judgement).

use std::collections::BTreeMap;

use loket_core::Locale;
use loket_core::config::{LawfulBasis, SecondFactorPolicy, Sector, ValidConfig};

use super::requirements::row;
use super::{AccessibilityStatus, BrowserTests, Evidence, RequirementRow, Status, listing, or_none};
use crate::rights_request::Right;

/// The requirements of REQUIREMENTS.md that every report has a row for: all of sections 1A to 1H.
pub const REPORTED_REQUIREMENTS: [&str; 112] = [
    "DIS-01", "DIS-02", "DIS-03", "DIS-04", "DIS-05", "DIS-06", "DIS-07", "DIS-08", "DIS-09", "DIS-10", "DIS-11",
    "DIS-12", "DIS-13", "HUM-01", "HUM-02", "HUM-03", "HUM-04", "HUM-05", "HUM-06", "HUM-07", "HUM-08", "HUM-09",
    "HUM-10", "HUM-11", "HUM-12", "ACC-01", "ACC-02", "ACC-03", "ACC-04", "ACC-05", "ACC-06", "ACC-07", "ACC-08",
    "ACC-09", "ACC-10", "A11Y-01", "A11Y-02", "A11Y-03", "A11Y-04", "A11Y-05", "A11Y-06", "A11Y-07", "A11Y-08",
    "A11Y-09", "A11Y-10", "A11Y-11", "A11Y-12", "A11Y-13", "A11Y-14", "A11Y-15", "A11Y-16", "A11Y-17", "A11Y-18",
    "A11Y-19", "A11Y-20", "PRIV-01", "PRIV-02", "PRIV-03", "PRIV-04", "PRIV-05", "PRIV-06", "PRIV-07", "PRIV-08",
    "PRIV-09", "PRIV-10", "PRIV-11", "PRIV-12", "PRIV-13", "PRIV-14", "PRIV-15", "PRIV-16", "PRIV-17", "PII-01",
    "PII-02", "PII-03", "PII-04", "PII-05", "PII-06", "PII-07", "PII-08", "RET-01", "RET-02", "RET-03", "RET-04",
    "RET-05", "RET-06", "RET-07", "RET-08", "SEC-01", "SEC-02", "SEC-03", "SEC-04", "SEC-05", "SEC-06", "SEC-07",
    "SEC-08", "SEC-09", "SEC-10", "SEC-11", "SEC-12", "SEC-13", "SEC-14", "GOV-01", "GOV-02", "GOV-03", "GOV-04",
    "GOV-05", "GOV-06", "GOV-07", "GOV-08", "GOV-09", "GOV-10",
];

/// The add-ons of section 1J, reported with `company.sector = "financial"`.
pub const FINANCIAL_REQUIREMENTS: [&str; 6] = ["FIN-01", "FIN-02", "FIN-03", "FIN-04", "FIN-05", "FIN-06"];

/// The REQUIREMENTS.md baseline these rows follow (GOV-09): its date and the guidance it rests on.
pub const REQUIREMENTS_BASELINE: &str = "REQUIREMENTS.md of November 2026: AI Act art. 50 (applicable since \
    2 August 2026), AP/ACM letter of 2 October 2025 and call for input of April 2026, EAA, GDPR/UAVG";

/// The accessibility requirements the browser tests check, with the row's title.
const BROWSER_CHECKED: [(&str, &str); 12] = [
    (
        "A11Y-02",
        "New messages, status and errors are announced by screen readers without moving focus",
    ),
    (
        "A11Y-03",
        "Everything works by keyboard; Esc minimises and returns focus; no keyboard trap",
    ),
    (
        "A11Y-04",
        "Opening moves focus into the chat, closing returns it to the launcher",
    ),
    (
        "A11Y-05",
        "The focus indicator is visible, and the widget never hides the page's focused element",
    ),
    (
        "A11Y-06",
        "Text and controls have enough contrast; authors are told apart by a label, not colour alone",
    ),
    (
        "A11Y-07",
        "Usable at 200% zoom, at 320 CSS px width and with text-spacing overrides",
    ),
    (
        "A11Y-08",
        "Launcher, send, close, person and suggestion targets are at least 24 by 24 CSS px",
    ),
    ("A11Y-10", "Names, roles and states are correct"),
    (
        "A11Y-11",
        "Messages in another language than the page's carry a lang attribute",
    ),
    ("A11Y-12", "No auto-open, focus stealing or autoplay; no animation"),
    (
        "A11Y-13",
        "The launcher and the contact links keep the same relative order on every page",
    ),
    (
        "A11Y-16",
        "Chat is never the only channel; the alternatives are easy to find",
    ),
];

fn count(map: &BTreeMap<String, u64>, key: &str) -> u64 {
    map.get(key).copied().unwrap_or(0)
}

/// The rows of this module, in no particular order; `requirements` files them in their sections.
pub(super) fn rows(
    config: &ValidConfig,
    evidence: &Evidence,
    accessibility: &AccessibilityStatus,
) -> Vec<RequirementRow> {
    let mut rows = disclosure_and_contact_rows(config, evidence);
    rows.extend(accessibility_rows(config, accessibility));
    rows.extend(answer_rows(config, evidence));
    rows.extend(privacy_rows(config, evidence));
    rows.extend(security_rows(config, evidence));
    rows
}

fn disclosure_and_contact_rows(config: &ValidConfig, evidence: &Evidence) -> Vec<RequirementRow> {
    let settings = &config.config;
    let handoff = &evidence.handoff;
    let store = &evidence.store;
    let blocked = &evidence.guards.output_blocked_by_reason;
    // The human-claim filter's kinds are its `output_blocked` reasons (DIS-06).
    let claims_blocked: u64 = loket_guard::intent::claim_kinds()
        .iter()
        .map(|claim| count(blocked, claim))
        .sum();
    vec![
        row(
            "DIS-02",
            "While the AI handles the conversation, a visible label in the widget's header says so, also to screen readers",
            Status::Met,
            vec![
                "the widget's header carries a label that it is the AI assistant and not a person; it is the chat dialog's accessible description, so screen readers announce it with the dialog".into(),
                "while a person has taken over, the label says a person writes; back with the assistant it says AI again".into(),
                "no setting hides it; browser tests check it at turns 0, 1 and 2, in the error state and after a hand-back".into(),
            ],
        ),
        row(
            "DIS-04",
            "Every channel sends its own disclosure at the first interaction",
            Status::Met,
            vec![
                "one channel: the customer API, which the web widget (and any app of the company's built on it) uses; there is no WhatsApp, text message, e-mail or voice channel".into(),
                "a conversation can only be opened with the disclosure as its first message: the state machine writes it, and the database refuses an AI message before it".into(),
                format!("disclosures per channel: {}", listing(&evidence.disclosure.by_channel)),
            ],
        ),
        row(
            "DIS-06",
            "Asked whether it is a person, the bot says truthfully that it is an AI; a filter blocks any claim to be human",
            Status::Met,
            vec![
                format!(
                    "questions whether the customer talks to a person, answered with the fixed truthful text: {}",
                    evidence.answers.identity_answers
                ),
                format!(
                    "claims to be human blocked on the way out (approved text): {claims_blocked}; a generated sentence with one falls back to the approved text ({} fallbacks by the output check)",
                    count(&evidence.answers.fallback_reasons, "output_guard")
                ),
                "the question rules (direct, indirect, role play, \"pretend to be human\", Dutch and English) and the filter are code, not prompt instructions; no setting switches them off".into(),
            ],
        ),
        row(
            "DIS-08",
            "The interface does not simulate a person: no typing indicator for the AI, no artificial delays",
            Status::Met,
            vec![
                "while a reply is made the status line says the AI assistant is making an answer; there is no typing animation".into(),
                "answers are sent when ready; the only waits are retries after a model error (with a model configured)".into(),
                "no voice channel, so no spoken fillers".into(),
            ],
        ),
        row(
            "DIS-09",
            "Every message is attributed to the AI, a person (with role), the system or the customer",
            Status::Met,
            vec![
                format!(
                    "stored messages by author: AI {}, staff {}, system {}, customer {}",
                    store.messages_ai, store.messages_agent, store.messages_system, store.messages_customer
                ),
                format!(
                    "every message carries its author in the API, a visible name in the widget (\"{}\", \"naam, medewerker\", \"Systeembericht\", \"U\") and a line tag in the transcript download",
                    config.wording.bot_name(Locale::Nl)
                ),
            ],
        ),
        row(
            "HUM-01",
            "A \"Talk to a person\" control is there from turn 0 and in every state, by keyboard too",
            Status::Met,
            vec![
                "the control \"Praat met een medewerker\" / \"Talk to a person\" is part of the chat window itself, never hidden or disabled; the request is accepted in every state of the conversation".into(),
                format!(
                    "requests by the control: {}; typed: {}",
                    count(&handoff.requested_by_trigger, "button"),
                    count(&handoff.requested_by_trigger, "text")
                ),
                "no setting removes it; browser tests use it by mouse, Enter and Space, at turn 0, later turns, in the error state and after closing".into(),
            ],
        ),
        row(
            "HUM-03",
            "At handover the person gets the whole conversation; the customer need not repeat anything",
            Status::Met,
            vec![
                format!(
                    "conversations taken over: {}; each gives the person every message from the start, with the customer's ratings",
                    handoff.accepted
                ),
                format!(
                    "transcripts opened by staff, each audited with its ground: {}",
                    evidence.staff.transcript_views
                ),
                "personal data appears as placeholders such as [IBAN_1]; the person can reveal one when needed, each reveal audited".into(),
                "the customer is told the person can read the conversation so far and need not repeat it".into(),
            ],
        ),
        row(
            "HUM-05",
            "The legally required contact details can be reached from the widget without going through the bot",
            Status::RequiresHumanInput,
            vec![
                format!(
                    "the widget's header links, without a question to the bot: phone {}, e-mail {}, contact page {}",
                    or_none(&settings.contact.phone),
                    or_none(&settings.contact.email),
                    or_none(&settings.contact.contact_url)
                ),
                "Loket holds no postal address: confirm the contact page gives the address BW 3:15d and 6:230m ask for".into(),
            ],
        ),
        row(
            "HUM-07",
            "Complaints, crises, withdrawal statements and legal claims go to a person; the chat takes no decisions",
            Status::Met,
            vec![
                format!(
                    "handed to a person on their own words: complaints (legal claims and disputes included) {}, crises {}, withdrawal statements {}",
                    count(&handoff.requested_by_trigger, "complaint"),
                    count(&handoff.requested_by_trigger, "crisis"),
                    count(&handoff.requested_by_trigger, "withdrawal")
                ),
                "a crisis first gets 113 Zelfmoordpreventie and 112, then a person or, when nobody is online, the other ways to reach one".into(),
                format!(
                    "data subjects' requests typed in the chat go to a person with a fixed, non-AI acknowledgement (the month of art. 12(3), the widget's download and erase controls{}): {}",
                    if settings.privacy.dpo_contact.is_some() { ", the DPO's contact" } else { "" },
                    listing(&handoff.rights_requests)
                ),
                "the customer downloads or erases the conversation in the widget; the privacy officer registers and answers requests (PRIV-07)".into(),
                "the chat makes no decisions about the customer (HUM-09); the rules are code and cannot be switched off".into(),
            ],
        ),
        hum_08_row(config, evidence),
        row(
            "HUM-11",
            "Every switch between bot and person is announced with a system message",
            Status::Met,
            vec![
                format!(
                    "takeovers announced (\"U chat nu met {{naam}}, medewerker van {}\"): {}",
                    or_none(&settings.company.name),
                    handoff.accepted
                ),
                format!(
                    "returns to the AI assistant announced (\"U chat weer met de AI-assistent\", then the disclosure): {}",
                    handoff.hand_backs
                ),
                "the announcements come from the state machine, which has no switch without one".into(),
            ],
        ),
    ]
}

/// HUM-08: a financial company must offer a person in the language of its pre-contractual
/// information. Loket queues a customer only for someone who speaks the conversation's language,
/// so what remains is staffing every language the chat speaks.
fn hum_08_row(config: &ValidConfig, evidence: &Evidence) -> RequirementRow {
    let store = &evidence.store;
    let languages = [
        ("Dutch", store.operators_serving_dutch),
        ("English", store.operators_serving_english),
    ];
    let unstaffed: Vec<&str> = languages
        .iter()
        .filter(|(_, operators)| *operators == 0)
        .map(|(language, _)| *language)
        .collect();
    let financial = config.config.company.sector == Sector::Financial;
    let status = if !financial || unstaffed.is_empty() {
        Status::Met
    } else {
        Status::RequiresHumanInput
    };
    let mut lines = vec![
        format!(
            "operators serving customers in Dutch: {}, in English: {}",
            store.operators_serving_dutch, store.operators_serving_english
        ),
        "a customer is queued only while someone who speaks the conversation's language is online; otherwise they are told so and get the phone, e-mail and callback alternatives".into(),
        format!(
            "requests not honoured for want of an operator in the customer's language: {}",
            count(&evidence.handoff.unavailable_by_reason, "no_agent_in_language")
        ),
    ];
    if !financial {
        lines.push("company.sector = \"general\": the duty of CRD art. 16d(3) applies to financial services; the language rule holds anyway".into());
    } else if !unstaffed.is_empty() {
        lines.push(format!(
            "no operator account serves customers in {}: confirm no pre-contractual information is given in that language",
            unstaffed.join(" or ")
        ));
    }
    row(
        "HUM-08",
        "Financial services: a person can be reached in business hours, in the language of the pre-contractual information",
        status,
        lines,
    )
}

/// The browser tests' outcome for `id` in the recorded run, if any test named it.
fn browser_tests<'a>(accessibility: &'a AccessibilityStatus, id: &str) -> Option<&'a BrowserTests> {
    match accessibility {
        AccessibilityStatus::Recorded(run) => run.requirements.get(id),
        _ => None,
    }
}

/// Adds to every row the browser tests of the recorded run that name its requirement; a failed
/// one makes the row not met, whatever else shows: the build the run tested does not do it.
pub(super) fn add_browser_tests(rows: &mut [RequirementRow], accessibility: &AccessibilityStatus) {
    let AccessibilityStatus::Recorded(run) = accessibility else {
        return;
    };
    for row in rows {
        if let Some(tests) = run.requirements.get(&row.id) {
            row.evidence.push(format!(
                "browser tests naming it in the run of {}: {} passed, {} failed",
                run.generated_at.format("%Y-%m-%d"),
                tests.passed,
                tests.failed
            ));
            if tests.failed > 0 {
                row.status = Status::NotMet;
            }
        }
    }
}

fn accessibility_rows(config: &ValidConfig, accessibility: &AccessibilityStatus) -> Vec<RequirementRow> {
    let recorded = matches!(accessibility, AccessibilityStatus::Recorded(_));
    let mut rows: Vec<RequirementRow> = BROWSER_CHECKED
        .iter()
        .map(|(id, title)| {
            let (status, line) = match browser_tests(accessibility, id) {
                Some(tests) if tests.failed == 0 && tests.passed > 0 => (Status::Met, None),
                Some(_) => (Status::NotMet, None),
                None if recorded => (
                    Status::NoEvidenceYet,
                    Some("no browser test of the recorded run names it".to_string()),
                ),
                None => (Status::NoEvidenceYet, Some("no browser run recorded".to_string())),
            };
            let mut evidence: Vec<String> = line.into_iter().collect();
            if *id == "A11Y-02" {
                evidence.push("the live regions are checked in the browser; a walkthrough with NVDA or VoiceOver is manual: keep its record with this report".into());
            }
            row(id, title, status, evidence)
        })
        .collect();
    let financial = config.config.company.sector == Sector::Financial;
    rows.extend([
        row(
            "A11Y-14",
            "Starting a chat or logging in needs no cognitive test",
            Status::Met,
            vec!["the chat opens without a login or CAPTCHA; a logged-in customer's identity comes from the company's own site; staff codes can be pasted".into()],
        ),
        row(
            "A11Y-15",
            "Images and icons have text alternatives; answers are semantic",
            Status::Met,
            vec!["messages are shown as text with their links written out; the widget shows no images, and every icon button has a text name".into()],
        ),
        row(
            "A11Y-17",
            "The bot can give the service's accessibility information when asked",
            Status::RequiresHumanInput,
            vec!["the notice at /about has a section on accessibility (GOV-08); put that information in the knowledge base too, so the bot answers questions about it".into()],
        ),
        row(
            "A11Y-18",
            "Banking: information is no more complex than CEFR B2",
            if financial { Status::RequiresHumanInput } else { Status::Met },
            vec![if financial {
                "the texts Loket writes are checked for reading ease at every start (DIS-11); the knowledge base's banking information needs a person's check at B2".into()
            } else {
                "applies to banking (company.sector = \"general\")".into()
            }],
        ),
        row(
            "A11Y-19",
            "The native mobile SDK meets EN 301 549 §11",
            Status::Met,
            vec!["no native SDK: the widget runs in the browser, also on phones".into()],
        ),
        row(
            "A11Y-20",
            "Voice: a text alternative, captions and a keypad alternative",
            Status::Met,
            vec!["no voice channel".into()],
        ),
    ]);
    rows
}

fn answer_rows(config: &ValidConfig, evidence: &Evidence) -> Vec<RequirementRow> {
    let settings = &config.config;
    let answers = &evidence.answers;
    let generation = settings.generation.enabled();
    vec![
        row(
            "ACC-02",
            "Prices, stock, dates and account facts come from the systems of record; values that differ are blocked",
            Status::Met,
            vec![
                "the chat has no tools and states no fact of its own: answers are approved knowledge entries (a logged-in customer's own entries included), entries past their valid_until are not served".into(),
                if generation {
                    format!(
                        "a generated sentence may contain only numbers, amounts, dates, URLs, e-mail addresses and phone numbers found in its cited passages; otherwise the approved text is sent (fallbacks by the grounding check: {})",
                        count(&answers.fallback_reasons, "unsupported")
                    )
                } else {
                    "no generative model: the approved text is sent as written".into()
                },
            ],
        ),
        row(
            "ACC-03",
            "The bot cannot make binding commitments; text claiming one without a source is blocked",
            Status::Met,
            vec![
                "the chat has no actions: no refund, discount or contract change can be made through it".into(),
                if generation {
                    "a generated sentence that promises a refund, discount, deadline or \"we will…\" that its passages do not make is blocked and the approved text sent".into()
                } else {
                    "no generative model: only the company's approved text is sent".into()
                },
            ],
        ),
        row(
            "ACC-05",
            "The customer can download the transcript with date and time, and the widget says so",
            Status::Met,
            vec![
                "the widget's \"Download gesprek\" / \"Download transcript\" button is there in every state; the file has the company, the conversation, and per message its time (ISO 8601, UTC), author type and name, sources and the model that wrote it".into(),
                "the notice at /about says the conversation can be downloaded".into(),
                "personal data the customer typed shows as placeholders such as [IBAN_1], as stored".into(),
            ],
        ),
        row(
            "ACC-08",
            "The bot answers in the customer's language; Dutch answer quality is evaluated on its own",
            Status::RequiresHumanInput,
            vec![
                format!(
                    "conversations per language: {}",
                    listing(&evidence.disclosure.by_locale)
                ),
                "every system text exists in Dutch and English; answers come from entries in the conversation's language first, and an answer in the other language is marked with its language".into(),
                "evaluate the knowledge base with Dutch questions on their own (`loket ask`, or `loket eval faq` for the demo, which reports Dutch and English apart)".into(),
            ],
        ),
    ]
}

fn privacy_rows(config: &ValidConfig, evidence: &Evidence) -> Vec<RequirementRow> {
    let settings = &config.config;
    let guards = &evidence.guards;
    let policy = &settings.privacy.policy;
    let kept: Vec<&str> = policy
        .iter()
        .filter(|(_, action)| action.as_str() == "keep")
        .map(|(kind, _)| kind.as_str())
        .collect();
    let card_action = policy.get("CREDIT_CARD").map(String::as_str).unwrap_or("drop");
    let generation = &settings.generation;
    let mut rights = BTreeMap::new();
    for request in evidence.rights_requests.values() {
        *rights.entry(request.right.as_str().to_string()).or_insert(0u64) += 1;
    }
    vec![
        row(
            "PII-02",
            "IBAN, phone, postcode, e-mail, ID numbers, licence plates, KvK and btw-id are detected and handled by policy",
            if kept.is_empty() { Status::Met } else { Status::RequiresHumanInput },
            {
                let mut lines = vec![
                    format!("values found per type: {}", super::listing_signed(&guards.pii_by_type)),
                    format!(
                        "privacy.policy: {}; every other type pseudonymised (a placeholder, the original sealed in the vault), card numbers dropped",
                        if policy.is_empty() {
                            "defaults".to_string()
                        } else {
                            policy.iter().map(|(kind, action)| format!("{kind} {action}")).collect::<Vec<_>>().join(", ")
                        }
                    ),
                    "found before storage, logs and any model; logs and audit records never hold the values".into(),
                ];
                if !kept.is_empty() {
                    lines.push(format!(
                        "kept as typed: {}; the DPIA must say why these are stored and shown in the clear",
                        kept.join(", ")
                    ));
                }
                lines
            },
        ),
        row(
            "PII-03",
            "Old btw-ids of sole traders (NL + BSN + B..) are treated as a BSN",
            Status::Met,
            vec![
                "a btw-id whose nine digits pass the BSN check is recognised as a BSN: never kept, never revealed without privacy.bsn_legal_basis, and it triggers the privacy warning".into(),
                format!("BSNs found (these included): {}", guards.pii_by_type.get("BSN").copied().unwrap_or(0)),
            ],
        ),
        row(
            "PII-04",
            "Special-category and criminal data are detected; the customer is warned; such conversations are kept briefly",
            Status::RequiresHumanInput,
            vec![
                format!("special-category signals: {}", listing(&guards.sensitive_by_category)),
                format!("privacy warnings shown: {}", guards.privacy_warnings),
                format!(
                    "a conversation with such data is removed {} days after its last activity (retention.sensitive_transcripts), the others after {}",
                    settings.retention.sensitive_transcripts.days, settings.retention.transcripts.days
                ),
                "keeping it after the conversation needs an art. 9(2) or UAVG exception: confirm one applies, or shorten the period".into(),
            ],
        ),
        row(
            "PII-05",
            "The bot and its analytics infer no special categories",
            Status::Met,
            vec![
                "nothing derives a special category: the detector only notices what the customer wrote, to warn them; answers are approved text; the figures are counts without people".into(),
            ],
        ),
        row(
            "PII-06",
            "ID-document images are blocked",
            Status::Met,
            vec![
                "the chat takes text only: there is no upload of files or images, and the privacy warning asks customers not to send passport photos".into(),
            ],
        ),
        row(
            "PII-08",
            "Payment card numbers (Luhn-valid) are detected and blocked from storage",
            // Startup refuses any other action, so a running configuration always meets it.
            Status::Met,
            vec![
                format!("card numbers found: {}", guards.pii_by_type.get("CREDIT_CARD").copied().unwrap_or(0)),
                format!(
                    "privacy.policy.CREDIT_CARD: {card_action}; a card number is replaced before storage and not kept anywhere, not even in the vault (pseudonymise and keep are refused at startup)"
                ),
            ],
        ),
        row(
            "PRIV-03",
            "Conversations are not used to train models; vendors are configured for no training",
            Status::Met,
            vec![
                "Loket trains nothing on conversations".into(),
                if generation.enabled() {
                    format!(
                        "model: {} ({}), generation.trains_on_data = false (true is refused at startup); agreement: {}",
                        or_none(&generation.processor),
                        or_none(&generation.region),
                        generation.dpa_reference.as_deref().unwrap_or("none needed: not an external provider")
                    )
                } else {
                    "no language model: nothing is sent to a vendor".into()
                },
            ],
        ),
        row(
            "PRIV-04",
            "Prompts hold only what the intent needs; identifiers are pseudonymised before the model",
            if generation.enabled() && !kept.is_empty() { Status::RequiresHumanInput } else { Status::Met },
            {
                let mut lines = vec![if generation.enabled() {
                    "the model gets the current question only (pseudonymised, no history) and the passages the knowledge base chose; a sentence that repeats a placeholder is not sent".into()
                } else {
                    "no language model: no prompt leaves Loket".to_string()
                }];
                if generation.enabled() && !kept.is_empty() {
                    lines.push(format!("types kept as typed reach the model in the clear: {}", kept.join(", ")));
                }
                lines
            },
        ),
        row(
            "PRIV-09",
            "Rectification and objection work",
            Status::RequiresHumanInput,
            vec![
                format!(
                    "requests registered: rectification {}, objection {}, restriction {} (all rights: {})",
                    count(&rights, Right::Rectification.as_str()),
                    count(&rights, Right::Objection.as_str()),
                    count(&rights, Right::Restriction.as_str()),
                    listing(&rights)
                ),
                "stored messages are not edited: a rectification is answered by a person (an agent's correction in the conversation, or erasure); the register keeps the deadline".into(),
                format!(
                    "processing on legitimate interest (6(1)(f)): {}; an objection to it must be weighed by the privacy officer; Loket does no direct marketing",
                    legitimate_interest_purposes(config)
                ),
            ],
        ),
        row(
            "PRIV-13",
            "Without consent only the chat session itself is stored in the browser",
            Status::Met,
            vec![
                "the widget keeps the conversation's id and token in the tab's session storage, only once the chat is opened; no cookies, no local storage, nothing from third parties".into(),
                "no setting adds analytics or cross-session identifiers; a browser test checks cookies and both storages before and after opening".into(),
            ],
        ),
        row(
            "PRIV-14",
            "Unsent drafts are not captured",
            Status::Met,
            vec![
                "the input field sends nothing while typing (no typing signal, no session replay); text leaves only when the customer sends it, which a browser test checks".into(),
            ],
        ),
        row(
            "PRIV-16",
            "Retrieval is filtered by customer in code, not by the prompt",
            Status::Met,
            vec![
                "one installation serves one company; internal and confidential pages sit in a part of the index the customer chat never opens".into(),
                format!(
                    "customer entries are served only to the customer a verified identity token names (identity.secret {}); the id never comes from message text",
                    if settings.identity.secret.is_some() { "set" } else { "not set: public entries only" }
                ),
            ],
        ),
        row(
            "PRIV-17",
            "Voice: recording notice, no hold recording, recordings covered by rights",
            Status::Met,
            vec!["no voice channel: nothing is recorded".into()],
        ),
    ]
}

fn legitimate_interest_purposes(config: &ValidConfig) -> String {
    let purposes: Vec<&str> = config
        .config
        .privacy
        .lawful_basis
        .purposes()
        .into_iter()
        .filter(|(_, basis)| *basis == LawfulBasis::LegitimateInterests)
        .map(|(purpose, _)| purpose)
        .collect();
    if purposes.is_empty() {
        "none".into()
    } else {
        purposes.join(", ")
    }
}

fn security_rows(config: &ValidConfig, evidence: &Evidence) -> Vec<RequirementRow> {
    let settings = &config.config;
    let limits = &settings.limits;
    let blocked = &evidence.guards.output_blocked_by_reason;
    vec![
        row(
            "SEC-02",
            "Authorisation and business rules run in code outside the model",
            Status::Met,
            vec![
                "the model has no tools or actions; it only rewords passages already chosen (when configured)".into(),
                "a conversation is reached only with its own token; a customer's own entries only with a verified identity token; staff rights by role, with a second factor and CSRF checks".into(),
            ],
        ),
        row(
            "SEC-03",
            "High-impact actions need confirmation and strong authentication",
            if settings.auth.second_factor == SecondFactorPolicy::Required { Status::Met } else { Status::NotMet },
            vec![
                "the actions that exist: export and erasure of data, revealing a pseudonymised value, legal holds; no refunds, address or IBAN changes or account closures".into(),
                format!(
                    "staff: auth.second_factor = {}; customers: a conversation's own token, and the widget asks to confirm an erasure",
                    match settings.auth.second_factor {
                        SecondFactorPolicy::Required => "required",
                        _ => "optional: staff can export, erase and reveal with a password alone",
                    }
                ),
                format!(
                    "exports {}, erasures {}, values revealed {}",
                    evidence.subject_requests.exports, evidence.subject_requests.erasures, evidence.staff.vault_reveals
                ),
            ],
        ),
        row(
            "SEC-04",
            "System prompts hold no secrets; extraction attempts reveal nothing",
            Status::Met,
            vec![
                "the instructions are fixed in code: no credentials, permissions or limits; the model's API key stays in the environment variable generation.api_key_env".into(),
                format!(
                    "a canary in the instructions blocks any text that repeats it: blocked {}",
                    count(blocked, "canary_leak")
                ),
                "extraction attempts are flagged by the injection detector (SEC-01)".into(),
            ],
        ),
        row(
            "SEC-06",
            "Guardrails are deterministic and keep working without prompt instructions",
            Status::Met,
            vec![
                "the personal-data, injection, human-claim, commitment, grounding and output checks are code; they run on approved and generated text alike and block when they fail".into(),
                format!("outgoing messages blocked: {} ({})", evidence.guards.output_blocked, listing(blocked)),
            ],
        ),
        row(
            "SEC-07",
            "Rate and cost limits per session and address; token caps",
            Status::Met,
            vec![
                format!(
                    "per conversation: {} messages a minute, {} characters each; per address: {} requests a minute, {} new conversations an hour, {} login attempts per 15 minutes",
                    limits.messages_per_conversation_per_minute,
                    limits.message_chars,
                    limits.requests_per_ip_per_minute,
                    limits.conversations_per_ip_per_hour,
                    limits.login_attempts_per_ip
                ),
                if settings.generation.enabled() {
                    format!("model answers capped at {} tokens", settings.generation.max_tokens)
                } else {
                    "no model: no token costs".into()
                },
                if settings.server.trusted_proxies.is_empty() {
                    "server.trusted_proxies: none; behind a reverse proxy list it, or every customer counts as the proxy's address".into()
                } else {
                    format!(
                        "server.trusted_proxies: {} (their X-Forwarded-For names the customer)",
                        settings.server.trusted_proxies.join(", ")
                    )
                },
            ],
        ),
        row(
            "SEC-08",
            "TLS 1.2+ in transit; encryption at rest with managed keys",
            Status::RequiresHumanInput,
            vec![
                format!(
                    "Loket speaks HTTP behind the company's TLS proxy; server.behind_tls = {}",
                    settings.server.behind_tls
                ),
                "originals of pseudonymised values and customer ids are sealed with ChaCha20-Poly1305 under the master key (LOKET_MASTER_KEY or master.key in the data directory)".into(),
                "the database and index files are not encrypted by Loket: confirm disk encryption, the TLS versions of the proxy and of the database connection, and where the master key is kept".into(),
            ],
        ),
        row(
            "SEC-11",
            "Adversarial testing (Dutch, English, encodings) before each release and periodically",
            Status::RequiresHumanInput,
            vec![
                "`loket redteam URL` sends 68 attacks (31 Dutch, 37 English; direct, encoded, indirect, other customers', multi-turn, human claims, exfiltration) to a running instance and fails on any leak or any message of the assistant that claims to be a person; Loket's own tests run it on the demo".into(),
                "run it against this deployment, with its knowledge and model, before each release and periodically, and keep the results".into(),
            ],
        ),
        row(
            "SEC-12",
            "Model versions are pinned and changes pass the regression suites; an SBOM exists",
            Status::RequiresHumanInput,
            vec![
                if settings.generation.enabled() {
                    format!("model: {}", or_none(&settings.generation.model))
                } else {
                    "no generative model".into()
                },
                format!(
                    "encoder: {}",
                    settings
                        .answer
                        .encoder_dir
                        .as_deref()
                        .map(|path| path.display().to_string())
                        .unwrap_or_else(|| "none (words only)".into())
                ),
                "Loket's dependencies are pinned by Cargo.lock; `loket sbom` lists them (CycloneDX)".into(),
                "model files are named by path: pin their versions and rerun `loket eval` and `loket redteam` before a model or knowledge change".into(),
            ],
        ),
        row(
            "SEC-13",
            "Knowledge comes from approved sources with provenance, screened for poisoning",
            Status::RequiresHumanInput,
            vec![
                "every import is screened: entries with injection instructions are quarantined and not served; the content policy lint runs too".into(),
                "pages carry owner and version in their front matter; which folders are approved sources is the company's decision".into(),
            ],
        ),
        row(
            "SEC-14",
            "Agents do not paste customer data into external AI tools",
            Status::RequiresHumanInput,
            vec![
                "the console shows personal data as placeholders; each reveal is audited; it loads nothing from other sites".into(),
                format!("values revealed to staff: {}", evidence.staff.vault_reveals),
                "a staff policy and egress controls on the agents' computers are the company's".into(),
            ],
        ),
        row(
            "GOV-05",
            "No emotion recognition on staff; none on customers by default",
            Status::Met,
            vec![
                "Loket has no emotion recognition, sentiment scoring or voice analysis, for customers or staff, and no setting adds it; complaint wording only hands the conversation to a person".into(),
            ],
        ),
        row(
            "GOV-06",
            "Changes to configuration, knowledge and models are versioned, tested and can be rolled back",
            Status::RequiresHumanInput,
            vec![
                format!("starts with a configuration, each audited: {}", evidence.staff.configurations_loaded),
                format!(
                    "disclosure template version: {}",
                    or_none(&settings.bot.disclosure_version)
                ),
                format!(
                    "knowledge imports audited: {}, rollbacks: {}; served since {}: {}",
                    evidence.knowledge.imports,
                    evidence.knowledge.rollbacks,
                    super::date(evidence.knowledge.changed_at),
                    evidence.knowledge.served_generation.as_deref().unwrap_or("none recorded")
                ),
                "each knowledge import (`loket kb import` or the admin API) is a new generation; `loket kb rollback` serves the previous one again".into(),
                "keep the configuration file in version control, and review it before a start".into(),
            ],
        ),
        row(
            "GOV-09",
            "The AP/ACM and Commission guidance is tracked and the requirements re-baselined when it changes",
            Status::RequiresHumanInput,
            vec![
                format!("this report follows {REQUIREMENTS_BASELINE}"),
                "the final AP/ACM chatbot guidance and the Commission's art. 50 guidelines may change these requirements: someone must follow them".into(),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{AccessibilityStatus, ComplianceReport};
    use super::*;
    use loket_core::config::Config;

    fn report_of(settings: Config, evidence: Evidence) -> ComplianceReport {
        let config = settings.validate().expect("valid");
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        ComplianceReport::build(&config, evidence, AccessibilityStatus::NotRecorded, now)
    }

    fn ids(report: &ComplianceReport) -> Vec<String> {
        report
            .sections
            .iter()
            .flat_map(|section| section.rows.iter().map(|row| row.id.clone()))
            .collect()
    }

    /// A regulator finds every requirement once: no requirement without a row, none twice, no
    /// row for a requirement REQUIREMENTS.md does not have; the financial ones with that sector.
    #[test]
    fn every_requirement_has_exactly_one_row_gov_07() {
        let general = ids(&report_of(Config::default(), Evidence::default()));
        let mut expected: Vec<String> = REPORTED_REQUIREMENTS.iter().map(|id| id.to_string()).collect();
        let mut found = general.clone();
        found.sort();
        expected.sort();
        assert_eq!(found, expected);

        let mut settings = Config::default();
        settings.company.sector = Sector::Financial;
        let mut financial = ids(&report_of(settings, Evidence::default()));
        financial.sort();
        expected.extend(FINANCIAL_REQUIREMENTS.iter().map(|id| id.to_string()));
        expected.sort();
        assert_eq!(financial, expected);
    }

    #[test]
    fn rows_are_in_the_order_of_their_numbers_within_each_section() {
        let report = report_of(Config::default(), Evidence::default());
        let transparency: Vec<&str> = report.sections[0].rows.iter().map(|row| row.id.as_str()).collect();
        assert_eq!(&transparency[..3], ["DIS-01", "DIS-02", "DIS-03"]);
        assert_eq!(transparency.last(), Some(&"DIS-13"), "DIS-13 after DIS-09");
    }

    /// The rows whose status a setting can change say so: staff without a second factor can
    /// export, erase and reveal (SEC-03); a type kept in the clear needs a reason (PII-02) and
    /// reaches a model as typed (PRIV-04); a bank without an English-speaking operator must confirm
    /// it gives no pre-contractual information in English (HUM-08).
    #[test]
    fn settings_that_weaken_a_requirement_change_its_row_sec_03_pii_02_priv_04_hum_08() {
        let status = |report: &ComplianceReport, id: &str| report.row(id).map(|row| row.status);
        let defaults = report_of(Config::default(), Evidence::default());
        for id in ["SEC-03", "PII-02", "PII-08", "PRIV-04", "HUM-08", "HUM-01", "DIS-06"] {
            assert_eq!(status(&defaults, id), Some(Status::Met), "{id}");
        }

        let mut settings = Config::default();
        settings.auth.second_factor = SecondFactorPolicy::Optional;
        settings.privacy.policy.insert("EMAIL".into(), "keep".into());
        let weakened = report_of(settings, Evidence::default());
        assert_eq!(status(&weakened, "SEC-03"), Some(Status::NotMet));
        assert_eq!(status(&weakened, "PII-02"), Some(Status::RequiresHumanInput));
        let pii_02 = weakened
            .row("PII-02")
            .map(|row| row.evidence.join(" | "))
            .unwrap_or_default();
        assert!(pii_02.contains("kept as typed: EMAIL"), "{pii_02}");
        assert_eq!(
            status(&weakened, "PRIV-04"),
            Some(Status::Met),
            "no model: no prompt leaves"
        );

        let mut settings = Config::default();
        settings.company.sector = Sector::Financial;
        let mut evidence = Evidence::default();
        evidence.store.operators_serving_dutch = 2;
        let bank = report_of(settings.clone(), evidence.clone());
        assert_eq!(status(&bank, "HUM-08"), Some(Status::RequiresHumanInput));
        let hum_08 = bank
            .row("HUM-08")
            .map(|row| row.evidence.join(" | "))
            .unwrap_or_default();
        assert!(hum_08.contains("in English"), "{hum_08}");
        evidence.store.operators_serving_english = 1;
        assert_eq!(status(&report_of(settings, evidence), "HUM-08"), Some(Status::Met));
    }

    /// The browser run's summary says which requirements its tests named and how they ended: the
    /// accessibility rows take their status from it, and a failed test makes any row not met.
    #[test]
    fn browser_tests_of_the_recorded_run_set_the_accessibility_rows_and_a_failure_any_row_a11y() {
        let run = AccessibilityStatus::parse(
            r#"{"tool":"axe-core 4.14.1","generated_at":"2026-12-07T10:00:00Z","test_files":9,"scans":20,
               "states":[],"violations":{"critical":0,"serious":0},"duration_ms":900,
               "requirements":{"A11Y-03":{"passed":3,"failed":0},"A11Y-07":{"passed":1,"failed":1},
                               "HUM-01":{"passed":2,"failed":1},"bogus":{"passed":1,"failed":0}}}"#,
        );
        let AccessibilityStatus::Recorded(parsed) = &run else {
            panic!("a recorded run");
        };
        assert!(
            !parsed.requirements.contains_key("bogus"),
            "only requirement ids are read"
        );
        let config = Config::default().validate().expect("valid");
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let report = ComplianceReport::build(&config, Evidence::default(), run, now);
        let status = |id: &str| report.row(id).map(|row| row.status);
        assert_eq!(status("A11Y-03"), Some(Status::Met));
        assert_eq!(status("A11Y-07"), Some(Status::NotMet));
        assert_eq!(
            status("HUM-01"),
            Some(Status::NotMet),
            "a failed browser test of HUM-01"
        );
        let hum_01 = report
            .row("HUM-01")
            .map(|row| row.evidence.join(" | "))
            .unwrap_or_default();
        assert!(
            hum_01.contains("browser tests naming it in the run of 2026-12-07: 2 passed, 1 failed"),
            "{hum_01}"
        );
        assert_eq!(status("A11Y-04"), Some(Status::NoEvidenceYet), "no test named it");
        assert_eq!(status("A11Y-19"), Some(Status::Met), "no native SDK");

        let unrecorded = report_of(Config::default(), Evidence::default());
        assert_eq!(
            unrecorded.row("A11Y-03").map(|row| row.status),
            Some(Status::NoEvidenceYet)
        );
        assert_eq!(unrecorded.row("HUM-01").map(|row| row.status), Some(Status::Met));
    }

    #[test]
    fn the_counts_behind_the_built_in_rows_are_shown_dis_06_hum_07_priv_09() {
        let mut evidence = Evidence::default();
        evidence.answers.identity_answers = 4;
        evidence
            .guards
            .output_blocked_by_reason
            .insert("speaks_as_human".into(), 2);
        evidence.guards.output_blocked_by_reason.insert("canary_leak".into(), 1);
        evidence.handoff.requested_by_trigger.insert("complaint".into(), 3);
        evidence.handoff.requested_by_trigger.insert("crisis".into(), 1);
        let report = report_of(Config::default(), evidence);
        let lines = |id: &str| report.row(id).map(|row| row.evidence.join(" | ")).unwrap_or_default();
        assert!(lines("DIS-06").contains("truthful text: 4"), "{}", lines("DIS-06"));
        assert!(lines("DIS-06").contains("(approved text): 2"), "{}", lines("DIS-06"));
        assert!(lines("HUM-07").contains("complaints (legal claims and disputes included) 3, crises 1"));
        assert!(lines("SEC-04").contains("blocked 1"), "{}", lines("SEC-04"));
        assert!(
            lines("PRIV-09").contains("logging"),
            "logging rests on legitimate interest by default"
        );
        assert!(lines("GOV-09").contains("November 2026"));
    }
}
