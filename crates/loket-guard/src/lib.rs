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

pub mod injection;
pub mod intent;
pub mod normalize;
pub mod pii;
pub mod sensitive;
