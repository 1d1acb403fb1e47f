use loket_kb::{
    CustomerScope, Error, ImportLimits, KnowledgeBase, Lang, Outcome, RejectReason, RestrictedIndex, SourceFile,
    import, import_with_limits,
};

use crate::{import_all, shop_sources, source};

fn answer_id(kb: &KnowledgeBase, question: &str, lang: Lang) -> Option<String> {
    kb.answer(question, lang, &CustomerScope::anonymous()).entry_id
}

#[test]
fn import_reports_counts_and_splits_restricted_entries() {
    let dir = tempfile::tempdir().unwrap();
    let report = import_all(dir.path(), shop_sources());
    assert!(report.rejections.is_empty(), "{:?}", report.rejections);
    assert_eq!(report.files, 5);
    assert_eq!(report.public_entries, 10);
    assert_eq!(report.restricted_entries, 2);
}

#[test]
fn reimporting_the_same_sources_gives_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = import_all(dir.path(), shop_sources());
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let before = kb.answer("Hoe lang duurt de levering?", Lang::Nl, &CustomerScope::anonymous());
    let second = import_all(dir.path(), shop_sources());
    assert_ne!(first.generation, second.generation);
    assert_eq!(first.public_entries, second.public_entries);
    assert!(kb.reload().unwrap());
    assert!(!kb.reload().unwrap(), "a second reload without import changes nothing");
    let after = kb.answer("Hoe lang duurt de levering?", Lang::Nl, &CustomerScope::anonymous());
    assert_eq!(before, after);
    assert_eq!(before.entry_id.as_deref(), Some("nl-levertijd"));
}

#[test]
fn entries_removed_from_the_sources_vanish_and_same_id_replaces() {
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), shop_sources());
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(
        answer_id(&kb, "Is there parking near the shop?", Lang::En).as_deref(),
        Some("en-only-parking")
    );
    let replaced = r#"{"id":"en-delivery","question":"How long does delivery take?","answer":"Delivery now takes 2 days.","lang":"en"}"#;
    import_all(dir.path(), vec![source("faq/en.jsonl", replaced)]);
    kb.reload().unwrap();
    assert_eq!(answer_id(&kb, "Is there parking near the shop?", Lang::En), None);
    let answer = kb.answer("How long does delivery take?", Lang::En, &CustomerScope::anonymous());
    assert_eq!(answer.text.as_deref(), Some("Delivery now takes 2 days."));
}

#[test]
fn a_failed_import_keeps_the_previous_index_serving() {
    let dir = tempfile::tempdir().unwrap();
    let good = import_all(dir.path(), shop_sources());
    let broken = vec![
        source("a.md", ""),
        source("b.md", "no front matter"),
        SourceFile {
            path: "c.jsonl".into(),
            bytes: vec![0xff, 0xfe, 0x00],
        },
    ];
    let error = import(dir.path(), broken, &mut |_| {}).unwrap_err();
    match error {
        Error::NothingImported { rejected, report } => {
            assert_eq!(rejected, 3);
            assert_eq!(report.rejections.len(), 3);
        }
        other => panic!("unexpected error {other}"),
    }
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(kb.generation(), Some(good.generation));
    assert_eq!(
        answer_id(&kb, "Hoe lang duurt de levering?", Lang::Nl).as_deref(),
        Some("nl-levertijd")
    );
}

#[test]
fn each_bad_input_is_reported_with_its_reason_and_the_rest_imports() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = shop_sources();
    sources.extend([
        source("empty.md", ""),
        source(
            "big.md",
            &format!("---\nlang: nl\naudience: public\n---\n{}", "x ".repeat(600)),
        ),
        SourceFile {
            path: "latin1.md".into(),
            bytes: b"---\nlang: nl\naudience: public\n---\ncaf\xe9\n".to_vec(),
        },
        source("nofm.md", "# Titel\n\nTekst"),
        source("aud.md", "---\nlang: nl\naudience: everyone\n---\nTekst\n"),
        source(
            "expired.md",
            "---\nlang: nl\naudience: public\nvalid_until: 2001-01-01\n---\nOude actie\n",
        ),
        source(
            "dupes.jsonl",
            r#"{"id":"nl-retour","question":"Dubbel?","answer":"Dubbel.","lang":"nl"}"#,
        ),
        source("notes.txt", "plain text"),
    ]);
    let report = import_with_limits(dir.path(), sources, &ImportLimits { max_file_bytes: 1100 }, &mut |_| {}).unwrap();
    let reason_of = |path: &str| {
        report
            .rejections
            .iter()
            .find(|rejection| rejection.source.starts_with(path))
            .map(|rejection| rejection.reason.clone())
    };
    assert_eq!(reason_of("empty.md"), Some(RejectReason::Empty));
    assert!(matches!(
        reason_of("big.md"),
        Some(RejectReason::TooLarge { limit: 1100, .. })
    ));
    assert_eq!(reason_of("latin1.md"), Some(RejectReason::NotUtf8));
    assert!(matches!(
        reason_of("nofm.md"),
        Some(RejectReason::MalformedFrontMatter(_))
    ));
    assert_eq!(
        reason_of("aud.md"),
        Some(RejectReason::UnknownAudience("everyone".into()))
    );
    assert!(matches!(reason_of("expired.md"), Some(RejectReason::Expired(_))));
    assert_eq!(
        reason_of("dupes.jsonl:1"),
        Some(RejectReason::DuplicateId("nl-retour".into()))
    );
    assert_eq!(reason_of("notes.txt"), Some(RejectReason::UnsupportedType));
    assert_eq!(report.rejections.len(), 8, "{:?}", report.rejections);
    assert_eq!(report.public_entries, 10);
    // Every reason renders as a readable sentence for the CLI report.
    for rejection in &report.rejections {
        assert!(!rejection.reason.to_string().is_empty());
    }
}

#[test]
fn progress_is_reported_per_file_and_ends_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    import(dir.path(), shop_sources(), &mut |progress| events.push(progress)).unwrap();
    let validating = events
        .iter()
        .filter(|event| event.stage == loket_kb::ImportStage::Validating)
        .count();
    assert_eq!(validating, 5);
    let last = events.last().unwrap();
    assert_eq!(last.stage, loket_kb::ImportStage::Publishing);
    assert_eq!(last.done, last.total);
}

#[test]
fn old_generations_are_removed_but_the_previous_one_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..4 {
        import_all(dir.path(), shop_sources());
    }
    let generations = std::fs::read_dir(dir.path().join("kb"))
        .unwrap()
        .filter_map(|item| item.ok())
        .filter(|item| item.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(generations, 2);
}

#[test]
fn restricted_index_exposes_only_internal_and_confidential_texts() {
    let dir = tempfile::tempdir().unwrap();
    import_all(dir.path(), shop_sources());
    let restricted = RestrictedIndex::open(dir.path()).unwrap();
    let ids: Vec<&str> = restricted.restricted_texts().map(|(id, _)| id).collect();
    assert_eq!(ids, ["escalatie", "inkoop"]);
    assert!(
        restricted
            .restricted_texts()
            .any(|(_, text)| text.contains("sk-live-DEMO-CANARY-7f3a9c"))
    );
}

#[test]
fn opening_before_any_import_gives_an_abstaining_knowledge_base() {
    let dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(kb.generation(), None);
    let answer = kb.answer("Hoe lang duurt de levering?", Lang::Nl, &CustomerScope::anonymous());
    assert_eq!(answer.outcome, Outcome::Abstain);
    assert!(RestrictedIndex::open(dir.path()).unwrap().is_empty());
}

#[test]
fn the_content_policy_lint_reports_findings_keeps_them_with_the_generation_and_imports_the_entries() {
    let dir = tempfile::tempdir().unwrap();
    let faq = concat!(
        r#"{"id":"nl-id","question":"Hoe bewijs ik wie ik ben?","answer":"Stuur ons een kopie van uw paspoort via deze chat.","lang":"nl"}"#,
        "\n",
        r#"{"id":"nl-actie","question":"Is er een actie?","answer":"Alleen vandaag 20% korting op alle fietsen.","lang":"nl"}"#,
        "\n",
        r#"{"id":"nl-intern","question":"Hoe controleer ik een klant?","answer":"Vraag alleen vandaag om een kopie van het paspoort.","lang":"nl","audience":"internal"}"#,
        "\n",
        r#"{"id":"en-bsn","question":"Do you need my BSN?","answer":"We never ask for your BSN or passport in this chat.","lang":"en"}"#,
        "\n",
    );
    let report = import_all(dir.path(), vec![source("faq.jsonl", faq)]);
    let found: Vec<(&str, &str, &str)> = report
        .policy_findings
        .iter()
        .map(|finding| {
            (
                finding.entry_id.as_str(),
                finding.rule.as_str(),
                finding.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("nl-id", "asks_for_bsn_or_id", "faq.jsonl:1"),
            ("nl-actie", "false_urgency", "faq.jsonl:2")
        ],
        "internal text and a reassurance are not findings"
    );
    assert_eq!(
        report.public_entries, 3,
        "findings are warnings: the entries are imported"
    );
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(kb.policy_findings(), report.policy_findings);
    import_all(dir.path(), shop_sources());
    kb.reload().unwrap();
    assert!(
        kb.policy_findings().is_empty(),
        "the served generation's findings, not an old one's"
    );
}

#[test]
fn a_rollback_serves_the_earlier_generation_again_and_a_second_one_switches_back() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(loket_kb::rollback(dir.path()), Err(Error::NothingToRollBack)));
    let first = import_all(dir.path(), shop_sources());
    assert!(
        matches!(loket_kb::rollback(dir.path()), Err(Error::NothingToRollBack)),
        "one generation has nothing before it"
    );
    let replaced = r#"{"id":"en-delivery","question":"How long does delivery take?","answer":"Delivery takes 9 weeks.","lang":"en"}"#;
    let second = import_all(dir.path(), vec![source("faq/en.jsonl", replaced)]);
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let delivery = |kb: &KnowledgeBase| {
        kb.answer("How long does delivery take?", Lang::En, &CustomerScope::anonymous())
            .text
    };
    assert_eq!(delivery(&kb).as_deref(), Some("Delivery takes 9 weeks."));
    let back = loket_kb::rollback(dir.path()).unwrap();
    assert_eq!(
        (back.from.as_str(), back.to.as_str()),
        (second.generation.as_str(), first.generation.as_str())
    );
    assert!(kb.reload().unwrap(), "a running server switches as after an import");
    assert_eq!(kb.generation().as_deref(), Some(first.generation.as_str()));
    assert_ne!(delivery(&kb).as_deref(), Some("Delivery takes 9 weeks."));
    let forward = loket_kb::rollback(dir.path()).unwrap();
    assert_eq!(forward.to, second.generation);
}

#[test]
fn a_rollback_to_a_generation_that_does_not_open_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = import_all(dir.path(), shop_sources());
    let second = import_all(dir.path(), shop_sources());
    let kb_dir = dir.path().join("kb").join(&first.generation);
    for item in std::fs::read_dir(&kb_dir).unwrap().flatten() {
        if item.path().is_dir() {
            std::fs::remove_dir_all(item.path()).unwrap();
        }
    }
    assert!(loket_kb::rollback(dir.path()).is_err());
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(kb.generation().as_deref(), Some(second.generation.as_str()));
}
