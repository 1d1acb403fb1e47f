//! The turn contexts of recently active conversations, kept in memory so that a chat turn does
//! not read back the row its previous turn wrote a moment ago.
//!
//! Reading a turn's context is one statement, but through SQLite's worker threads it costs two
//! thread hand-offs, and measured under load these were a fifth of a turn's CPU time
//! (BENCHMARKS.md). This process writes every chat turn of its database (the group committer is
//! the only writer of turns), so it knows each conversation's row after its own commits:
//! [`TurnCache::committed`] applies a commit to the cached context exactly as the `UPDATE` of
//! the group committer applies it to the row (the contract test
//! `the_cached_turn_context_is_the_stored_one` compares the two).
//!
//! What else changes a conversation in this process (a legal hold, an erasure, a retention run)
//! ends the cache's generation when it is done: nothing cached before is served again, and a
//! read that began before it is not kept ([`TurnCache::ending_generation`]).
//!
//! Writers in other processes on the same data directory (`loket gdpr`, `loket retention`) are
//! not seen here, and need not be for correctness: every commit still checks the row's version,
//! so a turn on a context that another process erased fails with a conflict, stores nothing, and
//! its retry reads the database. Entries are served for at most
//! `database.cached_conversation_seconds` after the conversation's last turn, far below the
//! shortest retention period (one day), so no cached context outlives what a retention run of
//! another process removed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use loket_store::{Commit, TurnContext};

/// How many conversations' contexts are kept, and for how long after their last turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnCacheSettings {
    /// Most conversations kept; 0 turns the cache off.
    pub entries: usize,
    /// How long a context is served after the turn that cached or updated it.
    pub ttl: Duration,
}

impl Default for TurnCacheSettings {
    fn default() -> Self {
        Self {
            entries: 10_000,
            ttl: Duration::from_secs(300),
        }
    }
}

/// The generation a read began in; its result is kept only if the generation did not end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadStart(u64);

#[derive(Debug)]
struct Entry {
    context: TurnContext,
    stored: Instant,
}

/// Every entry belongs to the current generation: ending one clears them all.
#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, Entry>,
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct TurnCache {
    settings: TurnCacheSettings,
    inner: Mutex<Inner>,
}

impl TurnCache {
    pub(crate) fn new(settings: TurnCacheSettings) -> Self {
        Self {
            settings,
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached context of conversation `id`, when it is current.
    ///
    /// Counted in `loket_turn_cache_total` by `result` (`hit` or `miss`), for sizing
    /// `database.cached_conversations`.
    pub(crate) fn get(&self, id: &str) -> Option<TurnContext> {
        if self.settings.entries == 0 {
            return None;
        }
        let found = {
            let inner = self.lock();
            inner
                .entries
                .get(id)
                .filter(|entry| entry.stored.elapsed() < self.settings.ttl)
                .map(|entry| entry.context.clone())
        };
        let result = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!("loket_turn_cache_total", "result" => result).increment(1);
        found
    }

    /// Call before reading a context from the database, to [`TurnCache::keep`] what was read.
    pub(crate) fn read_start(&self) -> ReadStart {
        ReadStart(self.lock().generation)
    }

    /// Keeps `context`, read from the database since `start`, unless a change to conversations
    /// ended the generation meanwhile.
    pub(crate) fn keep(&self, id: &str, start: ReadStart, context: &TurnContext) {
        if self.settings.entries == 0 {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != start.0 {
            return;
        }
        if inner.entries.len() >= self.settings.entries && !inner.entries.contains_key(id) {
            // Amortised O(1): the expired go first, everything once per `entries` insertions
            // when all are recent (a busier site than the cache was sized for).
            let ttl = self.settings.ttl;
            inner.entries.retain(|_, entry| entry.stored.elapsed() < ttl);
            if inner.entries.len() >= self.settings.entries {
                inner.entries.clear();
            }
        }
        inner.entries.insert(
            id.to_owned(),
            Entry {
                context: context.clone(),
                stored: Instant::now(),
            },
        );
    }

    /// Applies a commit that the database accepted to the cached context, as the group
    /// committer's `UPDATE` applied it to the row (the columns it sets, the version it
    /// increments, times in whole microseconds) and appends its vault entries. A cached context
    /// of another version than the one the commit read is dropped: commits of one conversation
    /// can finish in another order than they were applied.
    pub(crate) fn committed(&self, commit: &CommitEffect) {
        let mut inner = self.lock();
        let after = &commit.conversation;
        let Some(entry) = inner.entries.get_mut(after.id.as_str()) else {
            return;
        };
        let cached = &mut entry.context.record.conversation;
        if cached.version != after.version {
            inner.entries.remove(after.id.as_str());
            return;
        }
        cached.state = after.state;
        cached.assigned_agent.clone_from(&after.assigned_agent);
        cached.last_activity_at = stored_time(after.last_activity_at);
        cached.last_disclosure_at = after.last_disclosure_at.map(stored_time);
        cached.waiting_since = after.waiting_since.map(stored_time);
        cached.handover_reason = after.handover_reason;
        cached.consecutive_abstentions = after.consecutive_abstentions;
        cached
            .last_question_fingerprint
            .clone_from(&after.last_question_fingerprint);
        cached.version = after.version + 1;
        entry.context.record.sensitive |= commit.sensitive;
        entry.context.vault.extend(commit.vault.iter().cloned());
        entry.stored = Instant::now();
    }

    /// Drops the cached context of `id` (its commit failed: it may be stale).
    pub(crate) fn forget(&self, id: &str) {
        self.lock().entries.remove(id);
    }

    /// Ends the generation when the returned guard is dropped: hold it across a change to
    /// conversations outside the group committer, so that nothing read before the change is
    /// served after it, whether the change commits, fails or is cancelled.
    pub(crate) fn ending_generation(&self) -> GenerationEnd<'_> {
        GenerationEnd { cache: self }
    }
}

/// See [`TurnCache::ending_generation`].
pub(crate) struct GenerationEnd<'a> {
    cache: &'a TurnCache,
}

impl Drop for GenerationEnd<'_> {
    fn drop(&mut self) {
        let mut inner = self.cache.lock();
        inner.generation += 1;
        inner.entries.clear();
    }
}

/// What a commit changes in a cached context, taken before the commit goes to the group
/// committer.
pub(crate) struct CommitEffect {
    /// The conversation as the commit writes it, with the version the turn read.
    conversation: loket_core::Conversation,
    sensitive: bool,
    vault: Vec<loket_store::VaultEntry>,
}

impl CommitEffect {
    pub(crate) fn of(commit: &Commit) -> Self {
        Self {
            conversation: commit.conversation.clone(),
            sensitive: commit.sensitive,
            vault: commit.vault.clone(),
        }
    }

    pub(crate) fn id(&self) -> &str {
        self.conversation.id.as_str()
    }
}

/// A time as the database returns it: whole microseconds.
fn stored_time(time: DateTime<Utc>) -> DateTime<Utc> {
    crate::from_micros(crate::micros(time))
}

#[cfg(test)]
mod tests {
    use loket_core::config::Config;
    use loket_core::wording::Wording;
    use loket_core::{ConversationId, Locale};
    use loket_store::ConversationRecord;

    use super::*;

    fn context() -> TurnContext {
        let wording = Wording::new(&Config::default()).expect("default wording");
        let id = ConversationId::from_uuid(uuid::Uuid::new_v4());
        let conversation = loket_core::Conversation::start(id, Locale::Nl, Utc::now(), &wording).conversation;
        TurnContext {
            record: ConversationRecord {
                conversation,
                token_hash: "hash".into(),
                subject: None,
                legal_hold: false,
                sensitive: false,
                statutory_ground: None,
            },
            data_key: b"key".to_vec(),
            vault: Vec::new(),
            counted: None,
        }
    }

    fn id_of(context: &TurnContext) -> String {
        context.record.conversation.id.as_str().to_owned()
    }

    fn commit_of(context: &TurnContext) -> Commit {
        Commit {
            conversation: context.record.conversation.clone(),
            messages: Vec::new(),
            audit: Vec::new(),
            vault: Vec::new(),
            ticket: None,
            sensitive: true,
            now: Utc::now(),
        }
    }

    #[test]
    fn a_read_that_began_before_a_change_to_conversations_is_not_kept() {
        let cache = TurnCache::new(TurnCacheSettings::default());
        let context = context();
        let start = cache.read_start();
        drop(cache.ending_generation());
        cache.keep(&id_of(&context), start, &context);
        assert_eq!(cache.get(&id_of(&context)), None);
        cache.keep(&id_of(&context), cache.read_start(), &context);
        assert_eq!(cache.get(&id_of(&context)), Some(context.clone()));
        drop(cache.ending_generation());
        assert_eq!(cache.get(&id_of(&context)), None, "a change ends what was cached");
    }

    #[test]
    fn nothing_is_served_when_the_cache_is_off_or_the_entry_expired() {
        let context = context();
        for settings in [
            TurnCacheSettings {
                entries: 0,
                ttl: Duration::from_secs(300),
            },
            TurnCacheSettings {
                entries: 10,
                ttl: Duration::ZERO,
            },
        ] {
            let cache = TurnCache::new(settings);
            cache.keep(&id_of(&context), cache.read_start(), &context);
            assert_eq!(cache.get(&id_of(&context)), None, "{settings:?}");
        }
    }

    #[test]
    fn a_full_cache_makes_room_and_keeps_the_newest() {
        let cache = TurnCache::new(TurnCacheSettings {
            entries: 2,
            ttl: Duration::from_secs(300),
        });
        let contexts: Vec<TurnContext> = (0..5).map(|_| context()).collect();
        for context in &contexts {
            cache.keep(&id_of(context), cache.read_start(), context);
            assert_eq!(cache.get(&id_of(context)), Some(context.clone()));
            assert!(cache.lock().entries.len() <= 2);
        }
    }

    #[test]
    fn a_commit_on_another_version_than_the_cached_one_drops_it() {
        let cache = TurnCache::new(TurnCacheSettings::default());
        let context = context();
        let id = id_of(&context);
        cache.keep(&id, cache.read_start(), &context);
        let mut other = commit_of(&context);
        other.conversation.version += 1;
        cache.committed(&CommitEffect::of(&other));
        assert_eq!(cache.get(&id), None);
        cache.keep(&id, cache.read_start(), &context);
        cache.committed(&CommitEffect::of(&commit_of(&context)));
        let cached = cache.get(&id).expect("still cached");
        assert_eq!(
            cached.record.conversation.version,
            context.record.conversation.version + 1
        );
        assert!(cached.record.sensitive);
    }
}
