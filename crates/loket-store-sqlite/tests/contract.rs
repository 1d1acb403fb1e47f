//! The storage contract suite (`loket_store::contract`) against the SQLite backend: every case
//! on a fresh private in-memory database. (The file-backed paths, WAL and the purge after an
//! erasure, are covered by the unit tests in `src/lib.rs`.)

use std::sync::Arc;

use loket_store::Store;
use loket_store_sqlite::SqliteStore;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    Some(Arc::new(
        SqliteStore::in_memory().await.expect("open an in-memory database"),
    ))
}

loket_store::contract_tests!(fresh_store);
