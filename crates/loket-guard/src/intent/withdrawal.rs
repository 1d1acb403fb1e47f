//! Withdrawal and cancellation statements (REQUIREMENTS ACC-04): "ik herroep hierbij mijn
//! bestelling", "I want to cancel my order", "ik maak gebruik van mijn herroepingsrecht".
//!
//! A statement is the customer's decision, written subject first or as a request to the shop;
//! a question about withdrawing ("hoe kan ik mijn bestelling annuleren?", "can I cancel?") is
//! not one, and neither is a conditional ("als ik wil annuleren…") or a negation. The law
//! accepts any unambiguous statement (BW 6:230o(2)), so the rules lean towards recognising one:
//! a statement the shop acknowledges in error costs a person's minute, a missed one is a
//! consumer who believes they withdrew and has no proof.

use super::lexicon::RuleGroup;

/// What a customer withdraws from or cancels.
const OBJECT: &str = "[a-z]*bestelling|bestellingen|order|orders|aankoop|aankopen|koop|[a-z]*overeenkomst|[a-z]*contract|[a-z]*abonnement|lidmaatschap|reservering|boeking|purchase|purchases|subscription|membership|agreement|booking|reservation|fiets|fietsen|ebike|e bike|bike|bicycle|artikel|artikelen|product|producten|item|items";

/// The words between a verb and the object: a determiner, and up to three more words ("mijn
/// bestelling van gisteren", "the order I placed").
const DETERMINER: &str = "mijn|mn|de|het|deze|die|dit|onze|ons|een|the|my|this|that|our|these|those|a|an";

/// Dutch infinitives of withdrawing or cancelling.
const VERB_NL_INFINITIVE: &str = "herroepen|annuleren|cancelen|cancellen|ontbinden|opzeggen|stopzetten|terugdraaien|intrekken|ongedaan maken|ongedaan te maken|laten annuleren|laten vervallen";

/// Dutch first-person present forms ("ik annuleer", "hierbij herroep ik").
const VERB_NL_FINITE: &str = "herroep|annuleer|cancel|ontbind|trek";

/// English verbs of withdrawing or cancelling.
const VERB_EN: &str = "cancel|withdraw from|withdraw|terminate|revoke|rescind|undo";

/// The right itself, named.
const RIGHT: &str = "herroepingsrecht|bedenktijd|recht van herroeping|recht op herroeping|recht om te herroepen|right of withdrawal|right to withdraw|right to cancel|right of cancellation|withdrawal right|cooling off period|cooling off right|cooling off";

fn positive() -> Vec<String> {
    let object = format!("(?:{OBJECT})");
    let det = format!("(?:{DETERMINER})");
    let nl_inf = format!("(?:{VERB_NL_INFINITIVE})");
    let nl_fin = format!("(?:{VERB_NL_FINITE})");
    let en = format!("(?:{VERB_EN})");
    let right = format!("(?:{RIGHT})");
    let words = |max: u8| format!("(?:[a-z0-9]+ ){{0,{max}}}");
    vec![
        // "ik wil (graag) mijn bestelling (van gisteren) annuleren"
        format!(
            " ik (?:wil|wens|ga|zou graag|wilde graag|wou graag|heb besloten) (?:graag |hierbij |bij deze |nu |direct |meteen |toch |dus |eigenlijk )?{det} {w3}{object} {w4}{nl_inf} ",
            w3 = words(3),
            w4 = words(4)
        ),
        // "ik wil (graag) annuleren", "ik wil de koop ongedaan maken"
        format!(" ik (?:wil|wens|ga) (?:graag |hierbij |bij deze |nu |toch |dus )?{nl_inf} "),
        // "ik herroep (hierbij) mijn bestelling", "hierbij annuleer ik de overeenkomst"
        format!(
            " ik {nl_fin} (?:hierbij |bij deze |nu )?{det} {w3}{object} ",
            w3 = words(3)
        ),
        format!(" (?:hierbij|bij deze|daarom|dus) {nl_fin} ik "),
        format!(
            " (?:hierbij|bij deze|daarom|dus) zeg ik {w3}{object} op ",
            w3 = words(3)
        ),
        format!(
            " ik zeg (?:hierbij |bij deze |nu )?{det} {w3}{object} op ",
            w3 = words(3)
        ),
        format!(
            " ik (?:zie|wil) (?:hierbij |graag )?af van {det} {w2}{object} ",
            w2 = words(2)
        ),
        // "ik maak gebruik van mijn herroepingsrecht", "ik wil mijn bedenktijd gebruiken"
        format!(
            " ik (?:maak|wil|ga|wens) (?:hierbij |bij deze |graag |nu )?gebruik (?:maken |te maken )?van {det} {right} "
        ),
        format!(" ik (?:wil|ga|wens) (?:graag |hierbij )?{det} {right} (?:gebruiken|inroepen|uitoefenen|toepassen) "),
        format!(" ik (?:roep|oefen) (?:hierbij )?{det} {right} (?:in|uit) "),
        // Imperatives to the shop: "annuleer mijn bestelling", "please cancel my order"
        format!(
            " (?:\\| |, )(?:graag |aub |please |pls |kindly )?(?:annuleer|herroep|ontbind|cancel) (?:mijn|mn|my|onze|our) {w2}{object} ",
            w2 = words(2)
        ),
        format!(
            " (?:\\| |, )(?:graag |aub )?zeg (?:mijn|mn|onze) {w2}{object} op ",
            w2 = words(2)
        ),
        // Polite requests to the shop: "kunt u mijn bestelling annuleren?", "can you cancel my
        // order?" (unlike "kan ik…?", which asks whether the customer may)
        format!(
            " (?:kunt|kan|kun|wilt|wil|zou|zouden|kunnen|willen) (?:u|je|jij|jullie) (?:graag |even |alstublieft |aub |misschien )?{det} {w3}{object} {w3}{nl_inf} ",
            w3 = words(3)
        ),
        format!(
            " (?:can|could|would|will) you (?:please |kindly |just )?(?:cancel|withdraw|terminate|revoke) {det} {w3}{object} ",
            w3 = words(3)
        ),
        // "I want to cancel my order", "I'd like to withdraw from the contract"
        format!(
            " (?:i (?:want|wish|would like|need|am going|have decided|decided|hereby want|would hereby like)|id like|im going|ive decided) to (?:hereby |now |please |just )?{en} {det} {w3}{object} ",
            w3 = words(3)
        ),
        format!(
            " i (?:hereby |now |therefore )?(?:cancel|withdraw from|terminate|revoke|rescind) {det} {w3}{object} ",
            w3 = words(3)
        ),
        " i hereby withdraw ".to_string(),
        " (?:hereby|herewith) i (?:cancel|withdraw|terminate|revoke|rescind) ".to_string(),
        // "I am exercising my right of withdrawal", "I want to use my cooling-off period"
        format!(
            " (?:i (?:am |want to |wish to |would like to |will |hereby )?|im |id like to |ill )(?:exercising|exercise|use|using|invoke|invoking|claim|claiming) {det} {right} "
        ),
    ]
}

/// A sentence with a positive match is still not a statement when it is conditional, negated
/// or a question about the verb.
fn veto() -> Vec<String> {
    let verbs =
        format!("(?:{VERB_NL_INFINITIVE}|{VERB_NL_FINITE}|{VERB_EN}|opzeg|zeg|gebruik|use|exercise|exercising|af)");
    vec![
        // Conditionals: "als ik wil annuleren", "if I want to cancel", "stel dat ik…"
        " (?:als|indien|wanneer|mocht|stel|stel dat|if|when|whenever|suppose|in case|incase|unless|tenzij|whether|zodra|once) (?:[a-z0-9]+ ){0,6}(?:ik|i) ".to_string(),
        // Negations of the verb: "ik wil mijn bestelling niet annuleren", "I don't want to
        // cancel", "ik annuleer mijn bestelling niet"
        format!(" (?:niet|geen|nooit|not|dont|never|wont|didnt|doesnt|cant|cannot|no need to) (?:[a-z0-9]+ ){{0,5}}{verbs} "),
        format!(" {verbs} (?:[a-z0-9]+ ){{0,4}}(?:niet|not|toch niet|nog niet) "),
        // A question word before the verb in the same clause: "hoe kan ik mijn bestelling
        // annuleren", "can I cancel my order", "is it possible to withdraw"
        format!(
            " (?:hoe|waar|wat|wanneer|waarom|hoelang|kan ik|kun ik|mag ik|moet ik|is het mogelijk|of ik|how|where|what|why|can i|could i|may i|do i|should i|must i|am i allowed|is it possible) (?:[a-z0-9]+ ){{0,8}}{verbs} "
        ),
    ]
}

/// The compiled statement rules.
#[derive(Debug)]
pub(crate) struct WithdrawalRules {
    statement: RuleGroup,
}

impl WithdrawalRules {
    pub(crate) fn new() -> Self {
        let (positive, veto) = (positive(), veto());
        let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
        let veto: Vec<&str> = veto.iter().map(String::as_str).collect();
        WithdrawalRules {
            statement: RuleGroup::new(&positive, &veto, &[]),
        }
    }

    pub(crate) fn matches(&self, canonical: &str) -> bool {
        self.statement.matches(canonical)
    }

    /// Every template, for the lexicon's typo tolerance and the compile test.
    pub(crate) fn templates() -> impl Iterator<Item = String> {
        positive().into_iter().chain(veto())
    }

    /// The positive and veto templates, for the compile test.
    #[cfg(test)]
    pub(crate) fn template_groups() -> (Vec<String>, Vec<String>) {
        (positive(), veto())
    }
}
