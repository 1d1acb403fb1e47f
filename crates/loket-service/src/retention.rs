//! The retention job (RET-01 to RET-04): every store has a configured period and a written
//! justification (checked at startup), and this job deletes what has expired.
//!
//! Each batch is one transaction that deletes at most `retention.batch_size` records and appends
//! a `retention_run` audit record with the count, so a run interrupted halfway has lost nothing
//! and counted nothing twice: the next run simply finds what is still expired. Conversations
//! under legal hold are skipped (RET-03). A run ends with a summary record and a signed
//! checkpoint of the audit chain.
//!
//! Order matters: special-category conversations first (shortest period), then transcripts
//! (which take their vault entries and tickets along), then conversations kept for a statutory
//! ground (RET-03: each ground's own period; a ground the configuration no longer names gets the
//! ordinary transcript period), then the vault and tickets of conversations that are kept, the
//! delivery log, and the audit log last, so the run's own records are never the ones removed.
//! The ordinary periods skip conversations tagged with a ground, vault entries included: the
//! record is kept as the customer wrote it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use loket_core::audit::{AuditEvent, AuditKind};
use loket_store::Expiry;
use serde::Serialize;
use tracing::info;

use crate::Loket;
use crate::error::Result;

/// What one retention run removed, per store.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RetentionReport {
    /// Records removed per store (`transcripts`, `vault`, ...).
    pub removed: BTreeMap<&'static str, u64>,
    /// Transactions used.
    pub batches: u64,
}

impl Loket {
    /// Runs retention now, on behalf of `actor` (`system` for the scheduled job, `cli`, or
    /// `agent:<login>` for an admin).
    pub async fn run_retention(&self, actor: &str) -> Result<RetentionReport> {
        let now = self.now();
        let retention = &self.config.config.retention;
        let before = |days: u32| -> DateTime<Utc> { now - Duration::days(i64::from(days)) };
        let mut expiries = vec![
            Expiry::SensitiveTranscripts(before(retention.sensitive_transcripts.days)),
            Expiry::Transcripts(before(retention.transcripts.days)),
        ];
        expiries.extend(
            retention
                .statutory
                .iter()
                .map(|statutory| Expiry::StatutoryTranscripts {
                    ground: statutory.ground.clone(),
                    before: before(statutory.days),
                }),
        );
        expiries.extend([
            Expiry::UnlistedStatutoryTranscripts {
                listed: retention
                    .statutory
                    .iter()
                    .map(|statutory| statutory.ground.clone())
                    .collect(),
                before: before(retention.transcripts.days),
            },
            Expiry::Vault(before(retention.vault.days)),
            Expiry::Tickets(before(retention.tickets.days)),
            Expiry::DeliveryLog(before(retention.delivery_log.days)),
            Expiry::Audit(before(retention.audit.days)),
        ]);
        let mut report = RetentionReport::default();
        for expiry in expiries {
            let total = report.removed.entry(expiry.store()).or_default();
            loop {
                let mut event =
                    AuditEvent::new(AuditKind::RetentionRun, None, actor).attribute("store", expiry.store());
                if let Expiry::StatutoryTranscripts { ground, .. } = &expiry {
                    event = event.attribute("ground", ground.clone());
                }
                let removed = self
                    .store
                    .expire(expiry.clone(), retention.batch_size, event, self.now())
                    .await?;
                if removed == 0 {
                    break;
                }
                *total += removed;
                report.batches += 1;
            }
        }
        let mut summary = AuditEvent::new(AuditKind::RetentionRun, None, actor).attribute("phase", "complete");
        for (store, removed) in &report.removed {
            summary = summary.count(*store, i64::try_from(*removed).unwrap_or(i64::MAX));
        }
        self.store.append_audit(vec![summary], self.now()).await?;
        self.write_checkpoint(actor).await?;
        info!(batches = report.batches, "retention run finished");
        Ok(report)
    }

    /// Runs retention when the configured interval has passed since the last complete run.
    pub async fn retention_if_due(&self, last_run: Option<DateTime<Utc>>) -> Result<Option<RetentionReport>> {
        let interval = Duration::minutes(i64::from(self.config.config.retention.run_every_minutes));
        if last_run.is_some_and(|last| self.now() - last < interval) {
            return Ok(None);
        }
        self.run_retention("system").await.map(Some)
    }
}
