//! Test support: a GGUF writer and a tiny random Llama model (2 blocks, width 32, 264 tokens)
//! with the same tensor types as SmolLM2's Q4_1 file, so the whole pipeline runs in every test
//! run without the real model.

use crate::bpe::byte_char;
use crate::gguf::Value;

/// Builds a GGUF v3 file in memory.
#[derive(Debug, Default)]
pub(crate) struct GgufWriter {
    /// Key, GGUF value type, encoded value.
    metadata: Vec<(String, u32, Vec<u8>)>,
    /// Name, dimensions, ggml type, data.
    tensors: Vec<(String, Vec<u64>, u32, Vec<u8>)>,
}

const ALIGNMENT: usize = 32;

impl GgufWriter {
    pub(crate) fn new() -> GgufWriter {
        GgufWriter::default()
    }

    pub(crate) fn metadata(&mut self, key: &str, value: Value) {
        let mut bytes = Vec::new();
        let kind = encode(&value, &mut bytes);
        self.metadata.push((key.to_owned(), kind, bytes));
    }

    /// A metadata entry with an arbitrary type number and payload.
    pub(crate) fn raw_metadata(&mut self, key: &str, kind: u32, bytes: &[u8]) {
        self.metadata.push((key.to_owned(), kind, bytes.to_vec()));
    }

    pub(crate) fn tensor_f32(&mut self, name: &str, dimensions: &[u64], values: &[f32]) {
        let bytes = values.iter().flat_map(|value| value.to_le_bytes()).collect::<Vec<u8>>();
        self.raw_tensor(name, dimensions, 0, &bytes);
    }

    /// A tensor with an arbitrary ggml type number and data.
    pub(crate) fn raw_tensor(&mut self, name: &str, dimensions: &[u64], kind: u32, bytes: &[u8]) {
        self.tensors
            .push((name.to_owned(), dimensions.to_vec(), kind, bytes.to_vec()));
    }

    pub(crate) fn finish(&self) -> Vec<u8> {
        let mut file = b"GGUF".to_vec();
        file.extend(3u32.to_le_bytes());
        file.extend((self.tensors.len() as u64).to_le_bytes());
        file.extend((self.metadata.len() as u64).to_le_bytes());
        for (key, kind, bytes) in &self.metadata {
            write_string(key, &mut file);
            file.extend(kind.to_le_bytes());
            file.extend(bytes);
        }
        let mut data: Vec<u8> = Vec::new();
        for (name, dimensions, kind, bytes) in &self.tensors {
            write_string(name, &mut file);
            file.extend((dimensions.len() as u32).to_le_bytes());
            for dimension in dimensions {
                file.extend(dimension.to_le_bytes());
            }
            file.extend(kind.to_le_bytes());
            data.resize(data.len().next_multiple_of(ALIGNMENT), 0);
            file.extend((data.len() as u64).to_le_bytes());
            data.extend(bytes);
        }
        file.resize(file.len().next_multiple_of(ALIGNMENT), 0);
        file.extend(data);
        file
    }
}

fn write_string(text: &str, output: &mut Vec<u8>) {
    output.extend((text.len() as u64).to_le_bytes());
    output.extend(text.as_bytes());
}

/// Appends `value`'s payload to `output` and returns its GGUF type number.
fn encode(value: &Value, output: &mut Vec<u8>) -> u32 {
    match value {
        Value::U8(value) => {
            output.push(*value);
            0
        }
        Value::I8(value) => {
            output.extend(value.to_le_bytes());
            1
        }
        Value::U16(value) => {
            output.extend(value.to_le_bytes());
            2
        }
        Value::I16(value) => {
            output.extend(value.to_le_bytes());
            3
        }
        Value::U32(value) => {
            output.extend(value.to_le_bytes());
            4
        }
        Value::I32(value) => {
            output.extend(value.to_le_bytes());
            5
        }
        Value::F32(value) => {
            output.extend(value.to_le_bytes());
            6
        }
        Value::Bool(value) => {
            output.push(u8::from(*value));
            7
        }
        Value::String(text) => {
            write_string(text, output);
            8
        }
        Value::Array(items) => {
            let mut payload = Vec::new();
            let mut item_kind = 8;
            for item in items {
                item_kind = encode(item, &mut payload);
            }
            output.extend(item_kind.to_le_bytes());
            output.extend((items.len() as u64).to_le_bytes());
            output.extend(payload);
            9
        }
        Value::U64(value) => {
            output.extend(value.to_le_bytes());
            10
        }
        Value::I64(value) => {
            output.extend(value.to_le_bytes());
            11
        }
        Value::F64(value) => {
            output.extend(value.to_le_bytes());
            12
        }
    }
}

/// Variations of the tiny model, for tests of what the loader refuses.
#[derive(Debug, Clone)]
pub(crate) struct TinyOptions {
    pub(crate) architecture: &'static str,
    /// ggml type of `blk.0.attn_norm.weight` (0 = F32; anything else is written as raw bytes).
    pub(crate) norm_type: u32,
    /// Blocks whose tensors are written (the metadata always says 2).
    pub(crate) layers_in_file: usize,
    /// An untied F16 output projection whose only non-zero row is `<|im_end|>`'s, so the first
    /// token generated ends the turn.
    pub(crate) always_end: bool,
}

impl Default for TinyOptions {
    fn default() -> TinyOptions {
        TinyOptions {
            architecture: "llama",
            norm_type: 0,
            layers_in_file: 2,
            always_end: false,
        }
    }
}

const WIDTH: usize = 32;
const FEED_FORWARD: usize = 64;
const KV_WIDTH: usize = 16;
const MERGES: [&str; 5] = ["h e", "l l", "ll o", "Ġ w", "o r"];

/// The tiny model's file: `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`, the 256 byte tokens and
/// one token per merge; SmolLM2's chat template with "Be brief." as its default system prompt.
pub(crate) fn tiny_model_file(options: &TinyOptions) -> Vec<u8> {
    let mut tokens: Vec<String> = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        .iter()
        .map(|token| (*token).to_owned())
        .collect();
    tokens.extend((0..=255u8).map(|byte| byte_char(byte).to_string()));
    tokens.extend(MERGES.iter().map(|merge| merge.replace(' ', "")));
    let vocabulary = tokens.len() as u64;
    let mut writer = GgufWriter::new();
    let string = |text: &str| Value::String(text.to_owned());
    writer.metadata("general.architecture", string(options.architecture));
    writer.metadata("general.name", string("tiny"));
    for (key, value) in [
        ("block_count", 2),
        ("context_length", 64),
        ("embedding_length", WIDTH as u32),
        ("feed_forward_length", FEED_FORWARD as u32),
        ("attention.head_count", 4),
        ("attention.head_count_kv", 2),
        ("rope.dimension_count", 8),
    ] {
        writer.metadata(&format!("llama.{key}"), Value::U32(value));
    }
    writer.metadata("llama.rope.freq_base", Value::F32(10_000.0));
    writer.metadata("llama.attention.layer_norm_rms_epsilon", Value::F32(1e-5));
    writer.metadata("tokenizer.ggml.model", string("gpt2"));
    writer.metadata("tokenizer.ggml.pre", string("smollm"));
    writer.metadata(
        "tokenizer.ggml.tokens",
        Value::Array(tokens.iter().map(|token| string(token)).collect()),
    );
    writer.metadata(
        "tokenizer.ggml.token_type",
        Value::Array(
            (0..vocabulary)
                .map(|id| Value::I32(if id < 3 { 3 } else { 1 }))
                .collect(),
        ),
    );
    writer.metadata(
        "tokenizer.ggml.merges",
        Value::Array(MERGES.iter().map(|merge| string(merge)).collect()),
    );
    writer.metadata("tokenizer.ggml.bos_token_id", Value::U32(1));
    writer.metadata("tokenizer.ggml.eos_token_id", Value::U32(2));
    writer.metadata(
        "tokenizer.chat_template",
        string(
            "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}\
             {{ '<|im_start|>system\nBe brief.<|im_end|>\n' }}{% endif %}\
             {{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}\
             {% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
        ),
    );
    let mut random = Random(0x2545_f491);
    writer.raw_tensor(
        "token_embd.weight",
        &[WIDTH as u64, vocabulary],
        8,
        &random.q8_0(WIDTH * vocabulary as usize),
    );
    for layer in 0..options.layers_in_file {
        let name = |part: &str| format!("blk.{layer}.{part}.weight");
        if layer == 0 && options.norm_type != 0 {
            writer.raw_tensor(&name("attn_norm"), &[WIDTH as u64], options.norm_type, &[0; 256]);
        } else {
            writer.tensor_f32(&name("attn_norm"), &[WIDTH as u64], &random.norm());
        }
        for (part, inputs, outputs) in [
            ("attn_q", WIDTH, WIDTH),
            ("attn_k", WIDTH, KV_WIDTH),
            ("attn_v", WIDTH, KV_WIDTH),
            ("attn_output", WIDTH, WIDTH),
            ("ffn_gate", WIDTH, FEED_FORWARD),
            ("ffn_up", WIDTH, FEED_FORWARD),
            ("ffn_down", FEED_FORWARD, WIDTH),
        ] {
            writer.raw_tensor(
                &name(part),
                &[inputs as u64, outputs as u64],
                3,
                &random.q4_1(inputs * outputs),
            );
        }
        writer.tensor_f32(&name("ffn_norm"), &[WIDTH as u64], &random.norm());
    }
    writer.tensor_f32("output_norm.weight", &[WIDTH as u64], &random.norm());
    if options.always_end {
        // F16: 1.0 in row 2 (`<|im_end|>`), 0.0 elsewhere; token 0 (`<|endoftext|>`) wins the
        // ties when that row's logit is negative, and ends the turn too.
        let output: Vec<u8> = (0..vocabulary as usize * WIDTH)
            .flat_map(|index| if index / WIDTH == 2 { 0x3c00u16 } else { 0 }.to_le_bytes())
            .collect();
        writer.raw_tensor("output.weight", &[WIDTH as u64, vocabulary], 1, &output);
    }
    writer.finish()
}

/// xorshift32: reproducible weights without a dependency.
struct Random(u32);

impl Random {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }

    /// Gains near 1.
    fn norm(&mut self) -> Vec<f32> {
        (0..WIDTH).map(|_| 0.8 + (self.next() % 400) as f32 / 1000.0).collect()
    }

    /// Q8_0 blocks with scale 0.02 (f16 0x251f) and random bytes.
    fn q8_0(&mut self, values: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for _ in 0..values / 32 {
            bytes.extend(0x251fu16.to_le_bytes());
            bytes.extend((0..32).map(|_| self.next().to_le_bytes()[0]));
        }
        bytes
    }

    /// Q4_1 blocks with scale 0.05 (0x2a66) and minimum -0.375 (0xb600): values in ±0.375.
    fn q4_1(&mut self, values: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for _ in 0..values / 32 {
            bytes.extend(0x2a66u16.to_le_bytes());
            bytes.extend(0xb600u16.to_le_bytes());
            bytes.extend((0..16).map(|_| self.next().to_le_bytes()[0]));
        }
        bytes
    }
}
