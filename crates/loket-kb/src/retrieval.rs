//! One searchable partition on disk (a tantivy index plus the entries it points to) and lexical
//! retrieval over it with the features that confidence is computed from.
//!
//! Each FAQ phrasing and each document passage is its own index document carrying a `phrasing`
//! number; hits are aggregated per entry by their maximum score. A partition is immutable once
//! built: imports build a new one instead of changing it.

use std::cell::RefCell;
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;
use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::TermInfo;
use tantivy::schema::{FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, InvertedIndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis::{self, GRAMS, PLAIN};
use crate::model::{Audience, Date, Entry, EntryKind};
use crate::{Error, Lang, Result};

const INDEX_DIR: &str = "index";
pub(crate) const ENTRIES_FILE: &str = "entries.json";
/// Hits fetched per query before aggregation; enough for the margin and vote features.
const TOP_HITS: usize = 40;
/// Hits that vote for the best entry (the kNN-style agreement feature).
const VOTE_HITS: usize = 10;

/// Share of a further matching phrasing's score added to its entry's best one.
const SUPPORT_SHARE: f32 = 0.3;

/// Relative weights of the three fields in the BM25 sum.
const WEIGHT_STEM: f32 = 1.0;
const WEIGHT_PLAIN: f32 = 0.5;
const WEIGHT_GRAMS: f32 = 0.3;

const FIELD_PHRASING: &str = "phrasing";
const FIELD_LANG: &str = "lang";
const FIELD_ACCESS: &str = "access";
const FIELD_STEM_NL: &str = "stem_nl";
const FIELD_STEM_EN: &str = "stem_en";
const FIELD_PLAIN: &str = "plain";
const FIELD_GRAMS: &str = "grams";

/// The access key of an entry: a search admits only entries whose key is among the scope's keys
/// ([`Partition::hits`]), so a conversation's scope is enforced inside the search itself and not
/// only afterwards. It is also indexed (with the language) as a plain field of every document.
pub(crate) fn access_key(entry: &Entry) -> String {
    match (entry.audience, &entry.customer_id) {
        (Audience::Public, _) => "public".to_owned(),
        (Audience::Customer, None) => "customer".to_owned(),
        (Audience::Customer, Some(customer)) => format!("customer:{customer}"),
        (Audience::Internal, _) => "internal".to_owned(),
        (Audience::Confidential, _) => "confidential".to_owned(),
    }
}

#[derive(Clone, Copy)]
struct Fields {
    phrasing: Field,
    lang: Field,
    access: Field,
    stem_nl: Field,
    stem_en: Field,
    plain: Field,
    grams: Field,
}

impl Fields {
    fn schema() -> Schema {
        let mut builder = Schema::builder();
        builder.add_u64_field(FIELD_PHRASING, FAST);
        builder.add_text_field(FIELD_LANG, STRING);
        builder.add_text_field(FIELD_ACCESS, STRING);
        for (name, tokenizer) in [
            (FIELD_STEM_NL, analysis::STEM_NL),
            (FIELD_STEM_EN, analysis::STEM_EN),
            (FIELD_PLAIN, PLAIN),
            (FIELD_GRAMS, GRAMS),
        ] {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs);
            builder.add_text_field(name, TextOptions::default().set_indexing_options(indexing));
        }
        builder.build()
    }

    fn of(schema: &Schema) -> Result<Fields> {
        let field = |name: &str| schema.get_field(name).map_err(Error::from);
        Ok(Fields {
            phrasing: field(FIELD_PHRASING)?,
            lang: field(FIELD_LANG)?,
            access: field(FIELD_ACCESS)?,
            stem_nl: field(FIELD_STEM_NL)?,
            stem_en: field(FIELD_STEM_EN)?,
            plain: field(FIELD_PLAIN)?,
            grams: field(FIELD_GRAMS)?,
        })
    }

    fn stem(&self, lang: Lang) -> Field {
        self.scored()[stem_slot(lang)]
    }

    /// The fields a query scores, in slot order (see [`QueryTerm::slot`]).
    fn scored(&self) -> [Field; SCORED_FIELDS] {
        [self.stem_nl, self.stem_en, self.plain, self.grams]
    }
}

/// The number of fields a query scores: the two stem fields, the plain field and the character grams.
const SCORED_FIELDS: usize = 4;
const SLOT_PLAIN: usize = 2;
const SLOT_GRAMS: usize = 3;

/// The slot of a language's stem field in [`Fields::scored`].
fn stem_slot(lang: Lang) -> usize {
    match lang {
        Lang::Nl => 0,
        Lang::En => 1,
    }
}

/// BM25's term-saturation parameter, as tantivy scores with it.
const BM25_K1: f32 = 1.2;
/// BM25's length-normalisation parameter, as tantivy scores with it.
const BM25_B: f32 = 0.75;

/// One weighted term of a query.
struct QueryTerm {
    /// The scored field it is searched in, by its position in [`Fields::scored`].
    slot: usize,
    /// Its BM25 weight: idf × (1 + k1) × its field's weight, computed as tantivy computes it.
    weight: f32,
    /// Where its postings are, by segment ordinal; `None` in a segment without the term.
    infos: Vec<Option<TermInfo>>,
    /// The term and its field's weight, for tests that run the same query through tantivy.
    #[cfg(test)]
    clause: (Term, f32),
}

/// What scoring needs of one segment: per scored field, the postings and the length norms.
struct SegmentFields {
    inverted: [Arc<InvertedIndexReader>; SCORED_FIELDS],
    fieldnorms: [FieldNormReader; SCORED_FIELDS],
}

/// Per-thread scratch of [`Partition::hits`], reused across searches so that a search allocates
/// nothing in proportion to the index: every slot of `scores` is zero between searches. It holds
/// 4.125 bytes per document of the largest segment searched on the thread (1.6 MB for 100,000
/// entries with four phrasings); the chat searches on the runtime's worker threads.
#[derive(Default)]
struct Scratch {
    scores: Vec<f32>,
    /// One bit per document: set when the document has been scored in this segment.
    seen: Vec<u64>,
    /// Set while a search uses the scratch: still set at the start of the next one only if a
    /// search unwound midway, and then the scratch is cleared before use.
    in_use: bool,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Where one indexed phrasing points: an entry and the phrasing's position within it.
#[derive(Debug, Clone)]
struct PhrasingRef {
    entry: usize,
    index_in_entry: usize,
    text: String,
}

/// The weighted terms of one query with the idf mass of each field.
struct QueryTerms {
    terms: Vec<QueryTerm>,
    /// The question's stems in each language searched, for the coverage features.
    stems: Vec<(Lang, Vec<String>)>,
    /// The stem fields' masses, per language searched.
    stem_masses: Vec<(Lang, f32)>,
    plain_mass: f32,
    gram_mass: f32,
}

impl QueryTerms {
    /// The query's idf mass as [`Partition::search`] with `lang` computes it: the stem mass of that
    /// language, or the larger of the two for `None`, plus the other fields'.
    fn mass(&self, lang: Option<Lang>) -> f32 {
        let stem = self
            .stem_masses
            .iter()
            .filter(|(stem_lang, _)| lang.is_none_or(|lang| lang == *stem_lang))
            .map(|(_, mass)| *mass)
            .fold(0.0f32, f32::max);
        stem + self.plain_mass + self.gram_mass
    }
}

/// An opened, immutable partition.
pub(crate) struct Partition {
    // Kept so the searcher's segments stay valid for the partition's lifetime.
    _reader: IndexReader,
    searcher: Searcher,
    fields: Fields,
    entries: Vec<Entry>,
    phrasings: Vec<PhrasingRef>,
    /// Index in `phrasings` of each entry's first phrasing (an entry's phrasings are contiguous).
    first_phrasing: Vec<usize>,
    /// The phrasing number of every document of each segment, by segment ordinal and document id
    /// (read once from the `phrasing` fast field; [`NO_PHRASING`] where a document has none).
    doc_phrasings: Vec<Vec<u32>>,
    /// A number for each distinct access key of the entries ([`access_key`]).
    key_numbers: HashMap<String, u32>,
    /// Each entry's access key, by its number in `key_numbers`.
    entry_access: Vec<u32>,
    /// The postings and length norms of each segment, by segment ordinal.
    segment_fields: Vec<SegmentFields>,
    /// Per scored field, BM25's length normalisation `k1 × (1 − b + b × length / average length)`
    /// for each of tantivy's 256 encoded field lengths.
    length_norms: [[f32; 256]; SCORED_FIELDS],
    /// Per scored field, BM25's saturation `1 / (1 + norm)` of a term occurring once, for each
    /// encoded field length: the same quotient as computed per hit, computed once.
    single_occurrence: [[f32; 256]; SCORED_FIELDS],
    /// Documents in the index, deleted ones included: the `N` of BM25's idf, as tantivy counts it.
    max_docs: u64,
    /// `(key_hash, entry)` for every approved question of every FAQ entry, sorted: a question
    /// asked verbatim (as a suggested question is) is answered by its entry without ranking.
    /// Hashes rather than the questions' keys, so opening a partition allocates no string per
    /// phrasing; a hit is confirmed against the entry's own questions.
    exact_questions: Vec<(u64, u32)>,
}

/// A question as compared for verbatim matches: lower case, letters and digits only, words
/// separated by single spaces, so that case, punctuation and spacing do not matter ("Hoe lang
/// duurt de levering?" and "hoe lang duurt de levering" are the same question).
pub(crate) fn question_key(text: &str) -> String {
    let mut key = String::new();
    write_question_key(text, &mut key);
    key
}

/// Writes [`question_key`] of `text` into `key`, replacing what it held, so that one buffer serves
/// every phrasing of a partition.
fn write_question_key(text: &str, key: &mut String) {
    key.clear();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        if word.is_ascii() {
            key.extend(word.bytes().map(|byte| char::from(byte.to_ascii_lowercase())));
        } else {
            key.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
}

/// FNV-1a over a question key's bytes: only sorts and narrows the lookup, which every hit
/// confirms by comparing keys, so a fast hash does.
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The approved questions of an FAQ entry (none for a document).
fn approved_questions(entry: &Entry) -> impl Iterator<Item = &String> {
    let (question, alternatives) = match &entry.kind {
        EntryKind::Faq {
            question,
            alt_questions,
            ..
        } => (Some(question), alt_questions.as_slice()),
        EntryKind::Document { .. } => (None, &[][..]),
    };
    question.into_iter().chain(alternatives)
}

/// In `doc_phrasings`: a document without a valid phrasing number, which no search returns.
const NO_PHRASING: u32 = u32::MAX;

/// A hit kept by the top-k heap of [`Partition::hits`]: ordered by score and, among equal
/// scores, with the lower document address first, as tantivy's own top-docs collector orders them.
#[derive(Debug, Clone, Copy)]
struct HeapHit {
    score: f32,
    segment: u32,
    doc: u32,
    /// The document's phrasing number (not part of the order: the address is unique).
    phrasing: u32,
}

impl PartialEq for HeapHit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for HeapHit {}

impl PartialOrd for HeapHit {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `Less` when `self` ranks above `other`: the greatest is the hit that ranks lowest, so a
/// max-heap of these keeps the best k with their lowest on top.
impl Ord for HeapHit {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then((self.segment, self.doc).cmp(&(other.segment, other.doc)))
    }
}

/// The best `limit` hits a search keeps, among phrasings in `lang` when given.
struct TopHits {
    lang: Option<Lang>,
    limit: usize,
    heap: BinaryHeap<HeapHit>,
    /// The lowest kept score once the heap is full: most documents fall below it and are
    /// dismissed by this one comparison.
    floor: f32,
}

impl TopHits {
    fn new(lang: Option<Lang>, limit: usize) -> TopHits {
        TopHits {
            lang,
            limit,
            heap: BinaryHeap::with_capacity(limit + 1),
            floor: f32::NEG_INFINITY,
        }
    }

    /// Whether `hit` would be kept by its score and address (scope and language aside).
    fn wants(&self, hit: &HeapHit) -> bool {
        hit.score >= self.floor && (self.heap.len() < self.limit || self.heap.peek().is_some_and(|lowest| hit < lowest))
    }

    fn push(&mut self, hit: HeapHit) {
        self.heap.push(hit);
        if self.heap.len() > self.limit {
            self.heap.pop();
        }
        if self.heap.len() == self.limit {
            self.floor = self.heap.peek().map_or(f32::NEG_INFINITY, |lowest| lowest.score);
        }
    }

    /// The kept hits as `(score, phrasing number)`, best first.
    fn into_hits(self) -> Vec<(f32, usize)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|hit| (hit.score, hit.phrasing as usize))
            .collect()
    }
}

/// One ranked entry.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub entry: usize,
    /// The best-scoring phrasing or passage of this entry.
    pub phrasing_in_entry: usize,
    pub score: f32,
}

/// Features of a query's result from which confidence is computed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Features {
    /// BM25 score of the best entry.
    pub top_score: f32,
    /// Best score divided by the query's own idf mass: about 1 when every query term matched once.
    pub normalised: f32,
    /// `(best - second) / best` over entries; 1 when only one entry matched.
    pub margin: f32,
    /// Fraction of the query's content words (stems) found in the best phrasing.
    pub coverage: f32,
    /// Fraction of the top hits that belong to the best entry.
    pub votes: f32,
    /// Fraction of the best phrasing's content words (stems) found in the question; together with
    /// `coverage` it recognises a question asked as approved, word for word.
    pub reverse_coverage: f32,
}

/// A ranked result list with its features.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranking {
    pub candidates: Vec<Candidate>,
    pub features: Features,
}

/// Builds a partition in `directory` (which must not exist yet) from `entries`.
pub(crate) fn build(directory: &Path, entries: &[Entry]) -> Result<()> {
    let index_dir = directory.join(INDEX_DIR);
    std::fs::create_dir_all(&index_dir).map_err(|error| Error::storage(&index_dir, error))?;
    let schema = Fields::schema();
    let fields = Fields::of(&schema)?;
    let index = Index::create_in_dir(&index_dir, schema)?;
    analysis::register(index.tokenizers());
    let mut plain_analyzer = analysis::analyzer(PLAIN);
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 30_000_000)?;
    let mut phrasing_number = 0u64;
    for entry in entries {
        let access = access_key(entry);
        for text in entry.phrasings() {
            let mut document = TantivyDocument::default();
            document.add_u64(fields.phrasing, phrasing_number);
            document.add_text(fields.lang, entry.lang.code());
            document.add_text(fields.access, &access);
            document.add_text(fields.stem(entry.lang), &text);
            document.add_text(fields.plain, &text);
            document.add_text(fields.grams, analysis::word_grams(&mut plain_analyzer, &text));
            writer.add_document(document)?;
            phrasing_number += 1;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let entries_path = directory.join(ENTRIES_FILE);
    let json = serde_json::to_vec(entries).map_err(|error| Error::Corrupt {
        generation: directory.display().to_string(),
        reason: error.to_string(),
    })?;
    write_synced(&entries_path, &json)
}

/// Writes a file and flushes it to disk, so that a later pointer switch never points at a
/// partition whose files are still only in the page cache.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(|error| Error::storage(path, error))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|error| Error::storage(path, error))
}

/// The idf of a term in `frequency` of `documents` documents, computed as tantivy computes it:
/// the BM25 weight of a term and, over the live documents, a query's idf mass.
fn idf(documents: u64, frequency: u64) -> f32 {
    let spread = (documents.saturating_sub(frequency) as f32 + 0.5) / (frequency as f32 + 0.5);
    (1.0 + spread).ln()
}

/// An IO error of reading the index.
fn index_io(error: std::io::Error) -> Error {
    Error::Index(error.into())
}

/// A term's BM25 weight as tantivy computes it for a `TermQuery` under a `BoostQuery` of
/// `boost`: the same operations in the same order, so that scores are equal to the bit.
fn bm25_weight(max_docs: u64, frequency: u64, boost: f32) -> f32 {
    idf(max_docs, frequency) * (1.0 + BM25_K1) * boost
}

impl Partition {
    /// Opens the partition stored in `directory`.
    pub(crate) fn open(directory: &Path) -> Result<Partition> {
        let entries_path = directory.join(ENTRIES_FILE);
        let bytes = std::fs::read(&entries_path).map_err(|error| Error::storage(&entries_path, error))?;
        let entries: Vec<Entry> = serde_json::from_slice(&bytes).map_err(|error| Error::Corrupt {
            generation: directory.display().to_string(),
            reason: format!("entries.json: {error}"),
        })?;
        let index = Index::open_in_dir(directory.join(INDEX_DIR))?;
        analysis::register(index.tokenizers());
        let fields = Fields::of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut doc_phrasings = Vec::new();
        for segment in searcher.segment_readers() {
            let column: Column<u64> = segment.fast_fields().u64(FIELD_PHRASING)?;
            doc_phrasings.push(
                (0..segment.max_doc())
                    .map(|doc| {
                        column
                            .first(doc)
                            .and_then(|number| u32::try_from(number).ok())
                            .unwrap_or(NO_PHRASING)
                    })
                    .collect(),
            );
        }
        let phrasings = entries
            .iter()
            .enumerate()
            .flat_map(|(entry, value)| {
                value
                    .phrasings()
                    .into_iter()
                    .enumerate()
                    .map(move |(index_in_entry, text)| PhrasingRef {
                        entry,
                        index_in_entry,
                        text,
                    })
            })
            .collect::<Vec<_>>();
        let mut first_phrasing = vec![usize::MAX; entries.len()];
        for (position, phrasing) in phrasings.iter().enumerate().rev() {
            if let Some(slot) = first_phrasing.get_mut(phrasing.entry) {
                *slot = position;
            }
        }
        if phrasings.len() as u64 != searcher.num_docs() {
            return Err(Error::Corrupt {
                generation: directory.display().to_string(),
                reason: "index and entries.json disagree".to_owned(),
            });
        }
        // One number per distinct key; a base with many customers' own entries has many keys.
        let mut key_numbers: HashMap<String, u32> = HashMap::new();
        let entry_access = entries
            .iter()
            .map(|entry| {
                let next = key_numbers.len() as u32;
                *key_numbers.entry(access_key(entry)).or_insert(next)
            })
            .collect();
        let scored = fields.scored();
        let mut segment_fields = Vec::new();
        let mut tokens = [0u64; SCORED_FIELDS];
        for segment in searcher.segment_readers() {
            let mut inverted = Vec::with_capacity(SCORED_FIELDS);
            let mut fieldnorms = Vec::with_capacity(SCORED_FIELDS);
            for (slot, field) in scored.iter().enumerate() {
                let index = segment.inverted_index(*field)?;
                tokens[slot] += index.total_num_tokens();
                inverted.push(index);
                fieldnorms.push(segment.get_fieldnorms_reader(*field)?);
            }
            let corrupt = || Error::Corrupt {
                generation: directory.display().to_string(),
                reason: "a segment lacks a scored field".to_owned(),
            };
            segment_fields.push(SegmentFields {
                inverted: inverted.try_into().map_err(|_| corrupt())?,
                fieldnorms: fieldnorms.try_into().map_err(|_| corrupt())?,
            });
        }
        let max_docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.max_doc()))
            .sum();
        let mut length_norms = [[0.0f32; 256]; SCORED_FIELDS];
        let mut single_occurrence = [[0.0f32; 256]; SCORED_FIELDS];
        for ((norms, single), tokens) in length_norms.iter_mut().zip(&mut single_occurrence).zip(tokens) {
            let average = tokens as f32 / max_docs as f32;
            for (id, (norm, single)) in norms.iter_mut().zip(single.iter_mut()).enumerate() {
                let length = FieldNormReader::id_to_fieldnorm(id as u8) as f32;
                *norm = BM25_K1 * (1.0 - BM25_B + BM25_B * length / average);
                *single = 1.0 / (1.0 + *norm);
            }
        }
        let mut exact_questions: Vec<(u64, u32)> = Vec::new();
        let mut key = String::new();
        for (index, entry) in entries.iter().enumerate() {
            let Ok(index) = u32::try_from(index) else { break };
            for text in approved_questions(entry) {
                write_question_key(text, &mut key);
                if !key.is_empty() {
                    exact_questions.push((key_hash(&key), index));
                }
            }
        }
        exact_questions.sort_unstable();
        exact_questions.dedup();
        Ok(Partition {
            _reader: reader,
            searcher,
            fields,
            entries,
            phrasings,
            first_phrasing,
            doc_phrasings,
            key_numbers,
            entry_access,
            segment_fields,
            length_norms,
            single_occurrence,
            max_docs,
            exact_questions,
        })
    }

    /// All entries of the partition, in import order.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The FAQ entries that have `question` as an approved question, compared by
    /// [`question_key`], each once; empty when none has.
    pub(crate) fn exact_question(&self, question: &str) -> Vec<usize> {
        let key = question_key(question);
        if key.is_empty() {
            return Vec::new();
        }
        let hash = key_hash(&key);
        let start = self.exact_questions.partition_point(|(stored, _)| *stored < hash);
        self.exact_questions[start..]
            .iter()
            .take_while(|(stored, _)| *stored == hash)
            .map(|(_, entry)| *entry as usize)
            .filter(|entry| {
                self.entries
                    .get(*entry)
                    .is_some_and(|entry| approved_questions(entry).any(|text| question_key(text) == key))
            })
            .collect()
    }

    /// Ranks entries for `question`. `lang` restricts to content in that language (and analyses the
    /// question with that language's stemmer); `None` searches both languages. Only entries whose
    /// access key is in `allowed_access` can match. Expired entries are skipped.
    pub(crate) fn search(
        &self,
        question: &str,
        lang: Option<Lang>,
        allowed_access: &[String],
        today: Date,
    ) -> Result<Ranking> {
        let stem_langs: &[Lang] = match lang {
            Some(Lang::Nl) => &[Lang::Nl],
            Some(Lang::En) => &[Lang::En],
            None => &[Lang::Nl, Lang::En],
        };
        let terms = self.query_terms(question, stem_langs)?;
        let query_mass = terms.mass(None);
        if terms.terms.is_empty() || query_mass <= 0.0 {
            return Ok(Ranking::default());
        }
        let hits = self.hits(&terms.terms, allowed_access, lang, TOP_HITS)?;
        Ok(self.ranking(&terms.stems, &hits, query_mass, today))
    }

    /// The rankings of [`Partition::search`] with `Some(lang)` and with `None`, from one index
    /// search. The combined query holds both languages' stem terms, and a phrasing is only
    /// indexed under its own language's stem field, so every phrasing in `lang` scores exactly as
    /// in the search restricted to `lang`: that search's hits are the combined search's best
    /// phrasings in `lang`, which the one pass over the scored documents collects beside the best
    /// of all.
    pub(crate) fn search_both(
        &self,
        question: &str,
        lang: Lang,
        allowed_access: &[String],
        today: Date,
    ) -> Result<(Ranking, Ranking)> {
        let terms = self.query_terms(question, &[Lang::Nl, Lang::En])?;
        let (lang_mass, any_mass) = (terms.mass(Some(lang)), terms.mass(None));
        if terms.terms.is_empty() || any_mass <= 0.0 {
            return Ok((Ranking::default(), Ranking::default()));
        }
        let mut tops = [TopHits::new(None, TOP_HITS), TopHits::new(Some(lang), TOP_HITS)];
        self.collect_hits(&terms.terms, allowed_access, &mut tops)?;
        let [any, in_lang] = tops.map(TopHits::into_hits);
        let any = self.ranking(&terms.stems, &any, any_mass, today);
        let in_lang = if lang_mass <= 0.0 {
            Ranking::default()
        } else {
            self.ranking(&terms.stems, &in_lang, lang_mass, today)
        };
        Ok((in_lang, any))
    }

    /// The weighted terms of `question` for the stem fields of `stem_langs`, the plain field and
    /// the character-gram field, with each field's idf mass.
    fn query_terms(&self, question: &str, stem_langs: &[Lang]) -> Result<QueryTerms> {
        let mut terms = Vec::new();
        let mut stem_masses = Vec::with_capacity(stem_langs.len());
        let mut stems = Vec::with_capacity(stem_langs.len());
        for stem_lang in stem_langs {
            let mut stem_analyzer = analysis::analyzer(analysis::stem_tokenizer(*stem_lang));
            let texts = analysis::terms(&mut stem_analyzer, question);
            let mass = self.add_terms(&mut terms, stem_slot(*stem_lang), &texts, WEIGHT_STEM)?;
            stem_masses.push((*stem_lang, mass));
            stems.push((*stem_lang, texts));
        }
        let mut plain_analyzer = analysis::analyzer(PLAIN);
        let plain_terms = analysis::terms(&mut plain_analyzer, question);
        let plain_mass = self.add_terms(&mut terms, SLOT_PLAIN, &plain_terms, WEIGHT_PLAIN)?;
        let grams = analysis::word_grams(&mut plain_analyzer, question);
        let mut gram_terms: Vec<String> = Vec::new();
        for gram in grams.split_whitespace() {
            if !gram_terms.iter().any(|existing| existing == gram) {
                gram_terms.push(gram.to_owned());
            }
        }
        let gram_mass = self.add_terms(&mut terms, SLOT_GRAMS, &gram_terms, WEIGHT_GRAMS)?;
        Ok(QueryTerms {
            terms,
            stems,
            stem_masses,
            plain_mass,
            gram_mass,
        })
    }

    /// The best `limit` hits of `terms` among phrasings whose access key is in `allowed_access`
    /// (and in `lang`, when given), as `(score, phrasing number)`, best first.
    fn hits(
        &self,
        terms: &[QueryTerm],
        allowed_access: &[String],
        lang: Option<Lang>,
        limit: usize,
    ) -> Result<Vec<(f32, usize)>> {
        let mut tops = [TopHits::new(lang, limit)];
        self.collect_hits(terms, allowed_access, &mut tops)?;
        let [top] = tops;
        Ok(top.into_hits())
    }

    /// Fills each of `tops` with its best hits of `terms` among phrasings whose access key is in
    /// `allowed_access`, in one pass over the scored documents.
    ///
    /// Each term's postings are read block by block and its BM25 score added to its documents'
    /// sums (term at a time), in the order of `terms`; that is the order in which tantivy's union
    /// of the same clauses adds them, so every score equals tantivy's to the bit. Which documents
    /// may be kept is decided here, per document, before it enters a top k: a phrasing of an
    /// entry outside the scope never does. (As a filter clause inside a tantivy query, the same
    /// rule made tantivy intersect the union with it document by document, which took over a
    /// third of the search; the union itself, weighted and merged by tantivy, cost twice what
    /// this loop does. Left to tantivy's top-docs collector, the bare union would be searched with
    /// block-max WAND, which is several times slower for these queries of sixty-odd terms; see
    /// BENCHMARKS.md.)
    fn collect_hits(&self, terms: &[QueryTerm], allowed_access: &[String], tops: &mut [TopHits]) -> Result<()> {
        if tops.iter().all(|top| top.limit == 0) {
            return Ok(());
        }
        // The numbers of the scope's keys that occur in this partition (at most a few).
        let admitted_keys: Vec<u32> = allowed_access
            .iter()
            .filter_map(|key| self.key_numbers.get(key).copied())
            .collect();
        // The entry of a phrasing in the scope.
        let in_scope = |number: u32| -> Option<&Entry> {
            let phrasing = self.phrasings.get(number as usize)?;
            let key = self.entry_access.get(phrasing.entry)?;
            if admitted_keys.contains(key) {
                self.entries.get(phrasing.entry)
            } else {
                None
            }
        };
        SCRATCH.with(|scratch| -> Result<()> {
            let mut scratch = scratch.borrow_mut();
            let Scratch { scores, seen, in_use } = &mut *scratch;
            if std::mem::replace(in_use, true) {
                scores.fill(0.0);
                seen.fill(0);
            }
            let outcome = self.collect_segments(terms, &in_scope, tops, scores, seen);
            *in_use = false;
            outcome
        })
    }

    /// The body of [`Partition::collect_hits`], over every segment, with the thread's scratch.
    fn collect_segments<'a>(
        &'a self,
        terms: &[QueryTerm],
        in_scope: &dyn Fn(u32) -> Option<&'a Entry>,
        tops: &mut [TopHits],
        scores: &mut Vec<f32>,
        seen: &mut Vec<u64>,
    ) -> Result<()> {
        for (segment, reader) in self.searcher.segment_readers().iter().enumerate() {
            let (Some(phrasings), Some(fields)) = (self.doc_phrasings.get(segment), self.segment_fields.get(segment))
            else {
                continue;
            };
            let max_doc = reader.max_doc() as usize;
            if scores.len() < max_doc {
                scores.resize(max_doc, 0.0);
                seen.resize(max_doc.div_ceil(64), 0);
            }
            let scored = self.accumulate(terms, segment, fields, scores, seen);
            let alive = reader.alive_bitset();
            let segment = segment as u32;
            // The scored documents in document order, each slot cleared as it is read.
            for (word_index, word) in seen.iter_mut().enumerate().take(max_doc.div_ceil(64)) {
                let mut bits = std::mem::take(word);
                while bits != 0 {
                    let index = word_index * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let Some(slot) = scores.get_mut(index) else {
                        continue;
                    };
                    let hit = HeapHit {
                        score: std::mem::take(slot),
                        segment,
                        doc: index as u32,
                        phrasing: NO_PHRASING,
                    };
                    // The document's phrasing and entry, looked up once a top list wants it:
                    // `None` inside when it is outside the scope or deleted.
                    let mut admitted: Option<Option<(u32, &Entry)>> = None;
                    for top in tops.iter_mut() {
                        if !top.wants(&hit) {
                            continue;
                        }
                        let found = *admitted.get_or_insert_with(|| {
                            let number = phrasings.get(index).copied().unwrap_or(NO_PHRASING);
                            if number == NO_PHRASING || alive.is_some_and(|alive| alive.is_deleted(hit.doc)) {
                                return None;
                            }
                            in_scope(number).map(|entry| (number, entry))
                        });
                        let Some((number, entry)) = found else {
                            break;
                        };
                        if top.lang.is_none_or(|lang| entry.lang == lang) {
                            top.push(HeapHit {
                                phrasing: number,
                                ..hit
                            });
                        }
                    }
                }
            }
            scored?;
        }
        Ok(())
    }

    /// Adds the BM25 score of every term of `terms` to its documents' sums in `scores`, for one
    /// segment, setting each scored document's bit in `seen`. On an error, the documents scored
    /// so far are still marked, so the caller can clear them.
    fn accumulate(
        &self,
        terms: &[QueryTerm],
        segment: usize,
        fields: &SegmentFields,
        scores: &mut [f32],
        seen: &mut [u64],
    ) -> Result<()> {
        for term in terms {
            let Some(Some(info)) = term.infos.get(segment) else {
                continue;
            };
            let (Some(inverted), Some(fieldnorms), Some(norms), Some(single)) = (
                fields.inverted.get(term.slot),
                fields.fieldnorms.get(term.slot),
                self.length_norms.get(term.slot),
                self.single_occurrence.get(term.slot),
            ) else {
                continue;
            };
            let mut postings = inverted
                .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
                .map_err(index_io)?;
            while !postings.docs().is_empty() {
                for (&doc, &frequency) in postings.docs().iter().zip(postings.freqs()) {
                    let index = doc as usize;
                    let (Some(word), Some(score)) = (seen.get_mut(index / 64), scores.get_mut(index)) else {
                        continue;
                    };
                    *word |= 1u64 << (index % 64);
                    let length = usize::from(fieldnorms.fieldnorm_id(doc));
                    // BM25's saturation `tf / (tf + norm)`; for the usual single occurrence it
                    // is read from the table, which holds the same quotient.
                    let saturation = if frequency == 1 {
                        single[length]
                    } else {
                        let frequency = frequency as f32;
                        frequency / (frequency + norms[length])
                    };
                    *score += term.weight * saturation;
                }
                postings.advance();
            }
        }
        Ok(())
    }

    /// Aggregates `hits` (best first) per entry and computes the confidence features.
    /// `stems` are the question's stems per language, as [`Partition::query_terms`] found them.
    fn ranking(&self, stems: &[(Lang, Vec<String>)], hits: &[(f32, usize)], query_mass: f32, today: Date) -> Ranking {
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut hit_entries: Vec<usize> = Vec::new();
        for (score, number) in hits {
            let score = *score;
            let Some(phrasing) = self.phrasings.get(*number) else {
                continue;
            };
            let Some(entry) = self.entries.get(phrasing.entry) else {
                continue;
            };
            if entry.is_expired(today) {
                continue;
            }
            hit_entries.push(phrasing.entry);
            // Hits arrive best first, so an entry's first hit is its maximum; further phrasings of
            // the same entry add a damped share, so agreement of several phrasings counts.
            match candidates
                .iter_mut()
                .find(|candidate| candidate.entry == phrasing.entry)
            {
                Some(candidate) => candidate.score += SUPPORT_SHARE * score,
                None => candidates.push(Candidate {
                    entry: phrasing.entry,
                    phrasing_in_entry: phrasing.index_in_entry,
                    score,
                }),
            }
        }
        candidates.sort_by(|left, right| right.score.total_cmp(&left.score));
        let Some(best) = candidates.first() else {
            return Ranking::default();
        };
        let second_score = candidates.get(1).map(|candidate| candidate.score).unwrap_or(0.0);
        let top_hits = hit_entries.len().min(VOTE_HITS);
        let votes = hit_entries
            .iter()
            .take(VOTE_HITS)
            .filter(|entry| **entry == best.entry)
            .count() as f32
            / top_hits.max(1) as f32;
        let (coverage, reverse_coverage) = self.coverage(stems, best);
        let features = Features {
            top_score: best.score,
            normalised: best.score / query_mass,
            margin: if best.score > 0.0 {
                (best.score - second_score) / best.score
            } else {
                0.0
            },
            coverage,
            votes,
            reverse_coverage,
        };
        Ranking { candidates, features }
    }

    /// Adds one weighted term per text, looked up in every segment, and returns the query's idf
    /// mass in this field.
    fn add_terms(&self, terms: &mut Vec<QueryTerm>, slot: usize, texts: &[String], weight: f32) -> Result<f32> {
        let Some(field) = self.fields.scored().get(slot).copied() else {
            return Ok(0.0);
        };
        let live_docs = self.searcher.num_docs();
        let mut mass = 0.0;
        for text in texts {
            let term = Term::from_field_text(field, text);
            let mut infos = Vec::with_capacity(self.segment_fields.len());
            let mut frequency = 0u64;
            for fields in &self.segment_fields {
                let info = match fields.inverted.get(slot) {
                    Some(inverted) => inverted.get_term_info(&term).map_err(index_io)?,
                    None => None,
                };
                frequency += info.as_ref().map_or(0, |info| u64::from(info.doc_freq));
                infos.push(info);
            }
            mass += weight * idf(live_docs, frequency);
            terms.push(QueryTerm {
                slot,
                weight: bm25_weight(self.max_docs, frequency, weight),
                infos,
                #[cfg(test)]
                clause: (term, weight),
            });
        }
        Ok(mass)
    }

    /// Fraction of the question's content stems that occur in the candidate's best phrasing, and
    /// the reverse, analysed in the candidate's language.
    /// `stems` are the question's stems per language; every search analyses the question in the
    /// languages of the entries it can return.
    fn coverage(&self, stems: &[(Lang, Vec<String>)], candidate: &Candidate) -> (f32, f32) {
        let Some(entry) = self.entries.get(candidate.entry) else {
            return (0.0, 0.0);
        };
        let Some(phrasing) = self
            .first_phrasing
            .get(candidate.entry)
            .and_then(|first| first.checked_add(candidate.phrasing_in_entry))
            .and_then(|position| self.phrasings.get(position))
            .filter(|phrasing| phrasing.entry == candidate.entry)
        else {
            return (0.0, 0.0);
        };
        let Some((_, question_terms)) = stems.iter().find(|(lang, _)| *lang == entry.lang) else {
            return (0.0, 0.0);
        };
        let mut stem_analyzer = analysis::analyzer(analysis::stem_tokenizer(entry.lang));
        let phrasing_terms = analysis::terms(&mut stem_analyzer, &phrasing.text);
        if question_terms.is_empty() || phrasing_terms.is_empty() {
            return (0.0, 0.0);
        }
        let matched = question_terms
            .iter()
            .filter(|term| phrasing_terms.contains(term))
            .count() as f32;
        (
            matched / question_terms.len() as f32,
            matched / phrasing_terms.len() as f32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CustomerScope;

    fn faq(id: &str, lang: Lang, question: &str) -> Entry {
        crate::model::test_faq(id, lang, &[question], "a")
    }

    /// A partition built from `entries` in a temporary directory, which lives as long as the
    /// returned guard.
    fn built(entries: &[Entry]) -> (tempfile::TempDir, Partition) {
        let directory = tempfile::tempdir().unwrap();
        let partition_dir = directory.path().join("partition");
        build(&partition_dir, entries).unwrap();
        let partition = Partition::open(&partition_dir).unwrap();
        (directory, partition)
    }

    fn assert_same(left: &Ranking, right: &Ranking) {
        let key = |ranking: &Ranking| -> Vec<(usize, usize, u32)> {
            ranking
                .candidates
                .iter()
                .map(|candidate| (candidate.entry, candidate.phrasing_in_entry, candidate.score.to_bits()))
                .collect()
        };
        assert_eq!(key(left), key(right));
        assert_eq!(left.features, right.features);
    }

    /// A search that unwound midway leaves the thread's scratch dirty; the next search on that
    /// thread clears it first and ranks exactly as on a clean scratch.
    #[test]
    fn a_search_after_one_that_unwound_midway_ranks_as_on_a_clean_scratch() {
        let entries = vec![
            faq("en-returns", Lang::En, "How do I return my bike?"),
            faq("en-delivery", Lang::En, "How long does delivery of a bike take?"),
            faq("nl-retour", Lang::Nl, "Hoe stuur ik mijn fiets retour?"),
        ];
        let (_directory, partition) = built(&entries);
        let access = CustomerScope::anonymous().access_keys();
        let today = Date::today();
        let clean = partition.search("return my bike", None, &access, today).unwrap();
        assert!(!clean.candidates.is_empty());
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            scratch.scores.iter_mut().for_each(|score| *score = 1000.0);
            scratch.seen.iter_mut().for_each(|word| *word = u64::MAX);
            scratch.in_use = true;
        });
        let after = partition.search("return my bike", None, &access, today).unwrap();
        assert_same(&after, &clean);
    }

    /// The one combined search gives exactly the rankings of the two separate searches, also when
    /// the other language's phrasings outscore every phrasing in the question's language.
    #[test]
    fn the_combined_search_ranks_exactly_like_the_two_separate_searches() {
        let mut entries = vec![
            faq("en-returns", Lang::En, "How do I return my bike?"),
            faq("en-refund", Lang::En, "When do I get my money back after a return?"),
            faq("en-delivery", Lang::En, "How long does delivery of a bike take?"),
            faq("nl-retour", Lang::Nl, "Hoe stuur ik mijn fiets retour?"),
            faq("nl-levering", Lang::Nl, "Hoe lang duurt de levering van een fiets?"),
        ];
        // Many Dutch phrasings with the word "fiets" itself, which outscore every English one (those
        // only share character grams through "fietsen").
        for number in 0..4 * TOP_HITS + 20 {
            entries.push(faq(
                &format!("nl-fiets-{number}"),
                Lang::Nl,
                &format!("fiets model{number}"),
            ));
        }
        for number in 0..TOP_HITS + 5 {
            entries.push(faq(
                &format!("en-fiets-{number}"),
                Lang::En,
                &format!("our fietsen range holds city bikes, racing bikes, cargo bikes and more, series{number}"),
            ));
        }
        let (_directory, partition) = built(&entries);
        let access = CustomerScope::anonymous().access_keys();
        let today = Date::today();
        for (question, lang) in [
            ("return my bike", Lang::En),
            ("fiets retour sturen", Lang::Nl),
            ("levering fiets", Lang::En),
            ("fiets", Lang::En),
            ("fiets", Lang::Nl),
            ("zzz", Lang::En),
        ] {
            let (in_lang, any) = partition.search_both(question, lang, &access, today).unwrap();
            assert_same(
                &in_lang,
                &partition.search(question, Some(lang), &access, today).unwrap(),
            );
            assert_same(&any, &partition.search(question, None, &access, today).unwrap());
        }
        let (in_lang, _) = partition.search_both("fiets", Lang::En, &access, today).unwrap();
        assert!(
            in_lang
                .candidates
                .iter()
                .all(|candidate| entries[candidate.entry].lang == Lang::En)
        );
        assert!(
            !in_lang.candidates.is_empty(),
            "English phrasings found below the Dutch ones"
        );
    }
}

#[cfg(test)]
mod filter_tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};

    use super::*;
    use crate::CustomerScope;
    use crate::model::{EntryId, EntryKind};
    use crate::sample::SplitMix;

    /// The query's terms as tantivy clauses, each a term query boosted by its field's weight.
    fn clauses(terms: &[QueryTerm]) -> Vec<(Occur, Box<dyn Query>)> {
        terms
            .iter()
            .map(|term| {
                let (term, weight) = term.clause.clone();
                let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                let clause: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(query), weight));
                (Occur::Should, clause)
            })
            .collect()
    }

    /// The search as it was written before the scope moved out of the query: the clauses'
    /// union intersected with a zero-scoring filter on the indexed access key and language,
    /// collected by tantivy's top-docs collector.
    fn filtered_in_the_query(
        partition: &Partition,
        clauses: Vec<(Occur, Box<dyn Query>)>,
        allowed_access: &[String],
        lang: Option<Lang>,
        limit: usize,
    ) -> Vec<(f32, usize)> {
        let access: Vec<(Occur, Box<dyn Query>)> = allowed_access
            .iter()
            .map(|key| {
                let term = Term::from_field_text(partition.fields.access, key);
                let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, query)
            })
            .collect();
        let mut filter: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(access)))];
        if let Some(lang) = lang {
            let term = Term::from_field_text(partition.fields.lang, lang.code());
            filter.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(clauses))),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(filter)), 0.0)),
            ),
        ]);
        partition
            .searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(score, address)| {
                let number = partition.doc_phrasings[address.segment_ord as usize][address.doc_id as usize];
                (score, number as usize)
            })
            .collect()
    }

    /// SEC-01, ACC-01: the scope applied per document while collecting returns exactly the hits,
    /// scores (to the bit) and order of the same scope as a filter inside the query, for every
    /// kind of scope, with and without a language, at several depths, with many tied scores.
    #[test]
    fn the_scope_applied_while_collecting_gives_exactly_the_filtered_query_hits() {
        let mut random = SplitMix(11);
        let mut entries = Vec::new();
        for number in 0..600 {
            let (audience, customer_id) = match number % 5 {
                0 => (Audience::Customer, None),
                1 => (Audience::Customer, Some(format!("c{}", number % 3))),
                _ => (Audience::Public, None),
            };
            let lang = if number % 2 == 0 { Lang::Nl } else { Lang::En };
            entries.push(Entry {
                id: EntryId::parse(&format!("entry-{number}")).unwrap(),
                lang,
                audience,
                customer_id,
                url: None,
                valid_until: None,
                kind: EntryKind::Faq {
                    question: random.question(),
                    // Repeated phrasings tie exactly.
                    alt_questions: vec![random.question(), "Hoe kan ik fiets retour regelen?".to_owned()],
                    answer: "a".to_owned(),
                    answer_indexed: false,
                },
            });
        }
        let directory = tempfile::tempdir().unwrap();
        let partition_dir = directory.path().join("partition");
        build(&partition_dir, &entries).unwrap();
        let partition = Partition::open(&partition_dir).unwrap();
        let scopes = [
            CustomerScope::anonymous().access_keys(),
            vec!["public".to_owned(), "customer".to_owned(), "customer:c1".to_owned()],
            vec!["customer:c2".to_owned()],
            Vec::new(),
        ];
        let mut compared = 0;
        for _ in 0..40 {
            let question = random.question();
            for allowed in &scopes {
                for lang in [None, Some(Lang::Nl), Some(Lang::En)] {
                    for limit in [1, 7, TOP_HITS, 4 * TOP_HITS] {
                        let terms = partition.query_terms(&question, &[Lang::Nl, Lang::En]).unwrap().terms;
                        let ours = partition.hits(&terms, allowed, lang, limit).unwrap();
                        let reference = filtered_in_the_query(&partition, clauses(&terms), allowed, lang, limit);
                        let bits = |hits: &[(f32, usize)]| -> Vec<(u32, usize)> {
                            hits.iter().map(|(score, number)| (score.to_bits(), *number)).collect()
                        };
                        assert_eq!(bits(&ours), bits(&reference), "{question} {allowed:?} {lang:?} {limit}");
                        for (_, number) in &ours {
                            let entry = &entries[partition.phrasings[*number].entry];
                            assert!(allowed.contains(&access_key(entry)));
                            assert!(lang.is_none_or(|lang| entry.lang == lang));
                        }
                        compared += usize::from(!ours.is_empty());
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared} non-empty comparisons");
    }
}
