//! Prints the token ids an encoder directory's tokenizer gives each line of standard input, one
//! line of space-separated ids per input line (prompt and framing included), for checking a
//! model's tokenization against another implementation.
//!
//! `cargo run --release -p loket-embed --example tokenize -- MODEL_DIR < lines.txt`

use std::io::{BufRead, Write};
use std::path::Path;

fn main() {
    let Some(directory) = std::env::args().nth(1) else {
        eprintln!("usage: tokenize MODEL_DIR < lines");
        std::process::exit(2);
    };
    let encoder = match loket_embed::Encoder::load(Path::new(&directory)) {
        Ok(encoder) => encoder.with_max_tokens(usize::MAX),
        Err(error) => {
            eprintln!("tokenize: {error}");
            std::process::exit(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let ids: Vec<String> = encoder.tokenize(&line).iter().map(u32::to_string).collect();
        if writeln!(out, "{}", ids.join(" ")).is_err() {
            break;
        }
    }
}
