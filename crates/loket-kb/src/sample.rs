//! Seeded synthetic FAQ questions, the material of the retrieval benchmarks: the crate's
//! `retrieval` criterion bench and `loket bench retrieval|startup` build their knowledge bases
//! from these word lists with this generator, so both measure bases built the same way.

/// Words the synthetic questions are made of (Dutch and English customer-service vocabulary).
pub const WORDS: &[&str] = &[
    "fiets",
    "fietsen",
    "bestelling",
    "retour",
    "levering",
    "betaling",
    "ideal",
    "creditcard",
    "garantie",
    "accu",
    "band",
    "ketting",
    "rem",
    "helm",
    "slot",
    "zadel",
    "stuur",
    "frame",
    "factuur",
    "adres",
    "account",
    "wachtwoord",
    "korting",
    "cadeaubon",
    "werkplaats",
    "afspraak",
    "onderhoud",
    "reparatie",
    "verzending",
    "pakket",
    "bezorger",
    "winkel",
    "openingstijden",
    "telefoon",
    "email",
    "privacy",
    "gegevens",
    "lease",
    "verzekering",
    "diefstal",
    "elektrisch",
    "kinderfiets",
    "bakfiets",
    "racefiets",
    "mountainbike",
    "lamp",
    "spatbord",
    "bagagedrager",
    "order",
    "return",
    "delivery",
    "payment",
    "warranty",
    "battery",
    "tyre",
    "chain",
    "brake",
];

/// Question frames; each `{}` is filled with words.
pub const FRAMES: &[&str] = &[
    "Hoe kan ik {} {} regelen?",
    "Wat kost {} voor mijn {}?",
    "Waar vind ik {} bij {}?",
    "Kan ik {} en {} combineren?",
    "How do I change the {} of my {}?",
];

/// SplitMix64: a tiny deterministic generator, so the samples need no extra dependency.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// One of `items`, at random.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() % items.len() as u64) as usize]
    }

    /// A synthetic question: a frame filled with random words.
    pub fn question(&mut self) -> String {
        let frame = self.pick(FRAMES);
        let first = format!("{} {}", self.pick(WORDS), self.pick(WORDS));
        let second = self.pick(WORDS);
        frame.replacen("{}", &first, 1).replacen("{}", second, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_questions_and_every_frame_is_filled() {
        let (mut one, mut two) = (SplitMix(7), SplitMix(7));
        for _ in 0..200 {
            let question = one.question();
            assert_eq!(question, two.question());
            assert!(!question.contains("{}"), "{question}");
        }
        assert_ne!(SplitMix(7).question(), SplitMix(8).question());
    }
}
