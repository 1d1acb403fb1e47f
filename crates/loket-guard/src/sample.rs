//! Seeded sample chat messages, the workload every guard benchmark measures: Dutch and English
//! templates filled with names, numbers and identifiers by a linear congruential generator.
//!
//! The crate's `pii` criterion bench and `loket bench guards` both measure [`generate`]`(SEED,
//! 10_000)`. bench/presidio/compare.py parses the arrays below from this file and rebuilds the
//! messages bit for bit for Presidio: keep each array's `const NAME: &[&str] = &[` form and the
//! call order in [`generate`].

/// The seed of the message stream.
pub const SEED: u64 = 20_261_128;

const TEMPLATES: &[&str] = &[
    "Hoi, mijn naam is {first} {last} en mijn IBAN is NL91ABNA0417164300. Klopt de afschrijving?",
    "Kunnen jullie me terugbellen op 06-{digits8}? Ik ben {first}.",
    "Mijn bestelnummer is {digits9}, waar blijft mijn pakket?",
    "Ik woon op de Kerkstraat {number}, {number4} AB Utrecht, graag het adres aanpassen.",
    "Hoe kan ik mijn wachtwoord wijzigen? Ik kom er niet meer in.",
    "My card 4111 1111 1111 1111 was charged twice, can you refund it?",
    "Please email me at {lower}.{lowerlast}@example.com about order {digits9}.",
    "Ik wil een medewerker spreken over mijn factuur van vorige maand, dit klopt echt niet.",
    "Mijn BSN is 123456782, hebben jullie dat nodig voor de aanvraag?",
    "Kenteken {plate} staat al drie dagen op mijn parkeerplek, wie kan ik bellen?",
    "What are your opening hours on Saturday? I want to pick up my package.",
    "Met vriendelijke groet,\n{first} {last}\n+31 20 {digits3} {digits4}",
    "The router at 192.168.{number}.{number} keeps dropping, my name is {first} {last}.",
    "Is het mogelijk om het abonnement per 1 januari op te zeggen? Geboren op 12-03-1985 trouwens.",
    "Ik heb €{number},95 betaald maar de bestelling is niet aangekomen, kunnen jullie dat checken?",
    "Can I change the billing address to 221 Baker Street, London? Thanks, {first}",
];

const FIRST: &[&str] = &[
    "Jan", "Sanne", "Pieter", "Fatima", "Emma", "Daan", "Noah", "Julia", "Mohammed", "Lisa",
];

const LAST: &[&str] = &[
    "Jansen",
    "de Vries",
    "Bakker",
    "van den Berg",
    "El Amrani",
    "Visser",
    "Smit",
    "Meijer",
];

const PLATES: &[&str] = &["12-AB-34", "GB-123-X", "1-KBC-23", "XX-99-99", "99-ZZB-1"];

/// `count` messages from `seed`; the same arguments give the same messages on every machine.
pub fn generate(seed: u64, count: usize) -> Vec<String> {
    let mut generator = Generator(seed);
    (0..count)
        .map(|_| {
            let template = generator.pick(TEMPLATES);
            let first = generator.pick(FIRST);
            let last = generator.pick(LAST);
            let number = (generator.next() % 250 + 1).to_string();
            let number4 = (generator.next() % 9000 + 1000).to_string();
            // The replacements run in this order (compare.py relies on it): each `digits` call
            // advances the generator.
            template
                .replace("{first}", first)
                .replace("{last}", last)
                .replace("{lower}", &first.to_lowercase())
                .replace("{lowerlast}", &last.replace(' ', "").to_lowercase())
                .replace("{digits8}", &generator.digits(8))
                .replace("{digits9}", &generator.digits(9))
                .replace("{digits3}", &generator.digits(3))
                .replace("{digits4}", &generator.digits(4))
                .replace("{number4}", &number4)
                .replace("{number}", &number)
                .replace("{plate}", generator.pick(PLATES))
        })
        .collect()
}

/// A small linear congruential generator (Knuth's MMIX constants): deterministic and
/// dependency-free.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_messages() {
        assert_eq!(generate(SEED, 50), generate(SEED, 50));
        assert_ne!(generate(SEED, 50), generate(SEED + 1, 50));
    }

    #[test]
    fn every_placeholder_is_filled() {
        for message in generate(SEED, 2_000) {
            assert!(!message.contains('{') && !message.contains('}'), "{message}");
        }
    }

    #[test]
    fn the_stream_is_the_one_compare_py_rebuilds() {
        // bench/presidio/compare.py printed these for `messages(2)`; both sides must agree.
        assert_eq!(
            generate(SEED, 2),
            [
                "Can I change the billing address to 221 Baker Street, London? Thanks, Fatima",
                "Ik woon op de Kerkstraat 37, 6061 AB Utrecht, graag het adres aanpassen.",
            ]
        );
    }
}
