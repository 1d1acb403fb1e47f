//! The SQLite backend of the [`Store`] contract: Loket's embedded default.
//!
//! One database file in the data directory, in WAL mode with `synchronous = FULL`, so a commit
//! that returned is on disk. Two connections write: a pool of exactly one sqlx connection for
//! everything but chat turns, and the group committer's. SQLite lets one transaction write at a
//! time and each begins `IMMEDIATE`, which makes the audit chain's "read the last hash, append
//! the next record" step race-free; reads use a separate pool.
//! Chat turns (new conversations and commits) go through a group committer that writes all
//! turns queued at that moment in one transaction, so concurrent customers share one fsync
//! instead of waiting for one each (see [`loket_store::group`]). The committer runs on a thread
//! of its own with its own synchronous connection (module `committer`).
//!
//! A turn reads its context (`Store::turn_context`) from memory when this process wrote or
//! read it recently (module `turn_cache`), instead of through a worker thread.
//!
//! Times are stored as microseconds since the Unix epoch.
//!
//! # Layout
//! - this file: the [`SqliteStore`], its migrations and every read and write but chat turns;
//! - `committer`: the group committer's thread and its connection, which write chat turns;
//! - `turn_cache`: the kept turn contexts and the rule that keeps them equal to the rows.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use loket_core::audit::{AuditEvent, AuditKind, AuditRecord, GENESIS_HASH};
use loket_core::conversation::AgentRef;
use loket_core::staff::Role;
use loket_core::{
    AgentId, Author, Conversation, ConversationId, ConversationState, HandoverReason, Locale, MessageKind, NewMessage,
    StoredMessage,
};
use loket_store::group::{self, Job};
use loket_store::{
    AuditAnchor, Checkpoint, Commit, ConversationRecord, CountRequest, Erased, Error, Expiry, NewConversation,
    QueueEntry, Result, SecondFactor, SecondFactorChange, StaffAccount, StaffSession, Stats, Store, SubjectRef, Ticket,
    TurnContext, VaultEntry, WebhookDelivery,
};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlSafeStr, Sqlite, Transaction};

mod committer;
mod turn_cache;

pub use turn_cache::TurnCacheSettings;
use turn_cache::{CommitEffect, TurnCache};

/// How often an erasure tries to empty the write-ahead log while readers hold it.
const PURGE_ATTEMPTS: u32 = 250;

/// The file name of the database inside the data directory.
pub const DATABASE_FILE: &str = "loket.sqlite3";

/// Most chat turns written in one transaction (one fsync) by the group committer.
const MAX_GROUP: usize = 64;
/// Chat turns waiting for the group committer before senders wait for room.
const GROUP_QUEUE: usize = 1024;
/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a background connection copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Checkpoints the write-ahead log from a reader connection every [`CHECKPOINT_EVERY`], so the
/// writer never stops a commit to do it: SQLite's automatic checkpoint runs inside the commit that
/// crosses 1,000 log pages and held chat turns up for tens of milliseconds (seen as the p99 of
/// `loket bench chat --rate`). PASSIVE waits for no reader and no writer; the writer starts the
/// log from its beginning again once all of it is in the database file. Stops with the store.
async fn checkpointer(reader: SqlitePool, store: tokio::sync::mpsc::WeakSender<Job>) {
    let mut interval = tokio::time::interval(CHECKPOINT_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if store.upgrade().is_none() || reader.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&reader).await {
            tracing::warn!(error = %describe(&error), "checkpointing the write-ahead log failed");
        }
    }
}

/// A SQLite-backed store.
#[derive(Clone)]
pub struct SqliteStore {
    /// One connection: all writes, serialised.
    writer: SqlitePool,
    /// Several connections for reads, which WAL lets run beside the writer.
    reader: SqlitePool,
    /// The group committer: chat turns (new conversations and commits) queue here.
    turns: tokio::sync::mpsc::Sender<Job>,
    /// The contexts of recently active conversations (see [`turn_cache`]).
    cache: Arc<TurnCache>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and runs the migrations.
    pub async fn open(data_dir: &Path, read_connections: u32) -> Result<Self> {
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Deleted content is overwritten with zeros, so an erased conversation leaves no
            // bytes behind in free pages (GDPR art. 17).
            .pragma("secure_delete", "ON")
            // No checkpoint inside a commit: `checkpointer` does it beside the writer.
            .pragma("wal_autocheckpoint", "0")
            .busy_timeout(BUSY_TIMEOUT);
        let store = Self::with_options(options, read_connections, committer::Target::file(&path)).await?;
        tokio::spawn(checkpointer(store.reader.clone(), store.turns.downgrade()));
        Ok(store)
    }

    /// Opens a private in-memory database (for tests and benchmarks of everything but the disk).
    pub async fn in_memory() -> Result<Self> {
        let name = format!("file:loket-{}?mode=memory&cache=shared", uuid::Uuid::new_v4());
        let options = SqliteConnectOptions::from_str(&name)
            .map_err(backend("open"))?
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let target = committer::Target {
            filename: name,
            uri: true,
        };
        Self::with_options(options, 1, target).await
    }

    async fn with_options(
        options: SqliteConnectOptions,
        read_connections: u32,
        target: committer::Target,
    ) -> Result<Self> {
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // No ping before each use: the connection is local, and a ping is one more round
            // trip to its worker thread (measured: 1.5-2 thread switches per chat turn).
            .test_before_acquire(false)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(backend("open database"))?;
        migrator()
            .run(&writer)
            .await
            .map_err(|error| Error::Backend(format!("migrate: {error}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(read_connections.max(1))
            .min_connections(1)
            .test_before_acquire(false)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.read_only(false))
            .await
            .map_err(backend("open database for reading"))?;
        let (turns, jobs) = tokio::sync::mpsc::channel(GROUP_QUEUE);
        committer::start(target, BUSY_TIMEOUT, jobs, MAX_GROUP)?;
        Ok(Self {
            writer,
            reader,
            turns,
            cache: Arc::new(TurnCache::new(TurnCacheSettings::default())),
        })
    }

    /// The same store with `settings` for the contexts it keeps of recently active
    /// conversations (by default [`TurnCacheSettings::default`]). Call before serving.
    pub fn with_turn_cache(mut self, settings: TurnCacheSettings) -> Self {
        self.cache = Arc::new(TurnCache::new(settings));
        self
    }

    /// Closes both pools, waiting for connections to finish. The group committer's connection
    /// closes when the last handle of the store is dropped.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Runs `query` (an `UPDATE conversations … WHERE id = ?` with its other values bound) for
    /// conversation `id` and appends `audit`, in one transaction; [`Error::NotFound`] for an
    /// unknown conversation.
    async fn update_conversation(
        &self,
        query: sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments>,
        id: &ConversationId,
        audit: AuditEvent,
        now: DateTime<Utc>,
        what: &'static str,
    ) -> Result<()> {
        // Nothing read before this change is served after it.
        let _ended = self.cache.ending_generation();
        let mut transaction = self.begin().await?;
        let updated = query
            .bind(id.as_str())
            .execute(&mut *transaction)
            .await
            .map_err(backend(what))?;
        if updated.rows_affected() != 1 {
            return Err(Error::NotFound);
        }
        append_audit(&mut transaction, vec![audit], now).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend("begin"))
    }
}

/// The embedded migrations.
pub fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "init".into(),
            MigrationType::Simple,
            include_str!("../migrations/0001_init.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "webhook deliveries".into(),
            MigrationType::Simple,
            include_str!("../migrations/0002_webhook_deliveries.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "evidence".into(),
            MigrationType::Simple,
            include_str!("../migrations/0003_evidence.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            "suggested questions".into(),
            MigrationType::Simple,
            include_str!("../migrations/0004_suggestions.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            5,
            "language model provenance of AI messages".into(),
            MigrationType::Simple,
            include_str!("../migrations/0005_generated_by.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            6,
            "AI-literacy training of staff".into(),
            MigrationType::Simple,
            include_str!("../migrations/0006_staff_ai_literacy.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            7,
            "second factor of staff".into(),
            MigrationType::Simple,
            include_str!("../migrations/0007_staff_second_factor.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            8,
            "statutory retention ground".into(),
            MigrationType::Simple,
            include_str!("../migrations/0008_statutory_ground.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            9,
            "partial indexes of the registers' audit records".into(),
            MigrationType::Simple,
            include_str!("../migrations/0009_audit_registers.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            10,
            "languages staff serve customers in".into(),
            MigrationType::Simple,
            include_str!("../migrations/0010_staff_languages.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            11,
            "why a customer waits for a person".into(),
            MigrationType::Simple,
            include_str!("../migrations/0011_handover_reason.sql").into_sql_str(),
            false,
        ),
    ])
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_conversation(&self, new: NewConversation) -> Result<Vec<StoredMessage>> {
        group::submit(&self.turns, |reply| Job::Create(Box::new(new), reply)).await
    }

    async fn conversation(&self, id: &ConversationId) -> Result<ConversationRecord> {
        let row = sqlx::query("SELECT * FROM conversations WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read conversation"))?
            .ok_or(Error::NotFound)?;
        record_from_row(&row)
    }

    /// One statement: the conversation row once per vault entry (or once with empty vault
    /// columns), vault entries in insertion order.
    async fn turn_context(&self, id: &ConversationId, count: Option<&CountRequest>) -> Result<TurnContext> {
        if count.is_some() {
            // One process counts in memory (see `Store::shared`).
            return Err(Error::Backend("this store keeps no shared counters".into()));
        }
        if let Some(context) = self.cache.get(id.as_str()) {
            return Ok(context);
        }
        let start = self.cache.read_start();
        let rows = sqlx::query(
            "SELECT conversations.*, vault.placeholder AS vault_placeholder, vault.kind AS vault_kind,
                 vault.sealed AS vault_sealed
             FROM conversations LEFT JOIN vault ON vault.conversation_id = conversations.id
             WHERE conversations.id = ? ORDER BY vault.rowid",
        )
        .bind(id.as_str())
        .fetch_all(&self.reader)
        .await
        .map_err(backend("read a turn's context"))?;
        let first = rows.first().ok_or(Error::NotFound)?;
        let read = backend("read a turn's context");
        let mut vault = Vec::with_capacity(rows.len());
        for row in &rows {
            let placeholder: Option<String> = row.try_get("vault_placeholder").map_err(&read)?;
            if let Some(placeholder) = placeholder {
                vault.push(VaultEntry {
                    placeholder,
                    kind: row.try_get("vault_kind").map_err(&read)?,
                    sealed: row.try_get("vault_sealed").map_err(&read)?,
                });
            }
        }
        let context = TurnContext {
            record: record_from_row(first)?,
            data_key: first.try_get("data_key").map_err(&read)?,
            vault,
            counted: None,
        };
        self.cache.keep(id.as_str(), start, &context);
        Ok(context)
    }

    async fn commit(&self, commit: Commit) -> Result<Vec<StoredMessage>> {
        let effect = CommitEffect::of(&commit);
        let result = group::submit(&self.turns, |reply| Job::Commit(Box::new(commit), reply)).await;
        match &result {
            Ok(_) => self.cache.committed(&effect),
            Err(_) => self.cache.forget(effect.id()),
        }
        result
    }

    async fn messages(&self, id: &ConversationId, after: i64, limit: u32) -> Result<Vec<StoredMessage>> {
        let rows = sqlx::query("SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?")
            .bind(id.as_str())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read messages"))?;
        rows.iter().map(message_from_row).collect()
    }

    async fn data_key(&self, id: &ConversationId) -> Result<Vec<u8>> {
        sqlx::query_scalar("SELECT data_key FROM conversations WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read data key"))?
            .ok_or(Error::NotFound)
    }

    async fn vault(&self, id: &ConversationId) -> Result<Vec<VaultEntry>> {
        let rows = sqlx::query("SELECT placeholder, kind, sealed FROM vault WHERE conversation_id = ? ORDER BY rowid")
            .bind(id.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read vault"))?;
        rows.iter()
            .map(|row| {
                Ok(VaultEntry {
                    placeholder: row.try_get("placeholder").map_err(backend("read vault"))?,
                    kind: row.try_get("kind").map_err(backend("read vault"))?,
                    sealed: row.try_get("sealed").map_err(backend("read vault"))?,
                })
            })
            .collect()
    }

    async fn append_audit(&self, events: Vec<AuditEvent>, now: DateTime<Utc>) -> Result<()> {
        let mut transaction = self.begin().await?;
        append_audit(&mut transaction, events, now).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn audit_records(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_records_of_kind(&self, kind: AuditKind, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        // The indexed kinds are named as literals: the planner uses a partial index only when the
        // query states its condition.
        let indexed = match kind {
            AuditKind::RightsRequestRecorded => {
                Some("SELECT * FROM audit_log WHERE kind = 'rights_request_recorded' AND seq > ? ORDER BY seq LIMIT ?")
            }
            AuditKind::BreachRecorded => {
                Some("SELECT * FROM audit_log WHERE kind = 'breach_recorded' AND seq > ? ORDER BY seq LIMIT ?")
            }
            _ => None,
        };
        let query = match indexed {
            Some(sql) => sqlx::query(sql).bind(after).bind(i64::from(limit)),
            None => sqlx::query("SELECT * FROM audit_log WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?")
                .bind(kind.as_str())
                .bind(after)
                .bind(i64::from(limit)),
        };
        let rows = query.fetch_all(&self.reader).await.map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn conversation_audit(&self, id: &ConversationId) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE conversation_id = ? ORDER BY seq")
            .bind(id.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn queue(&self) -> Result<Vec<QueueEntry>> {
        let rows =
            sqlx::query("SELECT * FROM conversations WHERE state = 'waiting_for_agent' ORDER BY waiting_since, id")
                .fetch_all(&self.reader)
                .await
                .map_err(backend("read queue"))?;
        rows.iter()
            .enumerate()
            .map(|(index, row)| {
                Ok(QueueEntry {
                    conversation: conversation_from_row(row)?,
                    position: u32::try_from(index + 1).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    async fn held_by(&self, agent: &AgentId) -> Result<Vec<Conversation>> {
        let rows = sqlx::query(
            "SELECT * FROM conversations WHERE state = 'with_agent' AND assigned_agent = ? ORDER BY last_activity_at DESC",
        )
        .bind(agent.as_str())
        .fetch_all(&self.reader)
        .await
        .map_err(backend("read held conversations"))?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn stats(&self) -> Result<Stats> {
        let mut stats = Stats::default();
        let states = sqlx::query("SELECT state, COUNT(*) AS n FROM conversations GROUP BY state")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("count conversations"))?;
        for row in states {
            let state: String = row.try_get("state").map_err(backend("count conversations"))?;
            let count: i64 = row.try_get("n").map_err(backend("count conversations"))?;
            stats.conversations += count;
            match ConversationState::parse(&state) {
                Some(ConversationState::Bot) => stats.bot = count,
                Some(ConversationState::WaitingForAgent) => stats.waiting_for_agent = count,
                Some(ConversationState::WithAgent) => stats.with_agent = count,
                Some(ConversationState::Closed) => stats.closed = count,
                None => {}
            }
        }
        let authors = sqlx::query("SELECT author, COUNT(*) AS n FROM messages GROUP BY author")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("count messages"))?;
        for row in authors {
            let author: String = row.try_get("author").map_err(backend("count messages"))?;
            let count: i64 = row.try_get("n").map_err(backend("count messages"))?;
            match Author::parse(&author) {
                Some(Author::Ai) => stats.messages_ai = count,
                Some(Author::Agent) => stats.messages_agent = count,
                Some(Author::Customer) => stats.messages_customer = count,
                Some(Author::System) => stats.messages_system = count,
                None => {}
            }
        }
        stats.audit_records = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.reader)
            .await
            .map_err(backend("count audit records"))?;
        stats.open_tickets = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status = 'open'")
            .fetch_one(&self.reader)
            .await
            .map_err(backend("count tickets"))?;
        stats.statutory_kept =
            sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE statutory_ground IS NOT NULL")
                .fetch_one(&self.reader)
                .await
                .map_err(backend("count conversations kept for a statutory ground"))?;
        // Operators are agents and admins; the second factor counts every role.
        let staff = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE role IN ('agent', 'admin')) AS n,
                    COUNT(*) FILTER (WHERE role IN ('agent', 'admin') AND ai_literacy IS NULL) AS untrained,
                    COUNT(*) FILTER (WHERE totp_secret IS NULL) AS without_second_factor,
                    COUNT(*) FILTER (WHERE role IN ('agent', 'admin') AND ',' || languages || ',' LIKE '%,nl,%') AS dutch,
                    COUNT(*) FILTER (WHERE role IN ('agent', 'admin') AND ',' || languages || ',' LIKE '%,en,%') AS english
             FROM staff",
        )
        .fetch_one(&self.reader)
        .await
        .map_err(backend("count staff"))?;
        stats.operators = staff.try_get("n").map_err(backend("count staff"))?;
        stats.operators_without_ai_literacy = staff.try_get("untrained").map_err(backend("count staff"))?;
        stats.staff_without_second_factor = staff.try_get("without_second_factor").map_err(backend("count staff"))?;
        stats.operators_serving_dutch = staff.try_get("dutch").map_err(backend("count staff"))?;
        stats.operators_serving_english = staff.try_get("english").map_err(backend("count staff"))?;
        Ok(stats)
    }

    async fn create_staff(&self, account: &StaffAccount, audit: AuditEvent) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO staff (id, display_name, role, password_hash, created_at, ai_literacy, languages) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(account.id.as_str())
        .bind(&account.display_name)
        .bind(account.role.as_str())
        .bind(&account.password_hash)
        .bind(micros(account.created_at))
        .bind(&account.ai_literacy)
        .bind(loket_store::languages_column(&account.languages))
            .execute(&mut *transaction)
            .await
            .map_err(classify("insert staff"))?;
        append_audit(&mut transaction, vec![audit], account.created_at).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn staff(&self, id: &AgentId) -> Result<StaffAccount> {
        let row = sqlx::query("SELECT * FROM staff WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read staff"))?
            .ok_or(Error::NotFound)?;
        let role: String = row.try_get("role").map_err(backend("read staff"))?;
        Ok(StaffAccount {
            id: id.clone(),
            display_name: row.try_get("display_name").map_err(backend("read staff"))?,
            role: Role::parse(&role).ok_or_else(|| Error::Backend("unknown staff role".into()))?,
            password_hash: row.try_get("password_hash").map_err(backend("read staff"))?,
            created_at: from_micros(row.try_get("created_at").map_err(backend("read staff"))?),
            ai_literacy: row.try_get("ai_literacy").map_err(backend("read staff"))?,
            languages: loket_store::parse_languages_column(
                &row.try_get::<String, _>("languages").map_err(backend("read staff"))?,
            )?,
            second_factor: second_factor_from_row(&row)?,
        })
    }

    async fn change_second_factor(
        &self,
        id: &AgentId,
        change: SecondFactorChange,
        audit: Vec<AuditEvent>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut transaction = self.begin().await?;
        let row =
            sqlx::query("SELECT totp_secret, totp_pending, totp_last_step, recovery_codes FROM staff WHERE id = ?")
                .bind(id.as_str())
                .fetch_optional(&mut *transaction)
                .await
                .map_err(backend("read second factor"))?
                .ok_or(Error::NotFound)?;
        let Some(next) = second_factor_from_row(&row)?.apply(&change) else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE staff SET totp_secret = ?, totp_pending = ?, totp_last_step = ?, recovery_codes = ? WHERE id = ?",
        )
        .bind(next.totp_sealed)
        .bind(next.pending_sealed)
        .bind(next.last_step)
        .bind(serde_json::to_string(&next.recovery_hashes).map_err(|_| Error::Backend("recovery codes".into()))?)
        .bind(id.as_str())
        .execute(&mut *transaction)
        .await
        .map_err(backend("write second factor"))?;
        if change == SecondFactorChange::Reset {
            sqlx::query("DELETE FROM staff_sessions WHERE staff_id = ?")
                .bind(id.as_str())
                .execute(&mut *transaction)
                .await
                .map_err(backend("end sessions"))?;
        }
        append_audit(&mut transaction, audit, now).await?;
        transaction.commit().await.map_err(backend("commit"))?;
        Ok(true)
    }

    async fn set_staff_languages(
        &self,
        id: &AgentId,
        languages: &[Locale],
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut transaction = self.begin().await?;
        let changed = sqlx::query("UPDATE staff SET languages = ? WHERE id = ?")
            .bind(loket_store::languages_column(languages))
            .bind(id.as_str())
            .execute(&mut *transaction)
            .await
            .map_err(backend("write staff languages"))?
            .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound);
        }
        append_audit(&mut transaction, vec![audit], now).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn create_session(&self, session: &StaffSession, audit: AuditEvent) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&session.token_hash)
        .bind(session.staff_id.as_str())
        .bind(&session.csrf_token)
        .bind(micros(session.created_at))
        .bind(micros(session.last_seen_at))
        .execute(&mut *transaction)
        .await
        .map_err(classify("insert session"))?;
        append_audit(&mut transaction, vec![audit], session.created_at).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn session(&self, token_hash: &str) -> Result<StaffSession> {
        let row = sqlx::query("SELECT * FROM staff_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read session"))?
            .ok_or(Error::NotFound)?;
        let staff_id: String = row.try_get("staff_id").map_err(backend("read session"))?;
        Ok(StaffSession {
            token_hash: token_hash.to_string(),
            staff_id: AgentId::parse(&staff_id).map_err(|_| Error::Backend("bad staff id in session".into()))?,
            csrf_token: row.try_get("csrf_token").map_err(backend("read session"))?,
            created_at: from_micros(row.try_get("created_at").map_err(backend("read session"))?),
            last_seen_at: from_micros(row.try_get("last_seen_at").map_err(backend("read session"))?),
        })
    }

    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(micros(now))
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(backend("touch session"))?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str, audit: Option<AuditEvent>, now: DateTime<Utc>) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *transaction)
            .await
            .map_err(backend("delete session"))?;
        append_audit(&mut transaction, audit.into_iter().collect(), now).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn open_tickets(&self) -> Result<Vec<Ticket>> {
        let rows = sqlx::query("SELECT * FROM tickets WHERE status = 'open' ORDER BY created_at DESC LIMIT 500")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read tickets"))?;
        rows.iter().map(ticket_from_row).collect()
    }

    async fn conversation_ids(&self, after: Option<&ConversationId>, limit: u32) -> Result<Vec<ConversationId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM conversations WHERE id > ? ORDER BY id LIMIT ?")
            .bind(after.map(ConversationId::as_str).unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("list conversations"))?;
        parse_ids(ids)
    }

    async fn conversations_of_subject(&self, subject_hash: &str) -> Result<Vec<ConversationId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE subject_hash = ? ORDER BY created_at, id")
                .bind(subject_hash)
                .fetch_all(&self.reader)
                .await
                .map_err(backend("find conversations of a subject"))?;
        parse_ids(ids)
    }

    async fn tickets(&self, id: &ConversationId) -> Result<Vec<Ticket>> {
        let rows = sqlx::query("SELECT * FROM tickets WHERE conversation_id = ? ORDER BY created_at, id")
            .bind(id.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read tickets"))?;
        rows.iter().map(ticket_from_row).collect()
    }

    async fn set_legal_hold(
        &self,
        id: &ConversationId,
        hold: bool,
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let query = sqlx::query("UPDATE conversations SET legal_hold = ? WHERE id = ?").bind(hold);
        self.update_conversation(query, id, audit, now, "set legal hold").await
    }

    async fn set_statutory_ground(
        &self,
        id: &ConversationId,
        ground: Option<String>,
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let query = sqlx::query("UPDATE conversations SET statutory_ground = ? WHERE id = ?").bind(ground);
        self.update_conversation(query, id, audit, now, "set statutory ground")
            .await
    }

    async fn erase_conversations(
        &self,
        ids: &[ConversationId],
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<Erased> {
        // Nothing read before this change is served after it.
        let _ended = self.cache.ending_generation();
        let mut transaction = self.begin().await?;
        let mut erased = Erased::default();
        for id in ids {
            let hold: Option<bool> = sqlx::query_scalar("SELECT legal_hold FROM conversations WHERE id = ?")
                .bind(id.as_str())
                .fetch_optional(&mut *transaction)
                .await
                .map_err(backend("read legal hold"))?;
            match hold {
                None => continue,
                Some(true) => return Err(Error::Conflict),
                Some(false) => {}
            }
            let counted = count_attached(&mut transaction, id).await?;
            erased.messages += counted.messages;
            erased.vault_entries += counted.vault_entries;
            erased.tickets += counted.tickets;
            erased.conversations += delete_conversation(&mut transaction, id).await?;
        }
        let mut audit = audit;
        for (name, count) in [
            ("conversations", erased.conversations),
            ("messages", erased.messages),
            ("vault_entries", erased.vault_entries),
            ("tickets", erased.tickets),
        ] {
            audit
                .counts
                .insert(name.into(), i64::try_from(count).unwrap_or(i64::MAX));
        }
        append_audit(&mut transaction, vec![audit], now).await?;
        transaction.commit().await.map_err(backend("commit"))?;
        self.purge_freed_pages().await?;
        Ok(erased)
    }

    async fn expire(&self, expiry: Expiry, limit: u32, audit: AuditEvent, now: DateTime<Utc>) -> Result<u64> {
        // Nothing read before this change is served after it.
        let _ended = self.cache.ending_generation();
        let limit = i64::from(limit.max(1));
        let mut transaction = self.begin().await?;
        let store = expiry.store();
        let removed = match expiry {
            Expiry::Transcripts(before) | Expiry::SensitiveTranscripts(before) => {
                let sensitive_only = matches!(expiry, Expiry::SensitiveTranscripts(_));
                let expired = sqlx::query_scalar(
                    "SELECT id FROM conversations
                     WHERE last_activity_at < ? AND legal_hold = 0 AND statutory_ground IS NULL
                         AND (? = 0 OR sensitive_at IS NOT NULL)
                     ORDER BY last_activity_at, id LIMIT ?",
                )
                .bind(micros(before))
                .bind(sensitive_only)
                .bind(limit);
                delete_expired(&mut transaction, expired).await?
            }
            Expiry::StatutoryTranscripts { ground, before } => {
                let expired = sqlx::query_scalar(
                    "SELECT id FROM conversations
                     WHERE last_activity_at < ? AND legal_hold = 0 AND statutory_ground = ?
                     ORDER BY last_activity_at, id LIMIT ?",
                )
                .bind(micros(before))
                .bind(ground)
                .bind(limit);
                delete_expired(&mut transaction, expired).await?
            }
            Expiry::UnlistedStatutoryTranscripts { listed, before } => {
                // Grounds are lowercase letters, digits and underscores: a comma-delimited list
                // is unambiguous.
                let listed = format!(",{},", listed.join(","));
                let expired = sqlx::query_scalar(
                    "SELECT id FROM conversations
                     WHERE last_activity_at < ? AND legal_hold = 0 AND statutory_ground IS NOT NULL
                         AND instr(?, ',' || statutory_ground || ',') = 0
                     ORDER BY last_activity_at, id LIMIT ?",
                )
                .bind(micros(before))
                .bind(listed)
                .bind(limit);
                delete_expired(&mut transaction, expired).await?
            }
            Expiry::Vault(before) => sqlx::query(
                "DELETE FROM vault WHERE rowid IN (
                     SELECT vault.rowid FROM vault JOIN conversations ON conversations.id = vault.conversation_id
                     WHERE conversations.last_activity_at < ? AND conversations.legal_hold = 0
                         AND conversations.statutory_ground IS NULL
                     LIMIT ?)",
            )
            .bind(micros(before))
            .bind(limit)
            .execute(&mut *transaction)
            .await
            .map_err(backend("expire vault entries"))?
            .rows_affected(),
            Expiry::Tickets(before) => sqlx::query(
                "DELETE FROM tickets WHERE id IN (
                     SELECT tickets.id FROM tickets JOIN conversations ON conversations.id = tickets.conversation_id
                     WHERE tickets.created_at < ? AND conversations.legal_hold = 0
                     ORDER BY tickets.created_at LIMIT ?)",
            )
            .bind(micros(before))
            .bind(limit)
            .execute(&mut *transaction)
            .await
            .map_err(backend("expire tickets"))?
            .rows_affected(),
            Expiry::Audit(before) => {
                let last: Option<(i64, String)> = sqlx::query_as(
                    "SELECT seq, hash FROM (SELECT seq, hash FROM audit_log WHERE at < ? ORDER BY seq LIMIT ?)
                     ORDER BY seq DESC LIMIT 1",
                )
                .bind(micros(before))
                .bind(limit)
                .fetch_optional(&mut *transaction)
                .await
                .map_err(backend("find expired audit records"))?;
                match last {
                    None => 0,
                    Some((seq, hash)) => {
                        sqlx::query(
                            "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?, ?)
                             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                        )
                        .bind(seq)
                        .bind(&hash)
                        .execute(&mut *transaction)
                        .await
                        .map_err(backend("move audit anchor"))?;
                        sqlx::query("DELETE FROM audit_checkpoints WHERE seq <= ?")
                            .bind(seq)
                            .execute(&mut *transaction)
                            .await
                            .map_err(backend("expire checkpoints"))?;
                        sqlx::query("DELETE FROM audit_log WHERE seq <= ?")
                            .bind(seq)
                            .execute(&mut *transaction)
                            .await
                            .map_err(backend("expire audit records"))?
                            .rows_affected()
                    }
                }
            }
            Expiry::DeliveryLog(before) => sqlx::query(
                "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE at < ? ORDER BY id LIMIT ?)",
            )
            .bind(micros(before))
            .bind(limit)
            .execute(&mut *transaction)
            .await
            .map_err(backend("expire delivery log"))?
            .rows_affected(),
        };
        if removed == 0 {
            return Ok(0);
        }
        let mut audit = audit;
        audit
            .counts
            .insert(store.into(), i64::try_from(removed).unwrap_or(i64::MAX));
        append_audit(&mut transaction, vec![audit], now).await?;
        transaction.commit().await.map_err(backend("commit"))?;
        Ok(removed)
    }

    async fn audit_anchor(&self) -> Result<Option<AuditAnchor>> {
        let row: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_anchor WHERE id = 1")
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read audit anchor"))?;
        Ok(row.map(|(seq, hash)| AuditAnchor { seq, hash }))
    }

    async fn audit_head(&self) -> Result<Option<AuditRecord>> {
        sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read audit head"))?
            .as_ref()
            .map(audit_from_row)
            .transpose()
    }

    async fn append_checkpoint(&self, checkpoint: &Checkpoint) -> Result<()> {
        sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)")
            .bind(checkpoint.seq)
            .bind(&checkpoint.hash)
            .bind(micros(checkpoint.at))
            .bind(&checkpoint.public_key)
            .bind(&checkpoint.signature)
            .execute(&self.writer)
            .await
            .map_err(classify("insert checkpoint"))?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        let rows = sqlx::query("SELECT * FROM audit_checkpoints ORDER BY seq")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read checkpoints"))?;
        rows.iter()
            .map(|row| {
                let read = backend("read checkpoints");
                Ok(Checkpoint {
                    seq: row.try_get("seq").map_err(&read)?,
                    hash: row.try_get("hash").map_err(&read)?,
                    at: from_micros(row.try_get("at").map_err(&read)?),
                    public_key: row.try_get("public_key").map_err(&read)?,
                    signature: row.try_get("signature").map_err(&read)?,
                })
            })
            .collect()
    }

    async fn record_webhook_delivery(&self, delivery: &WebhookDelivery) -> Result<()> {
        self.insert_delivery(delivery).await
    }

    async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>> {
        self.read_deliveries(limit).await
    }
}

impl SqliteStore {
    /// Moves every committed page into the database file and empties the write-ahead log, so
    /// the zeroed pages of an erasure replace the old ones and no older copy stays in the log.
    async fn purge_freed_pages(&self) -> Result<()> {
        // A reader in the middle of a read holds the log; wait for it rather than leave the
        // old pages there.
        for _ in 0..PURGE_ATTEMPTS {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.writer)
                .await
                .map_err(backend("checkpoint the write-ahead log"))?;
            if busy == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(Error::Backend(
            "the write-ahead log stayed busy after an erasure".into(),
        ))
    }

    async fn insert_delivery(&self, delivery: &WebhookDelivery) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_deliveries (delivery, event, url, attempt, status, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&delivery.delivery)
        .bind(&delivery.event)
        .bind(&delivery.url)
        .bind(i64::from(delivery.attempt))
        .bind(delivery.status.map(i64::from))
        .bind(&delivery.outcome)
        .bind(micros(delivery.at))
        .execute(&self.writer)
        .await
        .map_err(backend("record webhook delivery"))?;
        Ok(())
    }

    async fn read_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>> {
        let rows = sqlx::query("SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read webhook deliveries"))?;
        rows.iter()
            .map(|row| {
                let read = backend("read webhook deliveries");
                let attempt: i64 = row.try_get("attempt").map_err(&read)?;
                let status: Option<i64> = row.try_get("status").map_err(&read)?;
                Ok(WebhookDelivery {
                    delivery: row.try_get("delivery").map_err(&read)?,
                    event: row.try_get("event").map_err(&read)?,
                    url: row.try_get("url").map_err(&read)?,
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    status: status.and_then(|status| u16::try_from(status).ok()),
                    outcome: row.try_get("outcome").map_err(&read)?,
                    at: from_micros(row.try_get("at").map_err(&read)?),
                })
            })
            .collect()
    }
}

/// Most rows in one multi-row INSERT (SQLite allows 32,766 bound values per statement; an
/// audit row binds 10).
const ROWS_PER_INSERT: usize = 256;

async fn append_audit(
    transaction: &mut Transaction<'static, Sqlite>,
    events: Vec<AuditEvent>,
    now: DateTime<Utc>,
) -> Result<()> {
    append_audit_at(transaction, events.into_iter().map(|event| (event, now)).collect()).await
}

/// Appends events, each with its own time, to the chain: one read of the head, then multi-row
/// inserts. The single writer connection makes "read the head, append" race-free.
async fn append_audit_at(
    transaction: &mut Transaction<'static, Sqlite>,
    events: Vec<(AuditEvent, DateTime<Utc>)>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let head = read_audit_head(transaction).await?;
    let mut insert = sqlx::QueryBuilder::<Sqlite>::new("");
    push_audit_inserts(&mut insert, chain(head, events)?);
    insert
        .build()
        .execute(&mut **transaction)
        .await
        .map_err(backend("append audit records"))?;
    Ok(())
}

/// The head of the audit chain: the newest record, or the anchor when retention removed every
/// record (the chain continues from there instead of starting again at the genesis hash).
const AUDIT_HEAD: &str =
    "SELECT seq, hash FROM (SELECT seq, hash FROM audit_log UNION ALL SELECT seq, hash FROM audit_anchor)
     ORDER BY seq DESC LIMIT 1";

/// The audit chain's head as `(seq, hash)`, `None` for an empty chain.
async fn read_audit_head(transaction: &mut Transaction<'static, Sqlite>) -> Result<Option<(i64, String)>> {
    sqlx::query_as(AUDIT_HEAD)
        .fetch_optional(&mut **transaction)
        .await
        .map_err(backend("read audit head"))
}

/// An audit record as stored: the record and its ids, counts and attributes as JSON.
type AuditRow = (AuditRecord, String, String, String);

/// Chains `events` onto `head` (`None`: the chain is empty and starts at the genesis hash).
fn chain(head: Option<(i64, String)>, events: Vec<(AuditEvent, DateTime<Utc>)>) -> Result<Vec<AuditRow>> {
    let (mut seq, mut prev_hash) = head.unwrap_or((0, GENESIS_HASH.to_string()));
    let encode = |value: serde_json::Result<String>| value.map_err(|_| Error::Backend("encode audit record".into()));
    let mut records = Vec::with_capacity(events.len());
    for (event, at) in events {
        seq += 1;
        // Stored times have microsecond precision; hash exactly what is stored.
        let record = AuditRecord::chained(seq, from_micros(micros(at)), event, &prev_hash);
        prev_hash = record.hash.clone();
        let ids = encode(serde_json::to_string(&record.event.ids))?;
        let counts = encode(serde_json::to_string(&record.event.counts))?;
        let attributes = encode(serde_json::to_string(&record.event.attributes))?;
        records.push((record, ids, counts, attributes));
    }
    Ok(records)
}

/// Appends multi-row inserts of `records` (each statement ended by `;`) to `insert`.
fn push_audit_inserts(insert: &mut sqlx::QueryBuilder<Sqlite>, records: Vec<AuditRow>) {
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        insert.push(
            "INSERT INTO audit_log (seq, at, kind, conversation_id, actor, ids, counts, attributes, prev_hash, hash) ",
        );
        insert.push_values(
            records.by_ref().take(ROWS_PER_INSERT),
            |mut row, (record, ids, counts, attributes)| {
                row.push_bind(record.seq)
                    .push_bind(micros(record.at))
                    .push_bind(record.event.kind.as_str())
                    .push_bind(record.event.conversation.map(|id| id.as_str().to_string()))
                    .push_bind(record.event.actor)
                    .push_bind(ids)
                    .push_bind(counts)
                    .push_bind(attributes)
                    .push_bind(record.prev_hash)
                    .push_bind(record.hash);
            },
        );
        insert.push(";\n");
    }
}

/// The assigned agent's login, as stored.
fn agent_id(conversation: &Conversation) -> Option<String> {
    conversation
        .assigned_agent
        .as_ref()
        .map(|agent| agent.id.as_str().to_string())
}

/// The assigned agent's display name, as stored.
fn agent_name(conversation: &Conversation) -> Option<String> {
    conversation
        .assigned_agent
        .as_ref()
        .map(|agent| agent.display_name.clone())
}

/// Deletes the conversations that `expired` (a `SELECT id` with its values bound) finds; the
/// number deleted.
async fn delete_expired(
    transaction: &mut Transaction<'static, Sqlite>,
    expired: sqlx::query::QueryScalar<'_, Sqlite, String, sqlx::sqlite::SqliteArguments>,
) -> Result<u64> {
    let ids = expired
        .fetch_all(&mut **transaction)
        .await
        .map_err(backend("find expired conversations"))?;
    let mut removed = 0;
    for id in parse_ids(ids)? {
        removed += delete_conversation(transaction, &id).await?;
    }
    Ok(removed)
}

/// Deletes a conversation; messages, vault entries and tickets go with it (ON DELETE CASCADE).
async fn delete_conversation(transaction: &mut Transaction<'static, Sqlite>, id: &ConversationId) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM conversations WHERE id = ?")
        .bind(id.as_str())
        .execute(&mut **transaction)
        .await
        .map_err(backend("delete conversation"))?
        .rows_affected())
}

/// Counts what a conversation's deletion takes with it, for the deletion certificate.
async fn count_attached(transaction: &mut Transaction<'static, Sqlite>, id: &ConversationId) -> Result<Erased> {
    let (messages, vault_entries, tickets): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM messages WHERE conversation_id = ?1),
                (SELECT COUNT(*) FROM vault WHERE conversation_id = ?1),
                (SELECT COUNT(*) FROM tickets WHERE conversation_id = ?1)",
    )
    .bind(id.as_str())
    .fetch_one(&mut **transaction)
    .await
    .map_err(backend("count conversation data"))?;
    let count = |value: i64| u64::try_from(value).unwrap_or(0);
    Ok(Erased {
        conversations: 0,
        messages: count(messages),
        vault_entries: count(vault_entries),
        tickets: count(tickets),
    })
}

fn parse_ids(ids: Vec<String>) -> Result<Vec<ConversationId>> {
    ids.iter()
        .map(|id| ConversationId::parse(id).map_err(|_| Error::Backend("stored conversation id is invalid".into())))
        .collect()
}

fn ticket_from_row(row: &SqliteRow) -> Result<Ticket> {
    let read = backend("read tickets");
    let conversation_id: String = row.try_get("conversation_id").map_err(&read)?;
    Ok(Ticket {
        id: row.try_get("id").map_err(&read)?,
        conversation_id: ConversationId::parse(&conversation_id)
            .map_err(|_| Error::Backend("bad conversation id in ticket".into()))?,
        kind: row.try_get("kind").map_err(&read)?,
        name: row.try_get("name").map_err(&read)?,
        phone: row.try_get("phone").map_err(&read)?,
        email: row.try_get("email").map_err(&read)?,
        preferred_time: row.try_get("preferred_time").map_err(&read)?,
        note: row.try_get("note").map_err(&read)?,
        created_at: from_micros(row.try_get("created_at").map_err(&read)?),
        status: row.try_get("status").map_err(&read)?,
    })
}

/// A conversation row as a record (snapshot, token hash, subject, hold, sensitivity).
fn record_from_row(row: &SqliteRow) -> Result<ConversationRecord> {
    let read = backend("read conversation");
    let token_hash: String = row.try_get("token_hash").map_err(&read)?;
    let subject_hash: Option<String> = row.try_get("subject_hash").map_err(&read)?;
    let subject_sealed: Option<Vec<u8>> = row.try_get("subject_sealed").map_err(&read)?;
    let legal_hold: bool = row.try_get("legal_hold").map_err(&read)?;
    let statutory_ground: Option<String> = row.try_get("statutory_ground").map_err(&read)?;
    let sensitive_at: Option<i64> = row.try_get("sensitive_at").map_err(&read)?;
    Ok(ConversationRecord {
        conversation: conversation_from_row(row)?,
        token_hash,
        subject: match (subject_hash, subject_sealed) {
            (Some(hash), Some(sealed)) => Some(SubjectRef { hash, sealed }),
            _ => None,
        },
        legal_hold,
        sensitive: sensitive_at.is_some(),
        statutory_ground,
    })
}

fn conversation_from_row(row: &SqliteRow) -> Result<Conversation> {
    let read = backend("read conversation");
    let id: String = row.try_get("id").map_err(&read)?;
    let locale: String = row.try_get("locale").map_err(&read)?;
    let state: String = row.try_get("state").map_err(&read)?;
    let agent: Option<String> = row.try_get("assigned_agent").map_err(&read)?;
    let agent_name: Option<String> = row.try_get("assigned_agent_name").map_err(&read)?;
    let corrupt = |what: &str| Error::Backend(format!("stored conversation has an invalid {what}"));
    let assigned_agent = match (agent, agent_name) {
        (Some(agent), Some(display_name)) => Some(AgentRef {
            id: AgentId::parse(&agent).map_err(|_| corrupt("agent"))?,
            display_name,
        }),
        _ => None,
    };
    let abstentions: i64 = row.try_get("consecutive_abstentions").map_err(&read)?;
    Ok(Conversation {
        id: ConversationId::parse(&id).map_err(|_| corrupt("id"))?,
        locale: Locale::parse(&locale).ok_or_else(|| corrupt("locale"))?,
        state: ConversationState::parse(&state).ok_or_else(|| corrupt("state"))?,
        assigned_agent,
        created_at: from_micros(row.try_get("created_at").map_err(&read)?),
        last_activity_at: from_micros(row.try_get("last_activity_at").map_err(&read)?),
        last_disclosure_at: row
            .try_get::<Option<i64>, _>("last_disclosure_at")
            .map_err(&read)?
            .map(from_micros),
        waiting_since: row
            .try_get::<Option<i64>, _>("waiting_since")
            .map_err(&read)?
            .map(from_micros),
        handover_reason: row
            .try_get::<Option<String>, _>("handover_reason")
            .map_err(&read)?
            .and_then(|reason| HandoverReason::parse(&reason)),
        consecutive_abstentions: u32::try_from(abstentions).unwrap_or(u32::MAX),
        last_question_fingerprint: row.try_get("last_question_fingerprint").map_err(&read)?,
        version: row.try_get("version").map_err(&read)?,
    })
}

fn message_from_row(row: &SqliteRow) -> Result<StoredMessage> {
    let read = backend("read message");
    let corrupt = |what: &str| Error::Backend(format!("stored message has an invalid {what}"));
    let conversation_id: String = row.try_get("conversation_id").map_err(&read)?;
    let author: String = row.try_get("author").map_err(&read)?;
    let kind: String = row.try_get("kind").map_err(&read)?;
    let lang: String = row.try_get("lang").map_err(&read)?;
    let citations: String = row.try_get("citations").map_err(&read)?;
    Ok(StoredMessage {
        id: row.try_get("id").map_err(&read)?,
        conversation_id: ConversationId::parse(&conversation_id).map_err(|_| corrupt("conversation id"))?,
        seq: row.try_get("seq").map_err(&read)?,
        created_at: from_micros(row.try_get("created_at").map_err(&read)?),
        message: NewMessage {
            author: Author::parse(&author).ok_or_else(|| corrupt("author"))?,
            kind: MessageKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            text: row.try_get("text").map_err(&read)?,
            author_label: row.try_get("author_label").map_err(&read)?,
            lang: Locale::parse(&lang).ok_or_else(|| corrupt("language"))?,
            citations: serde_json::from_str(&citations).map_err(|_| corrupt("citation list"))?,
            offers_human: row.try_get("offers_human").map_err(&read)?,
            generated_by: row.try_get("generated_by").map_err(&read)?,
            suggestions: loket_store::decode_suggestions(&row.try_get::<String, _>("suggestions").map_err(&read)?)?,
        },
    })
}

fn audit_from_row(row: &SqliteRow) -> Result<AuditRecord> {
    let read = backend("read audit record");
    let corrupt = |what: &str| Error::Backend(format!("stored audit record has an invalid {what}"));
    let kind: String = row.try_get("kind").map_err(&read)?;
    let conversation: Option<String> = row.try_get("conversation_id").map_err(&read)?;
    let ids: String = row.try_get("ids").map_err(&read)?;
    let counts: String = row.try_get("counts").map_err(&read)?;
    let attributes: String = row.try_get("attributes").map_err(&read)?;
    let kind: AuditKind = serde_json::from_value(serde_json::Value::String(kind)).map_err(|_| corrupt("kind"))?;
    Ok(AuditRecord {
        seq: row.try_get("seq").map_err(&read)?,
        at: from_micros(row.try_get("at").map_err(&read)?),
        event: AuditEvent {
            kind,
            conversation: conversation
                .map(|id| ConversationId::parse(&id).map_err(|_| corrupt("conversation id")))
                .transpose()?,
            actor: row.try_get("actor").map_err(&read)?,
            ids: serde_json::from_str(&ids).map_err(|_| corrupt("id list"))?,
            counts: serde_json::from_str(&counts).map_err(|_| corrupt("count map"))?,
            attributes: serde_json::from_str(&attributes).map_err(|_| corrupt("attribute map"))?,
        },
        prev_hash: row.try_get("prev_hash").map_err(&read)?,
        hash: row.try_get("hash").map_err(&read)?,
    })
}

fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

fn from_micros(value: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(value).unwrap_or_default()
}

/// Maps a driver error to a content-free backend error naming the operation.
fn backend(operation: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |error| Error::Backend(format!("{operation}: {}", describe(&error)))
}

/// Like [`backend`], but a unique violation becomes [`Error::Conflict`].
fn classify(operation: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |error| match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => Error::Conflict,
        _ => Error::Backend(format!("{operation}: {}", describe(&error))),
    }
}

/// A description of a driver error without bound values (sqlx never includes them).
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database) => database.message().to_string(),
        other => other.to_string(),
    }
}

/// The second-factor columns of a `staff` row.
fn second_factor_from_row(row: &SqliteRow) -> Result<SecondFactor> {
    let read = backend("read second factor");
    let recovery: String = row.try_get("recovery_codes").map_err(&read)?;
    Ok(SecondFactor {
        totp_sealed: row.try_get("totp_secret").map_err(&read)?,
        pending_sealed: row.try_get("totp_pending").map_err(&read)?,
        last_step: row.try_get("totp_last_step").map_err(&read)?,
        recovery_hashes: serde_json::from_str(&recovery)
            .map_err(|_| Error::Backend("unreadable recovery codes".into()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_core::config::Config;

    fn wording() -> loket_core::wording::Wording {
        loket_core::wording::Wording::new(&Config::default()).unwrap()
    }

    fn new_conversation(
        conversation: &Conversation,
        messages: Vec<NewMessage>,
        audit: Vec<AuditEvent>,
        now: DateTime<Utc>,
    ) -> NewConversation {
        NewConversation {
            conversation: conversation.clone(),
            token_hash: "hash".into(),
            data_key: b"key".to_vec(),
            subject: None,
            messages,
            audit,
            now,
        }
    }

    /// A conversation with a customer message, a vault entry and a ticket, all carrying `seed`.
    async fn seeded_conversation(
        store: &SqliteStore,
        seed: &str,
        at: DateTime<Utc>,
        sensitive: bool,
    ) -> ConversationId {
        let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let transition = Conversation::start(id.clone(), Locale::Nl, at, &wording());
        store
            .create_conversation(new_conversation(
                &transition.conversation,
                transition.messages,
                transition.audit,
                at,
            ))
            .await
            .unwrap();
        let customer = NewMessage {
            author: Author::Customer,
            kind: MessageKind::Text,
            text: format!("mijn code is {seed}"),
            author_label: "U".into(),
            lang: Locale::Nl,
            citations: Vec::new(),
            offers_human: false,
            generated_by: None,
            suggestions: Vec::new(),
        };
        store
            .commit(Commit {
                conversation: transition.conversation.clone(),
                messages: vec![customer],
                audit: vec![AuditEvent::new(AuditKind::PiiRedacted, Some(&id), "customer")],
                vault: vec![VaultEntry {
                    placeholder: "[IBAN_1]".into(),
                    kind: "IBAN".into(),
                    sealed: format!("vault {seed}").into_bytes(),
                }],
                ticket: Some(Ticket {
                    id: uuid::Uuid::now_v7().to_string(),
                    conversation_id: id.clone(),
                    kind: "callback".into(),
                    name: format!("ticket {seed}"),
                    phone: String::new(),
                    email: String::new(),
                    preferred_time: String::new(),
                    note: String::new(),
                    created_at: at,
                    status: "open".into(),
                }),
                sensitive,
                now: at,
            })
            .await
            .unwrap();
        id
    }

    /// A new conversation in `store`, as read back.
    async fn started(store: &SqliteStore, at: DateTime<Utc>) -> Conversation {
        let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let transition = Conversation::start(id.clone(), Locale::Nl, at, &wording());
        let new = new_conversation(&transition.conversation, transition.messages, transition.audit, at);
        store.create_conversation(new).await.unwrap();
        store.conversation(&id).await.unwrap().conversation
    }

    fn claim(read: &Conversation, number: usize, at: DateTime<Utc>) -> loket_store::group::Turn {
        let mut claimed = read.clone();
        claimed.state = ConversationState::WithAgent;
        claimed.assigned_agent = Some(AgentRef {
            id: loket_core::AgentId::parse(&format!("agent{number}")).unwrap(),
            display_name: format!("Agent {number}"),
        });
        loket_store::group::Turn::Commit(Box::new(Commit {
            conversation: claimed,
            messages: vec![NewMessage {
                author: Author::System,
                kind: MessageKind::Text,
                text: format!("claimed by {number}"),
                author_label: "S".into(),
                lang: Locale::Nl,
                citations: Vec::new(),
                offers_human: false,
                generated_by: None,
                suggestions: Vec::new(),
            }],
            audit: vec![AuditEvent::new(AuditKind::HandoffAccepted, Some(&read.id), "agent")],
            vault: Vec::new(),
            ticket: None,
            sensitive: number == 1,
            now: at,
        }))
    }

    /// A store in `dir` and a committer connection of its own to write groups with directly, so
    /// no timing decides what a group holds.
    async fn with_committer(dir: &Path) -> (SqliteStore, rusqlite::Connection) {
        let store = SqliteStore::open(dir, 2).await.unwrap();
        let target = committer::Target::file(&dir.join(DATABASE_FILE));
        (store, committer::open(&target, BUSY_TIMEOUT).unwrap())
    }

    /// One group written directly: a stale commit among them is a conflict, and the others'
    /// rows, messages and audit records are stored and chained.
    #[tokio::test]
    async fn a_group_with_a_stale_commit_stores_the_others_whole_and_chains_their_audit_records() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut committer) = with_committer(dir.path()).await;
        let at = Utc::now();
        let mut reads = Vec::new();
        for _ in 0..3 {
            reads.push(started(&store, at).await);
        }
        let audit_before = store.audit_records(0, 1_000).await.unwrap().len();
        let mut stale = reads[2].clone();
        stale.version -= 1;
        let turns = vec![claim(&reads[0], 0, at), claim(&reads[1], 1, at), claim(&stale, 2, at)];
        let Ok(results) = committer::write_turns(&mut committer, turns) else {
            panic!("the group was not written");
        };
        assert_eq!(results.len(), 3);
        for (number, read) in reads.iter().enumerate().take(2) {
            let stored = results[number].as_ref().unwrap();
            let messages = store.messages(&read.id, 0, 100).await.unwrap();
            assert_eq!(stored[0].seq, messages.len() as i64);
            assert_eq!(
                messages.last().map(|message| message.id.clone()),
                Some(stored[0].id.clone())
            );
            let record = store.conversation(&read.id).await.unwrap();
            assert_eq!(record.conversation.version, read.version + 1);
            assert_eq!(record.conversation.state, ConversationState::WithAgent);
            assert_eq!(
                record.conversation.assigned_agent.map(|agent| agent.display_name),
                Some(format!("Agent {number}"))
            );
        }
        assert!(matches!(results[2], Err(Error::Conflict)), "{:?}", results[2]);
        let untouched = store.conversation(&reads[2].id).await.unwrap().conversation;
        assert_eq!((untouched.version, untouched.assigned_agent), (reads[2].version, None));
        let records = store.audit_records(0, 1_000).await.unwrap();
        assert_eq!(records.len(), audit_before + 2);
        assert_eq!(loket_core::audit::verify_chain(records), Ok((audit_before + 2) as u64));
    }

    /// Two commits of one group for the same conversation are applied in order: a stale one
    /// first is a conflict, the current one after it is stored, and a third that read the same
    /// version as the second is a conflict.
    #[tokio::test]
    async fn two_commits_of_a_group_for_one_conversation_are_applied_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut committer) = with_committer(dir.path()).await;
        let at = Utc::now();
        let read = started(&store, at).await;
        let mut stale = read.clone();
        stale.version -= 1;
        let turns = vec![claim(&stale, 0, at), claim(&read, 1, at), claim(&read, 2, at)];
        let Ok(results) = committer::write_turns(&mut committer, turns) else {
            panic!("the group was not written");
        };
        assert!(matches!(results[0], Err(Error::Conflict)), "{:?}", results[0]);
        assert!(results[1].is_ok(), "{:?}", results[1]);
        assert!(matches!(results[2], Err(Error::Conflict)), "{:?}", results[2]);
        let stored = store.conversation(&read.id).await.unwrap().conversation;
        assert_eq!(stored.version, read.version + 1);
        assert_eq!(
            stored.assigned_agent.map(|agent| agent.display_name),
            Some("Agent 1".to_string())
        );
    }

    /// The committer's connection and the sqlx writer write one file: a chat turn waits while the
    /// other connection holds the write lock; chat turns committed from several tasks while legal
    /// holds are placed and lifted through the other connection all land (none refused for a busy
    /// database); and the audit records both append form one chain.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chat_turns_and_other_writes_share_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), 2).await.unwrap();
        let at = Utc::now();
        let held = started(&store, at).await;
        let mut conversations = Vec::new();
        for _ in 0..6 {
            conversations.push(started(&store, at).await);
        }
        // A turn waits for the other connection's write transaction rather than fail.
        let blocking = store.writer.begin_with("BEGIN IMMEDIATE").await.unwrap();
        let waiting = {
            let (store, read) = (store.clone(), conversations[0].clone());
            tokio::spawn(async move {
                let loket_store::group::Turn::Commit(commit) = claim(&read, 0, at) else {
                    unreachable!("claim makes a commit")
                };
                store.commit(*commit).await
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!waiting.is_finished(), "the turn did not wait for the write lock");
        blocking.commit().await.unwrap();
        waiting.await.unwrap().unwrap();
        conversations[0] = store.conversation(&conversations[0].id).await.unwrap().conversation;
        let mut tasks = Vec::new();
        for conversation in conversations.clone() {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut read = conversation;
                for number in 0..60 {
                    let loket_store::group::Turn::Commit(commit) = claim(&read, number, at) else {
                        unreachable!("claim makes a commit")
                    };
                    store.commit(*commit).await.unwrap();
                    read = store.conversation(&read.id).await.unwrap().conversation;
                }
            }));
        }
        let holds = {
            let store = store.clone();
            tokio::spawn(async move {
                for round in 0..300 {
                    let audit = AuditEvent::new(AuditKind::LegalHold, Some(&held.id), "admin");
                    store.set_legal_hold(&held.id, round % 2 == 0, audit, at).await.unwrap();
                }
            })
        };
        for task in tasks {
            task.await.unwrap();
        }
        holds.await.unwrap();
        for conversation in &conversations {
            let record = store.conversation(&conversation.id).await.unwrap();
            assert_eq!(record.conversation.version, conversation.version + 60);
            let messages = store.messages(&conversation.id, 0, 1_000).await.unwrap();
            let seqs: Vec<i64> = messages.iter().map(|message| message.seq).collect();
            assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
        }
        let records = store.audit_records(0, 10_000).await.unwrap();
        let holds = records
            .iter()
            .filter(|record| record.event.kind == AuditKind::LegalHold)
            .count();
        assert_eq!(holds, 300);
        let total = records.len() as u64;
        assert_eq!(loket_core::audit::verify_chain(records), Ok(total));
    }

    fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(files_containing(&path, needle));
            } else {
                let bytes = std::fs::read(&path).unwrap();
                if bytes.windows(needle.len()).any(|window| window == needle) {
                    found.push(path.display().to_string());
                }
            }
        }
        found
    }

    #[tokio::test]
    async fn after_erasure_a_seeded_value_is_in_no_file_of_the_data_directory_gdpr_17() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), 2).await.unwrap();
        let now = Utc::now();
        let seed = "ZQX-ERASE-ME-5521";
        let keep = seeded_conversation(&store, "KEEP-ME-9931", now, false).await;
        let erase = seeded_conversation(&store, seed, now, false).await;
        // Readers have read it, and the write-ahead log and the database file both hold it.
        assert_eq!(store.messages(&erase, 0, 10).await.unwrap().len(), 2);
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&store.writer)
            .await
            .unwrap();
        assert!(!files_containing(dir.path(), seed.as_bytes()).is_empty());

        let erased = store
            .erase_conversations(
                std::slice::from_ref(&erase),
                AuditEvent::new(AuditKind::SubjectErased, Some(&erase), "admin:root"),
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            erased,
            Erased {
                conversations: 1,
                messages: 2,
                vault_entries: 1,
                tickets: 1
            }
        );
        assert_eq!(files_containing(dir.path(), seed.as_bytes()), Vec::<String>::new());
        assert!(matches!(store.conversation(&erase).await, Err(Error::NotFound)));
        assert_eq!(store.messages(&keep, 0, 10).await.unwrap().len(), 2);
        // A second erasure of the same conversation is harmless and erases nothing.
        let again = store
            .erase_conversations(
                std::slice::from_ref(&erase),
                AuditEvent::new(AuditKind::SubjectErased, Some(&erase), "admin:root"),
                now,
            )
            .await
            .unwrap();
        assert_eq!(again, Erased::default());
        let records = store.audit_records(0, 100).await.unwrap();
        assert_eq!(loket_core::audit::verify_chain(records), Ok(8));
    }
}
