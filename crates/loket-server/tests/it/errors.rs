//! Bad input gets a 4xx with a stable code and nothing is stored.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Customer, TestApp};

async fn check(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status, "expected {code}");
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["code"], code);
    assert!(body["message"].as_str().is_some_and(|message| !message.is_empty()));
}

async fn message_count(app: &TestApp, customer: &Customer) -> usize {
    app.messages(customer).await.len()
}

fn post_raw(app: &TestApp, customer: &Customer) -> reqwest::RequestBuilder {
    app.client
        .post(format!("{}/api/v1/conversations/{}/messages", app.address, customer.id))
        .bearer_auth(&customer.token)
}

#[tokio::test]
async fn malformed_bodies_get_stable_codes_and_store_nothing() {
    let app = TestApp::spawn_with(|config| config.limits.message_chars = 50).await;
    let customer = app.open("nl").await;
    let before = message_count(&app, &customer).await;

    check(
        post_raw(&app, &customer)
            .header("content-type", "application/json")
            .body("{\"text\": ")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    check(
        post_raw(&app, &customer)
            .header("content-type", "text/plain")
            .body("hallo")
            .send()
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    check(
        post_raw(&app, &customer)
            .header("content-type", "application/json")
            .body(vec![
                b'{', b'"', b't', b'e', b'x', b't', b'"', b':', b'"', 0xff, 0xfe, b'"', b'}',
            ])
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_utf8",
    )
    .await;
    check(
        post_raw(&app, &customer)
            .header("content-type", "application/json")
            .body("{\"txt\":\"hallo\"}")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    check(
        post_raw(&app, &customer)
            .header("content-type", "application/json")
            .body("{\"text\":\"\\ud800\"}")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    check(app.say(&customer, "   ").await, StatusCode::BAD_REQUEST, "empty_text").await;
    check(
        app.say(&customer, &"a".repeat(51)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "text_too_long",
    )
    .await;
    let huge = format!("{{\"text\":\"{}\"}}", "b".repeat(100_000));
    check(
        post_raw(&app, &customer)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    check(
        app.say(&customer, "nul\u{0}byte").await,
        StatusCode::BAD_REQUEST,
        "invalid_text",
    )
    .await;

    assert_eq!(message_count(&app, &customer).await, before, "nothing was stored");
    app.stop().await;
}

#[tokio::test]
async fn tokens_authorise_exactly_one_conversation() {
    let app = TestApp::spawn().await;
    let mine = app.open("nl").await;
    let other = app.open("nl").await;
    let url = format!("{}/api/v1/conversations/{}/messages", app.address, mine.id);

    check(
        app.client
            .post(&url)
            .json(&serde_json::json!({"text":"hoi"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "missing_token",
    )
    .await;
    check(
        app.client
            .post(&url)
            .bearer_auth("0".repeat(64))
            .json(&serde_json::json!({"text":"hoi"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    check(
        app.client
            .post(&url)
            .bearer_auth(&other.token)
            .json(&serde_json::json!({"text":"hoi"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    check(
        app.client
            .get(format!("{}/api/v1/conversations/{}", app.address, mine.id))
            .bearer_auth(&other.token)
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_eq!(message_count(&app, &mine).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn unknown_conversations_and_routes_are_404_and_bad_locales_400() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let unknown = Customer {
        id: "01900000-0000-7000-8000-000000000099".into(),
        token: customer.token.clone(),
        opened: Value::Null,
    };
    check(app.say(&unknown, "hallo").await, StatusCode::NOT_FOUND, "not_found").await;
    let not_a_uuid = Customer {
        id: "../../etc/passwd".into(),
        token: customer.token.clone(),
        opened: Value::Null,
    };
    check(app.say(&not_a_uuid, "hallo").await, StatusCode::NOT_FOUND, "not_found").await;
    check(
        app.client
            .get(format!("{}/api/v1/nothing-here", app.address))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    check(
        app.client
            .post(format!("{}/api/v1/conversations", app.address))
            .json(&serde_json::json!({"locale":"de"}))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_locale",
    )
    .await;
    check(
        app.client
            .delete(format!("{}/api/v1/conversations", app.address))
            .send()
            .await
            .unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_conversation_over_its_message_rate_gets_429_and_nothing_stored() {
    let app = TestApp::spawn_with(|config| config.limits.messages_per_conversation_per_minute = 3).await;
    let customer = app.open("nl").await;
    for _ in 0..3 {
        app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    }
    let before = message_count(&app, &customer).await;
    let response = app.say(&customer, "Hoe lang duurt de levering?").await;
    assert!(response.headers().contains_key("retry-after"));
    check(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(message_count(&app, &customer).await, before);
    app.clock.advance(chrono::Duration::seconds(61));
    app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    app.stop().await;
}

#[tokio::test]
async fn per_address_limits_apply_to_requests_and_new_conversations() {
    let app = TestApp::spawn_with(|config| {
        config.limits.conversations_per_ip_per_hour = 2;
    })
    .await;
    app.open("nl").await;
    app.open("nl").await;
    let response = app
        .client
        .post(format!("{}/api/v1/conversations", app.address))
        .json(&serde_json::json!({"locale":"nl"}))
        .send()
        .await
        .unwrap();
    check(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    app.stop().await;

    let app = TestApp::spawn_with(|config| config.limits.requests_per_ip_per_minute = 5).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(
            app.client
                .get(format!("{}/healthz", app.address))
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2
    );
    app.stop().await;
}

/// Behind the company's reverse proxy every request comes from the proxy's address. With the proxy
/// listed in `server.trusted_proxies`, the limits count each customer it names in
/// `X-Forwarded-For`; without it, the header (which any client can send) changes nothing.
#[tokio::test]
async fn behind_a_trusted_proxy_the_limits_count_customers_not_the_proxy() {
    let open_from = |app: &TestApp, forwarded_for: &'static str| {
        app.client
            .post(format!("{}/api/v1/conversations", app.address))
            .header("x-forwarded-for", forwarded_for)
            .json(&serde_json::json!({"locale":"nl"}))
            .send()
    };
    let app = TestApp::spawn_with(|config| {
        config.limits.conversations_per_ip_per_hour = 1;
        config.server.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    for customer in ["198.51.100.1", "198.51.100.2", "203.0.113.9, 198.51.100.3"] {
        let response = open_from(&app, customer).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{customer}");
    }
    // The same customer again, with a made-up first hop in front of what the proxy appended.
    let again = open_from(&app, "192.0.2.77, 198.51.100.1").await.unwrap();
    check(again, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    app.stop().await;

    let app = TestApp::spawn_with(|config| config.limits.conversations_per_ip_per_hour = 1).await;
    let first = open_from(&app, "198.51.100.1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let spoofed = open_from(&app, "198.51.100.2").await.unwrap();
    check(spoofed, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    app.stop().await;
}

#[tokio::test]
async fn too_many_streams_for_one_conversation_are_refused() {
    let app = TestApp::spawn_with(|config| config.limits.streams_per_conversation = 1).await;
    let customer = app.open("nl").await;
    let url = format!("{}/api/v1/conversations/{}/stream", app.address, customer.id);
    let first = app.client.get(&url).bearer_auth(&customer.token).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    check(
        app.client.get(&url).bearer_auth(&customer.token).send().await.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_streams",
    )
    .await;
    drop(first);
    app.stop().await;
}
