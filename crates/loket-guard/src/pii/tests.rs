//! Table-driven tests of the recognizers: one `check(text, expected)` per case, where
//! `expected` lists the (kind, exact original substring) pairs the scanner must report.

use super::*;

fn scanner() -> &'static PiiScanner {
    static SCANNER: std::sync::OnceLock<PiiScanner> = std::sync::OnceLock::new();
    SCANNER.get_or_init(PiiScanner::new)
}

fn found(text: &str) -> Vec<(EntityKind, String)> {
    let characters: Vec<char> = text.chars().collect();
    scanner()
        .scan(text, Lang::Auto)
        .into_iter()
        .map(|entity| {
            let value: String = characters[entity.start..entity.end].iter().collect();
            (entity.kind, value)
        })
        .collect()
}

#[track_caller]
fn check(text: &str, expected: &[(EntityKind, &str)]) {
    let expected: Vec<(EntityKind, String)> = expected
        .iter()
        .map(|(kind, value)| (*kind, (*value).to_string()))
        .collect();
    assert_eq!(found(text), expected, "text: {text:?}");
}

use EntityKind::*;

#[test]
fn every_pattern_compiles() {
    let identifiers = identifiers::Identifiers::new();
    let contact = contact::Contact::new();
    let _ = (identifiers, contact);
    // A pattern that failed to compile would silently switch its recognizer off; the
    // recognizer tables below would then fail, but this states the invariant directly.
    check("NL91ABNA0417164300", &[(Iban, "NL91ABNA0417164300")]);
}

#[test]
fn email_addresses_are_found() {
    check(
        "mail me op jan.jansen@example.nl graag",
        &[(Email, "jan.jansen@example.nl")],
    );
    check("UtaKortig@jourrapide.com", &[(Email, "UtaKortig@jourrapide.com")]);
    check("geen mail: jan@ of @example.nl", &[]);
}

#[test]
fn phone_numbers_in_dutch_notations_are_found() {
    // REQUIREMENTS.md §4.1 phone vectors.
    for phone in [
        "06-12345678",
        "+31 6 1234 5678",
        "0031612345678",
        "020-6234567",
        "+31 (0)20 623 45 67",
        "06 123 456 78",
        "(020) 623 45 67",
        "0800-1234",
        "010 - 1234567",
    ] {
        let text = format!("bel me op {phone} aub");
        check(&text, &[(Phone, phone)]);
    }
    check("bel 0612345 kort", &[]);
    // Nine digits that pass the elfproef are a BSN even after a phone word (PII-01).
    check("bel me op 120000209", &[(Bsn, "120000209")]);
    // Two IBANs close together are both found; the greedy pattern once swallowed the second.
    check(
        "NL91ABNA0417164300 mijn iban is NL91ABNA0417164300",
        &[(Iban, "NL91ABNA0417164300"), (Iban, "NL91ABNA0417164300")],
    );
}

#[test]
fn international_phone_numbers_need_a_plus_a_known_shape_or_a_phone_word() {
    check("Desk: +41 (0)96 471 07 95", &[(Phone, "+41 (0)96 471 07 95")]);
    check("They're not answering at 99 668472", &[(Phone, "99 668472")]);
    check("Fax: 345-899-3560x4587", &[(Phone, "345-899-3560x4587")]);
    check("my registered 905-674-3793.", &[(Phone, "905-674-3793")]);
    check("(37) 788-063-Office", &[(Phone, "(37) 788-063")]);
    check("we sold 4500 1200 units", &[]);
    check("Date: 2015-12-22 04:34:22", &[]);
}

#[test]
fn ibans_of_sepa_countries_with_valid_check_digits_are_found() {
    check("NL91ABNA0417164300", &[(Iban, "NL91ABNA0417164300")]);
    check(
        "rekening NL91 ABNA 0417 1643 00 graag",
        &[(Iban, "NL91 ABNA 0417 1643 00")],
    );
    check("naar nl91abna0417164300.", &[(Iban, "nl91abna0417164300")]);
    check("from GB56HXDO88167774656119 to", &[(Iban, "GB56HXDO88167774656119")]);
    check("DE89 3704 0044 0532 0130 00", &[(Iban, "DE89 3704 0044 0532 0130 00")]);
    check("BE68 5390 0754 7034", &[(Iban, "BE68 5390 0754 7034")]);
}

#[test]
fn ibans_with_bad_check_digits_or_wrong_length_are_not_reported() {
    check("NL91ABNA0417164301", &[]);
    check("NL91ABNA041716430", &[]);
    check("XX91ABNA0417164300", &[]);
}

#[test]
fn bsns_passing_the_elfproef_are_found_pii_01() {
    check("mijn bsn is 123456782", &[(Bsn, "123456782")]);
    check("BSN: 1112.22.333", &[(Bsn, "1112.22.333")]);
    check("burgerservicenummer 1112 22 333", &[(Bsn, "1112 22 333")]);
    check("sofinummer 11222311", &[(Bsn, "11222311")]);
    check("nummer 111222333 graag", &[(Bsn, "111222333")]);
}

#[test]
fn numbers_failing_the_elfproef_or_in_order_context_are_not_bsns() {
    check("mijn bsn is 111252333", &[]);
    check("bsn 000000000", &[]);
    check("bsn 1234567890", &[]);
    check("mijn bestelnummer is 123456782", &[]);
    check("order 111222333 is late", &[]);
    check("factuur 123456782", &[]);
    check("tracking code 123456782", &[]);
    check("een getal 11222333 zonder context", &[]);
}

#[test]
fn luhn_valid_card_numbers_with_known_issuers_are_found_pii_08() {
    check(
        "card 4111 1111 1111 1111 please",
        &[(CreditCard, "4111 1111 1111 1111")],
    );
    check("kaart 4111-1111-1111-1111", &[(CreditCard, "4111-1111-1111-1111")]);
    check("amex 378282246310005", &[(CreditCard, "378282246310005")]);
    check("5555555555554444", &[(CreditCard, "5555555555554444")]);
    check("4111111111111112", &[]);
    check("1234567812345670", &[]);
}

#[test]
fn postcodes_are_found_except_unused_letter_pairs() {
    check("2601 DC Delft", &[(Postcode, "2601 DC")]);
    check("postcode 2611et", &[(Postcode, "2611et")]);
    check("2611 SS", &[]);
    check("0123 AB", &[]);
    check("om 10:30 AM", &[]);
}

#[test]
fn dutch_and_english_street_addresses_are_found() {
    check("ik woon op de Kerkstraat 12a in", &[(Address, "Kerkstraat 12a")]);
    check("Laan van Meerdervoort 125", &[(Address, "Laan van Meerdervoort 125")]);
    check("Van Woustraat 3-2", &[(Address, "Van Woustraat 3-2")]);
    check("lives at 123 Main Street, Springfield", &[(Address, "123 Main Street")]);
    check("de straat 3 keer", &[]);
}

#[test]
fn person_names_need_evidence() {
    check("Mijn naam is Jan de Vries.", &[(Person, "Jan de Vries")]);
    check("ik heet Fatima El Amrani", &[(Person, "Fatima El Amrani")]);
    check("Graag contact met dhr. Bakker", &[(Person, "Bakker")]);
    check("Getekend, J.P. de Vries", &[(Person, "J.P. de Vries")]);
    check("My name is Szabina Gelencsér", &[(Person, "Szabina Gelencsér")]);
    check("Sara Schwarz called", &[(Person, "Sara Schwarz")]);
    check("Met vriendelijke groet,\nPieter Jansen", &[(Person, "Pieter Jansen")]);
    check("Hello, this is Mr. Smith.", &[(Person, "Smith")]);
    check("De Bakker op de hoek is dicht.", &[]);
    check("Ben je een bot? Wil je helpen?", &[]);
    check("The Bank of England", &[]);
}

#[test]
fn person_names_from_the_census_and_dutch_lists_count_in_any_language() {
    // A listed first name with a second capitalised word, in English or Dutch text.
    check(
        "Follow up with Matheus Araujo in a couple of months.",
        &[(Person, "Matheus Araujo")],
    );
    check("I'm Naomi Ryan, originally from Leeds.", &[(Person, "Naomi Ryan")]);
    check("Maureen Thibault\n\n41086 Kiannonkatu", &[(Person, "Maureen Thibault")]);
    check("Roxanne is very reliable.", &[(Person, "Roxanne")]);
    // Names in another case than capitalised: "McDowell" is "Mcdowell" in the census.
    check("sung by Adam McDowell in 1975", &[(Person, "Adam McDowell")]);
}

#[test]
fn person_context_roles_verbs_and_relatives_vouch_for_unknown_names() {
    check("I would like to remove my kid Agi from the will.", &[(Person, "Agi")]);
    check("Mijn dochter Fenna heeft een account.", &[(Person, "Fenna")]);
    check(
        "\"That is the direction,\" says Hartvigsson.",
        &[(Person, "Hartvigsson")],
    );
    check("Sometimes people call me Csanád", &[(Person, "Csanád")]);
    check("Producer James Sparks explained it.", &[(Person, "James Sparks")]);
    check("Mehrudin shouted at Todd", &[(Person, "Mehrudin"), (Person, "Todd")]);
    check("Wat is uw achternaam? Westerkamp", &[(Person, "Westerkamp")]);
    check("Haar meisjesnaam is De Blanker", &[(Person, "De Blanker")]);
    check("The name is A De Jong", &[(Person, "A De Jong")]);
}

#[test]
fn a_word_of_a_recognised_name_is_a_name_when_it_comes_back() {
    check(
        "a film directed by Maciej Borkowski and starring Borkowski",
        &[(Person, "Maciej Borkowski"), (Person, "Borkowski")],
    );
    check(
        "They had 6: Gaetane, Hannah, Anthony and Derek.",
        &[
            (Person, "Gaetane"),
            (Person, "Hannah"),
            (Person, "Anthony"),
            (Person, "Derek"),
        ],
    );
}

#[test]
fn lowercase_names_need_an_introduction_or_a_first_name_with_a_surname() {
    check("my name is lena andersson.", &[(Person, "lena andersson")]);
    check(
        "follow up with patricia desrosiers soon",
        &[(Person, "patricia desrosiers")],
    );
    check("ik heet jan de vries", &[(Person, "jan de vries")]);
    check("how much can i max out on my visa", &[]);
    check("can somebody else top up my account?", &[]);
    check("ik ben bakker van beroep", &[]);
}

#[test]
fn places_streets_firms_and_things_are_not_persons() {
    check("I will be travelling to Austria next week", &[]);
    check("We moved here from Uruguay", &[]);
    check("I work for Ellis-Ingram", &[]);
    check("Tomomi is from Hawkins, Richardson and Santana", &[(Person, "Tomomi")]);
    check("the corner of Mathias Pass", &[]);
    check("He lives on the north side of Joaquin Suarez 2906.", &[]);
    check("Professor Doctor J.C. Schoutelaan", &[]);
    check("St. Antonius", &[]);
    check("Nandos in Leeds", &[]);
    check("Still says that the transaction is pending", &[]);
    check("My App says it is still pending", &[]);
    check("and the Seller says they have not received it", &[]);
    check("exchange between UK pounds and Russian rubles", &[]);
    check("De Bakker op de hoek is dicht.", &[]);
    check("Dan bel ik morgen wel terug.", &[]);
}

#[test]
fn dates_are_reported_only_as_dates_of_birth() {
    check("geboren op 12-03-1985", &[(DateOfBirth, "12-03-1985")]);
    check("date of birth: 3 March 1990", &[(DateOfBirth, "3 March 1990")]);
    check("geboortedatum 1985-03-12", &[(DateOfBirth, "1985-03-12")]);
    check("levering op 12-03-2025", &[]);
}

#[test]
fn ip_addresses_are_validated() {
    check("from 192.168.1.20 today", &[(IpAddress, "192.168.1.20")]);
    check("ip 2001:db8::8a2e:370:7334", &[(IpAddress, "2001:db8::8a2e:370:7334")]);
    check("versie 1.2.3.4.5", &[]);
    check("256.1.1.1", &[]);
    check("om 12:20:39", &[]);
}

#[test]
fn id_documents_need_document_context() {
    check("paspoort XR1001R58", &[(IdDocument, "XR1001R58")]);
    check("documentnummer EM1234567", &[(IdDocument, "EM1234567")]);
    check("paspoort XR1O01R58", &[]);
    check("product XR1001R58", &[]);
    check("rijbewijsnummer 1234567890", &[(IdDocument, "1234567890")]);
}

#[test]
fn kvk_numbers_need_context() {
    check("KvK 12345678", &[(Kvk, "12345678")]);
    check(
        "ingeschreven bij de Kamer van Koophandel onder 87654321",
        &[(Kvk, "87654321")],
    );
    check("artikel 12345678", &[]);
}

#[test]
fn vat_ids_are_validated_and_old_bsn_based_ones_are_bsns_pii_03() {
    check("btw NL000000008B01", &[(VatId, "NL000000008B01")]);
    check("btw NL100000024B01", &[(VatId, "NL100000024B01")]);
    check("btw NL004495445B01", &[(Bsn, "NL004495445B01")]);
    check("btw NL123456789B90", &[]);
}

#[test]
fn licence_plates_follow_the_sidecodes() {
    check("kenteken 12-AB-34", &[(LicensePlate, "12-AB-34")]);
    check("plate AB-123-C", &[(LicensePlate, "AB-123-C")]);
    check("auto 1-KBC-23", &[(LicensePlate, "1-KBC-23")]);
    check("mijn kenteken is GBBX12", &[(LicensePlate, "GBBX12")]);
    check("XX-99-99 staat op de auto", &[(LicensePlate, "XX-99-99")]);
    check("code GBBX12 zonder context", &[]);
}

#[test]
fn offsets_count_characters_of_the_original_text() {
    let text = "Ünïcødé 😀 tekst: mijn IBAN is NL91ABNA0417164300";
    let entities = scanner().scan(text, Lang::Auto);
    assert_eq!(entities.len(), 1);
    let value: String = text
        .chars()
        .skip(entities[0].start)
        .take(entities[0].end - entities[0].start)
        .collect();
    assert_eq!(value, "NL91ABNA0417164300");
}

#[test]
fn full_width_digits_and_zero_width_characters_do_not_hide_data() {
    check("bsn １２３４５６７８２", &[(Bsn, "１２３４５６７８２")]);
    check("NL91\u{200B}ABNA0417164300", &[(Iban, "NL91\u{200B}ABNA0417164300")]);
}

#[test]
fn overlaps_keep_the_higher_score() {
    // The nine digits inside the VAT id pass the elfproef; only the VAT finding (as BSN) stays.
    check("NL004495445B01", &[(Bsn, "NL004495445B01")]);
}

#[test]
fn entity_kinds_round_trip_through_their_names() {
    for kind in EntityKind::ALL {
        assert_eq!(EntityKind::parse(kind.as_str()), Some(kind));
        let json = serde_json::to_string(&kind).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert_eq!(EntityKind::parse("nope"), None);
}

#[test]
fn scan_report_serialises_in_the_cli_shape() {
    let report = scan_report(scanner(), "mail a@b.nl", Lang::Nl);
    let json = serde_json::to_value(&report).unwrap_or_default();
    assert_eq!(
        json,
        serde_json::json!({
            "entities": [{"type": "EMAIL", "start": 5, "end": 11}],
            "sensitive": [],
            "redacted": "mail [EMAIL_1]"
        })
    );
}

#[test]
fn ordinary_customer_questions_contain_nothing() {
    for text in [
        "Hoe kan ik mijn wachtwoord wijzigen?",
        "Where is my card? I ordered it 3 days ago.",
        "Ik wil graag een medewerker spreken over factuur 2024-0012.",
        "I was charged twice for the same transaction of 25.99 EUR",
    ] {
        check(text, &[]);
    }
}

#[test]
fn scanner_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PiiScanner>();
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn pii_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("NL91ABNA0417164300".to_string()),
            Just("123456782".to_string()),
            Just("jan.jansen@example.nl".to_string()),
            Just("06-12345678".to_string()),
            Just("4111 1111 1111 1111".to_string()),
            Just("192.168.1.20".to_string()),
            Just("Kerkstraat 12".to_string()),
        ]
    }

    fn message() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "\\PC{0,12}".prop_map(|s| s),
                pii_value().prop_map(|value| format!(" {value} ")),
                Just(" mijn bsn is ".to_string()),
                Just("\u{200B}".to_string()),
                Just("１２".to_string()),
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn scanning_any_text_never_panics_and_offsets_are_ordered_and_in_bounds(text in "\\PC{0,200}") {
            let length = text.chars().count();
            let entities = scanner().scan(&text, Lang::Auto);
            let mut previous_end = 0;
            for entity in &entities {
                prop_assert!(entity.start < entity.end);
                prop_assert!(entity.end <= length);
                prop_assert!(entity.start >= previous_end);
                previous_end = entity.end;
            }
        }

        #[test]
        fn redacted_text_never_contains_an_original_value(text in message()) {
            let entities = scanner().scan(&text, Lang::Auto);
            let redacted = pseudonymise(&text, &entities, &mut Placeholders::new(), &Policy::default());
            let characters: Vec<char> = text.chars().collect();
            for entity in &entities {
                let value: String = characters[entity.start..entity.end].iter().collect();
                if value.chars().count() >= 6 {
                    prop_assert!(!redacted.text.contains(&value), "{value:?} in {:?}", redacted.text);
                }
            }
        }
    }
}

#[test]
fn a_long_text_with_many_findings_is_scanned_without_quadratic_blowup() {
    // 20,000 names and numbers; overlap resolution and list coordination are linear or
    // n log n, so this takes milliseconds, not minutes.
    let text = "Jan de Vries, 06-12345678, NL91ABNA0417164300 en Piet Jansen. ".repeat(5_000);
    let entities = scanner().scan(&text, Lang::Auto);
    assert_eq!(entities.len(), 20_000);
}

#[test]
fn postcode_letters_are_not_read_as_initials_of_a_name() {
    check(
        "Wij zijn verhuisd naar Kerkstraat 207b, 7071 JP Den Haag.",
        &[(Address, "Kerkstraat 207b"), (Postcode, "7071 JP")],
    );
    check("Afspraak met dr ABC", &[(Person, "ABC")]);
}
