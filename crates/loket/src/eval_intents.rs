//! `loket eval withdrawal`, `loket eval advice` and `loket eval rights`: how often the
//! withdrawal-statement rules (REQUIREMENTS ACC-04), the advice-request rules (ACC-10) and the
//! data-subject-request rules (HUM-07) fire on messages customers wrote for other purposes.
//!
//! The rules were written against the committed corpora in `crates/loket-guard/corpus`; this
//! evaluation looks at data they were not written on: every banking77 and CLINC150 question
//! (train, validation and out-of-scope) and the customers' rephrasings of the demo FAQ. A few
//! intents do hold real statements or requests (banking77 `request_refund` and CLINC150
//! `cancel_reservation` hold "I want to cancel my purchase"); a hit anywhere else is a false
//! alarm, and each is printed with the intent it came from.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use loket_guard::intent::IntentDetector;

use crate::eval_faq::{DEMO_REPHRASINGS, read_banking77, read_clinc150};

/// Intents whose questions include statements that cancel a purchase, order or reservation.
const CANCELLATION_INTENTS: &[&str] = &["banking77/request_refund", "clinc150/cancel_reservation"];

/// Runs the withdrawal-statement evaluation and prints its report.
pub fn withdrawal(shared_data: &Path, out: &mut dyn Write) -> Result<()> {
    let detector = IntentDetector::new();
    report(
        shared_data,
        "withdrawal statements (ACC-04) on messages written for other purposes",
        "taken for statements",
        CANCELLATION_INTENTS,
        |text| detector.is_withdrawal_statement(text).then_some("statement"),
        out,
    )
}

/// Intents whose questions include data subjects' requests: closing a bank account ("I want to
/// delete my account") asks for erasure too, and changing one's details is rectification.
const RIGHTS_INTENTS: &[&str] = &["banking77/terminate_account", "banking77/edit_personal_details"];

/// Data subjects' requests and hard negatives written by an author who had not seen the rules
/// (eval/rights/README.md).
const RIGHTS_SETS: [(&str, &str); 2] = [
    (
        "tuning set eval/rights/heldout.tsv (held out when first measured)",
        include_str!("../../../eval/rights/heldout.tsv"),
    ),
    (
        "held-out set eval/rights/heldout-2.tsv",
        include_str!("../../../eval/rights/heldout-2.tsv"),
    ),
];

/// Runs the data-subject-request evaluation and prints its report: the labelled set (recall per
/// right, the right right, negatives taken for requests), then the public data sets.
pub fn rights(shared_data: &Path, out: &mut dyn Write) -> Result<()> {
    let detector = IntentDetector::new();
    for (name, lines) in RIGHTS_SETS {
        let set = LabelledSet {
            title: format!("data subjects' requests (HUM-07), {name}"),
            requests: "requests",
            negatives: "questions about privacy, conditionals, negations and shop matters",
            label: "right",
        };
        labelled(
            &set,
            lines,
            |text| detector.rights_request(text).map(|requested| requested.as_str()),
            out,
        )?;
    }
    report(
        shared_data,
        "data subjects' requests (HUM-07) on messages written for other purposes",
        "taken for requests",
        RIGHTS_INTENTS,
        |text| detector.rights_request(text).map(|requested| requested.as_str()),
        out,
    )
}

/// Advice requests and hard negatives, each set written by an author who had seen neither the
/// rules nor the other sets. The two tuning sets were used to improve the rules; the held-out
/// sets were not (see eval/advice/README.md).
const ADVICE_SETS: [(&str, &str); 6] = [
    (
        "tuning set eval/advice/tuning.tsv",
        include_str!("../../../eval/advice/tuning.tsv"),
    ),
    (
        "second tuning set eval/advice/tuning-2.tsv",
        include_str!("../../../eval/advice/tuning-2.tsv"),
    ),
    (
        "third tuning set eval/advice/tuning-3.tsv",
        include_str!("../../../eval/advice/tuning-3.tsv"),
    ),
    (
        "held-out set eval/advice/heldout.tsv",
        include_str!("../../../eval/advice/heldout.tsv"),
    ),
    (
        "second held-out set eval/advice/heldout-2.tsv",
        include_str!("../../../eval/advice/heldout-2.tsv"),
    ),
    (
        "third held-out set eval/advice/heldout-3.tsv",
        include_str!("../../../eval/advice/heldout-3.tsv"),
    ),
];

/// Runs the advice-request evaluation and prints its report: first the labelled sets (recall
/// per topic, the right topic, hard negatives taken for requests), then the public data sets,
/// where no intent is about personal advice, so every hit is listed for a person to judge.
pub fn advice(shared_data: &Path, out: &mut dyn Write) -> Result<()> {
    let detector = IntentDetector::new();
    for (name, lines) in ADVICE_SETS {
        let set = LabelledSet {
            title: format!("requests for personal advice (ACC-10), {name}"),
            requests: "advice requests",
            negatives: "questions about products and terms",
            label: "topic",
        };
        labelled(
            &set,
            lines,
            |text| detector.advice_topic(text).map(|topic| topic.as_str()),
            out,
        )?;
    }
    report(
        shared_data,
        "requests for personal advice (ACC-10) on messages written for other purposes",
        "taken for advice requests",
        &[],
        |text| detector.advice_topic(text).map(|topic| topic.as_str()),
        out,
    )
}

/// What a labelled set measures, for its report: a title, the kind of request (in "taken for
/// …"), what its negatives are, and what a request's label is (topic, right).
struct LabelledSet<'a> {
    title: String,
    requests: &'a str,
    negatives: &'a str,
    label: &'a str,
}

/// Scores one `label<TAB>message` set (label `none` for a negative) with `detect` and prints the
/// recall per label, the right label, the negatives taken for requests, and the misses.
fn labelled(
    set: &LabelledSet<'_>,
    lines: &str,
    detect: impl Fn(&str) -> Option<&'static str>,
    out: &mut dyn Write,
) -> Result<()> {
    writeln!(out, "{}", set.title)?;
    // Per label: messages, recognised as some request, recognised with the right label.
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for line in lines
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
    {
        let (label, text) = line
            .split_once('\t')
            .context("a labelled line without label<TAB>message")?;
        let found = detect(text);
        let entry = counts.entry(label).or_default();
        entry.0 += 1;
        entry.1 += usize::from(found.is_some());
        entry.2 += usize::from(found == Some(label));
        if found != Some(label) && !(label == "none" && found.is_none()) {
            misses.push((label, found.unwrap_or("none"), text));
        }
    }
    let (mut requests, mut recognised, mut right_label) = (0, 0, 0);
    for (label, (total, detected, right)) in &counts {
        if *label == "none" {
            writeln!(
                out,
                "  none ({}): {total} messages, {detected} taken for {} ({:.1}%)",
                set.negatives,
                set.requests,
                100.0 * *detected as f64 / (*total).max(1) as f64
            )?;
        } else {
            requests += total;
            recognised += detected;
            right_label += right;
            writeln!(
                out,
                "  {label}: {detected} of {total} recognised, {right} with this {}",
                set.label
            )?;
        }
    }
    writeln!(
        out,
        "  all requests: {recognised} of {requests} recognised ({:.1}%), {right_label} with the right {} ({:.1}%)",
        100.0 * recognised as f64 / requests.max(1) as f64,
        set.label,
        100.0 * right_label as f64 / requests.max(1) as f64
    )?;
    for (label, found, text) in &misses {
        writeln!(out, "  [{label} → {found}]: {text}")?;
    }
    Ok(())
}

/// A named evaluation set of (text, intent) messages.
type MessageSet = (&'static str, Vec<(String, String)>);

/// Every message of the evaluation sets as (text, intent), by set.
fn messages(shared_data: &Path) -> Result<Vec<MessageSet>> {
    let intents = shared_data.join("intents");
    let mut sets: Vec<MessageSet> = Vec::new();
    let banking = read_banking77(&intents.join("banking77-train.csv"))?;
    sets.push((
        "banking77",
        banking
            .into_iter()
            .map(|(text, intent)| (text, format!("banking77/{intent}")))
            .collect(),
    ));
    let (clinc, clinc_oos) = read_clinc150(&intents.join("clinc150-train-val.json"))?;
    sets.push((
        "clinc150 in scope",
        clinc
            .into_iter()
            .map(|(text, intent)| (text, format!("clinc150/{intent}")))
            .collect(),
    ));
    sets.push((
        "clinc150 out of scope",
        clinc_oos
            .into_iter()
            .map(|text| (text, "clinc150/oos".to_owned()))
            .collect(),
    ));
    let mut demo = Vec::new();
    for line in DEMO_REPHRASINGS
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
    {
        let value: serde_json::Value = serde_json::from_str(line).context("parsing eval/faq-demo/rephrasings.jsonl")?;
        let text = value["text"].as_str().context("a rephrasing without text")?.to_owned();
        demo.push((text, "demo/rephrasing".to_owned()));
    }
    sets.push(("demo FAQ rephrasings (nl, en)", demo));
    Ok(sets)
}

/// Runs `detect` (a label for a hit) over every message and prints the hits per set and intent,
/// then every hit outside `expected` intents as a false alarm.
fn report(
    shared_data: &Path,
    title: &str,
    taken: &str,
    expected: &[&str],
    detect: impl Fn(&str) -> Option<&'static str>,
    out: &mut dyn Write,
) -> Result<()> {
    let sets = messages(shared_data)?;
    writeln!(out, "{title}")?;
    let mut false_alarms = Vec::new();
    let mut labels: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut total, mut flagged_total) = (0usize, 0usize);
    for (name, messages) in &sets {
        let mut flagged: BTreeMap<&str, usize> = BTreeMap::new();
        for (text, intent) in messages {
            if let Some(label) = detect(text) {
                *flagged.entry(intent.as_str()).or_default() += 1;
                *labels.entry(label).or_default() += 1;
                if !expected.contains(&intent.as_str()) {
                    false_alarms.push((intent.clone(), label, text.clone()));
                }
            }
        }
        let count: usize = flagged.values().sum();
        total += messages.len();
        flagged_total += count;
        let listing: Vec<String> = flagged.iter().map(|(intent, n)| format!("{intent} {n}")).collect();
        writeln!(
            out,
            "  {name}: {} messages, {count} {taken}{}",
            messages.len(),
            if listing.is_empty() {
                String::new()
            } else {
                format!(" ({})", listing.join(", "))
            }
        )?;
    }
    let by_label: Vec<String> = labels.iter().map(|(label, n)| format!("{label} {n}")).collect();
    writeln!(
        out,
        "all: {total} messages, {flagged_total} {taken}{}; outside the intents labelled as holding them ({}): {} ({:.3}%)",
        if by_label.len() > 1 {
            format!(" ({})", by_label.join(", "))
        } else {
            String::new()
        },
        if expected.is_empty() {
            "none".to_owned()
        } else {
            expected.join(", ")
        },
        false_alarms.len(),
        100.0 * false_alarms.len() as f64 / total.max(1) as f64
    )?;
    // With no intent labelled as holding them, each hit is for a person to judge.
    let name = if expected.is_empty() { "to judge" } else { "false alarm" };
    for (intent, label, text) in &false_alarms {
        writeln!(out, "  {name} [{intent}, {label}]: {text}")?;
    }
    Ok(())
}
