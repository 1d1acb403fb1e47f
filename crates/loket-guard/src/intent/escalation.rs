//! Intents that always go to a person (REQUIREMENTS HUM-07): complaints, legal claims and
//! disputes about withdrawal, refunds or cancellation, and crisis: suicide, self-harm,
//! domestic violence and other expressed vulnerability.
//!
//! A crisis is detected on explicit wording only. Idioms that merely sound alarming ("mijn
//! telefoon is dood", "this price is killing me", "I cut myself on the box") are not a crisis;
//! a customer's plain statement ("ik wil niet meer leven", "my husband hits me") always is.

use super::lexicon::RuleGroup;
use super::vocabulary::CLASSES;

const COMPLAINT: &[&str] = &[
    r" (?:klacht|klachten|complaint|complaints|complain|complaining|klagen|beklag|klachtenformulier|klachtenprocedure|klachtenregeling|klachtafhandeling|klachtindienen|[a-z]+klacht) ",
    r" (?:ontevreden|dissatisfied|teleurgesteld|disappointed|unacceptable|onacceptabel|schandalig|disgraceful|disgrace|outrageous|belachelijk|ridiculous|schande|appalling|terrible service|slechte service|waardeloze service) ",
];

const COMPLAINT_VETO: &[&str] = &[
    r" (?:geen|no|zonder|without|nothing to|niks te|niets te|not|cant|kan niet|nooit) (?:{W})?(?:klacht|klachten|complaint|complaints|complain|complaining|klagen) ",
    r" (?:niet|not|never|nooit|geen) (?:{W})?(?:ontevreden|dissatisfied|teleurgesteld|disappointed) ",
];

const LEGAL: &[&str] = &[
    r" (?:advocaat|advocaten|jurist|juridisch|juridische|rechter|rechtszaak|rechtbank|dagvaarding|dagvaarden|aanklagen|ingebrekestelling|sommatie|geschillencommissie|geschil|kifid|ombudsman|consumentenbond|autoriteit consument|aansprakelijk|aansprakelijkheid|lawyer|lawyers|attorney|solicitor|lawsuit|sue|suing|legal action|legal steps|small claims|tribunal|liable|liability|trading standards|chargeback|deurwaarder|bailiff|formal notice|notice of default) ",
    r" (?:take you to|see you in|naar de|stap naar de|ga naar de) (?:court|rechter|rechtbank|geschillencommissie) ",
];

const WITHDRAWAL_WORDS: &str = "herroeping|herroepingsrecht|bedenktijd|herroepen|ontbinding|ontbinden|retour|retourneren|terugbetaling|terugbetaald|geld terug|refund|refunded|withdrawal|cooling off|money back|return|returned|annulering|annuleren|opzegging|opzeggen|cancellation|cancel|cancelled";
const DISPUTE_WORDS: &str = "geweigerd|weigeren|weigert|weigerden|afgewezen|wijzen af|niet terug|nooit|refused|refuse|refuses|refusing|denied|deny|denies|rejected|reject|rejects|declined|wont|will not|still not|still havent|nog steeds niet|nog altijd niet|niet ontvangen|never received|not received|havent received|didnt receive|niet gekregen|not honoured|niet nagekomen";

/// The compiled rules for complaints, legal claims and withdrawal disputes.
#[derive(Debug)]
pub(crate) struct ComplaintRules {
    complaint: RuleGroup,
    legal: RuleGroup,
    withdrawal_dispute: RuleGroup,
}

impl ComplaintRules {
    pub(crate) fn new() -> Self {
        let [forward, backward] = withdrawal_templates();
        ComplaintRules {
            complaint: RuleGroup::new(COMPLAINT, COMPLAINT_VETO, CLASSES),
            legal: RuleGroup::new(LEGAL, &[], CLASSES),
            withdrawal_dispute: RuleGroup::new(&[&forward, &backward], &[], CLASSES),
        }
    }

    pub(crate) fn matches(&self, canonical: &str) -> bool {
        self.complaint.matches(canonical) || self.legal.matches(canonical) || self.withdrawal_dispute.matches(canonical)
    }

    pub(crate) fn templates() -> impl Iterator<Item = String> {
        COMPLAINT
            .iter()
            .chain(COMPLAINT_VETO)
            .chain(LEGAL)
            .map(|template| (*template).to_owned())
            .chain(withdrawal_templates())
    }
}

/// A withdrawal, refund or cancellation word and a refusal word in either order, within a
/// few words: "jullie weigeren mijn retour", "my refund was refused".
fn withdrawal_templates() -> [String; 2] {
    [
        format!(" (?:{WITHDRAWAL_WORDS}) (?:{{W}}){{0,6}}(?:{DISPUTE_WORDS}) "),
        format!(" (?:{DISPUTE_WORDS}) (?:{{W}}){{0,6}}(?:{WITHDRAWAL_WORDS}) "),
    ]
}

const PARTNER: &str = "man|vrouw|partner|vriend|vriendin|ex|vader|moeder|stiefvader|stiefmoeder|zoon|broer|husband|wife|boyfriend|girlfriend|father|mother|dad|stepfather|stepmother|son|brother";

const CRISIS: &[&str] = &[
    // Suicide and self-harm, named.
    r" (?:zelfmoord|zelfdoding|suicide|suicidaal|suicidale|suicidal|zelfbeschadiging|selfharm|self harm|zelfverwonding|automutilatie|zelfmoordpreventie|suicide prevention|113) ",
    r" (?:kill|killing|end|ending|take) (?:myself|my life|my own life|it all|mijn leven) ",
    r" (?:mezelf|mijzelf|me|mij) (?:{W}){0,2}(?:van kant maken|ophangen|iets aandoen|iets aan doen|pijn doen|pijn te doen|snijden|doodmaken|dood maken|verwonden|beschadigen) ",
    r" (?:want to|wanna|going to|gonna|will|might|thinking of|thinking about|think about|feel like|plan to|planning to) (?:{W})?(?:kill|hurt|harm|cut) myself ",
    r" (?:cutting|harming|hurting) myself ",
    r" (?:ik wil|ik wou|wil ik) (?:gewoon |echt |liever |eigenlijk )?dood (?:\||gaan|zijn|want|maar|en|ik) ",
    r" (?:want to die|wanna die|wish i was dead|wish i were dead|better off dead|beter af dood|no reason to live|niet meer leven|niet meer willen leven|geen zin meer in het leven|geen zin meer in leven|levensmoe|zie het niet meer zitten|zie het allemaal niet meer zitten|cant go on|cannot go on|kan niet meer verder|een einde aan maken|er een eind aan maken|er een einde aan maken|een eind aan mijn leven|een einde aan mijn leven|mijn leven beeindigen|take my own life|end my life|dont want to live|do not want to live|dont want to be alive|overdose|overdosis|pillen geslikt|alle pillen) ",
    // Domestic and sexual violence.
    r" (?:huiselijk geweld|domestic violence|domestic abuse|verkracht|verkrachting|raped|rape|seksueel misbruik|sexual abuse|sexually abused|misbruikt|mishandeling|gestalkt|stalked|stalking me) ",
    r" (?:ik word|ik ben|ik werd|word ik) (?:{W}){0,2}(?:mishandeld|geslagen|bedreigd|geschopt|gewurgd|misbruikt|gestalkt) ",
    r" (?:i am|im|i m|i was|am|being) (?:being |getting )?(?:abused|beaten|strangled|choked|assaulted) ",
    r" (?:afraid of|scared of|bang voor|angst voor) (?:my|mijn) (?:husband|wife|partner|boyfriend|girlfriend|ex|father|dad|man|vrouw|vriend|vriendin|vader|stiefvader) ",
    r" (?:niet veilig|not safe|unsafe|onveilig) (?:{W})?(?:thuis|at home|home) ",
    r" (?:bel|gebeld|bellen|contact met|naar|call) veilig thuis ",
    // Other expressed vulnerability.
    r" (?:ten einde raad|at my wits end|radeloos|geen geld voor eten|no money for food|cant afford food|cannot afford food|kan geen eten|dakloos|homeless|op straat gezet|uit huis gezet|evicted|diep in de schulden|schuldhulp|schuldsanering) ",
];

/// "mijn man slaat me", "my boyfriend hits me": a partner or relative hurting the customer.
fn partner_violence_templates() -> [String; 2] {
    [
        format!(
            " (?:mijn|m n|mn) (?:{PARTNER}) (?:{{W}}){{0,2}}(?:slaat|sloeg|mishandelt|mishandelde|bedreigt|bedreigde|schopt|schopte|wurgt|wurgde|misbruikt|heeft me geslagen|heeft mij geslagen) "
        ),
        format!(
            " (?:my|me) (?:{PARTNER}) (?:{{W}}){{0,2}}(?:hits|hit|beats|beat|abuses|abused|hurts|threatens|threatened|chokes|choked|strangled|kicks|kicked|rapes|raped) (?:me|us|my) "
        ),
    ]
}

/// The compiled rules for crisis and vulnerability.
#[derive(Debug)]
pub(crate) struct CrisisRules {
    group: RuleGroup,
}

impl CrisisRules {
    pub(crate) fn new() -> Self {
        let templates: Vec<String> = CrisisRules::templates().collect();
        let borrowed: Vec<&str> = templates.iter().map(String::as_str).collect();
        CrisisRules {
            group: RuleGroup::new(&borrowed, &[], CLASSES),
        }
    }

    pub(crate) fn matches(&self, canonical: &str) -> bool {
        self.group.matches(canonical)
    }

    pub(crate) fn templates() -> impl Iterator<Item = String> {
        CRISIS
            .iter()
            .map(|template| (*template).to_owned())
            .chain(partner_violence_templates())
    }
}
