//! The DPIA draft (GDPR art. 35, REQUIREMENTS §3.1) and the records of processing (art. 30,
//! §3.2), generated from configuration. Every field names its source; a field that needs the
//! controller's judgement carries the "requires human input" marker and a hint instead of a
//! guess.

use loket_core::config::{ModelProvider, ValidConfig};

use super::{
    REQUIRES_HUMAN_INPUT, RecordField, RecordOfProcessing, RecordSection, or_none, retention_rules, week_hours,
};

fn field(name: &str, value: impl Into<String>, source: &str) -> RecordField {
    RecordField {
        field: name.into(),
        value: value.into(),
        source: source.into(),
        requires_human_input: false,
    }
}

fn human(name: &str, hint: &str) -> RecordField {
    RecordField {
        field: name.into(),
        value: format!("{REQUIRES_HUMAN_INPUT}: {hint}"),
        source: "judgement".into(),
        requires_human_input: true,
    }
}

fn record_section(title: &str, basis: &str, fields: Vec<RecordField>) -> RecordSection {
    RecordSection {
        title: title.into(),
        basis: basis.into(),
        fields,
    }
}

fn retention_summary(config: &ValidConfig) -> String {
    retention_rules(config)
        .into_iter()
        .map(|(store, rule)| format!("{store}: {} days ({})", rule.days, rule.justification))
        .chain(config.config.retention.statutory.iter().map(|statutory| {
            format!(
                "conversations tagged `{}`: {} days ({})",
                statutory.ground, statutory.days, statutory.justification
            )
        }))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The platform's purposes; the lawful basis of each is declared in `privacy.lawful_basis`.
const PURPOSES: &str = "answering customer questions from approved knowledge; handing over to staff; \
     callback and e-mail requests; security and accountability logging";
/// Data categories the platform can hold.
const DATA_CATEGORIES: &str = "chat text (personal data pseudonymised before storage); contact details in \
     callback requests; original values of pseudonymised data in the encrypted vault; staff login names; \
     audit records without content";
/// Technical and organisational measures the platform implements.
const MEASURES: &str = "pseudonymisation before storage (PII-01); per-conversation encryption of originals; \
     prompt-injection detection (SEC-01); output checks (SEC-05); role-based staff access with audited \
     reveals; hash-chained audit log with signed checkpoints; retention per store (RET-01)";

/// The risk of a model vendor keeping or training on chat content; its measures follow
/// `generation` ([`vendor_measures`]).
const VENDOR_RISK: &str = "vendor retention or training on chat content";

/// The risk catalogue of REQUIREMENTS §3.1 E with the platform's measures against each (by
/// requirement id). Likelihood and severity are the controller's judgement.
const RISKS: [(&str, &str); 16] = [
    (
        "disclosure through prompt injection or tool abuse",
        "injection detection and refusal (SEC-01); no tools; output checks (SEC-05)",
    ),
    (
        "data leaking between customers through retrieval or memory",
        "no memory across conversations; customer knowledge scoped to the identified customer",
    ),
    (VENDOR_RISK, "no model vendor (RET-05)"),
    (
        "transfer to a third country",
        "none by the platform; hosting is the controller's choice",
    ),
    (
        "inaccurate statements about the person, their contract or rights",
        "answers only from approved entries, abstention and a person (ACC-01, HUM-06)",
    ),
    (
        "special-category or criminal data volunteered and stored",
        "detection, just-in-time warning and short retention (PRIV-06, RET-04)",
    ),
    (
        "BSN processed without a statutory basis",
        "pseudonymised before storage, never revealed (PII-01)",
    ),
    (
        "retention longer than necessary",
        "retention per store with justification (RET-01, RET-02)",
    ),
    (
        "rights cannot be exercised",
        "export and erasure per conversation and per identified customer (PRIV-07, PRIV-08); a register of requests with the one-month deadline of art. 12(3) and its extension (PRIV-07)",
    ),
    (
        "users misled about the AI nature",
        "disclosure first in every conversation, AI name, truthful identity answer (DIS-01, DIS-06, DIS-07)",
    ),
    (
        "exclusion of disabled users or people with low digital skills; no human route",
        "a person on request, alternatives when closed, WCAG 2.2 AA checks (HUM-02, HUM-04, A11Y-01)",
    ),
    (
        "automated significant decisions without human review",
        "the bot makes no decisions",
    ),
    (
        "profiling or emotion inference",
        "none: no sentiment or emotion analysis",
    ),
    (
        "staff misuse or over-broad access",
        "roles, audited reveals, auditors see no message text, a second factor for staff logins per auth.second_factor (SEC-09)",
    ),
    (
        "breach of the transcript store",
        "personal data pseudonymised, originals encrypted per conversation",
    ),
    (
        "children",
        "no age check: decide whether children are an expected audience",
    ),
];

/// The DPIA draft of REQUIREMENTS §3.1, from configuration.
pub fn dpia(config: &ValidConfig) -> RecordOfProcessing {
    let settings = &config.config;
    RecordOfProcessing {
        title: "DPIA draft (GDPR art. 35)".into(),
        sections: vec![
            record_section(
                "A. Screening",
                "art. 35(1), 35(3); WP248 rev.01; AP list (Stcrt. 2019)",
                vec![
                    field(
                        "art35_3_a_systematic_evaluation_with_effects",
                        "false: the bot makes no decisions with legal or similar effect",
                        "platform",
                    ),
                    human(
                        "art35_3_b_large_scale_special_or_criminal",
                        "volume per month and whether special-category data is expected",
                    ),
                    field("art35_3_c_public_area_monitoring", "false", "platform"),
                    field(
                        "wp248_criteria",
                        "innovative technology (AI assistant); sensitive or highly personal data possible",
                        "platform",
                    ),
                    field("ap_mandatory_list_hits", "communicatiegegevens", "platform"),
                    field(
                        "dpia_required",
                        "true: two WP248 criteria and an AP list hit",
                        "computed",
                    ),
                ],
            ),
            record_section(
                "B. Governance",
                "art. 35(2), 35(9), 35(11), 36(1)",
                vec![
                    field("controller.name", config.wording.company(), "company.name"),
                    field(
                        "controller.contact",
                        format!(
                            "{} / {}",
                            or_none(&settings.contact.phone),
                            or_none(&settings.contact.email)
                        ),
                        "contact.phone, contact.email",
                    ),
                    human("dpo", "name and contact of the data protection officer"),
                    human("dpo_advice", "the DPO's advice and its date"),
                    human("data_subject_views", "how customers' views were sought, or why not"),
                    human("decision", "who approved the DPIA and when"),
                    field(
                        "review.triggers",
                        "configuration change (recorded as config_loaded), knowledge import, incident",
                        "platform",
                    ),
                    human(
                        "prior_consultation_required",
                        "whether residual high risk remains (art. 36)",
                    ),
                ],
            ),
            record_section(
                "C. Systematic description",
                "art. 35(7)(a)",
                vec![
                    field("purposes", PURPOSES, "platform"),
                    human(
                        "purposes.lawful_basis",
                        "the art. 6 basis per purpose (typically 6(1)(b), 6(1)(f))",
                    ),
                    field("context.channels", "web chat widget", "platform"),
                    field("context.languages", "nl, en", "platform"),
                    field("context.hours_of_human_availability", week_hours(config), "hours"),
                    field(
                        "data_subjects",
                        "customers and prospects; third parties named in chats; staff",
                        "platform",
                    ),
                    field("data_categories", DATA_CATEGORIES, "platform"),
                    field(
                        "national_id_policy",
                        "a BSN is pseudonymised and never revealed in the console (UAVG art. 46)",
                        "platform",
                    ),
                    field("ai_components", ai_components(config), "generation"),
                    field("recipients", recipients(config), "webhooks, generation"),
                    field(
                        "webhooks",
                        if settings.webhooks.is_empty() {
                            "none".to_string()
                        } else {
                            settings
                                .webhooks
                                .iter()
                                .map(|webhook| webhook_host(&webhook.url))
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                        "webhooks[].url",
                    ),
                    human("transfers", "hosting location and any transfer outside the EEA"),
                    field("retention", retention_summary(config), "retention"),
                    field(
                        "human_oversight",
                        format!(
                            "a person on request at any time; offered after {} abstentions; wait timeout {} minutes",
                            settings.handoff.abstentions_before_offer, settings.handoff.wait_timeout_minutes
                        ),
                        "handoff",
                    ),
                    field(
                        "ai_act.art50_measures",
                        format!(
                            "disclosure first in every conversation, template version {}, every showing audited",
                            config.wording.disclosure_version()
                        ),
                        "bot.disclosure_version",
                    ),
                    human(
                        "ai_act.role",
                        "provider or deployer, and the art. 5 and Annex III screening",
                    ),
                ],
            ),
            record_section(
                "D. Necessity and proportionality",
                "art. 35(7)(b)",
                vec![
                    field(
                        "minimisation_measures",
                        "pseudonymisation before storage; originals encrypted and expired from the vault",
                        "platform",
                    ),
                    field(
                        "accuracy_measures",
                        "answers only from approved entries; abstention below the threshold",
                        "answer.threshold",
                    ),
                    field("storage_limitation", retention_summary(config), "retention"),
                    field(
                        "transparency_measures",
                        format!(
                            "AI disclosure; privacy notice at {}",
                            or_none(&settings.contact.privacy_url)
                        ),
                        "contact.privacy_url",
                    ),
                    human(
                        "alternatives_considered",
                        "why a chatbot with human handover is proportionate",
                    ),
                ],
            ),
            record_section(
                "E. Risks and the measures against them",
                "art. 35(7)(c)",
                RISKS
                    .iter()
                    .enumerate()
                    .map(|(index, (risk, measures))| RecordField {
                        field: format!("risk {}: {risk}", index + 1),
                        value: format!(
                            "measures: {}; likelihood and severity: {REQUIRES_HUMAN_INPUT}",
                            if *risk == VENDOR_RISK {
                                vendor_measures(config)
                            } else {
                                measures.to_string()
                            }
                        ),
                        source: "REQUIREMENTS §3.1 E".into(),
                        requires_human_input: true,
                    })
                    .collect(),
            ),
            record_section(
                "F. Measures",
                "art. 35(7)(d)",
                vec![
                    field("measures", MEASURES, "platform"),
                    human(
                        "residual_high_risk",
                        "the residual likelihood and severity after the measures",
                    ),
                ],
            ),
        ],
    }
}

/// The art. 30(1) controller record of REQUIREMENTS §3.2, from configuration.
pub fn processing_record(config: &ValidConfig) -> RecordOfProcessing {
    RecordOfProcessing {
        title: "Records of processing activities (GDPR art. 30)".into(),
        sections: vec![
            record_section(
                "Customer service chat",
                "art. 30(1)(a)-(g)",
                vec![
                    field("(a) controller", config.wording.company(), "company.name"),
                    match &config.config.privacy.dpo_contact {
                        Some(contact) => field("(a) DPO contact", contact.trim(), "privacy.dpo_contact"),
                        None => human("(a) DPO contact", "the data protection officer's contact details"),
                    },
                    field("(b) purposes", PURPOSES, "platform"),
                    field(
                        "(c) categories of data subjects",
                        "customers and prospects; third parties named in chats; staff",
                        "platform",
                    ),
                    field("(c) categories of personal data", DATA_CATEGORIES, "platform"),
                    field("(d) recipients", recipients(config), "webhooks, generation"),
                    human("(e) transfers to third countries", "hosting location and safeguards"),
                    field("(f) time limits for erasure", retention_summary(config), "retention"),
                    field("(g) security measures", MEASURES, "platform"),
                    field("lawful basis per purpose", lawful_bases(config), "privacy.lawful_basis"),
                    field("AI components", ai_components(config), "generation"),
                ],
            ),
            record_section(
                "Processor record, when Loket is operated for others",
                "art. 30(2)",
                vec![
                    human(
                        "(a) processor",
                        "name and contact of the operator, its representative and DPO",
                    ),
                    field("(a) controller", config.wording.company(), "company.name"),
                    field(
                        "(b) categories of processing",
                        "hosting; chat orchestration; storage of transcripts, tickets and the audit log",
                        "platform",
                    ),
                    human("(c) transfers to third countries", "hosting location and safeguards"),
                    field("(d) security measures", MEASURES, "platform"),
                ],
            ),
        ],
    }
}

/// Each purpose with its configured basis (PRIV-01).
fn lawful_bases(config: &ValidConfig) -> String {
    let bases = &config.config.privacy.lawful_basis;
    format!(
        "answering questions: art. {}; handing over, callbacks and e-mail requests: art. {}; security and \
         accountability logging: art. {}",
        bases.answering.article(),
        bases.handover.article(),
        bases.logging.article()
    )
}

/// The AI components and, when a model phrases answers, what the configuration records of it
/// (PRIV-03: provider, region, retention, no training; ACC-01: behind the grounding verifier).
/// A sentence encoder is named by its folder's last component, never its full path.
fn ai_components(config: &ValidConfig) -> String {
    let generation = &config.config.generation;
    let encoder = config
        .config
        .answer
        .encoder_dir
        .as_deref()
        .and_then(|directory| directory.file_name())
        .map(|name| name.to_string_lossy().into_owned());
    let retrieval = match encoder {
        Some(name) => {
            format!("knowledge-base retrieval run locally (words and the sentence encoder {name}, run in-process)")
        }
        None => "knowledge-base retrieval run locally (words only)".to_owned(),
    };
    match generation.provider {
        ModelProvider::None => format!("{retrieval}; no generative model; no training on customer data"),
        provider => {
            let (kind, name) = match provider {
                ModelProvider::Local => (
                    "an embedded model run in-process",
                    generation
                        .model_path
                        .as_ref()
                        .and_then(|path| path.file_name())
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                ),
                _ => ("an OpenAI-compatible model server", generation.model.clone()),
            };
            format!(
                "{retrieval}; answers phrased by {kind} ({name}) from the cited passages only, every sentence checked \
                 by the grounding verifier and the output guard before it is shown, the approved text otherwise; \
                 personal data pseudonymised before the model; processor: {}; region: {}; provider retention: {}; \
                 training on conversations: no{}{}",
                generation.processor,
                generation.region,
                generation.retention,
                match (&generation.dpa_reference, &generation.transfer_mechanism) {
                    (Some(reference), Some(mechanism)) => {
                        format!("; processing agreement: {reference}; transfer mechanism: {mechanism}")
                    }
                    (Some(reference), None) => format!("; processing agreement: {reference}"),
                    _ => String::new(),
                },
                generation
                    .dora_register_reference
                    .as_ref()
                    .map(|reference| format!("; DORA register of information: {reference}"))
                    .unwrap_or_default()
            )
        }
    }
}

/// Who receives personal data: staff, webhook endpoints (ids only) and an external model server.
fn recipients(config: &ValidConfig) -> String {
    let settings = &config.config;
    let mut recipients = format!(
        "company staff; {} webhook endpoint(s) (ids and times only)",
        settings.webhooks.len()
    );
    let generation = &settings.generation;
    if generation.external_provider() {
        recipients.push_str(&format!(
            "; model provider {} in {} (pseudonymised question and approved passages)",
            generation.processor, generation.region
        ));
    }
    recipients
}

/// Only the host of a webhook URL goes into the report: the path may carry a token.
fn webhook_host(url: &str) -> String {
    let without_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("")
        .to_string()
}

/// The measures against a model vendor keeping or training on chat content, as configured.
fn vendor_measures(config: &ValidConfig) -> String {
    let generation = &config.config.generation;
    match generation.provider {
        ModelProvider::None => "no model vendor (RET-05)".into(),
        ModelProvider::Local => "the model runs in Loket's own process: no vendor (RET-05)".into(),
        ModelProvider::Openai if generation.self_hosted => {
            "the model server is the company's own: no vendor (RET-05)".into()
        }
        ModelProvider::Openai => format!(
            "provider {} keeps prompts and answers: {}; no training (PRIV-03); personal data pseudonymised before the call (PRIV-04); agreement {} (RET-05, PRIV-12)",
            generation.processor,
            generation.retention,
            generation.dpa_reference.as_deref().unwrap_or("none"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_reduced_to_their_host() {
        assert_eq!(webhook_host("https://user:pw@hooks.example/x?token=1"), "hooks.example");
        assert_eq!(webhook_host("http://helpdesk.example"), "helpdesk.example");
        assert_eq!(webhook_host("no scheme/path"), "no scheme");
    }

    fn value(record: &RecordOfProcessing, name: &str) -> String {
        record
            .sections
            .iter()
            .flat_map(|section| section.fields.iter())
            .find(|field| field.field == name)
            .map(|field| field.value.clone())
            .unwrap_or_default()
    }

    #[test]
    fn a_configured_model_is_recorded_with_its_provider_region_retention_and_no_training_priv_03() {
        let plain = loket_core::config::Config::default().validate().unwrap();
        assert!(value(&dpia(&plain), "ai_components").contains("no generative model"));
        assert!(value(&dpia(&plain), "ai_components").contains("(words only)"));
        let mut config = loket_core::config::Config::default();
        config.answer.encoder_dir = Some("/srv/models/multilingual-e5-small".into());
        let generation = &mut config.generation;
        generation.provider = ModelProvider::Openai;
        generation.base_url = Some("https://models.example/v1".into());
        generation.model = "mistral-small".into();
        generation.processor = "Example Models B.V.".into();
        generation.region = "EU (Paris)".into();
        generation.retention = "none".into();
        generation.dpa_reference = Some("DPA-2026-014".into());
        generation.transfer_mechanism = Some("eea".into());
        let config = config.validate().unwrap();
        let components = value(&dpia(&config), "ai_components");
        for expected in [
            "mistral-small",
            "Example Models B.V.",
            "EU (Paris)",
            "provider retention: none",
            "training on conversations: no",
            "DPA-2026-014",
            "grounding verifier",
            "sentence encoder multilingual-e5-small, run in-process",
        ] {
            assert!(components.contains(expected), "{expected}: {components}");
        }
        assert!(!components.contains("/srv/models"), "{components}");
        assert!(value(&dpia(&config), "recipients").contains("model provider Example Models B.V. in EU (Paris)"));
        assert!(value(&processing_record(&config), "(d) recipients").contains("Example Models B.V."));
        assert_eq!(
            value(&processing_record(&config), "AI components"),
            components,
            "the art. 30 record agrees"
        );
        assert!(value(&processing_record(&plain), "AI components").contains("no generative model"));
        let risk = value(&dpia(&config), &format!("risk 3: {VENDOR_RISK}"));
        for expected in ["Example Models B.V.", "keeps prompts and answers: none", "DPA-2026-014"] {
            assert!(risk.contains(expected), "{expected}: {risk}");
        }
        assert!(
            value(&dpia(&plain), &format!("risk 3: {VENDOR_RISK}")).contains("no model vendor"),
            "without a model"
        );
    }
}
