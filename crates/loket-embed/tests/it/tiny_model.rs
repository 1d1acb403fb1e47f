//! A tiny BERT model directory with deterministic pseudo-random weights, so the loading and
//! encoding path is exercised without the real model.

use serde_json::json;

pub const HIDDEN: usize = 8;
pub const MAX_POSITIONS: usize = 12;
const HEADS: usize = 2;
const INTERMEDIATE: usize = 16;
const TOKENS: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "how", "do", "i", "reset", "my", "pin", "?", "un", "##want", "##ed", ",",
    "cafe", "!",
];

pub fn write() -> tempfile::TempDir {
    write_without("")
}

/// Writes the model, leaving out the tensor named `omitted`.
pub fn write_without(omitted: &str) -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    let config = json!({
        "hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": 2,
        "intermediate_size": INTERMEDIATE, "max_position_embeddings": MAX_POSITIONS,
        "layer_norm_eps": 1e-12, "hidden_act": "gelu", "model_type": "bert", "type_vocab_size": 2,
    });
    std::fs::write(directory.path().join("config.json"), config.to_string()).unwrap();
    let vocab: serde_json::Map<String, serde_json::Value> = TOKENS
        .iter()
        .enumerate()
        .map(|(id, token)| ((*token).to_owned(), json!(id)))
        .collect();
    let tokenizer = json!({
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    });
    std::fs::write(directory.path().join("tokenizer.json"), tokenizer.to_string()).unwrap();
    let mut tensors: Vec<(String, Vec<usize>)> = vec![
        ("embeddings.word_embeddings.weight".into(), vec![TOKENS.len(), HIDDEN]),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![MAX_POSITIONS, HIDDEN],
        ),
        ("embeddings.token_type_embeddings.weight".into(), vec![2, HIDDEN]),
        ("embeddings.LayerNorm.weight".into(), vec![HIDDEN]),
        ("embeddings.LayerNorm.bias".into(), vec![HIDDEN]),
    ];
    for layer in 0..2 {
        for (name, shape) in [
            ("attention.self.query", vec![HIDDEN, HIDDEN]),
            ("attention.self.key", vec![HIDDEN, HIDDEN]),
            ("attention.self.value", vec![HIDDEN, HIDDEN]),
            ("attention.output.dense", vec![HIDDEN, HIDDEN]),
            ("intermediate.dense", vec![INTERMEDIATE, HIDDEN]),
            ("output.dense", vec![HIDDEN, INTERMEDIATE]),
        ] {
            tensors.push((format!("encoder.layer.{layer}.{name}.weight"), shape.clone()));
            tensors.push((format!("encoder.layer.{layer}.{name}.bias"), vec![shape[0]]));
        }
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            tensors.push((format!("encoder.layer.{layer}.{name}.weight"), vec![HIDDEN]));
            tensors.push((format!("encoder.layer.{layer}.{name}.bias"), vec![HIDDEN]));
        }
    }
    let mut header = serde_json::Map::new();
    let mut data: Vec<u8> = Vec::new();
    let mut state: u32 = 0x1234_5678;
    for (name, shape) in tensors {
        if name == omitted {
            continue;
        }
        let count: usize = shape.iter().product();
        let begin = data.len();
        for _ in 0..count {
            // xorshift32: deterministic values in [-0.5, 0.5).
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let value = state as f32 / u32::MAX as f32 - 0.5;
            data.extend_from_slice(&value.to_le_bytes());
        }
        header.insert(
            name,
            json!({"dtype": "F32", "shape": shape, "data_offsets": [begin, data.len()]}),
        );
    }
    let header = serde_json::to_vec(&header).unwrap();
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(&header);
    file.extend_from_slice(&data);
    std::fs::write(directory.path().join("model.safetensors"), file).unwrap();
    directory
}
