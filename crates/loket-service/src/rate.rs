//! Rate limits: a fixed-window counter per key (an IP address, a conversation, a login name).
//!
//! Fixed windows are simple and cheap; a burst of twice the limit across a window edge is
//! acceptable for abuse protection. With an embedded store there is one process and the counters
//! live in its memory; old windows are swept when the table grows, so memory stays bounded by
//! the number of active keys. When several instances share the store ([`Store::shared`]), the
//! counters live in the store, so a client that spreads its requests over the instances meets
//! one limit, not one per instance. Keys leave the process only as keyed hashes (HMAC-like,
//! with a secret derived from the master key that every instance shares): never an address.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use loket_store::{CountRequest, Store};

/// Entries kept before old windows are swept.
const SWEEP_THRESHOLD: usize = 10_000;

/// A limiter allowing `limit` events per `window` per key.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    counters: Counters,
}

/// Where a limiter counts.
enum Counters {
    /// In this process.
    Local(Mutex<HashMap<String, (DateTime<Utc>, u32)>>),
    /// In the store every instance shares; keys are hashed with `secret` and the limiter's
    /// `scope` first, so the limiters of one store never share a counter.
    Shared {
        store: Arc<dyn Store>,
        scope: &'static str,
        secret: [u8; 32],
    },
}

impl RateLimiter {
    /// A limiter of `limit` events per `window`, counting in this process.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            counters: Counters::Local(Mutex::new(HashMap::new())),
        }
    }

    /// A limiter of `limit` events per `window` named `scope` that counts in `store` when the
    /// store is shared by several instances, and in this process otherwise.
    pub fn for_store(
        limit: u32,
        window: Duration,
        store: &Arc<dyn Store>,
        scope: &'static str,
        secret: [u8; 32],
    ) -> Self {
        if !store.shared() {
            return Self::new(limit, window);
        }
        Self {
            limit,
            window,
            counters: Counters::Shared {
                store: Arc::clone(store),
                scope,
                secret,
            },
        }
    }

    /// Counts an event for `key`; false when the limit is reached (the event is not counted).
    /// Fails only when shared counters cannot be reached (the database is down).
    pub async fn allow(&self, key: &str, now: DateTime<Utc>) -> loket_store::Result<bool> {
        match &self.counters {
            Counters::Local(windows) => Ok(self.allow_local(windows, key, now)),
            Counters::Shared { store, scope, secret } => {
                store
                    .count_event(&shared_key(secret, scope, key), self.limit, self.window_seconds(), now)
                    .await
            }
        }
    }

    /// The count to make together with a read of the store ([`Store::turn_context`]), for a
    /// limiter that counts in a shared store; `None` for one that counts in memory.
    pub fn shared_request(&self, key: &str, token_hash: &str, now: DateTime<Utc>) -> Option<CountRequest> {
        let Counters::Shared { scope, secret, .. } = &self.counters else {
            return None;
        };
        Some(CountRequest {
            key: shared_key(secret, scope, key),
            limit: self.limit,
            window_seconds: self.window_seconds(),
            now,
            token_hash: token_hash.to_string(),
        })
    }

    fn window_seconds(&self) -> u32 {
        u32::try_from(self.window.num_seconds().max(1)).unwrap_or(u32::MAX)
    }

    fn allow_local(
        &self,
        windows: &Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
        key: &str,
        now: DateTime<Utc>,
    ) -> bool {
        let mut windows = windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= SWEEP_THRESHOLD {
            let window = self.window;
            windows.retain(|_, (started, _)| now - *started < window);
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

/// The stored form of a key: SHA-256 over the secret, the scope and the key, hex. Without the
/// secret, an IPv4 address cannot be found by trying all of them.
fn shared_key(secret: &[u8; 32], scope: &str, key: &str) -> String {
    crate::evidence::keyed_hash(secret, &[scope.as_bytes(), &[0], key.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_limit_applies_per_key_and_resets_with_the_window() {
        let limiter = RateLimiter::new(2, Duration::minutes(1));
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(limiter.allow("a", start).await.unwrap());
        assert!(limiter.allow("a", start).await.unwrap());
        assert!(!limiter.allow("a", start).await.unwrap());
        assert!(limiter.allow("b", start).await.unwrap());
        assert!(limiter.allow("a", start + Duration::seconds(61)).await.unwrap());
    }

    #[test]
    fn a_shared_key_depends_on_secret_scope_and_key_and_does_not_contain_the_key() {
        let key = shared_key(&[1; 32], "conversations_per_ip", "192.0.2.7");
        assert_eq!(key.len(), 64);
        assert!(!key.contains("192.0.2.7"));
        assert_ne!(key, shared_key(&[2; 32], "conversations_per_ip", "192.0.2.7"));
        assert_ne!(key, shared_key(&[1; 32], "login", "192.0.2.7"));
        assert_ne!(key, shared_key(&[1; 32], "conversations_per_ip", "192.0.2.8"));
        // The separator keeps scope and key apart.
        assert_ne!(shared_key(&[1; 32], "ab", "c"), shared_key(&[1; 32], "a", "bc"));
    }
}
