//! Loket's knowledge base: imports approved content (FAQ entries and documents), retrieves it
//! lexically, and answers a customer's question with the approved text and its citation, or
//! abstains when the match is not reliable so that a person can take over (ACC-01, ACC-08).
//!
//! Least privilege is a property of the storage layout, not of a filter the caller must remember
//! (PRIV-16, SEC-01): internal and confidential entries are written to a separate `restricted`
//! partition that [`KnowledgeBase`] never opens; only [`RestrictedIndex`] reads it.
//!
//! # Layout
//! - [`lang`]: [`Lang`] and [`detect_lang`].
//! - [`model`]: [`Entry`], [`Audience`], validated values ([`EntryId`], [`Date`]).
//! - `source`: parsing Markdown/HTML pages with front matter and FAQ JSONL, with rejection reasons.
//! - `analysis`: stemmed, plain and character-gram analyzers shared by indexing and querying.
//! - `retrieval`: an immutable tantivy partition and BM25 ranking with confidence features.
//! - `generation`: the on-disk generations, [`import`] and the atomic `CURRENT` switch.
//! - `screening`: the [`Screen`] for embedded instructions; flagged entries are [`Quarantined`].
//! - `exposure`: [`GuardCorpus`], what the output guard must know of a generation.
//! - `knowledge_base`: [`KnowledgeBase::answer`], [`CustomerScope`], [`Answer`], confidence.
//! - [`sample`]: seeded synthetic FAQ questions for the retrieval benchmarks.
//! - `restricted`: [`RestrictedIndex`] for agent assist and the output guard.
//! - [`fusion`]: reciprocal rank fusion.
//! - `dense`: the [`Embedder`] trait, vectors stored per partition, cosine search (exhaustive in
//!   small partitions, over the rows nearest by sign bits in large ones).
//! - `hybrid`: fusion of the lexical and dense rankings and the hybrid confidence.
//!
//! Dense retrieval is optional: [`import_embedded`] stores vectors when given an [`Embedder`]
//! (the binary passes a `loket_embed::Encoder`), and [`KnowledgeBase::open_with_encoder`] uses
//! them when they come from the same encoder; otherwise everything is lexical only.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod analysis;
mod dense;
mod error;
mod exposure;
pub mod fusion;
mod generation;
mod hybrid;
mod knowledge_base;
pub mod lang;
pub mod model;
pub mod policy;
mod restricted;
mod retrieval;
pub mod sample;
mod screening;
mod source;

pub use dense::{Calibrated, Embedder};
pub use error::{Error, Result};
pub use exposure::GuardCorpus;
pub use generation::{
    ImportProgress, ImportReport, ImportStage, Rollback, import, import_embedded, import_screened, import_with_limits,
    rollback,
};
pub use hybrid::Calibration;
pub use knowledge_base::{
    Answer, AnswerConfig, Citation, CustomerScope, DEFAULT_SUGGESTION_FLOOR, DEFAULT_SUGGESTIONS, DEFAULT_THRESHOLD,
    Explanation, KnowledgeBase, Outcome, Suggestion, confidence,
};
pub use lang::{Lang, detect_lang};
pub use model::{Audience, Date, Entry, EntryId, EntryKind, Passage};
pub use restricted::RestrictedIndex;
pub use retrieval::Features;
pub use screening::{NoScreen, Quarantined, Screen};
pub use source::{ImportLimits, RejectReason, Rejection, SourceFile};
