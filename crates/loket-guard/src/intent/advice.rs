//! Requests for personal advice the company may not give through a chatbot (REQUIREMENTS
//! ACC-10): "moet ik mijn spaargeld beleggen?", "which travel insurance should I take?",
//! "hoeveel paracetamol mag ik nemen?", "should I sue my landlord?".
//!
//! Investment, insurance and credit advice needs a licence under the Wft, and medical, legal
//! and tax advice needs a professional who knows the person's situation. A request asks what
//! *this customer*, or someone close to them, should do or choose. Three kinds of rule find one:
//! - a decision frame ("moet ik", "is het verstandig om", "should I", "which … should I", "do I
//!   need", a choice "aflossen of beleggen") next to a word of the topic in the same sentence
//!   ([`FRAMES`], and a topic's own frames such as "can I sue");
//! - anywhere in the message with a word of the topic: the customer's own situation or a
//!   request for an opinion ("in mijn geval", "slim of niet?", "what would you advise"), or
//!   "for me" with a judgement ("which is better for me");
//! - markers that count only next to one topic's words ("is dat ernstig?", "wat nu?" for a
//!   symptom).
//!
//! A question about the company's products and terms ("wat kost de fietsverzekering?", "can I
//! pay in instalments?") is information, not advice, and is not matched; per-topic vetoes keep
//! shop matters out ("in stock", an order, paying with a card). The rules lean towards
//! precision: a missed request still meets the knowledge base, which answers only from approved
//! text or declines. `loket eval advice` measures them on labelled sets (eval/advice/README.md).

use loket_core::advice::AdviceTopic;
use regex::RegexSet;

use std::collections::HashSet;

use super::lexicon::{build_set, expand, sentences};

/// The order in which topics are tried: a message that names two gets the first, and the
/// narrower topics come first ("moet ik belasting betalen over mijn spaargeld?" asks about tax,
/// not about investing).
const PRECEDENCE: [AdviceTopic; 6] = [
    AdviceTopic::Tax,
    AdviceTopic::Medical,
    AdviceTopic::Legal,
    AdviceTopic::Insurance,
    AdviceTopic::Credit,
    AdviceTopic::Investment,
];

/// The words of the topic that a decision frame must name: objects and acts, Dutch and
/// English, in canonical form.
fn vocabulary(topic: AdviceTopic) -> &'static str {
    match topic {
        AdviceTopic::Investment => {
            "beleggen|belegd|belegging|beleggingen|beleggings[a-z]*|investeren|geinvesteerd|investering|aandelen|aandeel|obligaties|obligatie|[a-z]*fonds|fondsen|etf|etfs|crypto|cryptos|cryptomunten|bitcoin|bitcoins|ethereum|etherium|solana|portefeuille|daytraden|spaargeld|deposito|pensioen|pensioenen|lijfrente|goud kopen|in goud|invest|investing|invested|investment|investments|stock|stocks|shares|bonds|fund|funds|index fund|index funds|portfolio|cryptocurrency|deposit account|term deposit|renderen|rendement|pension|annuity|retirement savings|buy gold|in gold|401k|ira"
        }
        AdviceTopic::Insurance => {
            "[a-z]*verzekering|[a-z]*verzekeringen|fysio dekking|fysiodekking|tandartsdekking|aanvullende dekking|[a-z]*verzekring|verzekeren|verzekerd|[a-z]*verzekeraar|[a-z]*verzekeraars|[a-z]+dekking|eigen risico|allrisk|all risk|casco|[a-z]*insurance|[a-z]*insurances|dental cover|accident cover|contents policy|home contents|insure|insured|insurer|insurers|deductible|comprehensive cover|extra cover|sports cover|travel cover|third party cover"
        }
        AdviceTopic::Credit => {
            "lening|leningen|[a-z]*lening|[a-z]*leningen|krediet|[a-z]*krediet|hypotheek|[a-z]*hypotheek|hypotheek[a-z]+|hypotheken|termijnen|instalments|installments|achteraf betalen|klarna|lenen|oversluiten|aflossen|af te lossen|aflossing|afbetaling|op afbetaling|schulden|rentevast|rentevaste periode|creditcard|creditcards|loan|loans|[a-z]*loan|mortgage|mortgages|morgage|borrow|borrowing|overdraft|rood staan|hire purchase|private lease|refinance|remortgage|credit card|credit cards|pay off my|pay it off|pay off|debt|debts|buy now pay later|fixed rate|variable rate|fixed interest"
        }
        AdviceTopic::Tax => {
            "belasting|belastingen|inkomstenbelasting|erfbelasting|schenkbelasting|belastingaangifte|aangifte inkomstenbelasting|belastingdienst|aftrekken|aftrekbaar|[a-z]*aftrek|hypotheekrente|[a-z]+toeslag|[a-z]+toeslagen|kinderbijslag|fiscaal|fiscale|fiscaal partner|fiscale partners|box 3|tax|taxes|tax return|inheritance tax|gift tax|income tax|capital gains|declare|declaring|childcare benefit|rent benefit|housing benefit|healthcare allowance|child benefit|deduct|deduction|deductions|tax deductible|fiscal partners|fiscal partner|30 ruling|irs|hmrc"
        }
        AdviceTopic::Legal => {
            "advocaat|advocaten|jurist|juridisch|juridische|rechtszaak|aanklagen|procederen|naar de rechter|kantonrechter|in beroep|beroep aantekenen|aansprakelijk|concurrentiebeding|ontslagvergoeding|transitievergoeding|omgangsregeling|voogdij|echtscheiding|scheiding|in gebreke|ingebrekestelling|dagvaarden|dagvaarding|aanvechten|schadevergoeding|compensation|legally binding|juridisch bindend|rechtsgeldig|withhold rent|huur inhouden|huurcommissie|bezwaar maken|vaststellingsovereenkomst|juridische stappen|juridische hulp|lawyer|lawyers|attorney|solicitor|sue|suing|lawsuit|take legal action|go to court|legal action|legal steps|legal help|legal right|legal rights|legal proceedings|settlement agreement|formal notice|evict|eviction|court|small claims|liable|non compete|unfair dismissal|custody|divorce"
        }
        AdviceTopic::Medical => {
            "medicijn|medicijnen|medicatie|[a-z]*medicatie|pillen|pil|slaappillen|paracetamol|ibuprofen|antibiotica|antihistaminica|antihistamine|pijnstillers|pijnstiller|[a-z]*tabletten|dosis|dosering|huisarts|dokter|ziekenhuis|eerste hulp|spoedeisende hulp|koorts|hoofdpijn|keelpijn|buikpijn|rugpijn|spierpijn|pijn|zalf|schaafwond|wond|bult|verstuikt|verstuikte|verstuiking|uitslag|bloeddruk|zwanger|hooikoorts|medication|medications|medicine|medicines|pills|pill|sleeping pills|painkillers|painkiller|dose|dosage|doctor|gp|hospital|emergency room|emergency department|the er|urgent care|antibiotics|antihistamines|cortisone|fever|headache|sore throat|back pain|pain|rash|ointment|wound|deep cut|sprain|sprained|blood pressure|pregnant|hay fever|symptoms|symptomen|mijn enkel|zijn enkel|haar enkel|mijn pols|zijn pols|haar pols|gebroken|rontgenfoto|ankle|wrist|x ray|vaccinaties|inentingen|vaccinations|migraine|zelfzorgmiddelen|betablokkers|bloedverdunners|blood thinners|duizelig|dizzy|allergisch|allergische|allergic|allergy|dieet|diet|cholesterol|blood sugar|bloedsuiker|diabetes|diabetic|antidepressiva|antidepressants|spuugt|spugen|overgeven|braken|vomiting|throwing up|[a-z]*pijn|ache|aches|backache|toothache|stomach ache|earache|maagzuur|maagzuurremmer|heartburn|antacid|antacids|diarree|diarrhoea|diarrhea|blaar|blister|pus|ontstoken|ontsteking|infection|infected|tintelingen|tingling|numb|gevoelloos|moedervlek|mole|a lump|lump in|lump on|eczeem|eczema|jeuk|jeukende|itchy|itch|puistjes|acne|littekens|teek|tick bite|blaasontsteking|bladder infection|uti|verkouden|verkoudheid|griep|flu|hoest|cough|astma|asthma|inhaler|inhalers|benauwd|short of breath|chest pain|drukkend gevoel|hartkloppingen|heart racing|palpitations|slaap slecht|slecht slapen|slaapproblemen|cant sleep|insomnia|trouble sleeping|angstig|anxious|anxiety|somber|depressed|menstruatiepijn|period pain|borstvoeding|breastfeeding|supplement|supplementen|supplements|vitamine|vitamin|melatonine|melatonin|neusspray|nasal spray|bijwerking|bijwerkingen|side effect|side effects|interact|interaction|wisselwerking|dubbele dosis|double dose|a e|huisartsenpost|[a-z]*zalf|bruise|blauwe plek|wondje|geneesmiddel|medicijnen|koortslip|amoxicilline|amoxicillin|penicilline|penicillin|warfarin|metformine|metformin|naproxen|diclofenac|antihistaminicum|epipen|metoprolol|slaap al|slecht geslapen|slaap ik slecht|kan niet slapen|cannot sleep"
        }
    }
}

/// Frames that only this topic has (`{X}` for its words).
fn own_frames(topic: AdviceTopic) -> &'static [&'static str] {
    match topic {
        AdviceTopic::Tax => &[
            " (?:kan|mag) ik (?:[a-z0-9]+ ){0,10}(?:aftrekken|opvoeren|toepassen) ",
            " can i (?:[a-z0-9]+ ){0,5}(?:deduct|write off) ",
            " can i claim (?:[a-z0-9]+ ){0,6}(?:deduction|deductible|tax|taxes) ",
            " do i (?:need to|have to) (?:pay|declare|report) (?:[a-z0-9]+ ){0,2}(?:tax|taxes) ",
            " (?:do|must|should) i (?:need to |have to )?declare ",
            " (?:pay|betaal|betalen) (?:less|minder) (?:tax|taxes|belasting) ",
            " (?:charge|afdragen|rekenen) (?:[a-z0-9]+ ){0,2}(?:btw|vat) | (?:btw|vat) (?:afdragen|rekenen|charge) ",
            " (?:kor|kleineondernemersregeling|small business scheme) ",
            " (?:heb ik|hebben we|am i|are we|do i|do we) (?:[a-z0-9]+ ){0,3}(?:still |nog )?(?:recht op|entitled to|eligible for|qualify for) (?:[a-z0-9]+ ){0,4}(?:[a-z]+toeslag|allowance|benefit|[a-z]*aftrek|deduction|kwijtschelding|ruling) ",
            " (?:can|could) i get (?:[a-z0-9]+ )?(?:tax|taxes) back | belasting terug(?:krijgen|vragen)? ",
            " is (?:[a-z0-9]+ ){0,8}(?:tax deductible|aftrekbaar) ",
            " (?:which|what) deductions ",
            " (?:will|would|do) (?:i|we) (?:owe|have to pay) (?:[a-z0-9]+ ){0,3}(?:tax|taxes) ",
            " (?:have to|need to|must) pay (?:[a-z0-9]+ ){0,2}(?:tax|taxes|gift tax|inheritance tax|income tax) ",
            " (?:kan|mag|kunnen) (?:ik|we|hij|zij|ze) (?:[a-z0-9]+ ){0,10}(?:aftrekken|opvoeren|toepassen) ",
            " hoe (?:vul|moet|kan) ik (?:[a-z0-9]+ ){0,4}(?:belastingaangifte|aangifte) ",
            " (?:am i|ben ik|kom ik) (?:[a-z0-9]+ ){0,2}(?:eligible|in aanmerking|recht op) (?:[a-z0-9]+ ){0,4}(?:toeslag|toeslagen|aftrek|[a-z]*aftrek|ruling|30 ruling|tax|deduction) ",
        ],
        AdviceTopic::Legal => &[
            " can i sue ",
            " (?:kan|moet) ik (?:[a-z0-9]+ ){0,4}(?:aanklagen|juridisch|aansprakelijk|schadevergoeding|dagvaarden) ",
            " (?:is it|is this|is that|is dat|is dit|is het) (?:legally binding|juridisch bindend|rechtsgeldig) ",
            " (?:do i have|have i got|heb ik) (?:a |een )?(?:case|zaak) ",
            " (?:wat zijn|what are) (?:mijn|my) (?:kansen|chances) ",
            " sta ik (?:juridisch )?(?:sterk|in mijn recht) ",
            " (?:would|will|could) i win | (?:id|i d) win | zou ik (?:het )?winnen ",
            " should (?:i|we) (?:fight|challenge|contest|appeal) ",
            " (?:what are|wat zijn) (?:my|mijn|our|onze) (?:rights|rechten) ",
            " (?:kan|moet|mag) (?:ik|we|hij|zij|ze) (?:[a-z0-9]+ ){0,5}(?:dwingen|in gebreke stellen|bezwaar maken|juridische stappen|aangifte doen) ",
            " can (?:i|we) (?:force|make) (?:[a-z0-9]+ ){0,3}(?:to )?(?:take|pay|refund|fix|give) ",
            " (?:is it|would it be) worth (?:objecting|appealing|suing|a claim|starting a claim|going to court|a procedure) ",
            " (?:kan|kunnen) (?:ik|we) (?:daar |hier )?(?:iets )?(?:tegen|daartegen|hiertegen) doen ",
            " (?:what|which) (?:legal steps|legal options) (?:can|should|could|do) (?:i|we) ",
            " (?:heb ik|hebben we) (?:daar |hier )?(?:nog |een |enige |een goede )?(?:kans|kansen) ",
            " maak ik (?:een |nog )?(?:kans|kansen) ",
            " (?:can|could) (?:i|we) claim (?:[a-z0-9]+ ){0,2}(?:compensation|damages) ",
            " (?:am i|are we) allowed to (?:[a-z0-9]+ ){0,3}(?:withhold|stop paying|refuse) ",
            " do (?:i|we) (?:stand|have) a (?:good |real )?chance ",
            " how (?:do|can|should) (?:i|we) fight ",
            " (?:can|may) they (?:just )?do that | mag (?:dat|hij|zij|ze|mijn [a-z]+) (?:[a-z0-9]+ ){0,6}zomaar ",
        ],
        AdviceTopic::Medical => &[
            " (?:mag|kan) ik (?:[a-z0-9]+ ){0,4}(?:combineren|samen nemen|tegelijk nemen) ",
            " (?:mag|kan) ik stoppen met (?:[a-z0-9]+ ){0,2}(?:antibiotica|medicijnen|medicatie|pillen|de pil) ",
            " can i (?:take|stop|combine|mix) (?:[a-z0-9]+ ){0,4}(?:pills|pill|medication|medicine|antibiotics|ibuprofen|paracetamol|painkillers) ",
            " (?:is it|is that) (?:ok|okay|safe|fine) (?:for me )?to (?:take|use|drink|eat|combine|stop|keep|continue) (?:[a-z0-9]+ ){0,5}(?:{X}) ",
            " is het (?:erg|gevaarlijk|slecht|veilig) (?:als|om|dat) (?:[a-z0-9]+ ){0,6}(?:{X}) ",
            " is (?:die|hij|ze) (?:gebroken|gekneusd) ",
            " is (?:dat|dit|het|it|that) (?:een |an |a )?(?:allergische reactie|allergic reaction|allergy|infectie|infection|ontsteking) ",
            " am i (?:still )?protected ",
            // "can my son use my nasal spray"
            " (?:can|may|could) (?:i |he |she |we |my (?:[a-z0-9]+ ){1,3})(?:[a-z0-9]+ )?(?:take|use|combine|give|have|drink) (?:[a-z0-9]+ ){0,4}(?:{X}) ",
            " (?:mag|kan) ik (?:nog )?alcohol drinken (?:[a-z0-9]+ ){0,4}(?:{X}) | can i (?:still )?drink alcohol (?:[a-z0-9]+ ){0,4}(?:{X}) ",
            " (?:whats|what is) the best (?:thing )?to (?:take|use) (?:for|against) | what (?:should|can|could) (?:i|he|she|we) (?:take|use|give) (?:for|against) ",
            " (?:heat or ice|ice or heat|koelen of (?:juist )?warm|warmte of kou) ",
            " (?:what|which|welke|wat voor) (?:cream|creme|zalf|ointment|spray|middel|medicine|pill|pills|tablets|tabletten) (?:[a-z0-9]+ ){0,3}(?:should|moet|kan|can) (?:i|ik|we|he|she|hij|zij) ",
            " (?:mag|kan|kun|mogen|kunnen) (?:ik|hij|zij|ze|we|mijn [a-z]+) (?:[a-z0-9]+ ){0,6}(?:{X}) (?:[a-z0-9]+ ){0,3}(?:gebruiken|nemen|innemen|slikken|geven|smeren|combineren|drinken) ",
            " what should i (?:eat|take|do) (?:[a-z0-9]+ ){0,6}(?:{X}) ",
            " (?:{X}) (?:[a-z0-9]+ ){0,6}wat (?:moet|kan) ik (?:het beste )?doen ",
            " (?:what should i|what can i) take for ",
            " how (?:should|do) i treat ",
            " (?:wat moet ik doen|wat kan ik het beste doen|wat kan ik doen) (?:tegen|bij|met|aan) ",
        ],
        _ => &[],
    }
}

/// Markers of a request that count only next to this topic's words: "is dat ernstig?", "wat
/// nu?" and "zelf behandelen of naar de dokter?" ask for medical advice when the message names a
/// symptom, and mean nothing about a parcel.
fn own_markers(topic: AdviceTopic) -> &'static str {
    match topic {
        AdviceTopic::Medical => {
            "is (?:dat|dit|het|die|that|this|it) (?:normaal|ernstig|gevaarlijk|erg|normal|serious|dangerous|bad)|something to worry about|moet ik me zorgen maken|should i (?:be )?worr(?:y|ied)|should i get it checked|laten nakijken|wat nu|what now|what do i do|what should i do|what should i give|what should i take|wat moet ik doen|wat moeten we doen|wat ik moet doen|what to do|zelf behandelen|naar de dokter|naar de huisarts|see a doctor|see someone|will it pass|gaat het vanzelf over|iets ernstigs|iets ernstigers|something serious|kan dat samen|mag dat samen|can i combine|samen gebruiken|together with|moet ik rust nemen|should i rest|should i stop training|stop training|stoppen met trainen|doortrainen|keep training|raad je me aan|raad je mij aan|raadt u mij aan|raadt u me aan|raden jullie aan|what do you recommend|what do you suggest|welk middel|wat kan ik het beste"
        }
        AdviceTopic::Legal => "wat kan ik het beste doen|what can i do|wat kan ik doen|what are my options",
        _ => "",
    }
}

/// The words that make a matching sentence something else for this topic: shop matters
/// that share a word with the topic ("is this bike in stock", "belasting op mijn bestelling").
fn exceptions(topic: AdviceTopic) -> &'static str {
    match topic {
        AdviceTopic::Investment => "in stock|out of stock|back in stock|stock level|refund|refunds",
        AdviceTopic::Insurance => {
            "verzendverzekering|shipping insurance|verzekerd verzonden|verzekerd verstuurd|insured shipping|insured delivery"
        }
        AdviceTopic::Credit => {
            "documenten|documents|meenemen|pay with|pay by|paying with|paying by|payment method|betalen met|betaal met|betaling met|betaalmethode|met een creditcard|met mijn creditcard|met creditcard|with a credit card|with my credit card|by credit card|card points|points from|rewards|replacement|gift card|expect to wait|spaarpunten|fiets lenen|fietsen lenen|leenfiets|leenfietsen|vervangende fiets|replacement bike|loan bike|courtesy bike"
        }
        AdviceTopic::Tax => {
            "douane|invoerrechten|customs|import duty|import duties|bestelling|order|orders|factuur|invoice|bon|receipt"
        }
        AdviceTopic::Legal => "herroepingsrecht|right of withdrawal",
        AdviceTopic::Medical => "zadel|saddle|framemaat|frame size|zithouding|riding position|welke fiets|which bike",
    }
}

/// Decision frames with `{X}` for the topic's words.
const FRAMES: &[&str] = &[
    // "moet ik mijn spaargeld beleggen", "moeten we naar de spoedeisende hulp"
    " (?:moet|moeten) (?:ik|we|wij|hij|zij|ze) (?:[a-z0-9]+ ){0,5}(?:{X}) ",
    // someone close: "mijn moeder vraagt of ze haar pensioen moet afkopen"
    " of (?:ik|we|wij|hij|zij|ze) (?:[a-z0-9]+ ){0,6}(?:{X}) (?:[a-z0-9]+ ){0,5}(?:moet|moeten|zou|zouden|kan|kunnen) ",
    // "ik twijfel of ik mijn hypotheek moet oversluiten", "ik overweeg een lening"
    " (?:twijfel|twijfelen|overweeg|overwegen) (?:[a-z0-9]+ ){0,8}(?:{X}) ",
    // "zou ik beter bitcoin kopen", "kan ik het beste een lening nemen", "zal ik extra aflossen"
    " (?:zou|zal|kan|kun|kunnen|zouden) (?:ik|we|wij) (?:[a-z0-9]+ ){0,6}(?:beter|het beste|best|misschien) (?:[a-z0-9]+ ){0,5}(?:{X}) ",
    " zal ik (?:[a-z0-9]+ ){0,5}(?:{X}) ",
    " zou ik (?:[a-z0-9]+ ){0,5}(?:{X}) (?:[a-z0-9]+ ){0,3}moeten ",
    // "is het verstandig om te beleggen", "is het voor mij nog zinvol om een verzekering te nemen"
    " is het (?:[a-z0-9]+ ){0,3}(?:verstandig|slim|wijs|raadzaam|aan te raden|een goed idee|beter|veilig|zinvol|nuttig|gunstig|gunstiger|voordelig|voordeliger) (?:[a-z0-9]+ ){0,8}(?:{X}) ",
    " is (?:[a-z0-9]+ ){0,3}(?:{X}) (?:[a-z0-9]+ ){0,5}(?:verstandig|verstandiger|slim|slimmer|wijs|raadzaam|aan te raden|een goed idee|de moeite waard|het waard|nodig|beter|voordeliger|gunstiger|een goede belegging|een goede investering) ",
    // "welke verzekering raadt u aan", "wat adviseer je over beleggen"
    " (?:raad|raadt|raden|adviseer|adviseert|adviseren|aanraden|aanbevelen|beveel|beveelt) (?:[a-z0-9]+ ){0,6}(?:{X}) ",
    " (?:{X}) (?:[a-z0-9]+ ){0,6}(?:raad|raadt|raden|adviseer|adviseert|adviseren|aanraden|aanbevelen|beveel|beveelt) (?:je|jij|u|jullie) ",
    // "welke verzekering moet ik nemen", "welk beleggingsprofiel past het best bij mij"
    " (?:welk|welke|wat voor) (?:[a-z0-9]+ ){0,2}(?:{X}) (?:[a-z0-9]+ ){0,3}(?:moet|zou|kan|kies|neem|koop) ik ",
    " (?:welk|welke|wat voor|which|what) (?:[a-z0-9]+ ){0,2}(?:{X}) (?:[a-z0-9]+ ){0,3}(?:past|passen|fits|suits|is best|would be best|is the best|is better) ",
    // "heb ik een reisverzekering nodig", "heb ik als zzper echt een verzekering nodig"
    " heb ik (?:[a-z0-9]+ ){0,5}(?:{X}) (?:[a-z0-9]+ ){0,2}nodig ",
    // "hoeveel paracetamol mag ik nemen", "hoeveel kan ik lenen"
    " hoeveel (?:[a-z0-9]+ ){0,3}(?:mag|moet|kan|zou|kunnen|moeten|mogen|zouden) (?:ik|we|wij|hij|zij|ze|mijn [a-z]+) (?:[a-z0-9]+ ){0,4}(?:{X}) ",
    " hoeveel (?:{X}) (?:[a-z0-9]+ ){0,2}(?:mag|moet|kan|zou|kunnen|moeten|mogen) (?:ik|we|wij|hij|zij|ze|mijn [a-z]+) ",
    // "waar kan ik het beste in beleggen"
    " waar (?:kan|moet|zou) ik (?:[a-z0-9]+ ){0,3}(?:het beste|best|beter) (?:[a-z0-9]+ ){0,3}(?:{X}) ",
    // "advies over beleggen", "beleggingsadvies", "juridisch advies"
    " (?:advies|adviezen) (?:over|bij|voor|nodig over|nodig bij|nodig voor) (?:[a-z0-9]+ ){0,3}(?:{X}) ",
    " (?:{X})s?advies ",
    " (?:{X}) advies ",
    // "should I invest in crypto", "should we hold the owner liable", "whether I should cash out my pension"
    " should (?:i|we|he|she|they) (?:[a-z0-9]+ ){0,6}(?:{X}) ",
    " should (?:my|our) (?:[a-z0-9]+ ){0,8}(?:{X}) ",
    " (?:whether|if) (?:i|we|he|she|they) should (?:[a-z0-9]+ ){0,4}(?:{X}) ",
    // "I'm thinking of cashing out my pension, what do you think"
    " (?:im |i am |i m )?(?:thinking of|thinking about|considering|not sure whether|not sure if|unsure whether|unsure if|torn between|doubting whether) (?:[a-z0-9]+ ){0,6}(?:{X}) ",
    " (?:does it|would it) make sense (?:[a-z0-9]+ ){0,6}(?:{X}) ",
    " (?:heeft het|is het) (?:nog |wel )?(?:zin|zinvol) (?:[a-z0-9]+ ){0,6}(?:{X}) ",
    " (?:would|will|could) i be better off (?:[a-z0-9]+ ){0,5}(?:{X}) ",
    " (?:is it|would it be|isnt it|is that|is now) (?:[a-z0-9]+ ){0,2}(?:wise|smart|sensible|a good idea|advisable|better|safe|worth it|worth|a good time) (?:[a-z0-9]+ ){0,10}(?:{X}) ",
    " is (?:[a-z0-9]+ ){0,3}(?:{X}) (?:[a-z0-9]+ ){0,5}(?:a good investment|a good idea|worth it|worth the risk|a smart move|a wise choice|a good choice|necessary) ",
    " (?:recommend|suggest|advise) (?:[a-z0-9]+ ){0,8}(?:{X}) ",
    " (?:{X}) (?:[a-z0-9]+ ){0,6}(?:do|would|can) you (?:recommend|suggest|advise) ",
    // "which insurance should I take" (not "which insurance do I have": that is their own policy)
    " (?:which|what) (?:[a-z0-9]+ ){0,2}(?:{X}) (?:[a-z0-9]+ ){0,3}(?:should|would|could) i ",
    " (?:which|what) (?:[a-z0-9]+ ){0,2}(?:{X}) do (?:i|we) (?:really )?need ",
    // "do I need travel insurance", "do I really need to see a doctor" (not "do I need to verify my funds")
    " (?:do (?:i|we)|does (?:he|she|my [a-z]+)) (?:really |actually |even |still )?need (?:to (?:take|get|buy|have|see|consult|hire|call|visit|go to) )?(?:a |an |any |some |the |extra |more |another |additional )?(?:[a-z0-9]+ )?(?:{X}) ",
    " how (?:much|many) (?:[a-z0-9]+ ){0,3}(?:should|can|may) i (?:[a-z0-9]+ ){0,4}(?:{X}) ",
    " how (?:much|many) (?:{X}) (?:[a-z0-9]+ ){0,2}(?:should|can|may) i ",
    " can i afford (?:[a-z0-9]+ ){0,4}(?:{X}) ",
    " (?:advice|advise me) (?:on|about|for|regarding|with) (?:[a-z0-9]+ ){0,3}(?:{X}) ",
    " (?:{X}) advice ",
    // "is dit een goede belegging", "is this a good investment"
    " is (?:[a-z0-9]+ ){1,3}(?:a|een) (?:good|smart|safe|wise|goede|slimme|veilige|verstandige) (?:{X}) ",
    // a choice between the topic and something else: "sell my shares now or wait", "aflossen of beleggen"
    " (?:{X}) (?:[a-z0-9]+ |, ){0,8}(?:or|of) (?:just |gewoon |rather |liever |beter |juist )?(?:wait|hold|keep|sell|invest|save|save up|leave|renew|sparen|wachten|aflossen|beleggen|houden|verkopen|laten staan) ",
    // "my stocks lost 20%, should I sell or hold"
    " (?:{X}) (?:[a-z0-9]+ |, ){0,8}(?:should i|should we|moet ik|moeten we|zal ik) (?:sell|hold|buy|keep|invest|take|get|cancel|switch|wait|stop|continue|see|go|verkopen|kopen|houden|aanhouden|nemen|afsluiten|opzeggen|overstappen|stoppen|wachten|beleggen|doorgaan|gaan|koelen) ",
];

/// A message without a frame is still a request when it is about the customer's own situation or
/// asks for an opinion ("in mijn geval", "if you were me", "slim of niet?") and names a topic, or
/// asks what is good "for me" about one ("which is better for me: a pension annuity or investing
/// on my own?").
const OWN_SITUATION: &str = " (?:is dat (?:wel )?(?:slim|verstandig|wijs)|is that (?:smart|wise|sensible|a good idea)|wat is wijsheid|wat moet ik als eerste|which should i pay first|what should i pay first|wat kan ik het beste doen|would you put|would you invest|zou jij mijn|zou u mijn|zou jij het|zou u adviseren|zou je adviseren|would you advise|would you recommend|what would you recommend|kies ik beter|kiezen we beter|welke keuze|which option|what should i choose|which should i choose|which one should i|moet ik ermee stoppen|moet hij ermee stoppen|moet ze ermee stoppen|should i stop taking|should he stop taking|should she stop taking|moet ik dat doen|moet ik dat tekenen|should i sign|should i do that|zal ik dat doen|do you think|should he|should she|slim of niet|wise or not|good idea or not|goed idee of niet|verstandig of niet|whats smarter|what is smarter|wat is slimmer|is he right|is she right|heeft hij gelijk|heeft ze gelijk|whos right|who is right|onverstandig|what would you advise|wat zou u adviseren|wat raadt u mij aan|wat raad je me aan|wat vind jij|wat vindt u|wat vinden jullie|wat denk jij|wat denkt u|wat is uw advies|wat is jouw advies|what do you think|whats your advice|what is your advice|what do you advise|in my case|in mijn geval|my situation|mijn situatie|if you were me|if i were you|als jij mij was|als u mij was|wat zou jij doen|wat zou u doen|what would you do|would you put|zou jij het) ";
/// "For me" and its kind: a request only next to a judgement ([`JUDGEMENT`]).
const FOR_ME: &str = " (?:for me|for my|for us|for our|for them|for him|for her|voor hem|voor haar|voor mij|voor ons|voor mijn|bij mij|bij mijn) ";
/// Words that ask for a judgement.
const JUDGEMENT: &str = " (?:goed|beste|slimste|handigst|good|better|best|smart|smarter|smartest|cheapest|wise|worth|right|sensible|advisable|afford|risky|slim|slimmer|slimst|verstandig|verstandiger|beter|best|zinvol|gunstig|gunstiger|voordelig|voordeliger|voordeligst|goedkoopst|loont|handig|safe|veilig|raadzaam|riskant|aanraden|recommend|past|fits|suits) ";

/// A sentence with a frame is not a request when it says it is not one, or when it asks
/// about the assistant's or the company's own doing.
const VETOES: &[&str] = &[
    " (?:geen|niet om|not|dont need|no) (?:[a-z0-9]+ ){0,2}(?:advies|advice) ",
    // "when do I need a new credit card" asks when a card expires
    " when do i need ",
    " (?:{E}) ",
];

/// The compiled rules: one group of frames per topic, tried in [`PRECEDENCE`] order, then
/// the own-situation rule.
#[derive(Debug)]
pub(crate) struct AdviceRules {
    /// Every topic's words and its own frames: a message that matches none of them cannot be a
    /// request, so most messages cost one pass instead of one per topic.
    gate: RegexSet,
    topics: Vec<TopicRules>,
    situation: Option<Situation>,
}

/// One topic's frames. Written out, every frame repeats the topic's word list (the medical
/// one has 238 terms), and compiling sixty such patterns as one set left 24 MiB of the
/// compiler's temporary memory in the process for 5 MiB of automaton. So the topic's one-word
/// terms are first rewritten to one token in the text, and the frames name that token and
/// only the remaining terms (phrases, with their own one-word terms rewritten the same way,
/// and patterns such as `[a-z]*pijn`). A word rewritten is still one word, so the frames'
/// word windows count the same; a word the frames themselves spell out is never rewritten;
/// and the vetoes and the frames that glue a term to another word ("beleggingsadvies") read
/// the text as it was. The rules therefore fire exactly where the written-out frames do.
#[derive(Debug)]
struct TopicRules {
    topic: AdviceTopic,
    /// One-word terms rewritten to `token`.
    words: HashSet<&'static str>,
    token: String,
    /// Frames whose terms stand as whole words, over the rewritten text.
    aligned: Option<RegexSet>,
    /// Frames that glue a term to the next word, over the canonical text.
    glued: Option<RegexSet>,
    /// The topic's vetoes, over the canonical text.
    veto: Option<RegexSet>,
}

impl TopicRules {
    fn compile(topic: AdviceTopic) -> Result<Self, regex::Error> {
        let token = format!("zq{}", topic.as_str());
        let frames: Vec<&str> = frames_of(topic).collect();
        let spelled: HashSet<&str> = frames
            .iter()
            .flat_map(|frame| frame.split(|c: char| !c.is_ascii_lowercase() && !c.is_ascii_digit()))
            .filter(|word| !word.is_empty())
            .collect();
        let is_word =
            |term: &str| !term.is_empty() && term.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let words: HashSet<&'static str> = vocabulary(topic)
            .split('|')
            .filter(|term| is_word(term) && !spelled.contains(term))
            .collect();
        let remaining: Vec<String> = vocabulary(topic)
            .split('|')
            .filter(|term| !words.contains(term))
            .map(|term| {
                if term.split(' ').all(is_word) {
                    rewrite(term, &words, &token)
                } else {
                    term.to_owned()
                }
            })
            .collect();
        let aligned_terms = std::iter::once(token.clone())
            .chain(remaining)
            .collect::<Vec<_>>()
            .join("|");
        let is_aligned = |frame: &str| frame.split("(?:{X})").skip(1).all(|after| after.starts_with(' '));
        let compile = |patterns: Vec<String>| {
            if patterns.is_empty() {
                Ok(None)
            } else {
                build_set(patterns).map(Some)
            }
        };
        let aligned = compile(
            frames
                .iter()
                .filter(|frame| is_aligned(frame))
                .map(|frame| expand(&frame.replace("{X}", &aligned_terms), &[]))
                .collect(),
        )?;
        let glued = compile(
            frames
                .iter()
                .filter(|frame| !is_aligned(frame))
                .map(|frame| expand(&frame.replace("{X}", vocabulary(topic)), &[]))
                .collect(),
        )?;
        let veto = compile(vetoes_of(topic).iter().map(|template| expand(template, &[])).collect())?;
        Ok(TopicRules {
            topic,
            words,
            token,
            aligned,
            glued,
            veto,
        })
    }

    /// A topic whose frames never fire: the fallback for rules that did not compile, which
    /// the compile test makes unreachable.
    fn never(topic: AdviceTopic) -> Self {
        TopicRules {
            topic,
            words: HashSet::new(),
            token: String::new(),
            aligned: None,
            glued: None,
            veto: None,
        }
    }

    /// True when a frame fires in a sentence of `canonical` that no veto of the topic matches.
    fn matches(&self, canonical: &str) -> bool {
        let rewritten = rewrite(canonical, &self.words, &self.token);
        let fires = |aligned_text: &str, text: &str| {
            self.aligned.as_ref().is_some_and(|set| set.is_match(aligned_text))
                || self.glued.as_ref().is_some_and(|set| set.is_match(text))
        };
        if !fires(&rewritten, canonical) {
            return false;
        }
        let Some(veto) = &self.veto else {
            return true;
        };
        sentences(&rewritten)
            .zip(sentences(canonical))
            .any(|(aligned_sentence, sentence)| fires(aligned_sentence, sentence) && !veto.is_match(sentence))
    }
}

/// `text` with every space-separated word of `words` replaced by `token`.
fn rewrite(text: &str, words: &HashSet<&str>, token: &str) -> String {
    text.split(' ')
        .map(|word| if words.contains(word) { token } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The patterns of [`AdviceRules::gate`]: every frame needs a topic word or is a topic's own.
/// An own frame that names the topic's words (`{X}`, always after a space) cannot match where
/// the topic's word pattern does not, so only the own frames without them are added.
fn gate_patterns() -> Vec<String> {
    PRECEDENCE
        .iter()
        // No space after the words: "verzekeringsadvies" is a topic word glued to "advies".
        .map(|topic| format!(" (?:{})", vocabulary(*topic)))
        .chain(PRECEDENCE.iter().flat_map(|topic| {
            own_frames(*topic)
                .iter()
                .filter(|frame| !frame.contains("{X}"))
                .map(|frame| (*frame).to_owned())
        }))
        .collect()
}

/// The own-situation rule: [`OWN_SITUATION`], or [`FOR_ME`] with [`JUDGEMENT`], in a message
/// that names a topic and has no veto of that topic.
#[derive(Debug)]
struct Situation {
    /// [`OWN_SITUATION`], [`FOR_ME`], [`JUDGEMENT`], in this order.
    markers: RegexSet,
    /// The words of each topic, in [`PRECEDENCE`] order.
    words: RegexSet,
    /// The vetoes of each topic.
    vetoes: Vec<Option<RegexSet>>,
    /// The markers only one topic has ([`own_markers`]), in [`PRECEDENCE`] order; a topic
    /// without any has a pattern that never matches.
    own: RegexSet,
}

impl Situation {
    fn compile() -> Result<Self, regex::Error> {
        let markers = build_set(vec![OWN_SITUATION.to_owned(), FOR_ME.to_owned(), JUDGEMENT.to_owned()])?;
        let words = build_set(
            PRECEDENCE
                .iter()
                .map(|topic| format!(" (?:{}) ", vocabulary(*topic)))
                .collect(),
        )?;
        let vetoes = PRECEDENCE
            .iter()
            .map(|topic| {
                let veto = vetoes_of(*topic);
                if veto.is_empty() {
                    Ok(None)
                } else {
                    build_set(veto).map(Some)
                }
            })
            .collect::<Result<_, _>>()?;
        let own = build_set(
            PRECEDENCE
                .iter()
                .map(|topic| match own_markers(*topic) {
                    "" => "[^\\s\\S]".to_owned(),
                    markers => format!(" (?:{markers}) "),
                })
                .collect(),
        )?;
        Ok(Situation {
            markers,
            words,
            vetoes,
            own,
        })
    }

    /// The rule over the whole message: "Mijn dochter wil rood staan. Slim of niet?" asks in
    /// its second sentence about the first.
    fn topic(&self, canonical: &str) -> Option<AdviceTopic> {
        let markers = self.markers.matches(canonical);
        let any_topic = markers.matched(0) || (markers.matched(1) && markers.matched(2));
        let own = self.own.matches(canonical);
        if !any_topic && !own.matched_any() {
            return None;
        }
        let words = self.words.matches(canonical);
        PRECEDENCE.iter().enumerate().find_map(|(index, topic)| {
            let asked = any_topic || own.matched(index);
            let vetoed = self.vetoes[index].as_ref().is_some_and(|veto| veto.is_match(canonical));
            (asked && words.matched(index) && !vetoed).then_some(*topic)
        })
    }
}

impl AdviceRules {
    pub(crate) fn new() -> Self {
        AdviceRules {
            // Compiled by a unit test like every constant pattern; the fallback matches all.
            gate: build_set(gate_patterns())
                .unwrap_or_else(|_| RegexSet::new([""]).unwrap_or_else(|_| RegexSet::empty())),
            topics: PRECEDENCE
                .into_iter()
                .map(|topic| TopicRules::compile(topic).unwrap_or_else(|_| TopicRules::never(topic)))
                .collect(),
            // Compiled by a unit test, like every constant pattern: the fallback (no
            // own-situation rule) is unreachable in a tested build.
            situation: Situation::compile().ok(),
        }
    }

    /// The first topic (in [`PRECEDENCE`] order) whose frames fire on `canonical`, else
    /// the topic of the own-situation rule.
    pub(crate) fn topic(&self, canonical: &str) -> Option<AdviceTopic> {
        if !self.gate.is_match(canonical) {
            return None;
        }
        self.topics
            .iter()
            .find(|rules| rules.matches(canonical))
            .map(|rules| rules.topic)
            .or_else(|| self.situation.as_ref().and_then(|situation| situation.topic(canonical)))
    }

    /// Every template, for the lexicon's typo tolerance.
    pub(crate) fn templates() -> impl Iterator<Item = String> {
        PRECEDENCE
            .into_iter()
            .flat_map(|topic| {
                let (positive, veto) = templates_of(topic);
                positive.into_iter().chain(veto)
            })
            .chain([OWN_SITUATION, FOR_ME, JUDGEMENT].map(str::to_owned))
    }

    /// The positive and veto templates of each topic, for the compile test.
    #[cfg(test)]
    pub(crate) fn template_groups() -> Vec<(Vec<String>, Vec<String>)> {
        PRECEDENCE.into_iter().map(templates_of).collect()
    }

    /// Compiles the gate and the own-situation rule, for the compile test.
    #[cfg(test)]
    pub(crate) fn compile_situation() -> Result<(), regex::Error> {
        build_set(gate_patterns())?;
        for topic in PRECEDENCE {
            TopicRules::compile(topic)?;
        }
        Situation::compile().map(|_| ())
    }
}

/// The frames and vetoes of `topic` with its words filled in.
fn templates_of(topic: AdviceTopic) -> (Vec<String>, Vec<String>) {
    let positive = frames_of(topic)
        .map(|frame| frame.replace("{X}", vocabulary(topic)))
        .collect();
    (positive, vetoes_of(topic))
}

/// The decision frames and the topic's own frames, with `{X}` for its words.
fn frames_of(topic: AdviceTopic) -> impl Iterator<Item = &'static str> {
    FRAMES.iter().chain(own_frames(topic)).copied()
}

/// The vetoes of `topic`, its exceptions filled in.
fn vetoes_of(topic: AdviceTopic) -> Vec<String> {
    VETOES
        .iter()
        .filter(|veto| !veto.contains("{E}") || !exceptions(topic).is_empty())
        .map(|veto| veto.replace("{E}", exceptions(topic)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::IntentDetector;
    use crate::intent::lexicon::RuleGroup;

    /// Every line of the intent corpora and of the labelled advice sets in `eval/advice`.
    fn messages() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut messages = Vec::new();
        for folder in [root.join("corpus"), root.join("../../eval/advice")] {
            let mut paths: Vec<_> = std::fs::read_dir(&folder)
                .map(|entries| {
                    entries
                        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                        .collect()
                })
                .unwrap_or_default();
            paths.sort();
            for path in paths.iter().filter(|path| path.is_file()) {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                for line in text
                    .lines()
                    .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
                {
                    messages.push(line.split_once('\t').map_or(line, |(_, message)| message).to_owned());
                }
            }
        }
        messages
    }

    #[test]
    fn the_token_frames_fire_exactly_where_the_written_out_frames_do_acc_10() {
        let detector = IntentDetector::new();
        let messages = messages();
        assert!(
            messages.len() > 1_500,
            "corpora and advice sets found: {}",
            messages.len()
        );
        let mut fired = 0;
        for topic in PRECEDENCE {
            let rules = TopicRules::compile(topic).expect("compiles");
            let (positive, veto) = templates_of(topic);
            let positive: Vec<&str> = positive.iter().map(String::as_str).collect();
            let veto: Vec<&str> = veto.iter().map(String::as_str).collect();
            let written_out = RuleGroup::compile(&positive, &veto, &[]).expect("compiles");
            assert!(!rules.words.is_empty(), "{topic:?} rewrites its one-word terms");
            for message in &messages {
                let canonical = detector.lexicon.canonical(message);
                let expected = written_out.matches(&canonical);
                assert_eq!(rules.matches(&canonical), expected, "{topic:?}: {message}");
                fired += usize::from(expected);
            }
        }
        assert!(
            fired > 500,
            "the frames fired {fired} times: the comparison covers requests"
        );
    }

    #[test]
    fn a_rewritten_word_stays_one_word_and_spelled_out_words_stay() {
        let rules = TopicRules::compile(AdviceTopic::Tax).expect("compiles");
        // "deduct" is spelled out by a tax frame ("can i ... deduct"), so it is never rewritten.
        assert!(!rules.words.contains("deduct") && !rules.words.contains("belasting"));
        assert!(rules.words.contains("erfbelasting"));
        let rewritten = rewrite(" moet ik erfbelasting betalen | ja ", &rules.words, &rules.token);
        assert_eq!(rewritten, " moet ik zqtax betalen | ja ");
        assert_eq!(
            rewritten.split(' ').count(),
            " moet ik erfbelasting betalen | ja ".split(' ').count()
        );
    }
}
