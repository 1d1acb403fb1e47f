//! `loket eval withdrawal`: how often the withdrawal-statement rules (REQUIREMENTS ACC-04) fire
//! on messages customers wrote for other purposes.
//!
//! The rules were written against the committed corpora in `crates/loket-guard/corpus`; this
//! evaluation looks at data they were not written on: every banking77 and CLINC150 question
//! (train, validation and out-of-scope) and the customers' rephrasings of the demo FAQ. The
//! intents that ask to cancel something (banking77 `request_refund`, CLINC150
//! `cancel_reservation`) do hold real cancellation statements ("I want to cancel my purchase",
//! "please cancel my reservation"); a hit anywhere else is a false alarm, and each is printed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use loket_guard::intent::IntentDetector;

use crate::eval_faq::{DEMO_REPHRASINGS, read_banking77, read_clinc150};

/// Intents whose questions include statements that cancel a purchase, order or reservation.
const CANCELLATION_INTENTS: &[&str] = &["banking77/request_refund", "clinc150/cancel_reservation"];

/// Runs the evaluation and prints its report.
pub fn run(shared_data: &Path, out: &mut dyn Write) -> Result<()> {
    let intents = shared_data.join("intents");
    let mut sets: Vec<(&str, Vec<(String, String)>)> = Vec::new();
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

    let detector = IntentDetector::new();
    writeln!(
        out,
        "withdrawal statements (ACC-04) on messages written for other purposes"
    )?;
    let mut false_alarms = Vec::new();
    let (mut total, mut flagged_total) = (0usize, 0usize);
    for (name, messages) in &sets {
        let mut flagged: BTreeMap<&str, usize> = BTreeMap::new();
        for (text, intent) in messages {
            if detector.is_withdrawal_statement(text) {
                *flagged.entry(intent.as_str()).or_default() += 1;
                if !CANCELLATION_INTENTS.contains(&intent.as_str()) {
                    false_alarms.push((intent.clone(), text.clone()));
                }
            }
        }
        let count: usize = flagged.values().sum();
        total += messages.len();
        flagged_total += count;
        let listing: Vec<String> = flagged.iter().map(|(intent, n)| format!("{intent} {n}")).collect();
        writeln!(
            out,
            "  {name}: {} messages, {count} taken for statements{}",
            messages.len(),
            if listing.is_empty() {
                String::new()
            } else {
                format!(" ({})", listing.join(", "))
            }
        )?;
    }
    writeln!(
        out,
        "all: {total} messages, {flagged_total} taken for statements; outside the cancellation intents ({}): {} ({:.3}%)",
        CANCELLATION_INTENTS.join(", "),
        false_alarms.len(),
        100.0 * false_alarms.len() as f64 / total.max(1) as f64
    )?;
    for (intent, text) in &false_alarms {
        writeln!(out, "  false alarm [{intent}]: {text}")?;
    }
    Ok(())
}
