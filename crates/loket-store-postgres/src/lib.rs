//! The PostgreSQL backend of the [`Store`] contract: for several `loket serve` instances on one
//! database.
//!
//! Same schema meaning as the SQLite backend (times are BIGINT microseconds since the Unix
//! epoch, binary values BYTEA), its own migrations in `migrations/`. What SQLite gets from its
//! single writer, PostgreSQL gets from locks, so any number of instances can write at once:
//!
//! - **Conversation changes** use the same optimistic `version` check as SQLite: the `UPDATE
//!   … WHERE version = $n` of a losing writer re-evaluates against the winner's row and matches
//!   nothing, which is [`Error::Conflict`]. Two agents claiming one conversation from two
//!   instances therefore get one success and one conflict.
//! - **Message seqs** come from the conversation's `next_seq`, advanced by the `UPDATE` that holds
//!   the conversation's row lock until commit, so seqs have no gaps or duplicates.
//! - **The audit chain**'s "read the head, append the next record" step runs under the
//!   transaction-scoped advisory lock [`AUDIT_LOCK`], taken as the last step of every writing
//!   transaction, so the chain stays linear across instances. It is always taken last, after any
//!   row locks, so it cannot be part of a deadlock cycle.
//! - **Live events** reach the other instances through LISTEN/NOTIFY: a commit that stores
//!   messages or changes the state sends a [`ChangeNotice`] on [`EVENTS_CHANNEL`] inside its
//!   transaction (PostgreSQL delivers it only if the transaction commits). The notice carries
//!   ids only (conversation, seq range, new state), never content; [`PgStore::listen`] hands
//!   the notices of other instances to the caller, which re-reads the messages from the store.
//! - **Chat turns** (new conversations and commits) go through a group committer per instance
//!   (see [`loket_store::group`]): the turns queued at one moment share one transaction, so they
//!   share one audit-lock acquisition and one WAL flush instead of queueing for the lock one
//!   fsync at a time; a turn the database refuses is written again alone, so only its caller
//!   hears of it. Every group takes its row locks in conversation-id order, so two instances'
//!   groups cannot deadlock.
//! - **Erasure** deletes in one transaction and then runs a plain `VACUUM` on the touched tables
//!   (see [`PgStore::erase_conversations`](Store::erase_conversations) for what that does and
//!   does not guarantee).
//!
//! Errors: unique violations, serialisation failures and deadlocks become [`Error::Conflict`];
//! everything else, including a database that is down or a pool that timed out, becomes
//! [`Error::Backend`], which the server answers with 503 `unavailable`. The pool reconnects on
//! its own when the database returns.
//!
//! # Layout
//! - [`PgStore`]: the store; [`PoolSettings`]: pool size and timeouts.
//! - [`ChangeNotice`] and [`PgStore::listen`]: live events between instances.
//! - [`migrator`]: the embedded migrations; [`create_database`] for tests and first setup.

use std::str::FromStr;
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
use loket_store::group::{self, GroupError, Job, Turn, TurnResults};
use loket_store::{
    AuditAnchor, Checkpoint, Commit, ConversationRecord, CountRequest, Erased, Error, Expiry, NewConversation,
    QueueEntry, Result, SecondFactor, SecondFactorChange, StaffAccount, StaffSession, Stats, Store, SubjectRef, Ticket,
    TurnContext, VaultEntry, WebhookDelivery,
};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, Postgres, Row, SqlSafeStr, Transaction};

/// The advisory-lock key that serialises audit appends across all instances on one database
/// ("loket" in ASCII). Advisory locks are per database, so other databases on the same server
/// (other deployments, parallel tests) do not contend for it.
pub const AUDIT_LOCK: i64 = 0x006c_6f6b_6574;

/// The upsert of a rate counter, after its `INSERT … VALUES`/`SELECT` part, with `$1` the key,
/// `$2` the time, `$3` the window and `$4` the limit (microseconds): a closed window reopens with
/// this event; an open one counts it unless it is full, when the WHERE clause leaves the row alone
/// and nothing is returned.
macro_rules! count_upsert {
    () => {
        "ON CONFLICT (key) DO UPDATE SET
             window_start = CASE WHEN counter.window_end <= $2 THEN $2 ELSE counter.window_start END,
             window_end = CASE WHEN counter.window_end <= $2 THEN $2 + $3 ELSE counter.window_end END,
             count = CASE WHEN counter.window_end <= $2 THEN 1 ELSE counter.count + 1 END
         WHERE counter.window_end <= $2 OR counter.count < $4
         RETURNING count"
    };
}

/// A conversation's vault entries as three arrays in insertion order; the argument is the
/// parameter that holds the conversation's id.
macro_rules! vault_arrays {
    ($id:literal) => {
        concat!(
            "ARRAY(SELECT placeholder FROM vault WHERE conversation_id = ",
            $id,
            " ORDER BY position)
                 AS vault_placeholders,
             ARRAY(SELECT kind FROM vault WHERE conversation_id = ",
            $id,
            " ORDER BY position) AS vault_kinds,
             ARRAY(SELECT sealed FROM vault WHERE conversation_id = ",
            $id,
            " ORDER BY position) AS vault_sealed"
        )
    };
}

/// Most chat turns written in one transaction by the group committer: enough to share the lock
/// and the flush among every customer of a busy moment, few enough that the row locks a group
/// holds stay short.
const MAX_GROUP: usize = 64;
/// A pooled connection idle longer than this is pinged before use.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);
/// How often a turn's reads and a group's `BEGIN` are sent again after their connection turned
/// out dead (the server restarted or ended the session while it sat idle in the pool). A dead
/// connection is dropped when it returns to the pool, so the next attempt gets another one.
const LOST_CONNECTION_RETRIES: usize = 3;
/// Chat turns waiting for the group committer before senders wait for room.
const GROUP_QUEUE: usize = 1024;
/// Every this many counted events, [`PgStore::count_event`](Store::count_event) also deletes the
/// closed windows, so the counter table stays as small as the set of active keys.
const RATE_SWEEP_EVERY: u64 = 1024;

/// The LISTEN/NOTIFY channel of committed changes.
pub const EVENTS_CHANNEL: &str = "loket_events";

/// A change another instance committed, as announced on [`EVENTS_CHANNEL`]: ids only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNotice {
    /// The conversation.
    pub conversation: ConversationId,
    /// What happened to it.
    pub change: Change,
}

/// What a [`ChangeNotice`] announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A commit: messages `first_seq..=last_seq` were stored (none when `first_seq >
    /// last_seq`), the state changed when `state` is set, and a ticket was created.
    Committed {
        /// The first stored seq.
        first_seq: i64,
        /// The last stored seq.
        last_seq: i64,
        /// The new state, when it changed.
        state: Option<ConversationState>,
        /// A ticket was created.
        ticket: bool,
    },
    /// The conversation was erased.
    Erased,
}

impl ChangeNotice {
    /// The notification payload: `v1 <origin> <kind> <conversation> ...`, space-separated.
    fn payload(&self, origin: &str) -> String {
        match self.change {
            Change::Committed {
                first_seq,
                last_seq,
                state,
                ticket,
            } => format!(
                "v1 {origin} c {} {first_seq} {last_seq} {} {}",
                self.conversation,
                state.map_or("-", ConversationState::as_str),
                u8::from(ticket)
            ),
            Change::Erased => format!("v1 {origin} e {}", self.conversation),
        }
    }

    /// Parses a payload; returns the origin and the notice, or `None` when it is not one.
    fn parse(payload: &str) -> Option<(&str, ChangeNotice)> {
        let mut fields = payload.split(' ');
        if fields.next()? != "v1" {
            return None;
        }
        let origin = fields.next()?;
        let kind = fields.next()?;
        let conversation = ConversationId::parse(fields.next()?).ok()?;
        let change = match kind {
            "c" => {
                let first_seq = fields.next()?.parse().ok()?;
                let last_seq = fields.next()?.parse().ok()?;
                let state = match fields.next()? {
                    "-" => None,
                    name => Some(ConversationState::parse(name)?),
                };
                let ticket = fields.next()? == "1";
                Change::Committed {
                    first_seq,
                    last_seq,
                    state,
                    ticket,
                }
            }
            "e" => Change::Erased,
            _ => return None,
        };
        if fields.next().is_some() {
            return None;
        }
        Some((origin, ChangeNotice { conversation, change }))
    }
}

/// Pool size and timeouts, from the `[database]` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections this instance opens. Every instance has its own pool, so the server's
    /// `max_connections` must exceed the sum over instances.
    pub max_connections: u32,
    /// How long a request waits for a connection (including connecting) before it fails with
    /// [`Error::Backend`] (503). Keeps requests from hanging while the database is down.
    pub acquire_timeout: Duration,
    /// The server-side `statement_timeout`: a statement that runs longer is cancelled, so a
    /// slow database turns into 503 instead of piling up requests.
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// A PostgreSQL-backed store. Cloning shares the pool.
#[derive(Clone)]
pub struct PgStore {
    /// Reads and writes share one pool: PostgreSQL runs them side by side, and locks (not the
    /// pool) make writes safe.
    pool: PgPool,
    /// This instance's random id in change notices, so it skips its own.
    origin: String,
    /// The group committer: chat turns (new conversations and commits) queue here.
    turns: tokio::sync::mpsc::Sender<Job>,
    /// Rate-limited events counted by this instance, for the sweep of closed windows.
    counted: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// What one applied turn leaves for the end of its group: the messages it stored, the change to
/// announce, and its audit events with their time.
struct Applied {
    stored: Vec<StoredMessage>,
    notice: Option<ChangeNotice>,
    audit: Vec<AuditEvent>,
    now: DateTime<Utc>,
}

/// Applies `turns` in one transaction and commits it.
async fn write_turns(pool: &PgPool, origin: &str, turns: Vec<Turn>) -> std::result::Result<TurnResults, GroupError> {
    let mut transaction = again_on_lost_connection(|| pool.begin())
        .await
        .map_err(|error| GroupError::Failed(backend("begin")(error)))?;
    match apply_turns(&mut transaction, origin, turns).await {
        Ok(results) => {
            transaction
                .commit()
                .await
                .map_err(|error| GroupError::Failed(classify("commit")(error)))?;
            Ok(results)
        }
        // A rollback that works shows the connection does: the refusal was the statement's.
        Err(error) => match transaction.rollback().await {
            Ok(()) => Err(GroupError::Refused(error)),
            Err(_) => Err(GroupError::Failed(error)),
        },
    }
}

/// Applies every turn (one statement for the rows of all commits, one per new conversation),
/// then inserts all their messages and vault entries, announces the changes and appends all their audit records under
/// one acquisition of [`AUDIT_LOCK`]. An error leaves the transaction void.
async fn apply_turns(
    transaction: &mut Transaction<'static, Postgres>,
    origin: &str,
    turns: Vec<Turn>,
) -> Result<TurnResults> {
    let mut results = Vec::with_capacity(turns.len());
    let mut notices = Vec::new();
    let mut audit = Vec::new();
    let mut messages = MessageColumns::default();
    let mut vault = VaultColumns::default();
    let commits: Vec<&Commit> = turns
        .iter()
        .filter_map(|turn| match turn {
            Turn::Commit(commit) => Some(&**commit),
            Turn::Create(_) => None,
        })
        .collect();
    let mut updates = update_conversations(transaction, &commits).await?.into_iter();
    for turn in turns {
        let applied = match turn {
            Turn::Create(new) => Some(apply_create(transaction, *new, &mut messages).await?),
            Turn::Commit(commit) => {
                let updated = updates.next().flatten();
                apply_commit(transaction, *commit, updated, &mut messages, &mut vault).await?
            }
        };
        let Some(applied) = applied else {
            results.push(Err(Error::Conflict));
            continue;
        };
        notices.extend(applied.notice);
        audit.extend(applied.audit.into_iter().map(|event| (event, applied.now)));
        results.push(Ok(applied.stored));
    }
    // Every message and vault entry of the group in one statement each.
    messages.insert(transaction).await?;
    vault.insert(transaction).await?;
    // Queued now, delivered at commit; announcing before the audit lock keeps the time spent
    // holding that lock short.
    announce(transaction, origin, &notices).await?;
    append_audit_at(transaction, audit).await?;
    Ok(results)
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and runs the
    /// migrations that are not applied yet. Several instances may start at once: the migrator
    /// holds an advisory lock while it runs.
    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self> {
        let store = Self::connect_without_migrating(url, settings).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema (for tools that only read).
    pub async fn connect_without_migrating(url: &str, settings: PoolSettings) -> Result<Self> {
        let statement_timeout = format!("{}", settings.statement_timeout.as_millis().max(1));
        // The URL may carry a password: it is never part of an error text.
        let options = PgConnectOptions::from_str(url)
            .map_err(|_| Error::Backend("the database URL is not a valid postgres:// URL".into()))?
            .application_name("loket")
            .options([("statement_timeout", statement_timeout.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .acquire_timeout(settings.acquire_timeout)
            // The pool pings every connection it takes back, so a broken one never returns to
            // it. Pinging again before every use would double the round trips of a chat turn's
            // reads: only a connection idle for a while (the database may have restarted
            // meanwhile) is checked before use.
            .test_before_acquire(false)
            .before_acquire(|connection, metadata| {
                Box::pin(async move {
                    if metadata.idle_for > IDLE_BEFORE_PING {
                        connection.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(backend("connect to the database"))?;
        let origin = uuid::Uuid::new_v4().simple().to_string();
        let (turns, jobs) = tokio::sync::mpsc::channel(GROUP_QUEUE);
        let (committer, notices_from) = (pool.clone(), origin.clone());
        tokio::spawn(group::run(jobs, MAX_GROUP, move |turns| {
            let (pool, origin) = (committer.clone(), notices_from.clone());
            async move { write_turns(&pool, &origin, turns).await }
        }));
        Ok(Self {
            pool,
            origin,
            turns,
            counted: std::sync::Arc::default(),
        })
    }

    /// Listens for the changes other instances commit. Notices arrive in commit order; the
    /// receiver ends when the store's pool closes. While the listening connection is being
    /// re-established (the database restarted) notices are lost: live streams then catch up
    /// when the client reconnects or the next notice for the conversation arrives, because
    /// subscribers re-read from the store by seq.
    pub async fn listen(&self) -> Result<tokio::sync::mpsc::Receiver<ChangeNotice>> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool)
            .await
            .map_err(backend("listen for changes"))?;
        listener
            .listen(EVENTS_CHANNEL)
            .await
            .map_err(backend("listen for changes"))?;
        let (sender, receiver) = tokio::sync::mpsc::channel(1024);
        let origin = self.origin.clone();
        let pool = self.pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    received = listener.recv() => match received {
                        Ok(notification) => {
                            let Some((from, notice)) = ChangeNotice::parse(notification.payload()) else {
                                tracing::warn!("ignored a malformed change notice");
                                continue;
                            };
                            if from != origin && sender.send(notice).await.is_err() {
                                return;
                            }
                        }
                        Err(error) => {
                            // The listener reconnects on the next recv; do not spin meanwhile.
                            tracing::warn!(error = %describe(&error), "change listener lost its connection");
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                    },
                    () = sender.closed() => return,
                    () = pool.close_event() => return,
                }
            }
        });
        Ok(receiver)
    }

    /// Applies the migrations that are not applied yet and returns the schema version.
    ///
    /// Migrations the binary does not know (applied by a newer version during a rolling
    /// upgrade) are tolerated, so an older instance that restarts mid-upgrade still starts.
    pub async fn migrate(&self) -> Result<i64> {
        let mut migrator = migrator();
        migrator.set_ignore_missing(true);
        migrator
            .run(&self.pool)
            .await
            .map_err(|error| Error::Backend(format!("migrate: {error}")))?;
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(backend("read schema version"))
    }

    /// The pool, for the live-event listener and tests.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs `query` (an `UPDATE conversations … WHERE id = $2` with `$1` bound) for conversation
    /// `id` and appends `audit`, in one transaction; [`Error::NotFound`] for an unknown
    /// conversation.
    async fn update_conversation(
        &self,
        query: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
        id: &ConversationId,
        audit: AuditEvent,
        now: DateTime<Utc>,
        what: &'static str,
    ) -> Result<()> {
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
        transaction.commit().await.map_err(classify("commit"))
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(backend("begin"))
    }

    /// Every [`RATE_SWEEP_EVERY`]th counted event also deletes the closed windows.
    async fn sweep_rate_counters(&self, now: DateTime<Utc>) -> Result<()> {
        if self
            .counted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(RATE_SWEEP_EVERY)
        {
            sqlx::query("DELETE FROM rate_counters WHERE window_end <= $1")
                .bind(micros(now))
                .execute(&self.pool)
                .await
                .map_err(backend("sweep rate counters"))?;
        }
        Ok(())
    }
}

/// Creates the empty database `name` on the server that `server_url` points at and returns the
/// new database's URL (the same URL with the database name replaced). For tests and first-time
/// setup; `name` must be 1 to 63 lowercase ASCII letters, digits and underscores, starting with
/// a letter, so it needs no quoting.
pub async fn create_database(server_url: &str, name: &str) -> Result<String> {
    let plain = name.len() <= 63
        && name.starts_with(|first: char| first.is_ascii_lowercase())
        && name
            .chars()
            .all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_');
    if !plain {
        return Err(Error::Backend(
            "a database name must be a plain lowercase identifier".into(),
        ));
    }
    let options = PgConnectOptions::from_str(server_url)
        .map_err(|_| Error::Backend("the database URL is not a valid postgres:// URL".into()))?;
    let mut connection = sqlx::postgres::PgConnection::connect_with(&options)
        .await
        .map_err(backend("connect to the database server"))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut connection)
        .await
        .map_err(classify("create database"))?;
    connection.close().await.map_err(backend("close connection"))?;
    Ok(with_database(server_url, name))
}

/// `url` with its database name replaced by `name`; query parameters are kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |scheme| scheme + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
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
            "rate counters".into(),
            MigrationType::Simple,
            include_str!("../migrations/0002_rate_counters.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "disclosure trigger for AI rows only".into(),
            MigrationType::Simple,
            include_str!("../migrations/0003_disclosure_trigger_when.sql").into_sql_str(),
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
            "agents online per instance".into(),
            MigrationType::Simple,
            include_str!("../migrations/0011_staff_presence.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            12,
            "why a customer waits for a person".into(),
            MigrationType::Simple,
            include_str!("../migrations/0012_handover_reason.sql").into_sql_str(),
            false,
        ),
    ])
}

#[async_trait]
impl Store for PgStore {
    async fn create_conversation(&self, new: NewConversation) -> Result<Vec<StoredMessage>> {
        group::submit(&self.turns, |reply| Job::Create(Box::new(new), reply)).await
    }

    async fn conversation(&self, id: &ConversationId) -> Result<ConversationRecord> {
        let row = again_on_lost_connection(|| {
            sqlx::query("SELECT * FROM conversations WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
        })
        .await
        .map_err(backend("read conversation"))?
        .ok_or(Error::NotFound)?;
        record_from_row(&row)
    }

    /// One statement: the conversation row with its vault entries as three arrays in insertion
    /// order, and with the count (when asked) as a data-modifying CTE on the unlogged counters.
    /// The statement's snapshot makes the parts consistent with each other.
    async fn turn_context(&self, id: &ConversationId, count: Option<&CountRequest>) -> Result<TurnContext> {
        let row = match count {
            None => again_on_lost_connection(|| {
                sqlx::query(concat!(
                    "SELECT conversations.*, ",
                    vault_arrays!("$1"),
                    ", NULL::BOOLEAN AS counted FROM conversations WHERE id = $1"
                ))
                .bind(id.as_str())
                .fetch_optional(&self.pool)
            })
            .await
            .map_err(backend("read a turn's context"))?,
            Some(count) => {
                self.sweep_rate_counters(count.now).await?;
                // Sent again only when the connection was dead: the statement then did not run.
                again_on_lost_connection(|| {
                    sqlx::query(concat!(
                        "WITH counted AS (
                             INSERT INTO rate_counters AS counter (key, window_start, window_end, count)
                             SELECT $1, $2, $2 + $3, 1
                             WHERE EXISTS (SELECT 1 FROM conversations WHERE id = $5 AND token_hash = $6) ",
                        count_upsert!(),
                        ")
                         SELECT conversations.*, ",
                        vault_arrays!("$5"),
                        ", $4 > 0 AND EXISTS (SELECT 1 FROM counted) AS counted FROM conversations WHERE id = $5"
                    ))
                    .bind(&count.key)
                    .bind(micros(count.now))
                    .bind(i64::from(count.window_seconds) * 1_000_000)
                    .bind(i64::from(count.limit))
                    .bind(id.as_str())
                    .bind(&count.token_hash)
                    .fetch_optional(&self.pool)
                })
                .await
                .map_err(backend("read a turn's context"))?
            }
        }
        .ok_or(Error::NotFound)?;
        let read = backend("read a turn's context");
        let placeholders: Vec<String> = row.try_get("vault_placeholders").map_err(&read)?;
        let kinds: Vec<String> = row.try_get("vault_kinds").map_err(&read)?;
        let sealed: Vec<Vec<u8>> = row.try_get("vault_sealed").map_err(&read)?;
        if placeholders.len() != kinds.len() || kinds.len() != sealed.len() {
            return Err(Error::Backend(
                "read a turn's context: vault columns differ in length".into(),
            ));
        }
        let vault = placeholders
            .into_iter()
            .zip(kinds)
            .zip(sealed)
            .map(|((placeholder, kind), sealed)| VaultEntry {
                placeholder,
                kind,
                sealed,
            })
            .collect();
        Ok(TurnContext {
            record: record_from_row(&row)?,
            data_key: row.try_get("data_key").map_err(&read)?,
            vault,
            counted: row.try_get("counted").map_err(&read)?,
        })
    }

    async fn commit(&self, commit: Commit) -> Result<Vec<StoredMessage>> {
        group::submit(&self.turns, |reply| Job::Commit(Box::new(commit), reply)).await
    }

    async fn messages(&self, id: &ConversationId, after: i64, limit: u32) -> Result<Vec<StoredMessage>> {
        let rows = sqlx::query("SELECT * FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
            .bind(id.as_str())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend("read messages"))?;
        rows.iter().map(message_from_row).collect()
    }

    async fn data_key(&self, id: &ConversationId) -> Result<Vec<u8>> {
        sqlx::query_scalar("SELECT data_key FROM conversations WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read data key"))?
            .ok_or(Error::NotFound)
    }

    async fn vault(&self, id: &ConversationId) -> Result<Vec<VaultEntry>> {
        let rows =
            sqlx::query("SELECT placeholder, kind, sealed FROM vault WHERE conversation_id = $1 ORDER BY position")
                .bind(id.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(backend("read vault"))?;
        rows.iter()
            .map(|row| {
                let read = backend("read vault");
                Ok(VaultEntry {
                    placeholder: row.try_get("placeholder").map_err(&read)?,
                    kind: row.try_get("kind").map_err(&read)?,
                    sealed: row.try_get("sealed").map_err(&read)?,
                })
            })
            .collect()
    }

    async fn append_audit(&self, events: Vec<AuditEvent>, now: DateTime<Utc>) -> Result<()> {
        let mut transaction = self.begin().await?;
        append_audit(&mut transaction, events, now).await?;
        transaction.commit().await.map_err(classify("commit"))
    }

    async fn audit_records(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_records_of_kind(&self, kind: AuditKind, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        // The indexed kinds are named as literals: the planner uses a partial index only when the
        // query states its condition.
        let indexed = match kind {
            AuditKind::RightsRequestRecorded => Some(
                "SELECT * FROM audit_log WHERE kind = 'rights_request_recorded' AND seq > $1 ORDER BY seq LIMIT $2",
            ),
            AuditKind::BreachRecorded => {
                Some("SELECT * FROM audit_log WHERE kind = 'breach_recorded' AND seq > $1 ORDER BY seq LIMIT $2")
            }
            _ => None,
        };
        let query = match indexed {
            Some(sql) => sqlx::query(sql).bind(after).bind(i64::from(limit)),
            None => sqlx::query("SELECT * FROM audit_log WHERE kind = $1 AND seq > $2 ORDER BY seq LIMIT $3")
                .bind(kind.as_str())
                .bind(after)
                .bind(i64::from(limit)),
        };
        let rows = query.fetch_all(&self.pool).await.map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn conversation_audit(&self, id: &ConversationId) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE conversation_id = $1 ORDER BY seq")
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn queue(&self) -> Result<Vec<QueueEntry>> {
        let rows =
            sqlx::query("SELECT * FROM conversations WHERE state = 'waiting_for_agent' ORDER BY waiting_since, id")
                .fetch_all(&self.pool)
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
            "SELECT * FROM conversations WHERE state = 'with_agent' AND assigned_agent = $1
             ORDER BY last_activity_at DESC",
        )
        .bind(agent.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend("read held conversations"))?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn stats(&self) -> Result<Stats> {
        let mut stats = Stats::default();
        let states = sqlx::query("SELECT state, COUNT(*) AS n FROM conversations GROUP BY state")
            .fetch_all(&self.pool)
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
            .fetch_all(&self.pool)
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
            .fetch_one(&self.pool)
            .await
            .map_err(backend("count audit records"))?;
        stats.open_tickets = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status = 'open'")
            .fetch_one(&self.pool)
            .await
            .map_err(backend("count tickets"))?;
        stats.statutory_kept =
            sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE statutory_ground IS NOT NULL")
                .fetch_one(&self.pool)
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
        .fetch_one(&self.pool)
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
            "INSERT INTO staff (id, display_name, role, password_hash, created_at, ai_literacy, languages)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
        transaction.commit().await.map_err(classify("commit"))
    }

    async fn staff(&self, id: &AgentId) -> Result<StaffAccount> {
        let row = sqlx::query("SELECT * FROM staff WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read staff"))?
            .ok_or(Error::NotFound)?;
        let read = backend("read staff");
        let role: String = row.try_get("role").map_err(&read)?;
        Ok(StaffAccount {
            id: id.clone(),
            display_name: row.try_get("display_name").map_err(&read)?,
            role: Role::parse(&role).ok_or_else(|| Error::Backend("unknown staff role".into()))?,
            password_hash: row.try_get("password_hash").map_err(&read)?,
            created_at: from_micros(row.try_get("created_at").map_err(&read)?),
            ai_literacy: row.try_get("ai_literacy").map_err(&read)?,
            languages: loket_store::parse_languages_column(&row.try_get::<String, _>("languages").map_err(&read)?)?,
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
        let row = sqlx::query(
            "SELECT totp_secret, totp_pending, totp_last_step, recovery_codes FROM staff WHERE id = $1 FOR UPDATE",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *transaction)
        .await
        .map_err(backend("read second factor"))?
        .ok_or(Error::NotFound)?;
        let Some(next) = second_factor_from_row(&row)?.apply(&change) else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE staff SET totp_secret = $1, totp_pending = $2, totp_last_step = $3, recovery_codes = $4 WHERE id = $5",
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
            sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
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
        let changed = sqlx::query("UPDATE staff SET languages = $1 WHERE id = $2")
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
        transaction.commit().await.map_err(classify("commit"))
    }

    async fn create_session(&self, session: &StaffSession, audit: AuditEvent) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5)",
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
        transaction.commit().await.map_err(classify("commit"))
    }

    async fn session(&self, token_hash: &str) -> Result<StaffSession> {
        let row = sqlx::query("SELECT * FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read session"))?
            .ok_or(Error::NotFound)?;
        let read = backend("read session");
        let staff_id: String = row.try_get("staff_id").map_err(&read)?;
        Ok(StaffSession {
            token_hash: token_hash.to_string(),
            staff_id: AgentId::parse(&staff_id).map_err(|_| Error::Backend("bad staff id in session".into()))?,
            csrf_token: row.try_get("csrf_token").map_err(&read)?,
            created_at: from_micros(row.try_get("created_at").map_err(&read)?),
            last_seen_at: from_micros(row.try_get("last_seen_at").map_err(&read)?),
        })
    }

    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(micros(now))
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend("touch session"))?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str, audit: Option<AuditEvent>, now: DateTime<Utc>) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *transaction)
            .await
            .map_err(backend("delete session"))?;
        append_audit(&mut transaction, audit.into_iter().collect(), now).await?;
        transaction.commit().await.map_err(classify("commit"))
    }

    async fn open_tickets(&self) -> Result<Vec<Ticket>> {
        let rows = sqlx::query("SELECT * FROM tickets WHERE status = 'open' ORDER BY created_at DESC LIMIT 500")
            .fetch_all(&self.pool)
            .await
            .map_err(backend("read tickets"))?;
        rows.iter().map(ticket_from_row).collect()
    }

    async fn conversation_ids(&self, after: Option<&ConversationId>, limit: u32) -> Result<Vec<ConversationId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM conversations WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.map(ConversationId::as_str).unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend("list conversations"))?;
        parse_ids(ids)
    }

    async fn conversations_of_subject(&self, subject_hash: &str) -> Result<Vec<ConversationId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE subject_hash = $1 ORDER BY created_at, id")
                .bind(subject_hash)
                .fetch_all(&self.pool)
                .await
                .map_err(backend("find conversations of a subject"))?;
        parse_ids(ids)
    }

    async fn tickets(&self, id: &ConversationId) -> Result<Vec<Ticket>> {
        let rows = sqlx::query("SELECT * FROM tickets WHERE conversation_id = $1 ORDER BY created_at, id")
            .bind(id.as_str())
            .fetch_all(&self.pool)
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
        let query = sqlx::query("UPDATE conversations SET legal_hold = $1 WHERE id = $2").bind(hold);
        self.update_conversation(query, id, audit, now, "set legal hold").await
    }

    async fn set_statutory_ground(
        &self,
        id: &ConversationId,
        ground: Option<String>,
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let query = sqlx::query("UPDATE conversations SET statutory_ground = $1 WHERE id = $2").bind(ground);
        self.update_conversation(query, id, audit, now, "set statutory ground")
            .await
    }

    /// Deletes in one transaction, then runs a plain `VACUUM` on the four touched tables.
    ///
    /// What PostgreSQL guarantees, stated plainly: after the commit no query can see the rows;
    /// after the `VACUUM` their space in the table and index files is marked free and is
    /// overwritten as new rows arrive, but the old bytes may stay in those free areas, in the
    /// write-ahead log until it is recycled (at checkpoints), and in base backups. `VACUUM FULL`
    /// would rewrite the tables but locks them for its whole run, so it is left to the
    /// operator's maintenance window. A failed `VACUUM` is logged and does not undo the erasure.
    async fn erase_conversations(
        &self,
        ids: &[ConversationId],
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<Erased> {
        let mut transaction = self.begin().await?;
        let mut erased = Erased::default();
        let mut notices = Vec::new();
        for id in ids {
            // The row lock keeps a concurrent legal hold from slipping in between check and delete.
            let hold: Option<bool> =
                sqlx::query_scalar("SELECT legal_hold FROM conversations WHERE id = $1 FOR UPDATE")
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
            let deleted = delete_conversation(&mut transaction, id).await?;
            erased.conversations += deleted;
            if deleted > 0 {
                notices.push(ChangeNotice {
                    conversation: id.clone(),
                    change: Change::Erased,
                });
            }
        }
        announce(&mut transaction, &self.origin, &notices).await?;
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
        transaction.commit().await.map_err(classify("commit"))?;
        if erased.conversations > 0 {
            // VACUUM cannot run in a transaction block: the simple query protocol sends it alone.
            if let Err(error) = sqlx::raw_sql("VACUUM conversations, messages, vault, tickets")
                .execute(&self.pool)
                .await
            {
                tracing::warn!(error = %describe(&error), "vacuum after erasure failed");
            }
        }
        Ok(erased)
    }

    async fn expire(&self, expiry: Expiry, limit: u32, audit: AuditEvent, now: DateTime<Utc>) -> Result<u64> {
        let limit = i64::from(limit.max(1));
        let mut transaction = self.begin().await?;
        let store = expiry.store();
        let removed = match expiry {
            Expiry::Transcripts(before) | Expiry::SensitiveTranscripts(before) => {
                let sensitive_only = matches!(expiry, Expiry::SensitiveTranscripts(_));
                // SKIP LOCKED: two instances running retention at once take different batches
                // instead of waiting for each other.
                let expired = sqlx::query_scalar(
                    "SELECT id FROM conversations
                     WHERE last_activity_at < $1 AND NOT legal_hold AND statutory_ground IS NULL
                         AND (NOT $2 OR sensitive_at IS NOT NULL)
                     ORDER BY last_activity_at, id LIMIT $3
                     FOR UPDATE SKIP LOCKED",
                )
                .bind(micros(before))
                .bind(sensitive_only)
                .bind(limit);
                delete_expired(&mut transaction, expired).await?
            }
            Expiry::StatutoryTranscripts { ground, before } => {
                let expired = sqlx::query_scalar(
                    "SELECT id FROM conversations
                     WHERE last_activity_at < $1 AND NOT legal_hold AND statutory_ground = $2
                     ORDER BY last_activity_at, id LIMIT $3
                     FOR UPDATE SKIP LOCKED",
                )
                .bind(micros(before))
                .bind(ground)
                .bind(limit);
                delete_expired(&mut transaction, expired).await?
            }
            Expiry::UnlistedStatutoryTranscripts { listed, before } => {
                let expired = sqlx::query_scalar(
                    "SELECT id FROM conversations
                     WHERE last_activity_at < $1 AND NOT legal_hold AND statutory_ground IS NOT NULL
                         AND NOT (statutory_ground = ANY($2))
                     ORDER BY last_activity_at, id LIMIT $3
                     FOR UPDATE SKIP LOCKED",
                )
                .bind(micros(before))
                .bind(listed)
                .bind(limit);
                delete_expired(&mut transaction, expired).await?
            }
            Expiry::Vault(before) => sqlx::query(
                "DELETE FROM vault WHERE position IN (
                     SELECT vault.position FROM vault JOIN conversations ON conversations.id = vault.conversation_id
                     WHERE conversations.last_activity_at < $1 AND NOT conversations.legal_hold
                         AND conversations.statutory_ground IS NULL
                     ORDER BY vault.position LIMIT $2)",
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
                     WHERE tickets.created_at < $1 AND NOT conversations.legal_hold
                     ORDER BY tickets.created_at, tickets.id LIMIT $2)",
            )
            .bind(micros(before))
            .bind(limit)
            .execute(&mut *transaction)
            .await
            .map_err(backend("expire tickets"))?
            .rows_affected(),
            Expiry::Audit(before) => {
                // Moving the anchor changes the chain: take the chain's lock first.
                lock_audit_chain(&mut transaction).await?;
                let last: Option<(i64, String)> = sqlx::query_as(
                    "SELECT seq, hash FROM (SELECT seq, hash FROM audit_log WHERE at < $1 ORDER BY seq LIMIT $2) AS expired
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
                            "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, $1, $2)
                             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                        )
                        .bind(seq)
                        .bind(&hash)
                        .execute(&mut *transaction)
                        .await
                        .map_err(backend("move audit anchor"))?;
                        sqlx::query("DELETE FROM audit_checkpoints WHERE seq <= $1")
                            .bind(seq)
                            .execute(&mut *transaction)
                            .await
                            .map_err(backend("expire checkpoints"))?;
                        sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
                            .bind(seq)
                            .execute(&mut *transaction)
                            .await
                            .map_err(backend("expire audit records"))?
                            .rows_affected()
                    }
                }
            }
            Expiry::DeliveryLog(before) => sqlx::query(
                "DELETE FROM webhook_deliveries WHERE id IN (
                     SELECT id FROM webhook_deliveries WHERE at < $1 ORDER BY id LIMIT $2)",
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
        transaction.commit().await.map_err(classify("commit"))?;
        Ok(removed)
    }

    async fn audit_anchor(&self) -> Result<Option<AuditAnchor>> {
        let row: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_anchor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read audit anchor"))?;
        Ok(row.map(|(seq, hash)| AuditAnchor { seq, hash }))
    }

    async fn audit_head(&self) -> Result<Option<AuditRecord>> {
        sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("read audit head"))?
            .as_ref()
            .map(audit_from_row)
            .transpose()
    }

    async fn append_checkpoint(&self, checkpoint: &Checkpoint) -> Result<()> {
        sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES ($1, $2, $3, $4, $5)")
            .bind(checkpoint.seq)
            .bind(&checkpoint.hash)
            .bind(micros(checkpoint.at))
            .bind(&checkpoint.public_key)
            .bind(&checkpoint.signature)
            .execute(&self.pool)
            .await
            .map_err(classify("insert checkpoint"))?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        let rows = sqlx::query("SELECT * FROM audit_checkpoints ORDER BY seq")
            .fetch_all(&self.pool)
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
        sqlx::query(
            "INSERT INTO webhook_deliveries (delivery, event, url, attempt, status, outcome, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&delivery.delivery)
        .bind(&delivery.event)
        .bind(&delivery.url)
        .bind(i64::from(delivery.attempt))
        .bind(delivery.status.map(i64::from))
        .bind(&delivery.outcome)
        .bind(micros(delivery.at))
        .execute(&self.pool)
        .await
        .map_err(backend("record webhook delivery"))?;
        Ok(())
    }

    async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>> {
        let rows = sqlx::query("SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
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

    fn shared(&self) -> bool {
        true
    }

    /// One upsert on an unlogged table: no WAL, no flush to wait for. Every
    /// `RATE_SWEEP_EVERY`th count also removes the windows that have closed.
    async fn count_event(&self, key: &str, limit: u32, window_seconds: u32, now: DateTime<Utc>) -> Result<bool> {
        self.sweep_rate_counters(now).await?;
        // Sent again only when the connection was dead: the statement then did not run.
        let counted: Option<i32> = again_on_lost_connection(|| {
            sqlx::query_scalar(concat!(
                "INSERT INTO rate_counters AS counter (key, window_start, window_end, count)
                 VALUES ($1, $2, $2 + $3, 1) ",
                count_upsert!()
            ))
            .bind(key)
            .bind(micros(now))
            .bind(i64::from(window_seconds) * 1_000_000)
            .bind(i64::from(limit))
            .fetch_optional(&self.pool)
        })
        .await
        .map_err(backend("count a rate-limited event"))?;
        Ok(limit > 0 && counted.is_some())
    }

    async fn share_presence(
        &self,
        instance: &str,
        agents: &[(AgentId, Vec<Locale>)],
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<Vec<(AgentId, Vec<Locale>)>> {
        let mut transaction = self.begin().await?;
        sqlx::query("DELETE FROM staff_presence WHERE instance = $1 OR seen_at < $2")
            .bind(instance)
            .bind(micros(since))
            .execute(&mut *transaction)
            .await
            .map_err(backend("publish presence"))?;
        let (ids, languages): (Vec<&str>, Vec<String>) = agents
            .iter()
            .map(|(agent, languages)| (agent.as_str(), loket_store::languages_column(languages)))
            .unzip();
        sqlx::query(
            "INSERT INTO staff_presence (instance, agent_id, languages, seen_at)
             SELECT $1, agent, languages, $4 FROM UNNEST($2::text[], $3::text[]) AS published (agent, languages)",
        )
        .bind(instance)
        .bind(&ids)
        .bind(&languages)
        .bind(micros(now))
        .execute(&mut *transaction)
        .await
        .map_err(backend("publish presence"))?;
        let rows = sqlx::query("SELECT agent_id, languages FROM staff_presence WHERE instance <> $1 ORDER BY agent_id")
            .bind(instance)
            .fetch_all(&mut *transaction)
            .await
            .map_err(backend("read presence"))?;
        transaction.commit().await.map_err(classify("commit"))?;
        let mut online: Vec<(AgentId, Vec<Locale>)> = Vec::new();
        for row in rows {
            let read = backend("read presence");
            let agent: String = row.try_get("agent_id").map_err(&read)?;
            let agent = AgentId::parse(&agent).map_err(|_| Error::Backend("invalid agent id in presence".into()))?;
            let languages =
                loket_store::parse_languages_column(&row.try_get::<String, _>("languages").map_err(&read)?)?;
            match online.last_mut() {
                Some((last, known)) if *last == agent => {
                    known.extend(languages);
                    known.sort();
                    known.dedup();
                }
                _ => online.push((agent, languages)),
            }
        }
        Ok(online)
    }
}

/// Updates the rows of every commit of a group in one statement, checking each one's version and
/// reserving the seqs of its messages, and returns per commit (in order) the state before the
/// update and the first reserved seq, or `None` when the version moved on (stale).
///
/// In READ COMMITTED a concurrent writer of the same row makes the statement wait for it and then
/// re-check `version` against the winner's row: exactly one of them matches. The self-join returns
/// the state before the update, for the change notice. The row lock taken until commit makes a
/// concurrent writer wait and then fail the version check. Two commits of one conversation in one
/// group both expect the same version, so only one of them is applied and the other is stale.
async fn update_conversations(
    transaction: &mut Transaction<'static, Postgres>,
    commits: &[&Commit],
) -> Result<Vec<Option<(String, i64)>>> {
    if commits.is_empty() {
        return Ok(Vec::new());
    }
    let mut columns = UpdateColumns::default();
    for commit in commits {
        let conversation = &commit.conversation;
        columns.id.push(conversation.id.as_str().to_string());
        columns.version.push(conversation.version);
        columns.state.push(conversation.state.as_str().to_string());
        columns.agent.push(
            conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.id.as_str().to_string()),
        );
        columns.agent_name.push(
            conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.display_name.clone()),
        );
        columns.last_activity_at.push(micros(conversation.last_activity_at));
        columns
            .last_disclosure_at
            .push(conversation.last_disclosure_at.map(micros));
        columns.waiting_since.push(conversation.waiting_since.map(micros));
        columns
            .abstentions
            .push(i64::from(conversation.consecutive_abstentions));
        columns.fingerprint.push(conversation.last_question_fingerprint.clone());
        columns.count.push(seq_count(&commit.messages));
        columns.sensitive.push(commit.sensitive);
        columns.now.push(micros(commit.now));
        columns
            .handover_reason
            .push(conversation.handover_reason.map(|reason| reason.as_str().to_string()));
    }
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "UPDATE conversations AS target SET state = batch.state, assigned_agent = batch.agent,
             assigned_agent_name = batch.agent_name, last_activity_at = batch.last_activity_at,
             last_disclosure_at = batch.last_disclosure_at, waiting_since = batch.waiting_since,
             consecutive_abstentions = batch.abstentions, last_question_fingerprint = batch.fingerprint,
             version = target.version + 1, next_seq = target.next_seq + batch.count,
             sensitive_at = CASE WHEN batch.sensitive THEN COALESCE(target.sensitive_at, batch.now)
                 ELSE target.sensitive_at END,
             handover_reason = batch.handover_reason
         FROM conversations AS previous,
             UNNEST($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::BIGINT[],
                 $8::BIGINT[], $9::BIGINT[], $10::TEXT[], $11::BIGINT[], $12::BOOLEAN[], $13::BIGINT[],
                 $14::TEXT[])
                 WITH ORDINALITY AS batch (id, version, state, agent, agent_name, last_activity_at,
                     last_disclosure_at, waiting_since, abstentions, fingerprint, count, sensitive, now,
                     handover_reason, n)
         WHERE target.id = batch.id AND target.version = batch.version
             AND previous.id = target.id AND previous.version = batch.version
         RETURNING batch.n, previous.state, target.next_seq - batch.count",
    )
    .bind(columns.id)
    .bind(columns.version)
    .bind(columns.state)
    .bind(columns.agent)
    .bind(columns.agent_name)
    .bind(columns.last_activity_at)
    .bind(columns.last_disclosure_at)
    .bind(columns.waiting_since)
    .bind(columns.abstentions)
    .bind(columns.fingerprint)
    .bind(columns.count)
    .bind(columns.sensitive)
    .bind(columns.now)
    .bind(columns.handover_reason)
    .fetch_all(&mut **transaction)
    .await
    .map_err(classify("update conversations"))?;
    let mut updated = vec![None; commits.len()];
    for (n, previous_state, first_seq) in rows {
        // WITH ORDINALITY counts from 1.
        if let Some(slot) = usize::try_from(n - 1).ok().and_then(|index| updated.get_mut(index)) {
            *slot = Some((previous_state, first_seq));
        }
    }
    Ok(updated)
}

/// Commits' conversation changes as columns, for [`update_conversations`].
#[derive(Default)]
struct UpdateColumns {
    id: Vec<String>,
    version: Vec<i64>,
    state: Vec<String>,
    agent: Vec<Option<String>>,
    agent_name: Vec<Option<String>>,
    last_activity_at: Vec<i64>,
    last_disclosure_at: Vec<Option<i64>>,
    waiting_since: Vec<Option<i64>>,
    abstentions: Vec<i64>,
    fingerprint: Vec<Option<String>>,
    count: Vec<i64>,
    sensitive: Vec<bool>,
    now: Vec<i64>,
    handover_reason: Vec<Option<String>>,
}

/// Inserts a new conversation with its first messages (one turn of a group).
async fn apply_create(
    transaction: &mut Transaction<'static, Postgres>,
    new: NewConversation,
    rows: &mut MessageColumns,
) -> Result<Applied> {
    let NewConversation {
        conversation,
        token_hash,
        data_key,
        subject,
        messages,
        audit,
        now,
    } = new;
    let conversation = &conversation;
    sqlx::query(
        "INSERT INTO conversations (id, token_hash, data_key, locale, state, assigned_agent, assigned_agent_name,
            created_at, last_activity_at, last_disclosure_at, waiting_since, consecutive_abstentions,
            last_question_fingerprint, subject_hash, subject_sealed, next_seq, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0)",
    )
    .bind(conversation.id.as_str())
    .bind(&token_hash)
    .bind(&data_key)
    .bind(conversation.locale.as_str())
    .bind(conversation.state.as_str())
    .bind(
        conversation
            .assigned_agent
            .as_ref()
            .map(|agent| agent.id.as_str().to_string()),
    )
    .bind(
        conversation
            .assigned_agent
            .as_ref()
            .map(|agent| agent.display_name.clone()),
    )
    .bind(micros(conversation.created_at))
    .bind(micros(conversation.last_activity_at))
    .bind(conversation.last_disclosure_at.map(micros))
    .bind(conversation.waiting_since.map(micros))
    .bind(i64::from(conversation.consecutive_abstentions))
    .bind(conversation.last_question_fingerprint.as_deref())
    .bind(subject.as_ref().map(|subject| subject.hash.clone()))
    .bind(subject.map(|subject| subject.sealed))
    .bind(1 + seq_count(&messages))
    .execute(&mut **transaction)
    .await
    .map_err(classify("insert conversation"))?;
    let stored = rows.add(&conversation.id, 1, messages, now)?;
    Ok(Applied {
        stored,
        notice: None,
        audit,
        now,
    })
}

/// Applies a commit whose conversation row [`update_conversations`] updated (`updated`: the
/// state before and the first reserved seq) or found stale (`None`: nothing was written). Its
/// messages and vault entries join the group's rows; the notice and the audit events are left for
/// the end of the group.
async fn apply_commit(
    transaction: &mut Transaction<'static, Postgres>,
    commit: Commit,
    updated: Option<(String, i64)>,
    rows: &mut MessageColumns,
    vault: &mut VaultColumns,
) -> Result<Option<Applied>> {
    let conversation = &commit.conversation;
    let Some((previous_state, first_seq)) = updated else {
        // Stale: nothing was written, and the transaction goes on.
        return Ok(None);
    };
    let stored = rows.add(&conversation.id, first_seq, commit.messages, commit.now)?;
    let state_changed = previous_state != conversation.state.as_str();
    let ticket_created = commit.ticket.is_some();
    for entry in commit.vault {
        vault.conversation.push(conversation.id.as_str().to_string());
        vault.placeholder.push(entry.placeholder);
        vault.kind.push(entry.kind);
        vault.sealed.push(entry.sealed);
    }
    if let Some(ticket) = commit.ticket {
        sqlx::query(
            "INSERT INTO tickets (id, conversation_id, kind, name, phone, email, preferred_time, note, created_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&ticket.id)
        .bind(ticket.conversation_id.as_str())
        .bind(&ticket.kind)
        .bind(&ticket.name)
        .bind(&ticket.phone)
        .bind(&ticket.email)
        .bind(&ticket.preferred_time)
        .bind(&ticket.note)
        .bind(micros(ticket.created_at))
        .bind(&ticket.status)
        .execute(&mut **transaction)
        .await
        .map_err(classify("insert ticket"))?;
    }
    let notice = (!stored.is_empty() || state_changed || ticket_created).then(|| ChangeNotice {
        conversation: conversation.id.clone(),
        change: Change::Committed {
            first_seq: stored.first().map_or(1, |message| message.seq),
            last_seq: stored.last().map_or(0, |message| message.seq),
            state: state_changed.then_some(conversation.state),
            ticket: ticket_created,
        },
    });
    Ok(Some(Applied {
        stored,
        notice,
        audit: commit.audit,
        now: commit.now,
    }))
}

/// Announces changes, in order, in one statement; PostgreSQL delivers them when (and only if)
/// the transaction commits.
async fn announce(
    transaction: &mut Transaction<'static, Postgres>,
    origin: &str,
    notices: &[ChangeNotice],
) -> Result<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = notices.iter().map(|notice| notice.payload(origin)).collect();
    sqlx::query(
        "SELECT pg_notify($1, batch.payload) FROM UNNEST($2::TEXT[]) WITH ORDINALITY AS batch (payload, n)
         ORDER BY batch.n",
    )
    .bind(EVENTS_CHANNEL)
    .bind(payloads)
    .execute(&mut **transaction)
    .await
    .map_err(backend("announce changes"))?;
    Ok(())
}

/// How many seqs `messages` take.
fn seq_count(messages: &[NewMessage]) -> i64 {
    i64::try_from(messages.len()).unwrap_or(i64::MAX)
}

/// Messages of a group as columns, for one multi-row INSERT. Rows are inserted in array order,
/// so the disclosure trigger of a later row sees the disclosure inserted by an earlier row of the
/// same statement.
#[derive(Default)]
struct MessageColumns {
    id: Vec<String>,
    conversation: Vec<String>,
    seq: Vec<i64>,
    author: Vec<String>,
    kind: Vec<String>,
    text: Vec<String>,
    author_label: Vec<String>,
    lang: Vec<String>,
    citations: Vec<String>,
    offers_human: Vec<bool>,
    created_at: Vec<i64>,
    suggestions: Vec<String>,
    generated_by: Vec<Option<String>>,
}

impl MessageColumns {
    /// Adds `messages` with the seqs from `first_seq` on, which the caller reserved in the
    /// conversation's row, and returns them as they will be stored.
    fn add(
        &mut self,
        conversation_id: &ConversationId,
        first_seq: i64,
        messages: Vec<NewMessage>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredMessage>> {
        // Stored times have microsecond precision; return exactly what a later read returns.
        let now = from_micros(micros(now));
        let mut stored = Vec::with_capacity(messages.len());
        for (offset, message) in messages.into_iter().enumerate() {
            let seq = first_seq + i64::try_from(offset).unwrap_or(i64::MAX);
            let id = uuid::Uuid::now_v7().to_string();
            self.id.push(id.clone());
            self.conversation.push(conversation_id.as_str().to_string());
            self.seq.push(seq);
            self.author.push(message.author.as_str().to_string());
            self.kind.push(message.kind.as_str().to_string());
            self.text.push(message.text.clone());
            self.author_label.push(message.author_label.clone());
            self.lang.push(message.lang.as_str().to_string());
            self.citations.push(
                serde_json::to_string(&message.citations).map_err(|_| Error::Backend("encode citations".into()))?,
            );
            self.offers_human.push(message.offers_human);
            self.created_at.push(micros(now));
            self.suggestions
                .push(loket_store::encode_suggestions(&message.suggestions)?);
            self.generated_by.push(message.generated_by.clone());
            stored.push(StoredMessage {
                id,
                conversation_id: conversation_id.clone(),
                seq,
                created_at: now,
                message,
            });
        }
        Ok(stored)
    }

    async fn insert(self, transaction: &mut Transaction<'static, Postgres>) -> Result<()> {
        if self.id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, author, kind, text, author_label, lang, citations,
                offers_human, created_at, suggestions, generated_by)
             SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                 $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::BOOLEAN[], $11::BIGINT[], $12::TEXT[], $13::TEXT[])",
        )
        .bind(self.id)
        .bind(self.conversation)
        .bind(self.seq)
        .bind(self.author)
        .bind(self.kind)
        .bind(self.text)
        .bind(self.author_label)
        .bind(self.lang)
        .bind(self.citations)
        .bind(self.offers_human)
        .bind(self.created_at)
        .bind(self.suggestions)
        .bind(self.generated_by)
        .execute(&mut **transaction)
        .await
        .map_err(classify("insert messages"))?;
        Ok(())
    }
}

/// Vault entries of a group as columns, for one multi-row INSERT in insertion order.
#[derive(Default)]
struct VaultColumns {
    conversation: Vec<String>,
    placeholder: Vec<String>,
    kind: Vec<String>,
    sealed: Vec<Vec<u8>>,
}

impl VaultColumns {
    async fn insert(self, transaction: &mut Transaction<'static, Postgres>) -> Result<()> {
        if self.conversation.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO vault (conversation_id, placeholder, kind, sealed)
             SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BYTEA[])",
        )
        .bind(self.conversation)
        .bind(self.placeholder)
        .bind(self.kind)
        .bind(self.sealed)
        .execute(&mut **transaction)
        .await
        .map_err(classify("insert vault entries"))?;
        Ok(())
    }
}

/// Takes the chain's advisory lock for the rest of the transaction. Re-entrant: a transaction
/// that already holds it (audit retention) takes it again without waiting.
async fn lock_audit_chain(transaction: &mut Transaction<'static, Postgres>) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_LOCK)
        .execute(&mut **transaction)
        .await
        .map_err(classify("lock the audit chain"))?;
    Ok(())
}

async fn append_audit(
    transaction: &mut Transaction<'static, Postgres>,
    events: Vec<AuditEvent>,
    now: DateTime<Utc>,
) -> Result<()> {
    append_audit_at(transaction, events.into_iter().map(|event| (event, now)).collect()).await
}

/// Appends events, each with its own time, to the chain in one statement under [`AUDIT_LOCK`].
async fn append_audit_at(
    transaction: &mut Transaction<'static, Postgres>,
    events: Vec<(AuditEvent, DateTime<Utc>)>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    lock_audit_chain(transaction).await?;
    // READ COMMITTED takes a fresh snapshot per statement, so after the lock this sees the head
    // the previous lock holder committed. When retention removed every record, the chain goes
    // on from its anchor.
    let last: Option<(i64, String)> = sqlx::query_as(
        "SELECT seq, hash FROM (
             (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1)
             UNION ALL (SELECT seq, hash FROM audit_anchor WHERE id = 1)
         ) AS heads ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut **transaction)
    .await
    .map_err(backend("read audit head"))?;
    let (mut seq, mut prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    let encode = |value: serde_json::Result<String>| value.map_err(|_| Error::Backend("encode audit record".into()));
    // One INSERT for the whole batch: every round trip here is time spent holding the lock.
    let mut columns = AuditColumns::default();
    for (event, at) in events {
        seq += 1;
        // Stored times have microsecond precision; hash exactly what is stored.
        let record = AuditRecord::chained(seq, from_micros(micros(at)), event, &prev_hash);
        columns.seq.push(record.seq);
        columns.at.push(micros(record.at));
        columns.kind.push(record.event.kind.as_str().to_string());
        columns
            .conversation
            .push(record.event.conversation.as_ref().map(|id| id.as_str().to_string()));
        columns.ids.push(encode(serde_json::to_string(&record.event.ids))?);
        columns
            .counts
            .push(encode(serde_json::to_string(&record.event.counts))?);
        columns
            .attributes
            .push(encode(serde_json::to_string(&record.event.attributes))?);
        columns.actor.push(record.event.actor);
        columns.prev_hash.push(record.prev_hash);
        prev_hash = record.hash.clone();
        columns.hash.push(record.hash);
    }
    sqlx::query(
        "INSERT INTO audit_log (seq, at, kind, conversation_id, actor, ids, counts, attributes, prev_hash, hash)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
             $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[])",
    )
    .bind(columns.seq)
    .bind(columns.at)
    .bind(columns.kind)
    .bind(columns.conversation)
    .bind(columns.actor)
    .bind(columns.ids)
    .bind(columns.counts)
    .bind(columns.attributes)
    .bind(columns.prev_hash)
    .bind(columns.hash)
    .execute(&mut **transaction)
    .await
    .map_err(classify("append audit records"))?;
    Ok(())
}

/// Audit records as columns, for one multi-row INSERT.
#[derive(Default)]
struct AuditColumns {
    seq: Vec<i64>,
    at: Vec<i64>,
    kind: Vec<String>,
    conversation: Vec<Option<String>>,
    actor: Vec<String>,
    ids: Vec<String>,
    counts: Vec<String>,
    attributes: Vec<String>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
}

/// Deletes a conversation unless it is under legal hold; messages, vault entries and tickets go
/// Deletes the conversations that `expired` (a `SELECT id` with its values bound) finds; the
/// number deleted.
async fn delete_expired(
    transaction: &mut Transaction<'static, Postgres>,
    expired: sqlx::query::QueryScalar<'_, Postgres, String, sqlx::postgres::PgArguments>,
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

/// with it (ON DELETE CASCADE). Re-checking the hold here makes a hold placed concurrently win.
async fn delete_conversation(transaction: &mut Transaction<'static, Postgres>, id: &ConversationId) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM conversations WHERE id = $1 AND NOT legal_hold")
            .bind(id.as_str())
            .execute(&mut **transaction)
            .await
            .map_err(backend("delete conversation"))?
            .rows_affected(),
    )
}

/// Counts what a conversation's deletion takes with it, for the deletion certificate.
async fn count_attached(transaction: &mut Transaction<'static, Postgres>, id: &ConversationId) -> Result<Erased> {
    let (messages, vault_entries, tickets): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM messages WHERE conversation_id = $1),
                (SELECT COUNT(*) FROM vault WHERE conversation_id = $1),
                (SELECT COUNT(*) FROM tickets WHERE conversation_id = $1)",
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

fn ticket_from_row(row: &PgRow) -> Result<Ticket> {
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
fn record_from_row(row: &PgRow) -> Result<ConversationRecord> {
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

fn conversation_from_row(row: &PgRow) -> Result<Conversation> {
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

fn message_from_row(row: &PgRow) -> Result<StoredMessage> {
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

fn audit_from_row(row: &PgRow) -> Result<AuditRecord> {
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

/// Like [`backend`], but a unique violation, a serialisation failure (SQLSTATE 40001) or a
/// deadlock (40P01) becomes [`Error::Conflict`]: another writer won, and the caller may retry.
fn classify(operation: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |error| match &error {
        sqlx::Error::Database(database)
            if database.is_unique_violation() || matches!(database.code().as_deref(), Some("40001" | "40P01")) =>
        {
            Error::Conflict
        }
        _ => Error::Backend(format!("{operation}: {}", describe(&error))),
    }
}

/// Whether `error` says the connection is gone, rather than that the statement was refused.
fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        // admin_shutdown, crash_shutdown, cannot_connect_now: the server ended the session.
        sqlx::Error::Database(database) => matches!(database.code().as_deref(), Some("57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// Runs `attempt` again (at most [`LOST_CONNECTION_RETRIES`] times) while it fails because its
/// connection was dead. Only for statements that may safely run twice: reads, `BEGIN`, counting.
async fn again_on_lost_connection<T, F, Fut>(mut attempt: F) -> std::result::Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
{
    let mut retries = 0;
    loop {
        match attempt().await {
            Err(error) if retries < LOST_CONNECTION_RETRIES && connection_lost(&error) => retries += 1,
            outcome => return outcome,
        }
    }
}

/// A description of a driver error without bound values (sqlx never includes them; PostgreSQL's
/// `detail` field can, so only the primary message is used).
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database) => database.message().to_string(),
        other => other.to_string(),
    }
}

/// The second-factor columns of a `staff` row.
fn second_factor_from_row(row: &PgRow) -> Result<SecondFactor> {
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

    #[test]
    fn a_change_notice_survives_its_payload_and_a_malformed_payload_is_none() {
        let conversation = ConversationId::from_uuid(uuid::Uuid::new_v4());
        for change in [
            Change::Committed {
                first_seq: 4,
                last_seq: 6,
                state: Some(ConversationState::WaitingForAgent),
                ticket: true,
            },
            Change::Committed {
                first_seq: 1,
                last_seq: 0,
                state: None,
                ticket: false,
            },
            Change::Erased,
        ] {
            let notice = ChangeNotice {
                conversation: conversation.clone(),
                change,
            };
            let payload = notice.payload("origin1");
            assert_eq!(ChangeNotice::parse(&payload), Some(("origin1", notice)));
        }
        for malformed in [
            "",
            "v2 o c",
            "v1 o c not-a-uuid 1 2 - 0",
            "v1 o x 00000000-0000-0000-0000-000000000000",
            "v1 o c 00000000-0000-0000-0000-000000000000 1 2 nonsense 0",
            "v1 o e 00000000-0000-0000-0000-000000000000 extra",
        ] {
            assert_eq!(ChangeNotice::parse(malformed), None, "{malformed}");
        }
    }

    #[test]
    fn a_database_name_replaces_the_one_in_the_url_and_keeps_the_parameters() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/loket?sslmode=disable", "x"),
            "postgres://u:p@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1:5432", "x"),
            "postgres://127.0.0.1:5432/x"
        );
    }

    #[tokio::test]
    async fn a_database_name_that_would_need_quoting_is_refused_before_connecting() {
        for name in [
            "",
            "Loket",
            "1loket",
            "loket; DROP TABLE x",
            "loket-test",
            &"a".repeat(64),
        ] {
            let refused = create_database("postgres://127.0.0.1:1/postgres", name).await;
            assert!(
                matches!(&refused, Err(Error::Backend(text)) if text.contains("plain lowercase identifier")),
                "{name}: {refused:?}"
            );
        }
    }
}
