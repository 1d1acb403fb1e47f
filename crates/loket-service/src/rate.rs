//! Rate limits: a fixed-window counter per key (an IP address, a conversation, a login name).
//!
//! Fixed windows are simple and cheap; a burst of twice the limit across a window edge is
//! acceptable for abuse protection. Old windows are swept when the table grows, so memory stays
//! bounded by the number of active keys.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Entries kept before old windows are swept.
const SWEEP_THRESHOLD: usize = 10_000;

/// A limiter allowing `limit` events per `window` per key.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

impl RateLimiter {
    /// A limiter of `limit` events per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event for `key`; false when the limit is reached (the event is not counted).
    pub fn allow(&self, key: &str, now: DateTime<Utc>) -> bool {
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key_and_resets_with_the_window() {
        let limiter = RateLimiter::new(2, Duration::minutes(1));
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(limiter.allow("a", start));
        assert!(limiter.allow("a", start));
        assert!(!limiter.allow("a", start));
        assert!(limiter.allow("b", start));
        assert!(limiter.allow("a", start + Duration::seconds(61)));
    }
}
