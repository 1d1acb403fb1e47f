use loket_kb::{AnswerConfig, CustomerScope, KnowledgeBase, Lang, Outcome};

use crate::{import_all, shop_sources};

fn shop() -> (tempfile::TempDir, KnowledgeBase) {
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), shop_sources());
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    (dir, kb)
}

fn check(kb: &KnowledgeBase, question: &str, lang: Lang, expected: Option<&str>) {
    let answer = kb.answer(question, lang, &CustomerScope::anonymous());
    assert_eq!(
        answer.entry_id.as_deref(),
        expected,
        "{question:?} ({lang:?}): {answer:?}"
    );
}

#[test]
fn questions_find_their_entries_in_both_languages() {
    let (_dir, kb) = shop();
    check(&kb, "Hoe lang duurt de levering?", Lang::Nl, Some("nl-levertijd"));
    check(
        &kb,
        "wanneer wordt mijn bestelling bezorgd",
        Lang::Nl,
        Some("nl-levertijd"),
    );
    check(&kb, "Kan ik met iDEAL betalen?", Lang::Nl, Some("nl-betalen"));
    check(&kb, "When will my order arrive?", Lang::En, Some("en-delivery"));
    check(
        &kb,
        "Is there parking near the shop?",
        Lang::En,
        Some("en-only-parking"),
    );
}

#[test]
fn faq_answers_are_verbatim_with_a_citation() {
    let (_dir, kb) = shop();
    let answer = kb.answer(
        "Hoe kan ik mijn bestelling retourneren?",
        Lang::Nl,
        &CustomerScope::anonymous(),
    );
    assert_eq!(answer.outcome, Outcome::Answer);
    let approved = "U kunt binnen 14 dagen na ontvangst retourneren via het retourformulier.";
    assert_eq!(answer.text.as_deref(), Some(approved));
    assert_eq!(answer.citations.len(), 1);
    let citation = &answer.citations[0];
    assert_eq!(citation.id, "nl-retour");
    assert_eq!(citation.title, "Hoe kan ik mijn bestelling retourneren?");
    assert_eq!(citation.url.as_deref(), Some("https://despaak.example/retour"));
    assert_eq!(citation.passage, approved);
    assert!(answer.confidence > 0.0 && answer.confidence <= 1.0);
}

#[test]
fn documents_answer_with_their_best_passage_and_link() {
    let (_dir, kb) = shop();
    let answer = kb.answer(
        "Hoe meld ik een defect aan mijn fiets?",
        Lang::Nl,
        &CustomerScope::anonymous(),
    );
    assert_eq!(answer.entry_id.as_deref(), Some("garantie"), "{answer:?}");
    let citation = &answer.citations[0];
    assert!(citation.passage.starts_with("Meld een defect"), "{citation:?}");
    assert_eq!(citation.url.as_deref(), Some("https://despaak.example/garantie"));
    assert_eq!(citation.title, "Garantie en conformiteit");
}

#[test]
fn dutch_questions_get_dutch_content_and_english_ones_english() {
    let (_dir, kb) = shop();
    // Both languages have a returns entry; the question's language decides.
    check(&kb, "Hoe stuur ik mijn bestelling terug?", Lang::Nl, Some("nl-retour"));
    check(&kb, "How do I send my order back?", Lang::En, Some("en-returns"));
    // Only English content exists: a Dutch conversation still gets it rather than nothing.
    check(
        &kb,
        "Is there parking near the shop?",
        Lang::Nl,
        Some("en-only-parking"),
    );
}

#[test]
fn dutch_singular_and_plural_match_each_other() {
    let (_dir, kb) = shop();
    // The entry says "fietsen"; the customer writes "fiets" (snowball stems differ: fiet / fiets).
    check(&kb, "onderhoud fiets", Lang::Nl, Some("nl-fietsen-onderhoud"));
    // The entry says "fiets"; the customer writes "fietsen".
    check(&kb, "fietsen terugsturen", Lang::Nl, Some("nl-retour"));
}

#[test]
fn unrelated_questions_abstain() {
    let (_dir, kb) = shop();
    for question in [
        "Wat is de hoofdstad van Australië?",
        "What is the weather tomorrow in Utrecht?",
        "",
        "???",
        "🚲🚲🚲",
    ] {
        let answer = kb.answer(question, Lang::Nl, &CustomerScope::anonymous());
        assert_eq!(answer.outcome, Outcome::Abstain, "{question:?}: {answer:?}");
        assert!(answer.entry_id.is_none() && answer.citations.is_empty() && answer.text.is_none());
    }
}

#[test]
fn the_threshold_decides_between_answer_and_abstain() {
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), shop_sources());
    let question = "levering";
    let lenient = KnowledgeBase::open_with_config(
        dir.path(),
        AnswerConfig {
            threshold: 0.0,
            ..AnswerConfig::default()
        },
    )
    .unwrap();
    let answer = lenient.answer(question, Lang::Nl, &CustomerScope::anonymous());
    assert_eq!(answer.outcome, Outcome::Answer);
    let strict = KnowledgeBase::open_with_config(
        dir.path(),
        AnswerConfig {
            threshold: answer.confidence + 0.001,
            ..AnswerConfig::default()
        },
    )
    .unwrap();
    let declined = strict.answer(question, Lang::Nl, &CustomerScope::anonymous());
    assert_eq!(declined.outcome, Outcome::Abstain);
    assert!((declined.confidence - answer.confidence).abs() < 1e-6);
}

#[test]
fn answering_never_panics_on_odd_input() {
    let (_dir, kb) = shop();
    let long = "fiets ".repeat(5000);
    for question in [
        "\u{0}",
        "a\u{202e}b",
        "ﬁets",
        "Ｆｉｅｔｓ",
        long.as_str(),
        "é́́́́",
        "&lt;script&gt;",
    ] {
        let _ = kb.answer(question, Lang::Nl, &CustomerScope::anonymous());
    }
}

#[test]
fn the_knowledge_base_is_shared_across_threads() {
    let (_dir, kb) = shop();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let kb = kb.clone();
            std::thread::spawn(move || {
                kb.answer("Hoe lang duurt de levering?", Lang::Nl, &CustomerScope::anonymous())
                    .entry_id
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap().as_deref(), Some("nl-levertijd"));
    }
}

/// ACC-01: customers often ask in the words of the answer rather than of the question ("when does
/// the cooling-off period start?" for "how many days do I have to change my mind?"). An FAQ
/// answer is searchable as well, unless it is a fragment or shared by other entries: those would
/// match questions without telling entries apart.
#[test]
fn a_question_in_the_words_of_an_faq_answer_finds_that_entry() {
    let faq = [
        r#"{"id":"en-withdrawal","question":"How many days do I have to change my mind?","answer":"For online purchases you have a 14-day cooling-off period. It starts the day after you receive the product.","lang":"en"}"#,
        r#"{"id":"en-returns","question":"How can I return my order?","answer":"Register your return with the returns form and send the product back within another 14 days.","lang":"en"}"#,
        r#"{"id":"en-delivery","question":"When will my order arrive?","answer":"We deliver within two working days; you get a tracking link by e-mail.","lang":"en"}"#,
        r#"{"id":"en-stores","question":"Do you have shops?","answer":"See page seventeen.","lang":"en"}"#,
        r#"{"id":"en-hours","question":"When are you open?","answer":"Please ask Fenna in the warehouse about this one.","lang":"en"}"#,
        r#"{"id":"en-parking","question":"Can I park at the shop?","answer":"Please ask Fenna in the warehouse about this one.","lang":"en"}"#,
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), vec![crate::source("faq.jsonl", &faq)]);
    let kb = KnowledgeBase::open_with_config(
        dir.path(),
        AnswerConfig {
            threshold: 0.0,
            ..AnswerConfig::default()
        },
    )
    .unwrap();
    let scope = CustomerScope::anonymous();
    let answer = kb.answer("When does the cooling-off period start?", Lang::En, &scope);
    assert_eq!(answer.entry_id.as_deref(), Some("en-withdrawal"), "{answer:?}");
    assert_eq!(answer.citations[0].title, "How many days do I have to change my mind?");
    let answer = kb.answer("Is a tracking link sent?", Lang::En, &scope);
    assert_eq!(answer.entry_id.as_deref(), Some("en-delivery"), "{answer:?}");
    // A fragment and an answer two entries share are not searched: words found only there match
    // nothing, even at threshold zero.
    for question in ["seventeen", "warehouse"] {
        let answer = kb.answer(question, Lang::En, &scope);
        assert_eq!(answer.outcome, Outcome::Abstain, "{question}: {answer:?}");
    }
}

#[test]
fn acc_01_an_approved_question_asked_verbatim_is_answered_by_its_entry_with_full_confidence() {
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), shop_sources());
    // Even a base that demands near certainty answers an approved question asked as approved,
    // whatever its case, punctuation and spacing.
    let strict = KnowledgeBase::open_with_config(
        dir.path(),
        AnswerConfig {
            threshold: 0.99,
            ..AnswerConfig::default()
        },
    )
    .unwrap();
    for asked in [
        "Wat is de levertijd?",
        "wat is de LEVERTIJD",
        "  Wat is de levertijd ?! ",
    ] {
        let answer = strict.answer(asked, Lang::Nl, &CustomerScope::anonymous());
        assert_eq!(answer.entry_id.as_deref(), Some("nl-levertijd"), "{asked:?}");
        assert_eq!(answer.confidence, 1.0);
        assert_eq!(answer.citations.len(), 1);
    }
    // One word more is a question of the customer's own, which ranking judges.
    let longer = strict.answer("Wat is de levertijd naar Gent?", Lang::Nl, &CustomerScope::anonymous());
    assert!(longer.confidence < 1.0, "{longer:?}");
}

#[test]
fn priv_16_a_verbatim_question_of_a_customer_entry_is_not_answered_for_anyone_else() {
    let (_dir, kb) = shop();
    let question = "What does my lease contract cover?";
    let owner = kb.answer(question, Lang::En, &CustomerScope::authenticated("c-1"));
    assert_eq!(owner.entry_id.as_deref(), Some("customer-c1-contract"));
    assert_eq!(owner.confidence, 1.0);
    for scope in [CustomerScope::anonymous(), CustomerScope::authenticated("c-2")] {
        let answer = kb.answer(question, Lang::En, &scope);
        assert_ne!(answer.entry_id.as_deref(), Some("customer-c1-contract"), "{scope:?}");
        assert!(
            answer
                .suggestions
                .iter()
                .all(|suggestion| suggestion.entry_id != "customer-c1-contract"),
            "{scope:?}: {answer:?}"
        );
    }
}

#[test]
fn acc_01_an_abstention_offers_nearby_approved_questions_that_each_answer_verbatim() {
    let (_dir, kb) = shop();
    let scope = CustomerScope::anonymous();
    // Shares words with the returns entry but is not confident enough to answer.
    let answer = kb.answer("fiets terug na drie weken kapot", Lang::Nl, &scope);
    assert_eq!(answer.outcome, Outcome::Abstain, "{answer:?}");
    assert!(!answer.suggestions.is_empty() && answer.suggestions.len() <= loket_kb::DEFAULT_SUGGESTIONS);
    assert_eq!(answer.suggestions[0].entry_id, "nl-retour", "{answer:?}");
    assert_eq!(
        answer.suggestions[0].question,
        "Hoe kan ik mijn bestelling retourneren?"
    );
    let mut seen = std::collections::HashSet::new();
    for suggestion in &answer.suggestions {
        assert!(seen.insert(suggestion.entry_id.clone()), "offered twice: {answer:?}");
        // Only FAQ entries: the public page's title is no approved question.
        assert!(suggestion.entry_id.starts_with("nl-") || suggestion.entry_id.starts_with("en-"));
        let picked = kb.answer(&suggestion.question, Lang::Nl, &scope);
        assert_eq!(picked.entry_id.as_deref(), Some(suggestion.entry_id.as_str()));
    }
    // Answers carry none.
    let answered = kb.answer("Hoe lang duurt de levering?", Lang::Nl, &scope);
    assert_eq!(answered.outcome, Outcome::Answer);
    assert!(answered.suggestions.is_empty());
}

#[test]
fn suggestions_follow_their_limit_and_their_floor() {
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), shop_sources());
    let question = "fiets terug na drie weken kapot";
    let open = |config: AnswerConfig| KnowledgeBase::open_with_config(dir.path(), config).unwrap();
    let one = open(AnswerConfig {
        suggestions: 1,
        ..AnswerConfig::default()
    });
    assert_eq!(
        one.answer(question, Lang::Nl, &CustomerScope::anonymous())
            .suggestions
            .len(),
        1
    );
    let none = open(AnswerConfig {
        suggestions: 0,
        ..AnswerConfig::default()
    });
    assert!(
        none.answer(question, Lang::Nl, &CustomerScope::anonymous())
            .suggestions
            .is_empty()
    );
    let base = open(AnswerConfig::default());
    let confidence = base.answer(question, Lang::Nl, &CustomerScope::anonymous()).confidence;
    let above = open(AnswerConfig {
        suggestion_floor: confidence + 0.01,
        ..AnswerConfig::default()
    });
    let floored = above.answer(question, Lang::Nl, &CustomerScope::anonymous());
    assert_eq!(floored.outcome, Outcome::Abstain);
    assert!(floored.suggestions.is_empty(), "{floored:?}");
}
