//! Writes the embedding of each line of standard input to standard output as little-endian `f32`
//! values, one vector after another (the model's dimension each), for analyses outside Loket such
//! as `eval/faq/selector_ceiling.py`. The texts are encoded as an import encodes them
//! ([`loket_embed::Encoder::encode_batch`]).
//!
//! `cargo run --release -p loket-embed --example embed -- MODEL_DIR < lines.txt > vectors.f32`

use std::io::{BufRead, Write};
use std::path::Path;

fn main() {
    let Some(directory) = std::env::args().nth(1) else {
        eprintln!("usage: embed MODEL_DIR < lines > vectors.f32");
        std::process::exit(2);
    };
    let encoder = match loket_embed::Encoder::load(Path::new(&directory)) {
        Ok(encoder) => encoder,
        Err(error) => {
            eprintln!("embed: {error}");
            std::process::exit(1);
        }
    };
    let lines: Result<Vec<String>, _> = std::io::stdin().lock().lines().collect();
    let lines = match lines {
        Ok(lines) => lines,
        Err(error) => {
            eprintln!("embed: reading standard input: {error}");
            std::process::exit(1);
        }
    };
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    eprintln!("embed: {} texts, dimension {}", texts.len(), encoder.dimension());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for vector in encoder.encode_batch(&texts) {
        for value in vector {
            if out.write_all(&value.to_le_bytes()).is_err() {
                std::process::exit(1);
            }
        }
    }
    if out.flush().is_err() {
        std::process::exit(1);
    }
}
