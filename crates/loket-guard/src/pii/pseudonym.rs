//! Pseudonymisation: replacing personal data by typed placeholders that stay the same within
//! a conversation, so a model or an agent can still follow `[IBAN_1]` across messages.
//!
//! [`Placeholders`] is the per-conversation allocator. It hands out `[KIND_n]` for each new
//! (kind, canonical value) and remembers the originals as [`Assignment`]s; the caller stores
//! new assignments in its encrypted vault and rebuilds the allocator from stored ones with
//! [`Placeholders::from_assignments`] when the conversation continues. [`Policy`] decides per
//! kind whether a value is pseudonymised, masked, dropped or kept; a BSN can never be kept
//! (PII-01, UAVG art. 46).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Entity, EntityKind};

/// What happens to one kind of personal data in a redacted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Replaced by a numbered placeholder such as `[IBAN_1]`; the original goes to the vault.
    Pseudonymise,
    /// Letters and digits replaced by `*`, keeping at most the last two when the value has at
    /// least eight of them (enough to recognise "my card ending in 42", too little to use).
    Mask,
    /// Replaced by the bare type label such as `[BSN]`; the original is not kept anywhere.
    Drop,
    /// Left as typed. Not allowed for [`EntityKind::Bsn`].
    Keep,
}

/// The per-kind actions of a tenant. The default pseudonymises every kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    actions: BTreeMap<EntityKind, Action>,
}

/// A policy that would break a rule of the law.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// UAVG art. 46: a BSN is processed only where a statute prescribes it, so a chat never
    /// keeps it in the clear.
    #[error("a BSN can not be kept unredacted")]
    BsnCannotBeKept,
    /// PII-08 (PCI DSS): a payment card number is never stored, neither in the clear nor in the
    /// vault; it can only be dropped or masked.
    #[error("a payment card number can only be dropped or masked")]
    CardCannotBeStored,
}

impl Default for Policy {
    /// Every kind pseudonymised, except payment card numbers: those are dropped (PII-08). No
    /// agent needs a card number from a chat, so none is kept, not even sealed in the vault.
    fn default() -> Self {
        Policy {
            actions: EntityKind::ALL
                .into_iter()
                .map(|kind| match kind {
                    EntityKind::CreditCard => (kind, Action::Drop),
                    _ => (kind, Action::Pseudonymise),
                })
                .collect(),
        }
    }
}

impl Policy {
    /// Sets the action for `kind`; refuses [`Action::Keep`] for a BSN, and storing a payment
    /// card number in any form.
    pub fn set(&mut self, kind: EntityKind, action: Action) -> Result<(), PolicyError> {
        if kind == EntityKind::Bsn && action == Action::Keep {
            return Err(PolicyError::BsnCannotBeKept);
        }
        if kind == EntityKind::CreditCard && matches!(action, Action::Keep | Action::Pseudonymise) {
            return Err(PolicyError::CardCannotBeStored);
        }
        self.actions.insert(kind, action);
        Ok(())
    }

    /// The action for `kind`.
    pub fn action(&self, kind: EntityKind) -> Action {
        self.actions.get(&kind).copied().unwrap_or(Action::Pseudonymise)
    }
}

/// One placeholder and the original it stands for: what the caller stores (encrypted) so an
/// authorised agent can reveal it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub kind: EntityKind,
    /// The placeholder as it appears in redacted text, e.g. `[IBAN_1]`.
    pub placeholder: String,
    /// The original value as the customer typed it.
    pub value: String,
}

/// Per-conversation placeholder allocator. The same (kind, canonical value) always gets the
/// same placeholder; a new value gets the next number of its kind.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    by_value: HashMap<(EntityKind, String), String>,
    last_number: HashMap<EntityKind, usize>,
    new_assignments: Vec<Assignment>,
}

impl Placeholders {
    /// An empty allocator for a new conversation.
    pub fn new() -> Placeholders {
        Placeholders::default()
    }

    /// Rebuilds the allocator from assignments stored earlier in the conversation; numbering
    /// continues after the highest number seen per kind. These are not "new" assignments.
    pub fn from_assignments(assignments: impl IntoIterator<Item = Assignment>) -> Placeholders {
        let mut placeholders = Placeholders::new();
        for assignment in assignments {
            let number = placeholder_number(&assignment.placeholder).unwrap_or(0);
            let last = placeholders.last_number.entry(assignment.kind).or_insert(0);
            *last = (*last).max(number);
            placeholders.by_value.insert(
                (assignment.kind, canonical_value(assignment.kind, &assignment.value)),
                assignment.placeholder,
            );
        }
        placeholders
    }

    /// The placeholder for `value` of `kind`, allocating the next one if the value is new.
    pub fn placeholder_for(&mut self, kind: EntityKind, value: &str) -> String {
        let key = (kind, canonical_value(kind, value));
        if let Some(existing) = self.by_value.get(&key) {
            return existing.clone();
        }
        let number = self.last_number.entry(kind).or_insert(0);
        *number += 1;
        let placeholder = format!("[{}_{}]", kind.as_str(), number);
        self.by_value.insert(key, placeholder.clone());
        self.new_assignments.push(Assignment {
            kind,
            placeholder: placeholder.clone(),
            value: value.to_string(),
        });
        placeholder
    }

    /// Assignments made since construction (or the last take), for the caller to store.
    pub fn new_assignments(&self) -> &[Assignment] {
        &self.new_assignments
    }

    /// Returns and forgets the new assignments, so each is stored exactly once.
    pub fn take_new_assignments(&mut self) -> Vec<Assignment> {
        std::mem::take(&mut self.new_assignments)
    }
}

/// One replacement made in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    pub kind: EntityKind,
    pub action: Action,
    /// Char offsets of the replaced value in the input text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// What now stands in the text instead (the placeholder, the mask or the label).
    pub replacement: String,
}

/// The result of [`pseudonymise`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pseudonymised {
    /// The text with every non-kept entity replaced.
    pub text: String,
    /// The replacements in text order.
    pub replaced: Vec<Replacement>,
    /// How many entities of each kind were found (kept ones included).
    pub counts: BTreeMap<EntityKind, usize>,
}

/// Replaces `entities` (char offsets into `text`, as [`super::PiiScanner::scan`] returns them)
/// according to `policy`. Entities that overlap an earlier one or fall outside the text are
/// skipped. Afterwards any other occurrence of a replaced value of four or more characters is
/// replaced as well, so a value the scanner saw once (an order-context BSN next to a
/// BSN-context one, say) does not survive elsewhere in the same text.
pub fn pseudonymise(
    text: &str,
    entities: &[Entity],
    placeholders: &mut Placeholders,
    policy: &Policy,
) -> Pseudonymised {
    let characters: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |char_index: usize| characters.get(char_index).map_or(text.len(), |&(byte, _)| byte);
    let mut sorted: Vec<&Entity> = entities.iter().collect();
    sorted.sort_by_key(|entity| (entity.start, entity.end));

    let mut result = Pseudonymised::default();
    let mut output = String::with_capacity(text.len());
    let mut cursor = 0usize;
    let mut replaced_values: Vec<(String, String)> = Vec::new();
    for entity in sorted {
        if entity.start < cursor || entity.start >= entity.end || entity.end > characters.len() {
            continue;
        }
        *result.counts.entry(entity.kind).or_insert(0) += 1;
        let action = policy.action(entity.kind);
        if action == Action::Keep {
            continue;
        }
        let (start_byte, end_byte) = (byte_at(entity.start), byte_at(entity.end));
        let value = &text[start_byte..end_byte];
        let replacement = match action {
            Action::Pseudonymise => placeholders.placeholder_for(entity.kind, value),
            Action::Mask => mask(value),
            Action::Drop | Action::Keep => format!("[{}]", entity.kind.as_str()),
        };
        output.push_str(&text[byte_at(cursor)..start_byte]);
        output.push_str(&replacement);
        cursor = entity.end;
        if value.chars().count() >= 4 {
            replaced_values.push((value.to_string(), replacement.clone()));
        }
        result.replaced.push(Replacement {
            kind: entity.kind,
            action,
            start: entity.start,
            end: entity.end,
            replacement,
        });
    }
    output.push_str(&text[byte_at(cursor)..]);
    // Longest first, so a value that contains another is replaced whole.
    replaced_values.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    for (value, replacement) in &replaced_values {
        if output.contains(value.as_str()) {
            output = output.replace(value.as_str(), replacement);
        }
    }
    result.text = output;
    result
}

/// The form under which two spellings of one value get the same placeholder: no spaces or
/// separators, uppercase where case carries no meaning, lowercase e-mail, national phone form.
pub fn canonical_value(kind: EntityKind, value: &str) -> String {
    let alphanumeric_upper = || {
        value
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect::<String>()
    };
    let digits = || value.chars().filter(char::is_ascii_digit).collect::<String>();
    match kind {
        EntityKind::Email => value.trim().to_lowercase(),
        EntityKind::Iban
        | EntityKind::Postcode
        | EntityKind::LicensePlate
        | EntityKind::VatId
        | EntityKind::IdDocument => alphanumeric_upper(),
        EntityKind::Bsn => {
            let compact = alphanumeric_upper();
            let number = compact
                .strip_prefix("NL")
                .map_or(compact.as_str(), |rest| rest.get(..9).unwrap_or(rest))
                .to_string();
            format!("{number:0>9}")
        }
        EntityKind::Kvk | EntityKind::CreditCard => digits(),
        EntityKind::Phone => {
            let without_trunk = value.replace("(0)", "");
            let compact: String = without_trunk
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            if let Some(national) = compact.strip_prefix("+31").or_else(|| compact.strip_prefix("0031")) {
                format!("0{national}")
            } else {
                compact.replace('+', "00")
            }
        }
        EntityKind::Person | EntityKind::Address | EntityKind::DateOfBirth | EntityKind::IpAddress => {
            value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
        }
    }
}

fn mask(value: &str) -> String {
    let alphanumerics = value.chars().filter(|c| c.is_alphanumeric()).count();
    let visible_tail = if alphanumerics >= 8 { 2 } else { 0 };
    let mut seen = 0;
    value
        .chars()
        .map(|character| {
            if character.is_alphanumeric() {
                seen += 1;
                if seen > alphanumerics - visible_tail {
                    character
                } else {
                    '*'
                }
            } else {
                character
            }
        })
        .collect()
}

/// The number in a placeholder such as `[IBAN_12]`.
fn placeholder_number(placeholder: &str) -> Option<usize> {
    placeholder.trim_end_matches(']').rsplit('_').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: EntityKind, start: usize, end: usize) -> Entity {
        Entity {
            kind,
            start,
            end,
            score: 1.0,
        }
    }

    #[test]
    fn card_numbers_are_dropped_by_default_and_can_never_be_stored_pii_08() {
        let mut policy = Policy::default();
        assert_eq!(policy.action(EntityKind::CreditCard), Action::Drop);
        assert_eq!(policy.action(EntityKind::Iban), Action::Pseudonymise);
        for stored in [Action::Keep, Action::Pseudonymise] {
            assert_eq!(
                policy.set(EntityKind::CreditCard, stored),
                Err(PolicyError::CardCannotBeStored)
            );
        }
        assert_eq!(policy.set(EntityKind::CreditCard, Action::Mask), Ok(()));
        assert_eq!(policy.action(EntityKind::CreditCard), Action::Mask);
    }

    #[test]
    fn same_value_in_another_spelling_gets_the_same_placeholder() {
        let mut placeholders = Placeholders::new();
        let first = placeholders.placeholder_for(EntityKind::Iban, "NL91 ABNA 0417 1643 00");
        let second = placeholders.placeholder_for(EntityKind::Iban, "nl91abna0417164300");
        let other = placeholders.placeholder_for(EntityKind::Iban, "NL02ABNA0123456789");
        assert_eq!(first, "[IBAN_1]");
        assert_eq!(second, "[IBAN_1]");
        assert_eq!(other, "[IBAN_2]");
        assert_eq!(placeholders.new_assignments().len(), 2);
    }

    #[test]
    fn phone_numbers_in_national_and_international_form_share_a_placeholder() {
        let mut placeholders = Placeholders::new();
        let national = placeholders.placeholder_for(EntityKind::Phone, "06-12345678");
        let international = placeholders.placeholder_for(EntityKind::Phone, "+31 6 1234 5678");
        assert_eq!(national, international);
    }

    #[test]
    fn stored_assignments_continue_the_numbering() {
        let stored = vec![
            Assignment {
                kind: EntityKind::Email,
                placeholder: "[EMAIL_3]".into(),
                value: "A@B.nl".into(),
            },
            Assignment {
                kind: EntityKind::Email,
                placeholder: "[EMAIL_1]".into(),
                value: "c@d.nl".into(),
            },
        ];
        let mut placeholders = Placeholders::from_assignments(stored);
        assert_eq!(placeholders.placeholder_for(EntityKind::Email, "a@b.nl"), "[EMAIL_3]");
        assert_eq!(placeholders.placeholder_for(EntityKind::Email, "x@y.nl"), "[EMAIL_4]");
        assert_eq!(placeholders.take_new_assignments().len(), 1);
        assert!(placeholders.new_assignments().is_empty());
    }

    #[test]
    fn bsn_can_not_be_kept_pii_01() {
        let mut policy = Policy::default();
        assert_eq!(
            policy.set(EntityKind::Bsn, Action::Keep),
            Err(PolicyError::BsnCannotBeKept)
        );
        assert_eq!(policy.action(EntityKind::Bsn), Action::Pseudonymise);
        assert_eq!(policy.set(EntityKind::Email, Action::Keep), Ok(()));
    }

    #[test]
    fn each_action_rewrites_the_text_as_documented() {
        let text = "bsn 123456782, mail a@b.nl, iban NL91ABNA0417164300, tel 0612345678";
        let entities = [
            entity(EntityKind::Bsn, 4, 13),
            entity(EntityKind::Email, 20, 26),
            entity(EntityKind::Iban, 33, 51),
            entity(EntityKind::Phone, 57, 67),
        ];
        let mut policy = Policy::default();
        for (kind, action) in [
            (EntityKind::Bsn, Action::Drop),
            (EntityKind::Email, Action::Keep),
            (EntityKind::Iban, Action::Pseudonymise),
            (EntityKind::Phone, Action::Mask),
        ] {
            assert_eq!(policy.set(kind, action), Ok(()));
        }
        let result = pseudonymise(text, &entities, &mut Placeholders::new(), &policy);
        assert_eq!(result.text, "bsn [BSN], mail a@b.nl, iban [IBAN_1], tel ********78");
        assert_eq!(result.replaced.len(), 3);
        assert_eq!(result.counts.get(&EntityKind::Email), Some(&1));
    }

    #[test]
    fn an_unflagged_repeat_of_a_replaced_value_is_replaced_too() {
        let text = "order 123456782 en bsn 123456782";
        let entities = [entity(EntityKind::Bsn, 23, 32)];
        let result = pseudonymise(text, &entities, &mut Placeholders::new(), &Policy::default());
        assert_eq!(result.text, "order [BSN_1] en bsn [BSN_1]");
    }

    #[test]
    fn overlapping_and_out_of_range_entities_are_skipped_without_panic() {
        let text = "héllo wörld";
        let entities = [
            entity(EntityKind::Person, 0, 5),
            entity(EntityKind::Person, 3, 8),
            entity(EntityKind::Person, 6, 99),
            entity(EntityKind::Person, 7, 7),
        ];
        let result = pseudonymise(text, &entities, &mut Placeholders::new(), &Policy::default());
        assert_eq!(result.text, "[PERSON_1] wörld");
    }
}
