//! Health, metrics, the OpenAPI document, and the rule that no content reaches logs or metrics.

use reqwest::StatusCode;

use crate::helpers::{TestApp, captured_logs};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    // The second turn finds the context the first one left (SQLite's turn cache).
    app.say_ok(&customer, "Hoe lang duurt de levering naar België?").await;
    let metrics = app.metrics().await;
    assert!(metrics.contains("loket_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("loket_messages_total{author=\"customer\"}"),
        "{metrics}"
    );
    for result in ["miss", "hit"] {
        assert!(
            metrics.contains(&format!("loket_turn_cache_total{{result=\"{result}\"}}")),
            "{metrics}"
        );
    }
    assert!(!metrics.contains("levering"), "no content in metrics");
    app.stop().await;
}

#[tokio::test]
async fn no_message_text_token_or_personal_data_reaches_the_logs() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let secret = "Zeldzaamwoord Pietersen mijn IBAN NL91ABNA0417164300";
    app.say_ok(&customer, secret).await;
    app.say(&customer, &"x".repeat(5000)).await;
    let logs = captured_logs();
    assert!(logs.contains("request"), "the capture works");
    for needle in [
        "Zeldzaamwoord",
        "NL91ABNA0417164300",
        customer.token.as_str(),
        "xxxxxxxxxx",
    ] {
        assert!(!logs.contains(needle), "`{needle}` leaked into the logs");
    }
    app.stop().await;
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json")).unwrap_or_default();
    let generated = loket_server::ops::openapi_json();
    assert!(
        committed.trim() == generated.trim(),
        "docs/openapi.json is out of date: run `cargo run -p loket -- openapi > docs/openapi.json`"
    );
}

#[tokio::test]
async fn graceful_shutdown_ends_open_streams_instead_of_waiting_for_them() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let _stream = app.follow(&customer, 0).await;
    app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    let started = std::time::Instant::now();
    app.stop().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "open streams did not hold up shutdown"
    );
}
