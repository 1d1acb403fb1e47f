//! The erasure journal (REQUIREMENTS RET-08): erased data must not come back with a backup.
//!
//! Every erasure of a data subject (by the customer, an admin or `loket gdpr erase`) appends one
//! line to `erasure-journal.jsonl` in the data directory, outside the database, and flushes it to
//! disk: the certificate id, the conversations erased and when. Conversation ids are random and
//! identify nobody once their data is gone. After a database is restored from a backup,
//! [`Loket::replay_erasures`] (`loket gdpr replay`) erases again every journaled conversation
//! the restore brought back. Retention needs no journal: its next run removes what a restore
//! brought back past its period.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use loket_core::ConversationId;
use loket_core::audit::{AuditEvent, AuditKind};
use serde::{Deserialize, Serialize};

use crate::{Error, Loket, Result};

/// The actor of the audit records a replay writes.
pub const REPLAY_ACTOR: &str = "replay";

/// The journal's file name in the data directory.
pub const FILE_NAME: &str = "erasure-journal.jsonl";

/// One erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The deletion certificate's id.
    pub certificate_id: String,
    /// The conversations erased.
    pub conversations: Vec<ConversationId>,
    /// When.
    pub erased_at: DateTime<Utc>,
}

/// What a replay found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplayReport {
    /// Journal entries read.
    pub entries: u64,
    /// Distinct conversations they name.
    pub conversations: u64,
    /// Of those, not in the database (nothing to do).
    pub already_gone: u64,
    /// Erased again: the restore had brought them back.
    pub erased: u64,
    /// Back, but under a legal hold placed after the restore point: kept, listed here.
    pub held: Vec<ConversationId>,
}

/// The journal in `data_dir`.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Appends `entry` to the journal at `path` and flushes it to disk.
pub(crate) fn append(path: &Path, entry: &JournalEntry) -> std::io::Result<()> {
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(line.as_bytes())?;
    file.sync_data()
}

/// Reads every entry of the journal at `path`; a missing journal has none. A malformed line is
/// an error naming its number: a replay must not silently skip an erasure.
pub fn read(path: &Path) -> Result<Vec<JournalEntry>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(Error::Unavailable(format!(
                "reading the erasure journal: {}",
                error.kind()
            )));
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line).map_err(|_| Error::Invalid {
                code: "invalid_journal",
                message: format!("line {} of the erasure journal is not an erasure record", number + 1),
            })
        })
        .collect()
}

impl Loket {
    /// Records a finished erasure in the journal of the configured data directory, if that
    /// directory exists. A journal that cannot be written is logged (without ids) and counted;
    /// the erasure itself has happened.
    pub(crate) fn journal_erasure(&self, entry: &JournalEntry) {
        let data_dir = Path::new(&self.config.config.server.data_dir);
        if !data_dir.is_dir() {
            return;
        }
        if let Err(error) = append(&path_in(data_dir), entry) {
            tracing::warn!(error = %error.kind(), "the erasure journal could not be written");
            metrics::counter!("loket_erasure_journal_failures_total").increment(1);
        }
    }

    /// Erases again every conversation in the journal at `path` that is in the database, after
    /// a restore from a backup (RET-08). Each is one audit record `subject_erased` by `replay`
    /// with the original certificate as attribute; a conversation under a legal hold is kept and
    /// reported.
    pub async fn replay_erasures(&self, path: &Path) -> Result<ReplayReport> {
        let entries = read(path)?;
        let mut report = ReplayReport {
            entries: entries.len() as u64,
            ..ReplayReport::default()
        };
        let mut seen = std::collections::HashSet::new();
        for entry in &entries {
            for id in &entry.conversations {
                if !seen.insert(id.clone()) {
                    continue;
                }
                report.conversations += 1;
                match self.store.conversation(id).await {
                    Err(loket_store::Error::NotFound) => {
                        report.already_gone += 1;
                        continue;
                    }
                    Err(error) => return Err(error.into()),
                    Ok(_) => {}
                }
                let event = AuditEvent::new(AuditKind::SubjectErased, None, REPLAY_ACTOR)
                    .id(uuid::Uuid::now_v7().to_string())
                    .id(id.as_str())
                    .attribute("replay_of", entry.certificate_id.as_str());
                match self
                    .store
                    .erase_conversations(std::slice::from_ref(id), event, self.now())
                    .await
                {
                    Ok(_) => {
                        report.erased += 1;
                        self.hub.forget(id);
                    }
                    Err(loket_store::Error::Conflict) => report.held.push(id.clone()),
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(certificate: &str, ids: &[&str]) -> JournalEntry {
        JournalEntry {
            certificate_id: certificate.into(),
            conversations: ids.iter().map(|id| ConversationId::parse(id).unwrap()).collect(),
            erased_at: DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
        }
    }

    #[test]
    fn entries_read_back_in_order_and_a_missing_journal_has_none_ret_08() {
        let directory = tempfile::tempdir().unwrap();
        let path = path_in(directory.path());
        assert_eq!(read(&path).unwrap(), Vec::new());
        let first = entry("c1", &["01900000-0000-7000-8000-000000000001"]);
        let second = entry(
            "c2",
            &[
                "01900000-0000-7000-8000-000000000002",
                "01900000-0000-7000-8000-000000000003",
            ],
        );
        append(&path, &first).unwrap();
        append(&path, &second).unwrap();
        assert_eq!(read(&path).unwrap(), vec![first, second]);
    }

    #[test]
    fn a_malformed_line_is_an_error_not_a_skipped_erasure_ret_08() {
        let directory = tempfile::tempdir().unwrap();
        let path = path_in(directory.path());
        append(&path, &entry("c1", &["01900000-0000-7000-8000-000000000001"])).unwrap();
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"certificate_id\":\"c2\"\n").unwrap();
        match read(&path) {
            Err(Error::Invalid { code, message }) => {
                assert_eq!(code, "invalid_journal");
                assert!(message.contains("line 2"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
