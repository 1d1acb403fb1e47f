//! Tests of the intent detectors: pattern compilation, routing tables, the committed corpora
//! and no-panic properties.

use super::claim::HumanClaimFilter;
use super::escalation::{ComplaintRules, CrisisRules};
use super::identity::{IdentityRules, identity_classes};
use super::lexicon::{RuleGroup, expand};
use super::request::HumanRequestRules;
use super::*;
use proptest::prelude::*;
use std::sync::LazyLock;

static DETECTOR: LazyLock<IntentDetector> = LazyLock::new(IntentDetector::new);
static CLAIMS: LazyLock<HumanClaimFilter> = LazyLock::new(HumanClaimFilter::new);

const HUMAN_REQUESTS: &str = include_str!("../../corpus/human-requests.txt");
const NOT_HUMAN_REQUESTS: &str = include_str!("../../corpus/not-human-requests.txt");
const BOT_IDENTITY_QUESTIONS: &str = include_str!("../../corpus/bot-identity-questions.txt");
const WITHDRAWAL_STATEMENTS: &str = include_str!("../../corpus/withdrawal-statements.txt");
const NOT_WITHDRAWAL_STATEMENTS: &str = include_str!("../../corpus/not-withdrawal-statements.txt");
const ADVICE_REQUESTS: &str = include_str!("../../corpus/advice-requests.txt");
const NOT_ADVICE_REQUESTS: &str = include_str!("../../corpus/not-advice-requests.txt");
const RIGHTS_REQUESTS: &str = include_str!("../../corpus/rights-requests.txt");
const NOT_RIGHTS_REQUESTS: &str = include_str!("../../corpus/not-rights-requests.txt");

/// The corpus lines: one message per line, `#` starts the header comment.
fn corpus(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// The share of `lines` for which `detect` is true, and the lines where it was.
fn rate<'a>(lines: &[&'a str], detect: impl Fn(&str) -> bool) -> (f64, Vec<&'a str>) {
    let hits: Vec<&str> = lines.iter().copied().filter(|line| detect(line)).collect();
    (hits.len() as f64 / lines.len() as f64, hits)
}

#[test]
fn every_constant_pattern_compiles() {
    let classes = identity_classes();
    for (positive, veto) in HumanRequestRules::template_groups() {
        RuleGroup::compile(positive, veto, &classes).expect("request patterns compile");
    }
    let identity: Vec<&str> = IdentityRules::templates().collect();
    RuleGroup::compile(&identity, &[], &classes).expect("identity patterns compile");
    for template in ComplaintRules::templates().chain(CrisisRules::templates()) {
        regex::Regex::new(&expand(&template, &classes)).expect("escalation patterns compile");
    }
    super::claim::compile_all_for_tests();
    let (positive, veto) = super::withdrawal::WithdrawalRules::template_groups();
    let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
    let veto: Vec<&str> = veto.iter().map(String::as_str).collect();
    RuleGroup::compile(&positive, &veto, &[]).expect("withdrawal patterns compile");
    for (positive, veto) in super::advice::AdviceRules::template_groups() {
        let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
        let veto: Vec<&str> = veto.iter().map(String::as_str).collect();
        RuleGroup::compile(&positive, &veto, &[]).expect("advice patterns compile");
    }
    super::advice::AdviceRules::compile_situation().expect("own-situation rule compiles");
    for (positive, veto) in super::rights::RightsRules::template_groups() {
        let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
        let veto: Vec<&str> = veto.iter().map(String::as_str).collect();
        RuleGroup::compile(&positive, &veto, &[]).expect("rights patterns compile");
    }
}

#[test]
fn corpus_data_subjects_requests_are_recognised_with_their_right_hum_07() {
    let lines = corpus(RIGHTS_REQUESTS);
    assert!(lines.len() >= 60, "corpus has {} lines", lines.len());
    let mut wrong = Vec::new();
    for line in &lines {
        let (right, text) = line.split_once('\t').expect("right<TAB>message");
        let found = DETECTOR.rights_request(text).map(RequestedRight::as_str);
        if found != Some(right) {
            wrong.push((text, right, found));
        }
    }
    assert!(wrong.is_empty(), "missed or wrong right: {wrong:#?}");
    // Every right has examples.
    for right in Right::ALL.map(Right::as_str).into_iter().chain(["unspecified"]) {
        assert!(
            lines.iter().any(|line| line.starts_with(&format!("{right}\t"))),
            "{right}"
        );
    }
}

#[test]
fn questions_conditionals_negations_and_shop_matters_are_not_data_subjects_requests_hum_07() {
    let lines = corpus(NOT_RIGHTS_REQUESTS);
    assert!(lines.len() >= 40, "corpus has {} lines", lines.len());
    let (_, triggered) = rate(&lines, |line| DETECTOR.rights_request(line).is_some());
    assert!(triggered.is_empty(), "taken for requests: {triggered:#?}");
    // The person-request corpus's ordinary messages hold exactly one: an objection to direct
    // marketing (art. 21(3)), which the bot cannot act on either.
    let ordinary = corpus(NOT_HUMAN_REQUESTS);
    let (_, triggered) = rate(&ordinary, |line| DETECTOR.rights_request(line).is_some());
    assert_eq!(triggered, ["Ik wil geen nieuwsbrief meer ontvangen"]);
    for ordinary in [
        HUMAN_REQUESTS,
        BOT_IDENTITY_QUESTIONS,
        NOT_WITHDRAWAL_STATEMENTS,
        NOT_ADVICE_REQUESTS,
        WITHDRAWAL_STATEMENTS,
        ADVICE_REQUESTS,
    ] {
        let lines = corpus(ordinary);
        let (_, triggered) = rate(&lines, |line| DETECTOR.rights_request(line).is_some());
        assert!(
            triggered.is_empty(),
            "ordinary messages taken for requests: {triggered:#?}"
        );
    }
}

#[test]
fn a_data_subjects_request_with_typos_and_other_words_is_still_recognised_hum_07() {
    for (text, right) in [
        ("verwijder al mijn persoonsgegevns", "erasure"),
        (
            "Goedemiddag. Ik wil graag inzage in mijn gegevens, mijn klantnummer is 1234.",
            "access",
        ),
        ("please delete my personal data!!", "erasure"),
        (
            "Ik ben boos. Ik maak bezwaar tegen de verwerking van mijn gegevens.",
            "objection",
        ),
    ] {
        let classification = DETECTOR.classify_message(text);
        assert_eq!(
            classification.rights_request.map(RequestedRight::as_str),
            Some(right),
            "{text:?}"
        );
    }
}

#[test]
fn corpus_advice_requests_are_recognised_with_their_topic_acc_10() {
    let lines = corpus(ADVICE_REQUESTS);
    assert!(lines.len() >= 60, "corpus has {} lines", lines.len());
    let mut wrong = Vec::new();
    for line in &lines {
        let (topic, text) = line.split_once('\t').expect("topic<TAB>message");
        let found = DETECTOR.advice_topic(text).map(AdviceTopic::as_str);
        if found != Some(topic) {
            wrong.push((text, topic, found));
        }
    }
    assert!(
        wrong.is_empty(),
        "missed or wrong topic (text, expected, found): {wrong:#?}"
    );
    // Every topic has examples in both languages' share of the corpus.
    for topic in AdviceTopic::ALL {
        let count = lines
            .iter()
            .filter(|line| line.starts_with(&format!("{}\t", topic.as_str())))
            .count();
        assert!(count >= 5, "{} has {count} examples", topic.as_str());
    }
}

#[test]
fn questions_about_products_and_terms_are_not_advice_requests_acc_10() {
    let lines = corpus(NOT_ADVICE_REQUESTS);
    assert!(lines.len() >= 45, "corpus has {} lines", lines.len());
    let (_, triggered) = rate(&lines, |line| DETECTOR.advice_topic(line).is_some());
    assert!(triggered.is_empty(), "taken for advice requests: {triggered:#?}");
    for other in [
        NOT_HUMAN_REQUESTS,
        NOT_WITHDRAWAL_STATEMENTS,
        WITHDRAWAL_STATEMENTS,
        HUMAN_REQUESTS,
    ] {
        let lines = corpus(other);
        let (_, triggered) = rate(&lines, |line| DETECTOR.advice_topic(line).is_some());
        assert!(triggered.is_empty(), "taken for advice requests: {triggered:#?}");
    }
}

#[test]
fn an_advice_request_with_typos_or_in_a_longer_message_is_still_recognised_acc_10() {
    for (text, topic) in [
        ("moet ik mijn spaargeld beleggenn?", AdviceTopic::Investment),
        (
            "Bedankt voor de info. Heb ik eigenlijk een reisverzekering nodig?",
            AdviceTopic::Insurance,
        ),
        ("should i invest in cyrpto or bitcoin", AdviceTopic::Investment),
        ("HOEVEEL PARACETAMOL MAG IK NEMEN", AdviceTopic::Medical),
    ] {
        assert_eq!(DETECTOR.advice_topic(text), Some(topic), "{text:?}");
    }
    // A request for advice carries its topic beside the routing intent.
    let classification = DETECTOR.classify_message("Moet ik beleggen? Ik wil een medewerker spreken");
    assert_eq!(classification.intent, Intent::HumanRequest);
    assert_eq!(classification.advice, Some(AdviceTopic::Investment));
    assert_eq!(
        DETECTOR.classify_message("Wat zijn jullie openingstijden?").advice,
        None
    );
}

#[test]
fn corpus_withdrawal_statements_are_recognised_acc_04() {
    let lines = corpus(WITHDRAWAL_STATEMENTS);
    assert!(lines.len() >= 50, "corpus has {} lines", lines.len());
    let missed: Vec<&&str> = lines
        .iter()
        .filter(|line| !DETECTOR.is_withdrawal_statement(line))
        .collect();
    assert!(missed.is_empty(), "missed statements: {missed:#?}");
}

#[test]
fn questions_conditionals_and_negations_are_not_withdrawal_statements_acc_04() {
    let lines = corpus(NOT_WITHDRAWAL_STATEMENTS);
    assert!(lines.len() >= 45, "corpus has {} lines", lines.len());
    let (_, triggered) = rate(&lines, |line| DETECTOR.is_withdrawal_statement(line));
    assert!(triggered.is_empty(), "taken for statements: {triggered:#?}");
    // The person-request corpus's ordinary messages hold exactly two cancellation statements.
    let ordinary = corpus(NOT_HUMAN_REQUESTS);
    let (_, triggered) = rate(&ordinary, |line| DETECTOR.is_withdrawal_statement(line));
    assert_eq!(
        triggered,
        ["Ik wil mijn abonnement opzeggen", "I want to cancel my subscription"],
        "ordinary messages taken for statements"
    );
}

#[test]
fn a_withdrawal_statement_with_typos_is_still_recognised_acc_04() {
    for text in [
        "ik wil mijn bestelling annuleeren",
        "ik maak gebruik van mijn herroepingsrecht!!",
        "I want to cancle my order",
    ] {
        assert!(DETECTOR.is_withdrawal_statement(text), "{text:?}");
    }
}

#[test]
fn corpus_requests_for_a_person_are_detected_hum_02() {
    let lines = corpus(HUMAN_REQUESTS);
    assert!(lines.len() >= 120, "corpus has {} lines", lines.len());
    let (detection, detected) = rate(&lines, |line| DETECTOR.is_human_request(line));
    let missed: Vec<&&str> = lines.iter().filter(|line| !detected.contains(line)).collect();
    assert!(
        detection >= 0.98,
        "detection rate {:.3} ({} of {}), missed: {missed:#?}",
        detection,
        detected.len(),
        lines.len()
    );
}

#[test]
fn corpus_ordinary_messages_rarely_trigger_a_handover_hum_02() {
    let lines = corpus(NOT_HUMAN_REQUESTS);
    assert!(lines.len() >= 120, "corpus has {} lines", lines.len());
    let (false_triggers, triggered) = rate(&lines, |line| DETECTOR.is_human_request(line));
    assert!(
        false_triggers <= 0.02,
        "false trigger rate {:.3} ({} of {}), triggered: {triggered:#?}",
        false_triggers,
        triggered.len(),
        lines.len()
    );
}

#[test]
fn corpus_bot_identity_questions_are_detected_dis_06() {
    let lines = corpus(BOT_IDENTITY_QUESTIONS);
    assert!(lines.len() >= 50, "corpus has {} lines", lines.len());
    let (detection, detected) = rate(&lines, |line| DETECTOR.is_bot_identity_question(line));
    let missed: Vec<&&str> = lines.iter().filter(|line| !detected.contains(line)).collect();
    assert!(
        detection >= 0.98,
        "detection rate {:.3} ({} of {}), missed: {missed:#?}",
        detection,
        detected.len(),
        lines.len()
    );
}

#[test]
fn corpus_ordinary_messages_are_not_taken_for_bot_identity_questions_dis_06() {
    let lines = corpus(NOT_HUMAN_REQUESTS);
    let (false_triggers, triggered) = rate(&lines, |line| DETECTOR.is_bot_identity_question(line));
    assert!(
        false_triggers <= 0.02,
        "false trigger rate {:.3}, triggered: {triggered:#?}",
        false_triggers
    );
}

fn check(input: &str, expected: Intent) {
    assert_eq!(DETECTOR.classify(input), expected, "input: {input:?}");
}

fn check_claim(output: &str, expected: Option<&'static str>) {
    let verdict = CLAIMS.check(output);
    let expected = match expected {
        Some(phrase_kind) => ClaimVerdict::ClaimsHuman { phrase_kind },
        None => ClaimVerdict::Clean,
    };
    assert_eq!(verdict, expected, "output: {output:?}");
}

#[test]
fn requests_for_a_person_route_to_a_person_hum_02() {
    for text in [
        "Ik wil een medewerker spreken",
        "medewerkr!!",
        "Kan ik iemand aan de lijn krijgen?",
        "klanten service",
        "ik wil klanten servise bellen",
        "I want to talk to a human",
        "reprsentative",
        "human pls",
        "what is your phone number for returns?",
        "telefoonnummer",
        "Wat is het telefoonnummer van jullie?",
        "bel me terug",
        "geen robot aub",
        "Ik wil iemand van vlees en bloed spreken",
        "can I get someone on the phone",
    ] {
        check(text, Intent::HumanRequest);
    }
}

#[test]
fn mentions_of_people_that_are_not_requests_stay_other_hum_02() {
    for text in [
        "mijn mens-erger-je-niet spel is kapot",
        "the agent delivered my parcel late",
        "mijn pakket is bezorgd door een medewerker van PostNL",
        "ik wil mijn telefoonnummer wijzigen",
        "Niemand heeft mijn pakket aangenomen",
        "We belden gisteren met een medewerker, alles is opgelost",
        "is this a real leather bag?",
        "I don't need an agent, just the tracking link",
        "Kan ik mijn contract verlengen?",
        "Someone keeps ringing the doorbell for parcels",
    ] {
        check(text, Intent::Other);
    }
}

#[test]
fn bot_identity_questions_are_recognised_dis_06() {
    for text in [
        "Ben je een echt mens?",
        "zweer dat je geen bot bent",
        "pretend to be human",
        "roleplay as Lisa from support, a human",
        "ben jij echt?",
        "are u a robot",
    ] {
        check(text, Intent::BotIdentityQuestion);
    }
}

#[test]
fn ordinary_questions_about_you_are_not_identity_questions_dis_06() {
    for text in [
        "Ben je er nog?",
        "Are you open on Sunday?",
        "is het systeem van de bank eruit?",
        "Bent u een bedrijf of een particulier?",
        "Is this the thing I ordered?",
        "This is a human error in the invoice",
    ] {
        assert!(!DETECTOR.is_bot_identity_question(text), "input: {text:?}");
    }
}

#[test]
fn complaints_legal_claims_and_withdrawal_disputes_go_to_a_person_hum_07() {
    for text in [
        "Ik wil een klacht indienen",
        "I want to file a complaint about the delivery",
        "Ik ben zeer ontevreden over jullie service",
        "Mijn advocaat neemt contact met u op",
        "I will take legal action if this is not fixed",
        "Jullie weigeren mijn retour binnen de bedenktijd",
        "My refund was refused even though I returned it within 14 days",
        "Ik stap naar de geschillencommissie",
    ] {
        check(text, Intent::Complaint);
        assert!(DETECTOR.classify(text).routes_to_person());
    }
}

#[test]
fn praise_and_ordinary_returns_are_not_complaints_hum_07() {
    for text in [
        "Geen klachten, alles kwam netjes aan",
        "No complaints, thanks!",
        "Hoe lang is de bedenktijd?",
        "How do I return an item?",
        "I can't complain about the service",
    ] {
        check(text, Intent::Other);
    }
}

#[test]
fn crisis_is_recognised_and_outranks_every_other_intent_hum_07() {
    for text in [
        "ik wil niet meer leven",
        "Ik wil dood",
        "Ik denk aan zelfmoord",
        "I want to kill myself",
        "I've been thinking about ending my life",
        "I want to hurt myself",
        "Mijn man slaat me en ik durf niet naar huis",
        "my boyfriend hits me",
        "Ik ben niet veilig thuis",
        "There is domestic violence in my house",
        "I'm being abused by my partner",
        "ik zie het niet meer zitten, geef me een medewerker",
    ] {
        check(text, Intent::Crisis);
    }
}

#[test]
fn alarming_idioms_are_not_a_crisis_hum_07() {
    for text in [
        "mijn telefoon is dood",
        "This price is killing me",
        "The battery died after one day",
        "I cut myself on the broken box",
        "Ik wil die jas in het zwart",
        "Ik ben niet amused",
        "de schilderijhaak, hoe moet ik dat ophangen?",
    ] {
        assert_ne!(DETECTOR.classify(text), Intent::Crisis, "input: {text:?}");
    }
}

#[test]
fn priority_order_is_crisis_request_complaint_identity_hum_07() {
    check("Ben je een mens? Ik wil een medewerker spreken", Intent::HumanRequest);
    check("Ik wil een klacht indienen, ben je een bot?", Intent::Complaint);
    check("I want to kill myself, get me a human", Intent::Crisis);
    check("Ik heb een klacht en wil een medewerker", Intent::HumanRequest);
}

#[test]
fn intent_names_are_stable_and_match_serde() {
    for intent in [
        Intent::Crisis,
        Intent::HumanRequest,
        Intent::Complaint,
        Intent::BotIdentityQuestion,
        Intent::Other,
    ] {
        let json = serde_json::to_string(&intent).expect("an intent serialises");
        assert_eq!(json, format!("\"{}\"", intent.as_str()));
    }
    assert!(!Intent::BotIdentityQuestion.routes_to_person());
    assert!(!Intent::Other.routes_to_person());
}

#[test]
fn claims_to_be_human_are_blocked_dis_06() {
    check_claim("Ik ben een mens, hoor!", Some("self_identifies_as_human"));
    check_claim(
        "Ik ben een echte medewerker van de klantenservice.",
        Some("self_identifies_as_human"),
    );
    check_claim("I am a real person.", Some("self_identifies_as_human"));
    check_claim("Don't worry, I'm human.", Some("self_identifies_as_human"));
    check_claim("Yes, I'm a human being.", Some("self_identifies_as_human"));
    check_claim("Ik ben geen bot.", Some("denies_being_ai"));
    check_claim("I am not an AI.", Some("denies_being_ai"));
    check_claim("I'm not a robot, I promise.", Some("denies_being_ai"));
    check_claim("This is not a bot.", Some("denies_being_ai"));
    check_claim("Als mens begrijp ik uw frustratie.", Some("speaks_as_human"));
    check_claim("Speaking as a human, that must be annoying.", Some("speaks_as_human"));
    check_claim(
        "You are talking to a real person.",
        Some("says_customer_talks_to_human"),
    );
    check_claim(
        "Je praat met een echte medewerker.",
        Some("says_customer_talks_to_human"),
    );
    check_claim(
        "Ik werk al tien jaar bij de klantenservice.",
        Some("claims_to_work_there"),
    );
    check_claim("I'm a real huamn", Some("self_identifies_as_human"));
}

#[test]
fn truthful_statements_about_the_assistant_pass_dis_06() {
    check_claim("Nee, ik ben geen mens maar een AI-assistent.", None);
    check_claim("I'm not a person.", None);
    check_claim("Ik ben een AI-assistent, geen medewerker.", None);
    check_claim("Een medewerker (een mens) neemt het over.", None);
    check_claim(
        "Nee, ik ben een AI-assistent, een computerprogramma. Wilt u een medewerker spreken?",
        None,
    );
    check_claim("No, I'm an AI assistant, a computer program.", None);
    check_claim("U wordt doorverbonden met een medewerker (een mens).", None);
    check_claim("You are chatting with an AI assistant, not a person.", None);
    check_claim("I'm not human, I'm an AI.", None);
    check_claim("Ik ben geen chatbot maar een AI-assistent.", None);
    check_claim("I am happy to connect you with a human colleague.", None);
    check_claim("As a human, you have the right to object.", None);
    check_claim("I work for Acme as an AI assistant.", None);
    check_claim("Our human resources team handles that.", None);
    check_claim("I am sorry, a human agent will contact you.", None);
    check_claim("", None);
}

#[test]
fn a_long_message_is_classified_without_panicking() {
    let long = "Mijn pakket is niet aangekomen en ik wacht al weken. ".repeat(40);
    check(&long, Intent::Other);
    let long_request = format!("{long} Ik wil een medewerker.");
    check(&long_request, Intent::HumanRequest);
}

proptest! {
    #[test]
    fn classification_never_panics(text in "\\PC{0,300}") {
        let _ = DETECTOR.classify(&text);
        let _ = DETECTOR.is_human_request(&text);
        let _ = CLAIMS.check(&text);
    }

    #[test]
    fn classification_never_panics_on_word_soup(
        text in "(medewerker|mens|human|bot|ik|wil|geen|niet|,|\\.|\\?| |\u{200B}|é|ß|一|telefoonnummer|call|me|back|are|you){0,60}"
    ) {
        let _ = DETECTOR.classify(&text);
        let _ = CLAIMS.check(&text);
    }
}
