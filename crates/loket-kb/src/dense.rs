//! Dense retrieval: every phrasing (FAQ question or document passage) of a partition is embedded
//! at import time by an [`Embedder`], stored next to the lexical index, and searched by
//! brute-force cosine similarity at query time.
//!
//! ```text
//! <partition>/vectors.json   {"fingerprint": …, "dimension": …, "rows": …}
//! <partition>/vectors.f32    rows × dimension little-endian f32, in the partition's phrasing order
//! ```
//! Row `i` belongs to the partition's `i`-th phrasing (entries in import order, each entry's
//! phrasings in order), so no separate id list is needed; the row count is checked against the
//! entries on open. Vectors live inside their partition directory, so the vectors of restricted
//! entries are in the restricted partition, which the customer-facing knowledge base never opens.
//!
//! Brute force is deliberate: exact results and no index to tune or rebuild. The search is bound
//! by memory bandwidth (10,000 entries with four phrasings are 61 MB of f32 vectors), so vectors
//! are held in memory as 8-bit codes with one scale per row: a quarter of the bytes, at a cosine
//! error of about 0.005, far below the margins that decide answering. The file keeps full f32.
//!
//! An entry's similarity to a question is its best phrasing's cosine; for an FAQ entry with
//! several phrasings it is averaged with the cosine of their centroid (the normalised mean of the
//! phrasing vectors, computed on open). The best phrasing alone rewards an entry for one phrasing
//! that happens to share words with the question; the centroid stands for what all phrasings
//! have in common, which is the intent. On `loket eval faq` (held-out halves, same confidence
//! threshold) this raised answered questions from 55.3 % to 58.0 % on banking77 and from 66.1 % to
//! 69.1 % on CLINC150, and declined out-of-scope questions from 89.8 % to 93.9 %. A document's
//! passages say different things, so a document keeps its best passage's cosine.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::hybrid::Calibration;

use crate::model::{Entry, EntryKind};
use crate::retrieval::{ENTRIES_FILE, write_synced};
use crate::{Error, Result};

const VECTORS_FILE: &str = "vectors.f32";
const VECTORS_META_FILE: &str = "vectors.json";
/// Best phrasings that vote for the best entry (the dense counterpart of the lexical votes).
const VOTE_HITS: usize = 10;
/// Entries kept in a dense ranking: enough for fusion and the margin feature.
const TOP_ENTRIES: usize = 40;
/// Weight of an FAQ entry's centroid cosine in its similarity; the best phrasing's cosine has the
/// rest (see the module documentation). Chosen on the tuning halves of `loket eval faq` among
/// 0, 0.3, 0.5 and 0.7.
const CENTROID_WEIGHT: f32 = 0.5;

/// Turns texts into unit-length vectors whose dot product is their cosine similarity.
/// Implemented by [`loket_embed::Encoder`]; tests use small stand-ins.
pub trait Embedder: Send + Sync {
    /// Changes whenever the vectors would change (another model, another token limit): vectors
    /// stored with another fingerprint are never compared with this embedder's.
    fn fingerprint(&self) -> String;
    /// Length of every vector.
    fn dimension(&self) -> usize;
    /// The vector of one text.
    fn embed(&self, text: &str) -> Vec<f32>;
    /// The vectors of many texts, in order (implementations may parallelise).
    fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        texts.iter().map(|text| self.embed(text)).collect()
    }
    /// The confidence model fitted for this embedder's similarities: all-MiniLM-L6-v2's unless
    /// the embedder has its own.
    fn calibration(&self) -> Calibration {
        Calibration::MINILM_L6
    }
}

impl Embedder for loket_embed::Encoder {
    fn fingerprint(&self) -> String {
        loket_embed::Encoder::fingerprint(self)
    }
    fn dimension(&self) -> usize {
        loket_embed::Encoder::dimension(self)
    }
    fn embed(&self, text: &str) -> Vec<f32> {
        self.encode(text)
    }
    fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.encode_batch(texts)
    }
    /// The calibration fitted for the model's shape; an encoder Loket has no calibration for gets
    /// all-MiniLM-L6-v2's (`loket serve` warns about it at startup).
    fn calibration(&self) -> Calibration {
        Calibration::for_shape(&self.shape()).unwrap_or(Calibration::MINILM_L6)
    }
}

/// An embedder answered with a calibration of its own, read from the encoder folder's
/// `loket-calibration.json` ([`Calibration::from_json`]) for an encoder Loket has none for.
pub struct Calibrated {
    /// The encoder.
    pub embedder: Arc<dyn Embedder>,
    /// Its calibration.
    pub calibration: Calibration,
}

impl Embedder for Calibrated {
    fn fingerprint(&self) -> String {
        self.embedder.fingerprint()
    }
    fn dimension(&self) -> usize {
        self.embedder.dimension()
    }
    fn embed(&self, text: &str) -> Vec<f32> {
        self.embedder.embed(text)
    }
    fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.embedder.embed_batch(texts)
    }
    fn calibration(&self) -> Calibration {
        self.calibration
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct VectorsMeta {
    fingerprint: String,
    dimension: usize,
    rows: usize,
}

/// Vectors an earlier import stored, by phrasing text, for [`build`] to reuse.
pub(crate) type Reusable = HashMap<String, Vec<f32>>;

/// The vectors stored in the partition `directory` of an earlier generation, by phrasing text,
/// if `embedder` computed them (same fingerprint and dimension). Reuse is an optimisation, so a
/// partition without vectors, with another model's or with damaged files gives an empty map and
/// every phrasing is encoded afresh.
pub(crate) fn reusable_vectors(directory: &Path, embedder: &dyn Embedder) -> Reusable {
    read_reusable(directory, &embedder.fingerprint(), embedder.dimension()).unwrap_or_default()
}

fn read_reusable(directory: &Path, fingerprint: &str, dimension: usize) -> Option<Reusable> {
    let meta: VectorsMeta = serde_json::from_slice(&std::fs::read(directory.join(VECTORS_META_FILE)).ok()?).ok()?;
    if meta.fingerprint != fingerprint || meta.dimension != dimension || dimension == 0 {
        return None;
    }
    let entries: Vec<Entry> = serde_json::from_slice(&std::fs::read(directory.join(ENTRIES_FILE)).ok()?).ok()?;
    let texts: Vec<String> = entries.iter().flat_map(Entry::phrasings).collect();
    let bytes = std::fs::read(directory.join(VECTORS_FILE)).ok()?;
    if texts.len() != meta.rows || Some(bytes.len()) != meta.rows.checked_mul(dimension * 4) {
        return None;
    }
    let vectors = bytes.chunks_exact(dimension * 4).map(|row| {
        row.chunks_exact(4)
            .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect()
    });
    Some(texts.into_iter().zip(vectors).collect())
}

/// Embeds every phrasing of `entries` and writes the vectors into the partition `directory`.
/// Phrasings found in `reusable` (vectors of the previous generation from the same embedder)
/// are not encoded again: encoding is nearly all of an import's time, and a re-import usually
/// changes few phrasings.
pub(crate) fn build(directory: &Path, entries: &[Entry], embedder: &dyn Embedder, reusable: &Reusable) -> Result<()> {
    let texts: Vec<String> = entries.iter().flat_map(Entry::phrasings).collect();
    let dimension = embedder.dimension();
    let missing: Vec<&str> = texts
        .iter()
        .filter(|text| !reusable.contains_key(text.as_str()))
        .map(String::as_str)
        .collect();
    let computed = embedder.embed_batch(&missing);
    if computed.len() != missing.len() {
        return Err(Error::Corrupt {
            generation: directory.display().to_string(),
            reason: format!(
                "the encoder returned {} vectors for {} texts",
                computed.len(),
                missing.len()
            ),
        });
    }
    let mut computed = computed.into_iter();
    let mut bytes = Vec::with_capacity(texts.len() * dimension * 4);
    for text in &texts {
        let vector = match reusable.get(text) {
            Some(vector) => vector.clone(),
            None => computed.next().unwrap_or_default(),
        };
        if vector.len() != dimension {
            return Err(Error::Corrupt {
                generation: directory.display().to_string(),
                reason: format!("the encoder returned {} values, not {dimension}", vector.len()),
            });
        }
        for value in &vector {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    write_synced(&directory.join(VECTORS_FILE), &bytes)?;
    let meta = VectorsMeta {
        fingerprint: embedder.fingerprint(),
        dimension,
        rows: texts.len(),
    };
    let json = serde_json::to_vec(&meta).map_err(|error| Error::Corrupt {
        generation: directory.display().to_string(),
        reason: error.to_string(),
    })?;
    write_synced(&directory.join(VECTORS_META_FILE), &json)
}

/// Where a vector row points.
#[derive(Debug, Clone, Copy)]
struct Row {
    entry: u32,
    index_in_entry: u32,
}

/// The opened vectors of one partition.
#[derive(Debug)]
pub(crate) struct DenseIndex {
    dimension: usize,
    /// `rows.len() × dimension` 8-bit codes, row-major; value = code × the row's scale.
    codes: Vec<i8>,
    /// One scale per row.
    scales: Vec<f32>,
    rows: Vec<Row>,
    /// The centroids of FAQ entries with more than one phrasing (the normalised mean of their
    /// phrasing vectors), laid out like the rows: codes, one scale each, and their entries.
    centroid_codes: Vec<i8>,
    centroid_scales: Vec<f32>,
    centroid_entries: Vec<usize>,
}

/// A question's cosines with every row and every centroid of a partition.
#[derive(Debug, Clone, Default)]
pub(crate) struct DenseScores {
    /// One cosine per row, in row order.
    rows: Vec<f32>,
    /// `(entry, cosine)` per centroid.
    centroids: Vec<(usize, f32)>,
}

/// One entry in a dense ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DenseCandidate {
    pub entry: usize,
    /// The entry's most similar phrasing.
    pub phrasing_in_entry: usize,
    /// The entry's similarity with the question (see the module documentation).
    pub similarity: f32,
}

/// Entries by their similarity, best first, with the share of the best [`VOTE_HITS`] phrasings
/// that belong to the best entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DenseRanking {
    pub candidates: Vec<DenseCandidate>,
    pub votes: f32,
}

impl DenseIndex {
    /// Opens the vectors of the partition in `directory` if they were computed by the embedder
    /// with `fingerprint`; `Ok(None)` when the partition has no vectors or vectors of another
    /// model (retrieval is then lexical only until the next import with this encoder).
    pub(crate) fn open(directory: &Path, entries: &[Entry], fingerprint: &str) -> Result<Option<DenseIndex>> {
        let meta_path = directory.join(VECTORS_META_FILE);
        let meta_bytes = match std::fs::read(&meta_path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(Error::storage(&meta_path, error)),
        };
        let corrupt = |reason: String| Error::Corrupt {
            generation: directory.display().to_string(),
            reason,
        };
        let meta: VectorsMeta =
            serde_json::from_slice(&meta_bytes).map_err(|error| corrupt(format!("{VECTORS_META_FILE}: {error}")))?;
        if meta.fingerprint != fingerprint {
            return Ok(None);
        }
        // `phrasings()` builds every phrasing's text; counting them once serves rows and centroids.
        let phrasing_counts: Vec<usize> = entries.iter().map(|entry| entry.phrasings().len()).collect();
        let mut rows = Vec::with_capacity(meta.rows);
        for (entry, count) in phrasing_counts.iter().enumerate() {
            for index_in_entry in 0..*count {
                rows.push(Row {
                    entry: u32::try_from(entry).map_err(|error| corrupt(error.to_string()))?,
                    index_in_entry: u32::try_from(index_in_entry).map_err(|error| corrupt(error.to_string()))?,
                });
            }
        }
        if rows.len() != meta.rows {
            return Err(corrupt(format!("{} vectors for {} phrasings", meta.rows, rows.len())));
        }
        let vectors_path = directory.join(VECTORS_FILE);
        let bytes = std::fs::read(&vectors_path).map_err(|error| Error::storage(&vectors_path, error))?;
        if Some(bytes.len())
            != meta
                .rows
                .checked_mul(meta.dimension)
                .and_then(|count| count.checked_mul(4))
        {
            return Err(corrupt(format!("{VECTORS_FILE} has the wrong size")));
        }
        let mut codes = Vec::with_capacity(meta.rows * meta.dimension);
        let mut scales = Vec::with_capacity(meta.rows);
        let mut vector = Vec::with_capacity(meta.dimension);
        let (mut centroid_codes, mut centroid_scales, mut centroid_entries) = (Vec::new(), Vec::new(), Vec::new());
        let mut sum = vec![0.0f32; meta.dimension];
        let mut row_vectors = bytes.chunks_exact((meta.dimension * 4).max(4));
        for (entry, (value, phrasings)) in entries.iter().zip(phrasing_counts.iter().copied()).enumerate() {
            sum.iter_mut().for_each(|total| *total = 0.0);
            for row_bytes in row_vectors.by_ref().take(phrasings) {
                vector.clear();
                vector.extend(
                    row_bytes
                        .chunks_exact(4)
                        .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])),
                );
                scales.push(quantise(&vector, &mut codes));
                sum.iter_mut().zip(&vector).for_each(|(total, value)| *total += value);
            }
            if phrasings > 1 && matches!(value.kind, EntryKind::Faq { .. }) {
                let norm = sum.iter().map(|value| value * value).sum::<f32>().sqrt();
                if norm > 0.0 && norm.is_finite() {
                    sum.iter_mut().for_each(|value| *value /= norm);
                    centroid_scales.push(quantise(&sum, &mut centroid_codes));
                    centroid_entries.push(entry);
                }
            }
        }
        Ok(Some(DenseIndex {
            dimension: meta.dimension,
            codes,
            scales,
            rows,
            centroid_codes,
            centroid_scales,
            centroid_entries,
        }))
    }

    /// Ranks the entries `allowed` admits (by entry index) by cosine with `query`. A query of
    /// the wrong length matches nothing.
    pub(crate) fn search(&self, query: &[f32], allowed: &[bool]) -> DenseRanking {
        self.rank(&self.scores(query), allowed)
    }

    /// The cosines of `query` with every row and every centroid; empty for a query of the wrong
    /// length. This is the expensive pass: callers that rank under several filters (language
    /// first, then any language) compute it once.
    pub(crate) fn scores(&self, query: &[f32]) -> DenseScores {
        if query.len() != self.dimension || self.dimension == 0 {
            return DenseScores::default();
        }
        let mut query_codes = Vec::with_capacity(self.dimension);
        let query_scale = quantise(query, &mut query_codes);
        DenseScores {
            rows: self
                .scales
                .iter()
                .zip(self.codes.chunks_exact(self.dimension))
                .map(|(scale, codes)| dot_codes(&query_codes, codes) as f32 * query_scale * scale)
                .collect(),
            centroids: self
                .centroid_entries
                .iter()
                .zip(&self.centroid_scales)
                .zip(self.centroid_codes.chunks_exact(self.dimension))
                .map(|((entry, scale), codes)| (*entry, dot_codes(&query_codes, codes) as f32 * query_scale * scale))
                .collect(),
        }
    }

    /// Ranks the entries `allowed` admits (by entry index) by their similarity from `scores`.
    pub(crate) fn rank(&self, scores: &DenseScores, allowed: &[bool]) -> DenseRanking {
        let mut best_per_entry: Vec<Option<(f32, u32)>> = vec![None; allowed.len()];
        let mut top_hits: Vec<(f32, u32)> = Vec::with_capacity(VOTE_HITS + 1);
        for (row, cosine) in self.rows.iter().zip(&scores.rows) {
            let cosine = *cosine;
            let entry = row.entry as usize;
            if !allowed.get(entry).copied().unwrap_or(false) {
                continue;
            }
            if let Some(slot) = best_per_entry.get_mut(entry)
                && slot.is_none_or(|(best, _)| cosine > best)
            {
                *slot = Some((cosine, row.index_in_entry));
            }
            if top_hits.len() < VOTE_HITS || top_hits.last().is_some_and(|(lowest, _)| cosine > *lowest) {
                let position = top_hits.partition_point(|(existing, _)| *existing >= cosine);
                top_hits.insert(position, (cosine, row.entry));
                top_hits.truncate(VOTE_HITS);
            }
        }
        let mut similarity: Vec<Option<(f32, u32)>> = best_per_entry;
        for (entry, centroid_cosine) in &scores.centroids {
            if let Some(Some((cosine, _))) = similarity.get_mut(*entry) {
                *cosine = (1.0 - CENTROID_WEIGHT) * *cosine + CENTROID_WEIGHT * centroid_cosine;
            }
        }
        let mut candidates: Vec<DenseCandidate> = similarity
            .into_iter()
            .enumerate()
            .filter_map(|(entry, best)| {
                best.map(|(similarity, index_in_entry)| DenseCandidate {
                    entry,
                    phrasing_in_entry: index_in_entry as usize,
                    similarity,
                })
            })
            .collect();
        let by_similarity =
            |left: &DenseCandidate, right: &DenseCandidate| right.similarity.total_cmp(&left.similarity);
        if candidates.len() > TOP_ENTRIES {
            candidates.select_nth_unstable_by(TOP_ENTRIES, by_similarity);
            candidates.truncate(TOP_ENTRIES);
        }
        candidates.sort_by(by_similarity);
        let votes = match candidates.first() {
            Some(best) if !top_hits.is_empty() => {
                top_hits
                    .iter()
                    .filter(|(_, entry)| *entry as usize == best.entry)
                    .count() as f32
                    / top_hits.len() as f32
            }
            _ => 0.0,
        };
        DenseRanking { candidates, votes }
    }
}

/// Appends the 8-bit codes of `vector` to `codes` and returns the scale (`max |value| / 127`)
/// that turns them back into values; a zero vector has scale 0.
fn quantise(vector: &[f32], codes: &mut Vec<i8>) -> f32 {
    let largest = vector.iter().fold(0.0f32, |largest, value| largest.max(value.abs()));
    let scale = if largest > 0.0 && largest.is_finite() {
        largest / 127.0
    } else {
        0.0
    };
    codes.extend(vector.iter().map(|value| {
        if scale > 0.0 {
            // In range by construction: |value / scale| <= 127; NaN casts to 0.
            (value / scale).round().clamp(-127.0, 127.0) as i8
        } else {
            0
        }
    }));
    scale
}

/// The integer dot product of two code vectors, in sixteen independent lanes so the compiler
/// can vectorise it. Cannot overflow: 384 × 127² is far below `i32::MAX`, and so is any
/// dimension below 133,000.
fn dot_codes(left: &[i8], right: &[i8]) -> i32 {
    let mut lanes = [0i32; 16];
    let left_chunks = left.chunks_exact(16);
    let right_chunks = right.chunks_exact(16);
    let tail: i32 = left_chunks
        .remainder()
        .iter()
        .zip(right_chunks.remainder())
        .map(|(a, b)| i32::from(*a) * i32::from(*b))
        .sum();
    for (a, b) in left_chunks.zip(right_chunks) {
        for lane in 0..16 {
            lanes[lane] += i32::from(a[lane]) * i32::from(b[lane]);
        }
    }
    lanes.iter().sum::<i32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::model::{Audience, EntryId, EntryKind};

    /// Bag of letters: texts sharing letters are similar. Enough to test storage and ranking.
    pub(crate) struct LetterEmbedder;

    impl Embedder for LetterEmbedder {
        fn fingerprint(&self) -> String {
            "letters-v1".to_owned()
        }
        fn dimension(&self) -> usize {
            26
        }
        fn embed(&self, text: &str) -> Vec<f32> {
            let mut vector = vec![0.0f32; 26];
            for byte in text.to_ascii_lowercase().bytes().filter(u8::is_ascii_lowercase) {
                vector[usize::from(byte - b'a')] += 1.0;
            }
            let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
            if norm > 0.0 {
                vector.iter_mut().for_each(|value| *value /= norm);
            }
            vector
        }
    }

    fn faq(id: &str, questions: &[&str]) -> Entry {
        Entry {
            id: EntryId::parse(id).unwrap(),
            lang: Lang::En,
            audience: Audience::Public,
            customer_id: None,
            url: None,
            valid_until: None,
            kind: EntryKind::Faq {
                question: questions[0].to_owned(),
                alt_questions: questions[1..].iter().map(|text| (*text).to_owned()).collect(),
                answer: "a".to_owned(),
            },
        }
    }

    #[test]
    fn stored_vectors_rank_the_most_similar_phrasing_first() {
        let directory = tempfile::tempdir().unwrap();
        let entries = vec![faq("a", &["aaaa", "abab"]), faq("b", &["bbbb"]), faq("z", &["zzzz"])];
        build(directory.path(), &entries, &LetterEmbedder, &Reusable::new()).unwrap();
        let index = DenseIndex::open(directory.path(), &entries, "letters-v1")
            .unwrap()
            .unwrap();
        let ranking = index.search(&LetterEmbedder.embed("bbba"), &[true, true, true]);
        let order: Vec<usize> = ranking.candidates.iter().map(|candidate| candidate.entry).collect();
        assert_eq!(order, [1, 0, 2]);
        assert_eq!(ranking.candidates[1].phrasing_in_entry, 1);
        assert!((ranking.candidates[2].similarity).abs() < 1e-6);
    }

    #[test]
    fn an_faq_entry_whose_phrasings_agree_beats_one_lucky_phrasing() {
        let directory = tempfile::tempdir().unwrap();
        // Entry 1 has the question's exact letters once, next to an unrelated phrasing; every
        // phrasing of entry 0 is close to it. By best phrasing alone entry 1 would win (1.0
        // against 0.87); with the centroid entry 0 does (0.91 against 0.85).
        let entries = vec![faq("x", &["abfc", "abfd", "abfe"]), faq("y", &["abf", "zzzz"])];
        build(directory.path(), &entries, &LetterEmbedder, &Reusable::new()).unwrap();
        let index = DenseIndex::open(directory.path(), &entries, "letters-v1")
            .unwrap()
            .unwrap();
        let ranking = index.search(&LetterEmbedder.embed("abf"), &[true, true]);
        assert_eq!(ranking.candidates[0].entry, 0);
        assert!((ranking.candidates[0].similarity - 0.907).abs() < 0.02);
        assert_eq!(ranking.candidates[1].entry, 1);
        assert_eq!(
            ranking.candidates[1].phrasing_in_entry, 0,
            "the best phrasing is still cited"
        );
        assert!((ranking.candidates[1].similarity - 0.854).abs() < 0.02);
        // An entry with one phrasing has no centroid: its similarity is that phrasing's cosine.
        let single = vec![faq("y", &["abf"])];
        let single_directory = tempfile::tempdir().unwrap();
        build(single_directory.path(), &single, &LetterEmbedder, &Reusable::new()).unwrap();
        let single_index = DenseIndex::open(single_directory.path(), &single, "letters-v1")
            .unwrap()
            .unwrap();
        let ranking = single_index.search(&LetterEmbedder.embed("abf"), &[true]);
        assert!((ranking.candidates[0].similarity - 1.0).abs() < 0.01);
    }

    #[test]
    fn entries_that_are_not_allowed_are_never_returned() {
        let directory = tempfile::tempdir().unwrap();
        let entries = vec![faq("a", &["aaaa"]), faq("b", &["bbbb"])];
        build(directory.path(), &entries, &LetterEmbedder, &Reusable::new()).unwrap();
        let index = DenseIndex::open(directory.path(), &entries, "letters-v1")
            .unwrap()
            .unwrap();
        let ranking = index.search(&LetterEmbedder.embed("aaaa"), &[false, true]);
        assert_eq!(ranking.candidates.len(), 1);
        assert_eq!(ranking.candidates[0].entry, 1);
        assert!(index.search(&[1.0, 0.0], &[true, true]).candidates.is_empty());
    }

    #[test]
    fn vectors_of_another_model_are_ignored_and_damaged_ones_refused() {
        let directory = tempfile::tempdir().unwrap();
        let entries = vec![faq("a", &["aaaa", "bbbb"])];
        assert!(
            DenseIndex::open(directory.path(), &entries, "letters-v1")
                .unwrap()
                .is_none()
        );
        build(directory.path(), &entries, &LetterEmbedder, &Reusable::new()).unwrap();
        assert!(
            DenseIndex::open(directory.path(), &entries, "other-model")
                .unwrap()
                .is_none()
        );
        let more = vec![faq("a", &["aaaa", "bbbb", "cccc"])];
        assert!(matches!(
            DenseIndex::open(directory.path(), &more, "letters-v1"),
            Err(Error::Corrupt { .. })
        ));
        std::fs::write(directory.path().join(VECTORS_FILE), [0u8; 7]).unwrap();
        assert!(matches!(
            DenseIndex::open(directory.path(), &entries, "letters-v1"),
            Err(Error::Corrupt { .. })
        ));
    }

    #[test]
    fn quantised_dot_products_stay_within_a_hundredth_of_the_cosine() {
        let texts = [
            "how do i reset my pin",
            "card payment declined",
            "abcdefghijklmnopqrstuvwxyz",
            "zzz",
        ];
        for left in texts {
            for right in texts {
                let (a, b) = (LetterEmbedder.embed(left), LetterEmbedder.embed(right));
                let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
                let (mut codes_a, mut codes_b) = (Vec::new(), Vec::new());
                let (scale_a, scale_b) = (quantise(&a, &mut codes_a), quantise(&b, &mut codes_b));
                let approximate = dot_codes(&codes_a, &codes_b) as f32 * scale_a * scale_b;
                assert!(
                    (exact - approximate).abs() < 0.01,
                    "{left} / {right}: {exact} vs {approximate}"
                );
            }
        }
    }

    #[test]
    fn zero_and_non_finite_vectors_quantise_to_zero_codes() {
        for vector in [vec![0.0f32; 20], vec![f32::NAN; 20], vec![f32::INFINITY; 20]] {
            let mut codes = Vec::new();
            assert_eq!(quantise(&vector, &mut codes), 0.0);
            assert!(codes.iter().all(|code| *code == 0));
            assert_eq!(codes.len(), 20);
        }
        let odd: Vec<i8> = (0..37).map(|value| (value % 7) as i8).collect();
        let expected: i32 = odd.iter().map(|value| i32::from(*value) * i32::from(*value)).sum();
        assert_eq!(dot_codes(&odd, &odd), expected);
    }
}
