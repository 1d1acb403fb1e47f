//! The console's authentication and authorisation boundaries.

use loket_core::staff::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_wrong_passwords_fail() {
    let app = TestApp::spawn().await;
    let id = loket_core::AgentId::parse("sanne").unwrap();
    app.loket
        .create_staff(
            &id,
            "Sanne",
            Role::Agent,
            "correct-horse-battery",
            Some("training-2026"),
            &loket_core::Locale::ALL,
        )
        .await
        .unwrap();
    let response = app
        .client
        .post(format!("{}/api/v1/agent/login", app.address))
        .json(&json!({"username":"sanne","password":"correct-horse-battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let wrong = app
        .client
        .post(format!("{}/api/v1/agent/login", app.address))
        .json(&json!({"username":"sanne","password":"wrong-password-here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["code"], "invalid_credentials");
    let unknown = app
        .client
        .post(format!("{}/api/v1/agent/login", app.address))
        .json(&json!({"username":"nobody","password":"wrong-password-here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let app = TestApp::spawn_with(|config| config.limits.login_attempts_per_ip = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = app
            .client
            .post(format!("{}/api/v1/agent/login", app.address))
            .json(&json!({"username":"x","password":"wrong-password-here"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn state_changing_console_requests_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let customer = app.open("nl").await;
    let response = sanne
        .client
        .post(format!(
            "{}/api/v1/agent/conversations/{}/claim",
            app.address, customer.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "csrf_failed");
    app.stop().await;
}

#[tokio::test]
async fn a_customer_token_never_opens_the_console_and_a_session_never_the_customer_api() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let response = app
        .client
        .get(format!("{}/api/v1/agent/queue", app.address))
        .bearer_auth(&customer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_logged_in");

    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let response = sanne.get(&format!("/api/v1/conversations/{}", customer.id)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_at_logout() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    assert_eq!(sanne.get("/api/v1/agent/me").await.status(), StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(sanne.get("/api/v1/agent/me").await.status(), StatusCode::UNAUTHORIZED);

    let piet = app.agent("piet", "Piet", Role::Agent).await;
    assert_eq!(
        piet.post("/api/v1/agent/logout", json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(piet.get("/api/v1/agent/me").await.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn an_auditor_cannot_read_conversations() {
    let app = TestApp::spawn().await;
    let auditor = app.agent("ria", "Ria", Role::Auditor).await;
    let customer = app.open("nl").await;
    assert_eq!(auditor.get("/api/v1/agent/queue").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        auditor
            .get(&format!("/api/v1/agent/conversations/{}", customer.id))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[tokio::test]
async fn the_holding_agent_can_reveal_a_placeholder_and_each_reveal_is_audited_but_never_a_bsn() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let piet = app.agent("piet", "Piet", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Mijn IBAN is NL91ABNA0417164300 en mijn BSN is 111222333")
        .await;
    app.say_ok(&customer, "medewerker graag").await;
    sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    let view: Value = sanne
        .get(&format!("/api/v1/agent/conversations/{}", customer.id))
        .await
        .json()
        .await
        .unwrap();
    let transcript = view.to_string();
    assert!(transcript.contains("[IBAN_1]") && !transcript.contains("NL91ABNA0417164300"));

    let path = format!("/api/v1/agent/conversations/{}/reveal", customer.id);
    let revealed: Value = sanne
        .post(&path, json!({"placeholder": "[IBAN_1]"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revealed["value"], "NL91ABNA0417164300");
    assert_eq!(
        piet.post(&path, json!({"placeholder": "[IBAN_1]"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sanne.post(&path, json!({"placeholder": "[BSN_1]"})).await.status(),
        StatusCode::FORBIDDEN
    );

    let id = loket_core::ConversationId::parse(&customer.id).unwrap();
    let audit = app.loket.store().conversation_audit(&id).await.unwrap();
    let reveals: Vec<_> = audit
        .iter()
        .filter(|record| record.event.kind == loket_core::audit::AuditKind::VaultReveal)
        .collect();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].event.actor, "agent:sanne");
    assert_eq!(reveals[0].event.attributes["type"], "IBAN");
    app.stop().await;
}

#[tokio::test]
async fn auditors_can_list_the_disclosures_shown_in_a_conversation_but_agents_cannot_dis_12() {
    let app = TestApp::spawn().await;
    let customer = app.open("en").await;
    app.clock.advance(chrono::Duration::minutes(45));
    app.say_ok(&customer, "How long can I return an order?").await;
    let auditor = app.agent("ria", "Ria", Role::Auditor).await;
    let agent = app.agent("sanne", "Sanne", Role::Agent).await;
    let path = format!("/api/v1/agent/conversations/{}/disclosures", customer.id);
    let evidence: Value = auditor.get(&path).await.json().await.unwrap();
    let list = evidence.as_array().unwrap();
    assert_eq!(
        list.len(),
        2,
        "the first disclosure and the one after idle time: {evidence}"
    );
    assert!(
        list.iter()
            .all(|item| item["locale"] == "en" && item["channel"] == "web")
    );
    assert_eq!(agent.get(&path).await.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

/// PII-02: the configured policy per type applies to what is stored (a masked IBAN keeps only its
/// last two characters and nothing goes to the vault), and a BSN is revealed only with a
/// configured legal basis, which the reveal's audit record names.
#[tokio::test]
async fn the_configured_policy_masks_ibans_and_a_legal_basis_allows_a_bsn_reveal_pii_02() {
    let app = TestApp::spawn_with(|config| {
        config.privacy.policy.insert("IBAN".into(), "mask".into());
        config.privacy.bsn_legal_basis = Some("Wet algemene bepalingen burgerservicenummer, art. 10".into());
    })
    .await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Mijn IBAN is NL91ABNA0417164300 en mijn BSN is 111222333")
        .await;
    app.say_ok(&customer, "medewerker graag").await;
    sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    let transcript = sanne
        .get(&format!("/api/v1/agent/conversations/{}", customer.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !transcript.contains("NL91ABNA0417164300") && !transcript.contains("[IBAN_1]"),
        "{transcript}"
    );
    assert!(
        transcript.contains("00") && transcript.contains("[BSN_1]"),
        "{transcript}"
    );
    let path = format!("/api/v1/agent/conversations/{}/reveal", customer.id);
    assert_eq!(
        sanne.post(&path, json!({"placeholder": "[IBAN_1]"})).await.status(),
        StatusCode::NOT_FOUND,
        "a masked value is not in the vault"
    );
    let revealed: Value = sanne
        .post(&path, json!({"placeholder": "[BSN_1]"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revealed["value"], "111222333");
    let id = loket_core::ConversationId::parse(&customer.id).unwrap();
    let audit = app.loket.store().conversation_audit(&id).await.unwrap();
    let reveal = audit
        .iter()
        .find(|record| record.event.kind == loket_core::audit::AuditKind::VaultReveal)
        .unwrap();
    assert_eq!(reveal.event.attributes["type"], "BSN");
    assert_eq!(reveal.event.attributes["legal_basis"], "privacy.bsn_legal_basis");
    app.stop().await;
}
