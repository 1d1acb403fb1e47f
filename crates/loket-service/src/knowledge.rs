//! Step 4 of the pipeline: answering from approved knowledge.
//!
//! The customer pipeline can only reach the knowledge base through [`Knowledge::answer`], with
//! the conversation's [`CustomerScope`]: public entries for everyone, customer entries only for
//! a customer the company's login identified (the identifier comes from the verified identity
//! token stored with the conversation, never from message text), and only their own. Internal
//! and confidential content lives in a partition that `KnowledgeBase` never opens (least
//! privilege in code, PRIV-16, SEC-01).

use loket_core::audit::{AuditEvent, AuditKind};
use loket_core::conversation::{BotReply, Phrasing};
use loket_core::{Citation, Locale, Suggestion};
use loket_guard::injection::InjectionDetector;
use loket_kb::{CustomerScope, KnowledgeBase, Lang, Outcome};

pub use loket_kb::{ImportReport, SourceFile};

use crate::error::{Error, Result};
use crate::generation::SourcePassage;

/// The knowledge base as the chat uses it.
#[derive(Debug, Clone)]
pub struct Knowledge {
    base: KnowledgeBase,
}

impl Knowledge {
    /// Wraps an opened knowledge base.
    pub fn new(base: KnowledgeBase) -> Self {
        Self { base }
    }

    /// The underlying knowledge base (for reloads and the `ask` command).
    pub fn base(&self) -> &KnowledgeBase {
        &self.base
    }

    /// Answers a pseudonymised question in the conversation's language within what `scope` may
    /// see, or abstains.
    pub fn answer(&self, question: &str, locale: Locale, scope: &CustomerScope) -> BotReply {
        self.answer_with_sources(question, locale, scope).0
    }

    /// [`Knowledge::answer`] with the cited passages, which a generating model may phrase from.
    pub fn answer_with_sources(
        &self,
        question: &str,
        locale: Locale,
        scope: &CustomerScope,
    ) -> (BotReply, Vec<SourcePassage>) {
        let lang = match locale {
            Locale::Nl => Lang::Nl,
            Locale::En => Lang::En,
        };
        let answer = self.base.answer(question, lang, scope);
        match (answer.outcome, answer.text, answer.entry_id) {
            (Outcome::Answer, Some(text), Some(entry_id)) if !answer.citations.is_empty() => {
                // One pass: the citation shown to the customer and the passage it points to.
                let (citations, sources) = answer
                    .citations
                    .into_iter()
                    .map(|citation| {
                        let shown = Citation {
                            id: citation.id.clone(),
                            title: citation.title.clone(),
                            url: citation.url,
                        };
                        let source = SourcePassage {
                            id: citation.id,
                            title: citation.title,
                            text: citation.passage,
                        };
                        (shown, source)
                    })
                    .unzip();
                let reply = BotReply::Answer {
                    lang: loket_kb::detect_lang(&text).map(locale_of).unwrap_or(locale),
                    text,
                    entry_id,
                    citations,
                    confidence: answer.confidence,
                    phrasing: Phrasing::Approved,
                };
                (reply, sources)
            }
            _ => (
                BotReply::Abstain {
                    confidence: answer.confidence,
                    suggestions: answer
                        .suggestions
                        .into_iter()
                        .map(|suggestion| Suggestion {
                            entry_id: suggestion.entry_id,
                            question: suggestion.question,
                        })
                        .collect(),
                },
                Vec::new(),
            ),
        }
    }
}

/// The conversation locale of a knowledge-base language.
pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::Nl => Locale::Nl,
        Lang::En => Locale::En,
    }
}

/// Records a change of the served knowledge in the audit log (GOV-06, SEC-13): an import, with
/// its generation and counts, or a rollback; no content, no file names.
pub fn knowledge_event(action: KnowledgeChange<'_>, actor: &str) -> AuditEvent {
    let event = AuditEvent::new(AuditKind::KnowledgeImported, None, actor);
    match action {
        KnowledgeChange::Imported(report) => event
            .attribute("action", "import")
            .attribute("generation", report.generation.as_str())
            .count("files", report.files as i64)
            .count("public_entries", report.public_entries as i64)
            .count("restricted_entries", report.restricted_entries as i64)
            .count("rejected_files", report.rejections.len() as i64)
            .count("quarantined_entries", report.quarantined.len() as i64)
            .count("policy_findings", report.policy_findings.len() as i64),
        KnowledgeChange::RolledBack { from, to } => event
            .attribute("action", "rollback")
            .attribute("generation", to)
            .attribute("previous_generation", from),
    }
}

/// What changed in the served knowledge.
#[derive(Debug, Clone, Copy)]
pub enum KnowledgeChange<'a> {
    /// A new generation was imported and is served.
    Imported(&'a loket_kb::ImportReport),
    /// An earlier generation is served again.
    RolledBack {
        /// The generation served before.
        from: &'a str,
        /// The generation served now.
        to: &'a str,
    },
}

impl crate::Loket {
    /// Imports `sources` into the knowledge base this server answers from and serves the new
    /// generation once complete (the admin API of the knowledge-base issue; admins only). The
    /// import is screened like the CLI's; `nothing_imported` when every file was rejected, and
    /// the previous generation keeps serving. Audited with the counts, never the content.
    pub async fn import_knowledge(
        &self,
        staff: &crate::staff::StaffContext,
        sources: Vec<loket_kb::SourceFile>,
    ) -> Result<loket_kb::ImportReport> {
        if staff.account.role != loket_core::staff::Role::Admin {
            return Err(Error::Forbidden);
        }
        let base = self.knowledge().base().clone();
        let imported = tokio::task::spawn_blocking(move || {
            base.import(sources, &loket_kb::ImportLimits::default(), &import_screen())
        })
        .await
        .map_err(|_| Error::Unavailable("the import stopped unexpectedly".into()))?;
        let report = match imported {
            Ok(report) => report,
            Err(loket_kb::Error::NothingImported { report, .. }) => {
                let reasons: Vec<String> = report
                    .rejections
                    .iter()
                    .take(MAX_REJECTIONS_NAMED)
                    .map(|rejection| format!("{}: {}", rejection.source, rejection.reason))
                    .collect();
                return Err(Error::Invalid {
                    code: "nothing_imported",
                    message: format!(
                        "every file was rejected, the previous knowledge base keeps serving ({})",
                        reasons.join("; ")
                    ),
                });
            }
            Err(error) => return Err(Error::Unavailable(format!("importing the knowledge base: {error}"))),
        };
        let event = knowledge_event(
            KnowledgeChange::Imported(&report),
            &format!("agent:{}", staff.account.id),
        );
        self.store.append_audit(vec![event], self.now()).await?;
        Ok(report)
    }
}

/// Rejected files named in a `nothing_imported` error; the count is always in the report.
const MAX_REJECTIONS_NAMED: usize = 5;

/// The detector's threshold for imported content: 1.0, which only a strong rule reaches on its
/// own (instruction override, prompt extraction, role-play escape, fake role delimiters). The
/// learned classifier was trained on chat messages and reads the imperatives of ordinary help
/// texts ("Register your return with the form") as commands: at the chat threshold it
/// quarantined 15 of the demo knowledge base's 81 approved entries.
const IMPORT_THRESHOLD: f32 = 1.0;

/// The screen every import uses (the CLI, the admin API and the demo knowledge base): embedded instructions
/// quarantine an entry (SEC-04, indirect injection).
pub fn import_screen() -> impl Fn(&str) -> Vec<String> {
    let detector = InjectionDetector::with_threshold(IMPORT_THRESHOLD);
    move |text: &str| injection_reasons(&detector, text)
}

/// The screen handed to the import: the injection detector's reasons when a strong rule
/// flags `text` (a saturated classifier score alone does not quarantine an entry).
fn injection_reasons(detector: &InjectionDetector, text: &str) -> Vec<String> {
    let verdict = detector.inspect(text);
    let rule_reasons: Vec<String> = verdict
        .reasons
        .iter()
        .filter(|reason| **reason != "classifier")
        .map(|reason| (*reason).to_owned())
        .collect();
    if !verdict.flagged || rule_reasons.is_empty() {
        return Vec::new();
    }
    rule_reasons
}
