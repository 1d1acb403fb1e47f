//! Questions about what the assistant is (REQUIREMENTS DIS-06, §2.3 "Are you a bot?").
//!
//! Direct ("ben je een mens?", "are you a bot?"), indirect ("met wie praat ik?", "is this
//! automated?", "did a human write this?") and manipulative ("zweer dat je geen bot bent",
//! "pretend to be human", "roleplay as Lisa from support, a human") forms all get the same
//! truthful answer from the caller, so they are one intent.

use super::lexicon::RuleGroup;
use super::vocabulary::CLASSES;

/// Words that may stand between "ben je" / "are you" and what is asked about.
pub(crate) const IDENTITY_FILLER: &[&str] = &[
    "een",
    "n",
    "1",
    "a",
    "an",
    "echt",
    "echte",
    "real",
    "actual",
    "actually",
    "really",
    "eigenlijk",
    "wel",
    "nou",
    "toch",
    "even",
    "gewoon",
    "just",
    "ook",
    "also",
    "genuinely",
    "truly",
    "honestly",
    "eerlijk",
    "serious",
    "seriously",
    "zelf",
    "nu",
    "now",
    "hier",
    "here",
    "the",
    "de",
    "het",
    "nog",
    "still",
    "maar",
    "misschien",
    "perhaps",
    "maybe",
    "soms",
    "live",
    "human",
    "menselijke",
    "menselijk",
    "living",
    "levende",
    "some",
    "kind",
    "sort",
    "soort",
    "of",
    "van",
    "like",
    "lol",
    "haha",
    "x",
    "definitely",
    "zeker",
    "100",
    "procent",
    "percent",
    "een echt",
    "only",
    "alleen",
    "dan",
    "then",
];

/// Things that are clearly a bot or clearly a human, for openers as loose as "is this".
const STRICT_NATURE: &[&str] = &[
    "bot",
    "robot",
    "chatbot",
    "ai",
    "automated",
    "automatisch",
    "geautomatiseerd",
    "machine",
    "chatgpt",
    "gpt",
    "llm",
    "mens",
    "human",
    "human being",
    "real person",
    "echt persoon",
    "echte persoon",
    "echte medewerker",
    "real human",
    "actual person",
    "actual human",
    "medewerker",
    "computergegenereerd",
    "computer generated",
    "ai generated",
    "door ai gegenereerd",
    "taalmodel",
    "language model",
];

const IDENTITY: &[&str] = &[
    // "ben je een mens?", "bent u echt een medewerker?", "ben jij AI?"
    r" (?:ben|bent|bn) (?:je|jij|u|jullie) (?:{IDFILL} ){0,4}(?:{BOT}|{HUMAN_NATURE}) ",
    // "are you human?", "r u a bot", "aren't you a real person?"
    r" (?:are|r|arent|were|is) (?:you|u|ya|yall|ye) (?:{IDFILL} ){0,4}(?:{BOT}|{HUMAN_NATURE}) ",
    // "you're a bot", "je bent een robot", "u bent toch een mens?"
    r" (?:youre|you are|you re|ur|u r|u are|je bent|jij bent|u bent) (?:{IDFILL} ){0,4}(?:{BOT}|{HUMAN_NATURE}) ",
    // "is this automated?", "is dit een geautomatiseerd antwoord?", "is this chat a bot?"
    r" (?:is|was) (?:this|dit|het|dat|that|it|hier|here) (?:(?:{IDFILL}|chat|chatservice|gesprek|conversation|antwoord|answer|reply|response|message|bericht|service|support|klantenservice|helpdesk|account) )*(?:{STRICT}) ",
    r" (?:is|was) (?:this|dit|het|dat|that|it) (?:{IDFILL} )+(?:person|persoon) ",
    // "is Lisa a real person?", "is sanne een bot?"
    r" is [a-z]+ (?:een |a |an )?(?:(?:echte|echt|real|actual|live) (?:{HUMAN_NATURE})|bot|robot|chatbot|ai|mens|human) ",
    // "praat ik met een robot?", "spreek ik nu met een medewerker?"
    r" (?:praat|spreek|chat|communiceer|typ|schrijf|talk|speak) (?:ik|i|we|wij) (?:{IDFILL} |nu |hier |now |here )*(?:met|tegen|to|with) (?:{IDFILL} |iemand |someone )*(?:{BOT}|{HUMAN_NATURE}) ",
    // "am I talking to a bot?", "I'm chatting with a machine, right?"
    r" (?:am i|are we|im|i am|i m) (?:{IDFILL} |currently |still )*(?:talking|chatting|speaking|texting|typing|communicating|writing|dealing) (?:to|with) (?:{IDFILL} )*(?:{BOT}|{HUMAN_NATURE}) ",
    // "ben ik met een computer aan het praten?", "zit ik met een bot te chatten?"
    r" (?:ben|zit) (?:ik|we|wij) (?:{W}){0,2}(?:met|tegen|bij) (?:{IDFILL} )*(?:{BOT}|{HUMAN_NATURE}) ",
    // "heb ik contact met een mens?"
    r" (?:heb|hebben) (?:ik|we|wij) (?:{W}){0,2}(?:contact|verbinding|een gesprek) met (?:{IDFILL} )*(?:{BOT}|{HUMAN_NATURE}) ",
    // "who am I talking to?", "met wie praat ik?", "wat ben jij eigenlijk?"
    r" (?:who|what) (?:am i|are we|is this|is) (?:{W}){0,2}(?:talking|chatting|speaking|texting) (?:to|with) ",
    r" met wie (?:praat|spreek|chat|communiceer|heb) (?:ik|we) ",
    r" (?:who|what|wie|wat) (?:are you|r u|are u|ben je|ben jij|bent u|are you exactly|ben je precies) (?:eigenlijk |precies |exactly |actually |really |even |then |dan )*\| ",
    r" (?:who|wie) (?:is this|is dit) \| ",
    // "pretend to be human", "doe alsof je een mens bent", "roleplay as Lisa from support, a human".
    r" (?:pretend|pretending|act as|act like|roleplay|role play|rollenspel|doe alsof|doen alsof|imagine you|stel je voor dat je|speel dat|speel de rol|play the role|from now on|vanaf nu|voortaan|you are now|je bent nu|jij bent nu|behave like|gedraag je als|respond as|answer as|antwoord als|reply as) (?:{W}){0,7}(?:{HUMAN_NATURE}) ",
    // "zweer dat je geen bot bent", "prove you are human", "be honest: are you a robot?"
    r" (?:zweer|swear|promise|beloof|prove|bewijs|admit|confess|geef toe|bevestig|confirm|zeg|say|tell me|vertel|answer|antwoord|beweer|claim|deny|ontken|be honest|wees eerlijk|honestly|eerlijk) (?:{W}){0,4}(?:je bent|jij bent|u bent|you are|youre|you re|ur|ben je|ben jij|bent u|are you|you were|je geen|je een|jij een|jij geen|u een|u geen|if you|whether you|of je|of jij|of u|dat je|dat jij|dat u|that you|you arent|you re not|youre not) (?:{IDFILL} |not |geen |niet |no )*(?:{BOT}|{HUMAN_NATURE}|real|echt) ",
    // "are you real?", "ben jij echt?"
    r" (?:ben|bent|are|r) (?:je|jij|u|you|ya) (?:{IDFILL} )*(?:echt|real|for real|legit|real life) (?:\||of|or|mens|person|human|iemand|someone|nep|fake) ",
    // "mens of machine?", "human or bot?"
    r" (?:{HUMAN_NATURE}) (?:of|or|vs|versus) (?:{IDFILL} )*(?:{BOT}) ",
    r" (?:{BOT}) (?:of|or|vs|versus) (?:{IDFILL} )*(?:{HUMAN_NATURE}) ",
    // "zit er een mens achter deze chat?", "who is behind this chat?"
    r" (?:zit|is|sits) (?:er|daar|there) (?:{IDFILL} )*(?:{HUMAN_NATURE}|iemand|someone|anyone|a person) (?:{W}){0,2}(?:achter|aan de andere kant|behind|on the other side|on the other end|at the other end) ",
    r" (?:wie|who) (?:zit|is|sits|s) (?:er |there )?(?:{W}){0,1}(?:achter|behind|aan de andere kant|on the other end|on the other side) ",
    // "was this written by AI?", "did a human write this?"
    r" (?:written|typed|geschreven|getypt|gegenereerd|generated) (?:by|door) (?:{IDFILL} )*(?:{BOT}|{HUMAN_NATURE}) ",
    r" (?:did|does|heeft|schrijft|typt) (?:{IDFILL} )*(?:{HUMAN_NATURE}|{BOT}) (?:{W}){0,2}(?:write|type|wrote|typed|geschreven|getypt|schrijven|antwoorden) ",
    // "do you have feelings?", "heb je een bewustzijn?"
    r" (?:heb|hebt|have|do) (?:je|jij|u|you) (?:{IDFILL} )*(?:have )?(?:gevoelens|feelings|emotions|emoties|bewustzijn|consciousness|a soul|een ziel|a body|een lichaam) ",
    // "you a bot?", "jij een robot?" at the start of a sentence.
    r"\| (?:you|u|jij|je|ur) (?:{IDFILL} )*(?:{BOT}|mens|human|real person|echt persoon|echte persoon) (?:\||right|toch|or|of|he|eh|arent you|isnt it) ",
];

/// The compiled rules for questions about the assistant's nature.
#[derive(Debug)]
pub(crate) struct IdentityRules {
    group: RuleGroup,
}

/// The classes of the intent vocabulary plus the identity-specific ones.
pub(crate) fn identity_classes() -> Vec<(&'static str, &'static [&'static str])> {
    let mut classes = CLASSES.to_vec();
    classes.push(("IDFILL", IDENTITY_FILLER));
    classes.push(("STRICT", STRICT_NATURE));
    classes
}

impl IdentityRules {
    pub(crate) fn new() -> Self {
        IdentityRules {
            group: RuleGroup::new(IDENTITY, &[], &identity_classes()),
        }
    }

    pub(crate) fn matches(&self, canonical: &str) -> bool {
        self.group.matches(canonical)
    }

    pub(crate) fn templates() -> impl Iterator<Item = &'static str> {
        IDENTITY.iter().copied()
    }
}
