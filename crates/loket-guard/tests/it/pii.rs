//! The PII guard as a caller uses it: scan a message, pseudonymise it with the conversation's
//! placeholders, store the new assignments, and continue the conversation later.

use loket_guard::pii::{
    Action, Assignment, EntityKind, Lang, PiiScanner, Placeholders, Policy, pseudonymise, scan_report,
};

#[test]
fn a_conversation_keeps_its_placeholders_across_messages_and_restarts() {
    let scanner = PiiScanner::new();
    let policy = Policy::default();
    let mut placeholders = Placeholders::new();

    let first = "Mijn IBAN is NL91 ABNA 0417 1643 00 en mijn bsn is 123456782";
    let entities = scanner.scan(first, Lang::Nl);
    let redacted = pseudonymise(first, &entities, &mut placeholders, &policy);
    assert_eq!(redacted.text, "Mijn IBAN is [IBAN_1] en mijn bsn is [BSN_1]");
    let stored: Vec<Assignment> = placeholders.take_new_assignments();
    assert_eq!(stored.len(), 2);

    // The service restarts; the conversation's vault gives back the stored assignments.
    let mut restored = Placeholders::from_assignments(stored);
    let second = "Stort het op NL91ABNA0417164300, of op NL02ABNA0123456789?";
    let entities = scanner.scan(second, Lang::Nl);
    let redacted = pseudonymise(second, &entities, &mut restored, &policy);
    assert_eq!(redacted.text, "Stort het op [IBAN_1], of op [IBAN_2]?");
    assert_eq!(restored.new_assignments().len(), 1);
}

#[test]
fn the_bsn_of_a_user_never_reaches_the_redacted_text_pii_01() {
    let scanner = PiiScanner::new();
    let mut policy = Policy::default();
    assert!(policy.set(EntityKind::Bsn, Action::Keep).is_err());
    assert!(policy.set(EntityKind::Bsn, Action::Drop).is_ok());
    let text = "mijn bsn is 123456782, btw NL004495445B01";
    let entities = scanner.scan(text, Lang::Auto);
    let redacted = pseudonymise(text, &entities, &mut Placeholders::new(), &policy);
    assert_eq!(redacted.text, "mijn bsn is [BSN], btw [BSN]");
}

#[test]
fn scan_report_gives_char_offsets_after_non_ascii_text() {
    let scanner = PiiScanner::new();
    let report = scan_report(&scanner, "Één vraag: mail naar jan@example.nl", Lang::Auto);
    assert_eq!(report.entities.len(), 1);
    assert_eq!(report.entities[0].kind, EntityKind::Email);
    assert_eq!((report.entities[0].start, report.entities[0].end), (21, 35));
    assert_eq!(report.redacted, "Één vraag: mail naar [EMAIL_1]");
}
