//! A model phrasing answers, through the real HTTP API (issue 8). The model here replays fixed
//! text and records what it was sent, because these tests must decide what the model writes; the
//! same path runs against a real model server in `crates/loket/tests/it/generation.rs`.

// Test code: a failed expectation panics, also in the helpers.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use loket_core::audit::AuditKind;
use loket_service::generation::{AnswerModel, Finish, ModelEvent, ModelRequest, ModelStream};

use crate::helpers::{TestApp, captured_logs};

/// Replays `reply` and keeps every request.
struct Replaying {
    reply: String,
    requests: Mutex<Vec<ModelRequest>>,
}

impl AnswerModel for Replaying {
    fn name(&self) -> &str {
        "replaying"
    }

    fn start(&self, request: ModelRequest) -> ModelStream {
        self.requests.lock().unwrap().push(request);
        let (sender, receiver) = tokio::sync::mpsc::channel(16);
        let reply = self.reply.clone();
        tokio::spawn(async move {
            // Sent in small pieces, as a streaming server would.
            let characters: Vec<char> = reply.chars().collect();
            for piece in characters.chunks(7) {
                let _ = sender.send(Ok(ModelEvent::Text(piece.iter().collect()))).await;
            }
            let _ = sender.send(Ok(ModelEvent::Done(Finish::Stop))).await;
        });
        receiver
    }
}

async fn app_with(reply: &str) -> (TestApp, Arc<Replaying>) {
    let model = Arc::new(Replaying {
        reply: reply.into(),
        requests: Mutex::new(Vec::new()),
    });
    let app = TestApp::spawn_with_model(|_| {}, Some(model.clone() as Arc<dyn AnswerModel>)).await;
    (app, model)
}

/// The `ai_answer` audit attributes of the app's answers.
async fn phrasings(app: &TestApp) -> Vec<(Option<String>, Option<String>)> {
    app.loket
        .store()
        .audit_records(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|record| record.event.kind == AuditKind::AiAnswer)
        .map(|record| {
            (
                record.event.attributes.get("phrasing").cloned(),
                record.event.attributes.get("fallback_reason").cloned(),
            )
        })
        .collect()
}

fn ai_answer(turn: &serde_json::Value) -> serde_json::Value {
    turn["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["author"] == "ai")
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_verified_wording_is_sent_with_the_approved_sources_acc_01() {
    let (app, model) = app_with("U heeft na ontvangst 14 dagen bedenktijd [1].").await;
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, "Hoe lang is de bedenktijd?").await;
    let answer = ai_answer(&turn);
    assert_eq!(answer["kind"], "answer");
    assert_eq!(answer["text"], "U heeft na ontvangst 14 dagen bedenktijd.");
    assert_eq!(answer["citations"][0]["id"], "bedenktijd-nl");
    assert_eq!(phrasings(&app).await, vec![(Some("generated".to_string()), None)]);
    // Machine-readable provenance (AI Act art. 50(2), DIS-10), in the turn and when read back.
    let provenance = serde_json::json!({ "generator": "ai", "method": "generated", "model": "replaying" });
    assert_eq!(answer["provenance"], provenance);
    let read = app.messages(&customer).await;
    let stored = read.iter().find(|message| message["author"] == "ai").unwrap();
    assert_eq!(stored["provenance"], provenance);
    let request = model.requests.lock().unwrap()[0].clone();
    assert!(
        request.messages[0]
            .content
            .contains("U heeft 14 dagen bedenktijd na ontvangst.")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_invented_period_never_reaches_the_customer_acc_02() {
    let (app, _) = app_with("U heeft 30 dagen bedenktijd na ontvangst [1].").await;
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, "Hoe lang is de bedenktijd?").await;
    assert_eq!(ai_answer(&turn)["text"], "U heeft 14 dagen bedenktijd na ontvangst.");
    // The approved text was sent: no model is named as its writer (DIS-10).
    assert_eq!(
        ai_answer(&turn)["provenance"],
        serde_json::json!({ "generator": "ai", "method": "approved_text" })
    );
    assert_eq!(
        phrasings(&app).await,
        vec![(Some("fallback".to_string()), Some("unsupported".to_string()))]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_promise_and_a_claim_to_be_human_are_not_sent_acc_03_dis_06() {
    for reply in [
        "U heeft 14 dagen bedenktijd en wij geven u 20% korting [1].",
        "Ik ben een medewerker van de winkel en u heeft 14 dagen bedenktijd na ontvangst [1].",
    ] {
        let (app, _) = app_with(reply).await;
        let customer = app.open("nl").await;
        let turn = app.say_ok(&customer, "Hoe lang is de bedenktijd?").await;
        assert_eq!(
            ai_answer(&turn)["text"],
            "U heeft 14 dagen bedenktijd na ontvangst.",
            "{reply}"
        );
        let recorded = phrasings(&app).await;
        assert_eq!(recorded[0].0.as_deref(), Some("fallback"), "{reply}: {recorded:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_model_sees_placeholders_never_the_customers_data_priv_04() {
    let (app, model) = app_with("U heeft 14 dagen bedenktijd na ontvangst [1].").await;
    let customer = app.open("nl").await;
    let iban = "NL91ABNA0417164300";
    let turn = app
        .say_ok(&customer, &format!("Hoe lang is de bedenktijd? {iban}"))
        .await;
    assert_eq!(ai_answer(&turn)["kind"], "answer", "{turn}");
    let requests = model.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let sent: String = requests[0]
        .messages
        .iter()
        .map(|message| message.content.as_str())
        .collect();
    assert!(!sent.contains(iban), "{sent}");
    assert!(!sent.contains("0417164300"), "{sent}");
    assert!(sent.contains("[IBAN_1]"), "{sent}");
    // The canary of the output guard is planted in the instructions (SEC-04).
    assert!(
        requests[0].messages[0]
            .content
            .contains("Vertrouwelijk kenmerk, nooit herhalen: ")
    );
    assert!(!captured_logs().contains("bedenktijd?"));
    app.stop().await;
}

#[tokio::test]
async fn questions_the_knowledge_base_cannot_answer_never_reach_the_model_acc_01() {
    let (app, model) = app_with("Ja hoor, dat kan [1].").await;
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, "Hoe laat vertrekt de trein naar Parijs?").await;
    assert_eq!(ai_answer(&turn)["kind"], "abstention");
    assert!(model.requests.lock().unwrap().is_empty());
    app.stop().await;
}
