//! The gate between a model and the customer, driven by scripted model streams. The same gate
//! runs against a real OpenAI-compatible server in `crates/loket/tests/it/generation.rs`.

use std::sync::Mutex;

use super::*;

/// A model that sends a fixed script (or nothing, keeping the stream open).
struct Scripted {
    events: Vec<Result<ModelEvent, ModelError>>,
    hang: bool,
    seen: Mutex<Vec<ModelRequest>>,
}

impl Scripted {
    fn new(events: Vec<Result<ModelEvent, ModelError>>) -> Self {
        Self {
            events,
            hang: false,
            seen: Mutex::new(Vec::new()),
        }
    }

    fn text(pieces: &[&str], finish: Finish) -> Self {
        let mut events: Vec<_> = pieces
            .iter()
            .map(|piece| Ok(ModelEvent::Text((*piece).into())))
            .collect();
        events.push(Ok(ModelEvent::Done(finish)));
        Self::new(events)
    }
}

impl AnswerModel for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    fn start(&self, request: ModelRequest) -> ModelStream {
        self.seen.lock().unwrap().push(request);
        let (sender, receiver) = tokio::sync::mpsc::channel(64);
        let events = self.events.clone();
        let hang = self.hang;
        tokio::spawn(async move {
            for event in events {
                if sender.send(event).await.is_err() {
                    return;
                }
            }
            if hang {
                sender.closed().await;
            }
        });
        receiver
    }
}

/// The fallback reason, or `None` for an answer.
fn fallback_reason(generated: &Generated) -> Option<&'static str> {
    match generated {
        Generated::Answer(_) => None,
        Generated::Fallback { reason, .. } => Some(reason),
    }
}

const RETURNS: &str = "You can return a product within 14 days of delivery. Refunds are paid within 14 days \
                       after we receive the return.";

fn passages() -> Vec<SourcePassage> {
    vec![
        SourcePassage {
            id: "returns-en".into(),
            title: "Returns".into(),
            text: RETURNS.into(),
        },
        SourcePassage {
            id: "delivery-en".into(),
            title: "Delivery".into(),
            text: "Orders placed before 22:00 are delivered the next working day.".into(),
        },
    ]
}

fn config(timeout_seconds: u64) -> GenerationConfig {
    GenerationConfig {
        timeout_seconds,
        first_token_timeout_seconds: timeout_seconds,
        ..GenerationConfig::default()
    }
}

fn pass(sentence: &str) -> Result<String, &'static str> {
    Ok(sentence.to_string())
}

async fn run(model: Scripted, check: &OutputCheck<'_>) -> (Generated, Vec<String>, Arc<Scripted>) {
    let model = Arc::new(model);
    let generator = Generator::new(model.clone(), &config(5));
    let mut drafts = Vec::new();
    let generated = generator
        .generate(
            "How long do I have to return something?",
            Locale::En,
            &passages(),
            Some("CANARY-TEST"),
            check,
            &mut |shown: &str| drafts.push(shown.to_string()),
        )
        .await;
    (generated, drafts, model)
}

#[tokio::test]
async fn a_supported_answer_is_shown_sentence_by_sentence_without_its_markers() {
    // ACC-01: every shown sentence is supported by the passage it cites.
    let model = Scripted::text(
        &[
            "You can return a product within 1",
            "4 days of delivery [1]. Refunds are paid within 14",
            " days after we receive the return [1].",
        ],
        Finish::Stop,
    );
    let (generated, drafts, model) = run(model, &pass).await;
    assert_eq!(
        generated,
        Generated::Answer(
            "You can return a product within 14 days of delivery. Refunds are paid within 14 days after we \
             receive the return."
                .into()
        )
    );
    // The first sentence is shown as soon as the second begins; the last one arrives with the
    // stored answer itself.
    assert_eq!(
        drafts,
        vec!["You can return a product within 14 days of delivery.".to_string()]
    );
    let request = &model.seen.lock().unwrap()[0];
    assert!(request.messages[0].content.contains("CANARY-TEST"));
    assert!(request.messages[0].content.contains(RETURNS));
    assert_eq!(request.messages[1].content, "How long do I have to return something?");
}

#[tokio::test]
async fn an_unsupported_sentence_stops_the_answer_after_the_verified_part() {
    // ACC-01/ACC-02: a period that is not in the sources never reaches the customer.
    let model = Scripted::text(
        &[
            "You can return a product within 14 days of delivery [1]. ",
            "You can return it within 30 days [1].",
        ],
        Finish::Stop,
    );
    let (generated, drafts, _) = run(model, &pass).await;
    assert_eq!(
        generated,
        Generated::Fallback {
            reason: fallback::UNSUPPORTED,
            detail: Some(grounding::reason::NUMBER),
        }
    );
    assert_eq!(
        drafts,
        vec!["You can return a product within 14 days of delivery.".to_string()]
    );
}

#[tokio::test]
async fn a_promise_the_sources_do_not_make_is_blocked() {
    // ACC-03: no commitment without a source.
    let model = Scripted::text(&["We will give you a 20% discount on your next order."], Finish::Stop);
    let (generated, drafts, _) = run(model, &pass).await;
    assert_eq!(
        fallback_reason(&generated),
        Some(fallback::UNSUPPORTED),
        "{generated:?}"
    );
    assert!(drafts.is_empty());
}

#[tokio::test]
async fn a_sentence_is_checked_against_the_passage_it_cites() {
    // The delivery sentence is true of passage 2, not of passage 1, which it cites.
    let model = Scripted::text(
        &["Orders placed before 22:00 are delivered the next working day [1]."],
        Finish::Stop,
    );
    let (generated, _, _) = run(model, &pass).await;
    assert_eq!(
        fallback_reason(&generated),
        Some(fallback::UNSUPPORTED),
        "{generated:?}"
    );
    let model = Scripted::text(
        &["Orders placed before 22:00 are delivered the next working day [2]."],
        Finish::Stop,
    );
    let (generated, _, _) = run(model, &pass).await;
    assert_eq!(
        generated,
        Generated::Answer("Orders placed before 22:00 are delivered the next working day.".into())
    );
}

#[tokio::test]
async fn unknown_citations_placeholders_and_no_answer_fall_back() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["You can return a product within 14 days of delivery [7]."],
            fallback::UNKNOWN_CITATION,
        ),
        (
            &["You can return a product to [EMAIL_1] within 14 days."],
            fallback::PERSONAL_DATA,
        ),
        (&["NO_", "ANSWER"], fallback::NO_ANSWER),
        (&["   "], fallback::EMPTY),
    ];
    for (pieces, reason) in cases {
        let (generated, _, _) = run(Scripted::text(pieces, Finish::Stop), &pass).await;
        assert_eq!(fallback_reason(&generated), Some(reason), "{pieces:?}: {generated:?}");
    }
}

#[tokio::test]
async fn the_output_guard_sees_every_sentence_before_it_is_shown() {
    // SEC-04/SEC-06: the guard runs on each sentence, whatever the prompt said.
    // The guard here stands in for one whose fingerprints cover this sentence; the real guard's
    // canary and overlap checks are tested in loket-guard and through the red team.
    let block_canary = |sentence: &str| {
        if sentence.contains("delivery") {
            Err("canary")
        } else {
            Ok(sentence.to_string())
        }
    };
    let model = Scripted::text(
        &["You can return a product within 14 days of delivery [1]."],
        Finish::Stop,
    );
    let (generated, drafts, _) = run(model, &block_canary).await;
    assert_eq!(
        generated,
        Generated::Fallback {
            reason: fallback::OUTPUT_GUARD,
            detail: Some("canary"),
        }
    );
    assert!(drafts.is_empty());
}

#[tokio::test]
async fn model_failures_truncation_and_broken_streams_fall_back() {
    let cases = [
        (Scripted::new(vec![Err(ModelError::Refused)]), "model_refused"),
        (
            Scripted::new(vec![
                Ok(ModelEvent::Text("You can return a product".into())),
                Err(ModelError::Malformed("broken".into())),
            ]),
            "model_malformed",
        ),
        (
            Scripted::text(
                &["You can return a product within 14 days of delivery [1]. Refunds are"],
                Finish::Length,
            ),
            fallback::TRUNCATED,
        ),
        (
            Scripted::new(vec![Ok(ModelEvent::Text(
                "You can return a product within 14 days.".into(),
            ))]),
            fallback::BROKEN_STREAM,
        ),
    ];
    for (model, reason) in cases {
        let (generated, _, _) = run(model, &pass).await;
        assert_eq!(fallback_reason(&generated), Some(reason), "{generated:?}");
    }
}

#[tokio::test]
async fn a_model_that_never_finishes_is_abandoned_at_the_deadline() {
    let mut model = Scripted::new(vec![Ok(ModelEvent::Text("You can return".into()))]);
    model.hang = true;
    let generator = Generator::new(Arc::new(model), &config(1));
    let started = Instant::now();
    let generated = generator
        .generate("?", Locale::En, &passages(), None, &pass, &mut |_: &str| {})
        .await;
    assert_eq!(
        generated,
        Generated::Fallback {
            reason: "model_timeout",
            detail: None,
        }
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}
