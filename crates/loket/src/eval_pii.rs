//! `loket eval pii`: precision, recall and F1 per entity type of the PII scanner on three
//! labelled sets, plus a false-positive count on ordinary customer questions.
//!
//! Sets (REQUIREMENTS.md PII-01..PII-08, issue 5 targets):
//! - `pii-en-presidio-research` (English, synthetic; its entity names are mapped to ours and
//!   types we do not cover, such as DATE_TIME or ORGANIZATION, are ignored),
//! - `pii-nl-deduce` (short Dutch snippets; persoon, telefoonnummer, emailadres, bsn),
//! - `eval/pii-nl-chat/nl-chat.jsonl` in this repository (Dutch chat messages generated from
//!   translated presidio templates, see its generator).
//!
//! A prediction is a true positive when a gold span of the same type overlaps it; a gold span
//! is recalled when a prediction of the same type overlaps it. Only types that a set labels
//! are scored on that set. The intents check counts BSN, IBAN and card hits on the banking77
//! and CLINC150 questions, which contain none, so every hit is a false alarm.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use loket_guard::pii::{EntityKind, Lang, PiiScanner};
use serde_json::Value;

/// One labelled text.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    /// Gold spans: type and char offsets, end exclusive.
    pub spans: Vec<(EntityKind, usize, usize)>,
}

/// Counts of one type on one set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub gold: usize,
    pub recalled: usize,
    pub predicted: usize,
    pub correct_predictions: usize,
}

impl Tally {
    pub fn precision(&self) -> f64 {
        ratio(self.correct_predictions, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.recalled, self.gold)
    }

    pub fn f1(&self) -> f64 {
        let (precision, recall) = (self.precision(), self.recall());
        if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        }
    }
}

/// Runs every evaluation and prints one table per set.
pub fn run(shared_data: &Path, out: &mut dyn Write) -> Result<()> {
    let scanner = PiiScanner::new();
    let sets = [
        (
            "presidio (en)",
            load_presidio(&shared_data.join("pii-en-presidio-research"))?,
            Lang::En,
        ),
        (
            "deduce (nl)",
            load_deduce(&shared_data.join("pii-nl-deduce"))?,
            Lang::Nl,
        ),
        ("nl-chat (nl)", load_chat(&chat_set_path())?, Lang::Nl),
    ];
    // Tuning aid: `LOKET_EVAL_PII_SHOW=PERSON` prints the misses and false alarms of that type
    // to stderr. The sets are public synthetic or test data, never customer messages.
    let shown = std::env::var("LOKET_EVAL_PII_SHOW")
        .ok()
        .and_then(|name| EntityKind::parse(&name));
    for (name, examples, lang) in &sets {
        let mut show = |error: &str, example: &Example| {
            if shown.is_some_and(|kind| error.split(' ').nth(1) == Some(kind.as_str())) {
                eprintln!("{name} {error} in {:?}", example.text);
            }
        };
        let tallies = evaluate(&scanner, examples, *lang, &mut show);
        write_table(out, name, examples.len(), &tallies)?;
    }
    let questions = load_intent_questions(&shared_data.join("intents"))?;
    let hits = count_hits(&scanner, &questions);
    writeln!(
        out,
        "intents: {} questions; BSN {}, IBAN {}, CREDIT_CARD {} hits (target 0); all types: {}",
        questions.len(),
        hits.get(&EntityKind::Bsn).unwrap_or(&0),
        hits.get(&EntityKind::Iban).unwrap_or(&0),
        hits.get(&EntityKind::CreditCard).unwrap_or(&0),
        hits.iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    Ok(())
}

/// Scores `examples`; `on_error` sees every false positive and false negative (as a short
/// description and the example), for tuning tools that want to print them.
pub fn evaluate(
    scanner: &PiiScanner,
    examples: &[Example],
    lang: Lang,
    on_error: &mut dyn FnMut(&str, &Example),
) -> BTreeMap<EntityKind, Tally> {
    let mut tallies: BTreeMap<EntityKind, Tally> = BTreeMap::new();
    let labelled: Vec<EntityKind> = {
        let mut kinds: Vec<EntityKind> = examples
            .iter()
            .flat_map(|example| example.spans.iter().map(|span| span.0))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    for kind in &labelled {
        tallies.insert(*kind, Tally::default());
    }
    for example in examples {
        let predictions: Vec<_> = scanner
            .scan(&example.text, lang)
            .into_iter()
            .filter(|entity| labelled.contains(&entity.kind))
            .collect();
        for prediction in &predictions {
            let tally = tallies.entry(prediction.kind).or_default();
            tally.predicted += 1;
            let correct = example
                .spans
                .iter()
                .any(|&(kind, start, end)| kind == prediction.kind && start < prediction.end && prediction.start < end);
            if correct {
                tally.correct_predictions += 1;
            } else {
                let value: String = example
                    .text
                    .chars()
                    .skip(prediction.start)
                    .take(prediction.end - prediction.start)
                    .collect();
                on_error(&format!("FP {} {value:?}", prediction.kind), example);
            }
        }
        for &(kind, start, end) in &example.spans {
            let tally = tallies.entry(kind).or_default();
            tally.gold += 1;
            let recalled = predictions
                .iter()
                .any(|prediction| prediction.kind == kind && start < prediction.end && prediction.start < end);
            if recalled {
                tally.recalled += 1;
            } else {
                let value: String = example.text.chars().skip(start).take(end - start).collect();
                on_error(&format!("FN {kind} {value:?}"), example);
            }
        }
    }
    tallies
}

/// Counts findings per type over plain questions.
pub fn count_hits(scanner: &PiiScanner, questions: &[String]) -> BTreeMap<EntityKind, usize> {
    let mut hits = BTreeMap::new();
    for question in questions {
        for entity in scanner.scan(question, Lang::Auto) {
            *hits.entry(entity.kind).or_insert(0) += 1;
        }
    }
    hits
}

/// presidio-research `synth_dataset_v2*.json`: `[{full_text, spans:[{entity_type,
/// start_position, end_position}]}]`.
pub fn load_presidio(folder: &Path) -> Result<Vec<Example>> {
    let path = first_file(folder, "synth_dataset")?;
    let document: Value = read_json(&path)?;
    let records = document
        .as_array()
        .with_context(|| format!("{} is not a JSON array", path.display()))?;
    let mut examples = Vec::with_capacity(records.len());
    for record in records {
        let text = record["full_text"].as_str().unwrap_or_default().to_string();
        let mut spans = Vec::new();
        for span in record["spans"].as_array().into_iter().flatten() {
            let kind = match span["entity_type"].as_str().unwrap_or_default() {
                "PERSON" => EntityKind::Person,
                "STREET_ADDRESS" => EntityKind::Address,
                "CREDIT_CARD" => EntityKind::CreditCard,
                "PHONE_NUMBER" => EntityKind::Phone,
                "EMAIL_ADDRESS" => EntityKind::Email,
                "IBAN_CODE" => EntityKind::Iban,
                "IP_ADDRESS" => EntityKind::IpAddress,
                _ => continue,
            };
            spans.push((kind, offset(&span["start_position"]), offset(&span["end_position"])));
        }
        examples.push(Example { text, spans });
    }
    Ok(examples)
}

/// deduce regression cases: every `*.json` in the folder holds `{examples:[{text,
/// annotations:[{start_char, end_char, tag}]}]}`.
pub fn load_deduce(folder: &Path) -> Result<Vec<Example>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("reading {}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .collect();
    paths.sort();
    let mut examples = Vec::new();
    for path in paths {
        let document = read_json(&path)?;
        for record in document["examples"].as_array().into_iter().flatten() {
            let text = record["text"].as_str().unwrap_or_default().to_string();
            let mut spans = Vec::new();
            for annotation in record["annotations"].as_array().into_iter().flatten() {
                let kind = match annotation["tag"].as_str().unwrap_or_default() {
                    "persoon" => EntityKind::Person,
                    "telefoonnummer" => EntityKind::Phone,
                    "emailadres" => EntityKind::Email,
                    "bsn" => EntityKind::Bsn,
                    _ => continue,
                };
                spans.push((kind, offset(&annotation["start_char"]), offset(&annotation["end_char"])));
            }
            examples.push(Example { text, spans });
        }
    }
    Ok(examples)
}

/// The generated Dutch chat set: JSONL `{"text","spans":[{"type","start","end"}]}`.
pub fn load_chat(path: &Path) -> Result<Vec<Example>> {
    let content = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut examples = Vec::new();
    for (number, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: Value =
            serde_json::from_str(line).with_context(|| format!("{} line {}", path.display(), number + 1))?;
        let text = record["text"].as_str().unwrap_or_default().to_string();
        let mut spans = Vec::new();
        for span in record["spans"].as_array().into_iter().flatten() {
            let name = span["type"].as_str().unwrap_or_default();
            let kind = EntityKind::parse(name).with_context(|| format!("unknown type {name} in {}", path.display()))?;
            spans.push((kind, offset(&span["start"]), offset(&span["end"])));
        }
        examples.push(Example { text, spans });
    }
    Ok(examples)
}

/// The questions of banking77 (CSV `text,category`) and CLINC150 (JSON `{split: [[text,
/// intent], ...]}`).
pub fn load_intent_questions(folder: &Path) -> Result<Vec<String>> {
    let mut questions = Vec::new();
    let banking = folder.join("banking77-train.csv");
    let content = std::fs::read_to_string(&banking).with_context(|| format!("reading {}", banking.display()))?;
    for line in content.lines().skip(1) {
        if let Some(text) = first_csv_field(line) {
            questions.push(text);
        }
    }
    let clinc = read_json(&folder.join("clinc150-train-val.json"))?;
    for split in clinc.as_object().into_iter().flat_map(|object| object.values()) {
        for pair in split.as_array().into_iter().flatten() {
            if let Some(text) = pair[0].as_str() {
                questions.push(text.to_string());
            }
        }
    }
    Ok(questions)
}

fn write_table(out: &mut dyn Write, name: &str, examples: usize, tallies: &BTreeMap<EntityKind, Tally>) -> Result<()> {
    writeln!(out, "{name}: {examples} texts")?;
    writeln!(
        out,
        "  {:<14} {:>6} {:>6} {:>9} {:>7} {:>6}",
        "type", "gold", "pred", "precision", "recall", "f1"
    )?;
    for (kind, tally) in tallies {
        writeln!(
            out,
            "  {:<14} {:>6} {:>6} {:>9.3} {:>7.3} {:>6.3}",
            kind.as_str(),
            tally.gold,
            tally.predicted,
            tally.precision(),
            tally.recall(),
            tally.f1()
        )?;
    }
    Ok(())
}

/// The chat set ships with the repository; the command is normally run from its root.
fn chat_set_path() -> PathBuf {
    let relative = PathBuf::from("eval/pii-nl-chat/nl-chat.jsonl");
    if relative.exists() {
        relative
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/pii-nl-chat/nl-chat.jsonl")
    }
}

fn first_file(folder: &Path, prefix: &str) -> Result<PathBuf> {
    let mut matches: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("reading {}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(prefix) && name.ends_with(".json"))
        })
        .collect();
    matches.sort();
    matches
        .into_iter()
        .next()
        .with_context(|| format!("no {prefix}*.json in {}", folder.display()))
}

fn read_json(path: &Path) -> Result<Value> {
    let content = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&content).with_context(|| format!("parsing {}", path.display()))
}

fn offset(value: &Value) -> usize {
    value
        .as_u64()
        .and_then(|number| usize::try_from(number).ok())
        .unwrap_or(0)
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// The first field of a CSV line, honouring double quotes and doubled quotes inside them.
fn first_csv_field(line: &str) -> Option<String> {
    let mut characters = line.chars().peekable();
    let mut field = String::new();
    if characters.peek() == Some(&'"') {
        characters.next();
        while let Some(character) = characters.next() {
            if character == '"' {
                if characters.peek() == Some(&'"') {
                    characters.next();
                    field.push('"');
                } else {
                    return Some(field);
                }
            } else {
                field.push(character);
            }
        }
        Some(field)
    } else {
        line.rsplit_once(',').map(|(text, _)| text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_prediction_of_the_same_type_counts_as_true_positive() {
        let scanner = PiiScanner::new();
        let examples = vec![
            Example {
                text: "mail a@b.nl of bel".into(),
                spans: vec![(EntityKind::Email, 5, 9)],
            },
            Example {
                text: "geen mail hier".into(),
                spans: vec![(EntityKind::Email, 0, 4)],
            },
        ];
        let tallies = evaluate(&scanner, &examples, Lang::Nl, &mut |_, _| {});
        let email = tallies.get(&EntityKind::Email).copied().unwrap_or_default();
        assert_eq!(
            email,
            Tally {
                gold: 2,
                recalled: 1,
                predicted: 1,
                correct_predictions: 1
            }
        );
        assert!((email.recall() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn csv_first_field_handles_quotes_and_plain_text() {
        assert_eq!(
            first_csv_field(r#""a, ""b"" c",intent"#),
            Some(r#"a, "b" c"#.to_string())
        );
        assert_eq!(first_csv_field("plain text,intent"), Some("plain text".into()));
    }
}
