//! The content policy lint: approved text a customer can be shown is checked at import against
//! what the AP and ACM ask of a customer-service chatbot, in Dutch and English.
//!
//! Rules (each names its requirement in REQUIREMENTS.md):
//! - `asks_for_bsn_or_id` (PRIV-11): the text asks the customer to send or type their BSN, a
//!   passport or an ID copy; identity is verified through the company's login, never in the chat.
//! - `false_urgency` (ACC-06): false urgency or scarcity ("alleen vandaag", "nog maar 2 op
//!   voorraad", "act now").
//! - `discourages_cancellation` (ACC-06, ACC-04): steering the customer away from withdrawing or
//!   cancelling ("weet u zeker dat u wilt annuleren?", "you will lose your discount").
//! - `liability_disclaimer` (ACC-07): a disclaimer that shifts the liability for answers
//!   ("aan deze antwoorden kunnen geen rechten worden ontleend", "answers are not binding").
//!
//! A finding is a warning, not a rejection: the company approved the text and decides. The
//! import report lists the findings, they are kept with the generation, and the compliance
//! report shows those of the served knowledge as not met.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::model::{Entry, EntryKind};

/// One rule's finding in one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFinding {
    /// The file path, with `:line` for one line of a JSONL file.
    pub source: String,
    /// The entry's id.
    pub entry_id: String,
    /// The rule's stable name.
    pub rule: String,
    /// The requirement it checks.
    pub requirement: String,
    /// The words that matched, as written in the approved text.
    pub excerpt: String,
}

/// A rule: its name, its requirement and its patterns.
struct Rule {
    name: &'static str,
    requirement: &'static str,
    patterns: Vec<Regex>,
    /// A negation earlier in the sentence cancels a match ("wij vragen nooit om uw BSN").
    negatable: bool,
}

/// Negations that cancel a match of a negatable rule when they come first in its sentence
/// (compiled by the unit tests; were it not to compile, nothing would be cancelled).
static NEGATION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:nooit|niet|geen|never|not|no|don't|do not)\b").ok());

fn rules() -> &'static [Rule] {
    static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
        let compile = |patterns: &[&str]| {
            patterns
                .iter()
                .filter_map(|pattern| Regex::new(&format!("(?i){pattern}")).ok())
                .collect()
        };
        vec![
            Rule {
                name: "asks_for_bsn_or_id",
                requirement: "PRIV-11",
                patterns: compile(&[
                    r"\b(?:stuur|stuurt|deel|deelt|geef|geeft|typ|typt|noem|noemt|vermeld|vermeldt|upload|uploadt|plak|plakt|zet)\b[^.!?\n]{0,40}\b(?:bsn|burgerservicenummer|sofinummer|paspoort|identiteitsbewijs|id-bewijs|id-kaart|rijbewijs)",
                    r"\b(?:bsn|burgerservicenummer|kopie van (?:uw|je) (?:paspoort|identiteitsbewijs|id-bewijs|id-kaart|rijbewijs))\b[^.!?\n]{0,40}\b(?:sturen|delen|geven|typen|noemen|doorgeven|in de chat|hier)\b",
                    r"\b(?:send|share|give|type|enter|provide|upload|paste)\b[^.!?\n]{0,40}\b(?:bsn|citizen service number|social security number|passport|id card|identity card|copy of your id|driving licen[cs]e)",
                ]),
                negatable: true,
            },
            Rule {
                name: "false_urgency",
                requirement: "ACC-06",
                patterns: compile(&[
                    r"\b(?:alleen|slechts) (?:vandaag|nu|deze week|dit weekend)\b",
                    r"\bnog (?:maar|slechts) \d+ (?:stuks? )?(?:op voorraad|beschikbaar|over)\b",
                    r"\bop\s*=\s*op\b",
                    r"\blaatste kans\b",
                    r"\b(?:bestel|beslis|koop) (?:nu|snel)\b[^.!?\n]{0,30}\b(?:voordat|anders|voor het te laat)",
                    r"\b(?:only|just) \d+ left\b",
                    r"\b(?:only|just) today\b",
                    r"\blimited[- ]time offer\b",
                    r"\b(?:act|order|buy) now\b[^.!?\n]{0,30}\b(?:before|or you)",
                    r"\bhurry\b",
                    r"\blast chance\b",
                ]),
                negatable: false,
            },
            Rule {
                name: "discourages_cancellation",
                requirement: "ACC-06",
                patterns: compile(&[
                    r"\bweet (?:u|je) (?:het )?zeker dat (?:u|je) [^.!?\n]{0,30}\b(?:wilt|wil) (?:annuleren|opzeggen|herroepen|retourneren)",
                    r"\b(?:u|je) (?:verliest|mist) (?:dan )?(?:uw|je|al uw|al je) (?:korting|voordeel|voordelen|punten|spaarpunten|bonus)",
                    r"\bare you sure you want to (?:cancel|withdraw|unsubscribe|return)",
                    r"\byou(?:'ll| will) lose (?:your|all your) (?:discount|benefits|points|bonus)",
                ]),
                negatable: false,
            },
            Rule {
                name: "liability_disclaimer",
                requirement: "ACC-07",
                patterns: compile(&[
                    r"\bgeen rechten (?:worden |kunnen worden )?(?:ontleend|ontlenen)\b",
                    r"\b(?:antwoorden|informatie)\b[^.!?\n]{0,40}\b(?:zijn|is) (?:niet|nooit) bindend\b",
                    r"\bno rights can be derived\b",
                    r"\b(?:answers|information)\b[^.!?\n]{0,40}\b(?:are|is) not (?:legally )?binding\b",
                ]),
                negatable: false,
            },
        ]
    });
    &RULES
}

/// The findings in the text `entry` shows a customer (FAQ answer; document passages); none for
/// internal and confidential entries, which customers never see.
pub(crate) fn lint_entry(entry: &Entry, source: &str) -> Vec<PolicyFinding> {
    if entry.audience.is_restricted() {
        return Vec::new();
    }
    let texts: Vec<&str> = match &entry.kind {
        EntryKind::Faq { answer, .. } => vec![answer.as_str()],
        EntryKind::Document { passages, .. } => passages.iter().map(|passage| passage.text.as_str()).collect(),
    };
    let mut findings = Vec::new();
    for rule in rules() {
        let found = texts.iter().find_map(|text| {
            rule.patterns.iter().find_map(|pattern| {
                pattern
                    .find_iter(text)
                    .find(|found| !(rule.negatable && negated(text, found.start())))
            })
        });
        if let Some(found) = found {
            findings.push(PolicyFinding {
                source: source.to_owned(),
                entry_id: entry.id.as_str().to_owned(),
                rule: rule.name.to_owned(),
                requirement: rule.requirement.to_owned(),
                excerpt: found.as_str().to_owned(),
            });
        }
    }
    findings
}

/// True when a negation comes between the start of the sentence and `at`.
fn negated(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let sentence_start = before.rfind(['.', '!', '?', '\n']).map_or(0, |index| index + 1);
    NEGATION
        .as_ref()
        .is_some_and(|negation| negation.is_match(&before[sentence_start..]))
}

/// The file in a generation's directory that keeps its findings.
pub(crate) const FILE_NAME: &str = "policy-findings.json";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::model::{Audience, EntryId, Passage};

    fn faq(answer: &str, audience: Audience) -> Entry {
        Entry {
            id: EntryId::parse("x-nl").unwrap(),
            lang: Lang::Nl,
            audience,
            customer_id: None,
            url: None,
            valid_until: None,
            kind: EntryKind::Faq {
                question: "Vraag?".into(),
                alt_questions: Vec::new(),
                answer: answer.into(),
                answer_indexed: false,
            },
        }
    }

    fn rules_of(answer: &str) -> Vec<String> {
        lint_entry(&faq(answer, Audience::Public), "faq.jsonl:1")
            .into_iter()
            .map(|finding| finding.rule)
            .collect()
    }

    #[test]
    fn each_rule_finds_its_pattern_in_dutch_and_english() {
        for (text, rule) in [
            ("Stuur ons een kopie van uw paspoort via de chat.", "asks_for_bsn_or_id"),
            ("Typ hier uw BSN, dan zoeken wij het op.", "asks_for_bsn_or_id"),
            (
                "Please send us your passport number in this chat.",
                "asks_for_bsn_or_id",
            ),
            ("Alleen vandaag 20% korting!", "false_urgency"),
            ("Nog maar 2 op voorraad, op = op.", "false_urgency"),
            ("Only 3 left, hurry!", "false_urgency"),
            (
                "Weet u zeker dat u wilt annuleren? U verliest dan uw korting.",
                "discourages_cancellation",
            ),
            (
                "Are you sure you want to cancel? You will lose your points.",
                "discourages_cancellation",
            ),
            (
                "Aan deze antwoorden kunnen geen rechten worden ontleend.",
                "liability_disclaimer",
            ),
            ("The chatbot's answers are not binding.", "liability_disclaimer"),
        ] {
            assert_eq!(rules_of(text), vec![rule.to_string()], "{text:?}");
        }
    }

    #[test]
    fn every_pattern_compiles() {
        assert!(NEGATION.is_some());
        assert_eq!(rules().iter().map(|rule| rule.patterns.len()).sum::<usize>(), 22);
    }

    #[test]
    fn ordinary_approved_answers_pass_the_lint() {
        for text in [
            "U heeft 14 dagen bedenktijd na ontvangst. U kunt herroepen via het formulier of in deze chat.",
            "Wij vragen nooit om uw BSN of een kopie van uw paspoort in de chat.",
            "Log in op uw account om uw gegevens te bekijken; wij controleren uw identiteit via de login.",
            "Bestellingen voor 17:00 worden dezelfde dag verzonden.",
            "You can cancel your subscription at any time, with one month's notice.",
            "We never ask for your passport in this chat.",
            "Op maatwerk is het herroepingsrecht niet van toepassing.",
        ] {
            assert_eq!(rules_of(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn restricted_entries_and_document_passages_are_handled() {
        let internal = faq(
            "Alleen vandaag: vraag de klant om een kopie van het paspoort.",
            Audience::Internal,
        );
        assert!(
            lint_entry(&internal, "x").is_empty(),
            "customers never see internal text"
        );
        let mut page = faq("", Audience::Public);
        page.kind = EntryKind::Document {
            title: "Acties".into(),
            owner: None,
            version: None,
            passages: vec![
                Passage {
                    heading: None,
                    text: "Onze fietsen worden in Nederland gemaakt.".into(),
                },
                Passage {
                    heading: Some("Actie".into()),
                    text: "Laatste kans: de actie loopt af!".into(),
                },
            ],
        };
        let findings = lint_entry(&page, "acties.md");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            (findings[0].rule.as_str(), findings[0].excerpt.as_str()),
            ("false_urgency", "Laatste kans")
        );
    }
}
