//! The vocabulary and the pure rules of Loket.
//!
//! Everything that must be true of every conversation lives here and nowhere else: the
//! conversation state machine (`bot` → `waiting_for_agent` → `with_agent` → `bot`, and `closed`),
//! who may write when, the AI disclosure that always comes first, the announcement of every switch
//! of who is talking, and the shape of the audit records that prove it. This crate does no IO, has
//! no async and reads no clock: callers pass `now`.
//!
//! # Layout
//! - [`advice`]: topics of personal advice the assistant declines (ACC-10).
//! - [`ids`]: identifiers as validated newtypes.
//! - [`locale`]: the conversation languages.
//! - [`readability`]: reading ease of customer-facing texts (DIS-11).
//! - [`message`]: messages, their authors and kinds.
//! - [`wording`]: the customer-facing system texts and their validation (disclosure rules).
//! - [`conversation`]: the state machine. [`conversation::Conversation::start`] is the only way
//!   to create a conversation and it always emits the disclosure first.
//! - [`availability`]: business hours and whether a person can take over now.
//! - [`audit`]: audit events and the hash chain over them.
//! - [`config`]: the typed configuration tree and its validation.
//! - [`staff`]: staff roles.
//! - [`proxy`]: the customer's address behind the company's reverse proxies.

pub mod advice;
pub mod audit;
pub mod availability;
pub mod config;
pub mod conversation;
pub mod ids;
pub mod locale;
pub mod message;
pub mod proxy;
pub mod readability;
pub mod rights;
pub mod staff;
pub mod wording;

pub use conversation::{Conversation, ConversationState, Event, HandoverReason, Transition, TransitionError};
pub use ids::{AgentId, ConversationId};
pub use locale::Locale;
pub use message::{Author, Citation, MessageKind, NewMessage, StoredMessage, Suggestion};
