//! Requests to talk to a person (REQUIREMENTS HUM-02, lexicon in §2.3).
//!
//! A bare keyword is not a request: "mijn pakket is bezorgd door een medewerker van PostNL"
//! and "the agent delivered my parcel late" mention people without asking for one. So each
//! rule below is a *frame*: a request word before the person ("ik wil een medewerker"), a
//! verb of getting in touch with the person ("talk to a human", "kan ik iemand spreken"), a
//! sentence that is nothing but the person ("Medewerker!!", "human please"), a rejection of
//! the bot ("geen bot", "I don't want to talk to a machine"), a transfer ("verbind me door"),
//! or a question for the phone line or a callback ("wat is jullie telefoonnummer?", "bel me
//! terug"). Negated frames ("ik hoef geen medewerker", "I don't need an agent") are vetoed per
//! sentence.

use super::lexicon::RuleGroup;
use super::vocabulary::CLASSES;

/// Multi-word expressions that contain a person word in another sense; they are rewritten to
/// one neutral token before the rules run.
pub(crate) const NEUTRAL_PHRASES: &[(&str, &str)] = &[
    (" mens erger je niet ", " menserger "),
    (" mens erger jezelf niet ", " menserger "),
    (" human resources ", " hrafdeling "),
    (" human error ", " humanerror "),
    (" menselijke fout ", " humanerror "),
    (" personal contact details ", " contactdetails "),
    (" personal contact information ", " contactdetails "),
    (" persoonlijke contactgegevens ", " contactdetails "),
    (" persoonlijk contact gegevens ", " contactdetails "),
    (" travel agent ", " reisbureau "),
    (" estate agent ", " makelaar "),
    (" real estate agent ", " makelaar "),
    (" secret agent ", " spionagent "),
    (" agent orange ", " agentorange "),
    (" van vlees en bloed ", " echt "),
    (" of flesh and blood ", " real "),
];

/// Rules whose frame already says "I want a person"; vetoed when negated.
const DIRECT: &[&str] = &[
    // "ik wil graag een echte medewerker", "I need a real person to help me", "mag ik een
    // medewerker?". The person must end the request (sentence end or a tail word), so "ik
    // wil de medewerker bedanken" is not a request.
    r" {WANT} (?:{FILLER} ){0,4}(?:{STAFF}) (?:\||{TAIL}) ",
    // "can I get someone on the phone", "ik wil iemand aan de lijn".
    r" {WANT} (?:{FILLER} ){0,3}(?:{SOMEBODY}) (?:on the phone|on the line|aan de lijn|aan de telefoon|to talk to|to speak to|to speak with|to talk with|om mee te praten|om mee te spreken|te spreken) ",
    // "ik heb een medewerker nodig", "a human is needed".
    r" (?:{STAFF}) (?:is |are )?(?:nodig|needed|required|vereist) ",
    // "hulp van een echt persoon", "an answer from a real human".
    r" (?:from|van|by|door|with|met) (?:a |an |een |de |the )?(?:real|echte|echt|actual|live|menselijke|human|levende) (?:{STAFF}|{SOMEBODY}) ",
    // "talk to a human", "speak with someone", "connect me to an agent".
    r" {CONTACT_EN} (?:me |us |you )?(?:to |with |through to |thru to |over to |through |in touch with |hold of |ahold of |on to )?(?:{FILLER} ){0,3}(?:{STAFF}|{SOMEBODY}) ",
    // "verbind me door met een medewerker", "praat liever met een mens", "bel de klantenservice".
    r" {CONTACT_NL} (?:me |mij |ons |u |je |even |ff |graag |liever |nu |toch )*(?:door )?(?:met |naar |aan |tegen |door naar )?(?:{FILLER} ){0,3}(?:{STAFF}|{SOMEBODY}) ",
    // "kan ik iemand spreken", "ik wil een medewerker aan de lijn", "mag ik met een mens praten".
    r" {MODAL_NL} (?:{W}){0,4}(?:{STAFF}|{SOMEBODY}) (?:{W}){0,3}(?:{CONTACT_INF}) ",
    // "can a human help me", "kan een medewerker dit overnemen".
    r" (?:kan|kunnen|kun|kunt|can|could|will|would|zou|mag) (?:{FILLER} ){0,3}(?:{STAFF}) (?:{W}){0,2}(?:help|helpen|assist|call|bellen|terugbellen|contact|contacteren|overnemen|take over|look at|kijken|handle|reply|antwoorden) ",
    // "iemand die mij kan helpen", "a person who speaks Dutch".
    r" (?:{STAFF}|iemand|someone|somebody|anyone|anybody) (?:die|who|that|dat) (?:{W}){0,3}(?:helpen|help|assist|bellen|call|te woord|spreken|speaks|spreekt|talk|begrijpt|understands|knows|snapt) ",
    // "is er een medewerker beschikbaar?", "is there a human I can talk to".
    r" (?:is er|zijn er|is there|are there|is daar|is|are|zijn|heb je|hebben jullie|heeft u|hebt u|do you have|do you guys have|have you got|any) (?:{FILLER} ){0,3}(?:{STAFF}|iemand|someone|somebody|anyone|anybody) (?:\||beschikbaar|aanwezig|online|available|around|there|here|hier|daar|op kantoor|in the office|working|at work|awake|wakker|i can|ik kan|ik zou|to talk|to speak|om mee|om te|die ik|die mij|die me|who can|that can) ",
    // A whole sentence that is only the person, politeness and fillers: "Medewerker!!",
    // "human please", "een echt persoon aub", "telefoonnummer?", "anyone there?".
    r"\| (?:(?:{POLITE}|{FILLER}) )*(?:{STAFF}|{PHONE}|{SOMEBODY}) (?:(?:{POLITE}|{FILLER}|{STAFF}|{SOMEBODY}) )*\|",
    // "persoonlijk contact", "human support", "live chat met iemand".
    r" (?:persoonlijk|persoonlijke|menselijk|menselijke|human|live|personal) (?:contact|support|help|hulp|assistance|chat|chatten|ondersteuning|interaction|interactie|aandacht|attention|touch) ",
];

/// Negations that turn a direct frame around: "ik hoef geen medewerker", "I don't want to
/// talk to anyone".
const DIRECT_VETO: &[&str] = &[
    r" (?:dont|do not|didnt|did not|doesnt|does not|wont|will not|never|no need to|not) (?:really |even |actually )?(?:{WANT}|{CONTACT_EN}) ",
    r" (?:niet|geen|nooit|hoef|hoeft|hoeven) (?:meer |met |een |de |nog |echt |te |naar |to )*(?:{STAFF}|{SOMEBODY}|{CONTACT_INF}|{CONTACT_NL}|nodig) ",
    r" (?:no|without|zonder) (?:{FILLER} )?(?:{STAFF}) ",
];

/// Rejections of the bot itself, which are requests for a person even without naming one.
const BOT_REJECTION: &[&str] = &[
    r" (?:wil|want|wanna|need|hoef) (?:geen|no|not|niet|nie) (?:{W}){0,3}(?:{BOT}) ",
    r" (?:dont|do not|didnt|wont|niet) (?:want|wanna|need|wil|willen|like) (?:to )?(?:talk |speak |chat |deal |praten |spreken |chatten )?(?:to |with |met )?(?:{FILLER} ){0,3}(?:{BOT}) ",
    r"\| (?:(?:{FILLER}|{POLITE}) )*(?:no|geen|nie|not) (?:more |meer |a |an |een )?(?:{BOT}) ",
    r" (?:stop|stoppen|enough|genoeg|klaar|done) (?:met |with |of )?(?:the |de |die |deze |this |dat |that |je |jou |your |stupid |stomme |domme |dumb |useless |nutteloze |rot )*(?:{BOT}) ",
    r" (?:{STAFF}|{SOMEBODY}) (?:{W})?(?:geen|niet|not|no|instead of|rather than|in plaats van|ipv|and not|en niet|en geen|nie) (?:een |a |an |the |de |die |deze |this |je |jou |you |your )?(?:stomme |domme |stupid |dumb )?(?:{BOT}) ",
    r" (?:ben klaar met|heb genoeg van|ben het zat met|am done with|im done with|had enough of|sick of|tired of|fed up with|hate|haat) (?:{FILLER} |this |these |deze |die |dit |je |talking to |praten met |chatting with )*(?:stomme |domme |stupid |useless |nutteloze |rot )?(?:{BOT}) ",
    r" (?:{BOT}) (?:{W}){0,2}(?:useless|nutteloos|waardeloos|dom|stom|stupid|dumb|worthless|not helping|helpt niet|helpt me niet|helpt mij niet|snapt het niet|snapt er niks van|begrijpt me niet|begrijpt mij niet|begrijpt het niet|doesnt understand|does not understand|dont understand|doesnt help|does not help|isnt helping|is not helping|sucks) ",
];

/// Transfers and escalations: "verbind me door", "transfer me to", "escalate this".
const TRANSFER: &[&str] = &[
    r" (?:doorverbinden|doorschakelen|doorverbonden worden|doorgeschakeld worden|escalate|escaleer|escaleren) ",
    r" (?:transfer|forward|put|patch|pass|hand) (?:me|us|this chat|this conversation|my chat|my call|my case|my question) (?:through |over |on |back )?(?:to|naar) ",
    r" (?:verbind|verbindt|schakel|schakelt|zet|zeg|stuur|stuurt) (?:me|mij|ons|u|je|dit|het gesprek|de chat) (?:{W}){0,2}door ",
];

const TRANSFER_VETO: &[&str] = &[
    r" (?:niet|dont|do not|no need to|hoeft niet|hoef niet|never|nooit) (?:{W}){0,2}(?:doorverbinden|doorschakelen|transfer|escalate|verbind|escaleren) ",
];

/// Questions for the phone line or a phone call.
const PHONE_LINE: &[&str] = &[
    r" (?:wat|what|whats|welk|welke|which|waar|where|hoe|how|heeft|hebben|hebt|have|has|geef|give|send|stuur|zoek|looking|need|nodig|krijg|get|can|kan|kun|kunt|could|mag|may|any|do you|is er|is there) (?:{W}){0,4}(?:{PHONE}) ",
    r" (?:{PHONE}) (?:van|of|for|voor) (?:jullie|u|you|your|uw|de|the|het|klantenservice|customer service|support|helpdesk) ",
    r" (?:{PHONE}) (?:{W}){0,2}(?:{STAFF}) ",
    r" (?:hoe|waar|how|where|welk nummer|which number|what number) (?:{W}){0,3}(?:bellen|bel|call|opbellen) ",
    r" (?:hoe|waar|how|where) (?:{W}){0,3}(?:reach|bereiken|contact|contacteren) (?:you|u|jullie|je|your|uw|iemand|someone|the company|het bedrijf|{STAFF}) ",
    r" (?:kan|mag|can|could|may|moet|should) (?:ik|i|we) (?:jullie |u |you |iemand |someone |de klantenservice |customer service |ook |also |even |ff )*(?:bellen|opbellen|call|phone|ring) ",
    r" telefonisch (?:{W})?(?:contact|bereikbaar|spreken|te bereiken|iemand|opnemen) ",
    r" (?:contact|speak|talk|help|spreken|praten) (?:{W}){0,2}(?:by phone|over the phone|on the phone|via de telefoon|per telefoon|aan de telefoon|telefonisch) ",
];

/// "Mijn telefoonnummer wijzigen" is account maintenance, not a wish for a call.
const PHONE_LINE_VETO: &[&str] = &[
    r" (?:mijn|my|ons|our|zijn|haar|his|her|their|hun|nieuwe|new|verkeerde|wrong|ander|another|different|oude|old) (?:{W})?(?:{PHONE}) ",
    r" (?:wijzigen|wijzig|veranderen|verander|aanpassen|pas|updaten|update|change|changed|edit|remove|verwijderen|add|toevoegen|invullen|enter|verify|verifieren) (?:{W}){0,3}(?:{PHONE}) ",
    r" (?:{PHONE}) (?:{W}){0,3}(?:wijzigen|veranderen|aanpassen|updaten|toevoegen|verwijderen|gewijzigd|veranderd|changed|wrong|incorrect|verkeerd|klopt niet) ",
];

/// Requests for a call back.
const CALLBACK: &[&str] = &[
    r" (?:terugbellen|terugbelverzoek|terugbelafspraak|callback|call back|ring back|terug bellen|teruggebeld worden|gebeld worden|be called|get a call) ",
    r" (?:bel|belt|call|ring) (?:u |je )?(?:me|mij|ons|us) (?:{W})?(?:terug|back) ",
    r"(?:\| |please |pls |plz |can you |could you |would you |will you |can someone |could someone |can somebody |someone |somebody |can an agent |will someone |can a human |kindly |just )(?:please )?(?:call|ring|phone|bel|belt) (?:me|mij|us|ons) ",
    r" (?:kunt|kan|kunnen|wil|wilt|willen|zou|zouden|kun) (?:{W}){0,3}(?:mij|me|ons) (?:{W}){0,3}(?:bellen|opbellen|terugbellen) ",
];

const CALLBACK_VETO: &[&str] = &[
    r" (?:niet|geen|nooit|dont|do not|never|not|stop|no need|hoeft|hoef|zonder|without|no longer|niet meer) (?:{W}){0,3}(?:bellen|bel|belt|call|calling|terugbellen|callback|gebeld|called|ring) ",
    r" (?:bellen|bel|belt|call|ring) (?:{W}){0,2}(?:niet|nooit|never|not|no more|niet meer) ",
];

/// The compiled rules for requests to talk to a person.
#[derive(Debug)]
pub(crate) struct HumanRequestRules {
    groups: [RuleGroup; 5],
}

impl HumanRequestRules {
    pub(crate) fn new() -> Self {
        HumanRequestRules {
            groups: [
                RuleGroup::new(DIRECT, DIRECT_VETO, CLASSES),
                RuleGroup::new(BOT_REJECTION, &[], CLASSES),
                RuleGroup::new(TRANSFER, TRANSFER_VETO, CLASSES),
                RuleGroup::new(PHONE_LINE, PHONE_LINE_VETO, CLASSES),
                RuleGroup::new(CALLBACK, CALLBACK_VETO, CLASSES),
            ],
        }
    }

    /// True when the canonical text asks for a person.
    pub(crate) fn matches(&self, canonical: &str) -> bool {
        self.groups.iter().any(|group| group.matches(canonical))
    }

    /// Every template, for the lexicon and for the compile test.
    pub(crate) fn templates() -> impl Iterator<Item = &'static str> {
        [
            DIRECT,
            DIRECT_VETO,
            BOT_REJECTION,
            TRANSFER,
            TRANSFER_VETO,
            PHONE_LINE,
            PHONE_LINE_VETO,
            CALLBACK,
            CALLBACK_VETO,
        ]
        .into_iter()
        .flatten()
        .copied()
    }

    /// Every template group with its veto, for the compile test.
    #[cfg(test)]
    pub(crate) fn template_groups() -> [(&'static [&'static str], &'static [&'static str]); 5] {
        [
            (DIRECT, DIRECT_VETO),
            (BOT_REJECTION, &[]),
            (TRANSFER, TRANSFER_VETO),
            (PHONE_LINE, PHONE_LINE_VETO),
            (CALLBACK, CALLBACK_VETO),
        ]
    }
}
