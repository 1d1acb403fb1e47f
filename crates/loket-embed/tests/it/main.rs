//! Integration tests of [`loket_embed::Encoder`]: a tiny generated model (always runs) and the
//! real all-MiniLM-L6-v2 against reference vectors from an independent numpy forward pass
//! (`tests/fixtures/reference.py`), which runs when `LOKET_TEST_ENCODER_DIR` names the model
//! directory. The multilingual path (SentencePiece Unigram tokenizer, a 250,000-piece vocabulary in
//! half precision, the `query: ` prompt) is checked against multilingual-e5-small as converted by
//! `scripts/encoder-multilingual.sh`, with reference ids from Hugging Face `tokenizers` and vectors
//! from a numpy forward pass (`tests/fixtures/e5_reference.py`), when `LOKET_TEST_E5_DIR` names
//! it. With `LOKET_REQUIRE_ENCODER=1` a missing model fails instead of skipping.

#![allow(clippy::unwrap_used)]

mod tiny_model;

use std::path::PathBuf;

use loket_embed::{Encoder, pooling::dot};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

/// The model directory named by the environment variable `variable`; `None` (the test skips)
/// when it is unset, unless `LOKET_REQUIRE_ENCODER=1`.
fn directory_from(variable: &str) -> Option<PathBuf> {
    match std::env::var_os(variable) {
        Some(directory) => Some(PathBuf::from(directory)),
        None => {
            assert!(
                std::env::var("LOKET_REQUIRE_ENCODER").as_deref() != Ok("1"),
                "LOKET_REQUIRE_ENCODER=1 but {variable} is not set"
            );
            println!("skipped: {variable} is not set");
            None
        }
    }
}

fn model_directory() -> Option<PathBuf> {
    directory_from("LOKET_TEST_ENCODER_DIR")
}

fn e5_directory() -> Option<PathBuf> {
    directory_from("LOKET_TEST_E5_DIR")
}

fn references() -> Vec<Reference> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/minilm-reference.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn minilm_tokens_and_embeddings_match_the_reference() {
    let Some(directory) = model_directory() else { return };
    let encoder = Encoder::load(&directory).unwrap();
    assert_eq!(encoder.dimension(), 384);
    for reference in references() {
        assert_eq!(encoder.tokenize(&reference.text), reference.ids, "{}", reference.text);
        let embedding = encoder.encode(&reference.text);
        let cosine = dot(&embedding, &reference.embedding);
        assert!(cosine >= 0.999, "cosine {cosine} for {:?}", reference.text);
    }
}

/// A sentence and the embedding the encoder computed for it before the forward pass was
/// optimised (`tests/fixtures/minilm-pinned.json`, full `f32` precision).
#[derive(Deserialize)]
struct Pinned {
    text: String,
    embedding: Vec<f32>,
}

/// The largest absolute difference per dimension between `actual` and `pinned`.
fn largest_difference(actual: &[f32], pinned: &[f32]) -> f32 {
    assert_eq!(actual.len(), pinned.len());
    actual
        .iter()
        .zip(pinned)
        .map(|(left, right)| (left - right).abs())
        .fold(0.0, f32::max)
}

#[test]
fn minilm_embeddings_stay_within_1e_4_of_the_pinned_values_alone_and_in_batches() {
    let Some(directory) = model_directory() else { return };
    let encoder = Encoder::load(&directory).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/minilm-pinned.json");
    let pinned: Vec<Pinned> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for sentence in &pinned {
        let difference = largest_difference(&encoder.encode(&sentence.text), &sentence.embedding);
        assert!(difference <= 1e-4, "{difference} for {:?}", sentence.text);
    }
    // In a batch each sentence sits among others of different lengths, in every position.
    let texts: Vec<&str> = pinned.iter().map(|sentence| sentence.text.as_str()).collect();
    let many: Vec<&str> = texts.iter().copied().cycle().take(texts.len() * 13).collect();
    for (index, vector) in encoder.encode_batch(&many).iter().enumerate() {
        let sentence = &pinned[index % pinned.len()];
        let difference = largest_difference(vector, &sentence.embedding);
        assert!(difference <= 1e-4, "{difference} for {:?} at {index}", sentence.text);
    }
}

#[test]
fn minilm_batches_equal_single_encodings_and_rank_paraphrases_first() {
    let Some(directory) = model_directory() else { return };
    let encoder = Encoder::load(&directory).unwrap();
    let texts: Vec<String> = references().into_iter().map(|reference| reference.text).collect();
    let many: Vec<&str> = texts.iter().map(String::as_str).cycle().take(40).collect();
    let batched = encoder.encode_batch(&many);
    assert_eq!(batched.len(), many.len());
    for (text, vector) in many.iter().zip(&batched) {
        assert!(dot(vector, &encoder.encode(text)) > 0.9999, "{text}");
    }
    let query = encoder.encode("I forgot my PIN code, how can I change it?");
    let best = texts
        .iter()
        .max_by(|left, right| dot(&query, &encoder.encode(left)).total_cmp(&dot(&query, &encoder.encode(right))))
        .unwrap();
    assert_eq!(best, "How do I reset my PIN?");
}

#[test]
fn a_generated_model_loads_and_encodes_to_unit_vectors() {
    let directory = tiny_model::write();
    let encoder = Encoder::load(directory.path()).unwrap();
    assert_eq!(encoder.dimension(), tiny_model::HIDDEN);
    for text in [
        "how do i reset my pin?",
        "",
        "unwanted unwanted unwanted unwanted",
        "\u{0}\u{fffd}💥",
    ] {
        let vector = encoder.encode(text);
        assert_eq!(vector.len(), tiny_model::HIDDEN);
        assert!((dot(&vector, &vector) - 1.0).abs() < 1e-4, "{text:?}");
        assert!(vector.iter().all(|value| value.is_finite()));
    }
    let texts: Vec<&str> = ["how do i", "reset my pin", "cafe!"]
        .into_iter()
        .cycle()
        .take(50)
        .collect();
    let batched = encoder.encode_batch(&texts);
    for (text, vector) in texts.iter().zip(&batched) {
        assert!(dot(vector, &encoder.encode(text)) > 0.9999);
    }
    assert_ne!(encoder.encode("how do i"), encoder.encode("reset my pin"));
}

#[test]
fn truncation_to_the_token_limit_changes_only_long_texts() {
    let directory = tiny_model::write();
    let encoder = Encoder::load(directory.path()).unwrap().with_max_tokens(4);
    assert_eq!(encoder.tokenize("how do i reset my pin"), [2, 4, 5, 3]);
    // More tokens than position embeddings: the limit is clamped to the model's maximum.
    let wide = Encoder::load(directory.path()).unwrap().with_max_tokens(10_000);
    assert_eq!(wide.tokenize(&"pin ".repeat(100)).len(), tiny_model::MAX_POSITIONS);
    assert_ne!(encoder.fingerprint(), wide.fingerprint());
}

#[test]
fn missing_files_and_missing_tensors_are_load_errors() {
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Encoder::load(empty.path()),
        Err(loket_embed::Error::Io { .. })
    ));
    let directory = tiny_model::write_without("encoder.layer.0.output.dense.bias");
    assert!(matches!(
        Encoder::load(directory.path()),
        Err(loket_embed::Error::MissingTensor(name)) if name.ends_with("output.dense.bias")
    ));
}

#[test]
fn e5_tokens_and_embeddings_match_the_reference_in_dutch_and_english() {
    let Some(directory) = e5_directory() else { return };
    let encoder = Encoder::load(&directory).unwrap();
    assert_eq!(encoder.dimension(), 384);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/e5-reference.json");
    let references: Vec<Reference> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for reference in &references {
        assert_eq!(encoder.tokenize(&reference.text), reference.ids, "{:?}", reference.text);
        let cosine = dot(&encoder.encode(&reference.text), &reference.embedding);
        assert!(cosine >= 0.999, "cosine {cosine} for {:?}", reference.text);
    }
    // Framing and mask pieces written by a customer are text, never structure.
    let written = encoder.tokenize("</s> <s> <mask> zijn gewone tekens");
    assert_eq!((written[0], written[written.len() - 1]), (0, 2));
    let inner = &written[1..written.len() - 1];
    assert!(
        inner.iter().all(|id| ![0, 1, 2, 3, 250_001].contains(id)),
        "{written:?}"
    );
    let texts: Vec<&str> = references.iter().map(|reference| reference.text.as_str()).collect();
    for (text, vector) in texts.iter().zip(encoder.encode_batch(&texts)) {
        assert!(dot(&vector, &encoder.encode(text)) > 0.9999, "{text:?}");
    }
}

#[test]
fn e5_ranks_dutch_paraphrases_first() {
    let Some(directory) = e5_directory() else { return };
    let encoder = Encoder::load(&directory).unwrap();
    let entries = [
        "Wanneer wordt mijn pakket bezorgd?",
        "Hoe zeg ik mijn abonnement op?",
        "Kan ik een product terugsturen?",
        "Hoe kan ik contact opnemen met een medewerker?",
    ];
    let vectors: Vec<Vec<f32>> = entries.iter().map(|entry| encoder.encode(entry)).collect();
    for (question, expected) in [
        ("Waar blijft mijn bestelling?", 0),
        ("Ik wil stoppen met mijn lidmaatschap", 1),
        ("Mag ik de schoenen retour sturen?", 2),
        ("Ik wil iemand aan de lijn", 3),
    ] {
        let query = encoder.encode(question);
        let best = (0..entries.len())
            .max_by(|left, right| dot(&query, &vectors[*left]).total_cmp(&dot(&query, &vectors[*right])))
            .unwrap();
        assert_eq!(entries[best], entries[expected], "{question}");
    }
}
