//! Loket's guards: pure, synchronous checks on text that enters or leaves a conversation.
//!
//! Every guard takes text and returns a verdict; none does IO, none panics on any input, and
//! the caller treats a guard error as "block" (fail closed).
//!
//! # Layout
//! - [`normalize`]: NFKC plus removal of invisible characters, with offsets back to the original.
//! - [`pii`]: recognizers for personal data (Dutch first) and pseudonymisation.
//! - [`intent`]: requests for a person, questions about the bot's nature, and the output filter
//!   that stops any claim to be human.
//! - [`sensitive`]: special categories of personal data (GDPR art. 9 and 10).
//! - [`injection`]: the layered prompt-injection detector.
//! - [`grounding`]: the grounding verifier for generated answers (every sentence supported by its
//!   cited passages; numbers, contact details and commitments only when the passages have them).
//! - [`output`]: the output guard on every outgoing AI message: sanitised Markdown, canary
//!   tokens, fingerprints of non-public text, and the human-claim filter.
//! - [`sample`]: seeded sample chat messages, the workload of the guard benchmarks.

pub mod grounding;
pub mod injection;
pub mod intent;
pub mod normalize;
pub mod output;
pub mod pii;
pub mod sample;
pub mod sensitive;
