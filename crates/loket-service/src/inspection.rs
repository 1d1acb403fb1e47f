//! Step 2 and step 5 of the pipeline: the inbound guards that every customer message passes
//! before anything stores, logs or answers it, and the output guard on every AI message.
//!
//! Inbound: normalise → personal data found and pseudonymised (originals go to the vault) →
//! special categories (privacy warning) → injection verdict → intent (person, complaint,
//! crisis, "are you human?"). Everything downstream sees only the pseudonymised text.
//!
//! Outbound ([`Guards::check_outgoing`]): the whole [`OutputGuard`] of `loket-guard`: canary
//! tokens, fingerprints of the internal and confidential pages, the Markdown/HTML sanitiser
//! with the allowed link domains, and the human-claim filter. Its material follows the served
//! knowledge-base generation: when the generation changes, the fingerprints are rebuilt from
//! the data directory ([`loket_kb::GuardCorpus`]) before the next answer is checked. The
//! canaries are drawn once per data directory and kept in `DATA_DIR/canaries`, so every process
//! on that directory and `loket redteam` know them; a future prompt builder plants
//! [`Guards::canaries`].
//!
//! Guards are pure and must never panic; if one does anyway, the message is blocked and not
//! stored (fail closed), and the failure is logged without the text.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use loket_core::advice::AdviceTopic;
use loket_core::conversation::TurnIntent;
use loket_core::rights::RequestedRight;
use loket_core::{Locale, Suggestion};
use loket_guard::injection::InjectionDetector;
use loket_guard::intent::{Intent, IntentDetector};
use loket_guard::output::canary::CANARY_BYTES;
use loket_guard::output::markup::host_of;
use loket_guard::output::{Canary, CanarySet, Fingerprints, LinkPolicy, OutputGuard, OutputVerdict};
use loket_guard::pii::{Assignment, EntityKind, Lang, PiiScanner, Placeholders, Policy, pseudonymise};
use loket_guard::sensitive::SensitiveDetector;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::knowledge::Knowledge;

/// The file in the data directory that holds the canaries, one per line.
pub const CANARY_FILE: &str = "canaries";

/// The block reason when the output guard's material could not be loaded (fail closed).
pub const GUARD_UNAVAILABLE: &str = "guard_unavailable";

/// Entity types whose presence triggers the just-in-time privacy warning: identifiers a chat
/// should not carry (REQUIREMENTS §2.1 "Privacy just-in-time", PRIV-06).
const WARN_ON: &[EntityKind] = &[EntityKind::Bsn, EntityKind::IdDocument, EntityKind::CreditCard];

/// The compiled guards, built once at startup.
pub struct Guards {
    pii: PiiScanner,
    policy: Policy,
    sensitive: SensitiveDetector,
    injection: InjectionDetector,
    intent: IntentDetector,
    output: OutputState,
}

/// Where the output guard's material comes from.
#[derive(Debug, Clone, Default)]
pub struct OutputSettings {
    /// The data directory whose knowledge base is fingerprinted; `None` fingerprints nothing.
    pub data_dir: Option<PathBuf>,
    /// Domains links may point to, besides the hosts of the knowledge base's own urls.
    pub link_domains: Vec<String>,
    /// The canaries to watch for.
    pub canaries: CanarySet,
}

impl OutputSettings {
    /// Settings for `data_dir` (when it exists) with the canaries kept there, created on first
    /// use. A data directory that does not exist is not created, and a canary file that cannot
    /// be read or written gives canaries for this process only: the guard keeps working.
    pub fn for_data_dir(data_dir: &Path, link_domains: Vec<String>) -> OutputSettings {
        if !data_dir.is_dir() {
            return OutputSettings {
                data_dir: None,
                link_domains,
                canaries: process_canaries(),
            };
        }
        let canaries = load_or_create_canaries(data_dir).unwrap_or_else(|error| {
            tracing::error!(%error, "the canary file could not be used; canaries live in this process only");
            process_canaries()
        });
        OutputSettings {
            data_dir: Some(data_dir.to_owned()),
            link_domains,
            canaries,
        }
    }
}

/// What the output guard decided about one AI message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// Send this (sanitised) text.
    Send(String),
    /// Do not send the message; the stable reason goes to the audit record.
    Block(&'static str),
}

/// The output guard and the knowledge-base generation its fingerprints belong to.
struct OutputState {
    settings: OutputSettings,
    current: RwLock<Arc<LoadedGuard>>,
}

struct LoadedGuard {
    /// The served generation this guard was built for (`None`: before the first import).
    generation: Option<String>,
    /// `None` when the material could not be loaded: every message is blocked (fail closed).
    guard: Option<OutputGuard>,
    /// The verdicts on approved texts of this generation, by text ([`Guards::check_approved`]).
    /// Only texts of the served knowledge base enter it, so it is bounded by that knowledge
    /// base, and it goes with the generation.
    approved: RwLock<HashMap<String, OutputVerdict>>,
}

impl LoadedGuard {
    fn new(generation: Option<String>, guard: Option<OutputGuard>) -> LoadedGuard {
        LoadedGuard {
            generation,
            guard,
            approved: RwLock::default(),
        }
    }
}

/// What the inbound guards concluded about one customer message.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The pseudonymised text: the only form that is stored or used further.
    pub text: String,
    /// Placeholders allocated for new values in this message, with their originals (for the vault).
    pub assignments: Vec<Assignment>,
    /// Redactions per entity type (`IBAN` → 1).
    pub pii_counts: BTreeMap<String, i64>,
    /// Special categories found (`health`, ...).
    pub sensitive: Vec<&'static str>,
    /// Show the privacy warning.
    pub privacy_warning: bool,
    /// The injection detector flagged the message.
    pub injection_flagged: bool,
    /// The detector's reasons (stable names), for the audit record.
    pub injection_reasons: Vec<&'static str>,
    /// What the customer asks for.
    pub intent: TurnIntent,
    /// The message states a withdrawal from, or cancellation of, a purchase or contract (ACC-04).
    pub withdrawal_statement: bool,
    /// The message asks for personal advice of this topic (ACC-10); whether it is declined
    /// depends on `answer.licensed_advice`.
    pub advice: Option<AdviceTopic>,
    /// The message makes a data subject's request (HUM-07): handed to a person, never answered
    /// by the bot.
    pub rights_request: Option<RequestedRight>,
    /// A hash of the normalised pseudonymised text, to notice a repeated question.
    pub fingerprint: String,
}

impl Guards {
    /// Compiles every guard; the output guard has no fingerprints and canaries of this process
    /// only (see [`Guards::with_output`]).
    pub fn new() -> Self {
        Self::with_output(OutputSettings {
            canaries: process_canaries(),
            ..OutputSettings::default()
        })
    }

    /// The same guards with another personal-data policy (per type: pseudonymise, mask, drop,
    /// keep).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Compiles every guard with the output guard's material from `settings`.
    pub fn with_output(settings: OutputSettings) -> Self {
        let guard = OutputGuard::new(
            settings.canaries.clone(),
            Fingerprints::empty(),
            LinkPolicy::new(&settings.link_domains),
        );
        Self {
            pii: PiiScanner::new(),
            policy: Policy::default(),
            sensitive: SensitiveDetector::new(),
            injection: InjectionDetector::new(),
            intent: IntentDetector::new(),
            output: OutputState {
                settings,
                current: RwLock::new(Arc::new(LoadedGuard::new(None, Some(guard)))),
            },
        }
    }

    /// The canaries a prompt builder must plant in every system prompt.
    pub fn canaries(&self) -> &CanarySet {
        &self.output.settings.canaries
    }

    /// Runs the inbound guards on a customer message.
    pub fn inspect_customer(&self, text: &str, locale: Locale, placeholders: &mut Placeholders) -> Result<Inspection> {
        fail_closed(|| {
            let redacted = self.redact(text, locale, placeholders);
            let entities_warn = redacted
                .1
                .iter()
                .any(|(kind, _)| WARN_ON.iter().any(|warn| warn.as_str() == kind));
            let sensitive: Vec<&'static str> = self
                .sensitive
                .detect(&redacted.0)
                .into_iter()
                .map(|category| category.as_str())
                .collect();
            let verdict = self.injection.inspect(&redacted.0);
            let classification = self.intent.classify_message(&redacted.0);
            let intent = match classification.intent {
                Intent::Crisis => TurnIntent::Crisis,
                Intent::HumanRequest => TurnIntent::HumanRequest,
                Intent::Complaint => TurnIntent::Complaint,
                Intent::BotIdentityQuestion => TurnIntent::BotIdentityQuestion,
                Intent::Other => TurnIntent::Other,
            };
            Inspection {
                fingerprint: fingerprint(&redacted.0),
                privacy_warning: entities_warn || !sensitive.is_empty(),
                text: redacted.0,
                pii_counts: redacted.1,
                assignments: placeholders.take_new_assignments(),
                sensitive,
                injection_flagged: verdict.flagged,
                injection_reasons: verdict.reasons,
                intent,
                withdrawal_statement: classification.withdrawal_statement,
                advice: classification.advice,
                rights_request: classification.rights_request,
            }
        })
    }

    /// Pseudonymises free text typed by staff or into a form, with the conversation's
    /// placeholders, so agents' messages and tickets follow the same rule as customers'.
    pub fn pseudonymise_text(
        &self,
        text: &str,
        locale: Locale,
        placeholders: &mut Placeholders,
    ) -> Result<(String, BTreeMap<String, i64>)> {
        fail_closed(|| self.redact(text, locale, placeholders))
    }

    /// The output guard on an AI message answered from `knowledge`: the sanitised text to send,
    /// or the reason to block it (a canary, non-public content, a claim to be human; SEC-05,
    /// SEC-06, DIS-06). When the guard's material cannot be loaded the message is blocked with
    /// [`GUARD_UNAVAILABLE`]; when the guard panics the error is [`Error::GuardFailed`]. Neither
    /// path logs the text.
    pub fn check_outgoing(&self, text: &str, knowledge: &Knowledge) -> Result<Outgoing> {
        let loaded = self.output_guard(knowledge.base().generation());
        let Some(guard) = &loaded.guard else {
            return Ok(unavailable());
        };
        Ok(outgoing(fail_closed(|| guard.check(text))?))
    }

    /// [`Guards::check_outgoing`] for a text of the served knowledge base (an approved answer,
    /// a cited title, a suggested question). The guard's verdict depends on the text and the
    /// generation's material alone, so each such text is checked once per generation and the
    /// verdict reused: the same answers are sent again and again, and the check cost as much
    /// as finding them. Generated text never comes here: it goes through `check_outgoing`.
    pub fn check_approved(&self, text: &str, knowledge: &Knowledge) -> Result<Outgoing> {
        let loaded = self.output_guard(knowledge.base().generation());
        let Some(guard) = &loaded.guard else {
            return Ok(unavailable());
        };
        let known = loaded
            .approved
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(text)
            .cloned();
        let verdict = match known {
            Some(verdict) => verdict,
            None => {
                let verdict = fail_closed(|| guard.check(text))?;
                loaded
                    .approved
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(text.to_owned(), verdict.clone());
                verdict
            }
        };
        Ok(outgoing(verdict))
    }

    /// The suggested questions of an abstention that pass the output guard unchanged, in order.
    /// They are approved FAQ questions of entries the customer may see, but they leave as AI text
    /// all the same (SEC-05, SEC-06): one that would be blocked or altered is withheld.
    pub fn check_suggestions(&self, suggestions: Vec<Suggestion>, knowledge: &Knowledge) -> Result<Vec<Suggestion>> {
        let mut passed = Vec::with_capacity(suggestions.len());
        for suggestion in suggestions {
            match self.check_approved(&suggestion.question, knowledge)? {
                Outgoing::Send(sanitised) if sanitised == suggestion.question => passed.push(suggestion),
                _ => metrics::counter!("loket_suggestions_withheld_total").increment(1),
            }
        }
        Ok(passed)
    }

    /// The output guard for the served `generation`, rebuilt when the generation changed.
    fn output_guard(&self, generation: Option<String>) -> Arc<LoadedGuard> {
        let current = self
            .output
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if current.generation == generation {
            return current;
        }
        let rebuilt = Arc::new(self.load_output_guard(current.guard.as_ref(), generation));
        *self
            .output
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::clone(&rebuilt);
        rebuilt
    }

    fn load_output_guard(&self, previous: Option<&OutputGuard>, generation: Option<String>) -> LoadedGuard {
        let settings = &self.output.settings;
        let Some(data_dir) = &settings.data_dir else {
            let guard = OutputGuard::new(
                settings.canaries.clone(),
                Fingerprints::empty(),
                LinkPolicy::new(&settings.link_domains),
            );
            return LoadedGuard::new(generation, Some(guard));
        };
        let corpus = match catch_unwind(|| loket_kb::GuardCorpus::open(data_dir)) {
            Ok(Ok(corpus)) => corpus,
            Ok(Err(error)) => {
                tracing::error!(%error, "the output guard could not read the knowledge base; answers are blocked");
                return LoadedGuard::new(generation, None);
            }
            Err(_) => {
                tracing::error!("reading the output guard's material panicked; answers are blocked");
                return LoadedGuard::new(generation, None);
            }
        };
        if corpus.generation != generation {
            tracing::warn!("the output guard read another knowledge-base generation than the one served");
        }
        let fingerprints = Fingerprints::build(
            corpus.restricted.iter().map(|(_, text)| text.as_str()),
            corpus.public.iter().map(String::as_str),
        );
        let domains = settings
            .link_domains
            .iter()
            .cloned()
            .chain(corpus.public_urls.iter().filter_map(|url| host_of(url)));
        let links = LinkPolicy::new(domains);
        tracing::info!(
            restricted_entries = corpus.restricted.len(),
            shingles = fingerprints.shingle_count(),
            identifiers = fingerprints.identifier_count(),
            link_domains = links.domains().len(),
            "output guard material loaded"
        );
        let guard = match previous {
            Some(previous) => previous.with_material(fingerprints, links),
            None => OutputGuard::new(settings.canaries.clone(), fingerprints, links),
        };
        LoadedGuard::new(generation, Some(guard))
    }

    fn redact(&self, text: &str, locale: Locale, placeholders: &mut Placeholders) -> (String, BTreeMap<String, i64>) {
        let lang = match locale {
            Locale::Nl => Lang::Nl,
            Locale::En => Lang::En,
        };
        let entities = self.pii.scan(text, lang);
        let result = pseudonymise(text, &entities, placeholders, &self.policy);
        let counts = result
            .counts
            .iter()
            .map(|(kind, count)| (kind.as_str().to_string(), *count as i64))
            .collect();
        (result.text, counts)
    }
}

impl Default for Guards {
    fn default() -> Self {
        Self::new()
    }
}

/// The answer when the output guard's material could not be loaded: blocked (fail closed).
fn unavailable() -> Outgoing {
    metrics::counter!("loket_output_blocked_total", "reason" => GUARD_UNAVAILABLE).increment(1);
    Outgoing::Block(GUARD_UNAVAILABLE)
}

/// A verdict as sent, counted in the metrics each time it is used.
fn outgoing(verdict: OutputVerdict) -> Outgoing {
    match verdict {
        OutputVerdict::Send(sanitised) => {
            for change in &sanitised.changes {
                metrics::counter!("loket_output_sanitised_total", "change" => change.as_str()).increment(1);
            }
            Outgoing::Send(sanitised.text)
        }
        OutputVerdict::Block(reason) => {
            metrics::counter!("loket_output_blocked_total", "reason" => reason.as_str()).increment(1);
            Outgoing::Block(reason.as_str())
        }
    }
}

/// Runs a guard; a panic becomes [`Error::GuardFailed`] so the message is blocked, not stored.
fn fail_closed<T>(guard: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(guard)).map_err(|_| {
        tracing::error!("a guard panicked; the message was blocked and not stored");
        Error::GuardFailed
    })
}

/// One canary from the operating system's random source. Should that source fail, the canary
/// comes from the standard library's randomly seeded hasher instead: still unpredictable to a
/// customer, and a guard without any canary would not notice a leaking prompt.
fn process_canaries() -> CanarySet {
    CanarySet::new(vec![random_canary()])
}

fn random_canary() -> Canary {
    let mut bytes = [0u8; CANARY_BYTES];
    if getrandom::fill(&mut bytes).is_err() {
        use std::hash::{BuildHasher, Hasher};
        for chunk in bytes.chunks_mut(8) {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_usize(chunk.as_ptr() as usize);
            let value = hasher.finish().to_le_bytes();
            chunk.copy_from_slice(&value[..chunk.len()]);
        }
    }
    Canary::from_random(bytes)
}

/// Reads `DATA_DIR/canaries`, or creates it (owner-only) with a new canary.
fn load_or_create_canaries(data_dir: &Path) -> std::io::Result<CanarySet> {
    let path = data_dir.join(CANARY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            return CanarySet::parse_lines(&text)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error));
        }
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
        Err(_) => {}
    }
    // Written to a private temporary file and linked into place, so that a process reading
    // concurrently sees either no file or a complete one, and the first writer wins.
    let canaries = process_canaries();
    let temporary = data_dir.join(format!("{CANARY_FILE}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| {
        use std::io::Write;
        let mut file = options.open(&temporary)?;
        file.write_all(canaries.to_lines().as_bytes())?;
        file.sync_all()?;
        std::fs::hard_link(&temporary, &path)
    })();
    // The temporary name is unique to this call; failing to remove it only leaves a stray file.
    let _ = std::fs::remove_file(&temporary);
    match written {
        Ok(()) => Ok(canaries),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path)?;
            CanarySet::parse_lines(&text).map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))
        }
        Err(error) => Err(error),
    }
}

/// A short hash of the text with case, punctuation and spacing removed.
fn fingerprint(text: &str) -> String {
    let folded: String = text
        .chars()
        .filter(|character| character.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    hex::encode(&Sha256::digest(folded.as_bytes())[..8])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use loket_kb::{GuardCorpus, KnowledgeBase, SourceFile};

    /// A directory under the system's temporary folder, removed on drop.
    struct ScratchDir(PathBuf);

    impl ScratchDir {
        fn new() -> ScratchDir {
            let path = std::env::temp_dir().join(format!("loket-inspection-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            ScratchDir(path)
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn import(dir: &Path, files: &[(&str, &str)]) {
        let sources = files
            .iter()
            .map(|(path, text)| SourceFile {
                path: (*path).into(),
                bytes: text.as_bytes().to_vec(),
            })
            .collect();
        loket_kb::import(dir, sources, &mut |_| {}).unwrap();
    }

    fn guards_for(dir: &Path, link_domains: &[&str]) -> (Guards, Knowledge) {
        let settings = OutputSettings::for_data_dir(dir, link_domains.iter().map(|domain| (*domain).into()).collect());
        (
            Guards::with_output(settings),
            Knowledge::new(KnowledgeBase::open(dir).unwrap()),
        )
    }

    const PUBLIC_FAQ: &str = r#"{"id":"retour","question":"Hoe retourneer ik iets?","answer":"Meld je retour aan via het formulier op despaak.example/retour en stuur het product binnen veertien dagen terug.","lang":"nl","url":"https://despaak.example/retour"}"#;
    const SCRIPT: &str = "---\ntitle: Retourscript (intern)\nlang: nl\naudience: internal\n---\n# Retour\n\n\
        Meld je retour aan via het formulier op despaak.example/retour en stuur het product binnen veertien dagen terug.\n\n\
        Bied boze klanten maximaal tien procent korting op een volgende aankoop aan, nooit meer zonder de teamleider.\n\n\
        Codewoord teamleider: RODE-SPAAK-ESCALATIE.\n";

    /// SEC-06, SEC-13: every public text of the demo knowledge base passes the output guard,
    /// even where an internal page repeats it, and every internal or confidential page is blocked.
    #[test]
    fn demo_public_texts_pass_and_restricted_pages_are_blocked() {
        let dir = ScratchDir::new();
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/kb");
        let mut sources = Vec::new();
        for folder in ["faq", "pages", "customer", "internal", "confidential"] {
            for item in std::fs::read_dir(demo.join(folder)).unwrap() {
                let path = item.unwrap().path();
                sources.push(SourceFile {
                    path: path.display().to_string(),
                    bytes: std::fs::read(&path).unwrap(),
                });
            }
        }
        loket_kb::import(&dir.0, sources, &mut |_| {}).unwrap();
        let (guards, knowledge) = guards_for(&dir.0, &[]);
        let corpus = GuardCorpus::open(&dir.0).unwrap();
        assert!(corpus.public.len() > 50 && corpus.restricted.len() >= 3);
        for text in &corpus.public {
            assert_eq!(
                guards.check_outgoing(text, &knowledge).unwrap(),
                Outgoing::Send(text.clone()),
                "a public text was blocked or changed"
            );
        }
        for (id, text) in &corpus.restricted {
            let verdict = guards.check_outgoing(text, &knowledge).unwrap();
            assert!(
                matches!(verdict, Outgoing::Block("restricted_identifier" | "restricted_passage")),
                "{id}: {verdict:?}"
            );
            // The kept verdict of approved text is the guard's, the first time and after.
            for _ in 0..2 {
                assert_eq!(guards.check_approved(text, &knowledge).unwrap(), verdict, "{id}");
            }
        }
        for leak in [
            "De sleutel is sk-live-DEMO-CANARY-8c41f2e9a7b3d605.",
            "Velomax BV supplies the Spaak City 3 city bike at a purchase price of 412 euros per unit.",
        ] {
            assert!(
                matches!(guards.check_outgoing(leak, &knowledge).unwrap(), Outgoing::Block(_)),
                "{leak}"
            );
        }
    }

    #[test]
    fn sec13_public_answer_quoted_by_an_internal_page_is_sent_and_the_rest_of_the_page_blocked() {
        let dir = ScratchDir::new();
        import(&dir.0, &[("faq.jsonl", PUBLIC_FAQ), ("script.md", SCRIPT)]);
        let (guards, knowledge) = guards_for(&dir.0, &[]);
        let public = "Meld je retour aan via het formulier op despaak.example/retour en stuur het product binnen veertien dagen terug.";
        assert_eq!(
            guards.check_outgoing(public, &knowledge).unwrap(),
            Outgoing::Send(public.into())
        );
        let check = |text: &str, reason: &'static str| {
            assert_eq!(
                guards.check_outgoing(text, &knowledge).unwrap(),
                Outgoing::Block(reason),
                "{text}"
            );
        };
        check(
            "Tip: bied boze klanten maximaal tien procent korting op een volgende aankoop aan.",
            "restricted_passage",
        );
        check("Het codewoord is rode spaak escalatie.", "restricted_identifier");
    }

    /// SEC-06, SEC-13: the verdict kept for an approved text belongs to the generation it was
    /// reached in. A text that passed while no restricted page named its code word is blocked
    /// once a generation with such a page is served.
    #[test]
    fn sec06_a_kept_verdict_on_approved_text_ends_with_its_generation() {
        let dir = ScratchDir::new();
        let code_word = r#"{"id":"code","question":"Wat is het codewoord?","answer":"Het codewoord is RODE-SPAAK-ESCALATIE.","lang":"nl"}"#;
        import(&dir.0, &[("faq.jsonl", code_word)]);
        let (guards, knowledge) = guards_for(&dir.0, &[]);
        let text = "Het codewoord is RODE-SPAAK-ESCALATIE.";
        for _ in 0..2 {
            assert_eq!(
                guards.check_approved(text, &knowledge).unwrap(),
                Outgoing::Send(text.into())
            );
        }
        import(&dir.0, &[("faq.jsonl", PUBLIC_FAQ), ("script.md", SCRIPT)]);
        let served = Knowledge::new(KnowledgeBase::open(&dir.0).unwrap());
        assert_ne!(served.base().generation(), knowledge.base().generation());
        assert_eq!(
            guards.check_approved(text, &served).unwrap(),
            Outgoing::Block("restricted_identifier")
        );
    }

    /// SEC-06: a suggested question that names something only restricted content holds is
    /// withheld, like an answer would be; the others are offered in order.
    #[test]
    fn sec06_suggested_questions_pass_the_output_guard_or_are_withheld() {
        let dir = ScratchDir::new();
        import(&dir.0, &[("faq.jsonl", PUBLIC_FAQ), ("script.md", SCRIPT)]);
        let (guards, knowledge) = guards_for(&dir.0, &[]);
        let suggestion = |entry_id: &str, question: &str| Suggestion {
            entry_id: entry_id.into(),
            question: question.into(),
        };
        let offered = vec![
            suggestion("retour", "Hoe retourneer ik iets?"),
            suggestion("escalatie", "Wat betekent RODE-SPAAK-ESCALATIE?"),
            suggestion("link", "Staat alles op [deze pagina](https://evil.example/x)?"),
            suggestion("betalen", "Hoe kan ik betalen?"),
        ];
        let passed = guards.check_suggestions(offered, &knowledge).unwrap();
        let ids: Vec<&str> = passed.iter().map(|suggestion| suggestion.entry_id.as_str()).collect();
        assert_eq!(ids, ["retour", "betalen"]);
    }

    /// SEC-05: links to the knowledge base's own hosts and to configured domains stay; others,
    /// images and HTML go.
    #[test]
    fn sec05_links_are_limited_to_the_knowledge_base_hosts_and_configured_domains() {
        let dir = ScratchDir::new();
        import(&dir.0, &[("faq.jsonl", PUBLIC_FAQ)]);
        let (guards, knowledge) = guards_for(&dir.0, &["consuwijzer.nl"]);
        let text = "Zie [retour](https://despaak.example/retour), [ACM](https://www.consuwijzer.nl/x) en \
            [dit](https://evil.example/?q=1)<img src=https://evil.example/p.png>![x](https://evil.example/i.png).";
        assert_eq!(
            guards.check_outgoing(text, &knowledge).unwrap(),
            Outgoing::Send(
                "Zie [retour](https://despaak.example/retour), [ACM](https://www.consuwijzer.nl/x) en dit.".into()
            )
        );
    }

    #[test]
    fn canaries_are_kept_in_the_data_directory_and_block_answers_that_contain_them() {
        let dir = ScratchDir::new();
        import(&dir.0, &[("faq.jsonl", PUBLIC_FAQ)]);
        let (guards, knowledge) = guards_for(&dir.0, &[]);
        let (again, _) = guards_for(&dir.0, &[]);
        let canary = guards.canaries().primary().unwrap().clone();
        assert_eq!(again.canaries().primary(), Some(&canary));
        let stored = std::fs::read_to_string(dir.0.join(CANARY_FILE)).unwrap();
        assert_eq!(CanarySet::parse_lines(&stored).unwrap().primary(), Some(&canary));
        let leak = format!("Mijn instructies beginnen met {canary}.");
        assert_eq!(
            guards.check_outgoing(&leak, &knowledge).unwrap(),
            Outgoing::Block("canary_leak")
        );
    }

    #[test]
    fn a_missing_data_directory_is_not_created() {
        let dir = ScratchDir::new();
        let missing = dir.0.join("absent");
        let settings = OutputSettings::for_data_dir(&missing, Vec::new());
        assert!(settings.data_dir.is_none() && !settings.canaries.is_empty());
        assert!(!missing.exists());
    }

    /// Guards fail closed: unreadable material blocks every answer.
    #[test]
    fn unreadable_guard_material_blocks_answers() {
        let served = ScratchDir::new();
        import(&served.0, &[("faq.jsonl", PUBLIC_FAQ)]);
        let broken = ScratchDir::new();
        std::fs::create_dir_all(broken.0.join("kb")).unwrap();
        std::fs::write(broken.0.join("kb/CURRENT"), "../../etc").unwrap();
        let guards = Guards::with_output(OutputSettings::for_data_dir(&broken.0, Vec::new()));
        let knowledge = Knowledge::new(KnowledgeBase::open(&served.0).unwrap());
        assert_eq!(
            guards.check_outgoing("Een gewoon antwoord.", &knowledge).unwrap(),
            Outgoing::Block(GUARD_UNAVAILABLE)
        );
    }

    #[test]
    fn dis06_a_claim_to_be_human_is_blocked_on_the_way_out() {
        let dir = ScratchDir::new();
        import(&dir.0, &[("faq.jsonl", PUBLIC_FAQ)]);
        let (guards, knowledge) = guards_for(&dir.0, &[]);
        assert!(matches!(
            guards
                .check_outgoing("Ik ben een echte medewerker van De Spaak.", &knowledge)
                .unwrap(),
            Outgoing::Block(_)
        ));
    }
}
