//! Periodic work: customers who waited too long get the alternatives (HUM-04), and
//! conversations of agents who left go back to the queue with the transcript intact.

use chrono::Duration;
use loket_core::availability::{Availability, ClosedReason};
use loket_core::conversation::Event;
use tracing::warn;

use crate::Loket;
use crate::error::Result;

/// What one maintenance pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaintenanceReport {
    /// Conversations whose wait timed out.
    pub wait_timeouts: usize,
    /// Conversations returned to the queue because their agent left.
    pub returned_to_queue: usize,
    /// Waiting conversations newly found abandoned: nobody has followed them live for longer
    /// than the presence grace period (HUM-12 "abandoned while waiting").
    pub abandoned: usize,
}

/// Another instance's agents count until their instance has not published for this long, or the
/// presence grace period when that is longer. The server publishes at every maintenance pass,
/// every 5 seconds.
const PUBLISHED_PRESENCE_SECONDS: i64 = 15;

impl Loket {
    /// With several instances on one database: publishes the agents online here and takes those
    /// online elsewhere, so a customer served by this instance is handed over to an agent whose
    /// console is connected to another (HUM-01, HUM-04). A store only one process uses has no
    /// others, and nothing is published.
    async fn share_presence(&self, now: chrono::DateTime<chrono::Utc>, grace: Duration) -> Result<()> {
        if !self.store.shared() {
            return Ok(());
        }
        let here = self.presence.here(now, grace);
        let since = now - grace.max(Duration::seconds(PUBLISHED_PRESENCE_SECONDS));
        let elsewhere = self
            .store
            .share_presence(self.presence.instance(), &here, now, since)
            .await?;
        self.presence.set_elsewhere(elsewhere);
        Ok(())
    }

    /// Runs one maintenance pass at the clock's current time.
    pub async fn maintain(&self) -> Result<MaintenanceReport> {
        let mut report = MaintenanceReport::default();
        let now = self.now();
        let timeout = Duration::minutes(i64::from(self.config.config.handoff.wait_timeout_minutes));
        let grace = self.presence_grace();
        self.share_presence(now, grace).await?;
        for entry in self.store.queue().await? {
            let Some(since) = entry.conversation.waiting_since else {
                continue;
            };
            if now - since >= grace
                && !self.hub.is_followed(&entry.conversation.id)
                && self.mark_abandoned(&entry.conversation.id, since)
            {
                report.abandoned += 1;
                metrics::counter!("loket_waiting_abandoned_total").increment(1);
            }
            if now - since < timeout {
                continue;
            }
            let next_open = self.config.hours.next_open(now);
            let result = self
                .apply_with_retry(&entry.conversation.id, |_, _| async move {
                    Ok(Event::WaitTimedOut {
                        availability: Availability::Closed {
                            next_open,
                            reason: ClosedReason::WaitTimedOut,
                        },
                    })
                })
                .await;
            match result {
                Ok(_) => report.wait_timeouts += 1,
                Err(crate::Error::Conflict { .. }) => {} // claimed meanwhile: nothing to do
                Err(error) => warn!(conversation = %entry.conversation.id, %error, "wait timeout failed"),
            }
        }
        for agent in self.presence.take_gone(now, self.presence_grace()) {
            for conversation in self.store.held_by(&agent).await? {
                let id = conversation.id.clone();
                let language = conversation.locale;
                let agent = agent.clone();
                let result = self
                    .apply_with_retry(&id, |loket, now| {
                        let agent = agent.clone();
                        let id = id.clone();
                        async move {
                            let position = match loket.availability(&id, language, now).await? {
                                Availability::Open { position, .. } => position,
                                Availability::Closed { .. } => 1,
                            };
                            Ok(Event::AgentLeft { agent, position })
                        }
                    })
                    .await;
                match result {
                    Ok(_) => report.returned_to_queue += 1,
                    Err(crate::Error::Conflict { .. }) => {}
                    Err(error) => warn!(conversation = %conversation.id, %error, "returning to queue failed"),
                }
            }
        }
        Ok(report)
    }
}
