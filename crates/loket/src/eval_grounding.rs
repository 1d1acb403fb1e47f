//! `loket eval grounding` and `loket grounding check`: the grounding verifier measured on BEGIN
//! dev, and the verifier as a JSONL filter (issue 8, ACC-01 to ACC-03).
//!
//! Held-out split: the rows whose response has an odd FNV-1a 32-bit hash (the training script
//! `eval/grounding/train.py` fits on the even ones). "Fully attributable" = supported.
//! Target (issue 8): precision of `supported` ≥ 0.92 while passing ≥ 70 % of the attributable
//! answers.

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use loket_guard::grounding::{self, GroundingVerifier};
use serde_json::{Value, json};

/// One labelled pair.
struct Pair {
    knowledge: String,
    response: String,
    attributable: bool,
    source: String,
}

fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

fn load(shared_data: &Path) -> Result<Vec<Pair>> {
    let folder = shared_data.join("grounding-begin-dev");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .with_context(|| format!("reading {}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "tsv"))
        .collect();
    paths.sort();
    let mut pairs = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let column = |name: &str| header.iter().position(|column| *column == name);
        let (Some(knowledge), Some(response), Some(label), Some(source)) = (
            column("knowledge"),
            column("response"),
            column("begin_label"),
            column("data_source"),
        ) else {
            bail!("{} lacks the BEGIN columns", path.display());
        };
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            let field = |index: usize| fields.get(index).copied().unwrap_or_default();
            pairs.push(Pair {
                knowledge: field(knowledge).to_string(),
                response: field(response).to_string(),
                attributable: field(label) == "Fully attributable",
                source: field(source).to_string(),
            });
        }
    }
    Ok(pairs)
}

/// Prints precision and pass rate on the held-out half of BEGIN dev, per source and overall, the
/// same for the training half (for comparison with train.py), the cost per answer sentence, and
/// whether checking sentence by sentence agreed with checking whole answers on every pair.
pub fn run(shared_data: &Path, out: &mut dyn Write) -> Result<()> {
    let verifier = GroundingVerifier::new();
    let (held_out, training): (Vec<Pair>, Vec<Pair>) = load(shared_data)?
        .into_iter()
        .partition(|pair| fnv1a(&pair.response) % 2 == 1);
    writeln!(
        out,
        "grounding verifier, threshold {:.2}, held-out half of BEGIN dev (odd FNV-1a of the response)",
        verifier.threshold()
    )?;
    let started = Instant::now();
    let verdicts: Vec<bool> = held_out
        .iter()
        .map(|pair| verifier.check(&[pair.knowledge.as_str()], &pair.response).supported)
        .collect();
    let elapsed = started.elapsed();
    let sentences: usize = held_out
        .iter()
        .map(|pair| grounding::sentences(&pair.response).len())
        .sum();
    table(&held_out, &verdicts, out)?;
    writeln!(
        out,
        "targets: precision >= 0.92 while passing >= 70% of attributable answers; {:.1} µs per answer sentence ({sentences} sentences, whole evaluation in one thread)",
        elapsed.as_secs_f64() * 1e6 / sentences.max(1) as f64
    )?;
    writeln!(
        out,
        "\ntraining half (even FNV-1a; the weights and threshold were chosen on it)"
    )?;
    let training_verdicts: Vec<bool> = training
        .iter()
        .map(|pair| verifier.check(&[pair.knowledge.as_str()], &pair.response).supported)
        .collect();
    table(&training, &training_verdicts, out)?;
    let disagreements = held_out
        .iter()
        .chain(&training)
        .filter(|pair| {
            let passages = [pair.knowledge.as_str()];
            let whole = verifier.check(&passages, &pair.response).supported;
            let by_sentence = grounding::sentences(&pair.response)
                .into_iter()
                .all(|sentence| verifier.check_sentence(&passages, sentence).supported);
            whole != by_sentence && !grounding::sentences(&pair.response).is_empty()
        })
        .count();
    writeln!(
        out,
        "sentence by sentence (check_sentence over sentences) disagrees with the whole-answer check on {disagreements} of {} answers",
        held_out.len() + training.len()
    )?;
    Ok(())
}

/// One row per source and one for all: pairs, attributable pairs, precision of `supported`,
/// share of attributable pairs passed.
fn table(pairs: &[Pair], verdicts: &[bool], out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "{:<10} {:>6} {:>13} {:>10} {:>22}",
        "source", "pairs", "attributable", "precision", "attributable passed"
    )?;
    let mut sources: Vec<&str> = pairs.iter().map(|pair| pair.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    sources.push("all");
    for source in sources {
        let (mut count, mut positives, mut passed, mut true_passed) = (0usize, 0usize, 0usize, 0usize);
        for (pair, supported) in pairs.iter().zip(verdicts) {
            if source != "all" && pair.source != source {
                continue;
            }
            count += 1;
            positives += usize::from(pair.attributable);
            passed += usize::from(*supported);
            true_passed += usize::from(*supported && pair.attributable);
        }
        let ratio = |part: usize, whole: usize| if whole == 0 { 0.0 } else { part as f64 / whole as f64 };
        writeln!(
            out,
            "{source:<10} {count:>6} {positives:>13} {:>10.3} {:>21.1}%",
            ratio(true_passed, passed),
            100.0 * ratio(true_passed, positives)
        )?;
    }
    Ok(())
}

/// `{"id","passages":[...],"answer"}` JSONL in, `{"id","supported","reasons"}` JSONL out, in order.
pub fn check(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<()> {
    let verifier = GroundingVerifier::new();
    for line in input.lines() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Value>(&line) {
            Ok(value) => {
                let id = value.get("id").cloned().unwrap_or(Value::Null);
                let passages: Option<Vec<&str>> = value
                    .get("passages")
                    .and_then(Value::as_array)
                    .map(|items| items.iter().filter_map(Value::as_str).collect());
                match (passages, value.get("answer").and_then(Value::as_str)) {
                    (Some(passages), Some(answer)) => {
                        let verdict = verifier.check(&passages, answer);
                        json!({ "id": id, "supported": verdict.supported, "reasons": verdict.reasons })
                    }
                    _ => json!({ "id": id, "error": "passages (array of strings) and answer (string) are required" }),
                }
            }
            Err(_) => json!({ "id": null, "error": "line is not valid JSON" }),
        };
        writeln!(out, "{response}").context("writing standard output")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_answers_each_line_in_order_and_names_bad_lines() {
        let input = concat!(
            "{\"id\":1,\"passages\":[\"Returns are accepted within 14 days.\"],\"answer\":\"Returns are accepted within 14 days.\"}\n",
            "{\"id\":2,\"passages\":[\"Returns are accepted within 14 days.\"],\"answer\":\"Returns are accepted within 30 days.\"}\n",
            "not json\n",
            "{\"id\":4,\"answer\":\"x\"}\n",
        );
        let mut out = Vec::new();
        check(&mut input.as_bytes(), &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines[0]["supported"], true);
        assert_eq!(lines[1]["supported"], false);
        assert_eq!(lines[1]["reasons"][0], "number_not_in_sources");
        assert!(lines[2]["error"].is_string());
        assert_eq!(lines[3]["id"], 4);
        assert!(lines[3]["error"].is_string());
    }
}
