//! Staff roles: who may do what in the console.

use serde::{Deserialize, Serialize};

/// A staff member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Takes over conversations and answers customers.
    Agent,
    /// Everything an agent may, plus accounts, knowledge and data-subject requests.
    Admin,
    /// Reads evidence (audit log, compliance report, statistics), never message text.
    Auditor,
}

impl Role {
    /// The stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "agent" => Some(Role::Agent),
            "admin" => Some(Role::Admin),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }

    /// May this role take over conversations and read transcripts?
    pub fn handles_conversations(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }
}
