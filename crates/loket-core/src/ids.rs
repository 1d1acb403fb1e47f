//! Identifiers. Each is a newtype whose `parse` enforces its format, so a value of the type is
//! always well formed.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identifies one conversation. Always a UUID in its canonical hyphenated lowercase form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConversationId(String);

impl ConversationId {
    /// Parses a conversation id; anything that is not a UUID is rejected.
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        Uuid::parse_str(text)
            .map(|uuid| Self(uuid.hyphenated().to_string()))
            .map_err(|_| InvalidId)
    }

    /// Wraps a freshly generated UUID.
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid.hyphenated().to_string())
    }

    /// The canonical text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for ConversationId {
    type Error = InvalidId;
    fn try_from(text: String) -> Result<Self, InvalidId> {
        Self::parse(&text)
    }
}

impl From<ConversationId> for String {
    fn from(id: ConversationId) -> String {
        id.0
    }
}

/// Identifies a staff account (agent, admin or auditor): its login name, lowercase ASCII
/// letters, digits, dots, dashes and underscores, 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgentId(String);

impl AgentId {
    /// Parses a login name; uppercase is folded to lowercase, anything else outside the allowed
    /// characters is rejected.
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let lowered = text.trim().to_ascii_lowercase();
        let allowed = |character: char| {
            character.is_ascii_lowercase() || character.is_ascii_digit() || matches!(character, '.' | '-' | '_')
        };
        if lowered.is_empty() || lowered.len() > 64 || !lowered.chars().all(allowed) {
            return Err(InvalidId);
        }
        Ok(Self(lowered))
    }

    /// The login name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for AgentId {
    type Error = InvalidId;
    fn try_from(text: String) -> Result<Self, InvalidId> {
        Self::parse(&text)
    }
}

impl From<AgentId> for String {
    fn from(id: AgentId) -> String {
        id.0
    }
}

/// The text is not a valid identifier of the expected kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid identifier")]
pub struct InvalidId;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_id_accepts_uuid_and_canonicalises_case() {
        let id = ConversationId::parse("0190A3B2-7C4D-7E8F-9A0B-1C2D3E4F5A6B").unwrap();
        assert_eq!(id.as_str(), "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b");
    }

    #[test]
    fn conversation_id_rejects_non_uuid_text() {
        for bad in ["", "abc", "../etc/passwd", "0190a3b2-7c4d-7e8f-9a0b"] {
            assert_eq!(ConversationId::parse(bad), Err(InvalidId), "{bad}");
        }
    }

    #[test]
    fn agent_id_folds_case_and_rejects_odd_characters() {
        assert_eq!(AgentId::parse("Sanne.B").unwrap().as_str(), "sanne.b");
        for bad in ["", "sanne b", "sanne@x", &"a".repeat(65)] {
            assert!(AgentId::parse(bad).is_err(), "{bad}");
        }
    }
}
