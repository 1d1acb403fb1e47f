//! Integration tests of loket-guard's public API: one test binary, one module per guard.

mod fuzz;
mod pii;
