//! Prompt processing (prefill) and decoding speed on the calling thread, for the model in
//! `LOKET_TEST_LLM_GGUF`:
//!
//! ```text
//! LOKET_TEST_LLM_GGUF=$(scripts/smollm.sh) cargo bench -p loket-llm
//! ```
//!
//! Prefill is timed as a generation of one token from a prompt of about 400 tokens; decoding as
//! the extra time a long answer takes over one token from the same short prompt. Each is the
//! best of a few runs, so other work on the machine disturbs it less.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use loket_llm::{ChatMessage, Finish, GenerateOptions, LocalModel, Role};

const PARAGRAPH: &str = "Returns and refunds. You can return any item within 30 days of delivery, as long as it \
    is unused and in its original packaging. Return shipping is free for orders in the Netherlands and \
    Belgium; customers elsewhere in the EU pay a flat fee, which is deducted from the refund. ";

fn main() {
    let Some(path) = std::env::var_os("LOKET_TEST_LLM_GGUF").map(PathBuf::from) else {
        eprintln!("LOKET_TEST_LLM_GGUF is not set: language model benchmarks skipped");
        return;
    };
    let started = Instant::now();
    let model = match LocalModel::load(&path) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("cannot load the model: {error}");
            return;
        }
    };
    println!("load: {:.2} s ({})", started.elapsed().as_secs_f64(), model.name());

    let mut passage = String::new();
    while model.count_tokens(&passage) < 330 {
        passage.push_str(PARAGRAPH);
    }
    let long_prompt = [
        ChatMessage::new(Role::System, format!("Answer from this passage only.\n\n{passage}")),
        ChatMessage::new(Role::User, "Who pays for return shipping?"),
    ];
    let (prefill, generation) = best_of(3, || generate(&model, &long_prompt, 1));
    println!(
        "prefill: {} tokens in {:.3} s = {:.0} tokens/s",
        generation.prompt_tokens,
        prefill.as_secs_f64(),
        generation.prompt_tokens as f64 / prefill.as_secs_f64()
    );

    let story = [ChatMessage::new(
        Role::User,
        "Write a long, detailed story about a lighthouse keeper and a storm.",
    )];
    let (first_token, _) = best_of(3, || generate(&model, &story, 1));
    let (total, generation) = best_of(3, || generate(&model, &story, 129));
    let decoded = generation.completion_tokens.saturating_sub(1).max(1);
    let decoding = total.saturating_sub(first_token);
    println!(
        "decode: {decoded} tokens in {:.3} s = {:.1} tokens/s ({:?} after {} tokens)",
        decoding.as_secs_f64(),
        decoded as f64 / decoding.as_secs_f64(),
        generation.finish,
        generation.completion_tokens
    );
    if generation.finish != Finish::Length {
        println!("(the answer ended early; the decode rate covers fewer tokens)");
    }
}

fn generate(model: &LocalModel, messages: &[ChatMessage], max_tokens: usize) -> loket_llm::Generation {
    let options = GenerateOptions {
        max_tokens,
        ..GenerateOptions::default()
    };
    match model.generate(messages, &options, &mut |_| true) {
        Ok(generation) => generation,
        Err(error) => panic!("generation failed: {error}"),
    }
}

/// The shortest of `runs` timed calls, with that call's result.
fn best_of<T>(runs: usize, mut call: impl FnMut() -> T) -> (Duration, T) {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..runs {
        let started = Instant::now();
        let result = call();
        let elapsed = started.elapsed();
        if best.as_ref().is_none_or(|(fastest, _)| elapsed < *fastest) {
            best = Some((elapsed, result));
        }
    }
    match best {
        Some(best) => best,
        None => (Duration::ZERO, call()),
    }
}
