//! Data subjects' requests typed in the chat (REQUIREMENTS HUM-07, PRIV-07): "ik wil inzage in
//! mijn persoonsgegevens", "verwijder al mijn gegevens", "I object to the processing of my data",
//! "stop sending me newsletters", "ik wil een AVG-verzoek indienen".
//!
//! A request may come in any form and through any channel (GDPR art. 12), and the company must
//! answer it within a month; the AI assistant cannot, since it neither sees nor changes customer
//! records. So a recognised request goes to a person. A question about how to make one ("hoe kan
//! ik mijn gegevens laten verwijderen?", "can I see my data?") is not one, and the knowledge
//! base answers it from the privacy page; neither is a conditional or a negation. The rules lean
//! towards recognising a request: one taken for a request in error costs a person's minute, a
//! missed one is a deadline the company does not know it has.

use loket_core::rights::{RequestedRight, Right};

use super::lexicon::RuleGroup;

/// The customer's personal data, in canonical form.
const DATA_NL: &str = "(?:al |alle )?(?:mijn|mn|m'n) (?:persoons|persoonlijke |klant|prive |contact|adres|bank|betaal)?(?:gegevens|data)|(?:al |alle )?(?:de |mijn )?(?:persoonsgegevens|klantgegevens)|(?:de |alle )?gegevens (?:die|welke) (?:jullie|u|je) (?:van|over) (?:mij|me)|(?:alles|wat) (?:jullie|u|je) (?:nog |allemaal |eigenlijk )?(?:van|over) (?:mij|me) (?:weten|weet|hebben|heeft|bewaren|bewaart|opslaan|vastleggen)";
const DATA_EN: &str = "(?:all )?(?:of )?my (?:personal )?(?:data|information|info)|my personal details|my (?:customer|account) (?:file|record|records|data|information|details)|(?:all )?(?:of )?(?:the )?personal (?:data|information)|(?:all )?(?:of )?(?:the )?(?:data|information|info) (?:that )?(?:you|your company|ur company|you guys) (?:have|hold|keep|store|stored|collected|process) (?:on|about|of) me|everything you (?:have|hold|keep|store|know) (?:on|about) me";

/// Items of personal data that can be wrong, what makes them wrong, and asking for a correction
/// (rectification, art. 16).
const ITEM: &str = "naam|achternaam|voornaam|geboortedatum|adres|e ?mailadres|emailadres|telefoonnummer|gegevens|persoonsgegevens|klantgegevens|registratie|dossier|klantprofiel|profiel|name|surname|date of birth|birthday|address|email address|e mail address|phone number|number|details|data|record|records|file";
const WRONG: &str = "verkeerd|verkeerde|fout|foute|onjuist|onjuiste|klopt niet|kloppen niet|niet juist|niet correct|verouderd|verouderde|oude|wrong|incorrect|inaccurate|outdated|out of date|typo|misspelled|misspelt|not true|isnt true|not correct";
const FIX: &str = "corrigeren|corrigeer|gecorrigeerd|aanpassen|aangepast|pas (?:[a-z]+ ){0,3}aan|verbeteren|verbeter|rectificeren|wijzigen|correct|corrected|fix|fixed|update|updated|change|changed|amend|amended";

fn data() -> String {
    format!("(?:{DATA_NL}|{DATA_EN})")
}

/// A citation of the right's GDPR article ("op grond van artikel 17 AVG", "under article 15 of
/// the GDPR").
fn article_citation(right: Right) -> String {
    let article = right.article();
    format!(
        " (?:artikel|article|art) {article} (?:[a-z]+ ){{0,3}}(?:avg|gdpr) | (?:avg|gdpr) (?:[a-z]+ ){{0,2}}(?:artikel|article|art) {article} "
    )
}

/// The templates of one right, tried in [`PRECEDENCE`] order: its own, and for a named right the
/// citation of its article.
fn positive(requested: RequestedRight) -> Vec<String> {
    let mut templates = own_templates(requested);
    if let RequestedRight::Named(right) = requested {
        templates.push(article_citation(right));
    }
    templates
}

/// The templates that recognise a request for one right in the customer's own words.
fn own_templates(requested: RequestedRight) -> Vec<String> {
    let data = data();
    let w = |max: u8| format!("(?:[a-z0-9]+ ){{0,{max}}}");
    match requested {
        RequestedRight::Named(Right::Erasure) => vec![
            // "verwijder al mijn gegevens", "wis mijn account", "delete my personal data"
            format!(
                " (?:verwijder|verwijdert|wis|wist|vernietig|schrap|delete|erase|remove|wipe|destroy|purge) (?:nu |direct |meteen |please |graag |alstublieft |aub |pls )?(?:{data}|mijn (?:klant)?account|my (?:customer )?account) "
            ),
            // "ik wil dat jullie mijn gegevens verwijderen", "ik wil mijn account laten verwijderen",
            // "willen jullie alles wat jullie nog van mij hebben verwijderen", but not "mijn account
            // wordt verwijderd wegens inactiviteit"
            format!(
                " (?:wil|wens|graag|verzoek|kunnen|kunt|wilt|willen|zouden|zou|dat) {w6}(?:{data}|mijn (?:klant)?account|mijn profiel) {w6}(?:verwijderen|verwijderd|wissen|gewist|vernietigen|vernietigd|schrappen|geschrapt|opheffen|opgeheven) ",
                w6 = w(6)
            ),
            format!(" (?:{data}|mijn (?:klant)?account) (?:moeten|moet) {w}(?:verwijderd|gewist|vernietigd) ", w = w(5)),
            // "I want my data deleted", "I want it erased"
            format!(
                " (?:want|need|would like|wish|like) (?:{data}|my (?:customer )?account|my profile|it|them|this|everything) (?:all )?{w}(?:deleted|erased|removed|wiped|destroyed) ",
                w = w(3)
            ),
            // "wis mijn naam en adres uit jullie bestand", "remove my details from your system"
            format!(
                " (?:verwijder|verwijderen|wis|wissen|haal|halen|schrap|schrappen) {w}uit (?:jullie|uw|het|mijn) (?:bestand|klantenbestand|adresbestand|systeem|systemen|database|administratie|profiel|account) ",
                w = w(5)
            ),
            format!(
                " (?:delete|erase|remove|wipe|purge) (?:me|my|all my|all of my|everything|all) {w}from (?:your|the) (?:system|systems|database|databases|records|files) ",
                w = w(4)
            ),
            " (?:verwijder|wis) (?:die|deze) (?:gegevens|data) | (?:get rid of|delete|erase|remove) my (?:profile|customer profile) | erasure of (?:all )?(?:of )?my ".to_string(),
            " recht op (?:vergetelheid|verwijdering|gegevenswissing) | recht om vergeten te worden | (?:verwijderverzoek|verwijderingsverzoek) | verzoek (?:tot|om) (?:verwijdering|gegevensverwijdering) | right to (?:be forgotten|erasure) | (?:erasure|deletion) request | forget (?:about )?me ".to_string(),
        ],
        RequestedRight::Named(Right::Objection) => vec![
            // "ik maak bezwaar tegen de verwerking van mijn gegevens"
            " (?:ik|wij) (?:maak|maken|teken|wil|wens) (?:hierbij |bij deze |graag )?(?:formeel )?bezwaar (?:maken |aantekenen |aan )?tegen (?:het gebruik|de verwerking|het verwerken|het opslaan|het delen|het profileren|profilering|direct marketing|marketing|reclame) ".to_string(),
            format!(" bezwaar {w}(?:tegen|op) {w}(?:gebruik|verwerking|verwerken) (?:van )?{data} ", w = w(3)),
            " bezwaar tegen (?:het |de )?(?:gebruik|verwerking|verwerken|profilering|profileren|direct marketing|marketing|reclame|doorgeven|delen) ".to_string(),
            // Lists and channels: "haal me van jullie bellijst", "take me off your call list"
            " (?:haal|zet) (?:me|mij) (?:van|uit|af) (?:jullie |de |uw )?(?:bellijst|mailinglijst|verzendlijst|adressenlijst|mailinglist) | (?:take|remove) me (?:off|from) (?:your |the )?(?:call|calling|mailing|marketing|phone|sales) list ".to_string(),
            " (?:ophouden|stoppen|stop|stopt) met {w}(?:reclame|reclamefolders|folders|nieuwsbrief|nieuwsbrieven|mailings|aanbiedingen|marketing|reclamebellen|sms jes) ".replace("{w}", &w(3)),
            " uitgeschreven (?:worden )?(?:van|voor) {w}(?:nieuwsbrief|nieuwsbrieven|mailing|mailings|mailinglijst) | schrijf (?:me|mij) (?:[a-z]+ )?uit ".replace("{w}", &w(2)),
            format!(" niet akkoord met {w}(?:gebruik|doorgeven|delen|verwerken|verwerking) van {data} ", w = w(2)),
            format!(" (?:ik wil niet|i dont want|i do not want) (?:dat |that )?(?:jullie |u |you )?{data}? ?{w}(?:gebruiken|gebruikt|delen|doorgeven|used|shared|use|share) {w}(?:voor|om|for|to) {w}(?:reclame|aanbiedingen|marketing|profilering|profiling|advertising|targeted|ads|gepersonaliseerde) ", w = w(3)),
            " stop using {w}(?:my )?(?:email|e mail|email address|phone number|number|address|details|data|information) for ".replace("{w}", &w(2)),
            " recht (?:van|op) bezwaar | i (?:hereby |formally |strongly )?object to | (?:right to object|objection to (?:the )?processing) ".to_string(),
            // "gebruik mijn gegevens niet meer voor marketing", "stop using my data"
            format!(" (?:stop|stoppen|stopt) (?:met )?(?:het )?(?:gebruiken|gebruik|verwerken|using|processing) (?:van )?{data} "),
            format!(" (?:gebruik|verwerk|deel) {data} niet (?:meer )?(?:voor|om|met) "),
            // Direct marketing (absolute, art. 21(3)): "ik wil geen nieuwsbrief meer"
            " ik wil (?:graag )?geen (?:[a-z]+ ){0,2}(?:reclame|nieuwsbrief|nieuwsbrieven|marketing|marketingmails|aanbiedingen|reclamemails|commerciele e?mails|mailings) (?:[a-z]+ ){0,3}(?:meer|ontvangen|krijgen) ".to_string(),
            " (?:stop|stopt|stoppen) (?:met )?(?:het )?(?:sturen|mailen|bellen|sending|emailing|calling) (?:me |mij )?(?:van |with |of )?(?:[a-z]+ ){0,2}(?:reclame|nieuwsbrief|nieuwsbrieven|marketing|aanbiedingen|mailings|newsletters|newsletter|promotions|promotional|advertising|adverts|ads|offers) ".to_string(),
            " (?:stuur|mail|bel|stuurt|mailt|belt) (?:mij|me) (?:geen|niet langer|nooit meer) (?:[a-z]+ ){0,2}(?:reclame|nieuwsbrief|nieuwsbrieven|marketing|aanbiedingen|mailings|reclamemails) ".to_string(),
            " (?:dont|do not|never) (?:send|email|call) me (?:any )?(?:more )?(?:[a-z]+ ){0,2}(?:marketing|newsletters|newsletter|promotions|promotional|advertising|adverts|ads|offers) ".to_string(),
            " (?:schrijf me uit|schrijf mij uit|uitschrijven|afmelden|unsubscribe me|opt me out|take me off) (?:[a-z]+ ){0,3}(?:nieuwsbrief|nieuwsbrieven|mailing|mailings|mailinglijst|marketing|reclame|aanbiedingen|newsletter|newsletters|mailing list|marketing list|marketing emails|promotions|promotional|offers|emails|texts) ".to_string(),
        ],
        RequestedRight::Named(Right::Rectification) => vec![
            format!(
                " {data} (?:kloppen|klopt|kloppen echt|zijn|is|staan|staat|are|is) (?:niet (?:juist|correct|goed|meer actueel)|niet|onjuist|fout|verkeerd|incorrect|wrong|inaccurate|out of date|outdated) "
            ),
            format!(
                " (?:corrigeer|verbeter|wijzig|rectificeer|correct|rectify|fix|update) (?:graag |please |alstublieft |aub )?{data} "
            ),
            format!(
                " {data} {w}(?:laten corrigeren|corrigeren|verbeteren|rectificeren|gecorrigeerd|verbeterd|corrected|rectified|fixed) ",
                w = w(3)
            ),
            " recht op (?:rectificatie|correctie|verbetering) | rectificatieverzoek | right to rectification | rectification request | rectification of | rectificeren | rectify ".to_string(),
            format!(
                " (?:{ITEM}) (?:[a-z0-9,]+ ){{0,8}}(?:{WRONG}) (?:[a-z0-9,]+ ){{0,12}}(?:{FIX}) | (?:{WRONG}) (?:[a-z0-9]+ ){{0,3}}(?:{ITEM}) (?:[a-z0-9,]+ ){{0,12}}(?:{FIX}) "
            ),
        ],
        RequestedRight::Named(Right::Restriction) => vec![
            " (?:beperk|beperken|beperking van) (?:[a-z]+ ){0,2}(?:de |het )?(?:verwerking|verwerken|gebruik) | recht op beperking | (?:restrict|restricting|restriction of|limit|limiting) (?:[a-z]+ ){0,2}(?:the )?(?:processing|use) | right to restriction ".to_string(),
            " (?:gebruik|verwerking|verwerken) (?:ervan |daarvan |van mijn gegevens )?(?:stopzetten|stoppen|opschorten|pauzeren|bevriezen) (?:totdat|tot|zolang) | (?:put a hold on|pause|suspend|freeze) (?:using|processing|the processing of|the use of) ".to_string(),
        ],
        RequestedRight::Named(Right::Portability) => vec![
            " (?:dataportabiliteit|gegevensoverdraagbaarheid|overdraagbaarheid van (?:mijn |de )?gegevens|recht op overdraagbaarheid|data portability|right to portability) ".to_string(),
            format!(
                " {data} {w}(?:overdragen|overzetten|overgedragen|meenemen|transfer|transferred|ported|moved) (?:naar|aan|to) ",
                w = w(3)
            ),
            format!(" (?:transfer|port|move|export|exporteer|download) {data} (?:to|naar|in|als) "),
            format!(
                " {data} {w}(?:overdragen|overzetten|overgedragen|overzenden|exporteren) ",
                w = w(4)
            ),
            format!(
                " {data} {w}(?:machineleesbaar|machineleesbare|machine readable|downloadable|structured|csv|json) ",
                w = w(4)
            ),
            " (?:export|exporteer|download) {w}(?:as|in|als) (?:a |an |een )?(?:json|csv|machine readable|machineleesbaar) ".replace("{w}", &w(5)),
        ],
        RequestedRight::Named(Right::Access) => vec![
            " (?:inzageverzoek|inzagerecht|recht (?:op|van) inzage|verzoek (?:om|tot) inzage) | (?:data )?subject access request | dsar | right (?:of|to) access ".to_string(),
            format!(" inzage (?:in )?{data} "),
            format!(
                " (?:welke|wat voor|wat voor een) (?:persoons)?gegevens (?:hebben|heeft|bewaren|bewaart|verwerken|verwerkt|kennen|weten|staan) (?:jullie|u|je|er) {w}(?:van|over|bij) (?:mij|me) ",
                w = w(2)
            ),
            " (?:what|which) (?:personal )?(?:data|information|info) (?:do|does) (?:you|your company) (?:have|hold|keep|store|process|collect) (?:on|about|of) me ".to_string(),
            " (?:what|which) (?:of my )?(?:personal )?(?:data|information|info|details) (?:[a-z0-9]+ ){0,4}(?:about me|on me|of me|on file) | (?:hold|have|keep|store) any (?:personal )?(?:data|information|info) (?:about|on|of) me ".to_string(),
            format!(
                " (?:welke|wat voor) (?:persoons|klant)?gegevens {w}(?:van|over) (?:mij|me) | wat (?:weten|bewaren|registreren) (?:jullie|u) {w}(?:van|over) (?:mij|me) | wat hebben (?:jullie|u) (?:allemaal |eigenlijk )?over (?:mij|me) ",
                w = w(4)
            ),
            format!(" (?:kopie|overzicht|uitdraai|export) van {w}(?:gegevens|persoonsgegevens|klantgegevens|data) (?:over|van) (?:mij|me) ", w = w(3)),
            " inzage (?:in )?(?:mijn|mn) (?:klant)?(?:dossier|profiel) | (?:request|requesting|requested) (?:[a-z]+ )?access to | (?:email|send|mail) me (?:a copy of )?my customer (?:file|record) ".to_string(),
            // "stuur mij een kopie van al mijn gegevens", "send me a copy of my data"
            format!(
                " (?:stuur|geef|mail|send|give|email) (?:mij|me) (?:graag |please )?(?:een |a )?(?:kopie|overzicht|copy|overview|export)? ?(?:van |of )?{data} "
            ),
            format!(
                " (?:ik wil|ik wens|ik verzoek|i would like|id like|i want|i wish|i need|i request|i am requesting|im requesting|i demand) {w}(?:kopie|overzicht|uitdraai|copy|overview|access|toegang|see|receive|get|obtain|have) (?:van |of |in |to |tot )?{data} ",
                w = w(4)
            ),
            format!(
                " (?:ik|i) (?:wil|wens) (?:graag )?{data} {w}(?:inzien|zien|ontvangen|krijgen|opvragen|bekijken) ",
                w = w(2)
            ),
        ],
        RequestedRight::Unnamed => vec![
            " (?:avg verzoek|avgverzoek|privacyverzoek|gdpr request|privacy request|data subject request) | (?:verzoek|request) (?:op grond van|onder|volgens|under|pursuant to) (?:de |the )?(?:avg|gdpr|algemene verordening gegevensbescherming) ".to_string(),
            " (?:mijn )?(?:privacyrechten|avg rechten|rechten onder de avg|rechten volgens de avg) | op grond van de algemene verordening gegevensbescherming | (?:my )?(?:data rights|data protection rights|privacy rights|gdpr rights|rights under the gdpr) | (?:ivm|vanwege|volgens) de privacywet ".to_string(),
        ],
    }
}

/// A request with a positive match is still not one when the sentence is conditional, negated
/// or a question about how or whether the customer can.
fn veto(requested: RequestedRight) -> Vec<String> {
    let conditional = " (?:als|indien|wanneer|mocht|stel|stel dat|if|when|whenever|suppose|in case|unless|tenzij|whether|zodra|once) (?:[a-z0-9]+ ){0,6}(?:ik|i|jullie|you) ".to_string();
    let question = " (?:hoe|waar|waarom|hoelang|hoe lang|kan ik|kun ik|mag ik|moet ik|hoef ik|is het mogelijk|of ik|of jullie|wat zijn|welke rechten|how|where|why|can i|could i|may i|do i|should i|must i|am i allowed|is it possible|is there a way|whether|what are|which rights) ".to_string();
    match requested {
        RequestedRight::Named(Right::Rectification) => vec![
            conditional,
            question,
            // A wrong delivery or order is not wrong personal data.
            " (?:pakket|bestelling|bezorgd|bezorging|gestuurd|geleverd|verzonden|levering|delivered|delivery|shipped|parcel|package|order|maat|size) ".to_string(),
        ],
        RequestedRight::Named(Right::Objection) => vec![
            conditional,
            question,
            " (?:geen|niet) (?:[a-z]+ ){0,2}bezwaar | (?:no|not) (?:[a-z]+ ){0,2}objection | (?:dont|do not|dont really|never) object ".to_string(),
        ],
        _ => vec![
            conditional,
            question,
            " (?:niet|geen|nooit|not|dont|never|wont|didnt|doesnt|no need to) (?:[a-z0-9]+ ){0,4}(?:verwijder|verwijderen|verwijderd|wis|wissen|gewist|delete|deleted|erase|erased|remove|removed|inzien|zien|see|access|overdragen|transfer|corrigeren|correct|beperken|restrict|sturen|send) ".to_string(),
            " (?:verwijder|wis|delete|erase|remove) (?:[a-z0-9]+ ){0,3}(?:nog niet|niet|not yet) ".to_string(),
        ],
    }
}

/// The order in which rights are tried: a message that names two gets the first ("stuur me mijn
/// gegevens en verwijder ze daarna" asks for erasure too, the weightier request).
const PRECEDENCE: [RequestedRight; 7] = [
    RequestedRight::Named(Right::Erasure),
    RequestedRight::Named(Right::Objection),
    RequestedRight::Named(Right::Rectification),
    RequestedRight::Named(Right::Restriction),
    RequestedRight::Named(Right::Portability),
    RequestedRight::Named(Right::Access),
    RequestedRight::Unnamed,
];

/// The compiled request rules, one group per right.
#[derive(Debug)]
pub(crate) struct RightsRules {
    groups: Vec<(RequestedRight, RuleGroup)>,
}

impl RightsRules {
    pub(crate) fn new() -> Self {
        let groups = PRECEDENCE
            .iter()
            .map(|requested| {
                let (positive, veto) = (positive(*requested), veto(*requested));
                let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
                let veto: Vec<&str> = veto.iter().map(String::as_str).collect();
                (*requested, RuleGroup::new(&positive, &veto, &[]))
            })
            .collect();
        RightsRules { groups }
    }

    /// The right a canonical message asks to exercise, if it makes a request.
    pub(crate) fn request(&self, canonical: &str) -> Option<RequestedRight> {
        self.groups
            .iter()
            .find(|(_, group)| group.matches(canonical))
            .map(|(requested, _)| *requested)
    }

    /// Every template, for the lexicon's typo tolerance.
    pub(crate) fn templates() -> impl Iterator<Item = String> {
        PRECEDENCE
            .into_iter()
            .flat_map(|requested| positive(requested).into_iter().chain(veto(requested)))
    }

    /// The positive and veto templates of each right, for the compile test.
    #[cfg(test)]
    pub(crate) fn template_groups() -> Vec<(Vec<String>, Vec<String>)> {
        PRECEDENCE
            .into_iter()
            .map(|requested| (positive(requested), veto(requested)))
            .collect()
    }
}
