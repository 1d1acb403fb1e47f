//! The one typed configuration tree, loaded once and validated at startup.
//!
//! Every limit is a named value with a safe default. Validation refuses anything that would
//! switch off an invariant: a disclosure without an AI term or a not-a-person term, a bot name that
//! looks like a person (REQUIREMENTS DIS-03, DIS-07), a human route without any alternative for
//! closed hours (HUM-04), a retention period of "forever". There is deliberately no setting that
//! disables the disclosure or the "talk to a person" control.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::availability::{BusinessHours, DayHours, EuTimeZone};
use crate::locale::Locale;
use crate::wording::{Wording, WordingError};

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where and how the server listens.
    pub server: ServerConfig,
    /// The company the bot speaks for.
    pub company: CompanyConfig,
    /// The bot's name and the disclosure wording.
    pub bot: BotConfig,
    /// How customers reach people when the chat cannot: phone, e-mail, pages.
    pub contact: ContactConfig,
    /// When people work.
    pub hours: HoursConfig,
    /// Handover behaviour.
    pub handoff: HandoffConfig,
    /// Limits on input and use.
    pub limits: Limits,
    /// Answering from the knowledge base.
    pub answer: AnswerConfig,
    /// Staff sessions.
    pub auth: AuthConfig,
    /// Retention per store.
    pub retention: RetentionConfig,
    /// Colours of the widget; validated for WCAG 2.2 AA contrast at startup (A11Y-06).
    pub theme: ThemeConfig,
    /// Signed webhooks so handovers can be routed to a helpdesk (Zendesk, Freshdesk, Chatwoot).
    pub webhooks: Vec<WebhookConfig>,
    /// Customers identified by the company's own login (signed identity tokens).
    pub identity: IdentityConfig,
    /// Signed checkpoints of the audit chain.
    pub audit: AuditConfig,
    /// Which database and how many connections.
    pub database: DatabaseConfig,
    /// What happens to each type of personal data found in customer text.
    pub privacy: PrivacyConfig,
    /// An optional language model that phrases answers from the cited passages, behind the
    /// grounding verifier. Off by default: answers are the approved text itself.
    pub generation: GenerationConfig,
    /// The company's AI Act record: its role and its screenings (GOV-04).
    pub governance: GovernanceConfig,
}

/// The company's role under the AI Act for this chat (art. 3(3)-(4)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiActRole {
    /// The company uses the chat under its own authority (the usual case).
    #[default]
    Deployer,
    /// The company places the chat on the market or into service under its own name.
    Provider,
}

/// Uses listed in AI Act Annex III that would make the chat part of a high-risk system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HighRiskUse {
    /// Creditworthiness assessment or credit scoring of people (Annex III 5(b)).
    CreditScoring,
    /// Risk assessment and pricing for life or health insurance (Annex III 5(c)).
    InsurancePricing,
    /// Deciding on eligibility for public assistance benefits and services (Annex III 5(a)).
    PublicBenefits,
    /// Recruitment, selection or decisions about workers (Annex III 4).
    Employment,
}

impl HighRiskUse {
    /// The stable name, as in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            HighRiskUse::CreditScoring => "credit_scoring",
            HighRiskUse::InsurancePricing => "insurance_pricing",
            HighRiskUse::PublicBenefits => "public_benefits",
            HighRiskUse::Employment => "employment",
        }
    }
}

/// The company's AI Act onboarding record (REQUIREMENTS GOV-04): its role, the screening
/// against the prohibited practices of art. 5 and against the high-risk uses of Annex III, and
/// for a high-risk use the fundamental-rights impact assessment of art. 27.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GovernanceConfig {
    /// Deployer (default) or provider.
    pub ai_act_role: AiActRole,
    /// Where the screening against art. 5 (prohibited practices) is recorded: a reference and
    /// date kept by the company.
    pub prohibited_practices_screening: Option<String>,
    /// Where the screening against Annex III (high-risk uses) is recorded.
    pub high_risk_screening: Option<String>,
    /// Annex III uses the chat is part of; none for a customer-service chat.
    pub high_risk_uses: Vec<HighRiskUse>,
    /// The fundamental-rights impact assessment (art. 27), required with any high-risk use.
    pub fria_reference: Option<String>,
}

/// Where a generating model runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelProvider {
    /// No model: answers are the approved text (the default).
    #[default]
    None,
    /// A GGUF file run in this process on the CPU (`model_path`).
    Local,
    /// An OpenAI-compatible chat-completions server (`base_url`, `model`): vLLM, Ollama,
    /// llama.cpp's server, Mistral, Azure OpenAI, or `loket model serve`.
    Openai,
}

/// A language model that phrases answers (issue 8; ACC-01 to ACC-03, PRIV-03, PRIV-04). Whatever it
/// writes reaches the customer only sentence by sentence after the grounding verifier; anything
/// that fails, times out or is malformed falls back to the approved answer. The processing
/// fields describe the model for the records of processing and the DPIA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenerationConfig {
    /// Which model, if any.
    pub provider: ModelProvider,
    /// The GGUF file of a `local` model (read at startup; never downloaded).
    pub model_path: Option<std::path::PathBuf>,
    /// The API root of an `openai` server, such as `http://127.0.0.1:8080/v1`.
    pub base_url: Option<String>,
    /// The model name sent to an `openai` server.
    pub model: String,
    /// The environment variable that holds the server's API key, if it needs one (the key is
    /// never written in the configuration file).
    pub api_key_env: Option<String>,
    /// Azure OpenAI: the `api-version` query parameter. When set, the key is sent in the
    /// `api-key` header instead of `Authorization: Bearer`, and `base_url` is the deployment's
    /// root (`https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT`).
    pub api_version: Option<String>,
    /// Most tokens the model may write for one answer.
    pub max_tokens: u32,
    /// Seconds to wait for the first token (per attempt) before retrying or falling back.
    pub first_token_timeout_seconds: u64,
    /// Seconds a whole answer may take; at the deadline the approved answer is sent. Must stay
    /// [`GENERATION_TIMEOUT_MARGIN_SECONDS`] below `server.request_timeout_seconds`.
    pub timeout_seconds: u64,
    /// Further attempts after a failed connection, a 429 or a 5xx answer, before any token.
    pub retries: u32,
    /// Milliseconds before the first retry; each next one waits twice as long.
    pub retry_base_millis: u64,
    /// Answers a `local` model writes at the same time; further turns use the approved text.
    pub concurrency: usize,
    /// Who runs the model (for a `local` model: the company itself).
    pub processor: String,
    /// Where the model runs (country or cloud region).
    pub region: String,
    /// How long the provider keeps prompts and answers (`none` for zero retention).
    pub retention: String,
    /// Whether the provider may train on the conversations. Must be false (PRIV-03).
    pub trains_on_data: bool,
    /// The data-processing agreement with an external provider; required for an `openai`
    /// model that is not `self_hosted` (PRIV-03).
    pub dpa_reference: Option<String>,
    /// The `openai` server is run by the company itself (no processor agreement needed).
    pub self_hosted: bool,
    /// How personal data may reach an external provider (GDPR art. 44-46, PRIV-12): `eea` (it
    /// stays in the EEA), `adequacy`, `dpf` (EU-US Data Privacy Framework) or `scc_tia`
    /// (standard contractual clauses with a transfer impact assessment); required with
    /// `dpa_reference`.
    pub transfer_mechanism: Option<String>,
    /// The external provider's entry in the company's DORA register of information on ICT
    /// third-party service providers (DORA art. 28(3), FIN-05); required for a `financial`
    /// company whose model is not `self_hosted`.
    pub dora_register_reference: Option<String>,
}

/// The accepted values of `generation.transfer_mechanism`.
pub const TRANSFER_MECHANISMS: [&str; 4] = ["eea", "adequacy", "dpf", "scc_tia"];

/// Seconds a turn needs besides waiting for the model (guards, retrieval, the commit): the
/// model's deadline must leave this much of the request timeout.
pub const GENERATION_TIMEOUT_MARGIN_SECONDS: u64 = 5;

impl Default for GenerationConfig {
    fn default() -> Self {
        Self {
            provider: ModelProvider::None,
            model_path: None,
            base_url: None,
            model: String::new(),
            api_key_env: None,
            api_version: None,
            max_tokens: 160,
            first_token_timeout_seconds: 10,
            timeout_seconds: 20,
            retries: 2,
            retry_base_millis: 250,
            concurrency: 1,
            processor: String::new(),
            region: String::new(),
            retention: String::new(),
            trains_on_data: false,
            dpa_reference: None,
            transfer_mechanism: None,
            self_hosted: false,
            dora_register_reference: None,
        }
    }
}

impl GenerationConfig {
    /// True when a model phrases answers.
    pub fn enabled(&self) -> bool {
        self.provider != ModelProvider::None
    }

    /// True when prompts go to a model server another company runs (an `openai` provider that
    /// is not `self_hosted`): a processor, which needs an agreement, a location and a retention.
    pub fn external_provider(&self) -> bool {
        self.provider == ModelProvider::Openai && !self.self_hosted
    }
}

/// The personal-data types the guard recognises, by their wire names (PII-01).
pub const PII_TYPES: [&str; 14] = [
    "EMAIL",
    "PHONE",
    "IBAN",
    "BSN",
    "CREDIT_CARD",
    "POSTCODE",
    "ADDRESS",
    "PERSON",
    "DATE_OF_BIRTH",
    "IP_ADDRESS",
    "ID_DOCUMENT",
    "KVK",
    "VAT_ID",
    "LICENSE_PLATE",
];

/// What can happen to a personal-data value (PII-02).
pub const PII_ACTIONS: [&str; 4] = ["pseudonymise", "mask", "drop", "keep"];

/// What happens to each type of personal data found in customer text (PII-02, PRIV-04), and
/// what the chat's privacy notice tells customers (GDPR art. 13, PRIV-02).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Per type (`IBAN = "mask"`): `pseudonymise` (the default: a placeholder, the original
    /// sealed in the vault), `mask`, `drop` or `keep`. A BSN can never be kept; a payment card
    /// number is dropped by default and can only be dropped or masked (PII-08).
    pub policy: BTreeMap<String, String>,
    /// The statutory basis that lets agents reveal a BSN from the vault (UAVG art. 46); without
    /// it a BSN is never revealed.
    pub bsn_legal_basis: Option<String>,
    /// Where customers send privacy questions and rights requests (an e-mail address or page).
    pub contact: String,
    /// The data protection officer's contact, when one is designated (art. 13(1)(b)).
    pub dpo_contact: Option<String>,
    /// The lawful basis of each purpose of the chat (art. 6(1), 13(1)(c); PRIV-01).
    pub lawful_basis: LawfulBasisConfig,
    /// Transfers of chat data outside the European Economic Area by the company's own hosting
    /// or tools, with their safeguards, as the privacy notice should state them (art.
    /// 13(1)(f)); none when absent. A model provider's transfer is described from
    /// `generation`.
    pub transfers_outside_eea: Option<String>,
    /// Children are likely among the customers (a telecom, a webshop for games, a
    /// municipality): the notice opens with a section in plain words for young people, and a
    /// lawful basis of consent needs `parental_consent_process` (GDPR art. 8, UAVG art. 5;
    /// PRIV-15).
    pub minors_likely: bool,
    /// How the consent of parents or guardians of customers under 16 is obtained, when
    /// `minors_likely` and a purpose rests on consent.
    pub parental_consent_process: Option<String>,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        Self {
            policy: BTreeMap::new(),
            bsn_legal_basis: None,
            contact: "privacy@despaak.example".into(),
            dpo_contact: None,
            lawful_basis: LawfulBasisConfig::default(),
            transfers_outside_eea: None,
            minors_likely: false,
            parental_consent_process: None,
        }
    }
}

/// A lawful basis of GDPR art. 6(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// (a) consent, which the customer can withdraw.
    Consent,
    /// (b) needed for a contract with the customer or steps they asked for before one.
    Contract,
    /// (c) a legal obligation of the company.
    LegalObligation,
    /// (d) someone's vital interests.
    VitalInterests,
    /// (e) a task in the public interest (municipalities, public bodies).
    PublicTask,
    /// (f) the company's legitimate interests, weighed against the customer's.
    LegitimateInterests,
}

impl LawfulBasis {
    /// The article reference, `6(1)(b)`.
    pub fn article(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "6(1)(a)",
            LawfulBasis::Contract => "6(1)(b)",
            LawfulBasis::LegalObligation => "6(1)(c)",
            LawfulBasis::VitalInterests => "6(1)(d)",
            LawfulBasis::PublicTask => "6(1)(e)",
            LawfulBasis::LegitimateInterests => "6(1)(f)",
        }
    }
}

/// The lawful basis per purpose of the chat (PRIV-01). The defaults fit a webshop: answering
/// and handing over serve the customer's own request, logging for security and accountability
/// is a legitimate interest. A municipality sets `public_task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LawfulBasisConfig {
    /// Answering the customer's questions from approved information.
    pub answering: LawfulBasis,
    /// Handing over to staff, callback and e-mail requests.
    pub handover: LawfulBasis,
    /// Security and accountability logging (audit log without content, abuse detection).
    pub logging: LawfulBasis,
}

impl LawfulBasisConfig {
    /// The chat's purposes, by their setting's name, each with its basis.
    pub fn purposes(&self) -> [(&'static str, LawfulBasis); 3] {
        [
            ("answering", self.answering),
            ("handover", self.handover),
            ("logging", self.logging),
        ]
    }

    /// True when any purpose rests on `basis`.
    pub fn uses(&self, basis: LawfulBasis) -> bool {
        self.purposes().iter().any(|(_, purpose_basis)| *purpose_basis == basis)
    }
}

impl Default for LawfulBasisConfig {
    fn default() -> Self {
        Self {
            answering: LawfulBasis::Contract,
            handover: LawfulBasis::Contract,
            logging: LawfulBasis::LegitimateInterests,
        }
    }
}

/// The database: SQLite in the data directory (the default) or a PostgreSQL server shared by
/// several instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://<path>` or `postgres://user:password@host:port/database`; unset means
    /// `loket.sqlite3` in the data directory. Usually given as `--database-url` or
    /// `LOKET_DATABASE_URL`. It may carry a password, so it is never rendered.
    #[serde(skip_serializing)]
    pub url: Option<String>,
    /// Connections per instance (PostgreSQL; SQLite uses one writer and this many readers).
    pub pool_size: u32,
    /// Seconds a request waits for a connection before it fails with 503 `unavailable`.
    pub acquire_timeout_seconds: u64,
    /// Seconds a single statement may run before PostgreSQL cancels it (503 `unavailable`).
    pub statement_timeout_seconds: u64,
    /// SQLite: conversations whose turn context (the row, its data key and vault) is kept in
    /// memory between turns, so a turn does not read back what the previous one wrote; 0 turns
    /// this off. PostgreSQL keeps none: other instances write the same rows.
    pub cached_conversations: u32,
    /// SQLite: seconds a kept turn context is used after the conversation's last turn.
    pub cached_conversation_seconds: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: None,
            pool_size: 10,
            acquire_timeout_seconds: 5,
            statement_timeout_seconds: 30,
            cached_conversations: 10_000,
            cached_conversation_seconds: 300,
        }
    }
}

/// The URL schemes [`DatabaseConfig::url`] accepts.
pub const DATABASE_SCHEMES: [&str; 3] = ["sqlite://", "postgres://", "postgresql://"];

/// Customers identified by the company's own login. The company's site signs a short-lived
/// token (a JWT with HS256 and claims `sub` and `exp`) with a shared secret; the widget passes it
/// when opening a conversation. The conversation may then see `customer` knowledge and the
/// customer can export or erase everything held about them (GDPR art. 15, 17, 20).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// The shared HMAC secret, at least 32 characters; without it identity tokens are refused.
    pub secret: Option<String>,
    /// Longest accepted token lifetime in seconds (from now to `exp`).
    pub max_age_seconds: Option<u32>,
}

/// Signed checkpoints of the audit chain (SEC-09): the newest record's hash signed with an
/// Ed25519 key derived from the master key, so a removed tail or a rewritten chain shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Minutes between checkpoints while records are being written.
    pub checkpoint_minutes: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self { checkpoint_minutes: 60 }
    }
}

/// The events a webhook can subscribe to.
pub const WEBHOOK_EVENTS: [&str; 6] = [
    "handoff.requested",
    "handoff.accepted",
    "handoff.unavailable",
    "ticket.created",
    "withdrawal.received",
    "rights_request.received",
];

/// One webhook endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where events are POSTed (`http://` or `https://`).
    pub url: String,
    /// The HMAC-SHA256 key that signs every delivery; at least 16 characters. Never printed.
    pub secret: String,
    /// Which of [`WEBHOOK_EVENTS`] to send.
    pub events: Vec<String>,
}

/// The widget's colours as `#rrggbb`. A theme that fails WCAG 2.2 AA contrast stops startup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThemeConfig {
    /// Launcher, send button and customer bubbles.
    pub primary: String,
    /// Text and icons on `primary`.
    pub on_primary: String,
    /// Panel background.
    pub surface: String,
    /// Body text on the surface.
    pub text: String,
    /// Links on the surface.
    pub link: String,
}

impl Default for ThemeConfig {
    fn default() -> Self {
        Self {
            primary: "#1d4ed8".into(),
            on_primary: "#ffffff".into(),
            surface: "#ffffff".into(),
            text: "#1a1a1a".into(),
            link: "#1d4ed8".into(),
        }
    }
}

/// Parses `#rrggbb`.
pub fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|character| character.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |index: usize| u8::from_str_radix(&hex[index..index + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG 2.x contrast ratio between two colours (1 to 21).
pub fn contrast_ratio(first: [u8; 3], second: [u8; 3]) -> f64 {
    let luminance = |colour: [u8; 3]| {
        let linear = |channel: u8| {
            let value = f64::from(channel) / 255.0;
            if value <= 0.04045 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(colour[0]) + 0.7152 * linear(colour[1]) + 0.0722 * linear(colour[2])
    };
    let (a, b) = (luminance(first), luminance(second));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// Server settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Socket address to listen on.
    pub listen: String,
    /// Directory for the SQLite database, the knowledge index and other local state.
    pub data_dir: String,
    /// Set when Loket is served over TLS (directly or behind a proxy): cookies get `Secure`.
    pub behind_tls: bool,
    /// The reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client,
    /// so the per-address limits count customers, not the proxy. Empty: the peer is the client,
    /// and the header, which anyone can send, is ignored.
    pub trusted_proxies: Vec<String>,
    /// Seconds allowed for in-flight requests to finish on shutdown.
    pub shutdown_grace_seconds: u64,
    /// Seconds after which a request is cut off with 408/503.
    pub request_timeout_seconds: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: "./loket-data".into(),
            behind_tls: false,
            trusted_proxies: Vec::new(),
            shutdown_grace_seconds: 10,
            request_timeout_seconds: 30,
        }
    }
}

/// The company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompanyConfig {
    /// Trading name, used in the disclosure.
    pub name: String,
    /// The sector, which adds its own requirements (REQUIREMENTS 1J for `financial`): to the
    /// start-up checks and to the compliance report.
    pub sector: Sector,
    /// The company provides investment services (MiFID II), whose electronic communications must
    /// be kept (FIN-06). Only a `financial` company can.
    pub investment_services: bool,
}

impl Default for CompanyConfig {
    fn default() -> Self {
        Self {
            name: "Fietsenwinkel De Spaak".into(),
            sector: Sector::General,
            investment_services: false,
        }
    }
}

/// The company's sector, as far as it changes what the chat must do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// Webshops, telecoms, municipalities and everyone else: the general requirements.
    #[default]
    General,
    /// Banks, insurers, lenders, investment firms and payment institutions: human intervention
    /// for distance contracts (CRD art. 16d), the DORA register for an external model vendor, and
    /// the other financial add-ons of REQUIREMENTS 1J.
    Financial,
}

impl Sector {
    /// The stable name, as in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::General => "general",
            Sector::Financial => "financial",
        }
    }
}

/// The bot's presentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    /// Display name per locale; must contain "AI", "bot", "chatbot" or "digitale assistent"
    /// (REQUIREMENTS DIS-07).
    pub display_name: BTreeMap<Locale, String>,
    /// Custom disclosure text per locale; `{company}` is replaced. When absent, the recommended
    /// wording of REQUIREMENTS §2.1 is used. Custom text must pass the DIS-03 check.
    pub disclosure: BTreeMap<Locale, String>,
    /// Version label of the disclosure wording, recorded with every disclosure shown.
    pub disclosure_version: String,
    /// Minutes of inactivity after which a resumed conversation gets the disclosure again (DIS-05).
    pub disclosure_idle_minutes: u32,
    /// Least reading ease of a configured disclosure (DIS-11): Flesch-Douma for Dutch, Flesch
    /// for English, 0 to 100; a harder text stops the start. Every built-in text meets the
    /// default.
    pub min_reading_ease: f64,
}

/// The default of `bot.min_reading_ease`: "fairly hard" at worst on both scales.
pub const DEFAULT_MIN_READING_EASE: f64 = 50.0;

impl Default for BotConfig {
    fn default() -> Self {
        Self {
            display_name: BTreeMap::from([
                (Locale::Nl, "AI-assistent".to_string()),
                (Locale::En, "AI assistant".to_string()),
            ]),
            disclosure: BTreeMap::new(),
            disclosure_version: "2026-11-default".into(),
            disclosure_idle_minutes: 30,
            min_reading_ease: DEFAULT_MIN_READING_EASE,
        }
    }
}

/// Alternatives to the chat (REQUIREMENTS HUM-04, HUM-05, A11Y-16).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactConfig {
    /// Phone number for customers.
    pub phone: String,
    /// When the phone is answered, per locale.
    pub phone_hours: BTreeMap<Locale, String>,
    /// E-mail address for customers.
    pub email: String,
    /// How soon e-mail is answered, per locale.
    pub email_response: BTreeMap<Locale, String>,
    /// The company's contact page, reachable without the chat.
    pub contact_url: String,
    /// The privacy statement.
    pub privacy_url: String,
}

impl Default for ContactConfig {
    fn default() -> Self {
        Self {
            phone: "020-123 4567".into(),
            phone_hours: BTreeMap::from([
                (Locale::Nl, "ma-vr 9:00-17:00, za 10:00-16:00".to_string()),
                (Locale::En, "Mon-Fri 9:00-17:00, Sat 10:00-16:00".to_string()),
            ]),
            email: "klantenservice@despaak.example".into(),
            email_response: BTreeMap::from([
                (Locale::Nl, "twee werkdagen".to_string()),
                (Locale::En, "two working days".to_string()),
            ]),
            contact_url: "/#contact".into(),
            privacy_url: "/#privacy".into(),
        }
    }
}

/// Business hours of the people behind the chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HoursConfig {
    /// IANA name of a European time zone, or `UTC`.
    pub timezone: String,
    /// Hours per weekday: `"09:00-17:00"` or `"closed"`.
    pub monday: String,
    /// Tuesday.
    pub tuesday: String,
    /// Wednesday.
    pub wednesday: String,
    /// Thursday.
    pub thursday: String,
    /// Friday.
    pub friday: String,
    /// Saturday.
    pub saturday: String,
    /// Sunday.
    pub sunday: String,
    /// Local dates (YYYY-MM-DD) on which nobody works.
    pub holidays: Vec<String>,
}

impl Default for HoursConfig {
    fn default() -> Self {
        let weekday = "09:00-17:00".to_string();
        Self {
            timezone: "Europe/Amsterdam".into(),
            monday: weekday.clone(),
            tuesday: weekday.clone(),
            wednesday: weekday.clone(),
            thursday: weekday.clone(),
            friday: weekday,
            saturday: "10:00-16:00".into(),
            sunday: "closed".into(),
            holidays: vec!["2026-12-25".into(), "2026-12-26".into(), "2027-01-01".into()],
        }
    }
}

/// Handover behaviour (REQUIREMENTS HUM-02, HUM-04, HUM-06).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HandoffConfig {
    /// Consecutive abstentions after which the bot offers a person on its own (at least 1).
    pub abstentions_before_offer: u32,
    /// Minutes a customer waits in the queue before being offered the alternatives.
    pub wait_timeout_minutes: u32,
    /// Seconds an agent's console may be silent before the agent counts as gone and the
    /// conversation returns to the queue.
    pub agent_presence_timeout_seconds: u32,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        Self {
            abstentions_before_offer: 2,
            wait_timeout_minutes: 10,
            agent_presence_timeout_seconds: 60,
        }
    }
}

/// Limits on input and use. Every one is named and has a safe default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Maximum characters in one message.
    pub message_chars: usize,
    /// Maximum bytes of a request body.
    pub body_bytes: usize,
    /// Maximum bytes of a knowledge import through the admin API (files base64-encoded in JSON).
    pub import_body_bytes: usize,
    /// Messages a conversation may send per minute.
    pub messages_per_conversation_per_minute: u32,
    /// Requests one IP address may make per minute.
    pub requests_per_ip_per_minute: u32,
    /// Conversations one IP address may open per hour.
    pub conversations_per_ip_per_hour: u32,
    /// Live-stream connections the server holds in total.
    pub stream_connections: usize,
    /// Live-stream connections per conversation.
    pub streams_per_conversation: usize,
    /// Login attempts per IP address per 15 minutes.
    pub login_attempts_per_ip: u32,
    /// Second-factor codes a staff account may try per 15 minutes, from all addresses together
    /// (SEC-09), so guessing a six-digit code from many addresses gets nowhere.
    pub second_factor_attempts_per_account: u32,
    /// Messages per page of `GET .../messages`.
    pub messages_page: u32,
    /// Attempts per webhook delivery before it is given up (and logged as such).
    pub webhook_attempts: u32,
    /// Milliseconds before the first webhook retry; each next retry waits twice as long.
    pub webhook_retry_base_millis: u64,
    /// Seconds a webhook endpoint may take to answer.
    pub webhook_timeout_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            message_chars: 2000,
            body_bytes: 16 * 1024,
            import_body_bytes: 32 * 1024 * 1024,
            messages_per_conversation_per_minute: 20,
            requests_per_ip_per_minute: 600,
            conversations_per_ip_per_hour: 60,
            stream_connections: 20_000,
            streams_per_conversation: 4,
            login_attempts_per_ip: 10,
            second_factor_attempts_per_account: 10,
            messages_page: 500,
            webhook_attempts: 6,
            webhook_retry_base_millis: 1000,
            webhook_timeout_seconds: 10,
        }
    }
}

/// The most approved questions an abstention may offer: more is a list nobody reads.
pub const MAX_SUGGESTIONS: usize = 5;

/// Answering from the knowledge base.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerConfig {
    /// Confidence below which the bot abstains and offers a person; `None` uses the knowledge
    /// base's measured default.
    pub threshold: Option<f32>,
    /// Most approved FAQ questions offered with an abstention, for the customer to pick instead
    /// of rephrasing (0 offers none); `None` uses the knowledge base's default (3).
    pub suggestions: Option<usize>,
    /// Least confidence of the best candidate for questions to be offered at all; `None` uses
    /// the knowledge base's measured default.
    pub suggestion_floor: Option<f32>,
    /// Domains that links in AI answers may point to (SEC-05), besides the hosts of the
    /// knowledge base's own urls, which are always allowed; links elsewhere become plain text.
    pub link_domains: Vec<String>,
    /// Directory of a local sentence encoder (`config.json`, `tokenizer.json`,
    /// `model.safetensors`) for dense retrieval next to the lexical one; `None` means lexical
    /// only. Nothing is ever downloaded: the model must already be on disk.
    pub encoder_dir: Option<std::path::PathBuf>,
    /// Topics of personal advice the company is licensed or qualified to give through the
    /// chat (ACC-10): `investment`, `insurance`, `credit`, `tax`, `legal`, `medical`. Requests
    /// for advice on any other topic are declined with a person offered; the default, none,
    /// declines them all.
    pub licensed_advice: Vec<crate::advice::AdviceTopic>,
}

impl AnswerConfig {
    /// True when the assistant declines requests for advice on `topic`: it is not in
    /// `licensed_advice` (ACC-10).
    pub fn declines_advice(&self, topic: crate::advice::AdviceTopic) -> bool {
        !self.licensed_advice.contains(&topic)
    }

    /// The advice topics the assistant declines, in [`crate::advice::AdviceTopic::ALL`] order.
    pub fn declined_advice(&self) -> impl Iterator<Item = crate::advice::AdviceTopic> + '_ {
        crate::advice::AdviceTopic::ALL
            .into_iter()
            .filter(|topic| self.declines_advice(*topic))
    }
}

/// Staff sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Minutes a staff session lives without activity.
    pub session_idle_minutes: u32,
    /// Hours a staff session lives at most.
    pub session_max_hours: u32,
    /// Whether staff need a second factor (an authenticator app's code, RFC 6238) to log in
    /// (REQUIREMENTS SEC-09). `required`, the default: a member without one can only set it up
    /// after logging in; nothing else opens. `optional`: members who set one up must use it.
    pub second_factor: SecondFactorPolicy,
    /// Time steps of 30 s an authenticator code may be off, either way (clock drift); 0 to 2.
    pub totp_skew_steps: u8,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_max_hours: 10,
            second_factor: SecondFactorPolicy::Required,
            totp_skew_steps: 1,
        }
    }
}

/// See [`AuthConfig::second_factor`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorPolicy {
    /// Every staff member must set up and use a second factor.
    #[default]
    Required,
    /// Staff may set one up; those who did must use it.
    Optional,
}

impl SecondFactorPolicy {
    /// The stable name, as in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactorPolicy::Required => "required",
            SecondFactorPolicy::Optional => "optional",
        }
    }
}

/// Retention of one store: a period and why (REQUIREMENTS RET-01).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// Days after the last activity before the data is deleted or anonymised.
    pub days: u32,
    /// The written justification, shown in the compliance report.
    pub justification: String,
}

/// A legal ground for keeping a tagged conversation longer than the ordinary periods
/// (REQUIREMENTS RET-03, FIN-06): MiFID II communications about investment services (5 years, up
/// to 7), Wwft customer due diligence (5 years after the relationship ends), tax records (7
/// years). It applies only to conversations an admin tagged with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatutoryGround {
    /// Its name in tags, the API and the audit log: lowercase letters, digits and `_`
    /// (`mifid_ii`, `wwft`).
    pub ground: String,
    /// Days after the conversation's last activity before it is deleted.
    pub days: u32,
    /// The legal provision and why it applies, shown in the compliance report.
    pub justification: String,
}

/// Retention per store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Chat transcripts.
    pub transcripts: RetentionRule,
    /// The vault with original personal data.
    pub vault: RetentionRule,
    /// Conversations in which special-category data was shared.
    pub sensitive_transcripts: RetentionRule,
    /// Callback and e-mail tickets.
    pub tickets: RetentionRule,
    /// The audit log.
    pub audit: RetentionRule,
    /// The webhook delivery log (operational data without content).
    pub delivery_log: RetentionRule,
    /// Minutes between retention runs.
    pub run_every_minutes: u32,
    /// Records removed per transaction, so a run never holds the database for long.
    pub batch_size: u32,
    /// Longer periods for conversations tagged with a legal ground (RET-03); none by default.
    pub statutory: Vec<StatutoryGround>,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        let rule = |days: u32, justification: &str| RetentionRule {
            days,
            justification: justification.into(),
        };
        Self {
            transcripts: rule(90, "Handling follow-up questions and complaints about a conversation."),
            vault: rule(30, "Agents may need the original value to help with an open question."),
            sensitive_transcripts: rule(7, "Special-category data is kept as briefly as handling allows."),
            tickets: rule(
                90,
                "A callback or e-mail request must be followed up and complaints handled.",
            ),
            audit: rule(
                730,
                "Accountability towards the AP and ACM (GDPR art. 5(2), AI Act art. 50).",
            ),
            delivery_log: rule(30, "Diagnosing failed deliveries to the helpdesk."),
            run_every_minutes: 60,
            batch_size: 500,
            statutory: Vec::new(),
        }
    }
}

/// Everything that is wrong with a configuration, each with the setting it concerns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    /// Dotted path of the setting.
    pub setting: String,
    /// What is wrong, in a sentence.
    pub problem: String,
}

/// The configuration after validation, with the derived runtime objects.
#[derive(Debug, Clone)]
pub struct ValidConfig {
    /// The configuration as given.
    pub config: Config,
    /// The validated customer-facing texts.
    pub wording: Wording,
    /// The parsed business hours.
    pub hours: BusinessHours,
}

impl Config {
    /// Validates everything and derives the runtime objects; returns every problem at once.
    pub fn validate(self) -> Result<ValidConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut fail = |setting: &str, problem: String| {
            errors.push(ConfigError {
                setting: setting.into(),
                problem,
            })
        };

        let wording = match Wording::new(&self) {
            Ok(wording) => Some(wording),
            Err(problems) => {
                for problem in problems {
                    let setting = match &problem {
                        WordingError::BotName { .. } => "bot.display_name",
                        _ => "bot.disclosure",
                    };
                    fail(setting, problem.to_string());
                }
                None
            }
        };

        if let Err(problem) = crate::proxy::TrustedProxies::parse(&self.server.trusted_proxies) {
            fail("server.trusted_proxies", problem);
        }

        if self.auth.totp_skew_steps > 2 {
            fail(
                "auth.totp_skew_steps",
                "at most 2 (a minute either way); more makes codes easier to guess".into(),
            );
        }

        let zone = EuTimeZone::parse(&self.hours.timezone);
        if zone.is_none() {
            fail(
                "hours.timezone",
                format!("`{}` is not a supported European time zone or UTC", self.hours.timezone),
            );
        }
        let days = [
            ("hours.monday", &self.hours.monday),
            ("hours.tuesday", &self.hours.tuesday),
            ("hours.wednesday", &self.hours.wednesday),
            ("hours.thursday", &self.hours.thursday),
            ("hours.friday", &self.hours.friday),
            ("hours.saturday", &self.hours.saturday),
            ("hours.sunday", &self.hours.sunday),
        ];
        let mut week = [None; 7];
        for (index, (setting, text)) in days.iter().enumerate() {
            match DayHours::parse(text) {
                Ok(hours) => week[index] = hours,
                Err(problem) => fail(setting, problem),
            }
        }
        if days.iter().all(|(_, text)| matches!(DayHours::parse(text), Ok(None))) {
            fail(
                "hours",
                "people must be reachable on at least one weekday (HUM-04)".into(),
            );
        }
        let mut holidays = Vec::new();
        for holiday in &self.hours.holidays {
            match NaiveDate::parse_from_str(holiday, "%Y-%m-%d") {
                Ok(date) => holidays.push(date),
                Err(_) => fail(
                    "hours.holidays",
                    format!("`{holiday}` is not a date of the form 2026-12-25"),
                ),
            }
        }

        if self.contact.phone.trim().is_empty() && self.contact.email.trim().is_empty() {
            fail(
                "contact",
                "at least one of contact.phone and contact.email is required: customers need an alternative \
                 when nobody is online (HUM-04, A11Y-16)"
                    .into(),
            );
        }
        if self.handoff.abstentions_before_offer == 0 {
            fail("handoff.abstentions_before_offer", "must be at least 1".into());
        }
        if self.handoff.wait_timeout_minutes == 0 {
            fail("handoff.wait_timeout_minutes", "must be at least 1".into());
        }

        let limits = &self.limits;
        for (setting, value, minimum) in [
            ("limits.message_chars", limits.message_chars, 1),
            ("limits.body_bytes", limits.body_bytes, 256),
            ("limits.import_body_bytes", limits.import_body_bytes, 1024),
            ("limits.stream_connections", limits.stream_connections, 1),
            ("limits.streams_per_conversation", limits.streams_per_conversation, 1),
        ] {
            if value < minimum {
                fail(setting, format!("must be at least {minimum}"));
            }
        }
        if limits.body_bytes < limits.message_chars.saturating_mul(4) + 64 {
            fail(
                "limits.body_bytes",
                "must hold a message of limits.message_chars characters of 4 bytes each".into(),
            );
        }
        for (setting, value) in [
            (
                "limits.messages_per_conversation_per_minute",
                limits.messages_per_conversation_per_minute,
            ),
            ("limits.requests_per_ip_per_minute", limits.requests_per_ip_per_minute),
            (
                "limits.conversations_per_ip_per_hour",
                limits.conversations_per_ip_per_hour,
            ),
            ("limits.login_attempts_per_ip", limits.login_attempts_per_ip),
            (
                "limits.second_factor_attempts_per_account",
                limits.second_factor_attempts_per_account,
            ),
            ("limits.messages_page", limits.messages_page),
        ] {
            if value == 0 {
                fail(setting, "must be at least 1".into());
            }
        }
        if let Some(threshold) = self.answer.threshold
            && !(0.0..=1.0).contains(&threshold)
        {
            fail("answer.threshold", "must lie between 0 and 1".into());
        }
        if let Some(floor) = self.answer.suggestion_floor
            && !(0.0..=1.0).contains(&floor)
        {
            fail("answer.suggestion_floor", "must lie between 0 and 1".into());
        }
        if self.answer.suggestions.is_some_and(|count| count > MAX_SUGGESTIONS) {
            fail("answer.suggestions", format!("must be at most {MAX_SUGGESTIONS}"));
        }

        let generation = &self.generation;
        match generation.provider {
            ModelProvider::None => {}
            ModelProvider::Local => {
                if generation.model_path.is_none() {
                    fail(
                        "generation.model_path",
                        "a local model needs the path of its GGUF file".into(),
                    );
                }
            }
            ModelProvider::Openai => {
                let url = generation.base_url.as_deref().unwrap_or("");
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    fail(
                        "generation.base_url",
                        "an openai model needs base_url starting with https:// or http://".into(),
                    );
                }
                if generation.model.trim().is_empty() {
                    fail("generation.model", "an openai model needs the model name".into());
                }
                if !generation.self_hosted && generation.dpa_reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    fail(
                        "generation.dpa_reference",
                        "an external model provider needs a data-processing agreement (GDPR art. 28, PRIV-03); \
                         set self_hosted = true for a server the company runs itself"
                            .into(),
                    );
                }
                if !generation.self_hosted
                    && self.company.sector == Sector::Financial
                    && generation.dora_register_reference.is_none()
                {
                    fail(
                        "generation.dora_register_reference",
                        "a financial company records an external model provider in its DORA register of \
                         information (DORA art. 28(3), FIN-05): give the register entry"
                            .into(),
                    );
                }
                if !generation.self_hosted
                    && !generation
                        .transfer_mechanism
                        .as_deref()
                        .is_some_and(|mechanism| TRANSFER_MECHANISMS.contains(&mechanism.trim()))
                {
                    fail(
                        "generation.transfer_mechanism",
                        format!(
                            "an external model provider needs the transfer mechanism of its region (GDPR art. 44-46, \
                             PRIV-12): one of {}",
                            TRANSFER_MECHANISMS.join(", ")
                        ),
                    );
                }
            }
        }
        if generation.enabled() {
            if generation.trains_on_data {
                fail(
                    "generation.trains_on_data",
                    "conversations may not be used to train models (PRIV-03)".into(),
                );
            }
            for (setting, value) in [
                ("generation.processor", &generation.processor),
                ("generation.region", &generation.region),
                ("generation.retention", &generation.retention),
            ] {
                if value.trim().is_empty() {
                    fail(setting, "is required for the records of processing and the DPIA".into());
                }
            }
            if generation
                .timeout_seconds
                .saturating_add(GENERATION_TIMEOUT_MARGIN_SECONDS)
                > self.server.request_timeout_seconds
            {
                fail(
                    "generation.timeout_seconds",
                    format!(
                        "must be at least {GENERATION_TIMEOUT_MARGIN_SECONDS} s below server.request_timeout_seconds ({}), \
                         so a turn that waits for the model still completes and is stored",
                        self.server.request_timeout_seconds
                    ),
                );
            }
            for (setting, value) in [
                ("generation.max_tokens", u64::from(generation.max_tokens)),
                ("generation.timeout_seconds", generation.timeout_seconds),
                (
                    "generation.first_token_timeout_seconds",
                    generation.first_token_timeout_seconds,
                ),
                ("generation.concurrency", generation.concurrency as u64),
            ] {
                if value == 0 {
                    fail(setting, "must be at least 1".into());
                }
            }
        }

        for (index, webhook) in self.webhooks.iter().enumerate() {
            let setting = format!("webhooks[{index}]");
            if !(webhook.url.starts_with("https://") || webhook.url.starts_with("http://")) {
                fail(&setting, "url must start with https:// or http://".into());
            }
            if webhook.secret.chars().count() < 16 {
                fail(&setting, "secret must have at least 16 characters".into());
            }
            if webhook.events.is_empty()
                || webhook
                    .events
                    .iter()
                    .any(|event| !WEBHOOK_EVENTS.contains(&event.as_str()))
            {
                fail(
                    &setting,
                    format!("events must be one or more of {}", WEBHOOK_EVENTS.join(", ")),
                );
            }
        }
        if self.limits.webhook_attempts == 0 || self.limits.webhook_timeout_seconds == 0 {
            fail(
                "limits.webhook_attempts",
                "webhook attempts and timeout must be at least 1".into(),
            );
        }

        let theme = &self.theme;
        let colours: Vec<(&str, Option<[u8; 3]>)> = [
            ("theme.primary", &theme.primary),
            ("theme.on_primary", &theme.on_primary),
            ("theme.surface", &theme.surface),
            ("theme.text", &theme.text),
            ("theme.link", &theme.link),
        ]
        .into_iter()
        .map(|(setting, value)| (setting, parse_colour(value)))
        .collect();
        for (setting, colour) in &colours {
            if colour.is_none() {
                fail(setting, "must be a colour of the form #1d4ed8".into());
            }
        }
        if let [
            (_, Some(primary)),
            (_, Some(on_primary)),
            (_, Some(surface)),
            (_, Some(text)),
            (_, Some(link)),
        ] = colours.as_slice()
        {
            for (setting, foreground, background, minimum, what) in [
                (
                    "theme.on_primary",
                    on_primary,
                    primary,
                    4.5,
                    "text on the primary colour",
                ),
                ("theme.text", text, surface, 4.5, "body text on the surface"),
                ("theme.link", link, surface, 4.5, "links on the surface"),
                (
                    "theme.primary",
                    primary,
                    surface,
                    3.0,
                    "the launcher and buttons against the surface",
                ),
            ] {
                let ratio = contrast_ratio(*foreground, *background);
                if ratio < minimum {
                    fail(
                        setting,
                        format!("{what} has contrast {ratio:.2}:1; WCAG 2.2 AA needs at least {minimum}:1 (A11Y-06)"),
                    );
                }
            }
        }

        let retention = &self.retention;
        for (setting, rule) in [
            ("retention.transcripts", &retention.transcripts),
            ("retention.vault", &retention.vault),
            ("retention.sensitive_transcripts", &retention.sensitive_transcripts),
            ("retention.tickets", &retention.tickets),
            ("retention.audit", &retention.audit),
            ("retention.delivery_log", &retention.delivery_log),
        ] {
            if rule.days == 0 || rule.days > 3650 {
                fail(
                    setting,
                    "days must be between 1 and 3650: nothing is kept forever (RET-01)".into(),
                );
            }
            if rule.justification.trim().len() < 10 {
                fail(setting, "a written justification is required (RET-01)".into());
            }
        }
        if retention.sensitive_transcripts.days > retention.transcripts.days {
            fail(
                "retention.sensitive_transcripts",
                "must not be longer than retention.transcripts: special-category data gets the shorter period (RET-03)"
                    .into(),
            );
        }
        if !(1..=10_080).contains(&retention.run_every_minutes) {
            fail(
                "retention.run_every_minutes",
                "must be between 1 and 10080 (a week)".into(),
            );
        }
        if !(1..=100_000).contains(&retention.batch_size) {
            fail("retention.batch_size", "must be between 1 and 100000".into());
        }
        for (index, statutory) in retention.statutory.iter().enumerate() {
            let setting = format!("retention.statutory[{index}]");
            let name_ok = statutory.ground.len() <= 32
                && statutory
                    .ground
                    .starts_with(|character: char| character.is_ascii_lowercase())
                && statutory
                    .ground
                    .chars()
                    .all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_');
            if !name_ok {
                fail(
                    &setting,
                    "ground must be 1-32 lowercase letters, digits or _, starting with a letter".into(),
                );
            }
            if retention.statutory[..index]
                .iter()
                .any(|earlier| earlier.ground == statutory.ground)
            {
                fail(&setting, format!("ground `{}` is configured twice", statutory.ground));
            }
            if statutory.days <= retention.transcripts.days || statutory.days > 3650 {
                fail(
                    &setting,
                    "days must be longer than retention.transcripts and at most 3650: nothing is kept forever (RET-01, RET-03)"
                        .into(),
                );
            }
            if statutory.justification.trim().len() < 10 {
                fail(&setting, "a written justification is required (RET-01)".into());
            }
        }
        for (kind, action) in &self.privacy.policy {
            let setting = format!("privacy.policy.{kind}");
            if !PII_TYPES.contains(&kind.as_str()) {
                fail(
                    &setting,
                    format!("unknown personal-data type; known: {}", PII_TYPES.join(", ")),
                );
            }
            if !PII_ACTIONS.contains(&action.as_str()) {
                fail(&setting, format!("must be one of {}", PII_ACTIONS.join(", ")));
            }
            if kind == "BSN" && action == "keep" {
                fail(
                    &setting,
                    "a BSN is never kept in the clear (UAVG art. 46, PII-01)".into(),
                );
            }
            if kind == "CREDIT_CARD" && !matches!(action.as_str(), "drop" | "mask") {
                fail(
                    &setting,
                    "a payment card number is never stored, not even in the vault: drop (the default) or mask (PII-08)"
                        .into(),
                );
            }
        }
        if let Some(basis) = &self.privacy.bsn_legal_basis
            && basis.trim().chars().count() < 10
        {
            fail(
                "privacy.bsn_legal_basis",
                "name the statute that allows agents to see a BSN".into(),
            );
        }
        if self.privacy.contact.trim().is_empty() || self.privacy.contact.chars().any(char::is_control) {
            fail(
                "privacy.contact",
                "name where customers send privacy questions and rights requests (GDPR art. 13(1)(a))".into(),
            );
        }
        if self
            .privacy
            .dpo_contact
            .as_deref()
            .is_some_and(|contact| contact.trim().is_empty() || contact.chars().any(char::is_control))
        {
            fail("privacy.dpo_contact", "leave it out or give the DPO's contact".into());
        }
        if self
            .privacy
            .transfers_outside_eea
            .as_deref()
            .is_some_and(|transfers| transfers.trim().chars().count() < 10 || transfers.chars().any(char::is_control))
        {
            fail(
                "privacy.transfers_outside_eea",
                "leave it out (no transfers) or say where to and under which safeguard".into(),
            );
        }
        if self.company.investment_services && self.company.sector != Sector::Financial {
            fail(
                "company.investment_services",
                "investment services are provided by financial companies: set company.sector = \"financial\"".into(),
            );
        }
        let governance = &self.governance;
        for (setting, value) in [
            (
                "generation.dora_register_reference",
                &self.generation.dora_register_reference,
            ),
            (
                "governance.prohibited_practices_screening",
                &governance.prohibited_practices_screening,
            ),
            ("governance.high_risk_screening", &governance.high_risk_screening),
            ("governance.fria_reference", &governance.fria_reference),
        ] {
            if value
                .as_deref()
                .is_some_and(|reference| reference.trim().is_empty() || reference.chars().any(char::is_control))
            {
                fail(setting, "leave it out or give the record's reference".into());
            }
        }
        // A chat that is part of a high-risk use needs the assessment before it runs (art. 27):
        // Loket is built for customer service, and refuses to start rather than run unassessed.
        if !governance.high_risk_uses.is_empty() && governance.fria_reference.is_none() {
            fail(
                "governance.fria_reference",
                "a high-risk use (AI Act Annex III) needs the fundamental-rights impact assessment of art. 27 first"
                    .into(),
            );
        }
        if self.privacy.minors_likely
            && self.privacy.lawful_basis.uses(LawfulBasis::Consent)
            && self.privacy.parental_consent_process.is_none()
        {
            fail(
                "privacy.parental_consent_process",
                "children are likely customers and a purpose rests on consent: say how parents of under-16s consent (UAVG art. 5)".into(),
            );
        }
        if !(0.0..=100.0).contains(&self.bot.min_reading_ease) {
            fail("bot.min_reading_ease", "must be between 0 and 100".into());
        }
        if !(1..=1_440).contains(&self.audit.checkpoint_minutes) {
            fail("audit.checkpoint_minutes", "must be between 1 and 1440 (a day)".into());
        }
        if let Some(url) = &self.database.url
            && !DATABASE_SCHEMES.iter().any(|scheme| url.starts_with(scheme))
        {
            fail(
                "database.url",
                "must start with sqlite://, postgres:// or postgresql://".into(),
            );
        }
        if !(1..=1000).contains(&self.database.pool_size) {
            fail("database.pool_size", "must be between 1 and 1000".into());
        }
        for (setting, seconds) in [
            (
                "database.acquire_timeout_seconds",
                self.database.acquire_timeout_seconds,
            ),
            (
                "database.statement_timeout_seconds",
                self.database.statement_timeout_seconds,
            ),
        ] {
            if !(1..=3600).contains(&seconds) {
                fail(setting, "must be between 1 and 3600 seconds".into());
            }
        }
        if self.database.cached_conversations > 1_000_000 {
            fail("database.cached_conversations", "must be at most 1000000".into());
        }
        // Far below the shortest retention period (a day), so a kept context never outlives
        // what another process's retention run removed.
        if !(1..=3600).contains(&self.database.cached_conversation_seconds) {
            fail(
                "database.cached_conversation_seconds",
                "must be between 1 and 3600 seconds".into(),
            );
        }
        if let Some(secret) = &self.identity.secret
            && secret.chars().count() < 32
        {
            fail("identity.secret", "must be at least 32 characters".into());
        }
        if let Some(age) = self.identity.max_age_seconds
            && !(1..=86_400).contains(&age)
        {
            fail("identity.max_age_seconds", "must be between 1 and 86400".into());
        }

        match (wording, zone) {
            (Some(wording), Some(zone)) if errors.is_empty() => Ok(ValidConfig {
                config: self,
                wording,
                hours: BusinessHours { zone, week, holidays },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(config: Config) -> Vec<String> {
        match config.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(problems(Config::default()), Vec::<String>::new());
    }

    #[test]
    fn a_model_needs_its_processing_record_and_may_not_train_priv_03() {
        let mut config = Config::default();
        config.generation.provider = ModelProvider::Openai;
        config.generation.base_url = Some("https://models.example/v1".into());
        config.generation.model = "some-model".into();
        config.generation.trains_on_data = true;
        let found = problems(config.clone());
        for setting in [
            "generation.dpa_reference",
            "generation.transfer_mechanism",
            "generation.trains_on_data",
            "generation.processor",
            "generation.region",
            "generation.retention",
        ] {
            assert!(
                found.iter().any(|problem| problem.starts_with(setting)),
                "{setting}: {found:?}"
            );
        }
        config.generation.trains_on_data = false;
        config.generation.dpa_reference = Some("DPA-2026-014".into());
        config.generation.transfer_mechanism = Some("mars".into());
        config.generation.processor = "Example Models B.V.".into();
        config.generation.region = "EU (Amsterdam)".into();
        config.generation.retention = "none".into();
        assert!(
            problems(config.clone())
                .iter()
                .any(|problem| problem.starts_with("generation.transfer_mechanism")),
            "an unknown mechanism is refused"
        );
        config.generation.transfer_mechanism = Some("eea".into());
        config.generation.region = "EU (Amsterdam)".into();
        config.generation.retention = "none".into();
        assert_eq!(problems(config.clone()), Vec::<String>::new());
        config.generation.timeout_seconds = config.server.request_timeout_seconds;
        let found = problems(config.clone());
        assert!(
            found
                .iter()
                .any(|problem| problem.starts_with("generation.timeout_seconds")),
            "{found:?}"
        );
        config.generation.timeout_seconds = 20;
        config.generation.base_url = Some("ftp://models.example".into());
        config.generation.provider = ModelProvider::Local;
        let found = problems(config);
        assert!(
            found.iter().any(|problem| problem.starts_with("generation.model_path")),
            "{found:?}"
        );
    }

    #[test]
    fn disclosure_without_not_a_person_term_is_refused_dis_03() {
        let mut config = Config::default();
        config
            .bot
            .disclosure
            .insert(Locale::Nl, "Welkom bij de AI-chat van {company}!".into());
        let found = problems(config);
        assert!(
            found.iter().any(|problem| problem.starts_with("bot.disclosure")),
            "{found:?}"
        );
    }

    #[test]
    fn human_bot_name_is_refused_dis_07() {
        let mut config = Config::default();
        config.bot.display_name.insert(Locale::En, "Lisa".into());
        let found = problems(config);
        assert!(
            found.iter().any(|problem| problem.starts_with("bot.display_name")),
            "{found:?}"
        );
    }

    #[test]
    fn a_financial_company_registers_an_external_model_vendor_under_dora_fin_05() {
        let mut external = Config::default();
        external.generation.provider = ModelProvider::Openai;
        external.generation.base_url = Some("https://models.example/v1".into());
        external.generation.model = "some-model".into();
        external.generation.dpa_reference = Some("DPA-2026-014".into());
        external.generation.transfer_mechanism = Some("eea".into());
        external.generation.processor = "Example Models B.V.".into();
        external.generation.region = "EU (Amsterdam)".into();
        external.generation.retention = "none".into();
        assert_eq!(
            problems(external.clone()),
            Vec::<String>::new(),
            "a webshop needs no register"
        );
        let mut bank = external.clone();
        bank.company.sector = Sector::Financial;
        let found = problems(bank.clone());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("generation.dora_register_reference"), "{found:?}");
        bank.generation.dora_register_reference = Some("  ".into());
        assert!(problems(bank.clone())[0].starts_with("generation.dora_register_reference"));
        bank.generation.dora_register_reference = Some("DORA-RoI B.05.01 row 17".into());
        assert_eq!(problems(bank.clone()), Vec::<String>::new());
        // A server the bank runs itself is no third-party provider.
        bank.generation.dora_register_reference = None;
        bank.generation.self_hosted = true;
        assert_eq!(problems(bank), Vec::<String>::new());
    }

    #[test]
    fn only_a_financial_company_provides_investment_services_fin_06() {
        let mut config = Config::default();
        config.company.investment_services = true;
        let found = problems(config.clone());
        assert!(
            found.len() == 1 && found[0].starts_with("company.investment_services"),
            "{found:?}"
        );
        config.company.sector = Sector::Financial;
        assert_eq!(problems(config), Vec::<String>::new());
    }

    #[test]
    fn a_high_risk_use_needs_a_fundamental_rights_assessment_and_references_must_be_real_gov_04() {
        let mut config = Config::default();
        config.governance.high_risk_uses = vec![HighRiskUse::CreditScoring];
        config.governance.high_risk_screening = Some(" ".into());
        let found = problems(config.clone());
        for setting in ["governance.fria_reference", "governance.high_risk_screening"] {
            assert!(
                found.iter().any(|problem| problem.starts_with(setting)),
                "{setting}: {found:?}"
            );
        }
        config.governance.high_risk_screening = Some("AI-register 2026-14".into());
        config.governance.fria_reference = Some("FRIA 2026-03".into());
        assert!(config.validate().is_ok());
        // Privacy settings of the notice: a contact is required, a DPO contact must be real.
        let mut config = Config::default();
        config.privacy.contact = String::new();
        config.privacy.dpo_contact = Some("\u{7}".into());
        config.privacy.transfers_outside_eea = Some("US".into());
        config.privacy.minors_likely = true;
        config.privacy.lawful_basis.handover = LawfulBasis::Consent;
        let found = problems(config);
        for setting in [
            "privacy.contact",
            "privacy.dpo_contact",
            "privacy.transfers_outside_eea",
            "privacy.parental_consent_process",
        ] {
            assert!(
                found.iter().any(|problem| problem.starts_with(setting)),
                "{setting}: {found:?}"
            );
        }
    }

    #[test]
    fn a_privacy_policy_names_known_types_and_actions_and_never_keeps_a_bsn_or_a_card_number_pii_02_pii_08() {
        let mut config = Config::default();
        config.privacy.policy.insert("IBAN".into(), "mask".into());
        config.privacy.policy.insert("BSN".into(), "keep".into());
        config.privacy.policy.insert("SHOE_SIZE".into(), "drop".into());
        config.privacy.policy.insert("EMAIL".into(), "publish".into());
        config
            .privacy
            .policy
            .insert("CREDIT_CARD".into(), "pseudonymise".into());
        config.privacy.bsn_legal_basis = Some("wet".into());
        let found = problems(config);
        for setting in [
            "privacy.policy.BSN",
            "privacy.policy.SHOE_SIZE",
            "privacy.policy.EMAIL",
            "privacy.policy.CREDIT_CARD",
            "privacy.bsn_legal_basis",
        ] {
            assert!(
                found.iter().any(|problem| problem.starts_with(setting)),
                "{setting}: {found:?}"
            );
        }
        assert!(
            !found.iter().any(|problem| problem.starts_with("privacy.policy.IBAN")),
            "{found:?}"
        );
    }

    #[test]
    fn statutory_grounds_are_named_justified_unique_and_longer_than_transcripts_ret_03() {
        let ground = |name: &str, days: u32, justification: &str| StatutoryGround {
            ground: name.into(),
            days,
            justification: justification.into(),
        };
        let mifid = "MiFID II art. 16(7): communications about investment services.";
        let mut config = Config::default();
        config.retention.statutory = vec![ground("mifid_ii", 1825, mifid), ground("wwft", 1825, mifid)];
        assert_eq!(problems(config.clone()), Vec::<String>::new());
        config.retention.statutory = vec![
            ground("MiFID", 1825, mifid),
            ground("wwft", 1825, mifid),
            ground("wwft", 1825, mifid),
            ground("tax", 90, mifid),
            ground("forever", 3651, mifid),
            ground("unjustified", 1825, " "),
        ];
        let found = problems(config);
        for (index, expected) in [
            (0, "lowercase"),
            (2, "configured twice"),
            (3, "longer than retention.transcripts"),
            (4, "at most 3650"),
            (5, "justification"),
        ] {
            assert!(
                found
                    .iter()
                    .any(|problem| problem.starts_with(&format!("retention.statutory[{index}]"))
                        && problem.contains(expected)),
                "{expected}: {found:?}"
            );
        }
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn retention_forever_and_missing_justification_are_refused_ret_01() {
        let mut config = Config::default();
        config.retention.transcripts.days = 0;
        config.retention.vault.justification = String::new();
        let found = problems(config);
        assert!(
            found.iter().any(|problem| problem.starts_with("retention.transcripts")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|problem| problem.starts_with("retention.vault")),
            "{found:?}"
        );
    }

    #[test]
    fn no_alternative_contact_route_is_refused_hum_04() {
        let mut config = Config::default();
        config.contact.phone.clear();
        config.contact.email.clear();
        assert!(problems(config).iter().any(|problem| problem.starts_with("contact")));
    }

    #[test]
    fn bad_hours_and_time_zone_are_reported_together() {
        let mut config = Config::default();
        config.hours.timezone = "Mars/Olympus".into();
        config.hours.monday = "9 tot 5".into();
        let found = problems(config);
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_theme_that_fails_contrast_is_refused_a11y_06() {
        let mut config = Config::default();
        config.theme.primary = "#9db4f0".into();
        let found = problems(config);
        assert!(
            found.iter().any(|problem| problem.starts_with("theme.on_primary")),
            "{found:?}"
        );
        let mut config = Config::default();
        config.theme.text = "not a colour".into();
        assert!(problems(config).iter().any(|problem| problem.starts_with("theme.text")));
    }

    #[test]
    fn contrast_ratio_matches_wcag_reference_values() {
        assert!((contrast_ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!((contrast_ratio([0x1d, 0x4e, 0xd8], [255, 255, 255]) - 6.7).abs() < 0.1);
        assert!((contrast_ratio([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48).abs() < 0.01);
    }

    #[test]
    fn a_database_url_needs_a_known_scheme_and_the_pool_settings_sane_bounds() {
        let mut config = Config::default();
        config.database.url = Some("mysql://db/loket".into());
        config.database.pool_size = 0;
        config.database.acquire_timeout_seconds = 0;
        config.database.cached_conversations = 1_000_001;
        config.database.cached_conversation_seconds = 0;
        let found = problems(config);
        let database: Vec<&String> = found
            .iter()
            .filter(|problem| problem.starts_with("database."))
            .collect();
        assert_eq!(database.len(), 5, "{found:?}");
        let mut config = Config::default();
        config.database.url = Some("postgres://loket:pw@127.0.0.1/loket".into());
        assert!(config.validate().is_ok());
    }

    #[test]
    fn webhooks_need_a_url_a_long_secret_and_known_events() {
        let mut config = Config::default();
        config.webhooks.push(WebhookConfig {
            url: "ftp://x".into(),
            secret: "short".into(),
            events: vec!["handoff.nope".into()],
        });
        let found = problems(config);
        assert_eq!(
            found
                .iter()
                .filter(|problem| problem.starts_with("webhooks[0]"))
                .count(),
            3,
            "{found:?}"
        );
    }

    #[test]
    fn a_limit_of_zero_is_refused() {
        let mut config = Config::default();
        config.limits.messages_per_conversation_per_minute = 0;
        assert!(!problems(config).is_empty());
    }

    #[test]
    fn a_trusted_proxy_that_is_not_an_address_or_range_is_refused() {
        let mut config = Config::default();
        config.server.trusted_proxies = vec!["10.0.0.0/8".into(), "::1".into()];
        assert!(problems(config.clone()).is_empty());
        config.server.trusted_proxies.push("proxy.internal".into());
        let found = problems(config);
        assert!(
            found
                .iter()
                .any(|problem| problem.contains("server.trusted_proxies") && problem.contains("proxy.internal")),
            "{found:?}"
        );
    }
}
