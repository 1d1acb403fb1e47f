//! Integration tests of loket-kb through its public API only: import, answer, least privilege.
#![allow(clippy::unwrap_used)]

mod answering;
mod demo;
mod dense;
mod importing;
mod privilege;

use std::path::Path;

use loket_kb::{ImportReport, SourceFile, import};

/// A small shop knowledge base in both languages, with customer, internal and confidential content.
pub const FAQ_NL: &str = concat!(
    r#"{"id":"nl-retour","question":"Hoe kan ik mijn bestelling retourneren?","alt_questions":["Kan ik mijn fiets terugsturen?","Hoe stuur ik iets terug?","Retour aanmelden"],"answer":"U kunt binnen 14 dagen na ontvangst retourneren via het retourformulier.","lang":"nl","url":"https://despaak.example/retour"}"#,
    "\n",
    r#"{"id":"nl-levertijd","question":"Hoe lang duurt de levering?","alt_questions":["Wanneer wordt mijn bestelling bezorgd?","Wat is de levertijd?"],"answer":"Wij leveren binnen 1 tot 3 werkdagen.","lang":"nl"}"#,
    "\n",
    r#"{"id":"nl-fietsen-onderhoud","question":"Onderhouden jullie fietsen?","alt_questions":["Doen jullie onderhoud aan fietsen?"],"answer":"Ja, onze werkplaats onderhoudt alle merken.","lang":"nl"}"#,
    "\n",
    r#"{"id":"nl-betalen","question":"Welke betaalmethoden zijn er?","alt_questions":["Kan ik met iDEAL betalen?","Kan ik achteraf betalen?"],"answer":"U betaalt met iDEAL, creditcard of achteraf.","lang":"nl"}"#,
    "\n",
);
pub const FAQ_EN: &str = concat!(
    r#"{"id":"en-returns","question":"How can I return my order?","alt_questions":["Can I send my bike back?","How do I send something back?"],"answer":"You can return within 14 days of receipt using the returns form.","lang":"en","url":"https://despaak.example/en/returns"}"#,
    "\n",
    r#"{"id":"en-delivery","question":"How long does delivery take?","alt_questions":["When will my order arrive?"],"answer":"We deliver within 1 to 3 working days.","lang":"en"}"#,
    "\n",
    r#"{"id":"en-only-parking","question":"Is there parking near the shop?","alt_questions":["Where can I park my car?"],"answer":"There is free parking behind the shop.","lang":"en"}"#,
    "\n",
    r#"{"id":"customer-all-loyalty","question":"How many loyalty points do customers earn?","answer":"Every customer earns one point per euro.","lang":"en","audience":"customer"}"#,
    "\n",
    r#"{"id":"customer-c1-contract","question":"What does my lease contract cover?","alt_questions":["lease contract coverage"],"answer":"Your lease contract LC-1 covers theft and repairs.","lang":"en","audience":"customer","customer_id":"c-1"}"#,
    "\n",
);
pub const CONFIDENTIAL_PAGE: &str = "---\ntitle: Inkoopprijzen en API-sleutel\nlang: nl\naudience: confidential\nowner: inkoop\n---\n# Inkoopprijzen\n\nDe inkoopprijs van de Gazelle stadsfiets is 412 euro bij leverancier Velo BV.\n\n# Sleutel\n\nDe betaal API-sleutel is sk-live-DEMO-CANARY-7f3a9c.\n";
pub const INTERNAL_PAGE: &str = "---\ntitle: Escalatiescript\nlang: nl\naudience: internal\n---\n# Boze klant over retour\n\nBied bij een retour na 14 dagen maximaal 10 procent korting aan en escaleer naar de teamleider.\n";
pub const PUBLIC_PAGE: &str = "---\ntitle: Garantie en conformiteit\nlang: nl\naudience: public\nurl: https://despaak.example/garantie\n---\n# Conformiteit\n\nEen product moet zo lang meegaan als u redelijkerwijs mag verwachten. Er is geen vaste termijn van twee jaar.\n\n# Hoe meldt u een defect\n\nMeld een defect aan uw fiets via klantenservice met een foto en uw ordernummer.\n";

pub fn source(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: path.to_owned(),
        bytes: text.as_bytes().to_vec(),
    }
}

pub fn shop_sources() -> Vec<SourceFile> {
    vec![
        source("faq/nl.jsonl", FAQ_NL),
        source("faq/en.jsonl", FAQ_EN),
        source("pages/garantie.md", PUBLIC_PAGE),
        source("internal/escalatie.md", INTERNAL_PAGE),
        source("confidential/inkoop.md", CONFIDENTIAL_PAGE),
    ]
}

pub fn import_all(data_dir: &Path, sources: Vec<SourceFile>) -> ImportReport {
    import(data_dir, sources, &mut |_| {}).expect("import succeeds")
}
