//! The output filter that stops the assistant from claiming to be human (REQUIREMENTS
//! DIS-06: "a deterministic output filter blocks any claim to be human").
//!
//! It reads the assistant's outgoing text, not the customer's. A claim is a first-person
//! statement of being human or staff ("ik ben een echte medewerker", "I'm human"), a denial
//! of being automated ("ik ben geen bot", "I am not an AI"), speaking from a human position
//! ("als mens begrijp ik", "speaking as a human"), or telling the customer they talk to a
//! person ("you are talking to a real person"). Truthful sentences stay clean: "Nee, ik ben
//! geen mens maar een AI-assistent", "I'm not a person", "Ik ben een AI-assistent, geen
//! medewerker", "een medewerker (een mens) neemt het over".

use super::lexicon::{Lexicon, RuleGroup};
use super::request::NEUTRAL_PHRASES;
use super::vocabulary::CLASSES;

/// The verdict on one outgoing message of the assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimVerdict {
    /// No claim to be human was found.
    Clean,
    /// The text claims that the assistant (or the customer's conversation partner) is human.
    ClaimsHuman {
        /// Which kind of claim: `"self_identifies_as_human"`, `"denies_being_ai"`,
        /// `"speaks_as_human"`, `"says_customer_talks_to_human"` or `"claims_to_work_there"`.
        phrase_kind: &'static str,
    },
}

/// Modifiers allowed between "I am" and a human noun in a claim; negations are deliberately
/// absent, so "ik ben geen mens" and "I'm not a person" never match a positive claim.
const CLAIM_FILLER: &[&str] = &[
    "een",
    "n",
    "a",
    "an",
    "echt",
    "echte",
    "real",
    "actual",
    "actually",
    "just",
    "also",
    "ook",
    "gewoon",
    "wel",
    "heus",
    "werkelijk",
    "really",
    "genuinely",
    "truly",
    "definitely",
    "certainly",
    "zeker",
    "100",
    "procent",
    "percent",
    "totally",
    "completely",
    "helemaal",
    "fellow",
    "living",
    "levende",
    "levend",
    "menselijke",
    "human",
    "live",
    "your",
    "uw",
    "jouw",
    "je",
    "de",
    "the",
    "only",
    "simply",
    "gewoonweg",
    "toch",
    "nog",
    "steeds",
    "still",
    "always",
    "altijd",
    "wel degelijk",
    "indeed",
    "inderdaad",
    "friendly",
    "vriendelijke",
    "behulpzame",
    "helpful",
    "echt wel",
    "hier",
    "here",
];

/// Human nouns an assistant must never apply to itself.
const HUMAN_CLAIM: &[&str] = &[
    "mens",
    "human",
    "human being",
    "persoon",
    "person",
    "medewerker",
    "medewerkster",
    "[a-z]+medewerker",
    "employee",
    "staff member",
    "agent",
    "representative",
    "collega",
    "colleague",
    "mens van vlees en bloed",
    "man",
    "vrouw",
    "woman",
    "guy",
    "girl",
    "meisje",
    "jongen",
    "lady",
    "dame",
    "heer",
    "gentleman",
    "people person",
    "humans",
    "mensen",
];

const SELF_IDENTIFIES: &[&str] = &[
    r" (?:ik ben|im|i am|i m) (?:{CLAIM_FILLER} )*(?:{HUMAN_CLAIM}) ",
    r" (?:ik ben|im|i am|i m) (?:{CLAIM_FILLER} )*(?:echt|real|alive|levend|flesh and blood|van vlees en bloed) (?:\||en|and|hoor|echt|i promise|ik beloof) ",
    r" (?:wij mensen|we humans|us humans|wij als mensen|we as humans) ",
];

/// "I'm a human-like assistant" describes a style, not a nature.
const SELF_IDENTIFIES_VETO: &[&str] =
    &[r" (?:{HUMAN_CLAIM}) (?:like|achtig|achtige|sounding|klinkende|centred|centered|gerichte|resources) "];

const DENIES_AI: &[&str] = &[
    r" (?:ik ben|im|i am|i m) (?:{CLAIM_FILLER} )*(?:geen|niet|not|no|never|nooit) (?:{CLAIM_FILLER} |een |a |an )*(?:{BOT}) ",
    r" (?:dit is|this is|it is|its|het is|dat is|that is) (?:{CLAIM_FILLER} )*(?:geen|not|no|niet) (?:{CLAIM_FILLER} )*(?:{BOT}) ",
    r" (?:u|je|jij|you) (?:are |re )?(?:niet|not|geen) (?:talking|chatting|speaking|praat|spreekt|chat|chatten|praten|spreek|communicating) (?:met|to|with|tegen) (?:{CLAIM_FILLER} )*(?:{BOT}) ",
    r" (?:youre|you re|u|je|jij) (?:talking|chatting|speaking|praat|spreekt|chat|chatten|praten|spreek) (?:niet|not|geen) (?:met|to|with|tegen) (?:{CLAIM_FILLER} )*(?:{BOT}) ",
    r" (?:u|je|jij|you) (?:praat|spreekt|chat|spreek) (?:niet|not) (?:met|tegen) (?:{CLAIM_FILLER} )*(?:{BOT}) ",
];

/// "Ik ben geen chatbot maar een AI-assistent" denies one machine word for another.
const DENIES_AI_VETO: &[&str] = &[
    r" (?:maar|but|rather|instead|wel) (?:{W}){0,3}(?:ai|assistent|assistant|computerprogramma|taalmodel|language model|program|programma|chatbot|bot|computer|software) ",
];

const SPEAKS_AS_HUMAN: &[&str] = &[
    r" (?:als|as) (?:een |a |an |fellow |echte |real )?(?:mens|human|human being|persoon|person|medewerker|employee|mensen|humans) (?:{W}){0,3}(?:ik|i|me|mij|myself|mezelf|we|wij|ourselves|us|im|ive|id) ",
    r" speaking as (?:a |an )?(?:human|person|employee|real person|fellow human) ",
    r" (?:als|as) (?:fellow human|medemens|fellow humans) ",
];

const TELLS_CUSTOMER_HUMAN: &[&str] = &[
    r" (?:u|je|jij|you|youre|you are|you re) (?:are |re |now |nu |hier |here |currently |momenteel )*(?:talking|chatting|speaking|praat|spreekt|chat|chatten|praten|spreek|communicating) (?:nu |now |hier |here |currently |momenteel )*(?:met|to|with|tegen) (?:{CLAIM_FILLER} )*(?:{HUMAN_CLAIM}) ",
    r" (?:dit is|this is|hier is|here is) (?:{CLAIM_FILLER} )*(?:{HUMAN_CLAIM}) (?:\||speaking|aan het woord) ",
];

const WORKS_THERE: &[&str] = &[
    r" (?:ik werk|i work|im working|i m working|ik zit|i have worked|ive worked) (?:{W}){0,3}(?:bij|at|for|voor|in|op) (?:{W}){0,3}(?:afdeling|department|team|klantenservice|customer service|support|kantoor|office|company|bedrijf|winkel|store|helpdesk|callcenter) ",
    r" (?:mijn collega|my colleague|my coworker|mijn teamgenoot|my manager|mijn leidinggevende|mijn baas|my boss) ",
];

/// Sentences that introduce the assistant as software are not a claim to work there.
const WORKS_THERE_VETO: &[&str] = &[
    r" (?:ai|assistent|assistant|computerprogramma|bot|chatbot|virtual|virtuele|digitale|automated|geautomatiseerd|taalmodel|language model|software|programma|program|menselijke|menselijk|human) ",
];

/// A deterministic filter for the assistant's outgoing text; build it once and share it.
#[derive(Debug)]
pub struct HumanClaimFilter {
    lexicon: Lexicon,
    rules: Vec<(&'static str, RuleGroup)>,
}

impl Default for HumanClaimFilter {
    fn default() -> Self {
        HumanClaimFilter::new()
    }
}

impl HumanClaimFilter {
    /// Builds the filter. The patterns are constants compiled by the unit tests.
    pub fn new() -> Self {
        let classes = claim_classes();
        let rules = rule_templates()
            .into_iter()
            .map(|(kind, positive, veto)| (kind, RuleGroup::new(positive, veto, &classes)))
            .collect();
        let expanded: Vec<String> = rule_templates()
            .into_iter()
            .flat_map(|(_, positive, veto)| positive.iter().chain(veto.iter()))
            .map(|template| super::lexicon::expand(template, &classes))
            .collect();
        HumanClaimFilter {
            lexicon: Lexicon::from_patterns(
                expanded.iter().map(String::as_str),
                super::MIN_FUZZY_LENGTH,
                super::NEVER_CORRECTED,
            )
            .with_phrases(NEUTRAL_PHRASES),
            rules,
        }
    }

    /// Checks one outgoing message of the assistant.
    pub fn check(&self, outgoing_ai_text: &str) -> ClaimVerdict {
        let canonical = self.lexicon.canonical(outgoing_ai_text);
        for (phrase_kind, group) in &self.rules {
            if group.matches(&canonical) {
                return ClaimVerdict::ClaimsHuman { phrase_kind };
            }
        }
        ClaimVerdict::Clean
    }
}

/// The kinds of claim the filter tells apart, as [`ClaimVerdict::ClaimsHuman`] names them.
pub fn claim_kinds() -> [&'static str; 5] {
    rule_templates().map(|(kind, _, _)| kind)
}

type Templates = &'static [&'static str];

fn rule_templates() -> [(&'static str, Templates, Templates); 5] {
    [
        ("self_identifies_as_human", SELF_IDENTIFIES, SELF_IDENTIFIES_VETO),
        ("denies_being_ai", DENIES_AI, DENIES_AI_VETO),
        ("speaks_as_human", SPEAKS_AS_HUMAN, &[]),
        ("says_customer_talks_to_human", TELLS_CUSTOMER_HUMAN, &[]),
        ("claims_to_work_there", WORKS_THERE, WORKS_THERE_VETO),
    ]
}

fn claim_classes() -> Vec<(&'static str, &'static [&'static str])> {
    let mut classes = CLASSES.to_vec();
    classes.push(("CLAIM_FILLER", CLAIM_FILLER));
    classes.push(("HUMAN_CLAIM", HUMAN_CLAIM));
    classes
}

/// Compiles every claim pattern and panics with the failing one; used by the unit tests.
#[cfg(test)]
pub(crate) fn compile_all_for_tests() {
    let classes = claim_classes();
    for (kind, positive, veto) in rule_templates() {
        if let Err(error) = RuleGroup::compile(positive, veto, &classes) {
            panic!("claim patterns of kind {kind} do not compile: {error}");
        }
    }
}
