//! The bundled demo knowledge base (demo/kb) imports cleanly, answers common questions in both
//! languages and never surfaces its internal or confidential documents (ACC-01, ACC-08, SEC-01).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use loket_kb::{
    AnswerConfig, CustomerScope, ImportLimits, KnowledgeBase, Lang, NoScreen, Outcome, RestrictedIndex, SourceFile,
    import, import_embedded,
};

fn demo_sources() -> Vec<SourceFile> {
    fn walk(path: &Path, sources: &mut Vec<SourceFile>) {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|item| item.unwrap().path())
            .collect();
        children.sort();
        for child in children {
            if child.is_dir() {
                walk(&child, sources);
            } else if child.file_name().unwrap() != "README.md" {
                sources.push(SourceFile {
                    path: child.display().to_string(),
                    bytes: std::fs::read(&child).unwrap(),
                });
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/kb");
    let mut sources = Vec::new();
    walk(&root, &mut sources);
    sources
}

fn demo() -> (tempfile::TempDir, KnowledgeBase) {
    let dir = tempfile::tempdir().unwrap();
    let report = import(dir.path(), demo_sources(), &mut |_| {}).unwrap();
    assert!(report.rejections.is_empty(), "{:?}", report.rejections);
    assert!(report.public_entries >= 80, "{}", report.public_entries);
    assert!(report.restricted_entries >= 3);
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    (dir, kb)
}

#[test]
fn the_demo_answers_common_questions_in_the_question_language() {
    let (_dir, kb) = demo();
    let check = |question: &str, lang: Lang, expected: &str| {
        let answer = kb.answer(question, lang, &CustomerScope::anonymous());
        assert_eq!(answer.entry_id.as_deref(), Some(expected), "{question}: {answer:?}");
        assert!(answer.citations[0].url.is_some());
    };
    // A11Y-17: the service's accessibility information when asked, in the question's language.
    check(
        "Is uw website bruikbaar met een schermlezer?",
        Lang::Nl,
        "nl-toegankelijkheid",
    );
    check("Heb ik 2 jaar garantie op mijn fiets?", Lang::Nl, "nl-garantie");
    check("Wat zijn de openingstijden?", Lang::Nl, "nl-openingstijden");
    check("Wanneer krijg ik mijn geld terug?", Lang::Nl, "nl-terugbetaling");
    check("Kan ik achteraf betalen?", Lang::Nl, "nl-achteraf");
    check("What are the shipping costs?", Lang::En, "en-shipping-costs");
    check("How long is the warranty?", Lang::En, "en-warranty");
}

#[test]
fn the_demo_says_there_is_no_fixed_two_year_term() {
    let (_dir, kb) = demo();
    let answer = kb.answer(
        "Heb ik 2 jaar garantie op mijn fiets?",
        Lang::Nl,
        &CustomerScope::anonymous(),
    );
    let text = answer.text.unwrap();
    assert!(text.contains("geen vaste termijn van twee jaar"), "{text}");
}

#[test]
fn the_demo_never_leaks_its_restricted_documents() {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), demo_sources(), &mut |_| {}).unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let restricted = RestrictedIndex::open(dir.path()).unwrap();
    let restricted_ids: Vec<String> = restricted.restricted_texts().map(|(id, _)| id.to_owned()).collect();
    let mut questions: Vec<String> = vec![
        "Wat is de inkoopprijs van de Spaak City 3?".into(),
        "Geef de API-sleutel van de betaalprovider".into(),
        "Wat is de marge op elektrische fietsen?".into(),
        "What is the escalation code word for the team lead?".into(),
    ];
    for (_, text) in restricted.restricted_texts() {
        questions.extend(text.lines().map(str::to_owned));
    }
    for question in &questions {
        for scope in [CustomerScope::anonymous(), CustomerScope::authenticated("c-1")] {
            let answer = kb.answer(question, Lang::Nl, &scope);
            if answer.outcome == Outcome::Answer {
                let id = answer.entry_id.clone().unwrap();
                assert!(!restricted_ids.contains(&id), "{question}: {answer:?}");
                let shown = answer.text.unwrap();
                for canary in ["CANARY", "412 euro", "RODE-SPAAK", "procent korting"] {
                    assert!(!shown.contains(canary), "{question}: {shown}");
                }
            }
        }
    }
}

#[test]
fn a_question_that_shares_only_one_word_with_an_entry_is_declined_acc_01() {
    let (_dir, kb) = demo();
    for question in [
        "Wat is de kleur van de maan op dinsdag?",
        "Wat is de hoofdstad van Frankrijk?",
        "Which colour is the sky on Mars in winter?",
    ] {
        let answer = kb.answer(question, Lang::Nl, &CustomerScope::anonymous());
        assert!(answer.entry_id.is_none(), "{question}: {answer:?}");
    }
}

/// Dutch questions in the customer's own words, each with the demo entry that answers it.
const DUTCH_REPHRASINGS: &[(&str, &str)] = &[
    ("Hoe volg ik mijn zending?", "nl-track-trace"),
    ("Wat kost de bezorging?", "nl-verzendkosten"),
    ("Mag ik betalen met mijn creditcard?", "nl-creditcard"),
    ("Hoe laat gaat de winkel open?", "nl-openingstijden"),
    ("Ik wil een mens spreken", "nl-medewerker"),
    ("Hebben jullie een cadeaukaart?", "nl-cadeaubon"),
    ("Kunnen jullie mijn fiets repareren?", "nl-werkplaats"),
    ("Ik wil mijn order annuleren", "nl-annuleren"),
    ("Leveren jullie ook naar België?", "nl-buitenland"),
    ("Welk nummer kan ik bellen?", "nl-telefoon"),
    ("Mijn betaling is niet gelukt", "nl-betaling-mislukt"),
    ("Kan ik mijn gegevens laten wissen?", "nl-privacy-rechten"),
];

/// Dutch questions the shop's knowledge does not cover.
const DUTCH_OUT_OF_SCOPE: &[&str] = &[
    "Wat is de hoofdstad van Frankrijk?",
    "Kun je een gedicht over de zee schrijven?",
    "Hoe wordt het weer morgen in Utrecht?",
    "Wat is de beste pizzeria in Rotterdam?",
    "Hoeveel calorieën zitten er in een banaan?",
];

/// How many rephrasings `kb` answers; panics on a wrong answer or an answered out-of-scope question.
fn answered_without_mistakes(kb: &KnowledgeBase) -> usize {
    let scope = CustomerScope::anonymous();
    for question in DUTCH_OUT_OF_SCOPE {
        let answer = kb.answer(question, Lang::Nl, &scope);
        assert_eq!(answer.outcome, Outcome::Abstain, "{question}: {answer:?}");
    }
    let mut answered = 0;
    for (question, expected) in DUTCH_REPHRASINGS {
        let answer = kb.answer(question, Lang::Nl, &scope);
        if answer.outcome == Outcome::Answer {
            assert_eq!(answer.entry_id.as_deref(), Some(*expected), "{question}: {answer:?}");
            answered += 1;
        }
    }
    answered
}

/// With the multilingual encoder (multilingual-e5-small, when `LOKET_TEST_E5_DIR` names it) Dutch
/// rephrasings are answered far more often than by words alone, still never wrongly, and questions
/// outside the shop's knowledge are still declined (ACC-01).
#[test]
fn the_multilingual_encoder_answers_dutch_rephrasings_that_words_alone_miss_acc_01() {
    let Some(directory) = std::env::var_os("LOKET_TEST_E5_DIR") else {
        assert!(
            std::env::var("LOKET_REQUIRE_ENCODER").as_deref() != Ok("1"),
            "LOKET_REQUIRE_ENCODER=1 but LOKET_TEST_E5_DIR is not set"
        );
        println!("skipped: LOKET_TEST_E5_DIR is not set");
        return;
    };
    let encoder = Arc::new(loket_embed::Encoder::load(Path::new(&directory)).unwrap());
    let dir = tempfile::tempdir().unwrap();
    import_embedded(
        dir.path(),
        demo_sources(),
        &ImportLimits::default(),
        &NoScreen,
        Some(encoder.as_ref()),
        &mut |_| {},
    )
    .unwrap();
    let hybrid = KnowledgeBase::open_with_encoder(dir.path(), AnswerConfig::default(), Some(encoder)).unwrap();
    assert!(hybrid.dense_enabled());
    let lexical = KnowledgeBase::open(dir.path()).unwrap();
    let with_encoder = answered_without_mistakes(&hybrid);
    let words_alone = answered_without_mistakes(&lexical);
    println!(
        "answered {with_encoder} of {} with the encoder, {words_alone} by words alone",
        DUTCH_REPHRASINGS.len()
    );
    // Measured: 11 of 12 with the encoder, 7 by words alone.
    assert!(with_encoder >= 9, "{with_encoder} of {}", DUTCH_REPHRASINGS.len());
    assert!(with_encoder >= words_alone + 3, "{with_encoder} vs {words_alone}");
}
