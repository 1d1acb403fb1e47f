//! The knowledge base's admin API (the knowledge-base issue, scope 1; GOV-06, SEC-13): an admin
//! imports files over HTTP, the running server answers from the new generation at once, bad
//! input gets stable codes, a failed import leaves the served knowledge as it was, and every
//! import is audited with counts, never content.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use loket_core::audit::AuditKind;
use loket_core::staff::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const QUESTION: &str = "Verkopen jullie ook tandems voor twee personen?";

fn file(path: &str, content: &str) -> Value {
    json!({ "path": path, "content_base64": STANDARD.encode(content) })
}

fn tandem_faq() -> Value {
    file(
        "faq/tandem.jsonl",
        r#"{"id":"tandem","question":"Verkopen jullie ook tandems voor twee personen?","alt_questions":["Hebben jullie tandems?"],"answer":"Ja, wij verkopen tandems voor twee personen in de winkel en online.","lang":"nl"}"#,
    )
}

async fn answer_entry(app: &TestApp) -> Option<String> {
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, QUESTION).await;
    turn["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|message| message["kind"] == "answer")
        .and_then(|message| message["citations"][0]["id"].as_str().map(str::to_string))
}

async fn check(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["code"], code, "{body}");
    body
}

#[tokio::test]
async fn an_admin_imports_over_the_api_and_the_running_server_answers_from_it_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.agent("ada", "Ada", Role::Admin).await;
    assert_eq!(answer_entry(&app).await, None, "not in the fixture knowledge base");

    let broken = file("pages/kapot.md", "---\ntitle: [niet afgesloten\n---\nTekst");
    let response = admin
        .post(
            "/api/v1/admin/knowledge/import",
            json!({ "files": [tandem_faq(), broken] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["public_entries"], 1, "{report}");
    assert_eq!(report["files"], 2);
    assert_eq!(report["rejected"][0]["source"], "pages/kapot.md", "{report}");
    assert!(
        report["generation"]
            .as_str()
            .is_some_and(|generation| !generation.is_empty())
    );
    assert_eq!(answer_entry(&app).await.as_deref(), Some("tandem"));

    // Audited with its counts; no file name, no text.
    let records = app.loket.store().audit_records(0, 10_000).await.unwrap();
    let imported: Vec<_> = records
        .iter()
        .filter(|record| record.event.kind == AuditKind::KnowledgeImported)
        .collect();
    assert_eq!(imported.len(), 1);
    let event = &imported[0].event;
    assert_eq!(event.attribute_text("action"), Some("import"));
    assert_eq!(event.actor, "agent:ada");
    assert_eq!(event.counts.get("public_entries"), Some(&1));
    assert_eq!(event.counts.get("rejected_files"), Some(&1));
    let text = serde_json::to_string(event).unwrap();
    assert!(!text.contains("tandem") && !text.contains("kapot"), "{text}");
    let report = app.compliance_report().await;
    let gov_06 = crate::compliance::row(&report, "GOV-06").to_string();
    assert!(
        gov_06.contains("knowledge imports audited: 1, rollbacks: 0"),
        "{gov_06}"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_imports_get_stable_codes_and_the_served_knowledge_stays() {
    let app = TestApp::spawn_with(|config| config.limits.import_body_bytes = 4096).await;
    let admin = app.agent("ada", "Ada", Role::Admin).await;
    let imported = admin
        .post("/api/v1/admin/knowledge/import", json!({ "files": [tandem_faq()] }))
        .await;
    assert_eq!(imported.status(), StatusCode::OK);

    let agent = app.agent("sanne", "Sanne", Role::Agent).await;
    let refused = agent
        .post("/api/v1/admin/knowledge/import", json!({ "files": [tandem_faq()] }))
        .await;
    check(refused, StatusCode::FORBIDDEN, "forbidden").await;

    for body in [
        json!({ "files": [] }),
        json!({ "files": [{ "path": "a.jsonl", "content_base64": "not base64!" }] }),
        json!({ "files": [{ "path": "", "content_base64": "" }] }),
        json!({ "files": [{ "path": "a\u{0}.md", "content_base64": "" }] }),
    ] {
        let response = admin.post("/api/v1/admin/knowledge/import", body.clone()).await;
        check(response, StatusCode::BAD_REQUEST, "invalid_import").await;
    }
    let malformed = admin
        .post("/api/v1/admin/knowledge/import", json!({ "files": "none" }))
        .await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    // Every file rejected: 422, and the generation imported before still answers.
    let empty = file("leeg.md", "");
    let failed = admin
        .post("/api/v1/admin/knowledge/import", json!({ "files": [empty] }))
        .await;
    let body = check(failed, StatusCode::UNPROCESSABLE_ENTITY, "nothing_imported").await;
    assert!(
        body["message"].as_str().unwrap_or_default().contains("leeg.md"),
        "{body}"
    );
    assert_eq!(answer_entry(&app).await.as_deref(), Some("tandem"));

    // Over limits.import_body_bytes: 413 before anything is read.
    let large = file("groot.md", &"x".repeat(8192));
    let too_large = admin
        .post("/api/v1/admin/knowledge/import", json!({ "files": [large] }))
        .await;
    check(too_large, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(answer_entry(&app).await.as_deref(), Some("tandem"));
    app.stop().await;
}
