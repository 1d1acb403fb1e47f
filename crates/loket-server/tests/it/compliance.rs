//! The compliance report and the dashboard (GOV-07, HUM-12): role-restricted, and the auditor
//! never sees anything a customer typed.

use loket_core::staff::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Something a customer types that must never appear in evidence.
const CUSTOMER_TEXT: &str = "Mijn fiets met framenummer zebrapad-kwartel-73 is stuk";

/// A conversation with an answer attempt, a request for a person and a takeover 90 seconds later.
async fn seed_conversation(app: &TestApp) {
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, CUSTOMER_TEXT).await;
    let answered = app.say_ok(&customer, "Hoe lang is de bedenktijd?").await;
    let seq = answered["messages"]
        .as_array()
        .and_then(|messages| messages.iter().find(|message| message["kind"] == "answer"))
        .and_then(|message| message["seq"].as_i64())
        .expect("an answer");
    let rated = app.rate(&customer, &seq.to_string(), json!({"helpful": true})).await;
    assert_eq!(rated.status(), StatusCode::NO_CONTENT);
    app.say_ok(&customer, "Moet ik mijn spaargeld beleggen?").await;
    let waiting = app.ask_person(&customer).await;
    assert_eq!(waiting["state"], "waiting_for_agent");
    app.clock.advance(chrono::Duration::seconds(90));
    let claimed = sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
}

pub(crate) fn row<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|section| section["rows"].as_array().into_iter().flatten())
        .find(|row| row["id"] == id)
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn an_agent_is_refused_and_an_auditor_gets_report_and_dashboard_without_customer_text_gov_07() {
    let app = TestApp::spawn().await;
    seed_conversation(&app).await;

    let agent = app.agent("pieter", "Pieter", Role::Agent).await;
    for path in ["/api/v1/admin/compliance-report", "/api/v1/admin/dashboard"] {
        let refused = agent.get(path).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "forbidden");
        let anonymous = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }

    let auditor = app.agent("audrey", "Audrey", Role::Auditor).await;
    let response = auditor.get("/api/v1/admin/compliance-report").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = response.text().await.unwrap();
    assert!(!text.contains("zebrapad"), "the report contains customer text");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(row(&report, "DIS-01")["status"], "met");
    assert_eq!(report["evidence"]["disclosure"]["conversations_checked"], 1);
    assert_eq!(report["evidence"]["handoff"]["median_seconds_to_person"], 90);
    assert_eq!(report["evidence"]["audit_chain"]["intact"], true);
    assert_eq!(
        row(&report, "SEC-09")["status"],
        "met",
        "a second factor is required by default"
    );
    assert_eq!(report["accessibility"]["status"], "not_recorded");

    for (format, content_type) in [("md", "text/markdown"), ("html", "text/html")] {
        let response = auditor
            .get(&format!("/api/v1/admin/compliance-report?format={format}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(content_type)
        );
        let body = response.text().await.unwrap();
        assert!(!body.contains("zebrapad"), "the {format} report contains customer text");
        assert!(body.contains("DIS-01"));
    }

    let response = auditor.get("/api/v1/admin/dashboard?days=7").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(!text.contains("zebrapad"), "the dashboard contains customer text");
    let dashboard: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(dashboard["series"].as_array().map(Vec::len), Some(7));
    assert_eq!(dashboard["totals"]["conversations_started"], 1);
    assert_eq!(dashboard["totals"]["handed_to_people"], 1);
    assert_eq!(dashboard["totals"]["median_seconds_to_person"], 90);
    // The feedback chart and the guard chart read these (ACC-09, ACC-10).
    assert_eq!(dashboard["totals"]["rated_right"], 1);
    assert_eq!(dashboard["totals"]["rated_wrong"], 0);
    assert_eq!(dashboard["totals"]["advice_declined"], 1);

    // Every generation is evidence itself.
    let records = app.loket.store().audit_records(0, 10_000).await.unwrap();
    let generated = records
        .iter()
        .filter(|record| record.event.kind == loket_core::audit::AuditKind::ReportGenerated)
        .count();
    assert_eq!(generated, 3);
    app.stop().await;
}

#[tokio::test]
async fn bad_days_and_formats_get_stable_400_codes() {
    let app = TestApp::spawn().await;
    let admin = app.agent("root", "Root", Role::Admin).await;
    for days in ["0", "367", "abc", "-1"] {
        let response = admin.get(&format!("/api/v1/admin/dashboard?days={days}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "days={days}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "invalid_days");
    }
    let response = admin.get("/api/v1/admin/compliance-report?format=pdf").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_format");
    let empty = admin.get("/api/v1/admin/dashboard").await;
    assert_eq!(empty.status(), StatusCode::OK);
    let dashboard: Value = empty.json().await.unwrap();
    assert_eq!(dashboard["days"], 30);
    app.stop().await;
}

#[tokio::test]
async fn the_accessibility_summary_in_the_data_directory_feeds_a11y_01() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("accessibility.json"),
        r#"{"tool":"axe-core 4.14.1","generated_at":"2026-11-29T08:00:00Z","test_files":4,"scans":12,
            "states":["widget open"],"violations":{"critical":0,"serious":0,"moderate":1,"minor":0},"duration_ms":5300}"#,
    )
    .unwrap();
    let data_dir = data.path().display().to_string();
    let app = TestApp::spawn_with(move |config| config.server.data_dir = data_dir).await;
    let auditor = app.agent("audrey", "Audrey", Role::Auditor).await;
    let response = auditor.get("/api/v1/admin/compliance-report?format=json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accessibility"]["status"], "recorded");
    assert_eq!(report["accessibility"]["scans"], 12);
    assert_eq!(row(&report, "A11Y-01")["status"], "met");
    app.stop().await;
}

#[tokio::test]
async fn a_conversation_stored_without_the_disclosure_first_is_listed_by_id_dis_01() {
    use loket_core::audit::{AuditEvent, AuditKind};
    use loket_core::{Author, Conversation, ConversationId, Locale, MessageKind, NewMessage};
    use loket_store::{NewConversation, Store};

    let directory = tempfile::tempdir().unwrap();
    let store = loket_store_sqlite::SqliteStore::open(directory.path(), 1)
        .await
        .unwrap();
    let config = loket_core::config::Config::default().validate().unwrap();
    let now = crate::helpers::monday_morning();
    let id = ConversationId::parse("0194a3b2-7c1d-7e00-8000-000000000dd1").unwrap();
    // A bug that skipped the disclosure: the customer's message is stored first, and the audit
    // log records an AI answer before any disclosure. (The SQLite schema itself refuses to store
    // an AI message before a disclosure, so the transcript check sees the customer message.)
    let mut transition = Conversation::start(id.clone(), Locale::Nl, now, &config.wording);
    transition.messages = vec![NewMessage {
        author: Author::Customer,
        kind: MessageKind::Text,
        text: "Hoeveel dagen bedenktijd heb ik?".into(),
        author_label: "U".into(),
        lang: Locale::Nl,
        citations: Vec::new(),
        offers_human: false,
        generated_by: None,
        suggestions: Vec::new(),
    }];
    transition.audit = vec![
        AuditEvent::new(AuditKind::ConversationStarted, Some(&id), "customer"),
        AuditEvent::new(AuditKind::AiAnswer, Some(&id), "system").id("bedenktijd-nl"),
    ];
    store
        .create_conversation(NewConversation {
            conversation: transition.conversation,
            token_hash: "0".repeat(64),
            data_key: vec![0; 60],
            subject: None,
            messages: transition.messages,
            audit: transition.audit,
            now,
        })
        .await
        .unwrap();

    let evidence = loket_service::compliance::collect_evidence(&store).await.unwrap();
    let disclosure = &evidence.disclosure;
    assert_eq!(disclosure.conversations_checked, 1);
    assert_eq!(disclosure.violations_total, 2, "{:?}", disclosure.violations);
    assert!(
        disclosure
            .violations
            .iter()
            .all(|violation| violation.conversation_id == id.as_str())
    );
    let report = loket_service::compliance::ComplianceReport::build(
        &config,
        evidence,
        loket_service::compliance::AccessibilityStatus::NotRecorded,
        now,
    );
    assert_eq!(
        report.row("DIS-01").map(|row| row.status),
        Some(loket_service::compliance::Status::NotMet)
    );
    let markdown = report.render(loket_service::compliance::ReportFormat::Md).unwrap();
    assert!(markdown.contains(id.as_str()));
    assert!(!markdown.contains("bedenktijd heb ik"), "no message text in the report");
}

#[tokio::test]
async fn the_notice_page_is_generated_from_the_configuration_in_both_languages_priv_02_gov_10() {
    let app = TestApp::spawn_with(|config| {
        config.privacy.contact = "fg-vragen@despaak.example".into();
        config.privacy.dpo_contact = Some("fg@despaak.example".into());
    })
    .await;
    let get = |query: &str| {
        let client = app.client.clone();
        let url = format!("{}/about{query}", app.address);
        async move { client.get(url).send().await.expect("request") }
    };
    let response = get("").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["content-language"], "nl");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .starts_with("default-src 'none'")
    );
    let dutch = response.text().await.unwrap_or_default();
    assert!(dutch.starts_with("<!doctype html>\n<html lang=\"nl\">"), "{dutch}");
    for expected in [
        "fg-vragen@despaak.example",
        "Functionaris gegevensbescherming: fg@despaak.example",
        "Autoriteit Persoonsgegevens",
        "ConsuWijzer",
        "Toegankelijkheid",
        "020-123 4567",
    ] {
        assert!(dutch.contains(expected), "{expected:?} missing");
    }
    let english = get("?locale=en").await.text().await.unwrap_or_default();
    assert!(
        english.contains("<h1>About this chat of Fietsenwinkel De Spaak</h1>"),
        "{english}"
    );
    // An unknown language gets the Dutch page, never an error.
    let unknown = get("?locale=xx").await;
    assert_eq!(unknown.status(), StatusCode::OK);
    assert!(unknown.text().await.unwrap_or_default().contains("<html lang=\"nl\">"));
    app.stop().await;
}

/// The dashboard reads the log from its window's start, found by a binary search of point reads
/// (HUM-12): records from before the window are neither read nor counted, and the search finds
/// the last record before any moment, the anchor before all of them and the head after all.
#[tokio::test]
async fn the_dashboard_reads_the_log_from_its_window_found_by_binary_search_hum_12() {
    use loket_core::audit::{AuditEvent, AuditKind};
    use loket_service::dashboard::last_seq_before;
    let app = TestApp::spawn().await;
    let store = app.loket.store().clone();
    let start = app.loket.now();
    let answer = || vec![AuditEvent::new(AuditKind::AiAnswer, None, "system")];
    for minute in 1..=100 {
        store
            .append_audit(answer(), start + chrono::Duration::minutes(minute))
            .await
            .unwrap();
    }
    let old_head = store.audit_head().await.unwrap().unwrap();
    app.clock.advance(chrono::Duration::days(30));
    let now = app.loket.now();
    for second in 1..=7 {
        store
            .append_audit(answer(), now - chrono::Duration::seconds(60 - second))
            .await
            .unwrap();
    }
    let head = store.audit_head().await.unwrap().unwrap();
    let records = store.audit_records(0, 10_000).await.unwrap();
    assert_eq!(
        last_seq_before(&*store, start - chrono::Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(last_seq_before(&*store, now).await.unwrap(), head.seq);
    assert_eq!(
        last_seq_before(&*store, now - chrono::Duration::days(9)).await.unwrap(),
        old_head.seq
    );
    for probe in [3, 17, 50, 99] {
        let time = start + chrono::Duration::minutes(probe) + chrono::Duration::seconds(30);
        let expected = records
            .iter()
            .filter(|record| record.at < time)
            .map(|record| record.seq)
            .max()
            .unwrap();
        assert_eq!(
            last_seq_before(&*store, time).await.unwrap(),
            expected,
            "minute {probe}"
        );
    }

    let auditor = app.agent("oog", "Oog", Role::Auditor).await;
    let dashboard: Value = auditor
        .get("/api/v1/admin/dashboard?days=7")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        dashboard["totals"]["answers"], 7,
        "only the window's answers: {}",
        dashboard["totals"]
    );
    let month: Value = auditor
        .get("/api/v1/admin/dashboard?days=31")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(month["totals"]["answers"], 107);
    app.stop().await;
}
