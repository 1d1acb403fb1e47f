//! Which agents are online: an agent counts as online while their console holds a live stream,
//! and for a grace period after it drops (a page reload or a network blip must not throw their
//! customers back into the queue). Each agent is counted with the languages they serve customers
//! in (HUM-08), so a customer is offered a handover only while someone who speaks their language
//! is online.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use loket_core::{AgentId, Locale};

#[derive(Debug, Clone)]
struct Seen {
    /// The languages the agent serves customers in.
    languages: Vec<Locale>,
    /// Open console streams.
    streams: u32,
    /// When the last stream closed.
    left_at: Option<DateTime<Utc>>,
}

/// Agent presence in this process.
#[derive(Debug, Default)]
pub struct Presence {
    agents: Mutex<HashMap<AgentId, Seen>>,
}

impl Presence {
    /// A console stream of `agent`, who serves customers in `languages`, opened.
    pub fn connected(&self, agent: &AgentId, languages: &[Locale]) {
        let mut agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let seen = agents.entry(agent.clone()).or_insert(Seen {
            languages: Vec::new(),
            streams: 0,
            left_at: None,
        });
        seen.languages = languages.to_vec();
        seen.streams += 1;
        seen.left_at = None;
    }

    /// A console stream of `agent` closed.
    pub fn disconnected(&self, agent: &AgentId, now: DateTime<Utc>) {
        let mut agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(seen) = agents.get_mut(agent) {
            seen.streams = seen.streams.saturating_sub(1);
            if seen.streams == 0 {
                seen.left_at = Some(now);
            }
        }
    }

    /// Agents online now: with a stream, or disconnected less than `grace` ago.
    pub fn online(&self, now: DateTime<Utc>, grace: Duration) -> usize {
        self.count(now, grace, |_| true)
    }

    /// Agents online now who serve customers in `language`.
    pub fn online_in(&self, language: Locale, now: DateTime<Utc>, grace: Duration) -> usize {
        self.count(now, grace, |seen| seen.languages.contains(&language))
    }

    fn count(&self, now: DateTime<Utc>, grace: Duration, speaks: impl Fn(&Seen) -> bool) -> usize {
        let agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        agents
            .values()
            .filter(|seen| seen.streams > 0 || seen.left_at.is_some_and(|left| now - left < grace))
            .filter(|seen| speaks(seen))
            .count()
    }

    /// Agents whose last stream closed at least `grace` ago; they are forgotten by this call.
    pub fn take_gone(&self, now: DateTime<Utc>, grace: Duration) -> Vec<AgentId> {
        let mut agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let gone: Vec<AgentId> = agents
            .iter()
            .filter(|(_, seen)| seen.streams == 0 && seen.left_at.is_some_and(|left| now - left >= grace))
            .map(|(agent, _)| agent.clone())
            .collect();
        for agent in &gone {
            agents.remove(agent);
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_stays_online_during_the_grace_period_and_is_gone_after_it() {
        let presence = Presence::default();
        let sanne = AgentId::parse("sanne").unwrap();
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let grace = Duration::seconds(60);
        presence.connected(&sanne, &Locale::ALL);
        assert_eq!(presence.online(start, grace), 1);
        presence.disconnected(&sanne, start);
        assert_eq!(presence.online(start + Duration::seconds(30), grace), 1);
        assert!(presence.take_gone(start + Duration::seconds(30), grace).is_empty());
        assert_eq!(presence.take_gone(start + Duration::seconds(61), grace), vec![sanne]);
        assert_eq!(presence.online(start + Duration::seconds(61), grace), 0);
    }

    #[test]
    fn agents_are_counted_per_language_they_serve_in() {
        let presence = Presence::default();
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let grace = Duration::seconds(60);
        let (sanne, john) = (AgentId::parse("sanne").unwrap(), AgentId::parse("john").unwrap());
        presence.connected(&john, &[Locale::En]);
        assert_eq!(presence.online(start, grace), 1);
        assert_eq!(
            presence.online_in(Locale::Nl, start, grace),
            0,
            "HUM-08: nobody speaks Dutch"
        );
        assert_eq!(presence.online_in(Locale::En, start, grace), 1);
        presence.connected(&sanne, &Locale::ALL);
        assert_eq!(presence.online_in(Locale::Nl, start, grace), 1);
        assert_eq!(presence.online_in(Locale::En, start, grace), 2);
        presence.disconnected(&sanne, start);
        let later = start + Duration::seconds(61);
        assert_eq!(presence.online_in(Locale::Nl, later, grace), 0);
        assert_eq!(presence.online_in(Locale::En, later, grace), 1);
    }
}
