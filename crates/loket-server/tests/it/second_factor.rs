//! The staff's second factor over HTTP (REQUIREMENTS SEC-09): setting up an authenticator app,
//! codes at every login, single use of codes and recovery codes, the policy, an admin's reset.

use loket_core::audit::AuditKind;
use loket_core::config::SecondFactorPolicy;
use loket_core::staff::Role;
use loket_service::totp::TotpSecret;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::compliance::row;
use crate::helpers::{Agent, TestApp};

const PASSWORD: &str = "correct-horse-battery";

/// Creates `login` and logs in with password only; returns the member and the login's answer.
async fn log_in_without_setup(app: &TestApp, login: &str) -> (Agent, Value) {
    let id = loket_core::AgentId::parse(login).expect("login name");
    app.loket
        .create_staff(
            &id,
            login,
            Role::Agent,
            PASSWORD,
            Some("training-2026"),
            &loket_core::Locale::ALL,
        )
        .await
        .expect("create staff");
    let client = Client::builder().cookie_store(true).build().expect("client");
    let response = login_request(app, &client, login, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    let agent = Agent::from_login(client, &body, &app.address);
    (agent, body)
}

async fn login_request(app: &TestApp, client: &Client, login: &str, code: Option<&str>) -> reqwest::Response {
    let mut body = json!({ "username": login, "password": PASSWORD });
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    client
        .post(format!("{}/api/v1/agent/login", app.address))
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// The compliance report as an auditor reads it.
async fn report(app: &TestApp) -> Value {
    let auditor = app.agent("audrey", "Audrey", Role::Auditor).await;
    let response = auditor.get("/api/v1/admin/compliance-report").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// A six-digit code that none of the steps around `step` has.
fn wrong_code(secret: &TotpSecret, step: i64) -> String {
    let valid: Vec<String> = (step - 2..=step + 2).map(|step| secret.code_at(step)).collect();
    (0..)
        .map(|n| format!("{n:06}"))
        .find(|code| !valid.contains(code))
        .unwrap_or_default()
}

async fn code_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn sec_09_a_new_member_can_only_set_up_a_second_factor_until_they_have_one() {
    let app = TestApp::spawn().await;
    let (agent, login) = log_in_without_setup(&app, "sanne").await;
    assert_eq!(login["second_factor"], "setup_required");
    let me: Value = agent.get("/api/v1/agent/me").await.json().await.unwrap();
    assert_eq!(me["second_factor"], "setup_required");
    for path in ["/api/v1/agent/queue", "/api/v1/agent/stream", "/api/v1/admin/dashboard"] {
        let (status, code) = code_of(agent.get(path).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "second_factor_setup_required"),
            "{path}"
        );
    }
    let (status, code) = code_of(
        agent
            .post("/api/v1/agent/second-factor/confirm", json!({"code": "123456"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "no_second_factor_pending")
    );

    let response = agent.post("/api/v1/agent/second-factor", json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let setup: Value = response.json().await.unwrap();
    let secret = TotpSecret::from_base32(setup["secret"].as_str().unwrap()).expect("a 160-bit base32 secret");
    let uri = setup["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains(":sanne?secret="),
        "{uri}"
    );
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"), "an SVG QR code");

    let step = app.totp_step();
    let wrong = wrong_code(&secret, step);
    let (status, code) = code_of(
        agent
            .post("/api/v1/agent/second-factor/confirm", json!({"code": wrong}))
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor")
    );
    let response = agent
        .post(
            "/api/v1/agent/second-factor/confirm",
            json!({"code": secret.code_at(step)}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let codes: Value = response.json().await.unwrap();
    assert_eq!(codes["recovery_codes"].as_array().unwrap().len(), 10);

    // The same session now opens the console.
    assert_eq!(agent.get("/api/v1/agent/queue").await.status(), StatusCode::OK);
    let me: Value = agent.get("/api/v1/agent/me").await.json().await.unwrap();
    assert_eq!(me["second_factor"], "in_use");
    let (status, code) = code_of(agent.post("/api/v1/agent/second-factor", json!({})).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "second_factor_in_use"));

    // Neither the secret nor a code is in the audit log.
    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    let enabled: Vec<_> = records
        .iter()
        .filter(|record| record.event.kind == AuditKind::StaffSecondFactorEnabled)
        .collect();
    assert_eq!(enabled.len(), 1);
    let all = serde_json::to_string(&records.iter().map(|record| &record.event).collect::<Vec<_>>()).unwrap();
    assert!(!all.contains(&secret.base32()) && !all.contains(&secret.code_at(step)));
}

#[tokio::test]
async fn sec_09_every_login_asks_the_code_and_each_code_and_recovery_code_opens_once() {
    // Many logins from one address: the per-address limit is not what this test is about.
    let app = TestApp::spawn_with(|config| config.limits.login_attempts_per_ip = 1000).await;
    let (agent, _) = log_in_without_setup(&app, "pieter").await;
    let response = agent.post("/api/v1/agent/second-factor", json!({})).await;
    let setup: Value = response.json().await.unwrap();
    let secret = TotpSecret::from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let confirmed_step = app.totp_step();
    let response = agent
        .post(
            "/api/v1/agent/second-factor/confirm",
            json!({"code": secret.code_at(confirmed_step)}),
        )
        .await;
    let recovery: Value = response.json().await.unwrap();
    let recovery: Vec<String> = serde_json::from_value(recovery["recovery_codes"].clone()).unwrap();

    let client = Client::builder().cookie_store(true).build().unwrap();
    let response = login_request(&app, &client, "pieter", None).await;
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session without the code"
    );
    let (status, code) = code_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "second_factor_required")
    );
    let (status, code) = code_of(login_request(&app, &client, "pieter", Some("12 34")).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor")
    );
    let (status, code) =
        code_of(login_request(&app, &client, "pieter", Some(&secret.code_at(confirmed_step))).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor"),
        "the code that confirmed the app is spent"
    );
    let (status, code) = code_of(login_request(&app, &client, "pieter", Some(&"9".repeat(40))).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor")
    );

    app.clock.advance(chrono::Duration::seconds(30));
    let next = secret.code_at(app.totp_step());
    let response = login_request(&app, &client, "pieter", Some(&next)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["second_factor"], "in_use");
    let other = Client::builder().cookie_store(true).build().unwrap();
    let (status, code) = code_of(login_request(&app, &other, "pieter", Some(&next)).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor"),
        "no replay"
    );

    // A clock 30 s behind or ahead is tolerated (auth.totp_skew_steps = 1), 60 s is not.
    app.clock.advance(chrono::Duration::seconds(30));
    let behind = secret.code_at(app.totp_step() - 2);
    let (status, _) = code_of(login_request(&app, &other, "pieter", Some(&behind)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let ahead = secret.code_at(app.totp_step() + 1);
    assert_eq!(
        login_request(&app, &other, "pieter", Some(&ahead)).await.status(),
        StatusCode::OK
    );

    // A recovery code, however typed, opens one login.
    let typed = recovery[3].to_uppercase().replace('-', " ");
    let fresh = Client::builder().cookie_store(true).build().unwrap();
    assert_eq!(
        login_request(&app, &fresh, "pieter", Some(&typed)).await.status(),
        StatusCode::OK
    );
    let (status, code) = code_of(login_request(&app, &fresh, "pieter", Some(&recovery[3])).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor")
    );

    // Ten codes per account per 15 minutes, from all addresses (the confirmation counted): the
    // tenth fails as wrong, the eleventh is refused even when right.
    let wrong = wrong_code(&secret, app.totp_step());
    let (status, _) = code_of(login_request(&app, &fresh, "pieter", Some(&wrong)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(30));
    let right = secret.code_at(app.totp_step());
    let (status, code) = code_of(login_request(&app, &fresh, "pieter", Some(&right)).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));

    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    let factors: Vec<&str> = records
        .iter()
        .filter(|record| record.event.kind == AuditKind::StaffLogin)
        .map(|record| record.event.attributes["second_factor"].as_str())
        .collect();
    assert_eq!(factors, ["none", "totp", "totp", "recovery_code"]);
    let failed = records
        .iter()
        .filter(|record| record.event.kind == AuditKind::StaffLoginFailed)
        .filter(|record| record.event.attributes.get("second_factor").map(String::as_str) == Some("wrong"))
        .count();
    assert_eq!(
        failed, 6,
        "wrong, spent, replayed, stale, reused recovery code, wrong (the oversized one never got that far)"
    );
    let report = report(&app).await;
    let row = row(&report, "SEC-09");
    assert_eq!(row["status"], "met");
    assert!(
        row["evidence"].to_string().contains("logins with a recovery code: 1"),
        "{row}"
    );
}

#[tokio::test]
async fn sec_09_an_admin_reset_removes_the_factor_and_ends_the_members_sessions() {
    let app = TestApp::spawn().await;
    let agent = app.agent("kees", "Kees", Role::Agent).await;
    assert_eq!(agent.get("/api/v1/agent/queue").await.status(), StatusCode::OK);
    let id = loket_core::AgentId::parse("kees").unwrap();
    app.loket.reset_second_factor(&id, "cli").await.unwrap();
    let (status, code) = code_of(agent.get("/api/v1/agent/queue").await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "not_logged_in"));
    let client = Client::builder().cookie_store(true).build().unwrap();
    let response = login_request(&app, &client, "kees", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["second_factor"], "setup_required",
        "a new app is set up at the next login"
    );
    assert!(matches!(
        app.loket
            .reset_second_factor(&loket_core::AgentId::parse("nobody").unwrap(), "cli")
            .await,
        Err(loket_service::Error::NotFound)
    ));
}

#[tokio::test]
async fn sec_09_the_optional_policy_lets_members_work_without_but_asks_those_who_set_one_up() {
    let app = TestApp::spawn_with(|config| config.auth.second_factor = SecondFactorPolicy::Optional).await;
    let (agent, login) = log_in_without_setup(&app, "noor").await;
    assert_eq!(login["second_factor"], "not_in_use");
    assert_eq!(agent.get("/api/v1/agent/queue").await.status(), StatusCode::OK);
    let report = report(&app).await;
    let row = row(&report, "SEC-09");
    assert_eq!(row["status"], "not_met");
    // The auditor who reads the report counts too.
    assert!(
        row["evidence"]
            .to_string()
            .contains("2 staff accounts log in with a password only"),
        "{row}"
    );

    let secret = app.set_up_second_factor(&agent).await;
    let client = Client::builder().cookie_store(true).build().unwrap();
    let (status, code) = code_of(login_request(&app, &client, "noor", None).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "second_factor_required")
    );
    app.clock.advance(chrono::Duration::seconds(30));
    let response = login_request(&app, &client, "noor", Some(&secret.code_at(app.totp_step()))).await;
    assert_eq!(response.status(), StatusCode::OK);
}
