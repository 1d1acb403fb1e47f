//! Reciprocal rank fusion: merges ranked lists from different retrievers (today the lexical one;
//! later a dense encoder) without having to make their raw scores comparable.

use std::collections::HashMap;
use std::hash::Hash;

/// The customary RRF constant from Cormack et al. (2009); it damps the weight of the top ranks.
pub const RRF_K: f32 = 60.0;

/// Fuses ranked lists (best first) into one list of `(key, fused score)`, best first. A key's score
/// is the sum over lists of `1 / (k + rank)` with ranks starting at 1; ties keep the order in which
/// keys were first seen, so the result is deterministic.
pub fn reciprocal_rank_fusion<K: Clone + Eq + Hash>(lists: &[Vec<K>], k: f32) -> Vec<(K, f32)> {
    let mut scores: HashMap<K, (f32, usize)> = HashMap::new();
    let mut first_seen = 0usize;
    for list in lists {
        for (index, key) in list.iter().enumerate() {
            let contribution = 1.0 / (k + index as f32 + 1.0);
            let slot = scores.entry(key.clone()).or_insert_with(|| {
                first_seen += 1;
                (0.0, first_seen)
            });
            slot.0 += contribution;
        }
    }
    let mut fused: Vec<(K, f32, usize)> = scores
        .into_iter()
        .map(|(key, (score, order))| (key, score, order))
        .collect();
    fused.sort_by(|left, right| right.1.total_cmp(&left.1).then(left.2.cmp(&right.2)));
    fused.into_iter().map(|(key, score, _)| (key, score)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_list_keeps_its_order() {
        let fused = reciprocal_rank_fusion(&[vec!["a", "b", "c"]], RRF_K);
        let keys: Vec<&str> = fused.iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert!((fused[0].1 - 1.0 / 61.0).abs() < 1e-6);
    }

    #[test]
    fn agreement_between_lists_beats_one_top_rank() {
        let fused = reciprocal_rank_fusion(&[vec!["a", "b", "c"], vec!["b", "c", "a"]], RRF_K);
        assert_eq!(fused[0].0, "b");
        let lexical_only = reciprocal_rank_fusion(&[vec!["x", "y"], vec!["y"]], RRF_K);
        assert_eq!(lexical_only[0].0, "y");
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert!(reciprocal_rank_fusion::<u32>(&[], RRF_K).is_empty());
        assert!(reciprocal_rank_fusion::<u32>(&[vec![]], RRF_K).is_empty());
    }
}
