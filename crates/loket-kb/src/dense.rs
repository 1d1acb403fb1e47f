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
//! The search has no index to tune or rebuild. Vectors are held in memory as 8-bit codes with one
//! scale per row (a quarter of the bytes of f32, at a cosine error of about 0.005, far below the
//! margins that decide answering; the file keeps full f32), plus one sign bit per value of the
//! row minus the partition's mean vector. (Centring matters for encoders such as
//! multilingual-e5-small, whose vectors share one large component: most raw signs would be the
//! same for every text.)
//! A partition with at most [`EXHAUSTIVE_ROWS`] rows is searched exhaustively. In a larger one
//! the sign bits choose the [`RESCORED_ROWS`] rows nearest to the question by Hamming distance
//! (about 4 ns a row against 34 ns for an 8-bit dot product on the baseline x86-64 instruction
//! set), and only those are scored with their 8-bit codes. Every similarity reported is still the
//! 8-bit cosine; the sign bits only decide which rows are worth scoring.
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
/// A partition with at most this many rows is searched exhaustively: scoring every row costs
/// at most about 70 µs there, and nothing is approximated.
const EXHAUSTIVE_ROWS: usize = 2048;
/// Rows scored with their 8-bit codes per ranking in a larger partition: the rows whose sign bits
/// are nearest to the question's. The cost is the cache misses of fetching rows scattered over
/// the index, not the arithmetic: over 10,000 entries with four phrasings the hybrid answer took
/// p50 1.24-1.33 ms with 256 rows and 1.48-1.57 ms with 512 (2.2-2.4 ms with 1,024 and
/// 2.7-2.9 ms with 2,048 in an earlier version). See BENCHMARKS.md for the check against the
/// exhaustive search on CLINC150 and banking77; the unit tests check 256 of 6,000.
const RESCORED_ROWS: usize = 256;
/// Marks an entry without a centroid in [`DenseIndex::centroid_of_entry`].
const NO_CENTROID: u32 = u32::MAX;

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
    let vectors = bytes.chunks_exact(dimension * 4).map(|row| decode_row(row).collect());
    Some(texts.into_iter().zip(vectors).collect())
}

/// The values of one stored row (little-endian f32).
fn decode_row(row_bytes: &[u8]) -> impl Iterator<Item = f32> + '_ {
    row_bytes
        .chunks_exact(4)
        .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
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
    /// `rows.len() × words` sign bits (bit set: value above the mean's), row-major.
    bits: Vec<u64>,
    /// The mean of the partition's row vectors, subtracted before taking sign bits.
    mean: Vec<f32>,
    /// 64-bit words of sign bits per row.
    words: usize,
    /// The centroids of FAQ entries with more than one phrasing (the normalised mean of their
    /// phrasing vectors), laid out like the rows: codes and one scale each.
    centroid_codes: Vec<i8>,
    centroid_scales: Vec<f32>,
    /// Per entry, the index of its centroid, or [`NO_CENTROID`].
    centroid_of_entry: Vec<u32>,
    /// Rows up to which a partition is searched exhaustively ([`EXHAUSTIVE_ROWS`]).
    exhaustive_rows: usize,
    /// Rows scored per ranking above that ([`RESCORED_ROWS`]).
    rescored_rows: usize,
}

/// What a question's dense rankings share: its codes, and either its cosine with every row (a
/// partition searched exhaustively) or its sign bits' Hamming distance to every row.
#[derive(Debug, Clone, Default)]
pub(crate) struct DenseScores {
    /// The question's 8-bit codes; empty for a question of the wrong length.
    query_codes: Vec<i8>,
    query_scale: f32,
    rows: RowScores,
}

/// Per row of a partition, in row order.
#[derive(Debug, Clone)]
enum RowScores {
    /// The cosine, when the partition has at most `exhaustive_rows` rows.
    Exact(Vec<f32>),
    /// The Hamming distance of the sign bits otherwise.
    Distances(Vec<u16>),
}

impl Default for RowScores {
    fn default() -> Self {
        RowScores::Exact(Vec::new())
    }
}

impl DenseScores {
    /// The 8-bit cosine of the question with a row or centroid of `codes` and `scale`.
    fn similarity(&self, codes: &[i8], scale: f32) -> f32 {
        dot_codes(&self.query_codes, codes) as f32 * self.query_scale * scale
    }
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
        let words = meta.dimension.div_ceil(64);
        let mut bits = Vec::with_capacity(meta.rows * words);
        let mut vector = Vec::with_capacity(meta.dimension);
        let (mut centroid_codes, mut centroid_scales) = (Vec::new(), Vec::new());
        let mut centroid_of_entry = vec![NO_CENTROID; entries.len()];
        let read_row = |row_bytes: &[u8], vector: &mut Vec<f32>| {
            vector.clear();
            vector.extend(decode_row(row_bytes));
        };
        let row_size = (meta.dimension * 4).max(4);
        let mut mean = vec![0.0f64; meta.dimension];
        for row_bytes in bytes.chunks_exact(row_size) {
            read_row(row_bytes, &mut vector);
            mean.iter_mut()
                .zip(&vector)
                .for_each(|(total, value)| *total += f64::from(*value));
        }
        let mean: Vec<f32> = mean
            .iter()
            .map(|total| (total / meta.rows.max(1) as f64) as f32)
            .map(|value| if value.is_finite() { value } else { 0.0 })
            .collect();
        let mut centred = Vec::with_capacity(meta.dimension);
        let mut sum = vec![0.0f32; meta.dimension];
        let mut row_vectors = bytes.chunks_exact(row_size);
        for (entry, (value, phrasings)) in entries.iter().zip(phrasing_counts.iter().copied()).enumerate() {
            sum.iter_mut().for_each(|total| *total = 0.0);
            for row_bytes in row_vectors.by_ref().take(phrasings) {
                read_row(row_bytes, &mut vector);
                scales.push(quantise(&vector, &mut codes));
                centre(&vector, &mean, &mut centred);
                sign_bits(&centred, &mut bits);
                sum.iter_mut().zip(&vector).for_each(|(total, value)| *total += value);
            }
            if phrasings > 1 && matches!(value.kind, EntryKind::Faq { .. }) {
                let norm = sum.iter().map(|value| value * value).sum::<f32>().sqrt();
                if norm > 0.0 && norm.is_finite() {
                    sum.iter_mut().for_each(|value| *value /= norm);
                    centroid_of_entry[entry] =
                        u32::try_from(centroid_scales.len()).map_err(|error| corrupt(error.to_string()))?;
                    centroid_scales.push(quantise(&sum, &mut centroid_codes));
                }
            }
        }
        Ok(Some(DenseIndex {
            dimension: meta.dimension,
            codes,
            scales,
            rows,
            bits,
            mean,
            words,
            centroid_codes,
            centroid_scales,
            centroid_of_entry,
            exhaustive_rows: EXHAUSTIVE_ROWS,
            rescored_rows: RESCORED_ROWS,
        }))
    }

    /// The same index searching a partition of up to `rows` rows exhaustively and scoring
    /// `rows` rows per ranking in a larger one.
    #[cfg(test)]
    pub(crate) fn with_rescored_rows(mut self, rows: usize) -> DenseIndex {
        self.exhaustive_rows = rows;
        self.rescored_rows = rows;
        self
    }

    /// Ranks the entries `allowed` admits (by entry index) by cosine with `query`. A query of
    /// the wrong length matches nothing.
    pub(crate) fn search(&self, query: &[f32], allowed: &[bool]) -> DenseRanking {
        self.rank(&self.scores(query), allowed)
    }

    /// What every ranking of `query` needs: its cosine with every row of a partition searched
    /// exhaustively, or its Hamming distance to every row of a larger one; empty for a query of
    /// the wrong length. This is the pass over all rows: callers that rank under several filters
    /// (language first, then any language) compute it once.
    pub(crate) fn scores(&self, query: &[f32]) -> DenseScores {
        if query.len() != self.dimension || self.dimension == 0 {
            return DenseScores::default();
        }
        let mut query_codes = Vec::with_capacity(self.dimension);
        let query_scale = quantise(query, &mut query_codes);
        let mut scores = DenseScores {
            query_codes,
            query_scale,
            rows: RowScores::default(),
        };
        scores.rows = if self.rows.len() <= self.exhaustive_rows {
            RowScores::Exact((0..self.rows.len()).map(|row| self.cosine(&scores, row)).collect())
        } else {
            let mut centred = Vec::with_capacity(self.dimension);
            centre(query, &self.mean, &mut centred);
            let mut query_bits = Vec::with_capacity(self.words);
            sign_bits(&centred, &mut query_bits);
            RowScores::Distances(match self.words {
                // 384 and 768 dimensions (the supported encoders, and BERT-base-sized ones), with
                // the row length known to the compiler, which then unrolls the count: a third less
                // time for this pass (225 to 150 µs over 40,000 rows of 384).
                6 => hamming_all::<6>(&query_bits, &self.bits),
                12 => hamming_all::<12>(&query_bits, &self.bits),
                _ => self
                    .bits
                    .chunks_exact(self.words)
                    .map(|row_bits| hamming(&query_bits, row_bits))
                    .collect(),
            })
        };
        scores
    }

    /// The 8-bit cosine of the question with row `row`.
    fn cosine(&self, scores: &DenseScores, row: usize) -> f32 {
        let codes = &self.codes[row * self.dimension..(row + 1) * self.dimension];
        scores.similarity(codes, self.scales[row])
    }

    /// The 8-bit cosine of the question with the centroid of `entry`, if it has one.
    fn centroid_cosine(&self, scores: &DenseScores, entry: usize) -> Option<f32> {
        let centroid = *self.centroid_of_entry.get(entry)?;
        if centroid == NO_CENTROID {
            return None;
        }
        let centroid = centroid as usize;
        let codes = self
            .centroid_codes
            .get(centroid * self.dimension..(centroid + 1) * self.dimension)?;
        Some(scores.similarity(codes, self.centroid_scales[centroid]))
    }

    /// The rows `allowed` admits with their cosines, in row order: all of them when the scores
    /// are exhaustive, otherwise the `rescored_rows` nearest by sign bits (ties at the cut go to
    /// the earlier row).
    fn scored_rows(&self, scores: &DenseScores, allowed: &[bool]) -> Vec<(usize, f32)> {
        let admits = |row: &Row| allowed.get(row.entry as usize).copied().unwrap_or(false);
        let distances = match &scores.rows {
            RowScores::Distances(distances) => distances,
            RowScores::Exact(cosines) => {
                return self
                    .rows
                    .iter()
                    .zip(cosines)
                    .enumerate()
                    .filter(|(_, (row, _))| admits(row))
                    .map(|(index, (_, cosine))| (index, *cosine))
                    .collect();
            }
        };
        // A histogram of the admitted rows' distances finds the cut in one pass, without sorting.
        let mut histogram = vec![0usize; self.words * 64 + 1];
        for (row, distance) in self.rows.iter().zip(distances) {
            if admits(row) {
                histogram[usize::from(*distance)] += 1;
            }
        }
        let mut below_cut = 0usize;
        let mut cut = histogram.len();
        for (distance, count) in histogram.iter().enumerate() {
            if below_cut + count >= self.rescored_rows {
                cut = distance;
                break;
            }
            below_cut += count;
        }
        let mut at_cut_left = self.rescored_rows.saturating_sub(below_cut);
        let mut chosen = Vec::with_capacity(self.rescored_rows.min(self.rows.len()));
        for (index, (row, distance)) in self.rows.iter().zip(distances).enumerate() {
            let distance = usize::from(*distance);
            if distance > cut || !admits(row) {
                continue;
            }
            if distance == cut {
                if at_cut_left == 0 {
                    continue;
                }
                at_cut_left -= 1;
            }
            chosen.push(index);
        }
        touch(&self.codes, self.dimension, &chosen);
        chosen
            .into_iter()
            .map(|index| (index, self.cosine(scores, index)))
            .collect()
    }

    /// Ranks the entries `allowed` admits (by entry index) by their similarity to the question.
    pub(crate) fn rank(&self, scores: &DenseScores, allowed: &[bool]) -> DenseRanking {
        if scores.query_codes.is_empty() {
            return DenseRanking::default();
        }
        // Each scored row as (entry, cosine, phrasing), then the best row of every entry: the first
        // of its entry after sorting by entry and, within it, by cosine (ties: the earlier row).
        let mut scored: Vec<(u32, f32, u32)> = Vec::new();
        let mut top_hits: Vec<(f32, u32)> = Vec::with_capacity(VOTE_HITS + 1);
        for (index, cosine) in self.scored_rows(scores, allowed) {
            let row = self.rows[index];
            if (row.entry as usize) < allowed.len() {
                scored.push((row.entry, cosine, row.index_in_entry));
            }
            if top_hits.len() < VOTE_HITS || top_hits.last().is_some_and(|(lowest, _)| cosine > *lowest) {
                let position = top_hits.partition_point(|(existing, _)| *existing >= cosine);
                top_hits.insert(position, (cosine, row.entry));
                top_hits.truncate(VOTE_HITS);
            }
        }
        // Stable, so among equal cosines of one entry the earlier row stays first.
        scored.sort_by(|left, right| left.0.cmp(&right.0).then(right.1.total_cmp(&left.1)));
        scored.dedup_by_key(|(entry, _, _)| *entry);
        let mut candidates: Vec<DenseCandidate> = scored
            .into_iter()
            .map(|(entry, cosine, index_in_entry)| {
                let entry = entry as usize;
                let similarity = match self.centroid_cosine(scores, entry) {
                    Some(centroid) => (1.0 - CENTROID_WEIGHT) * cosine + CENTROID_WEIGHT * centroid,
                    None => cosine,
                };
                DenseCandidate {
                    entry,
                    phrasing_in_entry: index_in_entry as usize,
                    similarity,
                }
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

/// Reads one byte of every cache line of the `rows` of `codes` before they are scored. The
/// chosen rows are scattered over the whole index, so each is a cache miss; these reads do not
/// depend on each other and the processor keeps many in flight, where the dot products, each
/// waiting on its own row, would take them one at a time.
fn touch(codes: &[i8], dimension: usize, rows: &[usize]) {
    let mut sum = 0i8;
    for row in rows {
        let start = row * dimension;
        for offset in (0..dimension).step_by(64) {
            sum ^= codes.get(start + offset).copied().unwrap_or(0);
        }
    }
    std::hint::black_box(sum);
}

/// Writes `vector - mean` into `centred`.
fn centre(vector: &[f32], mean: &[f32], centred: &mut Vec<f32>) {
    centred.clear();
    centred.extend(vector.iter().zip(mean).map(|(value, mean)| value - mean));
}

/// Appends the sign bits of `vector` (set: value above zero) to `bits`, 64 values a word, the
/// last word padded with zeros.
fn sign_bits(vector: &[f32], bits: &mut Vec<u64>) {
    for chunk in vector.chunks(64) {
        let word = chunk.iter().enumerate().fold(
            0u64,
            |word, (bit, value)| if *value > 0.0 { word | (1 << bit) } else { word },
        );
        bits.push(word);
    }
}

/// The Hamming distance of `query` to every row of `bits`, rows of `WORDS` words.
fn hamming_all<const WORDS: usize>(query: &[u64], bits: &[u64]) -> Vec<u16> {
    let Ok(query) = <&[u64; WORDS]>::try_from(query) else {
        return bits.chunks_exact(WORDS).map(|row| hamming(query, row)).collect();
    };
    bits.chunks_exact(WORDS)
        .map(|row| {
            let mut differing = 0u32;
            for (a, b) in query.iter().zip(row) {
                differing += (a ^ b).count_ones();
            }
            u16::try_from(differing).unwrap_or(u16::MAX)
        })
        .collect()
}

/// The number of differing bits of two equally long bit vectors (at most 65,535 for any
/// dimension below 65,536, which `u16` holds).
fn hamming(left: &[u64], right: &[u64]) -> u16 {
    let differing: u32 = left.iter().zip(right).map(|(a, b)| (a ^ b).count_ones()).sum();
    u16::try_from(differing).unwrap_or(u16::MAX)
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
        crate::model::test_faq(id, Lang::En, questions, "a")
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

    /// Vectors of 384 values around 300 random directions ("topics"): the text "t17 p3" is
    /// phrasing 3 near topic 17, "t17 q5" question 5 near it. Texts on one topic are close
    /// (cosine about 0.6) and the rest nearly orthogonal, like all-MiniLM-L6-v2's; with
    /// `shared` above zero every vector also holds one common direction of that weight. At 4,
    /// unrelated texts sit near cosine 0.91 and related ones near 0.96: a more extreme case of
    /// multilingual-e5-small's 0.75 and 0.9.
    struct TopicEmbedder {
        shared: f32,
    }

    impl TopicEmbedder {
        const TOPICS: u64 = 300;

        fn gaussian_vector(seed: u64) -> Vec<f32> {
            let mut random = crate::sample::SplitMix(seed);
            (0..384)
                .map(|_| {
                    // The sum of four uniforms is close enough to a normal variate here.
                    (0..4)
                        .map(|_| (random.next_u64() >> 11) as f32 / (1u64 << 53) as f32 - 0.5)
                        .sum::<f32>()
                })
                .collect()
        }
    }

    impl Embedder for TopicEmbedder {
        fn fingerprint(&self) -> String {
            format!("topics-v1-{}", self.shared)
        }
        fn dimension(&self) -> usize {
            384
        }
        fn embed(&self, text: &str) -> Vec<f32> {
            let topic: u64 = text[1..text.find(' ').unwrap()].parse().unwrap();
            let centre = TopicEmbedder::gaussian_vector(topic);
            let noise = TopicEmbedder::gaussian_vector(
                1_000_000
                    + text
                        .bytes()
                        .fold(7u64, |hash, byte| hash.wrapping_mul(31).wrapping_add(u64::from(byte))),
            );
            let common = TopicEmbedder::gaussian_vector(u64::MAX / 3);
            let mut vector: Vec<f32> = centre
                .iter()
                .zip(&noise)
                .zip(&common)
                .map(|((c, n), s)| c + 0.8 * n + self.shared * s)
                .collect();
            let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
            vector.iter_mut().for_each(|value| *value /= norm);
            vector
        }
    }

    #[test]
    fn a_large_partition_scores_the_rows_nearest_by_sign_bits_and_keeps_the_exhaustive_best() {
        // 1,500 entries with four phrasings, five entries per topic: 6,000 rows, of which 256
        // are scored. Topics make many near-equal rows, the hard case for a prefilter; the
        // shared direction makes most raw sign bits the same for every text (without centring
        // the bits on the mean, 196 of the 200 rankings kept the best entry).
        for embedder in [TopicEmbedder { shared: 0.0 }, TopicEmbedder { shared: 4.0 }] {
            let directory = tempfile::tempdir().unwrap();
            let entries: Vec<Entry> = (0..1500u64)
                .map(|number| {
                    let topic = number % TopicEmbedder::TOPICS;
                    let questions: Vec<String> = (0..4)
                        .map(|phrasing| format!("t{topic} p{number}-{phrasing}"))
                        .collect();
                    let questions: Vec<&str> = questions.iter().map(String::as_str).collect();
                    faq(&format!("e{number}"), &questions)
                })
                .collect();
            build(directory.path(), &entries, &embedder, &Reusable::new()).unwrap();
            let fingerprint = embedder.fingerprint();
            let exhaustive = DenseIndex::open(directory.path(), &entries, &fingerprint)
                .unwrap()
                .unwrap()
                .with_rescored_rows(usize::MAX);
            let pruned = DenseIndex::open(directory.path(), &entries, &fingerprint)
                .unwrap()
                .unwrap()
                .with_rescored_rows(RESCORED_ROWS);
            let every = vec![true; entries.len()];
            // Entries number, number + 300, ... share a topic: this keeps three of each topic's five.
            let some: Vec<bool> = (0..entries.len()).map(|entry| (entry / 300) % 2 == 0).collect();
            let mut same_best = 0;
            for question in 0..100u64 {
                let topic = question * 7 % TopicEmbedder::TOPICS;
                let query = embedder.embed(&format!("t{topic} q{question}"));
                let (exact_scores, pruned_scores) = (exhaustive.scores(&query), pruned.scores(&query));
                assert!(matches!(exact_scores.rows, RowScores::Exact(_)));
                assert!(matches!(pruned_scores.rows, RowScores::Distances(_)));
                for allowed in [&every, &some] {
                    let exact = exhaustive.rank(&exact_scores, allowed);
                    let approximate = pruned.rank(&pruned_scores, allowed);
                    assert!(approximate.candidates.iter().all(|candidate| allowed[candidate.entry]));
                    // An entry of which only some rows were scored can only look less similar.
                    for candidate in &approximate.candidates {
                        if let Some(same) = exact.candidates.iter().find(|other| other.entry == candidate.entry) {
                            assert!(candidate.similarity <= same.similarity + 1e-6);
                        }
                    }
                    if exact.candidates[0] == approximate.candidates[0] && exact.votes == approximate.votes {
                        same_best += 1;
                    }
                }
                // With every entry on the question's topic filtered out, nothing is related and
                // the prefilter may pick another of the near-equal unrelated rows; its best is
                // still within a few hundredths.
                let none: Vec<bool> = (0..entries.len())
                    .map(|entry| entry as u64 % TopicEmbedder::TOPICS != topic)
                    .collect();
                let (exact, approximate) = (
                    exhaustive.rank(&exact_scores, &none),
                    pruned.rank(&pruned_scores, &none),
                );
                assert!(approximate.candidates[0].similarity >= exact.candidates[0].similarity - 0.05);
            }
            assert_eq!(
                same_best, 200,
                "shared {}: the best entry and its votes differ from the exhaustive search",
                embedder.shared
            );
        }
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

    #[test]
    fn the_unrolled_hamming_passes_count_like_the_general_one() {
        let mut random = crate::sample::SplitMix(5);
        for words in [6usize, 12] {
            let query: Vec<u64> = (0..words).map(|_| random.next_u64()).collect();
            let bits: Vec<u64> = (0..words * 50).map(|_| random.next_u64()).collect();
            let general: Vec<u16> = bits.chunks_exact(words).map(|row| hamming(&query, row)).collect();
            let unrolled = if words == 6 {
                hamming_all::<6>(&query, &bits)
            } else {
                hamming_all::<12>(&query, &bits)
            };
            assert_eq!(unrolled, general);
        }
        assert_eq!(hamming_all::<6>(&[u64::MAX; 6], &[0; 6]), vec![384]);
    }
}
