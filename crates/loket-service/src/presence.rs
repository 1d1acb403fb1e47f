//! Which agents are online: an agent counts as online while their console holds a live stream,
//! and for a grace period after it drops (a page reload or a network blip must not throw their
//! customers back into the queue). Each agent is counted with the languages they serve customers
//! in (HUM-08), so a customer is offered a handover only while someone who speaks their language
//! is online. With several instances on one database, the agents connected to the others count
//! too, as those instances last published them (`Loket::maintain`).

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

impl Seen {
    /// With a stream, or disconnected less than `grace` ago.
    fn is_online(&self, now: DateTime<Utc>, grace: Duration) -> bool {
        self.streams > 0 || self.left_at.is_some_and(|left| now - left < grace)
    }
}

/// Agent presence: the consoles connected to this process, and the agents other instances on
/// the same database last published (a customer served here can be handed over to them).
#[derive(Debug)]
pub struct Presence {
    agents: Mutex<HashMap<AgentId, Seen>>,
    elsewhere: Mutex<Vec<(AgentId, Vec<Locale>)>>,
    /// This process among the instances, in what it publishes.
    instance: String,
}

impl Default for Presence {
    fn default() -> Self {
        Self {
            agents: Mutex::default(),
            elsewhere: Mutex::default(),
            // Unique among the instances: the process and the nanosecond it made this.
            instance: format!(
                "{}-{}",
                std::process::id(),
                Utc::now().timestamp_nanos_opt().unwrap_or_default()
            ),
        }
    }
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
        self.count(now, grace, |languages| languages.contains(&language))
    }

    /// Agents online here now, with the languages they serve customers in: what this instance
    /// publishes to the others.
    pub fn here(&self, now: DateTime<Utc>, grace: Duration) -> Vec<(AgentId, Vec<Locale>)> {
        let agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut here: Vec<(AgentId, Vec<Locale>)> = agents
            .iter()
            .filter(|(_, seen)| seen.is_online(now, grace))
            .map(|(agent, seen)| (agent.clone(), seen.languages.clone()))
            .collect();
        here.sort();
        here
    }

    /// The name this process publishes under.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Replaces what the other instances last published.
    pub fn set_elsewhere(&self, agents: Vec<(AgentId, Vec<Locale>)>) {
        *self.elsewhere.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = agents;
    }

    fn count(&self, now: DateTime<Utc>, grace: Duration, speaks: impl Fn(&[Locale]) -> bool) -> usize {
        let agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let here = agents
            .values()
            .filter(|seen| seen.is_online(now, grace) && speaks(&seen.languages))
            .count();
        let elsewhere = self.elsewhere.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // An agent with consoles here and on another instance counts once, with the languages
        // of their account (the same everywhere).
        let only_elsewhere = elsewhere
            .iter()
            .filter(|(agent, languages)| {
                speaks(languages) && !agents.get(agent).is_some_and(|seen| seen.is_online(now, grace))
            })
            .count();
        here + only_elsewhere
    }

    /// Agents whose last stream closed at least `grace` ago, unless another instance has them
    /// online; they are forgotten by this call.
    pub fn take_gone(&self, now: DateTime<Utc>, grace: Duration) -> Vec<AgentId> {
        let mut agents = self.agents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let gone: Vec<AgentId> = agents
            .iter()
            .filter(|(_, seen)| !seen.is_online(now, grace))
            .map(|(agent, _)| agent.clone())
            .collect();
        for agent in &gone {
            agents.remove(agent);
        }
        // An agent whose console moved to another instance keeps their conversations.
        let elsewhere = self.elsewhere.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        gone.into_iter()
            .filter(|agent| !elsewhere.iter().any(|(other, _)| other == agent))
            .collect()
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
        assert_eq!(presence.here(later, grace), vec![(john.clone(), vec![Locale::En])]);
    }

    #[test]
    fn agents_online_at_other_instances_count_once_with_their_languages() {
        let presence = Presence::default();
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let grace = Duration::seconds(60);
        let (sanne, john) = (AgentId::parse("sanne").unwrap(), AgentId::parse("john").unwrap());
        presence.connected(&john, &[Locale::En]);
        presence.set_elsewhere(vec![
            (john.clone(), vec![Locale::En]),
            (sanne.clone(), vec![Locale::Nl]),
        ]);
        assert_eq!(presence.online(start, grace), 2, "John counts once");
        assert_eq!(presence.online_in(Locale::Nl, start, grace), 1);
        assert_eq!(
            presence.here(start, grace),
            vec![(john, vec![Locale::En])],
            "only what is here is published"
        );
        presence.set_elsewhere(Vec::new());
        assert_eq!(presence.online_in(Locale::Nl, start, grace), 0);
    }
}
