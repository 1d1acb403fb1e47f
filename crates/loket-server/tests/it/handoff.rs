//! A person is always reachable: handover, claim, live chat, hand-back, closed hours, tickets.

use loket_core::staff::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, kinds, sunday};

#[tokio::test]
async fn full_handover_both_ways_with_the_switches_announced_hum_02_hum_11() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let mut console = sanne.go_online().await;
    let customer = app.open("nl").await;
    let mut customer_stream = app.follow(&customer, 1).await;

    // A typed request is handed over in the very next response.
    let turn = app.say_ok(&customer, "Ik wil graag een medewerker spreken").await;
    assert_eq!(turn["state"], "waiting_for_agent");
    let handoff = &turn["messages"][1];
    assert_eq!(handoff["kind"], "handoff");
    assert!(
        handoff["text"]
            .as_str()
            .unwrap_or_default()
            .contains("nummer 1 in de wachtrij")
    );

    let mut queue = console.next_event("queue").await;
    while queue["waiting"].as_array().is_none_or(|waiting| waiting.is_empty()) {
        queue = console.next_event("queue").await;
    }
    assert_eq!(queue["waiting"][0]["id"], customer.id.as_str());

    // The agent claims and sees the whole transcript (HUM-03).
    let claimed = sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let view: Value = claimed.json().await.unwrap();
    assert_eq!(view["state"], "with_agent");
    assert!(
        view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|message| message["text"] == "Ik wil graag een medewerker spreken")
    );

    // The customer is told who joined, live.
    let mut joined = customer_stream.next_event("message").await;
    while joined["kind"] != "handoff" || !joined["text"].as_str().unwrap_or_default().contains("Sanne") {
        joined = customer_stream.next_event("message").await;
    }
    assert!(
        joined["text"]
            .as_str()
            .unwrap_or_default()
            .contains("U chat nu met Sanne, medewerker")
    );

    // The bot is silent while the agent holds the conversation.
    let turn = app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    assert_eq!(kinds(turn["messages"].as_array().unwrap()), vec!["customer:text"]);

    // The agent answers; the customer sees it labelled as an employee.
    let reply = sanne
        .post(
            &format!("/api/v1/agent/conversations/{}/messages", customer.id),
            json!({"text": "Ik kijk het voor u na."}),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let mut agent_message = customer_stream.next_event("message").await;
    while agent_message["author"] != "agent" {
        agent_message = customer_stream.next_event("message").await;
    }
    assert_eq!(agent_message["author_label"], "Sanne, medewerker");

    // Hand-back: announced, disclosure repeated (DIS-05).
    let back = sanne
        .post(
            &format!("/api/v1/agent/conversations/{}/handback", customer.id),
            json!({}),
        )
        .await;
    assert_eq!(back.status(), StatusCode::OK);
    let back: Value = back.json().await.unwrap();
    assert_eq!(back["state"], "bot");
    assert_eq!(
        kinds(back["messages"].as_array().unwrap()),
        vec!["system:handoff", "system:disclosure"]
    );
    let turn = app.say_ok(&customer, "Hoe lang duurt de levering?").await;
    assert_eq!(turn["messages"][1]["kind"], "answer");
    app.stop().await;
}

#[tokio::test]
async fn the_talk_to_a_person_control_works_in_every_state_hum_01() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("en").await;
    let waiting = app.ask_person(&customer).await;
    assert_eq!(waiting["state"], "waiting_for_agent");
    let again = app.ask_person(&customer).await;
    assert_eq!(
        again["messages"][0]["kind"], "notice",
        "asking again while waiting gets the queue position"
    );
    sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    let with_agent = app.ask_person(&customer).await;
    assert!(
        with_agent["messages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("already chatting with Sanne")
    );
    sanne
        .post(&format!("/api/v1/agent/conversations/{}/close", customer.id), json!({}))
        .await;
    let reopened = app.ask_person(&customer).await;
    assert_eq!(reopened["state"], "waiting_for_agent");
    assert_eq!(
        kinds(reopened["messages"].as_array().unwrap()),
        vec!["system:disclosure", "system:handoff"]
    );
    app.stop().await;
}

#[tokio::test]
async fn two_agents_cannot_claim_the_same_conversation() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let piet = app.agent("piet", "Piet", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.ask_person(&customer).await;
    let path = format!("/api/v1/agent/conversations/{}/claim", customer.id);
    let (first, second) = tokio::join!(sanne.post(&path, json!({})), piet.post(&path, json!({})));
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let loser = if first.status() == StatusCode::CONFLICT {
        first
    } else {
        second
    };
    let body: Value = loser.json().await.unwrap();
    assert_eq!(body["code"], "already_claimed");
    app.stop().await;
}

#[tokio::test]
async fn an_agent_acting_on_a_conversation_they_do_not_hold_gets_409() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let piet = app.agent("piet", "Piet", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.ask_person(&customer).await;
    sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    for action in ["messages", "handback", "close"] {
        let response = piet
            .post(
                &format!("/api/v1/agent/conversations/{}/{action}", customer.id),
                json!({"text": "hallo"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{action}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "not_assigned", "{action}");
    }
    app.stop().await;
}

#[tokio::test]
async fn outside_hours_the_customer_gets_hours_and_alternatives_and_can_leave_a_callback_hum_04() {
    let app = TestApp::spawn().await;
    app.clock.set(sunday());
    let customer = app.open("nl").await;
    let turn = app.say_ok(&customer, "mag ik een mens spreken").await;
    assert_eq!(turn["state"], "bot");
    let unavailable = &turn["messages"][1];
    assert_eq!(unavailable["kind"], "unavailable");
    let text = unavailable["text"].as_str().unwrap_or_default();
    assert!(text.contains("maandag 30-11 vanaf 09:00"), "{text}");
    assert!(
        text.contains("020-123 4567") && text.contains("klantenservice@despaak.example"),
        "{text}"
    );

    let response = app
        .client
        .post(format!("{}/api/v1/conversations/{}/callback", app.address, customer.id))
        .bearer_auth(&customer.token)
        .json(&json!({"name": "Jan de Vries", "phone": "06-12345678", "preferred_time": "maandagochtend"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["messages"][0]["kind"], "ticket");

    let missing = app
        .client
        .post(format!("{}/api/v1/conversations/{}/callback", app.address, customer.id))
        .bearer_auth(&customer.token)
        .json(&json!({"name": "Jan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);

    app.clock.set(crate::helpers::monday_morning());
    let agent = app.agent("sanne", "Sanne", Role::Agent).await;
    let queue: Value = agent.get("/api/v1/agent/queue").await.json().await.unwrap();
    let ticket = &queue["tickets"][0];
    assert_eq!(ticket["id"], created["ticket_id"]);
    assert_eq!(ticket["kind"], "callback");
    assert!(
        ticket["phone"].as_str().unwrap_or_default().starts_with("[PHONE_"),
        "contact details are pseudonymised: {ticket}"
    );
    app.stop().await;
}

#[tokio::test]
async fn within_hours_but_nobody_online_is_said_truthfully() {
    let app = TestApp::spawn().await;
    let customer = app.open("en").await;
    let turn = app.ask_person(&customer).await;
    assert_eq!(turn["state"], "bot");
    assert_eq!(turn["messages"][0]["kind"], "unavailable");
    assert!(
        turn["messages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("not available right now")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_long_wait_leads_to_the_alternatives() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.ask_person(&customer).await;
    app.clock.advance(chrono::Duration::minutes(11));
    let report = app.loket.maintain().await.unwrap();
    assert_eq!(report.wait_timeouts, 1);
    let messages = app.messages(&customer).await;
    let last = messages.last().unwrap();
    assert_eq!(last["kind"], "unavailable");
    assert!(
        last["text"]
            .as_str()
            .unwrap_or_default()
            .contains("langer dan verwacht")
    );
    app.stop().await;
}

#[tokio::test]
async fn when_the_agent_disconnects_the_conversation_returns_to_the_queue_with_its_transcript() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let online = sanne.go_online().await;
    let customer = app.open("nl").await;
    app.say_ok(&customer, "Ik wil een medewerker").await;
    sanne
        .post(&format!("/api/v1/agent/conversations/{}/claim", customer.id), json!({}))
        .await;
    let before = app.messages(&customer).await.len();
    drop(online);
    // The stream's end is noticed by the server when its next write fails or the connection
    // closes; wait for presence to drop, then past the grace period.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        app.clock.advance(chrono::Duration::seconds(61));
        let report = app.loket.maintain().await.unwrap();
        if report.returned_to_queue == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the conversation never returned to the queue"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let messages = app.messages(&customer).await;
    assert_eq!(
        messages.len(),
        before + 1,
        "the transcript is intact and the customer told"
    );
    assert!(
        messages.last().unwrap()["text"]
            .as_str()
            .unwrap_or_default()
            .contains("weer in de wachtrij")
    );
    let view: Value = app
        .client
        .get(format!("{}/api/v1/conversations/{}", app.address, customer.id))
        .bearer_auth(&customer.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["state"], "waiting_for_agent");
    app.stop().await;
}

#[tokio::test]
async fn a_customer_who_stops_following_a_waiting_conversation_counts_as_abandoned_once_hum_12() {
    let app = TestApp::spawn().await;
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let followed = app.open("nl").await;
    let left = app.open("nl").await;
    let mut stream = app.follow(&followed, 0).await;
    stream.next_event("message").await;
    app.ask_person(&followed).await;
    app.ask_person(&left).await;
    app.clock.advance(chrono::Duration::seconds(90));
    assert_eq!(
        app.loket.maintain().await.unwrap().abandoned,
        1,
        "only the conversation nobody follows"
    );
    assert_eq!(app.loket.maintain().await.unwrap().abandoned, 0, "counted once");
    app.stop().await;
}

/// HUM-08: a handover goes to someone who speaks the customer's language. With only an
/// English-speaking agent online, a Dutch customer is told that nobody who speaks Dutch is
/// available and gets the alternatives instead of a queue that no one would answer in Dutch;
/// an English customer is queued as usual. The widget, the metrics and the compliance report
/// see the same.
#[tokio::test]
async fn a_handover_is_offered_only_while_someone_who_speaks_the_customers_language_is_online_hum_08() {
    let app = TestApp::spawn().await;
    let john = app
        .agent_speaking("john", "John", Role::Agent, &[loket_core::Locale::En])
        .await;
    let _online = john.go_online().await;

    let dutch = app.open("nl").await;
    let turn = app.say_ok(&dutch, "Ik wil een medewerker spreken").await;
    assert_eq!(turn["state"], "bot");
    let reply = turn["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["kind"] == "unavailable")
        .expect("the alternatives");
    let text = reply["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Er is nu geen medewerker bereikbaar die Nederlands spreekt."),
        "{text}"
    );
    assert!(text.contains("laat uw gegevens achter"), "{text}");
    // The control gives the same answer, and the Dutch customer can still leave a callback.
    assert_eq!(app.ask_person(&dutch).await["messages"][0]["kind"], "unavailable");

    let english = app.open("en").await;
    let turn = app.say_ok(&english, "I want to talk to a person").await;
    assert_eq!(turn["state"], "waiting_for_agent");

    let records = app.loket.store().audit_records(0, 1000).await.unwrap();
    let reasons: Vec<&str> = records
        .iter()
        .filter(|record| record.event.kind == loket_core::audit::AuditKind::HandoffUnavailable)
        .filter_map(|record| record.event.attribute_text("reason"))
        .collect();
    assert_eq!(reasons, ["no_agent_in_language", "no_agent_in_language"]);

    // The widget's hint, within hours (the test clock starts on a Monday morning).
    let widget = app.get_json("/api/v1/widget/config?locale=en").await;
    assert_eq!(widget["agents_available"], true);
    let widget = app.get_json("/api/v1/widget/config?locale=nl").await;
    assert_eq!(widget["agents_available"], false);

    let metrics = app.metrics().await;
    assert!(metrics.contains("loket_agents_online 1"), "{metrics}");
    assert!(
        metrics.contains("loket_agents_online_speaking{language=\"en\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("loket_agents_online_speaking{language=\"nl\"} 0"),
        "{metrics}"
    );

    let report = app.compliance_report().await;
    let hum_04 = crate::compliance::row(&report, "HUM-04").to_string();
    assert!(
        hum_04.contains("operators serving customers in Dutch: 0, in English: 1"),
        "{hum_04}"
    );
    // The requests not honoured, with why: a regulator sees a language gap in the staffing.
    let hum_02 = crate::compliance::row(&report, "HUM-02").to_string();
    assert!(
        hum_02.contains("nobody available, alternatives given: 2 (no_agent_in_language: 2)"),
        "{hum_02}"
    );
    app.stop().await;
}

/// HUM-07: a complaint and a crisis go to a person on the customer's own words. A crisis gets the
/// help numbers first; they promise a connection only when a person is coming (HUM-04), and with
/// nobody online the alternatives follow instead. A message with special-category words but no
/// identifier is counted too (PII-04). The compliance report shows all of it.
#[tokio::test]
async fn complaints_and_crises_reach_a_person_and_a_crisis_promises_no_one_who_is_not_coming_hum_07() {
    let texts = |turn: &serde_json::Value| -> Vec<(String, String)> {
        turn["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|message| {
                (
                    message["kind"].as_str().unwrap_or_default().to_string(),
                    message["text"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let crisis = "Ik zie het niet meer zitten en wil er een eind aan maken";
    let app = TestApp::spawn().await;

    // Nobody online: the help numbers, no promise, then the alternatives.
    let alone = app.open("nl").await;
    let turn = app.say_ok(&alone, crisis).await;
    let messages = texts(&turn);
    let notice = messages
        .iter()
        .find(|(_, text)| text.contains("0800-0113"))
        .expect("the help numbers");
    assert!(!notice.1.contains("verbind u ook door"), "{notice:?}");
    assert!(messages.iter().any(|(kind, _)| kind == "unavailable"), "{messages:?}");
    assert_eq!(turn["state"], "bot");

    // Someone online: the same numbers, the promise, and the queue.
    let sanne = app.agent("sanne", "Sanne", Role::Agent).await;
    let _online = sanne.go_online().await;
    let helped = app.open("nl").await;
    let turn = app.say_ok(&helped, crisis).await;
    let messages = texts(&turn);
    assert!(
        messages
            .iter()
            .any(|(_, text)| text.contains("0800-0113") && text.contains("verbind u ook door")),
        "{messages:?}"
    );
    assert_eq!(turn["state"], "waiting_for_agent");

    let complaint = app.open("nl").await;
    let turn = app
        .say_ok(&complaint, "Ik wil een klacht indienen over mijn bestelling")
        .await;
    assert_eq!(turn["state"], "waiting_for_agent", "{:?}", texts(&turn));

    // The agents' queue says why each customer waits, so the crisis is seen before it is opened;
    // a crisis after a plain request raises the reason, and the person who takes over keeps it.
    let plain = app.open("nl").await;
    assert_eq!(app.ask_person(&plain).await["state"], "waiting_for_agent");
    let queue: serde_json::Value = sanne.get("/api/v1/agent/queue").await.json().await.unwrap();
    let reason_of = |queue: &serde_json::Value, id: &str| {
        queue["waiting"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|item| item["id"] == id)
            .map(|item| item["reason"].clone())
            .unwrap_or_default()
    };
    assert_eq!(reason_of(&queue, helped.id.as_str()), "crisis");
    assert_eq!(reason_of(&queue, complaint.id.as_str()), "complaint");
    assert_eq!(reason_of(&queue, plain.id.as_str()), "request");
    app.say_ok(&plain, crisis).await;
    let queue: serde_json::Value = sanne.get("/api/v1/agent/queue").await.json().await.unwrap();
    assert_eq!(reason_of(&queue, plain.id.as_str()), "crisis");
    let claimed = sanne
        .post(
            &format!("/api/v1/agent/conversations/{}/claim", plain.id),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(claimed.status(), reqwest::StatusCode::OK);
    let queue: serde_json::Value = sanne.get("/api/v1/agent/queue").await.json().await.unwrap();
    assert_eq!(queue["mine"][0]["reason"], "crisis", "{queue}");

    let sensitive = app.open("nl").await;
    app.say_ok(&sensitive, "Ik heb diabetes, kan ik de fiets toch gebruiken?")
        .await;

    let report = app.compliance_report().await;
    let hum_07 = crate::compliance::row(&report, "HUM-07").to_string();
    assert!(
        hum_07.contains("complaints (legal claims and disputes included) 1, crises 2"),
        "{hum_07}"
    );
    assert_eq!(crate::compliance::row(&report, "HUM-07")["status"], "met");
    let pii_04 = crate::compliance::row(&report, "PII-04").to_string();
    assert!(pii_04.contains("special-category signals: health: 1"), "{pii_04}");
    let pii_01 = crate::compliance::row(&report, "PII-01").to_string();
    assert!(
        pii_01.contains("messages with personal data pseudonymised: 0"),
        "{pii_01}"
    );
    app.stop().await;
}
