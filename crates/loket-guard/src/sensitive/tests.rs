//! Table tests of the special-category detector (PII-04, §4.2) and its no-panic property.

use super::SensitiveCategory::{self, *};
use super::*;
use crate::intent::lexicon::RuleGroup;
use proptest::prelude::*;
use std::sync::LazyLock;

static DETECTOR: LazyLock<SensitiveDetector> = LazyLock::new(SensitiveDetector::new);

fn check(input: &str, expected: &[SensitiveCategory]) {
    assert_eq!(DETECTOR.detect(input), expected, "input: {input:?}");
}

#[test]
fn every_constant_pattern_compiles() {
    for (category, positive, veto) in patterns::RULES {
        if let Err(error) = RuleGroup::compile(positive, veto, patterns::CLASSES) {
            panic!("patterns of {category:?} do not compile: {error}");
        }
    }
}

#[test]
fn dutch_health_data_is_detected_pii_04() {
    check("ik heb diabetes", &[Health]);
    check("Door mijn chemokuur kon ik de levering niet aannemen", &[Health]);
    check("Ik ben zwanger en wil de kinderwagen eerder ontvangen", &[Health]);
    check("ik wil mijn bestelling annuleren omdat ik ziek was", &[Health]);
    check("Ik heb een depressie en kon niet reageren", &[Health]);
    check("mijn moeder ligt in het ziekenhuis", &[Health]);
    check("Ik ben slechtziend, kunt u de tekst groter maken?", &[Health]);
    check("Mijn vader heeft kanker", &[Health]);
    check("Ik zit in een rolstoel, kan de bezorger het binnen zetten?", &[Health]);
    check("ik heb een burn-out gehad", &[Health]);
    check("De huisarts heeft een verklaring geschreven", &[Health]);
    check("Ik heb een beperking en kan niet naar het afhaalpunt", &[Health]);
    check("mijn zoon is allergisch voor noten", &[Health]);
    check("ik slik medicijnen die ik nu niet kan ophalen", &[Health]);
    check("Na mijn operatie kon ik niet thuis zijn", &[Health]);
    check("ik had corona", &[Health]);
    check("Ik ben doof, bellen gaat dus niet", &[Health]);
    check("ik heb borstkanker", &[Health]);
    check("mijn zwangerchap", &[Health]);
}

#[test]
fn english_health_data_is_detected_pii_04() {
    check("I'm pregnant, can you deliver before May?", &[Health]);
    check("I was in hospital last week", &[Health]);
    check("I have been seriously ill", &[Health]);
    check("My doctor said I can't lift heavy boxes", &[Health]);
    check("I'm disabled and need the parcel at my door", &[Health]);
    check("I suffer from depression", &[Health]);
    check("my son is autistic", &[Health]);
    check("I take insulin every day", &[Health]);
    check("I had surgery on my knee", &[Health]);
    check("I'm deaf so please don't call", &[Health]);
    check("I was sick so I missed the delivery", &[Health]);
}

#[test]
fn other_special_categories_are_detected_in_dutch_and_english_pii_04() {
    check("ik ben moslim en wil halal producten", &[Religion]);
    check("Tijdens de ramadan bestel ik 's avonds", &[Religion]);
    check("I go to church on Sundays", &[Religion]);
    check("As a Jewish family we celebrate Shabbat", &[Religion, Ethnicity]);
    check("Ik ben van Marokkaanse afkomst", &[Ethnicity]);
    check("I'm Polish and my English is not good", &[Ethnicity]);
    check("ik kom uit Suriname", &[Ethnicity]);
    check("Ik ben lid van de PvdA", &[Politics]);
    check("I voted for the Green Party", &[Politics]);
    check("mijn politieke voorkeur gaat jullie niks aan", &[Politics]);
    check("Ik ben lid van de FNV", &[TradeUnion]);
    check("de vakbond zegt dat dit niet mag", &[TradeUnion]);
    check("I'm a union member", &[TradeUnion]);
    check("Ik ben homo en wil een cadeau voor mijn vriend", &[SexualOrientation]);
    check("My wife and I are both lesbian", &[SexualOrientation]);
    check("I am transgender and my name changed", &[SexualOrientation]);
    check("Kan ik inloggen met mijn vingerafdruk?", &[Biometric]);
    check("The fingerprint scanner does not recognise me", &[Biometric]);
    check("Ik heb een DNA-test gedaan", &[Genetic]);
    check("The genetic test kit arrived broken", &[Genetic]);
    check("Ik heb een strafblad, kan ik toch een account openen?", &[Criminal]);
    check("Ik ben veroordeeld maar heb mijn straf uitgezeten", &[Criminal]);
    check("Do you accept customers with a criminal record?", &[Criminal]);
    check("Ik heb een VOG nodig voor mijn werk", &[Criminal]);
    check("I was in prison for two years", &[Criminal]);
}

#[test]
fn ordinary_messages_reveal_no_special_category_pii_04() {
    for text in [
        "de doos was beschadigd",
        "het pakket is dood gegaan",
        "Waar is mijn pakket?",
        "ik wil mijn bestelling annuleren",
        "I want to cancel my order",
        "for god sake, just delete my account i am sick of this",
        "ik word ziek van jullie service",
        "Is it possible to get one of your cards in the European Union?",
        "Can third party fees affect a transfer?",
        "I suspect someone used my card.",
        "my card has been disabled",
        "My husband and I want to order a sofa",
        "mijn man en ik willen een bank bestellen",
        "Mijn vriend heeft het pakket aangenomen",
        "Klantvriendelijkheid zit in ons DNA",
        "Customer service is in our DNA",
        "Is deze mais genetisch gemodificeerd?",
        "Wat is het land van herkomst van deze koffie?",
        "Which country of origin is printed on the label?",
        "ik geloof dat mijn pakket kwijt is",
        "The new model is coming out next month",
        "Heeft de jas een blinde vlek in de naad?",
        "I'll wait for the courier",
        "I'll call tomorrow",
        "Mag de bezorger het pakket bij de kerk afgeven? Het is Kerkstraat 4",
        "Deze stofzuiger heeft een verdachte geur",
        "Ik zag een verdachte transactie op mijn rekening",
        "Hoeveel volt heeft deze lader?",
        "Ik denk dat de levering vertraagd is",
        "Can I add a card to my account?",
        "The party dress is too small",
        "Een partij schoenen is beschadigd aangekomen",
        "Hebben jullie ook zwarte jassen?",
        "I'd like the black version",
        "Made in China?",
        "Is this product suitable for people with allergies?",
        "Is the shop wheelchair accessible?",
        "The union jack flag is sold out",
        "Ik heb mijn pincode geblokkeerd",
        "De politie heeft het gestolen pakket teruggevonden",
        "I want to report fraud on my account",
        "Cancel my subscription please",
        "De garantie is generiek voor alle producten",
        "Blinds for the living room, do you have them?",
    ] {
        check(text, &[]);
    }
}

#[test]
fn several_categories_come_back_once_each_in_declaration_order() {
    check(
        "Ik ben zwanger, moslim en zwanger, en lid van de vakbond",
        &[Health, Religion, TradeUnion],
    );
}

#[test]
fn category_names_are_stable_and_match_serde() {
    for category in SensitiveCategory::ALL {
        let json = serde_json::to_string(&category).expect("a category serialises");
        assert_eq!(json, format!("\"{}\"", category.as_str()));
    }
    assert_eq!(TradeUnion.as_str(), "trade_union");
    assert_eq!(SexualOrientation.as_str(), "sexual_orientation");
}

proptest! {
    #[test]
    fn detection_never_panics_and_never_repeats_a_category(text in "\\PC{0,300}") {
        let found = DETECTOR.detect(&text);
        let mut deduplicated = found.clone();
        deduplicated.dedup();
        prop_assert_eq!(found, deduplicated);
    }

    #[test]
    fn detection_never_panics_on_arbitrary_unicode_and_punctuation(
        text in "[ a-zA-Z.,?!'’\u{0300}-\u{036F}\u{200B}\u{FF10}-\u{FF5A}zijkanker|]{0,200}"
    ) {
        let _ = DETECTOR.detect(&text);
    }
}
