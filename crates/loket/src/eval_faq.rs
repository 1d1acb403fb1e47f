//! `loket eval faq`: measures answer selection and abstention on public intent data sets.
//!
//! For banking77 and CLINC150 it builds a knowledge base with one FAQ entry per intent (five of the
//! intent's questions as phrasings, a placeholder answer), then asks the intent's other questions
//! and CLINC150's out-of-scope questions through [`KnowledgeBase::answer`], the same path the chat
//! uses. Questions are assigned deterministically by a seeded hash: which five become phrasings, and
//! whether a remaining question falls in the tuning or the held-out half. Thresholds are chosen on
//! the tuning half only; the held-out half is reported next to it.
//!
//! Then the plain-FAQ case: the demo FAQ (`demo/kb/faq`, English and Dutch) with only each
//! entry's question and answer, asked with customers' own rephrasings and out-of-scope questions
//! from `eval/faq-demo/rephrasings.jsonl` at the default threshold (nothing is tuned on them),
//! and the same FAQ as shipped, with its alternative phrasings.
//!
//! With `--encoder DIR` the knowledge bases are imported with embeddings and answer with hybrid
//! (lexical + dense) retrieval; import throughput and per-question time (encoding included) are
//! reported. `--dump FILE` writes each question's lexical and dense rankings as JSON lines, the
//! input for fitting the fusion and confidence constants in `loket-kb`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use loket_kb::{AnswerConfig, CustomerScope, Embedder, ImportLimits, KnowledgeBase, Lang, NoScreen, SourceFile};

/// Phrasings per intent in the knowledge base, as in the targets.
const PHRASINGS_PER_INTENT: usize = 5;
/// Fixed seed of the split hash, so every run measures the same questions.
const SPLIT_SEED: u64 = 0x6c6f_6b65_7421;
/// Target ceiling on wrong answers (wrong entry or answered out-of-scope), over all questions.
const MAX_WRONG: f64 = 0.03;
/// Target floor on declined out-of-scope questions.
const MIN_OOS_DECLINED: f64 = 0.95;
const SWEEP: &[f32] = &[0.5, 0.7, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96];

/// Runs the evaluation on `shared_data/intents` and writes a plain-text report to `out`.
/// `phrasings` (1 to 5) of each intent's questions become its entry's phrasings; the sets
/// use 5. Fewer give knowledge bases shaped like a plain FAQ (one question per answer), which the
/// confidence fit also has to hold on; their dump lines are marked `banking77-1` and so on.
pub fn run(
    shared_data: &Path,
    encoder: Option<&Path>,
    dump: Option<&Path>,
    phrasings: usize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let phrasings = phrasings.clamp(1, PHRASINGS_PER_INTENT);
    let encoder: Option<Arc<dyn Embedder>> = match encoder {
        Some(directory) => {
            // Loaded as `loket serve` loads it, so the evaluation answers with the calibration
            // the server would use (the folder's own file included).
            let started = Instant::now();
            let encoder = crate::load_encoder(Some(directory))?.context("an encoder directory was given")?;
            writeln!(
                out,
                "encoder loaded in {:.2} s; confidence calibration: {}",
                started.elapsed().as_secs_f64(),
                encoder.calibration().name
            )?;
            Some(encoder)
        }
        None => None,
    };
    let mut dump = match dump {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    let intents = shared_data.join("intents");
    let banking = read_banking77(&intents.join("banking77-train.csv"))?;
    let (clinc, clinc_oos) = read_clinc150(&intents.join("clinc150-train-val.json"))?;
    let default_threshold = AnswerConfig::default().threshold;
    writeln!(
        out,
        "FAQ evaluation: {phrasings} phrasings per intent, {} retrieval, default threshold {default_threshold:.2}",
        if encoder.is_some() {
            "hybrid (lexical + dense)"
        } else {
            "lexical"
        }
    )?;
    for (name, labelled, out_of_scope) in [("banking77", banking, Vec::new()), ("clinc150", clinc, clinc_oos)] {
        let set = EvalSet::split(labelled, out_of_scope, phrasings);
        let name = if phrasings == PHRASINGS_PER_INTENT {
            name.to_owned()
        } else {
            format!("{name}-{phrasings}")
        };
        let name = name.as_str();
        let outcomes = set.ask(
            name,
            encoder.clone(),
            dump.as_mut().map(|file| file as &mut dyn Write),
            out,
        )?;
        writeln!(
            out,
            "\n== {name}: {} intents, {} tuning and {} held-out in-scope questions, {} / {} out-of-scope ==",
            set.entries.len(),
            outcomes.tune.iter().filter(|o| o.expected.is_some()).count(),
            outcomes.held_out.iter().filter(|o| o.expected.is_some()).count(),
            outcomes.tune.iter().filter(|o| o.expected.is_none()).count(),
            outcomes.held_out.iter().filter(|o| o.expected.is_none()).count(),
        )?;
        writeln!(out, "{}", Metrics::header())?;
        let mut thresholds: Vec<f32> = SWEEP.to_vec();
        if !thresholds.iter().any(|t| (t - default_threshold).abs() < 1e-6) {
            thresholds.push(default_threshold);
            thresholds.sort_by(f32::total_cmp);
        }
        for threshold in thresholds {
            for (split, list) in [("tune", &outcomes.tune), ("held-out", &outcomes.held_out)] {
                let metrics = Metrics::at(list, threshold);
                let marker = if (threshold - default_threshold).abs() < 1e-6 {
                    "*"
                } else {
                    " "
                };
                writeln!(out, "{marker}{threshold:>5.2} {split:>9} | {}", metrics.row())?;
            }
        }
        let best = best_threshold(&outcomes.tune);
        match best {
            Some(threshold) => {
                let tune = Metrics::at(&outcomes.tune, threshold);
                let held_out = Metrics::at(&outcomes.held_out, threshold);
                writeln!(
                    out,
                    "lowest threshold meeting wrong <= 3% and oos-declined >= 95% on tune: {threshold:.2}\n  tune     | {}\n  held-out | {}",
                    tune.row(),
                    held_out.row()
                )?;
            }
            None => writeln!(out, "no threshold meets the targets on the tuning half")?,
        }
    }
    demo_plain_faq(encoder, out)?;
    writeln!(
        out,
        "\n* = default threshold. answered and acc|ans over in-scope questions; wrong = wrong entry or answered out-of-scope, over all questions."
    )?;
    Ok(())
}

/// The demo FAQ, English and Dutch, as shipped in `demo/kb/faq`.
const DEMO_FAQ: [(&str, &str); 2] = [
    ("faq.en.jsonl", include_str!("../../../demo/kb/faq/faq.en.jsonl")),
    ("faq.nl.jsonl", include_str!("../../../demo/kb/faq/faq.nl.jsonl")),
];
/// Customers' rephrasings of the demo FAQ and out-of-scope questions (see its header).
pub(crate) const DEMO_REPHRASINGS: &str = include_str!("../../../eval/faq-demo/rephrasings.jsonl");

/// The plain-FAQ target: the demo FAQ with each entry's question and answer only (its
/// alternative phrasings removed), asked with customers' own rephrasings in both languages and
/// with out-of-scope questions, at the default threshold (nothing is tuned on this set). The
/// FAQ as shipped, with its alternative phrasings, is reported next to it.
fn demo_plain_faq(encoder: Option<Arc<dyn Embedder>>, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut questions: Vec<(String, Lang, Option<String>)> = Vec::new();
    for line in DEMO_REPHRASINGS.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line).context("parsing eval/faq-demo/rephrasings.jsonl")?;
        let text = value["text"].as_str().context("a rephrasing without text")?.to_owned();
        let lang = Lang::parse(value["lang"].as_str().unwrap_or_default()).context("a rephrasing without lang")?;
        let expected = value["entry_id"].as_str().map(str::to_owned);
        questions.push((text, lang, expected));
    }
    let threshold = AnswerConfig::default().threshold;
    for (name, keep_alternatives) in [
        ("demo FAQ, plain (question + answer)", false),
        ("demo FAQ as shipped", true),
    ] {
        let mut sources = Vec::new();
        for (file, content) in DEMO_FAQ {
            let mut jsonl = String::new();
            for line in content.lines().filter(|line| !line.trim().is_empty()) {
                let mut entry: serde_json::Value = serde_json::from_str(line).context("parsing the demo FAQ")?;
                if !keep_alternatives && let Some(object) = entry.as_object_mut() {
                    object.remove("alt_questions");
                }
                jsonl.push_str(&entry.to_string());
                jsonl.push('\n');
            }
            sources.push(SourceFile {
                path: file.to_owned(),
                bytes: jsonl.into_bytes(),
            });
        }
        let directory = ScratchDir::create(if keep_alternatives {
            "demo-shipped"
        } else {
            "demo-plain"
        })?;
        import(&directory.path, sources, encoder.as_deref()).context("importing the demo FAQ")?;
        let kb = KnowledgeBase::open_with_encoder(
            &directory.path,
            AnswerConfig {
                threshold: 0.0,
                ..AnswerConfig::default()
            },
            encoder.clone(),
        )
        .context("opening the demo FAQ")?;
        let scope = CustomerScope::anonymous();
        let mut outcomes = Vec::with_capacity(questions.len());
        let mut in_scope = [0usize; 2];
        for (text, lang, expected) in &questions {
            let answer = kb.answer(text, *lang, &scope);
            if expected.is_some() {
                in_scope[usize::from(*lang == Lang::Nl)] += 1;
            }
            outcomes.push(Outcome {
                expected: expected.clone(),
                predicted: answer.entry_id,
                confidence: answer.confidence,
            });
        }
        writeln!(
            out,
            "\n== {name}: {} in-scope questions ({} English, {} Dutch), {} out-of-scope, default threshold ==",
            in_scope[0] + in_scope[1],
            in_scope[0],
            in_scope[1],
            questions.iter().filter(|(_, _, expected)| expected.is_none()).count()
        )?;
        writeln!(out, "{}", Metrics::header())?;
        for (label, lang) in [("all", None), ("English", Some(Lang::En)), ("Dutch", Some(Lang::Nl))] {
            let chosen: Vec<Outcome> = questions
                .iter()
                .zip(&outcomes)
                .filter(|((_, question_lang, _), _)| lang.is_none_or(|lang| lang == *question_lang))
                .map(|(_, outcome)| outcome.clone())
                .collect();
            writeln!(
                out,
                "*{threshold:>5.2} {label:>9} | {}",
                Metrics::at(&chosen, threshold).row()
            )?;
        }
        for other in [0.0, 0.3, 0.5, 0.7] {
            writeln!(
                out,
                " {other:>5.2} {:>9} | {}",
                "all",
                Metrics::at(&outcomes, other).row()
            )?;
        }
        let offering = KnowledgeBase::open_with_encoder(
            &directory.path,
            AnswerConfig {
                suggestion_floor: 0.0,
                ..AnswerConfig::default()
            },
            encoder.clone(),
        )
        .context("opening the demo FAQ")?;
        suggestion_report(&offering, &questions, out)?;
    }
    Ok(())
}

/// Floors at which [`suggestion_report`] prints the suggestions' figures.
const SUGGESTION_FLOORS: [f32; 5] = [0.0, 0.05, 0.1, 0.2, 0.3];

/// What the approved questions offered with abstentions at the default threshold do: for the
/// in-scope questions abstained on, how often questions are offered and how often the right
/// entry's question is among them; for out-of-scope questions, how often any is offered; and
/// whether every offered question, asked verbatim, is answered by its own entry.
fn suggestion_report(
    kb: &KnowledgeBase,
    questions: &[(String, Lang, Option<String>)],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let scope = CustomerScope::anonymous();
    // (expected entry, best confidence, offered entry ids) of every abstention.
    let mut abstained: Vec<(Option<&str>, f32, Vec<String>)> = Vec::new();
    let mut offered_questions: Vec<(String, Lang, String)> = Vec::new();
    for (text, lang, expected) in questions {
        let answer = kb.answer(text, *lang, &scope);
        if answer.outcome != loket_kb::Outcome::Abstain {
            continue;
        }
        for suggestion in &answer.suggestions {
            offered_questions.push((suggestion.question.clone(), *lang, suggestion.entry_id.clone()));
        }
        let ids = answer
            .suggestions
            .into_iter()
            .map(|suggestion| suggestion.entry_id)
            .collect();
        abstained.push((expected.as_deref(), answer.confidence, ids));
    }
    let in_scope_abstained = abstained.iter().filter(|(expected, _, _)| expected.is_some()).count();
    let out_of_scope = questions.iter().filter(|(_, _, expected)| expected.is_none()).count();
    writeln!(
        out,
        "suggested questions ({} offered at most) with the {} in-scope abstentions and the {} out-of-scope questions:",
        AnswerConfig::default().suggestions,
        in_scope_abstained,
        out_of_scope
    )?;
    writeln!(
        out,
        "floor | in-scope offered  right one offered | out-of-scope offered"
    )?;
    let share = |count: usize, total: usize| 100.0 * count as f64 / total.max(1) as f64;
    for floor in SUGGESTION_FLOORS {
        let shown = |(_, confidence, ids): &&(Option<&str>, f32, Vec<String>)| *confidence >= floor && !ids.is_empty();
        let in_scope_shown = abstained.iter().filter(|item| item.0.is_some()).filter(shown).count();
        let right_shown = abstained
            .iter()
            .filter(shown)
            .filter(|(expected, _, ids)| expected.is_some_and(|expected| ids.iter().any(|id| id == expected)))
            .count();
        let out_of_scope_shown = abstained.iter().filter(|item| item.0.is_none()).filter(shown).count();
        let marker = if floor == AnswerConfig::default().suggestion_floor {
            '*'
        } else {
            ' '
        };
        writeln!(
            out,
            "{marker}{floor:>4.2} |          {:>6.1}%             {:>6.1}% |               {:>6.1}%",
            share(in_scope_shown, in_scope_abstained),
            share(right_shown, in_scope_abstained),
            share(out_of_scope_shown, out_of_scope),
        )?;
    }
    let answered_by_own_entry = offered_questions
        .iter()
        .filter(|(question, lang, entry_id)| {
            kb.answer(question, *lang, &scope).entry_id.as_deref() == Some(entry_id.as_str())
        })
        .count();
    writeln!(
        out,
        "offered questions asked verbatim: {answered_by_own_entry} of {} answered by their own entry",
        offered_questions.len()
    )?;
    Ok(())
}

/// One question's result at threshold zero; any threshold is then a filter on `confidence`.
#[derive(Clone)]
struct Outcome {
    /// The right entry, `None` for an out-of-scope question.
    expected: Option<String>,
    /// The entry the knowledge base picked, `None` when it found nothing.
    predicted: Option<String>,
    confidence: f32,
}

struct Outcomes {
    tune: Vec<Outcome>,
    held_out: Vec<Outcome>,
}

struct EvalSet {
    /// Intent → its phrasings.
    entries: BTreeMap<String, Vec<String>>,
    /// `(question, intent or None for out-of-scope, is_tuning)`.
    queries: Vec<(String, Option<String>, bool)>,
}

impl EvalSet {
    fn split(labelled: Vec<(String, String)>, out_of_scope: Vec<String>, phrasings: usize) -> EvalSet {
        let mut by_intent: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (text, intent) in labelled {
            by_intent.entry(entry_id(&intent)).or_default().push(text);
        }
        let mut entries = BTreeMap::new();
        let mut queries = Vec::new();
        for (intent, mut questions) in by_intent {
            questions.sort_by_key(|text| (split_hash(text), text.clone()));
            questions.dedup();
            // The questions asked do not depend on `phrasings`: with fewer, the other of the
            // first five are simply not in the knowledge base.
            let rest = questions.split_off(PHRASINGS_PER_INTENT.min(questions.len()));
            questions.truncate(phrasings);
            for question in rest {
                let tuning = split_hash(&question) & 0x100 == 0;
                queries.push((question, Some(intent.clone()), tuning));
            }
            entries.insert(intent, questions);
        }
        for question in out_of_scope {
            let tuning = split_hash(&question) & 0x100 == 0;
            queries.push((question, None, tuning));
        }
        EvalSet { entries, queries }
    }

    fn ask(
        &self,
        name: &str,
        encoder: Option<Arc<dyn Embedder>>,
        mut dump: Option<&mut dyn Write>,
        out: &mut dyn Write,
    ) -> anyhow::Result<Outcomes> {
        let directory = ScratchDir::create(name)?;
        let mut jsonl = String::new();
        for (intent, phrasings) in &self.entries {
            let Some((question, alternatives)) = phrasings.split_first() else {
                continue;
            };
            let line = serde_json::json!({
                "id": intent,
                "question": question,
                "alt_questions": alternatives,
                "answer": format!("Placeholder answer for {intent}."),
                "lang": "en",
            });
            jsonl.push_str(&line.to_string());
            jsonl.push('\n');
        }
        let sources = vec![SourceFile {
            path: format!("{name}.jsonl"),
            bytes: jsonl.into_bytes(),
        }];
        let started = Instant::now();
        let report = import(&directory.path, sources, encoder.as_deref())
            .with_context(|| format!("importing the {name} knowledge base"))?;
        let import_time = started.elapsed().as_secs_f64();
        writeln!(
            out,
            "\n{name}: imported {} entries ({} phrasings) in {import_time:.2} s, {:.0} entries/s",
            report.public_entries,
            self.entries.values().map(Vec::len).sum::<usize>(),
            report.public_entries as f64 / import_time.max(1e-9)
        )?;
        if let Some(first) = report.rejections.first() {
            bail!(
                "{} {name} entries were rejected, first {}: {}",
                report.rejections.len(),
                first.source,
                first.reason
            );
        }
        // Threshold zero: every question gets its best entry and confidence; thresholds are
        // applied afterwards, which is exactly what `answer` does with a non-zero threshold.
        let kb = KnowledgeBase::open_with_encoder(
            &directory.path,
            AnswerConfig {
                threshold: 0.0,
                ..AnswerConfig::default()
            },
            encoder,
        )
        .context("opening the evaluation knowledge base")?;
        let scope = CustomerScope::anonymous();
        let mut outcomes = Outcomes {
            tune: Vec::new(),
            held_out: Vec::new(),
        };
        let mut times: Vec<Duration> = Vec::with_capacity(self.queries.len());
        for (question, expected, tuning) in &self.queries {
            let started = Instant::now();
            let answer = kb.answer(question, Lang::En, &scope);
            times.push(started.elapsed());
            if let Some(dump) = dump.as_mut() {
                let explanation = kb.explain(question, Some(Lang::En), &scope);
                let line = serde_json::json!({
                    "set": name,
                    "tuning": tuning,
                    "expected": expected,
                    "lexical": explanation.ranked.iter().take(10).collect::<Vec<_>>(),
                    "lexical_confidence": explanation.confidence,
                    "dense": explanation.dense.iter().take(10).collect::<Vec<_>>(),
                    "dense_votes": explanation.dense_votes,
                });
                writeln!(dump, "{line}")?;
            }
            let outcome = Outcome {
                expected: expected.clone(),
                predicted: answer.entry_id,
                confidence: answer.confidence,
            };
            if *tuning {
                outcomes.tune.push(outcome);
            } else {
                outcomes.held_out.push(outcome);
            }
        }
        times.sort();
        let percentile = |share: f64| {
            let index = ((times.len() as f64 * share).ceil() as usize).clamp(1, times.len().max(1)) - 1;
            times.get(index).map_or(0.0, |time| time.as_secs_f64() * 1000.0)
        };
        writeln!(
            out,
            "{name}: answer time per question (encoding included) p50 {:.2} ms, p99 {:.2} ms",
            percentile(0.5),
            percentile(0.99)
        )?;
        Ok(outcomes)
    }
}

#[derive(Default)]
struct Metrics {
    in_scope: usize,
    answered: usize,
    correct: usize,
    wrong: usize,
    out_of_scope: usize,
    oos_declined: usize,
}

impl Metrics {
    fn at(outcomes: &[Outcome], threshold: f32) -> Metrics {
        let mut metrics = Metrics::default();
        for outcome in outcomes {
            let answered = outcome.predicted.is_some() && outcome.confidence >= threshold;
            match &outcome.expected {
                Some(expected) => {
                    metrics.in_scope += 1;
                    if answered {
                        metrics.answered += 1;
                        if outcome.predicted.as_ref() == Some(expected) {
                            metrics.correct += 1;
                        } else {
                            metrics.wrong += 1;
                        }
                    }
                }
                None => {
                    metrics.out_of_scope += 1;
                    if answered {
                        metrics.wrong += 1;
                    } else {
                        metrics.oos_declined += 1;
                    }
                }
            }
        }
        metrics
    }

    fn wrong_rate(&self) -> f64 {
        ratio(self.wrong, self.in_scope + self.out_of_scope)
    }

    fn oos_declined_rate(&self) -> Option<f64> {
        (self.out_of_scope > 0).then(|| ratio(self.oos_declined, self.out_of_scope))
    }

    /// The column titles above [`Metrics::row`], after the threshold and split columns.
    fn header() -> String {
        format!(
            "{:>6} {:>9} | {:>8} {:>9} {:>7} {:>9}",
            "thresh", "split", "answered", "acc|ans", "wrong", "oos-decl"
        )
    }

    fn row(&self) -> String {
        let oos = match self.oos_declined_rate() {
            Some(rate) => format!("{:>8.1}%", rate * 100.0),
            None => format!("{:>9}", "n/a"),
        };
        format!(
            "{:>7.1}% {:>8.1}% {:>6.2}% {oos}",
            ratio(self.answered, self.in_scope) * 100.0,
            ratio(self.correct, self.answered) * 100.0,
            self.wrong_rate() * 100.0,
        )
    }
}

/// The lowest threshold (in steps of 0.01) that meets both targets on `outcomes`.
fn best_threshold(outcomes: &[Outcome]) -> Option<f32> {
    (0..=100).map(|step| step as f32 / 100.0).find(|threshold| {
        let metrics = Metrics::at(outcomes, *threshold);
        metrics.wrong_rate() <= MAX_WRONG && metrics.oos_declined_rate().is_none_or(|rate| rate >= MIN_OOS_DECLINED)
    })
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// The knowledge-base id of an intent: characters an entry id may not hold become `-`
/// (banking77 has an intent named `reverted_card_payment?`).
fn entry_id(intent: &str) -> String {
    intent
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.') {
                character
            } else {
                '-'
            }
        })
        .collect()
}

/// FNV-1a over the seed and the text: stable across platforms and Rust versions.
fn split_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ SPLIT_SEED;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Imports an evaluation knowledge base with the default limits, embedded when `encoder` is given.
fn import(
    directory: &Path,
    sources: Vec<SourceFile>,
    encoder: Option<&dyn Embedder>,
) -> Result<loket_kb::ImportReport, loket_kb::Error> {
    loket_kb::import_embedded(
        directory,
        sources,
        &ImportLimits::default(),
        &NoScreen,
        encoder,
        &mut |_| {},
    )
}

/// A temporary directory removed on drop.
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    fn create(name: &str) -> anyhow::Result<ScratchDir> {
        let path = std::env::temp_dir().join(format!("loket-eval-faq-{}-{name}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).context("clearing the evaluation directory")?;
        }
        std::fs::create_dir_all(&path).context("creating the evaluation directory")?;
        Ok(ScratchDir { path })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Reads `text,category` records (RFC 4180: quoted fields may hold commas, quotes and line
/// breaks) after the header.
pub(crate) fn read_banking77(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (number, record) in csv_records(&text).into_iter().enumerate().skip(1) {
        match record.as_slice() {
            [question, intent] => rows.push((question.trim().to_owned(), intent.trim().to_owned())),
            [single] if single.trim().is_empty() => {}
            _ => bail!("{}: record {} does not have two fields", path.display(), number + 1),
        }
    }
    Ok(rows)
}

fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                field.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ => field.push(character),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// `(question, intent)` pairs.
pub(crate) type Labelled = Vec<(String, String)>;

/// Reads CLINC150: in-scope `(text, intent)` from train and val, and the out-of-scope texts.
pub(crate) fn read_clinc150(path: &Path) -> anyhow::Result<(Labelled, Vec<String>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let splits: BTreeMap<String, Vec<(String, String)>> =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut in_scope = Vec::new();
    let mut out_of_scope = Vec::new();
    for (split, rows) in splits {
        for (question, intent) in rows {
            if intent == "oos" || split.starts_with("oos") {
                out_of_scope.push(question);
            } else {
                in_scope.push((question, intent));
            }
        }
    }
    Ok((in_scope, out_of_scope))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_rephrasing_names_a_demo_faq_entry_of_its_language_or_none() {
        let mut entries: BTreeMap<String, String> = BTreeMap::new();
        for (_, content) in DEMO_FAQ {
            for line in content.lines().filter(|line| !line.trim().is_empty()) {
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                entries.insert(
                    value["id"].as_str().unwrap().to_owned(),
                    value["lang"].as_str().unwrap().to_owned(),
                );
            }
        }
        let mut per_entry: BTreeMap<String, usize> = BTreeMap::new();
        let mut out_of_scope = 0;
        for line in DEMO_REPHRASINGS
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let lang = value["lang"].as_str().unwrap();
            assert!(Lang::parse(lang).is_some(), "{line}");
            match value["entry_id"].as_str() {
                Some(id) => {
                    assert_eq!(entries.get(id).map(String::as_str), Some(lang), "{line}");
                    *per_entry.entry(id.to_owned()).or_default() += 1;
                }
                None => out_of_scope += 1,
            }
        }
        assert_eq!(per_entry.len(), entries.len(), "every FAQ entry has rephrasings");
        assert!(per_entry.values().all(|count| *count == 3));
        assert_eq!(out_of_scope, 50);
    }

    #[test]
    fn csv_records_handle_quotes_commas_and_line_breaks() {
        assert_eq!(csv_records("a,b\r\n"), [["a", "b"]]);
        assert_eq!(
            csv_records("\"a, \"\"b\"\"\",c\n\"x\ny\",z"),
            [["a, \"b\"", "c"], ["x\ny", "z"]]
        );
    }

    #[test]
    fn metrics_count_out_of_scope_answers_as_wrong() {
        let outcome = |expected: Option<&str>, predicted: &str, confidence| Outcome {
            expected: expected.map(str::to_owned),
            predicted: Some(predicted.to_owned()),
            confidence,
        };
        let outcomes = [
            outcome(Some("a"), "a", 0.9),
            outcome(Some("a"), "b", 0.6),
            outcome(None, "a", 0.7),
            outcome(None, "a", 0.1),
        ];
        let metrics = Metrics::at(&outcomes, 0.5);
        assert_eq!((metrics.answered, metrics.correct, metrics.wrong), (2, 1, 2));
        assert_eq!(metrics.oos_declined_rate(), Some(0.5));
        assert_eq!(best_threshold(&outcomes), Some(0.71));
    }
}
