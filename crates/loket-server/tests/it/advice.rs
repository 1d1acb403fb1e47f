//! Requests for personal advice in the chat (ACC-10): declined with a person offered, never
//! answered from the knowledge base, audited by topic without text; a topic the company is
//! licensed for goes to the knowledge base like any other question.

use crate::helpers::{TestApp, kinds};
use loket_core::advice::AdviceTopic;
use loket_core::audit::AuditKind;

#[tokio::test]
async fn a_request_for_investment_advice_is_declined_with_a_person_offered_acc_10() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(
            &customer,
            "Moet ik mijn spaargeld van 20.000 euro in aandelen beleggen?",
        )
        .await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds(&messages), ["customer:text", "ai:notice"], "{turn}");
    let reply = &messages[1];
    assert_eq!(reply["offers_human"], true);
    let text = reply["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Ik ben een AI-assistent. Persoonlijk advies over beleggen"),
        "{text}"
    );

    // A question about the shop's own terms next to it is answered as usual.
    let turn = app.say_ok(&customer, "Hoe lang heb ik bedenktijd?").await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds(&messages), ["customer:text", "ai:answer"], "{turn}");

    let english = app.open("en").await;
    let turn = app
        .say_ok(&english, "How much ibuprofen can I take after my fall?")
        .await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds(&messages), ["customer:text", "ai:notice"], "{turn}");
    let text = messages[1]["text"].as_str().unwrap_or_default();
    assert!(text.contains("GP") && text.contains("112"), "{text}");

    let records = app.loket.store().audit_records(0, 1000).await.unwrap_or_default();
    let topics: Vec<&str> = records
        .iter()
        .filter(|record| record.event.kind == AuditKind::AdviceDeclined)
        .filter_map(|record| record.event.attributes.get("topic").map(String::as_str))
        .collect();
    assert_eq!(topics, ["investment", "medical"]);
    let logged =
        serde_json::to_string(&records.iter().map(|record| &record.event).collect::<Vec<_>>()).unwrap_or_default();
    for secret in ["spaargeld", "20.000", "ibuprofen"] {
        assert!(!logged.contains(secret), "{secret:?} in the audit log");
    }
    // `loket ask` mirrors the chat: the knowledge base is not asked.
    let asked = app
        .loket
        .ask("Moet ik mijn spaargeld in aandelen beleggen?", loket_core::Locale::Nl)
        .expect("ask");
    assert_eq!(asked.reply, loket_core::conversation::BotReply::NotAsked);
    let report = app.compliance_report().await;
    assert_eq!(report["evidence"]["handoff"]["advice_declined"]["investment"], 1);
    assert_eq!(report["evidence"]["handoff"]["advice_declined"]["medical"], 1);
    app.stop().await;
}

#[tokio::test]
async fn a_licensed_topic_is_asked_of_the_knowledge_base_acc_10() {
    let app = TestApp::spawn_with(|config| config.answer.licensed_advice = vec![AdviceTopic::Insurance]).await;
    let customer = app.open("nl").await;
    // The demo shop has no insurance content: the knowledge base declines honestly.
    let turn = app.say_ok(&customer, "Heb ik een fietsverzekering nodig?").await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds(&messages), ["customer:text", "ai:abstention"], "{turn}");
    // Topics not listed stay declined.
    let turn = app.say_ok(&customer, "Moet ik een lening nemen voor een e-bike?").await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds(&messages), ["customer:text", "ai:notice"], "{turn}");
    assert!(
        messages[1]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("leningen, krediet en hypotheken"),
        "{turn}"
    );
    app.stop().await;
}

/// The value of `loket_advice_declined_total{topic="TOPIC"}` in the metrics text, 0 when absent.
fn declined_counter(metrics: &str, topic: &str) -> f64 {
    let prefix = format!("loket_advice_declined_total{{topic=\"{topic}\"}} ");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn the_decline_metric_counts_only_requests_the_assistant_declined_acc_10() {
    // Tax requests appear in no other test of this binary, which shares one metrics recorder.
    let app = TestApp::spawn().await;
    let metrics = || app.metrics();
    let before = declined_counter(&metrics().await, "tax");
    // A request for a person goes to a person: the advice is not declined, nor counted.
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(
            &customer,
            "Moet ik belasting betalen over mijn spaargeld? Ik wil een medewerker spreken.",
        )
        .await;
    assert!(
        turn["messages"]
            .as_array()
            .is_some_and(|messages| messages.iter().all(|message| message["kind"] != "notice")),
        "{turn}"
    );
    assert_eq!(declined_counter(&metrics().await, "tax"), before);
    let other = app.open("nl").await;
    app.say_ok(&other, "Moet ik belasting betalen over mijn spaargeld?")
        .await;
    assert_eq!(declined_counter(&metrics().await, "tax"), before + 1.0);
    app.stop().await;
}
