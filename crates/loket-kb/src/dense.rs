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

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::Entry;
use crate::retrieval::{ENTRIES_FILE, write_synced};
use crate::{Error, Result};

const VECTORS_FILE: &str = "vectors.f32";
const VECTORS_META_FILE: &str = "vectors.json";
/// Best phrasings that vote for the best entry (the dense counterpart of the lexical votes).
const VOTE_HITS: usize = 10;
/// Entries kept in a dense ranking: enough for fusion and the margin feature.
const TOP_ENTRIES: usize = 40;

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
}

/// One entry in a dense ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DenseCandidate {
    pub entry: usize,
    /// The entry's most similar phrasing.
    pub phrasing_in_entry: usize,
    /// Cosine similarity of that phrasing with the question.
    pub cosine: f32,
}

/// Entries by their best phrasing's cosine, best first, with the share of the best
/// [`VOTE_HITS`] phrasings that belong to the best entry.
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
        let mut rows = Vec::with_capacity(meta.rows);
        for (entry, value) in entries.iter().enumerate() {
            for index_in_entry in 0..value.phrasings().len() {
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
        for row_bytes in bytes.chunks_exact((meta.dimension * 4).max(4)) {
            vector.clear();
            vector.extend(
                row_bytes
                    .chunks_exact(4)
                    .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])),
            );
            scales.push(quantise(&vector, &mut codes));
        }
        Ok(Some(DenseIndex {
            dimension: meta.dimension,
            codes,
            scales,
            rows,
        }))
    }

    /// Ranks the entries `allowed` admits (by entry index) by cosine with `query`. A query of
    /// the wrong length matches nothing.
    pub(crate) fn search(&self, query: &[f32], allowed: &[bool]) -> DenseRanking {
        self.rank(&self.scores(query), allowed)
    }

    /// The cosine of `query` with every row, in row order; empty for a query of the wrong
    /// length. This is the expensive pass: callers that rank under several filters (language
    /// first, then any language) compute it once.
    pub(crate) fn scores(&self, query: &[f32]) -> Vec<f32> {
        if query.len() != self.dimension || self.dimension == 0 {
            return Vec::new();
        }
        let mut query_codes = Vec::with_capacity(self.dimension);
        let query_scale = quantise(query, &mut query_codes);
        self.scales
            .iter()
            .zip(self.codes.chunks_exact(self.dimension))
            .map(|(scale, codes)| dot_codes(&query_codes, codes) as f32 * query_scale * scale)
            .collect()
    }

    /// Ranks the entries `allowed` admits (by entry index) by the row cosines in `scores`.
    pub(crate) fn rank(&self, scores: &[f32], allowed: &[bool]) -> DenseRanking {
        let mut best_per_entry: Vec<Option<(f32, u32)>> = vec![None; allowed.len()];
        let mut top_hits: Vec<(f32, u32)> = Vec::with_capacity(VOTE_HITS + 1);
        for (row, cosine) in self.rows.iter().zip(scores) {
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
        let mut candidates: Vec<DenseCandidate> = best_per_entry
            .into_iter()
            .enumerate()
            .filter_map(|(entry, best)| {
                best.map(|(cosine, index_in_entry)| DenseCandidate {
                    entry,
                    phrasing_in_entry: index_in_entry as usize,
                    cosine,
                })
            })
            .collect();
        let by_cosine = |left: &DenseCandidate, right: &DenseCandidate| right.cosine.total_cmp(&left.cosine);
        if candidates.len() > TOP_ENTRIES {
            candidates.select_nth_unstable_by(TOP_ENTRIES, by_cosine);
            candidates.truncate(TOP_ENTRIES);
        }
        candidates.sort_by(by_cosine);
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
        assert!((ranking.candidates[2].cosine).abs() < 1e-6);
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
