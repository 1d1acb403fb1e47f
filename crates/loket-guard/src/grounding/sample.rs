//! Seeded answers with the passages they cite, the workload of `loket bench grounding`: Dutch
//! and English FAQ passages, and answers built from their sentences by copying, shortening,
//! opening with agreement, changing a number, inserting a placeholder, adding a claim of their
//! own or asking a question, as a language model's answers vary.

/// The seed of the case stream.
pub const SEED: u64 = 20_261_209;

/// FAQ passages, as retrieval returns them.
const PASSAGES: &[&str] = &[
    "Je hebt 14 dagen bedenktijd. Binnen die 14 dagen kun je een bestelling zonder opgave van reden retourneren. \
     Wij betalen het aankoopbedrag binnen 14 dagen na ontvangst van de retour terug.",
    "Bestellingen die op werkdagen voor 22:00 uur zijn geplaatst, worden de volgende dag bezorgd. Op zondag \
     bezorgen wij niet. Je ontvangt een e-mail met een track-and-trace-code zodra je pakket onderweg is.",
    "Verzending is gratis vanaf 20 euro. Onder dat bedrag betaal je 4,95 euro verzendkosten. Retourneren via een \
     servicepunt kost 2,50 euro, tenzij het artikel beschadigd was.",
    "Je kunt betalen met iDEAL, creditcard, PayPal of achteraf met Klarna. Betaal je achteraf, dan heb je 30 dagen \
     de tijd. Een factuur vind je in je account onder Bestellingen.",
    "Je wachtwoord wijzig je in je account onder Instellingen. Ben je je wachtwoord vergeten, kies dan \
     Wachtwoord vergeten op de inlogpagina. De link in de e-mail is 24 uur geldig.",
    "Onze klantenservice is bereikbaar van maandag tot en met vrijdag van 8:30 tot 17:30 uur via 020-123 4567 \
     of klantenservice@winkel.example. Op zaterdag zijn we bereikbaar via de chat.",
    "Orders placed before 10 pm on a weekday are delivered the next day. We do not deliver on Sundays. You \
     receive an e-mail with a tracking code as soon as your parcel ships.",
    "You can return an order within 14 days without giving a reason. We refund the purchase price within 14 days \
     of receiving the return. Items that were used or damaged are not accepted.",
    "A subscription can be cancelled at any time with one month's notice, e.g. by 1 March for the end of \
     March. Cancel it in your account under Subscriptions, or call 020-123 4567.",
    "De garantie op elektronica is 2 jaar vanaf de aankoopdatum. Valt een defect onder de garantie, dan \
     repareren of vervangen wij het artikel kosteloos. Schade door een val valt niet onder de garantie.",
    "Wijzig je adres o.a. via je account, bijv. voor een volgende bestelling. Een bestelling die al onderweg is, \
     kan niet meer worden omgeleid.",
    "Een cadeaubon is 2 jaar geldig en kan online en in de winkel worden gebruikt. Het saldo bekijk je op \
     www.winkel.example/cadeaubon. Een cadeaubon kan niet worden ingewisseld voor geld.",
];

/// Openings that agree without claiming anything.
const AGREEMENTS: &[&str] = &["Ja.", "Yes.", "Klopt!", "Zeker.", "Absolutely."];
/// Claims of the answer's own, which no passage backs.
const OWN_CLAIMS: &[&str] = &[
    "Wij geven je dan 10% korting op je volgende bestelling.",
    "I think our team will love to help you with that.",
    "Daarnaast krijg je een gratis cadeau bij je pakket.",
    "We will refund the shipping costs as well.",
    "Bel ons gerust op 06-98765432 voor meer informatie.",
];
/// Questions a model may end with.
const QUESTIONS: &[&str] = &[
    "Kan ik je nog ergens anders mee helpen?",
    "Would you like me to check your order?",
];
/// Placeholders for the customer's own data.
const PLACEHOLDERS: &[&str] = &["[EMAIL_1]", "[PHONE_NUMBER_1]", "[IBAN_1]", "[PERSON_1]"];

/// One answer and the passages it cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The cited passages (three, as retrieval returns them).
    pub passages: Vec<&'static str>,
    /// The generated answer: one to three sentences.
    pub answer: String,
}

/// `count` cases from `seed`; the same arguments give the same cases on every machine.
pub fn generate(seed: u64, count: usize) -> Vec<Case> {
    let mut random = SplitMix(seed);
    (0..count)
        .map(|_| {
            let passages: Vec<&'static str> = (0..3).map(|_| random.pick(PASSAGES)).collect();
            let sentences = (random.below(3) + 1) as usize;
            let mut answer = Vec::with_capacity(sentences);
            for _ in 0..sentences {
                let source = sentences_of(random.pick(&passages));
                let sentence = random.pick(&source).to_string();
                answer.push(match random.below(10) {
                    0 => format!("{} {sentence}", random.pick(AGREEMENTS)),
                    1 => shortened(&sentence, &mut random),
                    2 => sentence.replacen("14", "30", 1).replacen("2 jaar", "5 jaar", 1),
                    3 => random.pick(OWN_CLAIMS).to_string(),
                    4 => {
                        let placeholder = random.pick(PLACEHOLDERS);
                        sentence.replacen(" je ", &format!(" je ({placeholder}) "), 1)
                    }
                    5 if answer.is_empty() => random.pick(QUESTIONS).to_string(),
                    _ => sentence,
                });
            }
            Case {
                passages,
                answer: answer.join(" "),
            }
        })
        .collect()
}

/// The passage's sentences (at ". " boundaries; the samples have no abbreviations there).
fn sentences_of(passage: &str) -> Vec<&str> {
    let mut out: Vec<&str> = passage.split_inclusive(". ").map(str::trim).collect();
    out.retain(|sentence| !sentence.is_empty());
    out
}

/// The sentence without a few of its later words, as a model condenses.
fn shortened(sentence: &str, random: &mut SplitMix) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let keep = words.len().saturating_sub((random.below(4) + 1) as usize).max(3);
    let mut text = words[..keep.min(words.len())].join(" ");
    text.truncate(text.trim_end_matches([',', '.']).len());
    text.push('.');
    text
}

/// SplitMix64: deterministic and dependency-free.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut value = self.0;
        value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        value ^ (value >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_cases() {
        let cases = generate(SEED, 200);
        assert_eq!(cases, generate(SEED, 200));
        assert!(
            cases
                .iter()
                .all(|case| case.passages.len() == 3 && !case.answer.is_empty())
        );
        assert!(cases.iter().any(|case| case.answer.contains("[EMAIL_1]")));
    }

    #[test]
    fn copied_passage_sentences_pass_and_the_answers_own_claims_fail() {
        let verifier = super::super::GroundingVerifier::new();
        for passage in PASSAGES {
            for sentence in sentences_of(passage) {
                let verdict = verifier.check_sentence(&[passage], sentence);
                assert!(verdict.supported, "{sentence}: {verdict:?}");
            }
        }
        for claim in OWN_CLAIMS.iter().chain(QUESTIONS) {
            let verdict = verifier.check(PASSAGES, claim);
            assert!(!verdict.supported, "{claim}: {verdict:?}");
        }
    }
}
