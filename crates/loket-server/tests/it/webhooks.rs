//! Signed webhooks for handovers and tickets, with retries and a delivery log (issue: handoff).

// Test support code in this module unwraps freely: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use loket_core::config::WebhookConfig;
use loket_core::staff::Role;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::TestApp;

const SECRET: &str = "a-webhook-secret-of-some-length";

/// A receiving endpoint that answers 500 to the first `failures` requests, then 200.
struct Receiver {
    url: String,
    received: tokio::sync::mpsc::UnboundedReceiver<(HeaderMap, String)>,
}

async fn receiver(failures: usize) -> Receiver {
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    let remaining = Arc::new(Mutex::new(failures));
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let sender = sender.clone();
            let remaining = remaining.clone();
            async move {
                let _ = sender.send((headers, body));
                let mut remaining = remaining.lock().unwrap();
                if *remaining > 0 {
                    *remaining -= 1;
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, received }
}

impl Receiver {
    async fn next(&mut self) -> (HeaderMap, Value) {
        let (headers, body) = tokio::time::timeout(std::time::Duration::from_secs(10), self.received.recv())
            .await
            .expect("a webhook within 10 s")
            .expect("receiver open");
        let signature = headers["x-loket-signature"].to_str().unwrap().to_string();
        let timestamp = headers["x-loket-timestamp"].to_str().unwrap().to_string();
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.{body}").as_bytes());
        assert_eq!(
            signature,
            format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
            "valid signature"
        );
        (headers, serde_json::from_str(&body).unwrap())
    }
}

fn subscribe(url: &str, events: &[&str]) -> WebhookConfig {
    WebhookConfig {
        url: url.into(),
        secret: SECRET.into(),
        events: events.iter().map(|event| event.to_string()).collect(),
    }
}

#[tokio::test]
async fn handoff_events_are_posted_signed_and_without_content() {
    let mut endpoint = receiver(0).await;
    let url = endpoint.url.clone();
    let app = TestApp::spawn_with(|config| {
        config.webhooks.push(subscribe(
            &url,
            &["handoff.requested", "handoff.accepted", "handoff.unavailable"],
        ));
    })
    .await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.say_ok(
        &customer,
        "Ik wil een medewerker spreken, mijn IBAN is NL91ABNA0417164300",
    )
    .await;
    let (headers, body) = endpoint.next().await;
    assert_eq!(headers["x-loket-event"], "handoff.requested");
    assert_eq!(body["event"], "handoff.requested");
    assert_eq!(body["conversation_id"], customer.id.as_str());
    assert!(
        !body.to_string().contains("NL91") && !body.to_string().contains("medewerker"),
        "no content: {body}"
    );

    sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    let (_, accepted) = endpoint.next().await;
    assert_eq!(accepted["event"], "handoff.accepted");
    app.stop().await;
}

#[tokio::test]
async fn a_withdrawal_statement_is_posted_for_the_shop_to_process_without_its_words_acc_04() {
    let mut endpoint = receiver(0).await;
    let url = endpoint.url.clone();
    let app = TestApp::spawn_with(|config| {
        config.webhooks.push(subscribe(&url, &["withdrawal.received"]));
    })
    .await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Ik herroep hierbij mijn bestelling 4711").await;
    let (headers, body) = endpoint.next().await;
    assert_eq!(headers["x-loket-event"], "withdrawal.received");
    assert_eq!(body["event"], "withdrawal.received");
    assert_eq!(body["conversation_id"], customer.id.as_str());
    assert!(body["occurred_at"].is_string(), "{body}");
    assert!(
        !body.to_string().contains("4711") && !body.to_string().contains("herroep"),
        "no content: {body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_backoff_and_every_attempt_logged() {
    let mut endpoint = receiver(2).await;
    let url = endpoint.url.clone();
    let app = TestApp::spawn_with(|config| {
        config
            .webhooks
            .push(subscribe(&url, &["ticket.created", "handoff.unavailable"]));
        config.limits.webhook_retry_base_millis = 20;
    })
    .await;
    app.clock.set(crate::helpers::sunday());
    let customer = app.open("en").await;
    let response = app
        .client
        .post(format!("{}/api/v1/conversations/{}/callback", app.address, customer.id))
        .bearer_auth(&customer.token)
        .json(&json!({"phone": "+31 6 12345678"}))
        .send()
        .await
        .unwrap();
    let created: Value = response.json().await.unwrap();
    let mut last = Value::Null;
    for _ in 0..3 {
        last = endpoint.next().await.1;
    }
    assert_eq!(last["event"], "ticket.created");
    assert_eq!(last["ticket_id"], created["ticket_id"]);
    // The third attempt succeeded; the log shows all three with the same delivery id.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = app.loket.store().webhook_deliveries(10).await.unwrap();
        if log.iter().any(|attempt| attempt.outcome == "delivered") || tokio::time::Instant::now() > deadline {
            break log;
        }
        tokio::task::yield_now().await;
    };
    let outcomes: Vec<(u32, String)> = log
        .iter()
        .rev()
        .map(|attempt| (attempt.attempt, attempt.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        vec![(1, "retrying".into()), (2, "retrying".into()), (3, "delivered".into())]
    );
    assert!(log.iter().all(|attempt| attempt.delivery == log[0].delivery));
    app.stop().await;
}
