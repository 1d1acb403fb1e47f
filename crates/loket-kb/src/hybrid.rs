//! Hybrid answer selection: the lexical ranking and the dense ranking of one question are fused
//! into one ranking, and the confidence of its best entry is computed from both retrievers'
//! evidence.
//!
//! Fusion is reciprocal rank fusion (as in [`crate::fusion`]) with a weight per list and a small
//! damping constant, so BM25 scores and cosines never have to be made comparable. Confidence is a
//! logistic model over the dense evidence (the best similarity, its margin over the next entry, the
//! share of the nearest phrasings that agree) and the lexical evidence (the lexical confidence when
//! the lexical retriever picked the same entry), fitted on the tuning halves of `loket eval faq`.

use crate::dense::DenseRanking;
use crate::knowledge_base::confidence as lexical_confidence;
use crate::retrieval::Ranking;

/// The RRF damping constant. Small, so that the first ranks dominate: fitted on the tuning
/// halves, where the dense list's first entry is right more often than the lexical one's.
const FUSION_K: f32 = 5.0;
/// Weight of the dense list in the fusion; the lexical list has weight 1. With 3 the lexical
/// list decides only between entries the dense list ranks closely.
const DENSE_WEIGHT: f32 = 3.0;
/// Entries of each list that take part in the fusion and in the lexical-rank feature.
const FUSION_DEPTH: usize = 10;

/// A confidence model fitted for one sentence encoder: logistic weights over the six features of
/// the fused best entry (its dense similarity and similarity margin, the dense votes, the lexical
/// confidence, its lexical rank, the fused margin) and a similarity gate. Encoders differ in how
/// their cosines spread (all-MiniLM-L6-v2 puts unrelated questions near 0.1, multilingual-e5-small
/// near 0.75), so each is fitted on its own, by logistic regression (log-loss) on the tuning
/// halves of banking77 and CLINC150: `loket eval faq
/// --encoder … --dump FILE`, then `eval/faq/fit_confidence.py FILE`, label 1 for a correct best
/// entry and 0 for a wrong entry or an out-of-scope question. The bias is then shifted to the
/// largest value at which both tuning halves still meet their targets at
/// [`crate::DEFAULT_THRESHOLD`] (wrong answers ≤ 3% of all questions, out-of-scope declined ≥ 95%)
/// with a margin for questions the fit has not seen: each target must hold at the far end of the
/// one-sided 90% Wilson interval of its tuning rate. So one threshold serves lexical and hybrid
/// retrieval, with either encoder, alike. Refit when the encoder, the dense similarity, the fusion
/// or the lexical confidence change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The encoder this was fitted for (shown in logs).
    pub name: &'static str,
    weights: Evidence,
    /// The fitted intercept plus the shift described above.
    bias: f32,
    /// Below this similarity the best entry is taken to be about something else, whatever the
    /// margin: in a small knowledge base an unrelated question can be far from every entry and
    /// still nearest to one of them by a wide margin.
    min_similarity: f32,
    /// Similarity above `min_similarity` over which confidence ramps up to the model's value.
    similarity_ramp: f32,
}

impl Calibration {
    /// Fitted for all-MiniLM-L6-v2 (English), on knowledge bases with five phrasings per intent
    /// and with one (shaped like a plain FAQ). Fitted on five-phrasing bases alone, the same model
    /// answered 4.8% of banking77's and 3.9% of CLINC150's questions wrongly when each intent had
    /// a single phrasing; now the targets hold on both shapes. The margin over the next entry and
    /// the share of the nearest phrasings that agree carry most of the weight; the similarity
    /// itself adds little once those are known.
    pub const MINILM_L6: Calibration = Calibration {
        name: "all-MiniLM-L6-v2",
        weights: Evidence {
            similarity: 0.274,
            similarity_margin: 12.854,
            dense_votes: 3.390,
            lexical_confidence: 0.417,
            lexical_rank: 0.715,
            fused_margin: -0.272,
        },
        bias: -1.655 + 0.08,
        min_similarity: 0.3,
        similarity_ramp: 0.15,
    };

    /// Fitted for multilingual-e5-small (Dutch, English and about 90 more languages; the model
    /// Dutch deployments need), on the same sets and with the same margin. Its cosines lie
    /// between about 0.7 and 1, so the margin weighs four times as much as for all-MiniLM-L6-v2,
    /// and the gate, chosen on the tuning halves among ramps ending at 0.86 to 0.92, takes
    /// confidence to zero at 0.7.
    pub const MULTILINGUAL_E5_SMALL: Calibration = Calibration {
        name: "multilingual-e5-small",
        weights: Evidence {
            similarity: 1.647,
            similarity_margin: 51.876,
            dense_votes: 4.161,
            lexical_confidence: 0.728,
            lexical_rank: 1.186,
            fused_margin: -0.028,
        },
        bias: -3.443 + 0.13,
        min_similarity: 0.7,
        similarity_ramp: 0.2,
    };

    /// The name a calibration read by [`Calibration::from_json`] carries.
    pub const FILE: &'static str = "loket-calibration.json";

    /// Reads a calibration written by `eval/faq/fit_confidence.py --write FILE` for an encoder
    /// Loket has none for: `{"weights": {...six features...}, "bias", "min_similarity",
    /// "similarity_ramp"}`. Every number must be finite and the ramp positive.
    pub fn from_json(json: &[u8]) -> Result<Calibration, String> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            weights: Evidence,
            bias: f32,
            min_similarity: f32,
            similarity_ramp: f32,
        }
        let file: File = serde_json::from_slice(json).map_err(|error| error.to_string())?;
        let weights = &file.weights;
        let numbers = [
            weights.similarity,
            weights.similarity_margin,
            weights.dense_votes,
            weights.lexical_confidence,
            weights.lexical_rank,
            weights.fused_margin,
            file.bias,
            file.min_similarity,
            file.similarity_ramp,
        ];
        if !numbers.iter().all(|number| number.is_finite()) || file.similarity_ramp <= 0.0 {
            return Err("every number must be finite and similarity_ramp positive".to_owned());
        }
        Ok(Calibration {
            name: Calibration::FILE,
            weights: file.weights,
            bias: file.bias,
            min_similarity: file.min_similarity,
            similarity_ramp: file.similarity_ramp,
        })
    }

    /// The calibration fitted for an encoder of this shape (see `loket_embed::Encoder::shape`),
    /// if Loket has one.
    pub fn for_shape(shape: &str) -> Option<Calibration> {
        match shape {
            "wordpiece-30522-6x384" => Some(Calibration::MINILM_L6),
            "unigram-250002-12x384" => Some(Calibration::MULTILINGUAL_E5_SMALL),
            _ => None,
        }
    }
}

/// What the two retrievers say about the fused best entry; also the shape of a calibration's
/// weights, one per feature (read by [`Calibration::from_json`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Evidence {
    /// The entry's dense similarity (0 when the dense list lacks the entry).
    pub similarity: f32,
    /// That similarity minus the best similarity of any other entry.
    pub similarity_margin: f32,
    /// Share of the nearest phrasings that belong to the entry, when it is the dense best.
    pub dense_votes: f32,
    /// The lexical confidence, when the entry is the lexical best.
    pub lexical_confidence: f32,
    /// `1 / rank` of the entry in the lexical list, 0 when absent.
    pub lexical_rank: f32,
    /// `(best - second) / best` over fused scores.
    pub fused_margin: f32,
}

impl Evidence {
    fn logit(&self, calibration: &Calibration) -> f32 {
        let weights = &calibration.weights;
        calibration.bias
            + weights.similarity * self.similarity
            + weights.similarity_margin * self.similarity_margin
            + weights.dense_votes * self.dense_votes
            + weights.lexical_confidence * self.lexical_confidence
            + weights.lexical_rank * self.lexical_rank
            + weights.fused_margin * self.fused_margin
    }
}

/// The entry chosen by hybrid retrieval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Choice {
    /// Entry index in the partition.
    pub entry: usize,
    /// The phrasing or passage to cite.
    pub phrasing_in_entry: usize,
    /// Confidence in [0, 1], comparable with the lexical confidence's threshold.
    pub confidence: f32,
}

/// The weighted fusion of the first [`FUSION_DEPTH`] entries of `lexical` and `dense`: entries
/// with their fused scores, best first.
pub(crate) fn fuse(lexical: &Ranking, dense: &DenseRanking) -> Vec<(usize, f32)> {
    let (lexical_list, dense_list) = fusion_lists(lexical, dense);
    weighted_fusion(&lexical_list, &dense_list)
}

/// Scores the best entry of `fused` (made by [`fuse`] from `lexical` and `dense`) with the
/// encoder's `calibration`; `None` when neither ranking found anything.
pub(crate) fn choose(
    lexical: &Ranking,
    dense: &DenseRanking,
    fused: &[(usize, f32)],
    calibration: &Calibration,
) -> Option<Choice> {
    let (best, best_score) = *fused.first()?;
    let second_score = fused.get(1).map_or(0.0, |(_, score)| *score);
    let dense_position = dense.candidates.iter().position(|candidate| candidate.entry == best);
    let dense_candidate = dense_position.and_then(|position| dense.candidates.get(position));
    let similarity = dense_candidate.map_or(0.0, |candidate| candidate.similarity);
    let runner_up = dense
        .candidates
        .iter()
        .find(|candidate| candidate.entry != best)
        .map_or(0.0, |candidate| candidate.similarity);
    let dense_is_best = dense_position == Some(0);
    let lexical_position = lexical
        .candidates
        .iter()
        .take(FUSION_DEPTH)
        .position(|candidate| candidate.entry == best);
    let evidence = Evidence {
        similarity,
        similarity_margin: similarity - runner_up,
        dense_votes: if dense_is_best { dense.votes } else { 0.0 },
        lexical_confidence: if lexical_position == Some(0) {
            lexical_confidence(&lexical.features)
        } else {
            0.0
        },
        lexical_rank: lexical_position.map_or(0.0, |position| 1.0 / (position as f32 + 1.0)),
        fused_margin: if best_score > 0.0 {
            (best_score - second_score) / best_score
        } else {
            0.0
        },
    };
    // Cite the passage that made the entry win: the dense one unless only the lexical list has it.
    let phrasing_in_entry = match dense_candidate {
        Some(candidate) => candidate.phrasing_in_entry,
        None => lexical
            .candidates
            .iter()
            .find(|candidate| candidate.entry == best)
            .map_or(0, |candidate| candidate.phrasing_in_entry),
    };
    let gate = ((similarity - calibration.min_similarity) / calibration.similarity_ramp).clamp(0.0, 1.0);
    Some(Choice {
        entry: best,
        phrasing_in_entry,
        confidence: gate / (1.0 + (-evidence.logit(calibration)).exp()),
    })
}

/// The first [`FUSION_DEPTH`] entries of each list.
fn fusion_lists(lexical: &Ranking, dense: &DenseRanking) -> (Vec<usize>, Vec<usize>) {
    let lexical_list = lexical
        .candidates
        .iter()
        .take(FUSION_DEPTH)
        .map(|candidate| candidate.entry)
        .collect();
    let dense_list = dense
        .candidates
        .iter()
        .take(FUSION_DEPTH)
        .map(|candidate| candidate.entry)
        .collect();
    (lexical_list, dense_list)
}

/// Entries by weighted reciprocal rank fusion, best first; ties keep the dense list's order.
fn weighted_fusion(lexical: &[usize], dense: &[usize]) -> Vec<(usize, f32)> {
    let mut fused: Vec<(usize, f32)> = Vec::with_capacity(lexical.len() + dense.len());
    for (list, weight) in [(dense, DENSE_WEIGHT), (lexical, 1.0)] {
        for (rank, entry) in list.iter().enumerate() {
            let contribution = weight / (FUSION_K + rank as f32 + 1.0);
            match fused.iter_mut().find(|(existing, _)| existing == entry) {
                Some((_, score)) => *score += contribution,
                None => fused.push((*entry, contribution)),
            }
        }
    }
    // A stable sort keeps first-seen (dense) order among equal scores.
    fused.sort_by(|left, right| right.1.total_cmp(&left.1));
    fused
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::DenseCandidate;
    use crate::retrieval::Candidate;

    fn dense(entries: &[(usize, f32)], votes: f32) -> DenseRanking {
        DenseRanking {
            candidates: entries
                .iter()
                .map(|(entry, similarity)| DenseCandidate {
                    entry: *entry,
                    phrasing_in_entry: 0,
                    similarity: *similarity,
                })
                .collect(),
            votes,
        }
    }

    /// [`super::choose`] over the fusion of the two rankings, as the knowledge base calls it.
    fn choose(lexical: &Ranking, dense: &DenseRanking, calibration: &Calibration) -> Option<Choice> {
        super::choose(lexical, dense, &fuse(lexical, dense), calibration)
    }

    fn lexical(entries: &[usize]) -> Ranking {
        Ranking {
            candidates: entries
                .iter()
                .map(|entry| Candidate {
                    entry: *entry,
                    phrasing_in_entry: 0,
                    score: 1.0,
                })
                .collect(),
            features: crate::Features::default(),
        }
    }

    #[test]
    fn the_dense_list_leads_and_the_lexical_list_breaks_close_calls() {
        let fused = weighted_fusion(&[2, 1], &[1, 2]);
        assert_eq!(fused[0].0, 1);
        // Dense ranks 1 and 2 for entries 7 and 8; lexical has only 8: 8 wins.
        assert_eq!(weighted_fusion(&[8], &[7, 8])[0].0, 8);
        assert!(weighted_fusion(&[], &[]).is_empty());
    }

    #[test]
    fn a_close_distinct_match_is_more_confident_than_a_vague_or_contested_one() {
        let clear = choose(
            &lexical(&[1]),
            &dense(&[(1, 0.9), (2, 0.4)], 1.0),
            &Calibration::MINILM_L6,
        )
        .unwrap();
        let contested = choose(
            &lexical(&[2]),
            &dense(&[(1, 0.6), (2, 0.58)], 0.5),
            &Calibration::MINILM_L6,
        )
        .unwrap();
        let vague = choose(
            &lexical(&[]),
            &dense(&[(1, 0.3), (2, 0.28)], 0.2),
            &Calibration::MINILM_L6,
        )
        .unwrap();
        assert_eq!(clear.entry, 1);
        // The lexical list breaks the dense near-tie in favour of entry 2.
        assert_eq!(contested.entry, 2);
        assert!(clear.confidence > contested.confidence);
        assert!(clear.confidence > vague.confidence);
        assert!(clear.confidence >= crate::DEFAULT_THRESHOLD);
        // Far from everything, yet with a wide margin: still no answer.
        let distant = choose(
            &lexical(&[]),
            &dense(&[(1, 0.25), (2, 0.0)], 1.0),
            &Calibration::MINILM_L6,
        )
        .unwrap();
        assert_eq!(distant.confidence, 0.0);
        assert!(choose(&lexical(&[]), &dense(&[], 0.0), &Calibration::MINILM_L6).is_none());
    }

    #[test]
    fn each_encoder_is_judged_on_its_own_scale() {
        let e5 = Calibration::MULTILINGUAL_E5_SMALL;
        // multilingual-e5-small's cosines crowd between 0.7 and 1: a margin of 0.1 is decisive.
        let clear = choose(&lexical(&[1]), &dense(&[(1, 0.95), (2, 0.85)], 1.0), &e5).unwrap();
        assert!(clear.confidence >= crate::DEFAULT_THRESHOLD, "{clear:?}");
        let contested = choose(&lexical(&[]), &dense(&[(1, 0.9), (2, 0.895)], 0.3), &e5).unwrap();
        assert!(contested.confidence < crate::DEFAULT_THRESHOLD, "{contested:?}");
        // 0.69 is unrelated for e5 (related for MiniLM), however wide the margin.
        let unrelated = dense(&[(1, 0.69), (2, 0.4)], 1.0);
        assert_eq!(choose(&lexical(&[1]), &unrelated, &e5).unwrap().confidence, 0.0);
        assert!(
            choose(&lexical(&[1]), &unrelated, &Calibration::MINILM_L6)
                .unwrap()
                .confidence
                > 0.85
        );
        assert_eq!(
            Calibration::for_shape("wordpiece-30522-6x384"),
            Some(Calibration::MINILM_L6)
        );
        assert_eq!(Calibration::for_shape("unigram-250002-12x384"), Some(e5));
        assert_eq!(Calibration::for_shape("wordpiece-119547-12x768"), None);
    }

    #[test]
    fn a_calibration_file_is_read_whole_and_checked() {
        let json = br#"{"weights": {"similarity": 1.0, "similarity_margin": 20.0, "dense_votes": 2.0,
            "lexical_confidence": 0.5, "lexical_rank": 0.5, "fused_margin": 0.0},
            "bias": -2.0, "min_similarity": 0.5, "similarity_ramp": 0.1}"#;
        let calibration = Calibration::from_json(json).unwrap();
        assert_eq!(calibration.name, Calibration::FILE);
        // Its own gate: 0.45 is below its floor of 0.5, so no answer whatever the margin.
        let far = choose(&lexical(&[1]), &dense(&[(1, 0.45), (2, 0.0)], 1.0), &calibration).unwrap();
        assert_eq!(far.confidence, 0.0);
        let close = choose(&lexical(&[1]), &dense(&[(1, 0.8), (2, 0.4)], 1.0), &calibration).unwrap();
        assert!(close.confidence > 0.99, "{close:?}");
        let text = std::str::from_utf8(json).unwrap();
        for broken in [
            text.replace("0.1}", "0.0}"),
            text.replace("-2.0", "1e40"),
            text.replace("\"bias\"", "\"offset\""),
            text.replace("\"fused_margin\": 0.0", "\"fused_margin\": 0.0, \"extra\": 1"),
            text[..text.len() / 2].to_owned(),
        ] {
            assert!(Calibration::from_json(broken.as_bytes()).is_err(), "{broken}");
        }
    }
}
