//! Seeded synthetic FAQ knowledge bases and questions for the retrieval and startup workloads.
//!
//! The word lists, frames and SplitMix64 generator are loket-kb's samples
//! ([`loket_kb::sample`]), which its `retrieval` criterion bench uses too. Entries are FAQ JSONL lines, as `loket kb import` reads them, in
//! files of [`ENTRIES_PER_FILE`] so each stays under the import's file-size limit.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use loket_kb::SourceFile;
use loket_kb::sample::SplitMix;

/// The seed of every synthetic knowledge base.
pub const SEED: u64 = 42;

/// FAQ entries per JSONL source file.
const ENTRIES_PER_FILE: usize = 1000;

/// Alternative phrasings per entry, besides its question.
const ALTERNATIVES: usize = 3;

/// Which alternative phrasing of an entry is asked again as a known question.
const KNOWN_PHRASING: usize = 1;

/// A synthetic knowledge base: its source files and one question per entry. For even-numbered
/// entries the question is one of the entry's own alternative phrasings (a question the base
/// knows); for odd-numbered ones it is a fresh random phrasing (mostly abstentions), so the
/// workload times both outcomes.
pub struct Corpus {
    /// FAQ JSONL files for the importer.
    pub sources: Vec<SourceFile>,
    /// Questions to time, in order.
    pub questions: Vec<String>,
}

impl Corpus {
    /// `entries` FAQ entries from `seed`; the same arguments give the same corpus everywhere.
    pub fn generate(seed: u64, entries: usize) -> Corpus {
        let mut random = SplitMix(seed);
        let mut sources = Vec::new();
        let mut jsonl = String::new();
        let mut questions = Vec::with_capacity(entries);
        for number in 0..entries {
            if number > 0 && number % ENTRIES_PER_FILE == 0 {
                sources.push(source_file(sources.len(), std::mem::take(&mut jsonl)));
            }
            let question = random.question();
            let alternatives: Vec<String> = (0..ALTERNATIVES).map(|_| random.question()).collect();
            let line = serde_json::json!({
                "id": format!("entry-{number}"),
                "question": question,
                "alt_questions": alternatives,
                "answer": format!("Antwoord {number}."),
                "lang": if number % 2 == 0 { "nl" } else { "en" },
                "url": format!("https://shop.example/faq/{number}"),
            });
            jsonl.push_str(&line.to_string());
            jsonl.push('\n');
            // Drawn for every entry, so the stream of entries stays that of the kb bench.
            let fresh = random.question();
            questions.push(if number % 2 == 0 {
                alternatives[KNOWN_PHRASING].clone()
            } else {
                fresh
            });
        }
        if !jsonl.is_empty() {
            sources.push(source_file(sources.len(), jsonl));
        }
        Corpus { sources, questions }
    }

    /// Writes `entries-N.jsonl` (all entries) and `queries-N.txt` (one question a line) into
    /// `directory`, for the rank_bm25 comparison in bench/reference/.
    pub fn write(&self, directory: &Path, entries: usize) -> anyhow::Result<()> {
        std::fs::create_dir_all(directory).with_context(|| format!("creating {}", directory.display()))?;
        let entries_path = directory.join(format!("entries-{entries}.jsonl"));
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&entries_path).with_context(|| format!("creating {}", entries_path.display()))?,
        );
        for source in &self.sources {
            file.write_all(&source.bytes).context("writing the entries")?;
        }
        file.flush().context("writing the entries")?;
        let queries_path = directory.join(format!("queries-{entries}.txt"));
        let mut queries = self.questions.join("\n");
        queries.push('\n');
        std::fs::write(&queries_path, queries).with_context(|| format!("writing {}", queries_path.display()))?;
        Ok(())
    }
}

fn source_file(index: usize, jsonl: String) -> SourceFile {
    SourceFile {
        path: format!("synthetic-{index}.jsonl"),
        bytes: jsonl.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_split_into_files_of_a_thousand() {
        let corpus = Corpus::generate(SEED, 2_500);
        assert_eq!(corpus.sources.len(), 3);
        assert_eq!(corpus.questions.len(), 2_500);
        let lines: usize = corpus
            .sources
            .iter()
            .map(|source| source.bytes.iter().filter(|byte| **byte == b'\n').count())
            .sum();
        assert_eq!(lines, 2_500);
    }

    #[test]
    fn an_exact_multiple_of_the_file_size_leaves_no_empty_file() {
        let corpus = Corpus::generate(SEED, 2_000);
        assert_eq!(corpus.sources.len(), 2);
    }

    #[test]
    fn the_same_seed_gives_the_same_corpus() {
        let first = Corpus::generate(SEED, 20);
        let second = Corpus::generate(SEED, 20);
        assert_eq!(first.questions, second.questions);
        assert_eq!(first.sources[0].bytes, second.sources[0].bytes);
    }

    #[test]
    fn written_corpus_has_one_line_per_entry_and_query() {
        let directory = tempfile::tempdir().expect("temporary directory");
        Corpus::generate(SEED, 30).write(directory.path(), 30).expect("writing");
        let entries = std::fs::read_to_string(directory.path().join("entries-30.jsonl")).expect("entries");
        let queries = std::fs::read_to_string(directory.path().join("queries-30.txt")).expect("queries");
        assert_eq!(entries.lines().count(), 30);
        assert_eq!(queries.lines().count(), 30);
        let first: serde_json::Value = serde_json::from_str(entries.lines().next().unwrap_or_default()).expect("json");
        assert_eq!(first["id"], "entry-0");
    }
}
