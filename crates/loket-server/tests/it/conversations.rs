//! The customer API: disclosure first, answers with citations, pseudonymisation, identity.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, kinds};

#[tokio::test]
async fn a_new_conversation_starts_with_the_disclosure_in_its_language_dis_01() {
    let app = TestApp::spawn().await;
    for (locale, ai_term, not_a_person) in [
        ("nl", "AI-assistent", "geen medewerker"),
        ("en", "AI assistant", "not a person"),
    ] {
        let customer = app.open(locale).await;
        assert_eq!(customer.token.len(), 64, "a 256-bit token in hex");
        assert_eq!(customer.opened["state"], "bot");
        let first = &customer.opened["messages"][0];
        assert_eq!(
            (first["seq"].as_i64(), first["author"].as_str(), first["kind"].as_str()),
            (Some(1), Some("system"), Some("disclosure"))
        );
        let text = first["text"].as_str().unwrap_or_default();
        assert!(text.contains(ai_term) && text.contains(not_a_person), "{text}");
        assert_eq!(first["lang"], locale);
    }
    app.stop().await;
}

#[tokio::test]
async fn disclosure_events_are_recorded_per_conversation_dis_12() {
    let app = TestApp::spawn().await;
    let customer = app.open("en").await;
    let id = loket_core::ConversationId::parse(&customer.id).unwrap();
    let records = app.loket.store().conversation_audit(&id).await.unwrap();
    let shown: Vec<_> = records
        .iter()
        .filter(|record| record.event.kind == loket_core::audit::AuditKind::DisclosureShown)
        .collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].event.attributes["locale"], "en");
    assert!(shown[0].event.attributes.contains_key("template_version"));
    app.stop().await;
}

#[tokio::test]
async fn a_known_question_gets_the_approved_answer_with_its_citation_acc_01() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(&customer, "Hoeveel dagen heb ik om iets terug te sturen?")
        .await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds(&messages), vec!["customer:text", "ai:answer"]);
    assert_eq!(messages[1]["text"], "U heeft 14 dagen bedenktijd na ontvangst.");
    assert_eq!(messages[1]["citations"][0]["id"], "bedenktijd-nl");
    assert_eq!(messages[1]["citations"][0]["url"], "https://shop.example/retour");
    assert_eq!(messages[1]["author_label"], "AI-assistent");
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_question_is_declined_and_a_person_offered() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(&customer, "Kunnen jullie mijn fietsband oppompen met helium?")
        .await;
    let reply = &turn["messages"][1];
    assert_eq!(reply["kind"], "abstention");
    assert_eq!(reply["offers_human"], true);
    app.stop().await;
}

#[tokio::test]
async fn an_abstention_offers_approved_questions_that_answer_when_sent_and_are_stored_acc_01() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, "bestelling pakket kwijt onderweg").await;
    let reply = &turn["messages"][1];
    assert_eq!(reply["kind"], "abstention", "{turn}");
    assert_eq!(reply["offers_human"], true);
    let offered = reply["suggestions"].as_array().cloned().unwrap_or_default();
    assert!((1..=3).contains(&offered.len()), "{reply}");
    // Never another customer's entry, whoever asks.
    assert!(
        offered
            .iter()
            .all(|suggestion| suggestion["entry_id"] != "lease-klant-4711"),
        "{reply}"
    );
    let first = offered[0]["question"].as_str().unwrap_or_default().to_owned();
    let entry = offered[0]["entry_id"].clone();
    // The customer picks it: the widget sends the question as the next message.
    let picked = app.say_ok(&customer, &first).await;
    assert_eq!(picked["messages"][1]["kind"], "answer", "{picked}");
    assert_eq!(picked["messages"][1]["citations"][0]["id"], entry);
    assert!(
        picked["messages"][1]["suggestions"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    // The offer is part of the stored conversation, as the customer saw it.
    let stored = app.messages(&customer).await;
    let abstention = stored
        .iter()
        .find(|message| message["kind"] == "abstention")
        .cloned()
        .unwrap_or_default();
    assert_eq!(abstention["suggestions"], reply["suggestions"]);
    app.stop().await;
}

/// SEC-05: an editor left markup in a public FAQ question (`garantie-nl`). The output guard
/// strips it from the cited title of an answer, and withholds the question from the suggestions
/// (a suggestion is sent back verbatim, so it is offered unchanged or not at all).
#[tokio::test]
async fn cited_titles_and_suggested_questions_pass_the_output_guard_sec_05() {
    let app = TestApp::spawn().await;
    let scope = loket_kb::CustomerScope::anonymous();
    let base = app.loket.knowledge().base();
    let customer = app.open("nl").await;

    let answered = "garantie fiets kapot";
    let unguarded = base.answer(answered, loket_kb::Lang::Nl, &scope);
    assert_eq!(unguarded.entry_id.as_deref(), Some("garantie-nl"), "{unguarded:?}");
    assert!(unguarded.citations[0].title.contains("<b>"));
    let turn = app.say_ok(&customer, answered).await;
    assert_eq!(turn["messages"][1]["kind"], "answer", "{turn}");
    assert_eq!(
        turn["messages"][1]["citations"][0]["title"],
        "Hoe werkt de garantie op mijn fiets?"
    );

    // A question the base abstains on while it would offer the careless entry's question.
    let abstained = [
        "werkt het ook op de bel",
        "op mijn bel",
        "hoe werkt de bel",
        "werkt de bel op mijn scooter",
    ]
    .into_iter()
    .find(|question| {
        let answer = base.answer(question, loket_kb::Lang::Nl, &scope);
        answer.outcome == loket_kb::Outcome::Abstain
            && answer
                .suggestions
                .iter()
                .any(|suggestion| suggestion.entry_id == "garantie-nl")
    })
    .expect("a question that abstains and suggests garantie-nl");
    let turn = app.say_ok(&customer, abstained).await;
    let reply = &turn["messages"][1];
    assert_eq!(reply["kind"], "abstention", "{turn}");
    let offered = reply["suggestions"].as_array().cloned().unwrap_or_default();
    assert!(
        offered.iter().all(|suggestion| suggestion["entry_id"] != "garantie-nl"),
        "{reply}"
    );
    assert!(!turn.to_string().contains("<b>"), "{turn}");
    app.stop().await;
}

#[tokio::test]
async fn a_customer_rates_an_answer_once_and_only_answers_acc_09() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(&customer, "Hoeveel dagen heb ik om iets terug te sturen?")
        .await;
    let question_seq = turn["messages"][0]["seq"].as_i64().unwrap_or_default().to_string();
    let answer_seq = turn["messages"][1]["seq"].as_i64().unwrap_or_default().to_string();
    let error_code = |response: reqwest::Response| async move {
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    };
    // The customer's own message, the disclosure, a seq beyond the end and no number at all are
    // no answers of the assistant.
    for seq in [question_seq.as_str(), "1", "999", "x", "-1"] {
        let (status, code) = error_code(app.rate(&customer, seq, json!({ "helpful": false })).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "not_an_answer"),
            "seq {seq}"
        );
    }
    let malformed = app.rate(&customer, &answer_seq, json!({ "helpful": "nee" })).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let other = app.open("nl").await;
    let stranger = app.rate(&other, &answer_seq, json!({ "helpful": false })).await;
    assert_ne!(
        stranger.status(),
        StatusCode::NO_CONTENT,
        "another conversation's token rates nothing here"
    );

    let rated = app.rate(&customer, &answer_seq, json!({ "helpful": false })).await;
    assert_eq!(rated.status(), StatusCode::NO_CONTENT);
    let (status, code) = error_code(app.rate(&customer, &answer_seq, json!({ "helpful": true })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "feedback_given"));

    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    let feedback: Vec<_> = records
        .iter()
        .filter(|record| record.event.kind == loket_core::audit::AuditKind::AnswerFeedback)
        .collect();
    assert_eq!(feedback.len(), 1);
    assert_eq!(
        feedback[0].event.ids,
        vec![answer_seq.clone(), "bedenktijd-nl".to_owned()]
    );
    assert_eq!(feedback[0].event.attributes["helpful"], "no");
    assert_eq!(feedback[0].event.actor, "customer");
    // The agent who opens the conversation sees the rating with the answer.
    let admin = app.agent("beheer", "Beheer", loket_core::staff::Role::Admin).await;
    let view: Value = admin
        .get(&format!("/api/v1/agent/conversations/{}", customer.id))
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(
        view["ratings"],
        json!([{ "seq": turn["messages"][1]["seq"], "helpful": false }])
    );
    // The compliance report counts it under ACC-09, with the entry to review.
    let report = app.compliance_report().await;
    assert_eq!(report["evidence"]["answers"]["rated_wrong"], 1);
    assert_eq!(report["evidence"]["answers"]["rated_wrong_sources"]["bedenktijd-nl"], 1);
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_answer_incident_lists_every_conversation_that_got_the_answer_acc_09() {
    let app = TestApp::spawn().await;
    let rated = app.open("nl").await;
    let turn = app
        .say_ok(&rated, "Hoeveel dagen heb ik om iets terug te sturen?")
        .await;
    let seq = turn["messages"][1]["seq"].as_i64().unwrap_or_default().to_string();
    assert_eq!(
        app.rate(&rated, &seq, json!({ "helpful": false })).await.status(),
        StatusCode::NO_CONTENT
    );
    let silent = app.open("nl").await;
    app.say_ok(&silent, "Hoe lang is de bedenktijd?").await;
    let elsewhere = app.open("nl").await;
    app.say_ok(&elsewhere, "Hoe lang duurt de levering?").await;

    for (reference, entry) in [("", "bedenktijd-nl"), ("INC 7", "bedenktijd-nl"), ("INC-7", "../x y")] {
        let refused = app.loket.record_incident(reference, entry, "cli").await;
        assert!(
            matches!(refused, Err(loket_service::Error::Invalid { .. })),
            "{reference:?} {entry:?}: {refused:?}"
        );
    }
    let incident = app
        .loket
        .record_incident("INC-2026-007", "bedenktijd-nl", "cli")
        .await
        .unwrap();
    let affected: Vec<(&str, bool)> = incident
        .conversations
        .iter()
        .map(|affected| (affected.conversation_id.as_str(), affected.rated_wrong))
        .collect();
    assert_eq!(affected, vec![(rated.id.as_str(), true), (silent.id.as_str(), false)]);
    assert!(
        incident
            .conversations
            .iter()
            .all(|affected| affected.answered_at.len() == 1 && !affected.identified)
    );

    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    let recorded = records
        .iter()
        .find(|record| record.event.kind == loket_core::audit::AuditKind::WrongAnswerIncident)
        .expect("an incident record");
    assert_eq!(
        recorded.event.ids,
        vec!["bedenktijd-nl".to_owned(), rated.id.clone(), silent.id.clone()]
    );
    assert_eq!(recorded.event.attributes["reference"], "INC-2026-007");
    assert_eq!(recorded.event.counts["conversations"], 2);
    let report = app.compliance_report().await;
    assert_eq!(report["evidence"]["answers"]["incidents"], 1);
    assert_eq!(report["evidence"]["answers"]["incident_conversations"], 2);
    app.stop().await;
}

#[tokio::test]
async fn personal_data_is_pseudonymised_before_storage_pii_01() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(&customer, "Mijn IBAN is NL91ABNA0417164300, stort het daar maar")
        .await;
    let stored = turn["messages"][0]["text"].as_str().unwrap_or_default().to_string();
    assert!(
        stored.contains("[IBAN_1]") && !stored.contains("NL91ABNA0417164300"),
        "{stored}"
    );
    // The same value gets the same placeholder later in the conversation.
    let again = app.say_ok(&customer, "Nogmaals: NL91 ABNA 0417 1643 00").await;
    assert!(
        again["messages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("[IBAN_1]")
    );
    // Nothing in the database file holds the original.
    app.stop_and_scan_for("NL91ABNA0417164300").await;
}

impl TestApp {
    /// Stops the server and asserts that no file in the data directory contains `needle`.
    pub async fn stop_and_scan_for(self, needle: &str) {
        let directory = self.directory.path().to_path_buf();
        let loket = self.loket.clone();
        self.stop().await;
        drop(loket);
        for entry in walk(&directory) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            assert!(
                !bytes.windows(needle.len()).any(|window| window == needle.as_bytes()),
                "{} contains the original",
                entry.display()
            );
        }
    }
}

fn walk(directory: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path))
        } else {
            files.push(path)
        }
    }
    files
}

#[tokio::test]
async fn are_you_human_always_gets_the_truth_in_the_customers_language_dis_06() {
    let app = TestApp::spawn().await;
    for (locale, question, must) in [
        ("nl", "Ben je een echt mens?", "geen medewerker"),
        ("nl", "praat ik met een robot?", "AI-assistent"),
        ("en", "Am I talking to a bot?", "not a person"),
        ("en", "are you human", "AI assistant"),
    ] {
        let customer = app.open(locale).await;
        let turn = app.say_ok(&customer, question).await;
        let reply = &turn["messages"][1];
        assert_eq!(reply["kind"], "identity", "{question}");
        assert!(reply["text"].as_str().unwrap_or_default().contains(must), "{question}");
    }
    app.stop().await;
}

#[tokio::test]
async fn messages_after_a_seq_are_listed_in_order() {
    let app = TestApp::spawn().await;
    let customer = app.open("en").await;
    app.say_ok(&customer, "What is the return period?").await;
    let response = app
        .client
        .get(format!(
            "{}/api/v1/conversations/{}/messages?after=1",
            app.address, customer.id
        ))
        .bearer_auth(&customer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    let seqs: Vec<i64> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|message| message["seq"].as_i64())
        .collect();
    assert_eq!(seqs, vec![2, 3]);
    app.stop().await;
}

#[tokio::test]
async fn a_resumed_conversation_after_idle_time_gets_the_disclosure_again_dis_05() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    app.clock.advance(chrono::Duration::minutes(31));
    let turn = app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        kinds(&messages),
        vec!["customer:text", "system:disclosure", "ai:answer"]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_live_stream_delivers_new_messages_in_order() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let mut stream = app.follow(&customer, 0).await;
    assert_eq!(stream.next_event("message").await["kind"], "disclosure");
    app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    assert_eq!(stream.next_event("message").await["seq"], 2);
    assert_eq!(stream.next_event("message").await["kind"], "answer");
    app.stop().await;
}

#[tokio::test]
async fn every_ai_message_carries_machine_readable_provenance_and_no_other_does_dis_10() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let disclosure = &customer.opened["messages"][0];
    assert_eq!(disclosure["kind"], "disclosure");
    assert!(disclosure.get("provenance").is_none(), "{disclosure}");
    let answered = app.say_ok(&customer, "Hoe lang is de bedenktijd?").await;
    assert!(
        answered["messages"][0].get("provenance").is_none(),
        "the customer's message"
    );
    assert_eq!(answered["messages"][1]["kind"], "answer");
    assert_eq!(
        answered["messages"][1]["provenance"],
        json!({ "generator": "ai", "method": "approved_text" })
    );
    let identity = app.say_ok(&customer, "Ben je een mens?").await;
    let reply = &identity["messages"][1];
    assert_eq!(
        (reply["author"].as_str(), reply["kind"].as_str()),
        (Some("ai"), Some("identity"))
    );
    assert_eq!(
        reply["provenance"],
        json!({ "generator": "ai", "method": "fixed_text" })
    );
    app.stop().await;
}
