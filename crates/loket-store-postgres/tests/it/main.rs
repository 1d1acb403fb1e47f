//! Integration tests of the PostgreSQL backend against a real server.
//!
//! The server comes from `LOKET_TEST_DATABASE_URL` (`scripts/postgres.sh run -- cargo test …`
//! starts a throwaway one). Every test creates its own database on it, so tests run in
//! parallel without seeing each other's rows or contending for the audit lock. Without the
//! variable each test prints a "skipped" line and passes, unless `LOKET_REQUIRE_POSTGRES=1`,
//! which turns the missing server into a failure (CI sets it).
//!
//! # Layout
//! - `contract`: the shared storage contract suite;
//! - `instances`: several stores (as several `loket serve` instances) on one database;
//! - `outage`: a database that is unreachable or drops its connections.

// Test code: a failed expectation panics.
#![allow(clippy::unwrap_used)]

mod contract;
mod instances;
mod outage;

use std::sync::Arc;

use loket_store::Store;
use loket_store_postgres::{PgStore, PoolSettings};

/// The server's URL, or `None` (after saying why) when the tests should be skipped.
pub fn server_url() -> Option<String> {
    match std::env::var("LOKET_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("LOKET_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "LOKET_REQUIRE_POSTGRES=1 but LOKET_TEST_DATABASE_URL is not set"
            );
            eprintln!("skipped: LOKET_TEST_DATABASE_URL not set");
            None
        }
    }
}

/// Creates a fresh, empty database on the test server and returns its URL.
pub async fn fresh_database() -> Option<String> {
    let server = server_url()?;
    let name = format!("loket_test_{}", uuid::Uuid::new_v4().simple());
    Some(loket_store_postgres::create_database(&server, &name).await.unwrap())
}

/// A fresh store on a fresh database.
pub async fn fresh_store() -> Option<Arc<dyn Store>> {
    let url = fresh_database().await?;
    let store = PgStore::connect(&url, PoolSettings::default()).await.unwrap();
    Some(Arc::new(store))
}
