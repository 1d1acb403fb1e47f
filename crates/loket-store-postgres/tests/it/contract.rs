//! The storage contract suite (`loket_store::contract`) on PostgreSQL, each case on its own
//! database.

use super::fresh_store;

loket_store::contract_tests!(fresh_store);
