//! Hybrid (lexical + dense) retrieval through the public API, with a stand-in encoder: a hashed
//! bag of words in which synonyms share a concept, so paraphrases are close without the real
//! model (the real one is tested in loket-embed).

use std::sync::Arc;

use loket_kb::{
    AnswerConfig, Calibrated, Calibration, CustomerScope, Embedder, ImportLimits, KnowledgeBase, Lang, NoScreen,
    Outcome, RestrictedIndex, import_embedded,
};

use crate::shop_sources;

const DIMENSION: usize = 4096;
/// Words mapped to a shared concept; everything else is its own concept.
const SYNONYMS: &[(&str, &str)] = &[
    ("parcel", "order"),
    ("package", "order"),
    ("purchase", "order"),
    ("arrive", "delivery"),
    ("delivered", "delivery"),
    ("show", "delivery"),
    ("vehicle", "car"),
    ("leave", "park"),
];

struct ConceptEmbedder {
    name: &'static str,
}

impl Embedder for ConceptEmbedder {
    fn fingerprint(&self) -> String {
        self.name.to_owned()
    }
    fn dimension(&self) -> usize {
        DIMENSION
    }
    fn embed(&self, text: &str) -> Vec<f32> {
        let mut vector = vec![0.0f32; DIMENSION];
        let lower = text.to_lowercase();
        for word in lower
            .split(|character: char| !character.is_alphanumeric())
            .filter(|word| word.len() > 2)
        {
            let concept = SYNONYMS
                .iter()
                .find(|(synonym, _)| *synonym == word)
                .map_or(word, |(_, concept)| *concept);
            let bucket = concept.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            });
            vector[(bucket % DIMENSION as u64) as usize] += 1.0;
        }
        let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
        if norm > 0.0 {
            vector.iter_mut().for_each(|value| *value /= norm);
        }
        vector
    }
}

fn hybrid_shop(encoder_name: &'static str) -> (tempfile::TempDir, KnowledgeBase) {
    let dir = tempfile::tempdir().unwrap();
    let encoder = ConceptEmbedder { name: "concepts-v1" };
    import_embedded(
        dir.path(),
        shop_sources(),
        &ImportLimits::default(),
        &NoScreen,
        Some(&encoder),
        &mut |_| {},
    )
    .unwrap();
    let kb = KnowledgeBase::open_with_encoder(
        dir.path(),
        AnswerConfig::default(),
        Some(Arc::new(ConceptEmbedder { name: encoder_name })),
    )
    .unwrap();
    (dir, kb)
}

#[test]
fn a_paraphrase_in_other_words_is_answered_with_its_citation() {
    let (_dir, kb) = hybrid_shop("concepts-v1");
    assert!(kb.dense_enabled());
    let answer = kb.answer("When is my parcel delivered?", Lang::En, &CustomerScope::anonymous());
    assert_eq!(answer.outcome, Outcome::Answer, "{answer:?}");
    assert_eq!(answer.entry_id.as_deref(), Some("en-delivery"));
    assert_eq!(answer.citations[0].passage, "We deliver within 1 to 3 working days.");
    let parking = kb.answer("Where can I leave my vehicle?", Lang::En, &CustomerScope::anonymous());
    assert_eq!(parking.entry_id.as_deref(), Some("en-only-parking"), "{parking:?}");
    let explanation = kb.explain(
        "When is my parcel delivered?",
        Some(Lang::En),
        &CustomerScope::anonymous(),
    );
    assert_eq!(
        explanation.dense.first().map(|(id, _)| id.as_str()),
        Some("en-delivery")
    );
}

#[test]
fn an_encoder_answers_with_the_calibration_it_is_given() {
    let (dir, kb) = hybrid_shop("concepts-v1");
    let question = "When is my parcel delivered?";
    assert_eq!(
        kb.answer(question, Lang::En, &CustomerScope::anonymous()).outcome,
        Outcome::Answer
    );
    // A calibration that trusts nothing: the same retrieval now declines.
    let distrustful = Calibration::from_json(
        br#"{"weights": {"similarity": 0, "similarity_margin": 0, "dense_votes": 0, "lexical_confidence": 0,
            "lexical_rank": 0, "fused_margin": 0}, "bias": -50, "min_similarity": 0.3, "similarity_ramp": 0.15}"#,
    )
    .unwrap();
    let calibrated = Calibrated {
        embedder: Arc::new(ConceptEmbedder { name: "concepts-v1" }),
        calibration: distrustful,
    };
    let kb = KnowledgeBase::open_with_encoder(dir.path(), AnswerConfig::default(), Some(Arc::new(calibrated))).unwrap();
    assert!(kb.dense_enabled());
    let answer = kb.answer(question, Lang::En, &CustomerScope::anonymous());
    assert_eq!(answer.outcome, Outcome::Abstain, "{answer:?}");
}

#[test]
fn unrelated_questions_are_still_declined() {
    let (_dir, kb) = hybrid_shop("concepts-v1");
    for question in [
        "What is the colour of the moon?",
        "Who won the football match yesterday?",
        "",
    ] {
        let answer = kb.answer(question, Lang::En, &CustomerScope::anonymous());
        assert_eq!(answer.outcome, Outcome::Abstain, "{question:?}: {answer:?}");
    }
}

#[test]
fn dense_retrieval_never_returns_restricted_or_other_customers_content() {
    let (dir, kb) = hybrid_shop("concepts-v1");
    let restricted = RestrictedIndex::open(dir.path()).unwrap();
    let mut questions: Vec<String> = restricted.restricted_texts().map(|(_, text)| text.to_owned()).collect();
    questions.extend(
        restricted
            .restricted_texts()
            .flat_map(|(_, text)| text.lines().map(str::to_owned)),
    );
    for question in &questions {
        for scope in [CustomerScope::anonymous(), CustomerScope::authenticated("c-1")] {
            let answer = kb.answer(question, Lang::Nl, &scope);
            let id = answer.entry_id.unwrap_or_default();
            assert!(
                !restricted
                    .restricted_texts()
                    .any(|(restricted_id, _)| restricted_id == id),
                "{question:?}"
            );
            for (ranked, _) in kb.explain(question, None, &scope).dense {
                assert!(
                    !restricted
                        .restricted_texts()
                        .any(|(restricted_id, _)| restricted_id == ranked)
                );
            }
        }
    }
    let contract = "What does my lease contract cover?";
    let anonymous = kb.explain(contract, None, &CustomerScope::anonymous());
    assert!(anonymous.dense.iter().all(|(id, _)| id != "customer-c1-contract"));
    let owner = kb.answer(contract, Lang::En, &CustomerScope::authenticated("c-1"));
    assert_eq!(owner.entry_id.as_deref(), Some("customer-c1-contract"));
    let other = kb.answer(contract, Lang::En, &CustomerScope::authenticated("c-2"));
    assert_ne!(other.entry_id.as_deref(), Some("customer-c1-contract"));
}

#[test]
fn vectors_of_another_encoder_leave_retrieval_lexical() {
    let (_dir, kb) = hybrid_shop("another-model");
    assert!(!kb.dense_enabled());
    let answer = kb.answer("How long does delivery take?", Lang::En, &CustomerScope::anonymous());
    assert_eq!(answer.entry_id.as_deref(), Some("en-delivery"));
    assert!(
        kb.explain(
            "How long does delivery take?",
            Some(Lang::En),
            &CustomerScope::anonymous()
        )
        .dense
        .is_empty()
    );
}

/// Counts the texts it is asked to encode, and encodes them as [`ConceptEmbedder`] does.
struct CountingEmbedder {
    inner: ConceptEmbedder,
    encoded: std::sync::atomic::AtomicUsize,
}

impl CountingEmbedder {
    fn new(name: &'static str) -> CountingEmbedder {
        CountingEmbedder {
            inner: ConceptEmbedder { name },
            encoded: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Texts encoded since the last call.
    fn take_count(&self) -> usize {
        self.encoded.swap(0, std::sync::atomic::Ordering::Relaxed)
    }
}

impl Embedder for CountingEmbedder {
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }
    fn dimension(&self) -> usize {
        self.inner.dimension()
    }
    fn embed(&self, text: &str) -> Vec<f32> {
        self.encoded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.embed(text)
    }
}

fn import_with(dir: &std::path::Path, sources: Vec<loket_kb::SourceFile>, encoder: &CountingEmbedder) {
    import_embedded(
        dir,
        sources,
        &ImportLimits::default(),
        &NoScreen,
        Some(encoder),
        &mut |_| {},
    )
    .unwrap();
}

#[test]
fn a_reimport_encodes_only_the_phrasings_that_changed_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let encoder = CountingEmbedder::new("concepts-v1");
    import_with(dir.path(), shop_sources(), &encoder);
    let first_import = encoder.take_count();
    assert!(first_import > 20, "{first_import}");

    import_with(dir.path(), shop_sources(), &encoder);
    assert_eq!(encoder.take_count(), 0);
    let kb = KnowledgeBase::open_with_encoder(
        dir.path(),
        AnswerConfig::default(),
        Some(Arc::new(ConceptEmbedder { name: "concepts-v1" })),
    )
    .unwrap();
    let answer = kb.answer("When is my parcel delivered?", Lang::En, &CustomerScope::anonymous());
    assert_eq!(answer.entry_id.as_deref(), Some("en-delivery"), "{answer:?}");

    // One new phrasing: only it is encoded, and it is found through its own vector.
    let mut sources = shop_sources();
    let edited = crate::FAQ_EN.replace(
        r#""alt_questions":["When will my order arrive?"]"#,
        r#""alt_questions":["When will my order arrive?","Is my package on its way?"]"#,
    );
    assert_ne!(edited, crate::FAQ_EN);
    sources[1] = crate::source("faq/en.jsonl", &edited);
    import_with(dir.path(), sources, &encoder);
    assert_eq!(encoder.take_count(), 1);
    assert!(kb.reload().unwrap());
    let explanation = kb.explain("Is my package on its way?", Some(Lang::En), &CustomerScope::anonymous());
    assert_eq!(
        explanation.dense.first().map(|(id, _)| id.as_str()),
        Some("en-delivery")
    );

    // Another model's vectors are never reused.
    let other = CountingEmbedder::new("concepts-v2");
    import_with(dir.path(), shop_sources(), &other);
    assert_eq!(other.take_count(), first_import);
}
