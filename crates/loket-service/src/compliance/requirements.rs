//! The requirement rows of the compliance report: for each requirement of REQUIREMENTS.md, its
//! status from the configuration and the evidence, and the counts and settings behind it.
//!
//! The rules are deliberately plain: no traffic means "no evidence yet", never "met"; a
//! requirement that needs an organisational measure or a legal judgement is "requires human
//! input"; what Loket does not do yet is "not met", with the reason in the evidence.

use chrono::{DateTime, Utc};
use loket_core::Locale;
use loket_core::config::{SecondFactorPolicy, Sector, ValidConfig};

use super::{
    AccessibilityStatus, Evidence, RETENTION_RUN_OVERDUE_HOURS, RecordOfProcessing, RequirementRow, RequirementSection,
    Status, date, listing, listing_signed, or_none, percent, retention_rules, seconds, week_hours,
};

pub(super) fn row(id: &str, title: &str, status: Status, evidence: Vec<String>) -> RequirementRow {
    RequirementRow {
        id: id.into(),
        title: title.into(),
        status,
        evidence,
    }
}

/// Met once there is something to show for it, no evidence yet before.
fn evidenced(count: u64) -> Status {
    if count == 0 { Status::NoEvidenceYet } else { Status::Met }
}

fn section(title: &str, basis: &str, rows: Vec<RequirementRow>) -> RequirementSection {
    RequirementSection {
        title: title.into(),
        basis: basis.into(),
        rows,
    }
}

pub(super) fn requirement_sections(
    config: &ValidConfig,
    evidence: &Evidence,
    accessibility: &AccessibilityStatus,
    now: DateTime<Utc>,
    dpia: &RecordOfProcessing,
    processing_record: &RecordOfProcessing,
) -> Vec<RequirementSection> {
    let settings = &config.config;
    let disclosure = &evidence.disclosure;
    let handoff = &evidence.handoff;
    let answers = &evidence.answers;
    let guards = &evidence.guards;
    let started = evidence.events.get("conversation_started").copied().unwrap_or(0);
    let customer_messages = evidence.store.messages_customer;
    let with_traffic = |status: Status| {
        if customer_messages > 0 {
            status
        } else {
            Status::NoEvidenceYet
        }
    };

    let dis_01 = row(
        "DIS-01",
        "The AI disclosure comes first in every conversation",
        match (disclosure.conversations_checked, disclosure.violations_total) {
            (0, 0) => Status::NoEvidenceYet,
            (_, 0) => Status::Met,
            _ => Status::NotMet,
        },
        {
            let mut lines = vec![
                format!("stored conversations checked: {}", disclosure.conversations_checked),
                format!(
                    "starting with the disclosure: {}",
                    disclosure.conversations_disclosure_first
                ),
                format!("violations: {}", disclosure.violations_total),
            ];
            lines.extend(disclosure.violations.iter().map(|violation| {
                format!(
                    "conversation {}: {}",
                    violation.conversation_id,
                    violation.problem.describe()
                )
            }));
            lines
        },
    );
    let dis_03 = row(
        "DIS-03",
        "The disclosure cannot be switched off; custom wording says AI and not a person",
        Status::Met,
        Locale::ALL
            .iter()
            .map(|locale| {
                let origin = if settings.bot.disclosure.contains_key(locale) {
                    "custom, checked at startup"
                } else {
                    "default wording of REQUIREMENTS §2.1"
                };
                format!("{}: {origin}", locale.as_str())
            })
            .chain(std::iter::once("no setting disables the disclosure".to_string()))
            .collect(),
    );
    let dis_11 = row(
        "DIS-11",
        "The disclosure also says that answers can be wrong and how to reach a person, in plain language (B1)",
        Status::RequiresHumanInput,
        {
            let mut evidence = vec![
                "checked at every start for both languages: a disclosure that does not say its answers can be wrong, or does not name a person to reach, stops the start".into(),
                format!(
                    "a configured disclosure reading harder than bot.min_reading_ease ({:.0}) stops the start",
                    settings.bot.min_reading_ease
                ),
            ];
            for locale in loket_core::Locale::ALL {
                let scored: Vec<(&str, f64)> = config
                    .wording
                    .customer_texts(locale)
                    .into_iter()
                    .filter_map(|(name, text)| {
                        loket_core::readability::reading_ease(&text, locale).map(|score| (name, score))
                    })
                    .collect();
                if let Some((name, lowest)) = scored.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
                    evidence.push(format!(
                        "{} ({}): {} texts the customer reads, reading ease {:.0} to {:.0}, hardest: {name}",
                        locale.as_str(),
                        match locale {
                            loket_core::Locale::Nl => "Flesch-Douma",
                            loket_core::Locale::En => "Flesch",
                        },
                        scored.len(),
                        lowest,
                        scored.iter().map(|(_, score)| *score).fold(0.0, f64::max)
                    ));
                }
            }
            evidence.push("a reading-ease score estimates sentence and word length; the language level itself (B1, at most B2 for banking) needs a person's check of custom wording and of the knowledge base".into());
            evidence
        },
    );
    let dis_05 = row(
        "DIS-05",
        "The disclosure is repeated after idle time and after a hand-back",
        evidenced(started),
        vec![
            format!("bot.disclosure_idle_minutes: {}", settings.bot.disclosure_idle_minutes),
            format!(
                "conversations started: {started}; disclosures shown: {}",
                disclosure.shown
            ),
            format!("hand-backs (each repeats the disclosure): {}", handoff.hand_backs),
        ],
    );
    let dis_07 = row(
        "DIS-07",
        "The bot's name says it is an AI",
        Status::Met,
        Locale::ALL
            .iter()
            .map(|locale| format!("{}: {}", locale.as_str(), config.wording.bot_name(*locale)))
            .collect(),
    );
    let dis_12 = row(
        "DIS-12",
        "Disclosure evidence (template version, locale, channel, time, conversation) is kept",
        match (disclosure.shown, disclosure.incomplete_records) {
            (0, _) => Status::NoEvidenceYet,
            (_, 0) => Status::Met,
            _ => Status::NotMet,
        },
        vec![
            format!("disclosure_shown records: {}", disclosure.shown),
            format!("per locale: {}", listing(&disclosure.by_locale)),
            format!("per template version: {}", listing(&disclosure.by_template_version)),
            format!("per channel: {}", listing(&disclosure.by_channel)),
            format!("records missing a field: {}", disclosure.incomplete_records),
        ],
    );

    let dis_10 = row(
        "DIS-10",
        "Every AI-generated message carries machine-readable provenance (generator, model, time) in the API, transcripts and exports",
        evidenced(answers.answers),
        vec![
            "every message of the AI assistant carries `provenance` in the API: generator `ai`, method (`generated`, `approved_text` or `fixed_text`), the model's name when one wrote it, and `created_at`".into(),
            "the model is stored with each message it wrote, and named in the customer's transcript download and in subject exports".into(),
            format!("answers per wording: {}", listing(&answers.phrasing)),
        ],
    );

    let hum_02 = row(
        "HUM-02",
        "A request for a person is honoured in the very next response",
        evidenced(handoff.requested),
        vec![
            format!(
                "requests: {} ({})",
                handoff.requested,
                listing(&handoff.requested_by_trigger)
            ),
            format!("taken over by a person: {}", handoff.accepted),
            format!(
                "nobody available, alternatives given: {} ({})",
                handoff.unavailable,
                listing(&handoff.unavailable_by_reason)
            ),
        ],
    );
    let hum_04 = row(
        "HUM-04",
        "Staffed hours and non-automated alternatives are configured and told truthfully",
        Status::Met,
        vec![
            format!("hours: {}", week_hours(config)),
            format!(
                "phone: {} ({})",
                or_none(&settings.contact.phone),
                settings
                    .contact
                    .phone_hours
                    .get(&Locale::Nl)
                    .map(String::as_str)
                    .unwrap_or("hours not given")
            ),
            format!(
                "e-mail: {} (answered within {})",
                or_none(&settings.contact.email),
                settings
                    .contact
                    .email_response
                    .get(&Locale::Nl)
                    .map(String::as_str)
                    .unwrap_or("not given")
            ),
            format!("callback and e-mail tickets created: {}", handoff.tickets),
            format!(
                "operators serving customers in Dutch: {}, in English: {}; while nobody who speaks the conversation's language is online, the customer is told so and given these alternatives instead of a queue (HUM-08)",
                evidence.store.operators_serving_dutch, evidence.store.operators_serving_english
            ),
        ],
    );
    let hum_06 = row(
        "HUM-06",
        "The bot offers a person on its own after repeated failures",
        Status::Met,
        vec![
            format!(
                "handoff.abstentions_before_offer: {}",
                settings.handoff.abstentions_before_offer
            ),
            format!("offers made by the bot: {}", handoff.offered_by_bot),
        ],
    );
    let hum_12 = row(
        "HUM-12",
        "Handover figures are recorded: requests, honoured, not honoured, time to a person",
        evidenced(handoff.requested),
        vec![
            format!("requests: {}", handoff.requested),
            format!("accepted: {}", handoff.accepted),
            format!("unavailable: {}", handoff.unavailable),
            format!(
                "time to a person (request → acceptance, {} measured): median {}, p90 {}",
                handoff.measured,
                seconds(handoff.median_seconds_to_person),
                seconds(handoff.p90_seconds_to_person)
            ),
            format!(
                "handoff.wait_timeout_minutes: {}",
                settings.handoff.wait_timeout_minutes
            ),
        ],
    );

    let acc_01 = row(
        "ACC-01",
        "Answers come only from approved sources; otherwise the bot abstains and offers a person",
        match (answers.answers + answers.abstentions, answers.answers_without_source) {
            (0, _) => Status::NoEvidenceYet,
            (_, 0) => Status::Met,
            _ => Status::NotMet,
        },
        vec![
            format!(
                "answers: {} ({}), abstentions: {} ({})",
                answers.answers,
                percent(answers.answer_rate),
                answers.abstentions,
                percent(answers.abstention_rate)
            ),
            format!("abstention reasons: {}", listing(&answers.abstention_reasons)),
            format!("distinct sources cited: {}", answers.distinct_sources),
            format!("answers without a cited source: {}", answers.answers_without_source),
            if settings.generation.enabled() {
                format!(
                    "a model ({}) phrases answers from the cited passages; every sentence passed the grounding \
                     verifier before it was shown. Wording: {}; fallbacks to the approved text: {}",
                    or_none(&settings.generation.model),
                    listing(&answers.phrasing),
                    listing(&answers.fallback_reasons)
                )
            } else {
                "no generative model: answers are approved knowledge-base entries".into()
            },
        ],
    );
    let acc_04 = row(
        "ACC-04",
        "A withdrawal or cancellation statement made in chat is recognised, logged with a timestamp and acknowledged on a durable medium",
        evidenced(handoff.withdrawal_statements),
        vec![
            format!(
                "statements acknowledged in the chat with the time of receipt: {}; handed to a person: {}",
                handoff.withdrawal_statements,
                handoff.requested_by_trigger.get("withdrawal").copied().unwrap_or(0)
            ),
            "each acknowledgement can be downloaded as a copy signed with the instance's Ed25519 key (the customer's words, the time of receipt and the acknowledgement)".into(),
            "recognition, acknowledgement and hand-over are built in and cannot be switched off; the bot never answers a statement itself".into(),
        ],
    );
    let licensed: Vec<&str> = settings
        .answer
        .licensed_advice
        .iter()
        .map(|topic| topic.as_str())
        .collect();
    let declined_topics: Vec<&str> = settings.answer.declined_advice().map(|topic| topic.as_str()).collect();
    let acc_10 = row(
        "ACC-10",
        "The bot stays within the company's licensed or advisory scope; requests for personal advice go to a person",
        if !licensed.is_empty() {
            Status::RequiresHumanInput
        } else {
            Status::Met
        },
        vec![
            format!(
                "requests for personal advice declined with a person offered, by topic: {}",
                listing(&handoff.advice_declined)
            ),
            format!("topics declined: {}", or_none(&declined_topics.join(", "))),
            if licensed.is_empty() {
                "answer.licensed_advice: none; every advice topic is declined (built in, checked before the knowledge base)".into()
            } else {
                format!(
                    "answer.licensed_advice: {}; the knowledge base answers these: a person must confirm the company holds the licence (Wft) or qualification",
                    licensed.join(", ")
                )
            },
        ],
    );
    let findings_of = |rules: &[&str]| -> Vec<String> {
        evidence
            .content_policy
            .iter()
            .filter(|finding| rules.contains(&finding.rule.as_str()))
            .map(|finding| {
                format!(
                    "{} ({}): {}: \"{}\"",
                    finding.entry_id, finding.source, finding.rule, finding.excerpt
                )
            })
            .collect()
    };
    let lint_row = |id: &str, title: &str, rules: &[&str], checked: &str, rest: &str| {
        let findings = findings_of(rules);
        row(
            id,
            title,
            if findings.is_empty() {
                Status::RequiresHumanInput
            } else {
                Status::NotMet
            },
            std::iter::once(format!(
                "content policy lint of the served knowledge ({checked}): {} findings",
                findings.len()
            ))
            .chain(findings)
            .chain(std::iter::once(rest.to_string()))
            .collect(),
        )
    };
    let acc_06 = lint_row(
        "ACC-06",
        "No dark patterns: no false urgency or scarcity, no steering away from cancellation or from human contact",
        &["false_urgency", "discourages_cancellation"],
        "false urgency or scarcity; discouraging a withdrawal or cancellation",
        "the conversation itself has none by construction (a person in every state, statements acknowledged, no upsell); the content is the company's to review",
    );
    let acc_06_status = acc_06.status;
    let acc_07 = lint_row(
        "ACC-07",
        "Disclaimers are not used to shift liability for answers in a misleading way",
        &["liability_disclaimer"],
        "liability disclaimers",
        "Loket adds no disclaimer of its own; the wording of the company's texts needs a legal review",
    );
    let acc_09 = row(
        "ACC-09",
        "Answer quality is monitored (sampled review, feedback, incident process)",
        Status::RequiresHumanInput,
        vec![
            "Loket records every answer and abstention with its sources".into(),
            format!(
                "the widget asks \"Klopte dit antwoord?\" under every answer: {} rated right, {} rated not right{}",
                answers.rated_right,
                answers.rated_wrong,
                if answers.rated_wrong_sources.is_empty() {
                    String::new()
                } else {
                    format!(" (entries: {})", listing(&answers.rated_wrong_sources))
                }
            ),
            format!(
                "{} wrong-answer incidents recorded with `loket incident record`, linking {} conversations that got the answer",
                answers.incidents, answers.incident_conversations
            ),
            "sampled human review, and correcting the answer for the customers an incident lists, are organisational: record them here".into(),
        ],
    );

    let priv_11 = lint_row(
        "PRIV-11",
        "Identity is verified through the login or out-of-band, never by asking for a BSN or ID documents in the chat",
        &["asks_for_bsn_or_id"],
        "approved text that asks for a BSN, passport or ID copy",
        "the assistant's own wording never asks for them; a customer who shares them gets the privacy warning and the values are pseudonymised",
    );
    let generation = &settings.generation;
    let external_model = generation.external_provider();
    let priv_12 = row(
        "PRIV-12",
        "Every sub-processor is listed with its art. 28 agreement and location; non-EEA transfers record their mechanism",
        if external_model {
            Status::Met
        } else {
            Status::RequiresHumanInput
        },
        vec![
            if external_model {
                format!(
                    "model provider {}: agreement {}, region {}, transfer mechanism {} (Loket does not start an external provider without them)",
                    or_none(&generation.processor),
                    generation.dpa_reference.as_deref().unwrap_or("none"),
                    or_none(&generation.region),
                    generation.transfer_mechanism.as_deref().unwrap_or("none"),
                )
            } else if generation.enabled() {
                format!(
                    "the model runs on the company's own infrastructure ({}): no processor",
                    or_none(&generation.processor)
                )
            } else {
                "no language model: Loket itself sends personal data to no processor".into()
            },
            "hosting and other processors of the installation are outside Loket: list them with this report".into(),
        ],
    );
    let pii_07 = row(
        "PII-07",
        "Identifiers of another customer never reach a customer",
        Status::Met,
        vec![
            "retrieval is scoped in code: a customer entry only for the identified customer it belongs to (SEC-01)".into(),
            "placeholders are re-identified only from the conversation's own vault".into(),
            "a generated answer may contain only numbers (an IBAN's and a BSN's digits included), phone numbers and e-mail addresses that stand in its cited passages (grounding verifier)".into(),
        ],
    );
    let privacy = &settings.privacy;
    let priv_15 = row(
        "PRIV-15",
        "If minors are likely users, notices are age-appropriate and consent for under-16s needs the parents",
        if privacy.minors_likely {
            Status::Met
        } else {
            Status::RequiresHumanInput
        },
        if privacy.minors_likely {
            vec![
                "privacy.minors_likely: yes; the notice opens with \"Voor jongeren\" / \"For young people\" in plain words (what the chat is, reaching a person, what not to share, erasing the conversation)".into(),
                format!(
                    "parental consent for under-16s (UAVG art. 5): {}",
                    privacy
                        .parental_consent_process
                        .as_deref()
                        .unwrap_or("no purpose rests on consent")
                ),
            ]
        } else {
            vec!["privacy.minors_likely: no; whether children are an expected audience is the company's call (set it to true for the age-appropriate notice)".into()]
        },
    );
    let bases = &settings.privacy.lawful_basis;
    let priv_01 = row(
        "PRIV-01",
        "Each purpose has one declared lawful basis",
        Status::RequiresHumanInput,
        vec![
            format!(
                "privacy.lawful_basis: answering {}, handover {}, logging {}",
                bases.answering.article(),
                bases.handover.article(),
                bases.logging.article()
            ),
            "the chat has exactly these three purposes, built in; none other is processed".into(),
            "a legitimate interest (6(1)(f)) needs the company's stored balancing test; the bases need the privacy officer's confirmation".into(),
        ],
    );
    let priv_02 = row(
        "PRIV-02",
        "A layered privacy notice is linked in the widget",
        if settings.contact.privacy_url.trim().is_empty() {
            Status::NotMet
        } else {
            Status::Met
        },
        vec![
            "first layer: \"Over deze chat\" (/about, linked in the widget from turn 0), generated from the configuration with every art. 13 field: controller and privacy contact, DPO when configured, purposes with their lawful bases, recipients and AI vendor, transfers, retention per category, rights, consent, the right to complain to the AP, whether data must be given, automated decisions".into(),
            format!(
                "privacy contact: {}; DPO: {}",
                settings.privacy.contact.trim(),
                settings.privacy.dpo_contact.as_deref().unwrap_or("none designated")
            ),
            format!("full statement (contact.privacy_url): {}", or_none(&settings.contact.privacy_url)),
        ],
    );
    let pii_01 = row(
        "PII-01",
        "Personal data is pseudonymised before storage; a BSN is never revealed",
        with_traffic(Status::Met),
        vec![
            format!("customer messages stored: {customer_messages}"),
            format!(
                "messages with personal data pseudonymised: {}",
                guards.pii_redacted_messages
            ),
            format!("values per type: {}", listing_signed(&guards.pii_by_type)),
        ],
    );
    let priv_06 = row(
        "PRIV-06",
        "Sensitive data triggers a just-in-time warning",
        with_traffic(Status::Met),
        vec![
            format!("privacy warnings shown: {}", guards.privacy_warnings),
            format!("special-category signals: {}", listing(&guards.sensitive_by_category)),
        ],
    );
    let subjects = &evidence.subject_requests;
    // A request typed in the chat starts the month too: each must reach the register.
    let register = crate::rights_request::Register::new(evidence.rights_requests.values().cloned(), now)
        .with_chat_requests(evidence.chat_rights_requests.iter().cloned());
    let chat_overdue = register.from_chat.iter().filter(|typed| typed.overdue).count();
    let priv_07 = row(
        "PRIV-07",
        "A data subject gets everything held about them, within one month of the request (two more when told in time)",
        if register.late > 0 || chat_overdue > 0 {
            Status::NotMet
        } else if !register.from_chat.is_empty() {
            Status::RequiresHumanInput
        } else {
            evidenced(subjects.exports)
        },
        vec![
            format!(
                "exports: {} (last: {})",
                subjects.exports,
                date(subjects.last_export_at)
            ),
            format!(
                "requests registered (privacy officer's panel or `POST /api/v1/admin/rights-requests`): {}; open: {}; open past the deadline or answered after it: {}",
                register.requests.len(),
                register.open,
                register.late
            ),
            format!(
                "requests made in the chat and handed to a person (HUM-07): {}; conversations no registered request lists: {} (past the month: {}){}",
                listing(&evidence.handoff.rights_requests),
                register.from_chat.len(),
                chat_overdue,
                if register.from_chat.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": {}; register each with its conversation in the privacy officer's panel, the month runs from the message",
                        register
                            .from_chat
                            .iter()
                            .take(20)
                            .map(|typed| format!(
                                "{} ({}, due {})",
                                typed.conversation_id.as_str(),
                                typed.right,
                                typed.deadline.format("%Y-%m-%d")
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        ]
        .into_iter()
        .chain(register.requests.iter().filter(|entry| entry.standing.late()).map(|entry| {
            format!(
                "{}: {} received {}, deadline {}: {}",
                entry.request.reference,
                entry.request.right.as_str(),
                entry.request.received_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                entry.deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                entry.standing.describe()
            )
        }))
        .collect(),
    );
    let priv_08 = row(
        "PRIV-08",
        "Erasure reaches every store, including backups",
        if subjects.erasures == 0 {
            Status::NoEvidenceYet
        } else {
            Status::RequiresHumanInput
        },
        vec![
            format!(
                "erasures: {} (last: {})",
                subjects.erasures,
                date(subjects.last_erasure_at)
            ),
            "erasure removes conversation, messages, vault entries and tickets in one transaction".into(),
            "backups are outside Loket: confirm their rotation period; a restored backup brings erased data back until `loket gdpr replay` runs (RET-08)".into(),
        ],
    );
    let priv_10 = row(
        "PRIV-10",
        "Chat data can be exported as machine-readable JSON",
        evidenced(subjects.exports),
        vec![format!("JSON exports made: {}", subjects.exports)],
    );

    let retention = &evidence.retention;
    let ret_01 = row(
        "RET-01",
        "Every store has a retention period and a written justification",
        Status::Met,
        retention_rules(config)
            .into_iter()
            .map(|(store, rule)| format!("{store}: {} days: {}", rule.days, rule.justification))
            .collect(),
    );
    let ret_02 = row(
        "RET-02",
        "Expired data is deleted at least daily, with a content-free deletion log",
        match retention.last_run_at {
            None => Status::NoEvidenceYet,
            Some(last) if now - last > chrono::Duration::hours(RETENTION_RUN_OVERDUE_HOURS) => Status::NotMet,
            Some(_) => Status::Met,
        },
        vec![
            format!(
                "complete runs: {} (last: {})",
                retention.runs,
                date(retention.last_run_at)
            ),
            format!("retention.run_every_minutes: {}", settings.retention.run_every_minutes),
            format!("batches that removed data: {}", retention.batches),
            format!("removed per store: {}", listing_signed(&retention.removed_by_store)),
        ],
    );
    let statutory = &settings.retention.statutory;
    let mut ret_03_evidence = vec![format!("legal holds placed or lifted: {}", retention.legal_hold_events)];
    if statutory.is_empty() {
        ret_03_evidence.push(
            "no statutory ground configured (retention.statutory): decide whether tax (7 years), Wwft or MiFID II periods apply to some conversations"
                .into(),
        );
    } else {
        for ground in statutory {
            ret_03_evidence.push(format!(
                "ground `{}`: {} days after the last activity; {}",
                ground.ground, ground.days, ground.justification
            ));
        }
        ret_03_evidence.push(format!(
            "conversations kept for a statutory ground now: {}; tags placed or removed by an admin: {} (audit kind statutory_retention)",
            evidence.store.statutory_kept, retention.statutory_events
        ));
        ret_03_evidence.push(
            "only tagged conversations get a ground's period; the ordinary periods skip them, and a ground removed from the configuration falls back to the transcript period"
                .into(),
        );
    }
    let ret_03 = row(
        "RET-03",
        "Longer statutory retention applies only to records tagged with that ground",
        if statutory.is_empty() {
            Status::RequiresHumanInput
        } else {
            Status::Met
        },
        ret_03_evidence,
    );
    let transcripts_days = settings.retention.transcripts.days;
    let ret_04 = row(
        "RET-04",
        "Sessions not linked to an account, order or complaint are kept briefly",
        if transcripts_days <= 30 {
            Status::Met
        } else {
            Status::RequiresHumanInput
        },
        vec![
            format!("retention.transcripts.days: {transcripts_days}"),
            format!(
                "retention.sensitive_transcripts.days: {}",
                settings.retention.sensitive_transcripts.days
            ),
            "over 30 days needs a justification in the DPIA".into(),
        ],
    );
    let ret_05 = ret_05_row(&settings.generation);
    let ret_06 = row(
        "RET-06",
        "Audit logs hold ids, kinds and times, not message content, with their own retention",
        Status::Met,
        vec![
            format!("retention.audit.days: {}", settings.retention.audit.days),
            "audit records hold kinds, ids, counts and enumerated attributes only".into(),
        ],
    );
    let ret_07 = row(
        "RET-07",
        "Erasure requests are carried out unless an art. 17(3) exception applies",
        evidenced(subjects.erasures),
        vec![
            format!("erasures: {}", subjects.erasures),
            format!(
                "legal holds (erasure refused while set): {}",
                retention.legal_hold_events
            ),
        ],
    );

    let ret_08 = row(
        "RET-08",
        "After a backup restore, deletions are replayed so erased data does not come back",
        Status::RequiresHumanInput,
        vec![
            "every erasure is appended, flushed, to erasure-journal.jsonl in the data directory, outside the database (certificate id, conversation ids, time; no personal data)".into(),
            format!(
                "after restoring the database, `loket gdpr replay` erases again what the restore brought back: {} conversations so far",
                subjects.replayed_erasures
            ),
            "keep the journal out of the database backup's restore path, and run the replay as a step of every restore".into(),
        ],
    );

    let breach_lines: Vec<(String, crate::breach::BreachStanding)> = evidence
        .breaches
        .values()
        .map(|breach| {
            let standing = breach.standing(now);
            (
                format!(
                    "{}: {}, risk {}, discovered {}, AP {}, people concerned {}: {}",
                    breach.reference,
                    breach.kind.as_str(),
                    breach.risk.as_str(),
                    breach.detected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    breach
                        .ap_notified_at
                        .map(|at| format!("notified {}", at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
                        .unwrap_or_else(|| "not notified".into()),
                    if breach.subjects_informed { "told" } else { "not told" },
                    standing.describe()
                ),
                standing,
            )
        })
        .collect();
    let sec_10 = row(
        "SEC-10",
        "Every personal-data breach is registered; the AP is notified within 72 hours unless the risk is unlikely; the people concerned are told when it is high",
        if breach_lines.iter().any(|(_, standing)| {
            matches!(
                standing,
                crate::breach::BreachStanding::NotificationLate | crate::breach::BreachStanding::SubjectsNotInformed
            )
        }) {
            Status::NotMet
        } else {
            Status::RequiresHumanInput
        },
        std::iter::once(format!(
            "breaches registered with `loket breach record`: {} (a leak through prompt injection, a misdirected transcript and a processor's leak are breaches too)",
            breach_lines.len()
        ))
        .chain(breach_lines.iter().map(|(line, _)| line.clone()))
        .chain(std::iter::once(
            "whether every breach was registered can only be confirmed by the company".to_string(),
        ))
        .collect(),
    );

    let sec_01 = row(
        "SEC-01",
        "User input is untrusted; injection attempts are detected",
        with_traffic(Status::Met),
        vec![
            format!("messages flagged as injection: {}", guards.injection_flagged),
            format!("detector reasons: {}", listing(&guards.injection_reasons)),
        ],
    );
    let sec_05 = row(
        "SEC-05",
        "Outgoing text is checked; unsafe output is blocked",
        with_traffic(Status::Met),
        vec![
            format!("outgoing messages blocked: {}", guards.output_blocked),
            format!("reasons: {}", listing(&guards.output_blocked_by_reason)),
        ],
    );
    let without_second_factor = evidence.store.staff_without_second_factor;
    let (second_factor_status, second_factor_line) = match settings.auth.second_factor {
        SecondFactorPolicy::Required => (
            Status::Met,
            format!(
                "second factor required (auth.second_factor = required): an authenticator-app code (RFC 6238) at every \
                 login; {without_second_factor} staff accounts have yet to set one up and can do nothing else until they do"
            ),
        ),
        SecondFactorPolicy::Optional => (
            Status::NotMet,
            format!(
                "not met: auth.second_factor = optional; {without_second_factor} staff accounts log in with a password only"
            ),
        ),
    };
    let sec_09 = row(
        "SEC-09",
        "Every view of personal data is logged; least privilege and MFA for staff",
        second_factor_status,
        vec![
            format!(
                "revealed personal-data values, each audited: {}",
                evidence.staff.vault_reveals
            ),
            format!(
                "transcripts opened by staff, each audited with who, when and on what ground: {}",
                evidence.staff.transcript_views
            ),
            format!(
                "staff logins: {}, failed: {}",
                evidence.staff.logins, evidence.staff.failed_logins
            ),
            second_factor_line,
            format!(
                "second factors set up: {}; reset by an admin: {}; logins with a recovery code: {}",
                evidence.staff.second_factors_enabled,
                evidence.staff.second_factor_resets,
                evidence.staff.recovery_code_logins
            ),
        ],
    );

    let chain = &evidence.audit_chain;
    let gov_01 = row(
        "GOV-01",
        "The art. 30 record is generated from configuration",
        Status::RequiresHumanInput,
        vec![format!(
            "generated below; {} fields need a person's input",
            processing_record.human_input_fields()
        )],
    );
    let gov_02 = row(
        "GOV-02",
        "A DPIA draft is generated; approval with DPO advice is recorded",
        Status::RequiresHumanInput,
        vec![format!(
            "draft generated below; {} fields need a person's input, including the DPO's advice and approval",
            dpia.human_input_fields()
        )],
    );
    let operators = (evidence.store.operators, evidence.store.operators_without_ai_literacy);
    let gov_03 = row(
        "GOV-03",
        "Staff who supervise or take over from the bot have recorded AI-literacy training before they get operator roles (AI Act art. 4)",
        match operators {
            (0, _) => Status::NoEvidenceYet,
            (_, 0) => Status::Met,
            _ => Status::NotMet,
        },
        vec![
            format!(
                "operator accounts (agents and admins): {}; without a recorded AI-literacy training: {}",
                operators.0, operators.1
            ),
            "`loket user add` refuses an agent or admin without `--ai-literacy REFERENCE`; the reference is kept with the account, and its creation is audited with `ai_literacy` recorded or none".into(),
            "what the training covers (the assistant's limits, the handover, the guards, personal data) is organisational: keep the programme with this report".into(),
        ],
    );
    let governance = &settings.governance;
    let high_risk: Vec<&str> = governance.high_risk_uses.iter().map(|use_| use_.as_str()).collect();
    let gov_04 = row(
        "GOV-04",
        "The AI Act role and the screenings against art. 5 and Annex III are recorded",
        if governance.prohibited_practices_screening.is_none() || governance.high_risk_screening.is_none() {
            Status::NotMet
        } else if high_risk.is_empty() {
            Status::Met
        } else {
            Status::RequiresHumanInput
        },
        vec![
            format!(
                "role: {}",
                match governance.ai_act_role {
                    loket_core::config::AiActRole::Deployer => "deployer (art. 3(4))",
                    loket_core::config::AiActRole::Provider => "provider (art. 3(3))",
                }
            ),
            format!(
                "art. 5 screening (governance.prohibited_practices_screening): {}; Annex III screening (governance.high_risk_screening): {}",
                governance
                    .prohibited_practices_screening
                    .as_deref()
                    .unwrap_or("not recorded"),
                governance.high_risk_screening.as_deref().unwrap_or("not recorded")
            ),
            if high_risk.is_empty() {
                "high-risk uses: none (a customer-service chat; Loket makes no decisions about people and does no emotion recognition)".into()
            } else {
                format!(
                    "high-risk uses: {}; fundamental-rights impact assessment (art. 27): {}; the high-risk obligations apply from 2 December 2027 and need a person's review",
                    high_risk.join(", "),
                    governance.fria_reference.as_deref().unwrap_or("none")
                )
            },
        ],
    );
    let gov_08 = row(
        "GOV-08",
        "Accessibility information for the service is generated for the terms and conditions",
        Status::RequiresHumanInput,
        vec![
            "written: the \"Toegankelijkheid\" section of the notice at /about (both languages) and `loket compliance notice` for the terms and conditions, generated from what the chat does and the configured alternatives".into(),
            "oral: the page is read out by screen readers; whether staff give it by phone is the company's process".into(),
        ],
    );
    let gov_10 = row(
        "GOV-10",
        "Complaints about the chatbot go to people; the notice names the AP and ACM ConsuWijzer",
        Status::Met,
        vec![
            format!(
                "complaints handed to a person (HUM-07, built in): {}",
                handoff.requested_by_trigger.get("complaint").copied().unwrap_or(0)
            ),
            "the notice's \"Klachten\" section: a person handles complaints about the chat; the Autoriteit Persoonsgegevens for privacy; ACM ConsuWijzer for consumer matters".into(),
        ],
    );
    let gov_07 = row(
        "GOV-07",
        "A compliance evidence pack can be exported; the audit log is tamper-evident",
        if chain.intact && evidence.checkpoints.mismatched.is_empty() {
            Status::Met
        } else {
            Status::NotMet
        },
        vec![
            if chain.intact {
                format!("audit chain intact: {} records verified", chain.records)
            } else {
                format!(
                    "audit chain broken at record {}: {}",
                    chain.broken_at_seq.unwrap_or_default(),
                    chain.broken_reason.as_deref().unwrap_or("unknown")
                )
            },
            match chain.anchor_seq {
                Some(seq) => format!("verified from the retention anchor at record {seq}"),
                None => "verified from the first record".into(),
            },
            format!(
                "signed checkpoints: {}, confirmed: {}, not matching: {} (newest: record {}, {})",
                evidence.checkpoints.count,
                evidence.checkpoints.confirmed,
                if evidence.checkpoints.mismatched.is_empty() {
                    "none".to_string()
                } else {
                    evidence
                        .checkpoints
                        .mismatched
                        .iter()
                        .map(|seq| seq.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                evidence
                    .checkpoints
                    .newest_seq
                    .map(|seq| seq.to_string())
                    .unwrap_or_else(|| "none".into()),
                date(evidence.checkpoints.newest_at)
            ),
            format!(
                "reports generated before this one: {}",
                evidence.staff.reports_generated
            ),
        ],
    );

    let a11y_01 = match accessibility {
        AccessibilityStatus::NotRecorded => row(
            "A11Y-01",
            "axe-core finds no serious or critical violations in the browser tests",
            Status::NoEvidenceYet,
            vec!["no browser run recorded".into()],
        ),
        AccessibilityStatus::Unreadable { reason } => row(
            "A11Y-01",
            "axe-core finds no serious or critical violations in the browser tests",
            Status::NoEvidenceYet,
            vec![reason.clone()],
        ),
        AccessibilityStatus::Recorded(run) => row(
            "A11Y-01",
            "axe-core finds no serious or critical violations in the browser tests",
            if run.blocking_violations() == 0 && run.scans > 0 {
                Status::Met
            } else if run.scans == 0 {
                Status::NoEvidenceYet
            } else {
                Status::NotMet
            },
            vec![
                format!("{} on {}", run.tool, run.generated_at.format("%Y-%m-%d %H:%M UTC")),
                format!("{} scans in {} test files", run.scans, run.test_files),
                format!(
                    "violations: {}",
                    run.violations
                        .iter()
                        .map(|(impact, count)| format!("{impact}: {count}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!("age of the run: {} days", (now - run.generated_at).num_days().max(0)),
            ],
        ),
    };

    let dis_13 = row(
        "DIS-13",
        "Messages the AI sends outside the chat say they come from an AI and for which company",
        Status::Met,
        vec![
            "Loket sends customers nothing outside the chat window: no e-mail, text message or proactive message; callbacks and e-mail tickets are answered by people".into(),
            format!(
                "webhooks go to the company's own systems ({} configured), with ids and times only",
                settings.webhooks.len()
            ),
        ],
    );
    let priv_05 = row(
        "PRIV-05",
        "Privacy by default: no emotion analysis, memory across conversations, profiling, analytics or voice recording",
        Status::Met,
        vec![
            "no emotion or sentiment scores: complaint and crisis wording is recognised only to hand the conversation to a person (HUM-07), and kept as the handover's reason".into(),
            "no memory across conversations: the bot answers each one from its own messages; its token lives in the browser tab's session storage; a logged-in customer's identity only widens what the knowledge base may show".into(),
            "no profiling or tracking: the widget loads nothing from third parties, and the dashboard and the metrics are counts without conversation ids or text".into(),
            "no voice: the chat is text only".into(),
            "no setting turns any of these on".into(),
        ],
    );
    let a11y_09 = row(
        "A11Y-09",
        "No inactivity timeout takes the chat away, and the transcript survives",
        Status::Met,
        vec![
            "the chat has no inactivity timeout: it stays open as long as the page, and a reload in the same tab resumes it with its transcript".into(),
            format!(
                "after {} minutes without messages the AI disclosure is shown again (bot.disclosure_idle_minutes); nothing is lost",
                settings.bot.disclosure_idle_minutes
            ),
            format!(
                "a customer waiting for a person gets the alternatives after {} minutes (handoff.wait_timeout_minutes) and keeps the chat and the person button",
                settings.handoff.wait_timeout_minutes
            ),
            format!(
                "the transcript is kept {} days (retention.transcripts.days) and can be downloaded from the chat",
                settings.retention.transcripts.days
            ),
        ],
    );
    let hum_09 = row(
        "HUM-09",
        "The chat makes or prepares no decision with legal or similarly significant effect",
        if high_risk.is_empty() {
            Status::Met
        } else {
            Status::RequiresHumanInput
        },
        vec![
            "the chat has no actions: it answers with approved text, declines, or hands over; refunds, account blocks, credit and claims are decided by people".into(),
            "requests for personal investment, insurance or credit advice are declined with a person offered (ACC-10), unless answer.licensed_advice allows the topic".into(),
            if high_risk.is_empty() {
                "governance.high_risk_uses: none".into()
            } else {
                format!(
                    "governance.high_risk_uses: {}: a person confirms how the customer is told, gets human review and can contest (GDPR art. 22(3))",
                    high_risk.join(", ")
                )
            },
        ],
    );
    let hum_10 = row(
        "HUM-10",
        "The point of contact offers a means of communication that is not solely automated (DSA art. 12)",
        Status::Met,
        vec![
            format!(
                "required at every start: a phone number or e-mail address (phone: {}; e-mail: {})",
                or_none(&settings.contact.phone),
                or_none(&settings.contact.email)
            ),
            format!(
                "a person can take over the chat itself during {} and in every state of it (HUM-01)",
                week_hours(config)
            ),
        ],
    );

    let mut sections = vec![
        section(
            "AI Act art. 50: transparency",
            "Regulation (EU) 2024/1689 art. 50(1) and (5)",
            vec![dis_01, dis_03, dis_05, dis_07, dis_10, dis_11, dis_12, dis_13],
        ),
        section(
            "Human contact",
            "AP/ACM 2 October 2025; BW 3:15d; GDPR art. 22; DSA art. 12",
            vec![hum_02, hum_04, hum_06, hum_09, hum_10, hum_12],
        ),
        section(
            "Correct answers",
            "AP/ACM theme \"juiste en betrouwbare antwoorden\"; BW 6:193c",
            vec![acc_01, acc_04, acc_06, acc_07, acc_09, acc_10],
        ),
        section(
            "Privacy",
            "GDPR art. 5, 12-20, 25; UAVG art. 46",
            vec![
                priv_01, priv_02, pii_01, pii_07, priv_05, priv_06, priv_07, priv_08, priv_10, priv_11, priv_12,
                priv_15,
            ],
        ),
        section(
            "Retention and erasure",
            "GDPR art. 5(1)(e), 17, 30(1)(f)",
            vec![ret_01, ret_02, ret_03, ret_04, ret_05, ret_06, ret_07, ret_08],
        ),
        section(
            "Injection defence and security",
            "OWASP LLM Top 10 (2025); GDPR art. 32",
            vec![sec_01, sec_05, sec_09, sec_10],
        ),
        section(
            "Governance",
            "GDPR art. 5(2), 30, 35",
            vec![gov_01, gov_02, gov_03, gov_04, gov_07, gov_08, gov_10],
        ),
        section(
            "Accessibility",
            "European Accessibility Act; WCAG 2.2 AA",
            vec![a11y_01, a11y_09],
        ),
    ];
    for extra in super::coverage::rows(config, evidence, accessibility) {
        let index = match extra.id.split('-').next() {
            Some("DIS") => 0,
            Some("HUM") => 1,
            Some("ACC") => 2,
            Some("PRIV" | "PII") => 3,
            Some("RET") => 4,
            Some("SEC") => 5,
            Some("GOV") => 6,
            _ => 7,
        };
        sections[index].rows.push(extra);
    }
    for section in &mut sections {
        section.rows.sort_by_key(|row| requirement_order(&row.id));
    }
    if settings.company.sector == Sector::Financial {
        sections.push(financial_section(config, evidence, &high_risk, acc_06_status));
    }
    for section in &mut sections {
        super::coverage::add_browser_tests(&mut section.rows, accessibility);
    }
    sections
}

/// A requirement id's place in its section: by prefix, then by number (DIS-02 before DIS-10).
fn requirement_order(id: &str) -> (String, u32) {
    let (prefix, number) = id.split_once('-').unwrap_or((id, ""));
    (prefix.to_string(), number.parse().unwrap_or(u32::MAX))
}

/// The add-ons of REQUIREMENTS 1J for a bank, insurer, lender or investment firm
/// (`company.sector = "financial"`).
fn financial_section(
    config: &ValidConfig,
    evidence: &Evidence,
    high_risk: &[&str],
    dark_patterns: Status,
) -> RequirementSection {
    let settings = &config.config;
    let handoff = &evidence.handoff;
    let generation = &settings.generation;
    let fin_01 = row(
        "FIN-01",
        "Human intervention for distance financial-service contracts, in business hours and in the customer's language (HUM-08)",
        evidenced(handoff.requested),
        vec![
            format!(
                "a person takes over on request in every state during {}; outside them the phone, e-mail and callback are given (HUM-04)",
                week_hours(config)
            ),
            format!(
                "requests: {}, taken over: {}, alternatives given: {}",
                handoff.requested, handoff.accepted, handoff.unavailable
            ),
            format!(
                "the conversation keeps the customer's language (Dutch or English) through the handover, and a handover is offered only while someone who serves customers in that language is online; operators serving in Dutch: {}, in English: {} (`loket user add --languages`); staffing the language of the pre-contractual information is the company's",
                evidence.store.operators_serving_dutch, evidence.store.operators_serving_english
            ),
        ],
    );
    let fin_02 = row(
        "FIN-02",
        "No misleading or manipulative interface design (CRD art. 16e): the chat gets the dark-pattern review",
        dark_patterns,
        vec!["the same review as ACC-06: the chat's own flow has no urgency, no upsell and a person in every state; the content lint's findings are listed under ACC-06".into()],
    );
    let fin_03 = row(
        "FIN-03",
        "Banking-service information is at most at level B2 (EAA); the AFM supervises",
        Status::RequiresHumanInput,
        vec![
            format!(
                "Loket's own texts: reading ease at least bot.min_reading_ease ({:.0}) for a configured disclosure, every text measured under DIS-11",
                settings.bot.min_reading_ease
            ),
            "the knowledge base's answers are the company's approved text: a person checks them at B2".into(),
        ],
    );
    let fin_04 = row(
        "FIN-04",
        "No automated creditworthiness assessment without human intervention, an explanation and review (CCD2 art. 18)",
        if high_risk.contains(&"credit_scoring") {
            Status::RequiresHumanInput
        } else {
            Status::Met
        },
        vec![if high_risk.contains(&"credit_scoring") {
            format!(
                "governance.high_risk_uses includes credit_scoring (fundamental-rights impact assessment: {}): a person confirms the human intervention, the explanation and the review",
                settings.governance.fria_reference.as_deref().unwrap_or("none")
            )
        } else {
            format!(
                "the chat assesses no creditworthiness: it makes no decisions (HUM-09), and requests for personal credit advice are {}",
                if settings
                    .answer
                    .licensed_advice
                    .contains(&loket_core::advice::AdviceTopic::Credit)
                {
                    "answered from the knowledge base (answer.licensed_advice includes credit: ACC-10)"
                } else {
                    "declined with a person offered (ACC-10)"
                }
            )
        }],
    );
    let external = generation.external_provider();
    let fin_05 = row(
        "FIN-05",
        "An external model vendor is in the DORA register of information (DORA art. 28)",
        Status::Met,
        vec![if external {
            format!(
                "{} ({}): register entry {} (required at every start)",
                generation.processor,
                generation.region,
                generation.dora_register_reference.as_deref().unwrap_or("none")
            )
        } else if generation.enabled() {
            "the model runs on the company's own systems (self-hosted or in-process): no third-party ICT provider for it".into()
        } else {
            "no language model: no third-party ICT provider for answering".into()
        }],
    );
    let transcripts_days = settings.retention.transcripts.days;
    // A ground long enough for MiFID II: conversations tagged with it are kept apart.
    let mifid_ground = settings
        .retention
        .statutory
        .iter()
        .filter(|statutory| statutory.days >= MIFID_RETENTION_DAYS)
        .max_by_key(|statutory| statutory.days);
    let fin_06 = row(
        "FIN-06",
        "Electronic communications about investment services are kept (MiFID II art. 16(7))",
        if !settings.company.investment_services || transcripts_days >= MIFID_RETENTION_DAYS || mifid_ground.is_some() {
            Status::Met
        } else {
            Status::NotMet
        },
        vec![
            format!("company.investment_services: {}", settings.company.investment_services),
            if !settings.company.investment_services {
                "no investment services: nothing to keep beyond the retention periods".into()
            } else if let Some(ground) = mifid_ground {
                format!(
                    "conversations an admin tags with statutory ground `{}` (`loket gdpr retain` or the admin API) are kept {} days after their last activity, the others {transcripts_days} days (RET-03); tags placed or removed: {}",
                    ground.ground, ground.days, evidence.retention.statutory_events
                )
            } else if transcripts_days >= MIFID_RETENTION_DAYS {
                format!(
                    "transcripts are kept {transcripts_days} days, at least the five years MiFID II asks; every other conversation is kept as long (GDPR art. 5(1)(e): a reason to tag them instead, with a ground in retention.statutory)"
                )
            } else {
                format!(
                    "transcripts are kept {transcripts_days} days, less than the five years MiFID II asks for communications about investment services: configure a ground of at least {MIFID_RETENTION_DAYS} days in retention.statutory and tag those conversations"
                )
            },
        ],
    );
    section(
        "Financial services (company.sector = \"financial\")",
        "CRD art. 16d-16e (Dir. 2023/2673); CCD2 art. 18; DORA art. 28; MiFID II art. 16(7); EAA",
        vec![fin_01, fin_02, fin_03, fin_04, fin_05, fin_06],
    )
}

/// Five years, the keeping period of MiFID II art. 16(7) (leap days included).
const MIFID_RETENTION_DAYS: u32 = 1_827;

/// RET-05: the model vendor keeps prompts and answers for no time or the minimum, and what it
/// keeps is in the records of processing. Follows `generation`: no model, a model in this process
/// or on the company's own server send nothing to a vendor; an external provider is met only with
/// zero retention (`generation.retention = "none"`), otherwise its retention needs the company's
/// confirmation that it is the minimum (abuse monitoring, say) and is in the ROPA and the DPIA.
fn ret_05_row(generation: &loket_core::config::GenerationConfig) -> RequirementRow {
    let external = generation.external_provider();
    let zero = matches!(generation.retention.trim(), "none" | "0" | "zero");
    let (status, evidence) = if !generation.enabled() {
        (
            Status::Met,
            vec!["no language model: nothing is sent to an AI vendor".to_string()],
        )
    } else if !external {
        (
            Status::Met,
            vec![format!(
                "the model runs on the company's own infrastructure ({}): no vendor keeps prompts or answers",
                or_none(&generation.processor)
            )],
        )
    } else if zero {
        (
            Status::Met,
            vec![format!(
                "model provider {} ({}): generation.retention = none, no training (generation.trains_on_data = false)",
                or_none(&generation.processor),
                or_none(&generation.region)
            )],
        )
    } else {
        (
            Status::RequiresHumanInput,
            vec![
                format!(
                    "model provider {} ({}) keeps prompts and answers: {}",
                    or_none(&generation.processor),
                    or_none(&generation.region),
                    or_none(&generation.retention)
                ),
                "confirm this is the provider's minimum (zero-retention options, abuse monitoring); the retention is named in the record of processing and the DPIA this report comes with".into(),
            ],
        )
    };
    row("RET-05", "Model-vendor retention is zero or minimal", status, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_core::config::{GenerationConfig, ModelProvider};

    /// RET-05 follows the configured model: met without a model, with one on the company's own
    /// infrastructure, and with an external provider that keeps nothing; an external provider
    /// that keeps prompts needs the company's confirmation, and the row names what it keeps.
    #[test]
    fn model_vendor_retention_follows_the_configured_model_ret_05() {
        let mut generation = GenerationConfig::default();
        assert_eq!(ret_05_row(&generation).status, Status::Met);
        generation.provider = ModelProvider::Local;
        generation.model_path = Some("/srv/models/smollm2.gguf".into());
        assert_eq!(ret_05_row(&generation).status, Status::Met);
        generation.provider = ModelProvider::Openai;
        generation.base_url = Some("https://models.example/v1".into());
        generation.self_hosted = true;
        generation.retention = "30 days".into();
        assert_eq!(ret_05_row(&generation).status, Status::Met, "the company's own server");
        generation.self_hosted = false;
        generation.processor = "Example Models B.V.".into();
        let kept = ret_05_row(&generation);
        assert_eq!(kept.status, Status::RequiresHumanInput);
        assert!(
            kept.evidence[0].contains("Example Models B.V.") && kept.evidence[0].contains("30 days"),
            "{kept:?}"
        );
        generation.retention = "none".into();
        assert_eq!(ret_05_row(&generation).status, Status::Met);
    }
}
