//! Withdrawal and cancellation statements in the chat (ACC-04): recognised, acknowledged with
//! the time of receipt, audited without text, handed to a person, and downloadable as a signed
//! copy.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

const IBAN: &str = "NL91ABNA0417164300";

#[tokio::test]
async fn a_withdrawal_statement_is_acknowledged_audited_and_signed_acc_04() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(
            &customer,
            &format!("Ik herroep hierbij mijn bestelling 4711. Stort het geld terug op {IBAN}."),
        )
        .await;
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    let receipt = messages
        .iter()
        .find(|message| message["kind"] == "withdrawal_receipt")
        .unwrap_or_else(|| panic!("no acknowledgement in {turn}"));
    assert_eq!(receipt["author"], "system");
    let text = receipt["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Ontvangstbevestiging: Fietsenwinkel De Spaak heeft uw verklaring ontvangen op"),
        "{text}"
    );
    assert!(
        messages.iter().all(|message| message["kind"] != "answer"),
        "the bot answered a statement: {turn}"
    );
    // Nobody is online in the test: the honest answer with the alternatives follows.
    assert_eq!(
        messages.last().map(|message| message["kind"].clone()),
        Some("unavailable".into())
    );

    let seq = receipt["seq"].as_i64().unwrap_or_default();
    let url = |seq: &str, format: &str| {
        format!(
            "{}/api/v1/conversations/{}/messages/{seq}/receipt{format}",
            app.address, customer.id
        )
    };
    let get = |url: String, token: String| {
        let client = app.client.clone();
        async move { client.get(url).bearer_auth(token).send().await.expect("request") }
    };

    let response = get(url(&seq.to_string(), ""), customer.token.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap_or_default();
    assert!(body["statement"].as_str().unwrap_or_default().contains(IBAN), "{body}");
    assert_eq!(body["acknowledgement"], receipt["text"]);
    assert_eq!(body["acknowledgement_seq"], seq);
    assert_eq!(body["statement_seq"], messages[0]["seq"]);
    // The JSON is the signed receipt exactly: it verifies with the key it names, and a changed
    // word does not.
    let mut signed: loket_service::withdrawal::WithdrawalReceipt =
        serde_json::from_value(body.clone()).expect("the receipt's fields");
    assert!(loket_service::evidence::signature_is_valid(
        &signed.public_key,
        &signed.signed_bytes(),
        &signed.signature
    ));
    signed.statement = signed.statement.replace("4711", "4712");
    assert!(!loket_service::evidence::signature_is_valid(
        &signed.public_key,
        &signed.signed_bytes(),
        &signed.signature
    ));

    let download = get(url(&seq.to_string(), "?format=text"), customer.token.clone()).await;
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"ontvangstbevestiging-"),
        "{disposition}"
    );
    let document = download.text().await.unwrap_or_default();
    for part in [
        "Ontvangstbevestiging van uw herroeping",
        IBAN,
        body["signature"].as_str().unwrap_or("-"),
    ] {
        assert!(document.contains(part), "{part:?} missing from {document}");
    }

    // Only an acknowledgement of this conversation, and only for its token.
    let question_seq = messages[0]["seq"].as_i64().unwrap_or_default().to_string();
    for bad in [question_seq.as_str(), "1", "999", "x", "-3"] {
        let response = get(url(bad, ""), customer.token.clone()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "seq {bad}");
        let error: Value = response.json().await.unwrap_or_default();
        assert_eq!(error["code"], "not_found");
    }
    let other = app.open("nl").await;
    let stranger = get(url(&seq.to_string(), ""), other.token.clone()).await;
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
    let malformed = get(url(&seq.to_string(), "?format=pdf"), customer.token.clone()).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    // The audit log records the statement and the hand-over without any text.
    let records = app.loket.store().audit_records(0, 1000).await.unwrap_or_default();
    let statement = records
        .iter()
        .find(|record| record.event.kind == loket_core::audit::AuditKind::WithdrawalStatement)
        .expect("a withdrawal_statement record");
    assert_eq!(
        statement.event.conversation.as_ref().map(|id| id.as_str()),
        Some(customer.id.as_str())
    );
    assert_eq!(statement.event.attributes["state"], "bot");
    assert!(records.iter().any(|record| {
        record.event.kind == loket_core::audit::AuditKind::HandoffRequested
            && record.event.attributes.get("trigger").map(String::as_str) == Some("withdrawal")
    }));
    let logged =
        serde_json::to_string(&records.iter().map(|record| &record.event).collect::<Vec<_>>()).unwrap_or_default();
    for secret in ["herroep", IBAN, "4711"] {
        assert!(!logged.contains(secret), "{secret:?} in the audit log");
    }

    // The compliance report counts it under ACC-04.
    let report = app.compliance_report().await;
    assert_eq!(report["evidence"]["handoff"]["withdrawal_statements"], 1);
    app.stop().await;
}

#[tokio::test]
async fn a_question_about_withdrawing_is_answered_not_acknowledged_acc_04() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, "Hoe lang heb ik bedenktijd?").await;
    let kinds: Vec<&str> = turn["messages"]
        .as_array()
        .map(|messages| messages.iter().filter_map(|message| message["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["text", "answer"], "{turn}");
    let english = app.open("en").await;
    let turn = app.say_ok(&english, "I want to cancel my order").await;
    let receipt = turn["messages"]
        .as_array()
        .and_then(|messages| messages.iter().find(|message| message["kind"] == "withdrawal_receipt"))
        .and_then(|message| message["text"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert!(
        receipt.starts_with("Acknowledgement of receipt: Fietsenwinkel De Spaak received your statement on"),
        "{turn}"
    );
    app.stop().await;
}
