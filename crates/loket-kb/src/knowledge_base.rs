//! The customer-facing knowledge base: answers a question from public (and, for an authenticated
//! customer, that customer's) content, with citations and a calibrated confidence, or abstains.
//!
//! Least privilege is structural (PRIV-16, SEC-01): a [`KnowledgeBase`] only ever opens the
//! `public` partition of a generation, which by construction holds no internal or confidential
//! entry; [`CustomerScope`] can express nothing wider than "public plus this customer".

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::Serialize;

use crate::dense::{DenseIndex, DenseRanking, Embedder};
use crate::generation::{PUBLIC_DIR, partition_dir, read_current};
use crate::hybrid;
use crate::model::{Audience, Date, Entry, EntryKind};
use crate::retrieval::{Features, Partition, Ranking};
use crate::{Error, Lang, Result};

/// What a conversation may see. There is deliberately no constructor for staff scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerScope {
    customer_id: Option<String>,
}

impl CustomerScope {
    /// An unauthenticated visitor: public entries only.
    pub fn anonymous() -> CustomerScope {
        CustomerScope { customer_id: None }
    }

    /// An authenticated customer (the id comes from the session, never from message text):
    /// public entries, customer-wide entries and entries owned by this customer.
    pub fn authenticated(customer_id: impl Into<String>) -> CustomerScope {
        CustomerScope {
            customer_id: Some(customer_id.into()),
        }
    }

    pub(crate) fn access_keys(&self) -> Vec<String> {
        match &self.customer_id {
            None => vec!["public".to_owned()],
            Some(customer) => vec![
                "public".to_owned(),
                "customer".to_owned(),
                format!("customer:{customer}"),
            ],
        }
    }

    /// The same rule as the index filter, checked again on every returned entry.
    fn permits(&self, entry: &Entry) -> bool {
        match entry.audience {
            Audience::Public => true,
            Audience::Customer => match (&self.customer_id, &entry.customer_id) {
                (Some(_), None) => true,
                (Some(customer), Some(owner)) => customer == owner,
                (None, _) => false,
            },
            Audience::Internal | Audience::Confidential => false,
        }
    }
}

/// Answer selection settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnswerConfig {
    /// Minimum confidence for answering; below it the outcome is [`Outcome::Abstain`].
    pub threshold: f32,
    /// Most approved questions offered with an abstention ([`Answer::suggestions`]); 0 offers
    /// none.
    pub suggestions: usize,
    /// Least confidence of the best candidate for any question to be offered: below it the
    /// question is taken to be about something the knowledge base does not cover.
    pub suggestion_floor: f32,
}

/// The default threshold, measured with `loket eval faq` on the tuning halves of banking77 and
/// CLINC150: the lowest threshold that keeps wrong answers at or below 3% of all questions and
/// declines at least 95% of out-of-scope questions is 0.77 for banking77 and 0.85 for CLINC150;
/// the default takes the stricter one. With an encoder, the hybrid confidence is shifted so that
/// the same threshold is where its tuning halves meet the same targets.
pub const DEFAULT_THRESHOLD: f32 = 0.85;

/// Approved questions offered with an abstention by default: few enough to read at a glance and
/// to tab through with a screen reader.
pub const DEFAULT_SUGGESTIONS: usize = 3;

/// The default [`AnswerConfig::suggestion_floor`]: questions are offered with every abstention
/// that has candidates. Measured with `loket eval faq` (the demo FAQ sections; BENCHMARKS.md,
/// "Suggested questions"): the confidence of an abstention barely tells a question the base
/// covers from one it does not, so any floor withholds the right question from many customers
/// who would have found it, while an unrelated offer beside the offer of a person misleads nobody.
pub const DEFAULT_SUGGESTION_FLOOR: f32 = 0.0;

impl Default for AnswerConfig {
    fn default() -> Self {
        AnswerConfig {
            threshold: DEFAULT_THRESHOLD,
            suggestions: DEFAULT_SUGGESTIONS,
            suggestion_floor: DEFAULT_SUGGESTION_FLOOR,
        }
    }
}

/// Whether the knowledge base answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A supported answer with citations.
    Answer,
    /// Not reliable enough: the caller says so and offers a person.
    Abstain,
}

/// A source backing an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Citation {
    /// The FAQ entry or document id.
    pub id: String,
    /// The FAQ question or document title.
    pub title: String,
    /// The entry's link, if it has one.
    pub url: Option<String>,
    /// The cited text: the approved FAQ answer or the document passage.
    pub passage: String,
}

/// The result of [`KnowledgeBase::answer`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// Answer or abstain.
    pub outcome: Outcome,
    /// The answering entry; `None` when abstaining.
    pub entry_id: Option<String>,
    /// The text to show: an FAQ answer verbatim or a document passage; `None` when abstaining.
    pub text: Option<String>,
    /// Sources; non-empty exactly when answering.
    pub citations: Vec<Citation>,
    /// Calibrated confidence in [0, 1] of the best candidate.
    pub confidence: f32,
    /// With an abstention: approved FAQ questions near the customer's, best first, which the
    /// customer may pick instead of rephrasing (each, asked verbatim, is answered by its entry).
    /// Only entries the customer may see; empty when answering and when nothing came close.
    pub suggestions: Vec<Suggestion>,
}

/// An approved question offered with an abstention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The FAQ entry it belongs to.
    pub entry_id: String,
    /// The entry's question, as approved.
    pub question: String,
}

impl Answer {
    fn abstain(confidence: f32) -> Answer {
        Answer {
            outcome: Outcome::Abstain,
            entry_id: None,
            text: None,
            citations: Vec::new(),
            confidence,
            suggestions: Vec::new(),
        }
    }
}

/// Retrieval details for evaluation and debugging: features, confidence and the ranked entry ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Features of the best candidate.
    pub features: Features,
    /// Confidence computed from them.
    pub confidence: f32,
    /// Entry ids with their BM25 scores, best first.
    pub ranked: Vec<(String, f32)>,
    /// Entry ids with their dense similarity (best phrasing and centroid), best first; empty without an
    /// encoder.
    pub dense: Vec<(String, f32)>,
    /// Share of the nearest phrasings that belong to the best dense entry.
    pub dense_votes: f32,
}

/// Weights of the logistic confidence model over [`Features`], fitted by logistic regression
/// (log-loss, gradient descent) on the tuning halves of banking77 and CLINC150, with label 1 for
/// a correct best entry and 0 for a wrong entry or an out-of-scope question. Rounded to two
/// decimals; refit when the features or the retrieval change.
const BIAS: f32 = -2.33;
const WEIGHT_NORMALISED: f32 = 0.35;
const WEIGHT_MARGIN: f32 = 5.0;
const WEIGHT_COVERAGE: f32 = 1.48;
const WEIGHT_VOTES: f32 = 2.08;

/// Share of the question's idf mass that must match for full confidence.
const MIN_SUPPORTED_NORMALISED: f32 = 0.3;

/// Confidence of a full match (see [`confidence`]); above the default threshold.
/// Below this share of the question's content words found in the best phrasing, confidence is 0.
const MIN_COVERAGE: f32 = 0.34;
/// Coverage above [`MIN_COVERAGE`] over which confidence ramps back to the model's value.
const COVERAGE_RAMP: f32 = 0.16;
const FULL_MATCH_CONFIDENCE: f32 = 0.9;

/// Maps retrieval features to a confidence in [0, 1].
pub fn confidence(features: &Features) -> f32 {
    if features.top_score <= 0.0 {
        return 0.0;
    }
    // Margin and votes are relative: with few matching entries a single weak match has a full
    // margin. Below this share of the question's idf mass matched, confidence is scaled down.
    let support = (features.normalised / MIN_SUPPORTED_NORMALISED).clamp(0.0, 1.0);
    let logit = BIAS
        + WEIGHT_NORMALISED * features.normalised.min(2.0)
        + WEIGHT_MARGIN * features.margin
        + WEIGHT_COVERAGE * features.coverage
        + WEIGHT_VOTES * features.votes;
    // A question of which two thirds of the content words are nowhere in the best phrasing is
    // about something else that happens to share a word ("de kleur van de maan" vs "ruilen voor
    // een andere kleur"): such a match must never pass as an answer (ACC-01).
    let covered = ((features.coverage - MIN_COVERAGE) / COVERAGE_RAMP).clamp(0.0, 1.0);
    let model = support * covered / (1.0 + (-logit).exp());
    // The question and one approved phrasing have the same content words and the match carries
    // the question's full idf mass: the customer asked an approved question (nearly) verbatim.
    // Margin and votes then say only that neighbouring entries share words, which in a
    // hand-written FAQ with related topics ("shipping costs", "return costs") is normal.
    if features.coverage >= 1.0 && features.reverse_coverage >= 1.0 && features.normalised >= 1.0 {
        model.max(FULL_MATCH_CONFIDENCE)
    } else {
        model
    }
}

struct Loaded {
    generation: Option<String>,
    public: Option<Partition>,
    /// The public partition's vectors, when they exist and match the configured encoder.
    dense: Option<DenseIndex>,
}

struct Inner {
    data_dir: PathBuf,
    config: AnswerConfig,
    encoder: Option<Arc<dyn Embedder>>,
    /// The encoder's confidence model, resolved once here rather than on every answer.
    calibration: hybrid::Calibration,
    loaded: RwLock<Arc<Loaded>>,
}

/// The customer-facing knowledge base. Cheap to clone (shared state behind an `Arc`); safe to use
/// from many threads; [`KnowledgeBase::reload`] switches to a newer import without blocking
/// answers in flight.
#[derive(Clone)]
pub struct KnowledgeBase {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("KnowledgeBase")
            .field("data_dir", &self.inner.data_dir)
            .field("generation", &self.generation())
            .finish()
    }
}

impl KnowledgeBase {
    /// Opens the generation `data_dir/kb/CURRENT` names, with the default [`AnswerConfig`].
    /// Before the first import the knowledge base is empty and abstains on everything.
    pub fn open(data_dir: &Path) -> Result<KnowledgeBase> {
        KnowledgeBase::open_with_config(data_dir, AnswerConfig::default())
    }

    /// Like [`KnowledgeBase::open`] with explicit settings.
    pub fn open_with_config(data_dir: &Path, config: AnswerConfig) -> Result<KnowledgeBase> {
        KnowledgeBase::open_with_encoder(data_dir, config, None)
    }

    /// Like [`KnowledgeBase::open_with_config`], retrieving densely as well when `encoder` is
    /// given and the generation holds vectors computed by the same encoder (see
    /// [`crate::import_embedded`]); otherwise retrieval is lexical only.
    pub fn open_with_encoder(
        data_dir: &Path,
        config: AnswerConfig,
        encoder: Option<Arc<dyn Embedder>>,
    ) -> Result<KnowledgeBase> {
        let generation = read_current(data_dir)?;
        let loaded = load(data_dir, generation, encoder.as_deref())?;
        let calibration = encoder
            .as_ref()
            .map_or(hybrid::Calibration::MINILM_L6, |encoder| encoder.calibration());
        Ok(KnowledgeBase {
            inner: Arc::new(Inner {
                data_dir: data_dir.to_owned(),
                config,
                encoder,
                calibration,
                loaded: RwLock::new(Arc::new(loaded)),
            }),
        })
    }

    /// Switches to the generation `CURRENT` names if it changed; returns whether it did. On error
    /// the previously loaded generation keeps serving.
    pub fn reload(&self) -> Result<bool> {
        let generation = read_current(&self.inner.data_dir)?;
        if generation == self.generation() {
            return Ok(false);
        }
        let loaded = load(&self.inner.data_dir, generation, self.inner.encoder.as_deref())?;
        let mut slot = self
            .inner
            .loaded
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Arc::new(loaded);
        Ok(true)
    }

    /// Imports `sources` as a new generation, with this knowledge base's encoder (so the new
    /// generation retrieves densely exactly when this one can), and serves it once complete: the
    /// import of a running server (the admin API). A failed import leaves the served generation
    /// as it was.
    pub fn import(
        &self,
        sources: Vec<crate::SourceFile>,
        limits: &crate::ImportLimits,
        screen: &dyn crate::Screen,
    ) -> Result<crate::ImportReport> {
        let report = crate::import_embedded(
            &self.inner.data_dir,
            sources,
            limits,
            screen,
            self.inner.encoder.as_deref(),
            &mut |_| {},
        )?;
        self.reload()?;
        Ok(report)
    }

    /// The generation being served, `None` before the first import.
    pub fn generation(&self) -> Option<String> {
        self.snapshot().generation.clone()
    }

    /// What the content policy lint found in the served generation's customer-visible text
    /// (PRIV-11, ACC-06, ACC-07), as recorded at its import.
    pub fn policy_findings(&self) -> Vec<crate::policy::PolicyFinding> {
        self.generation()
            .map(|generation| crate::generation::policy_findings(&self.inner.data_dir, &generation))
            .unwrap_or_default()
    }

    /// The settings in use.
    pub fn config(&self) -> AnswerConfig {
        self.inner.config
    }

    /// Whether answers use dense retrieval: an encoder is configured and the served generation
    /// was imported with it. `false` means lexical only (for example after switching models,
    /// until the next import).
    pub fn dense_enabled(&self) -> bool {
        self.snapshot().dense.is_some()
    }

    /// Answers `question` from content `scope` may see, preferring content in `lang` and falling
    /// back to the other language only when no content in `lang` is confident enough. Never
    /// returns internal or confidential content: it has no access to it.
    pub fn answer(&self, question: &str, lang: Lang, scope: &CustomerScope) -> Answer {
        let loaded = self.snapshot();
        let Some(partition) = &loaded.public else {
            return Answer::abstain(0.0);
        };
        let today = Date::today();
        if let Some(answer) = verbatim_answer(partition, question, lang, scope, today) {
            return answer;
        }
        let config = self.inner.config;
        let query_vector = self.query_vector(&loaded, question);
        let dense_scores = loaded
            .dense
            .as_ref()
            .zip(query_vector.as_ref())
            .map(|(dense, vector)| (dense, dense.scores(vector)));
        let calibration = &self.inner.calibration;
        let mut best_confidence = 0.0f32;
        // A search error (which would mean a damaged index) is treated like no match: abstain and
        // let a person answer, never guess.
        let (in_lang, any) = match partition.search_both(question, lang, &scope.access_keys(), today) {
            Ok((in_lang, any)) => (Some(in_lang), Some(any)),
            Err(_) => (None, None),
        };
        // What the dense rankings may return, in the question's language and in any: one pass over
        // the entries for both.
        let (allowed_in_lang, allowed_any): (Vec<bool>, Vec<bool>) = match dense_scores {
            Some(_) => partition
                .entries()
                .iter()
                .map(|entry| {
                    (
                        admits(entry, Some(lang), scope, today),
                        admits(entry, None, scope, today),
                    )
                })
                .unzip(),
            None => (Vec::new(), Vec::new()),
        };
        // The entries nearest to the question, from the first pass that found any: offered as
        // suggestions if both passes abstain.
        let mut nearest: Vec<usize> = Vec::new();
        for (allowed_entries, ranking) in [(&allowed_in_lang, in_lang), (&allowed_any, any)] {
            let lexical = ranking.unwrap_or_default();
            let dense_ranking = dense_scores
                .as_ref()
                .map(|(dense, scores)| dense.rank(scores, allowed_entries));
            let fused = dense_ranking
                .as_ref()
                .map(|dense_ranking| hybrid::fuse(&lexical, dense_ranking));
            let choice = match dense_ranking.as_ref().zip(fused.as_deref()) {
                Some((dense_ranking, fused)) => hybrid::choose(&lexical, dense_ranking, fused, calibration),
                None => lexical.candidates.first().map(|best| hybrid::Choice {
                    entry: best.entry,
                    phrasing_in_entry: best.phrasing_in_entry,
                    confidence: confidence(&lexical.features),
                }),
            };
            if let Some(choice) = choice {
                best_confidence = best_confidence.max(choice.confidence);
                if choice.confidence >= config.threshold
                    && let Some(answer) = build_answer(partition, &choice, scope)
                {
                    return answer;
                }
            }
            if nearest.is_empty() {
                nearest = match fused {
                    Some(fused) => fused.into_iter().map(|(entry, _)| entry).collect(),
                    None => lexical.candidates.iter().map(|candidate| candidate.entry).collect(),
                };
            }
        }
        let mut answer = Answer::abstain(best_confidence);
        if best_confidence >= config.suggestion_floor {
            answer.suggestions = suggestions(partition, &nearest, scope, today, config.suggestions);
        }
        answer
    }

    /// The ranking and features behind [`KnowledgeBase::answer`] for one language filter
    /// (`None`: both languages). For evaluation and tuning.
    pub fn explain(&self, question: &str, lang: Option<Lang>, scope: &CustomerScope) -> Explanation {
        let loaded = self.snapshot();
        let dense_ranking = match (&loaded.public, &loaded.dense, self.query_vector(&loaded, question)) {
            (Some(partition), Some(dense), Some(vector)) => {
                dense.search(&vector, &allowed(partition, lang, scope, Date::today()))
            }
            _ => DenseRanking::default(),
        };
        let dense_ids = |partition: &Partition| {
            dense_ranking
                .candidates
                .iter()
                .filter_map(|candidate| {
                    let entry = partition.entries().get(candidate.entry)?;
                    Some((entry.id.as_str().to_owned(), candidate.similarity))
                })
                .collect::<Vec<_>>()
        };
        let ranking = loaded.public.as_ref().and_then(|partition| {
            rank(partition, question, lang, scope, Date::today()).map(|ranking| (partition, ranking))
        });
        match ranking {
            None => Explanation {
                features: Features::default(),
                confidence: 0.0,
                ranked: Vec::new(),
                dense: loaded.public.as_ref().map(dense_ids).unwrap_or_default(),
                dense_votes: dense_ranking.votes,
            },
            Some((partition, ranking)) => Explanation {
                features: ranking.features,
                confidence: confidence(&ranking.features),
                ranked: ranking
                    .candidates
                    .iter()
                    .filter_map(|candidate| {
                        let entry = partition.entries().get(candidate.entry)?;
                        Some((entry.id.as_str().to_owned(), candidate.score))
                    })
                    .collect(),
                dense: dense_ids(partition),
                dense_votes: dense_ranking.votes,
            },
        }
    }

    /// The question's vector when dense retrieval is active for `loaded`.
    fn query_vector(&self, loaded: &Loaded, question: &str) -> Option<Vec<f32>> {
        loaded.dense.as_ref()?;
        Some(self.inner.encoder.as_ref()?.embed(question))
    }

    fn snapshot(&self) -> Arc<Loaded> {
        self.inner
            .loaded
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Opens `generation` as a server would and drops it: an error when it would not serve.
pub(crate) fn check_loads(data_dir: &Path, generation: &str) -> Result<()> {
    load(data_dir, Some(generation.to_owned()), None).map(drop)
}

fn load(data_dir: &Path, generation: Option<String>, encoder: Option<&dyn Embedder>) -> Result<Loaded> {
    let mut dense = None;
    let public = match &generation {
        None => None,
        Some(name) => {
            let partition = Partition::open(&partition_dir(data_dir, name, PUBLIC_DIR))?;
            // The import never writes restricted entries here; refuse to serve a tampered index.
            if partition.entries().iter().any(|entry| entry.audience.is_restricted()) {
                return Err(Error::Corrupt {
                    generation: name.clone(),
                    reason: "restricted entry in the public partition".to_owned(),
                });
            }
            if let Some(encoder) = encoder {
                dense = DenseIndex::open(
                    &partition_dir(data_dir, name, PUBLIC_DIR),
                    partition.entries(),
                    &encoder.fingerprint(),
                )?;
            }
            Some(partition)
        }
    };
    Ok(Loaded {
        generation,
        public,
        dense,
    })
}

fn rank(
    partition: &Partition,
    question: &str,
    lang: Option<Lang>,
    scope: &CustomerScope,
    today: Date,
) -> Option<Ranking> {
    // A search error (which would mean a damaged index) is treated like no match: abstain and let
    // a person answer, never guess.
    partition.search(question, lang, &scope.access_keys(), today).ok()
}

/// Which entries of `partition` the dense search may return: the same rule as the lexical filter
/// (scope, language, expiry), applied per entry.
fn allowed(partition: &Partition, lang: Option<Lang>, scope: &CustomerScope, today: Date) -> Vec<bool> {
    partition
        .entries()
        .iter()
        .map(|entry| admits(entry, lang, scope, today))
        .collect()
}

/// Whether the dense search may return `entry` ([`allowed`]).
fn admits(entry: &Entry, lang: Option<Lang>, scope: &CustomerScope, today: Date) -> bool {
    scope.permits(entry) && lang.is_none_or(|lang| entry.lang == lang) && !entry.is_expired(today)
}

/// The answer to an approved FAQ question asked verbatim (see [`crate::retrieval::question_key`]),
/// with full confidence: the company approved exactly this question for this answer. `None` when
/// the question is no approved question of an entry `scope` may see, or when two such entries
/// share it (in the question's language, else in any), which ranking then decides.
fn verbatim_answer(
    partition: &Partition,
    question: &str,
    lang: Lang,
    scope: &CustomerScope,
    today: Date,
) -> Option<Answer> {
    let owners = partition.exact_question(question);
    if owners.is_empty() {
        return None;
    }
    let admitted = |lang: Option<Lang>| -> Vec<usize> {
        owners
            .iter()
            .copied()
            .filter(|entry| {
                partition
                    .entries()
                    .get(*entry)
                    .is_some_and(|entry| admits(entry, lang, scope, today))
            })
            .collect()
    };
    let in_lang = admitted(Some(lang));
    let chosen = if in_lang.is_empty() { admitted(None) } else { in_lang };
    let [entry] = chosen[..] else { return None };
    let choice = hybrid::Choice {
        entry,
        phrasing_in_entry: 0,
        confidence: 1.0,
    };
    build_answer(partition, &choice, scope)
}

/// Up to `limit` approved questions of the FAQ entries among `nearest` (entry indexes, best
/// first, each once, as rankings list them) that `scope` may see and that have not expired;
/// documents are not offered, since their titles are no approved questions.
fn suggestions(
    partition: &Partition,
    nearest: &[usize],
    scope: &CustomerScope,
    today: Date,
    limit: usize,
) -> Vec<Suggestion> {
    let mut offered: Vec<Suggestion> = Vec::with_capacity(limit);
    for index in nearest {
        if offered.len() >= limit {
            break;
        }
        let Some(entry) = partition.entries().get(*index) else {
            continue;
        };
        if !matches!(entry.kind, EntryKind::Faq { .. }) || !admits(entry, None, scope, today) {
            continue;
        }
        offered.push(Suggestion {
            entry_id: entry.id.as_str().to_owned(),
            question: entry.title().to_owned(),
        });
    }
    offered
}

fn build_answer(partition: &Partition, choice: &hybrid::Choice, scope: &CustomerScope) -> Option<Answer> {
    let confidence = choice.confidence;
    let entry = partition.entries().get(choice.entry)?;
    if !scope.permits(entry) {
        return None;
    }
    let text = entry.answer_text(choice.phrasing_in_entry).to_owned();
    Some(Answer {
        outcome: Outcome::Answer,
        entry_id: Some(entry.id.as_str().to_owned()),
        text: Some(text.clone()),
        citations: vec![Citation {
            id: entry.id.as_str().to_owned(),
            title: entry.title().to_owned(),
            url: entry.url.clone(),
            passage: text,
        }],
        confidence,
        suggestions: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_zero_without_a_match_and_rises_with_evidence() {
        assert_eq!(confidence(&Features::default()), 0.0);
        let weak = Features {
            top_score: 1.0,
            normalised: 0.2,
            margin: 0.1,
            coverage: 0.3,
            votes: 0.2,
            reverse_coverage: 0.3,
        };
        let strong = Features {
            top_score: 10.0,
            normalised: 1.0,
            margin: 0.8,
            coverage: 1.0,
            votes: 0.8,
            reverse_coverage: 0.5,
        };
        assert!(confidence(&weak) < confidence(&strong));
        assert!((0.0..=1.0).contains(&confidence(&strong)));
    }

    #[test]
    fn scopes_never_permit_restricted_audiences() {
        for audience in [Audience::Internal, Audience::Confidential] {
            let entry = Entry {
                id: crate::model::EntryId::parse("x").unwrap(),
                lang: Lang::Nl,
                audience,
                customer_id: None,
                url: None,
                valid_until: None,
                kind: crate::model::EntryKind::Faq {
                    question: "q".into(),
                    alt_questions: vec![],
                    answer: "a".into(),
                    answer_indexed: false,
                },
            };
            assert!(!CustomerScope::anonymous().permits(&entry));
            assert!(!CustomerScope::authenticated("c-1").permits(&entry));
        }
    }
}
