//! Integration tests of the `loket` binary itself: it is started as a child process, as an
//! operator would, and killed without warning.
//!
//! PostgreSQL cases use the server in `LOKET_TEST_DATABASE_URL` (see `scripts/postgres.sh`)
//! and create a database per run; without it they print a "skipped" line, unless
//! `LOKET_REQUIRE_POSTGRES=1` makes that a failure.
//!
//! # Layout
//! - `server`: [`server::Instance`], one `loket serve` process with typed request helpers;
//! - `crash`: SIGKILL under load, restart, nothing acknowledged is lost;
//! - `database`: backend choice and `loket migrate`;
//! - `generation`: generated answers through a real OpenAI-compatible server on loopback;
//! - `limits`: rate limits and knowledge-base imports that hold across instances (PostgreSQL);
//! - `live`: live events from one instance to a stream on another (PostgreSQL);
//! - `restore`: erasures replayed after a backup is restored (RET-08);
//! - `throughput`: chat turns per second on each backend.

// Test code: a failed expectation panics.
#![allow(clippy::unwrap_used)]

mod crash;
mod database;
mod generation;
mod limits;
mod live;
mod restore;
mod server;
mod throughput;
