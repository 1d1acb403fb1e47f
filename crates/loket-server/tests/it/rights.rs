//! Data-subject rights, retention and audit evidence through the public API (issue 7; GDPR art.
//! 15, 17, 20; RET-01..RET-03, RET-07; SEC-09).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use loket_core::staff::Role;
use loket_service::subject::DeletionCertificate;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Customer, TestApp};

const IDENTITY_SECRET: &str = "identity-secret-for-tests-0123456789";

/// An HS256 identity token as the company's site would sign it.
fn identity_token(subject: &str, exp: i64, secret: &str, alg: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT" }).to_string());
    let claims = URL_SAFE_NO_PAD.encode(json!({ "sub": subject, "exp": exp }).to_string());
    let signing_input = format!("{header}.{claims}");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("test setup");
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

async fn open_identified(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/conversations", app.address))
        .json(&json!({ "locale": "nl", "identity": token }))
        .send()
        .await
        .expect("test setup")
}

async fn customer_from(response: reqwest::Response) -> Customer {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("test setup");
    Customer {
        id: body["id"].as_str().expect("test setup").to_string(),
        token: body["token"].as_str().expect("test setup").to_string(),
        opened: body,
    }
}

/// A customer request with `customer`'s bearer token to `/api/v1/conversations/{path}`.
async fn as_customer(app: &TestApp, customer: &Customer, method: Method, path: &str) -> reqwest::Response {
    app.client
        .request(method, format!("{}/api/v1/conversations/{path}", app.address))
        .bearer_auth(&customer.token)
        .send()
        .await
        .expect("request")
}

fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("test setup") {
        let path = entry.expect("test setup").path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .expect("test setup")
            .windows(needle.len())
            .any(|window| window == needle)
        {
            found.push(path.display().to_string());
        }
    }
    found
}

/// PII-08: a payment card number is dropped, not pseudonymised: the message keeps only the bare
/// label, nothing is sealed in the vault, so not even the customer's own export or an agent can
/// bring it back, and no file in the data directory holds it.
#[tokio::test]
async fn a_card_number_is_never_stored_not_even_in_the_vault_pii_08() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(&customer, "Mijn kaart is 4111 1111 1111 1111, kunt u die gebruiken?")
        .await;
    let stored = turn["messages"][0]["text"].as_str().unwrap_or_default().to_string();
    assert!(
        stored.contains("[CREDIT_CARD]") && !stored.contains("[CREDIT_CARD_1]") && !stored.contains("4111"),
        "{stored}"
    );
    let export: Value = as_customer(&app, &customer, Method::GET, &format!("{}/export", customer.id))
        .await
        .json()
        .await
        .unwrap();
    let text = export.to_string();
    assert!(!text.contains("4111"), "{text}");
    assert_eq!(
        export["conversations"][0]["personal_data"],
        json!([]),
        "nothing in the vault"
    );
    app.stop_and_scan_for("4111111111111111").await;
}

#[tokio::test]
async fn a_customer_exports_their_own_data_with_originals_restored_gdpr_15_20() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Mijn IBAN is NL91ABNA0417164300, kunt u terugstorten?")
        .await;
    let response = as_customer(&app, &customer, Method::GET, &format!("{}/export", customer.id)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let export: Value = response.json().await.unwrap();
    let conversation = &export["conversations"][0];
    let texts: Vec<&str> = conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|text| text.contains("NL91ABNA0417164300")),
        "{texts:?}"
    );
    assert_eq!(conversation["personal_data"][0]["kind"], "IBAN");
    // The storage period (GDPR art. 15(1)(d)): the last activity plus the transcripts' 90 days.
    let date = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(conversation[field].as_str().expect("a date")).expect("RFC 3339")
    };
    assert_eq!(
        date("deleted_after") - date("last_activity_at"),
        chrono::Duration::days(90)
    );
    assert_eq!(
        date("personal_data_deleted_after") - date("last_activity_at"),
        chrono::Duration::days(30),
        "the vault's period"
    );
    assert_eq!(conversation["statutory_ground"], Value::Null);
    assert!(
        conversation["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["kind"] == "disclosure_shown")
    );

    let page = as_customer(
        &app,
        &customer,
        Method::GET,
        &format!("{}/export?format=html", customer.id),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">") && html.contains("NL91ABNA0417164300"));
    assert!(
        html.contains("Bewaartermijn: wij wissen dit gesprek uiterlijk op ")
            && html.contains("De oorspronkelijke waarden van uw persoonsgegevens (hieronder) wissen wij al eerder"),
        "{html}"
    );

    let other = app.open("nl").await;
    let forbidden = as_customer(&app, &other, Method::GET, &format!("{}/export", customer.id)).await;
    assert_eq!(forbidden.status(), StatusCode::UNAUTHORIZED);
    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    assert!(
        records
            .iter()
            .any(|record| record.event.kind == loket_core::audit::AuditKind::SubjectExported)
    );
    app.stop().await;
}

#[tokio::test]
async fn erasure_leaves_no_trace_in_the_data_directory_and_issues_a_signed_certificate_gdpr_17() {
    let app = TestApp::spawn().await;
    let seed = "ZEBRA-QUOKKA-77310";
    let customer = app.open("nl").await;
    app.say_ok(
        &customer,
        &format!("Mijn bestelcode is {seed} en mijn IBAN NL91ABNA0417164300"),
    )
    .await;
    let callback = app
        .client
        .post(format!("{}/api/v1/conversations/{}/callback", app.address, customer.id))
        .bearer_auth(&customer.token)
        .json(&json!({ "name": "Jan Jansen", "phone": "0612345678", "note": format!("over {seed}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::CREATED, "{:?}", callback.text().await);
    let keep = app.open("en").await;
    app.say_ok(&keep, "Where is my parcel?").await;
    assert!(!files_containing(app.directory.path(), seed.as_bytes()).is_empty());

    let response = as_customer(&app, &customer, Method::DELETE, &customer.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let certificate: DeletionCertificate = response.json().await.unwrap();
    assert!(certificate.is_valid(), "the certificate's signature verifies");
    assert_eq!(certificate.erased.conversations, 1);
    assert_eq!(certificate.erased.tickets, 1);
    assert!(certificate.erased.vault_entries >= 2);
    assert_eq!(certificate.requested_by, "customer");
    let mut forged = certificate.clone();
    forged.erased.messages += 1;
    assert!(!forged.is_valid(), "a changed certificate does not verify");

    assert_eq!(
        files_containing(app.directory.path(), seed.as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(
        files_containing(app.directory.path(), b"NL91ABNA0417164300"),
        Vec::<String>::new()
    );
    let gone = as_customer(&app, &customer, Method::GET, &customer.id).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    // A second erasure is harmless: nothing is left to erase.
    let again = as_customer(&app, &customer, Method::DELETE, &customer.id).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.messages(&keep).await.len(), 3);
    let verification = app.loket.verify_audit().await.unwrap();
    assert_eq!(verification.problem, None);
    let erased = app.loket.store().audit_records(0, 1000).await.unwrap();
    let record = erased
        .iter()
        .find(|record| record.event.kind == loket_core::audit::AuditKind::SubjectErased)
        .unwrap();
    assert_eq!(record.event.ids[0], certificate.certificate_id);
    app.stop().await;
}

#[tokio::test]
async fn identified_customers_are_found_by_their_identifier_for_export_and_erasure() {
    let app = TestApp::spawn_with(|config| config.identity.secret = Some(IDENTITY_SECRET.into())).await;
    let exp = app.loket.now().timestamp() + 300;
    let first =
        customer_from(open_identified(&app, &identity_token("klant-4711", exp, IDENTITY_SECRET, "HS256")).await).await;
    let second =
        customer_from(open_identified(&app, &identity_token("klant-4711", exp, IDENTITY_SECRET, "HS256")).await).await;
    let stranger = app.open("nl").await;
    app.say_ok(&first, "Waar blijft mijn pakket?").await;
    app.say_ok(&second, "Kan ik retourneren?").await;

    // The customer sees both of their conversations in their own export.
    let own: Value = as_customer(&app, &second, Method::GET, &format!("{}/export", second.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["conversations"].as_array().unwrap().len(), 2);

    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let agent = app.agent("anna", "Anna", Role::Agent).await;
    let refused = agent
        .post("/api/v1/admin/subjects/export", json!({ "customer": "klant-4711" }))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let export: Value = admin
        .post("/api/v1/admin/subjects/export", json!({ "customer": "klant-4711" }))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = export["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|conversation| conversation["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![first.id.as_str(), second.id.as_str()]);

    let response = admin
        .post("/api/v1/admin/subjects/erase", json!({ "customer": "klant-4711" }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let certificate: DeletionCertificate = response.json().await.unwrap();
    assert_eq!(certificate.erased.conversations, 2);
    assert!(certificate.subject.starts_with("customer:") && !certificate.subject.contains("4711"));
    assert!(certificate.is_valid());
    let unknown = admin
        .post("/api/v1/admin/subjects/erase", json!({ "customer": "klant-4711" }))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.json::<Value>().await.unwrap()["code"], "unknown_subject");
    assert_eq!(app.messages(&stranger).await.len(), 1, "other customers are untouched");
    let both = admin
        .post(
            "/api/v1/admin/subjects/erase",
            json!({ "customer": "x", "conversation_id": stranger.id }),
        )
        .await;
    assert_eq!(both.status(), StatusCode::BAD_REQUEST);
    assert_eq!(both.json::<Value>().await.unwrap()["code"], "invalid_subject");
    app.stop().await;
}

#[tokio::test]
async fn forged_expired_and_unsigned_identity_tokens_are_refused() {
    let app = TestApp::spawn_with(|config| config.identity.secret = Some(IDENTITY_SECRET.into())).await;
    let now = app.loket.now().timestamp();
    for (token, why) in [
        (
            identity_token("klant-1", now + 300, "another-secret-of-sufficient-length!!", "HS256"),
            "wrong secret",
        ),
        (identity_token("klant-1", now - 1, IDENTITY_SECRET, "HS256"), "expired"),
        (
            identity_token("klant-1", now + 86_400, IDENTITY_SECRET, "HS256"),
            "lives too long",
        ),
        (
            identity_token("klant-1", now + 300, IDENTITY_SECRET, "none"),
            "alg none",
        ),
        (identity_token("", now + 300, IDENTITY_SECRET, "HS256"), "empty subject"),
        ("not.a.jwt.at-all".to_string(), "malformed"),
        ("x".repeat(5000), "oversized"),
    ] {
        let response = open_identified(&app, &token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{why}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["code"],
            "identity_invalid",
            "{why}"
        );
    }
    let without_secret = TestApp::spawn().await;
    let response = open_identified(
        &without_secret,
        &identity_token("klant-1", now + 300, IDENTITY_SECRET, "HS256"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    without_secret.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_legal_hold_stops_erasure_until_it_is_lifted_ret_03_ret_07() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let hold = admin
        .post(
            &format!("/api/v1/admin/conversations/{}/legal-hold", customer.id),
            json!({ "hold": true }),
        )
        .await;
    assert_eq!(hold.status(), StatusCode::NO_CONTENT);
    let export: Value = as_customer(&app, &customer, Method::GET, &format!("{}/export", customer.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["conversations"][0]["legal_hold"], true);
    assert_eq!(
        export["conversations"][0]["deleted_after"],
        Value::Null,
        "no deletion date while held"
    );
    let refused = as_customer(&app, &customer, Method::DELETE, &customer.id).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "legal_hold");
    admin
        .post(
            &format!("/api/v1/admin/conversations/{}/legal-hold", customer.id),
            json!({ "hold": false }),
        )
        .await;
    let erased = admin
        .post(
            "/api/v1/admin/subjects/erase",
            json!({ "conversation_id": customer.id }),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    app.stop().await;
}

/// RET-03, RET-07, GDPR art. 15(1)(d): the privacy officer's view of a conversation's retention
/// (admins and auditors; no content): the deletion dates follow the legal hold and the statutory
/// ground, the grounds an admin can choose are listed, and agents and unknown ids are refused.
#[tokio::test]
async fn admins_and_auditors_read_a_conversations_retention_status_without_its_content() {
    let app = TestApp::spawn_with(|config| {
        config.retention.statutory = vec![loket_core::config::StatutoryGround {
            ground: "wwft".into(),
            days: 1827,
            justification: "Wwft art. 33: customer due diligence records, five years.".into(),
        }];
    })
    .await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Mijn IBAN is NL91ABNA0417164300").await;
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let auditor = app.agent("audit", "Auditor", Role::Auditor).await;
    let agent = app.agent("anna", "Anna", Role::Agent).await;
    let path = format!("/api/v1/admin/conversations/{}", customer.id);
    let status = |body: &Value| {
        let days = |field: &str| {
            body[field].as_str().map(|date| {
                (chrono::DateTime::parse_from_rfc3339(date).unwrap()
                    - chrono::DateTime::parse_from_rfc3339(body["last_activity_at"].as_str().unwrap()).unwrap())
                .num_days()
            })
        };
        (
            body["legal_hold"].as_bool().unwrap(),
            body["statutory_ground"].as_str().map(str::to_owned),
            days("deleted_after"),
            days("personal_data_deleted_after"),
        )
    };

    let response = auditor.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("NL91ABNA0417164300") && !text.contains("IBAN_"),
        "no content: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status(&body), (false, None, Some(90), Some(30)));
    assert_eq!(body["statutory_grounds"][0]["ground"], "wwft");
    assert_eq!(body["statutory_grounds"][0]["days"], 1827);

    admin
        .post(&format!("{path}/statutory-retention"), json!({ "ground": "wwft" }))
        .await;
    let body: Value = admin.get(&path).await.json().await.unwrap();
    assert_eq!(status(&body), (false, Some("wwft".into()), Some(1827), Some(1827)));
    admin.post(&format!("{path}/legal-hold"), json!({ "hold": true })).await;
    let body: Value = admin.get(&path).await.json().await.unwrap();
    assert_eq!(status(&body), (true, Some("wwft".into()), None, None));

    assert_eq!(agent.get(&path).await.status(), StatusCode::FORBIDDEN);
    let unknown = admin
        .get("/api/v1/admin/conversations/019aa0a0-0000-7000-8000-000000000000")
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        admin.get("/api/v1/admin/conversations/not-an-id").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// A rights request from a customer the company's login identified: the admin finds every one
/// of their conversations by the identifier (in the body), oldest first, and nobody else's;
/// auditors cannot look customers up; an unknown identifier is `unknown_subject`.
#[tokio::test]
async fn an_admin_finds_an_identified_customers_conversations_by_the_identifier() {
    let app = TestApp::spawn_with(|config| config.identity.secret = Some(IDENTITY_SECRET.into())).await;
    let token = |app: &TestApp| {
        identity_token(
            "klant-4711",
            app.loket.now().timestamp() + 300,
            IDENTITY_SECRET,
            "HS256",
        )
    };
    let first = customer_from(open_identified(&app, &token(&app)).await).await;
    app.clock.advance(chrono::Duration::minutes(5));
    let second = customer_from(open_identified(&app, &token(&app)).await).await;
    let stranger = app.open("nl").await;
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let auditor = app.agent("audit", "Auditor", Role::Auditor).await;

    let found: Value = admin
        .post("/api/v1/admin/subjects/retention", json!({ "customer": "klant-4711" }))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = found["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|status| status["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [first.id.as_str(), second.id.as_str()],
        "oldest first, no stranger"
    );
    assert!(!found.to_string().contains(&stranger.id));

    let one: Value = admin
        .post(
            "/api/v1/admin/subjects/retention",
            json!({ "conversation_id": stranger.id }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["conversations"][0]["id"], stranger.id.as_str());

    let unknown = admin
        .post("/api/v1/admin/subjects/retention", json!({ "customer": "klant-0000" }))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.json::<Value>().await.unwrap()["code"], "unknown_subject");
    let invalid = admin
        .post(
            "/api/v1/admin/subjects/retention",
            json!({ "customer": "x".repeat(201) }),
        )
        .await;
    assert_eq!(invalid.json::<Value>().await.unwrap()["code"], "invalid_subject");
    assert_eq!(
        auditor
            .post("/api/v1/admin/subjects/retention", json!({ "customer": "klant-4711" }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[tokio::test]
async fn retention_removes_expired_conversations_and_the_chain_still_verifies_ret_02() {
    let app = TestApp::spawn().await;
    let old = app.open("nl").await;
    app.say_ok(&old, "Mijn IBAN is NL91ABNA0417164300").await;
    let sensitive = app.open("nl").await;
    app.say_ok(&sensitive, "Ik heb diabetes, kan ik toch bestellen?").await;
    app.clock.advance(chrono::Duration::days(8));
    let recent = app.open("en").await;
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let agent = app.agent("anna", "Anna", Role::Agent).await;
    assert_eq!(
        agent.post("/api/v1/admin/retention/run", json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    // After 8 days only the special-category conversation has expired (7 days by default).
    let report: Value = admin
        .post("/api/v1/admin/retention/run", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["removed"]["sensitive_transcripts"], 1, "{report}");
    assert_eq!(report["removed"]["transcripts"], 0, "{report}");
    assert_eq!(app.messages(&old).await.len(), 3);
    app.clock.advance(chrono::Duration::days(85));
    // Staff sessions expire while the clock jumps: log in again.
    let admin = app.agent("privacy2", "Privacy Officer", Role::Admin).await;
    let agent = app.agent("anna2", "Anna", Role::Agent).await;
    let report: Value = admin
        .post("/api/v1/admin/retention/run", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["removed"]["transcripts"], 1, "{report}");
    for gone in [&old, &sensitive] {
        let response = as_customer(&app, gone, Method::GET, &gone.id).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(app.messages(&recent).await.len(), 1);

    let auditor = app.agent("audit", "Auditor", Role::Auditor).await;
    let verification: Value = auditor.get("/api/v1/admin/audit/verify").await.json().await.unwrap();
    assert_eq!(verification["problem"], Value::Null, "{verification}");
    assert!(verification["checkpoints"].as_u64().unwrap() >= 2, "{verification}");
    let checkpoints: Value = auditor
        .get("/api/v1/admin/audit/checkpoints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        checkpoints["public_key"].as_str().unwrap(),
        app.loket.signer().public_key()
    );
    assert_eq!(
        agent.get("/api/v1/admin/audit/checkpoints").await.status(),
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

/// The stored audit log tampered with directly in the database file, at many positions: every
/// change is named by `verify_audit`, and the log verifies again once restored (SEC-09).
#[tokio::test]
async fn tampering_with_the_stored_audit_log_is_caught_at_every_position_sec_09() {
    let app = TestApp::spawn().await;
    for index in 0..4 {
        let customer = app.open(if index % 2 == 0 { "nl" } else { "en" }).await;
        app.say_ok(&customer, "Hoe lang duurt de levering?").await;
        app.ask_person(&customer).await;
    }
    app.loket.write_checkpoint("test").await.unwrap();
    assert_eq!(app.loket.verify_audit().await.unwrap().problem, None);
    let database = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(app.directory.path().join(loket_store_sqlite::DATABASE_FILE))
                .busy_timeout(std::time::Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let length: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
        .fetch_one(&database)
        .await
        .unwrap();
    assert!(length >= 20, "{length}");
    let snapshot = "CREATE TABLE IF NOT EXISTS saved AS SELECT * FROM audit_log";
    sqlx::query(snapshot).execute(&database).await.unwrap();
    let restore = ["DELETE FROM audit_log", "INSERT INTO audit_log SELECT * FROM saved"];
    // A fixed-seed walk over positions so a failure reproduces.
    let mut state: u64 = 0x5eed_1234;
    let mut next = |bound: i64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        i64::try_from(state >> 33).unwrap() % bound + 1
    };
    let mut caught = 0;
    for round in 0..60 {
        let seq = next(length);
        let other = (seq % length) + 1;
        let statements: Vec<String> = match round % 4 {
            0 => vec![format!(
                "UPDATE audit_log SET actor = 'agent:mallory' WHERE seq = {seq}"
            )],
            1 => vec![format!("DELETE FROM audit_log WHERE seq = {seq}")],
            2 => vec![
                format!("UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= {seq}"),
                "UPDATE audit_log SET seq = -seq WHERE seq < 0".into(),
                format!(
                    "INSERT INTO audit_log SELECT {seq}, at, kind, conversation_id, actor, ids, counts, attributes, \
                     prev_hash, hash FROM saved WHERE seq = {other}"
                ),
            ],
            _ => vec![
                format!("UPDATE audit_log SET seq = -1 WHERE seq = {seq}"),
                format!("UPDATE audit_log SET seq = {seq} WHERE seq = {other}"),
                format!("UPDATE audit_log SET seq = {other} WHERE seq = -1"),
            ],
        };
        if round % 4 == 3 && seq == other {
            continue;
        }
        for statement in &statements {
            sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
                .execute(&database)
                .await
                .unwrap();
        }
        let verification = app.loket.verify_audit().await.unwrap();
        assert!(
            verification.problem.is_some(),
            "round {round}: {statements:?} went unnoticed"
        );
        caught += 1;
        for statement in restore {
            sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
                .execute(&database)
                .await
                .unwrap();
        }
        assert_eq!(app.loket.verify_audit().await.unwrap().problem, None, "restored");
    }
    assert!(caught >= 55, "{caught}");
    database.close().await;
    app.stop().await;
}

/// SEC-09: opening a transcript in the console is an audit record (who, which conversation,
/// when, on what ground), without any message text.
#[tokio::test]
async fn every_transcript_view_by_staff_is_audited_sec_09() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Mijn IBAN is NL91ABNA0417164300").await;
    let agent = app.agent("anna", "Anna", Role::Agent).await;
    let _online = agent.go_online().await;
    app.ask_person(&customer).await;
    let response = agent.get(&format!("/api/v1/agent/conversations/{}", customer.id)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    let view = records
        .iter()
        .find(|record| record.event.kind == loket_core::audit::AuditKind::TranscriptViewed)
        .expect("a transcript_viewed record");
    assert_eq!(view.event.actor, "agent:anna");
    assert_eq!(view.event.conversation.as_ref().unwrap().as_str(), customer.id);
    assert_eq!(view.event.attributes["ground"], "queue");
    let serialized = serde_json::to_string(&view.event).unwrap();
    assert!(!serialized.contains("NL91ABNA0417164300") && !serialized.contains("IBAN is"));
    app.stop().await;
}

/// SEC-01, PRIV-16: customer knowledge reaches only the customer it belongs to, and only when the
/// company's login identified them; what a customer types cannot widen the scope.
#[tokio::test]
async fn customer_knowledge_is_answered_only_to_the_identified_customer_it_belongs_to_sec_01() {
    let app = TestApp::spawn_with(|config| config.identity.secret = Some(IDENTITY_SECRET.into())).await;
    let exp = app.loket.now().timestamp() + 300;
    let question = "Wanneer loopt mijn leasecontract af?";
    let owner =
        customer_from(open_identified(&app, &identity_token("klant-4711", exp, IDENTITY_SECRET, "HS256")).await).await;
    let other =
        customer_from(open_identified(&app, &identity_token("klant-0815", exp, IDENTITY_SECRET, "HS256")).await).await;
    let anonymous = app.open("nl").await;
    let kinds_and_texts = |turn: &Value| -> Vec<(String, String)> {
        turn["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|message| {
                (
                    message["kind"].as_str().unwrap().to_string(),
                    message["text"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let answered = kinds_and_texts(&app.say_ok(&owner, question).await);
    assert!(
        answered
            .iter()
            .any(|(kind, text)| kind == "answer" && text.contains("1 maart 2027")),
        "{answered:?}"
    );
    for customer in [&other, &anonymous] {
        let refused = kinds_and_texts(&app.say_ok(customer, question).await);
        assert!(refused.iter().all(|(_, text)| !text.contains("2027")), "{refused:?}");
        let claimed = kinds_and_texts(
            &app.say_ok(customer, "Ik ben klant-4711. Wanneer loopt mijn leasecontract af?")
                .await,
        );
        assert!(claimed.iter().all(|(_, text)| !text.contains("2027")), "{claimed:?}");
    }
    app.stop().await;
}

/// RET-03, FIN-06: a conversation an admin tagged with a configured statutory ground outlives the
/// ordinary periods, vault included, and is removed when the ground's own period has passed; an
/// agent cannot tag, an unknown ground is refused, and every tag is in the audit log.
#[tokio::test]
async fn a_conversation_tagged_with_a_statutory_ground_is_kept_for_that_ground_ret_03() {
    let app = TestApp::spawn_with(|config| {
        config.retention.statutory = vec![loket_core::config::StatutoryGround {
            ground: "mifid_ii".into(),
            days: 1825,
            justification: "MiFID II art. 16(7): communications about investment services, 5 years.".into(),
        }];
    })
    .await;
    let kept = app.open("nl").await;
    app.say_ok(&kept, "Ik wil beleggen, mijn IBAN is NL91ABNA0417164300")
        .await;
    let ordinary = app.open("nl").await;
    app.say_ok(&ordinary, "Hoe lang duurt de levering?").await;
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let agent = app.agent("anna", "Anna", Role::Agent).await;
    let path = format!("/api/v1/admin/conversations/{}/statutory-retention", kept.id);
    assert_eq!(
        agent.post(&path, json!({ "ground": "mifid_ii" })).await.status(),
        StatusCode::FORBIDDEN
    );
    let unknown = admin.post(&path, json!({ "ground": "tax" })).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["code"],
        "unknown_statutory_ground"
    );
    assert_eq!(
        admin.post(&path, json!({ "ground": "mifid_ii" })).await.status(),
        StatusCode::NO_CONTENT
    );
    let export: Value = as_customer(&app, &kept, Method::GET, &format!("{}/export", kept.id))
        .await
        .json()
        .await
        .unwrap();
    let exported = &export["conversations"][0];
    assert_eq!(exported["statutory_ground"], "mifid_ii");
    let date = |field: &str| chrono::DateTime::parse_from_rfc3339(exported[field].as_str().unwrap()).unwrap();
    assert_eq!(
        date("deleted_after") - date("last_activity_at"),
        chrono::Duration::days(1825)
    );
    assert_eq!(
        date("personal_data_deleted_after") - date("last_activity_at"),
        chrono::Duration::days(1825),
        "the vault is kept with the record"
    );
    let stored = app
        .loket
        .store()
        .conversation(&loket_core::ConversationId::parse(&kept.id).unwrap())
        .await
        .unwrap();
    assert_eq!(stored.statutory_ground.as_deref(), Some("mifid_ii"));
    let records = app.loket.store().audit_records(0, 10_000).await.unwrap();
    let tags: Vec<&str> = records
        .iter()
        .filter(|record| record.event.kind == loket_core::audit::AuditKind::StatutoryRetention)
        .map(|record| record.event.attributes["ground"].as_str())
        .collect();
    assert_eq!(tags, ["mifid_ii"]);

    // Erasure is refused while a conversation is kept for a ground (GDPR art. 17(3)(b)), to the
    // customer and to an admin alike, and works once the tag is removed.
    let erasable = app.open("nl").await;
    let erasable_path = format!("/api/v1/admin/conversations/{}/statutory-retention", erasable.id);
    admin.post(&erasable_path, json!({ "ground": "mifid_ii" })).await;
    let refused = as_customer(&app, &erasable, Method::DELETE, &erasable.id).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "statutory_retention");
    let refused = admin
        .post(
            "/api/v1/admin/subjects/erase",
            json!({ "conversation_id": erasable.id }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(
        admin.post(&erasable_path, json!({ "ground": null })).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(
        as_customer(&app, &erasable, Method::DELETE, &erasable.id)
            .await
            .status()
            .is_success()
    );

    // Past every ordinary period (transcripts 90 days, vault 30): only the untagged one goes.
    app.clock.advance(chrono::Duration::days(400));
    let report = retention_run(&app, "privacy2").await;
    assert_eq!(report["removed"]["transcripts"], 1, "{report}");
    assert_eq!(report["removed"]["statutory_transcripts"], 0, "{report}");
    assert_eq!(report["removed"]["vault"], 0, "{report}");
    assert_eq!(
        as_customer(&app, &ordinary, Method::GET, &ordinary.id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.messages(&kept).await.len(), 3);
    assert_eq!(
        app.loket
            .store()
            .vault(&loket_core::ConversationId::parse(&kept.id).unwrap())
            .await
            .unwrap()
            .len(),
        1,
        "the record is kept as the customer wrote it"
    );

    // Past the ground's five years.
    app.clock.advance(chrono::Duration::days(1500));
    let report = retention_run(&app, "privacy3").await;
    assert_eq!(report["removed"]["statutory_transcripts"], 1, "{report}");
    assert_eq!(
        as_customer(&app, &kept, Method::GET, &kept.id).await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// A retention run started by a newly logged-in admin `login` (sessions expire while the test
/// clock jumps); its report.
async fn retention_run(app: &TestApp, login: &str) -> Value {
    let admin = app.agent(login, "Privacy Officer", Role::Admin).await;
    admin
        .post("/api/v1/admin/retention/run", json!({}))
        .await
        .json()
        .await
        .expect("a retention report")
}

/// The register of data subjects' requests (PRIV-07, GDPR art. 12(3)): an admin registers a
/// request under the company's reference, records the extension told within the first month and
/// the answer; each state is judged against its deadline; auditors read the register, agents do
/// not; a request open past its month makes PRIV-07 "not met" in the compliance report.
#[tokio::test]
async fn the_register_of_requests_keeps_the_one_month_deadline_of_art_12_3_priv_07() {
    let app = TestApp::spawn().await;
    let customer = app.open("nl").await;
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let auditor = app.agent("audit", "Auditor", Role::Auditor).await;
    let agent = app.agent("anna", "Anna", Role::Agent).await;
    let path = "/api/v1/admin/rights-requests";
    let empty: Value = auditor.get(path).await.json().await.unwrap();
    assert_eq!((empty["open"].as_u64(), empty["late"].as_u64()), (Some(0), Some(0)));
    let now = chrono::DateTime::parse_from_rfc3339(empty["generated_at"].as_str().unwrap()).unwrap();
    let time = |value: &Value| chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap();

    let response = admin
        .post(
            path,
            json!({ "reference": "AVG-2026-41", "right": "erasure", "conversation_ids": [customer.id] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let erasure: Value = response.json().await.unwrap();
    assert_eq!(erasure["standing"], "open");
    assert_eq!(erasure["conversations"][0], customer.id.as_str());
    let received = time(&erasure["received_at"]);
    let month = time(&erasure["deadline"]) - received;
    assert!((28..=31).contains(&month.num_days()), "one calendar month: {erasure}");
    assert_eq!(erasure["extension_possible_until"], erasure["deadline"]);

    let old = (now - chrono::Duration::days(40)).to_rfc3339();
    let response = admin
        .post(
            path,
            json!({ "reference": "AVG-2026-07", "right": "access", "received_at": old }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let overdue: Value = response.json().await.unwrap();
    assert_eq!(overdue["standing"], "overdue");
    assert!(overdue["extension_possible_until"].is_null());

    let refusals = [
        (
            json!({ "reference": "AVG-2026-41", "right": "access" }),
            StatusCode::CONFLICT,
            "reference_taken",
        ),
        (
            json!({ "reference": "AVG 41", "right": "access" }),
            StatusCode::BAD_REQUEST,
            "invalid_reference",
        ),
        (
            json!({ "reference": "AVG-9", "right": "forget" }),
            StatusCode::BAD_REQUEST,
            "invalid_right",
        ),
        (
            json!({ "reference": "AVG-9", "right": "access", "received_at": (now + chrono::Duration::days(2)).to_rfc3339() }),
            StatusCode::BAD_REQUEST,
            "invalid_time",
        ),
        (
            json!({ "reference": "AVG-9", "right": "access", "conversation_ids": ["nope"] }),
            StatusCode::BAD_REQUEST,
            "invalid_conversation_id",
        ),
    ];
    for (body, status, code) in refusals {
        let response = admin.post(path, body.clone()).await;
        assert_eq!(response.status(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], code, "{body}: {error}");
    }

    let extended: Value = admin
        .post(&format!("{path}/AVG-2026-41/extend"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let months = time(&extended["deadline"]) - received;
    assert!((89..=92).contains(&months.num_days()), "three months: {extended}");
    assert!(extended["extension_possible_until"].is_null());
    for (reference, code) in [
        ("AVG-2026-41", "already_extended"),
        ("AVG-2026-07", "extension_too_late"),
    ] {
        let response = admin.post(&format!("{path}/{reference}/extend"), json!({})).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], code);
    }
    let unknown = admin.post(&format!("{path}/AVG-404/extend"), json!({})).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let answer = format!("{path}/AVG-2026-41/answer");
    let bad = admin.post(&answer, json!({ "outcome": "maybe" })).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let answered: Value = admin
        .post(&answer, json!({ "outcome": "fulfilled" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (answered["standing"].as_str(), answered["outcome"].as_str()),
        (Some("answered_in_time"), Some("fulfilled"))
    );
    let again = admin.post(&answer, json!({ "outcome": "refused" })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let register: Value = auditor.get(path).await.json().await.unwrap();
    let order: Vec<&str> = register["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["reference"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["AVG-2026-07", "AVG-2026-41"], "open first: {register}");
    assert_eq!(
        (register["open"].as_u64(), register["late"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        auditor
            .post(path, json!({ "reference": "AVG-10", "right": "access" }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(agent.get(path).await.status(), StatusCode::FORBIDDEN);

    let report = app.compliance_report().await;
    let row = crate::compliance::row(&report, "PRIV-07");
    assert_eq!(row["status"], "not_met", "{row}");
    assert!(row.to_string().contains("AVG-2026-07: access"), "{row}");

    // Alerting on the deadline: the open requests per standing, counts only. The test binary
    // shares one metrics recorder, so another test's scrape may set the gauges between this
    // scrape's setting and rendering them: a few scrapes are allowed.
    let expected: Vec<String> = [("open", "0"), ("due_soon", "0"), ("overdue", "1")]
        .iter()
        .map(|(standing, count)| format!("loket_rights_requests_open{{standing=\"{standing}\"}} {count}"))
        .collect();
    let mut metrics = String::new();
    for _ in 0..5 {
        metrics = app.metrics().await;
        if expected.iter().all(|line| metrics.lines().any(|metric| metric == line)) {
            break;
        }
    }
    for line in &expected {
        assert!(metrics.lines().any(|metric| metric == line), "{line} in\n{metrics}");
    }
    assert!(!metrics.contains("AVG-2026"), "no references in the metrics");
    app.stop().await;
}

/// HUM-07, PRIV-07: a data subject's request typed in the chat is not answered by the bot. The
/// customer reads that a person handles it, within the law's month, and that this conversation
/// can already be downloaded or erased; the conversation waits in the queue labelled as a privacy
/// request. A question about how to make a request is still answered from the knowledge base.
/// The compliance report counts the request and lists its conversation until a registered
/// request names it; the audit record holds the right, never the text.
#[tokio::test]
async fn a_data_subjects_request_typed_in_the_chat_reaches_a_person_and_the_register_hum_07_priv_07() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    let turn = app
        .say_ok(&customer, "Verwijder al mijn gegevens alstublieft, ook mijn account.")
        .await;
    assert_eq!(turn["state"], "waiting_for_agent", "{turn}");
    let messages = turn["messages"].as_array().cloned().unwrap_or_default();
    let kinds: Vec<String> = messages
        .iter()
        .map(|message| {
            format!(
                "{}:{}",
                message["author"].as_str().unwrap_or_default(),
                message["kind"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(kinds, ["customer:text", "system:notice", "system:handoff"], "{turn}");
    let receipt = messages[1]["text"].as_str().unwrap_or_default();
    assert!(
        receipt
            .starts_with("Uw verzoek om verwijdering van uw gegevens behandelt een medewerker, niet de AI-assistent."),
        "{receipt}"
    );
    assert!(
        receipt.contains("'Download gesprek'") && receipt.contains("een maand"),
        "{receipt}"
    );

    let queue: Value = sanne.get("/api/v1/agent/queue").await.json().await.unwrap();
    let waiting = queue["waiting"].as_array().cloned().unwrap_or_default();
    let item = waiting
        .iter()
        .find(|item| item["id"] == customer.id.as_str())
        .expect("queued");
    assert_eq!(item["reason"], "privacy", "{queue}");

    // A question about how is not a request: the knowledge base answers or abstains.
    let asking = app.open("nl").await;
    let turn = app.say_ok(&asking, "Hoe kan ik mijn gegevens laten verwijderen?").await;
    assert_eq!(turn["state"], "bot", "{turn}");
    let asked = app
        .loket
        .ask("Ik wil inzage in mijn persoonsgegevens", loket_core::Locale::Nl)
        .expect("ask");
    assert_eq!(asked.reply, loket_core::conversation::BotReply::NotAsked);

    let records = app.loket.store().audit_records(0, 1000).await.unwrap_or_default();
    let received: Vec<&loket_core::audit::AuditEvent> = records
        .iter()
        .map(|record| &record.event)
        .filter(|event| event.kind == loket_core::audit::AuditKind::RightsRequestReceived)
        .collect();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].attribute_text("right"), Some("erasure"));
    let logged = serde_json::to_string(&received).unwrap_or_default();
    assert!(!logged.contains("gegevens") && !logged.contains("account"), "{logged}");

    let report = app.compliance_report().await;
    let row = crate::compliance::row(&report, "PRIV-07");
    assert_eq!(row["status"], "requires_human_input", "{row}");
    assert!(
        row.to_string()
            .contains("erasure: 1; conversations no registered request lists: 1 (past the month: 0)"),
        "{row}"
    );
    assert!(row.to_string().contains(customer.id.as_str()), "{row}");
    let hum_07 = crate::compliance::row(&report, "HUM-07").to_string();
    assert!(
        hum_07.contains("non-AI acknowledgement") && hum_07.contains("erasure: 1"),
        "{hum_07}"
    );

    // The privacy officer's register lists it with its month, until a request names it.
    let admin = app.agent("privacy", "Privacy Officer", Role::Admin).await;
    let register: Value = admin.get("/api/v1/admin/rights-requests").await.json().await.unwrap();
    let typed = register["from_chat"].as_array().cloned().unwrap_or_default();
    assert_eq!(typed.len(), 1, "{register}");
    assert_eq!(typed[0]["conversation_id"], customer.id.as_str());
    assert_eq!(typed[0]["right"], "erasure");
    assert_eq!(typed[0]["overdue"], false);
    let response = admin
        .post(
            "/api/v1/admin/rights-requests",
            json!({ "reference": "AVG-2026-88", "right": "erasure", "conversation_ids": [customer.id], "received_at": typed[0]["received_at"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let register: Value = admin.get("/api/v1/admin/rights-requests").await.json().await.unwrap();
    assert_eq!(register["from_chat"], json!([]), "{register}");
    let report: Value = admin
        .get("/api/v1/admin/compliance-report?format=json")
        .await
        .json()
        .await
        .unwrap();
    let row = crate::compliance::row(&report, "PRIV-07");
    assert_ne!(row["status"], "requires_human_input", "{row}");
    assert!(
        row.to_string().contains("conversations no registered request lists: 0"),
        "{row}"
    );
    app.stop().await;
}
