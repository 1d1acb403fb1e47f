//! Integration tests over the real HTTP server, a real SQLite database in a temporary
//! directory and a real knowledge base. One test binary (`it`), one module per area.

mod advice;
mod compliance;
mod confidential;
mod console;
mod conversations;
mod errors;
mod generation;
mod handoff;
mod helpers;
mod knowledge;
mod observability;
mod rights;
mod second_factor;
mod webhooks;
mod withdrawal;
