//! Signed webhooks for handovers and tickets, so teams on Zendesk, Freshdesk or Chatwoot can
//! route them there (HUM-04, HUM-12).
//!
//! A delivery is a POST of `{"event","conversation_id","occurred_at","ticket_id"?}`: ids and
//! times only, never message text or personal data. It carries `X-Loket-Event`,
//! `X-Loket-Delivery`, `X-Loket-Timestamp` and `X-Loket-Signature: sha256=<hex>`, the
//! HMAC-SHA256 of `"<timestamp>.<body>"` under the endpoint's secret, so a receiver can check
//! origin and freshness. Failed attempts are retried with exponential backoff; every attempt is
//! written to the delivery log.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use loket_core::ConversationId;
use loket_core::audit::AuditKind;
use loket_core::config::WebhookConfig;
use loket_store::{Store, WebhookDelivery};
use sha2::Sha256;
use tracing::warn;

/// The webhook event name of an audit kind, if it has one.
pub fn event_name(kind: AuditKind) -> Option<&'static str> {
    match kind {
        AuditKind::HandoffRequested => Some("handoff.requested"),
        AuditKind::HandoffAccepted => Some("handoff.accepted"),
        AuditKind::HandoffUnavailable => Some("handoff.unavailable"),
        AuditKind::TicketCreated => Some("ticket.created"),
        AuditKind::WithdrawalStatement => Some("withdrawal.received"),
        AuditKind::RightsRequestReceived => Some("rights_request.received"),
        _ => None,
    }
}

/// `sha256=<hex>` of `HMAC-SHA256(secret, "<timestamp>.<body>")`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this branch cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Retry and timeout settings.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// Attempts before giving up.
    pub attempts: u32,
    /// Wait before the first retry; doubled each time, at most a minute.
    pub retry_base: Duration,
    /// Time an endpoint may take.
    pub timeout: Duration,
}

/// The configured endpoints and a client to reach them.
pub struct Webhooks {
    endpoints: Arc<Vec<WebhookConfig>>,
    policy: DeliveryPolicy,
    client: reqwest::Client,
}

impl Webhooks {
    /// Endpoints from configuration.
    pub fn new(endpoints: Vec<WebhookConfig>, policy: DeliveryPolicy) -> Self {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .build()
            .unwrap_or_default();
        Self {
            endpoints: Arc::new(endpoints),
            policy,
            client,
        }
    }

    /// Sends `event` to every endpoint subscribed to it, in the background.
    pub fn publish(
        &self,
        store: &Arc<dyn Store>,
        event: &'static str,
        conversation: &ConversationId,
        ticket_id: Option<&str>,
        at: DateTime<Utc>,
    ) {
        if self.endpoints.is_empty() || tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let mut payload = serde_json::json!({
            "event": event,
            "conversation_id": conversation.as_str(),
            "occurred_at": at.to_rfc3339(),
        });
        if let (Some(ticket), Some(object)) = (ticket_id, payload.as_object_mut()) {
            object.insert("ticket_id".into(), ticket.into());
        }
        let body = payload.to_string();
        for endpoint in self
            .endpoints
            .iter()
            .filter(|endpoint| endpoint.events.iter().any(|name| name == event))
        {
            let endpoint = endpoint.clone();
            let body = body.clone();
            let client = self.client.clone();
            let policy = self.policy;
            let store = store.clone();
            tokio::spawn(async move { deliver(client, store, endpoint, event, body, policy).await });
        }
    }
}

async fn deliver(
    client: reqwest::Client,
    store: Arc<dyn Store>,
    endpoint: WebhookConfig,
    event: &'static str,
    body: String,
    policy: DeliveryPolicy,
) {
    let delivery = uuid::Uuid::now_v7().to_string();
    let mut wait = policy.retry_base;
    for attempt in 1..=policy.attempts {
        let timestamp = Utc::now().timestamp();
        let result = client
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("x-loket-event", event)
            .header("x-loket-delivery", &delivery)
            .header("x-loket-timestamp", timestamp.to_string())
            .header("x-loket-signature", signature(&endpoint.secret, timestamp, &body))
            .body(body.clone())
            .send()
            .await;
        let status = result.as_ref().ok().map(|response| response.status().as_u16());
        let delivered = status.is_some_and(|status| (200..300).contains(&status));
        let outcome = if delivered {
            "delivered"
        } else if attempt == policy.attempts {
            "gave_up"
        } else {
            "retrying"
        };
        let record = WebhookDelivery {
            delivery: delivery.clone(),
            event: event.into(),
            url: endpoint.url.clone(),
            attempt,
            status,
            outcome: outcome.into(),
            at: Utc::now(),
        };
        if let Err(error) = store.record_webhook_delivery(&record).await {
            warn!(%error, "could not log a webhook delivery");
        }
        metrics::counter!("loket_webhook_attempts_total", "event" => event, "outcome" => outcome).increment(1);
        if delivered || attempt == policy.attempts {
            if !delivered {
                warn!(event, attempts = attempt, "webhook delivery given up");
            }
            return;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Reference value computed independently: HMAC-SHA256(key, "1700000000.{}").
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"0123456789abcdef").unwrap();
            mac.update(b"1700000000.{}");
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        };
        assert_eq!(signature("0123456789abcdef", 1_700_000_000, "{}"), expected);
        assert_ne!(signature("0123456789abcdef", 1_700_000_001, "{}"), expected);
        assert_eq!(expected.len(), "sha256=".len() + 64);
    }

    #[test]
    fn only_handover_and_ticket_events_are_sent() {
        assert_eq!(event_name(AuditKind::HandoffAccepted), Some("handoff.accepted"));
        assert_eq!(event_name(AuditKind::AiAnswer), None);
    }
}
