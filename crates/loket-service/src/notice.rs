//! "Over deze chat": the notice every customer can open from the widget, generated from the
//! configuration in Dutch and English (REQUIREMENTS PRIV-02, GOV-08, GOV-10).
//!
//! It says what the assistant is and is not, how to reach a person, what happens to personal
//! data (every field of GDPR art. 13, REQUIREMENTS §3.3), where to complain (the company's
//! people first, then the Autoriteit Persoonsgegevens for privacy and ACM ConsuWijzer for
//! consumer matters), and how accessible the chat is (EAA art. 13(2), Annex V). Everything in it
//! comes from settings that Loket enforces, so it cannot drift from what the chat does; the
//! same text is served at `/about`, as JSON, and printed by `loket compliance notice` for the
//! terms and conditions.

use loket_core::Locale;
use loket_core::config::{Config, ContactConfig, GenerationConfig, LawfulBasis, ModelProvider, ValidConfig};
use serde::Serialize;

/// The whole notice in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatNotice {
    /// Its language.
    pub lang: Locale,
    /// The page title.
    pub title: String,
    /// The sections in reading order.
    pub sections: Vec<NoticeSection>,
}

/// One section of the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeSection {
    /// A stable id: `young-people` (only when children are likely customers), `assistant`,
    /// `limits`, `person`, `data`, `rights`, `complaints`, `accessibility`.
    pub id: &'static str,
    /// The heading.
    pub heading: String,
    /// Paragraphs of plain text; `https://` addresses in them become links in HTML.
    pub paragraphs: Vec<String>,
}

/// The Dutch data protection authority's site.
const AP_URL: &str = "https://www.autoriteitpersoonsgegevens.nl";
/// ACM's information desk for consumers.
const CONSUWIJZER_URL: &str = "https://www.consuwijzer.nl";

/// Builds the notice for `locale` from the configuration.
pub fn chat_notice(config: &ValidConfig, locale: Locale) -> ChatNotice {
    let settings = &config.config;
    let context = Context {
        config,
        settings,
        locale,
        nl: locale == Locale::Nl,
        company: config.wording.company(),
        bot: config.wording.bot_name(locale),
        email: settings.contact.email.trim(),
        phone: settings.contact.phone.trim(),
        contact: &settings.contact,
        generation: &settings.generation,
    };
    let company = context.company;
    ChatNotice {
        lang: locale,
        title: if context.nl {
            format!("Over deze chat van {company}")
        } else {
            format!("About this chat of {company}")
        },
        sections: [
            settings.privacy.minors_likely.then(|| young_people(context)),
            Some(assistant(context)),
            Some(limits(context)),
            Some(person(context)),
            Some(data(context)),
            Some(rights(context)),
            Some(complaints(context)),
            Some(accessibility(context)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

/// What every section reads: the configuration and the language.
#[derive(Clone, Copy)]
struct Context<'a> {
    config: &'a ValidConfig,
    settings: &'a Config,
    locale: Locale,
    nl: bool,
    company: &'a str,
    bot: &'a str,
    email: &'a str,
    phone: &'a str,
    contact: &'a ContactConfig,
    generation: &'a GenerationConfig,
}

impl Context<'_> {
    /// The Dutch or the English text, by the notice's language.
    fn pick(&self, dutch: &str, english: &str) -> String {
        if self.nl { dutch.to_owned() } else { english.to_owned() }
    }

    /// A section with its heading in the notice's language (Dutch, English).
    fn section(&self, id: &'static str, headings: (&str, &str), paragraphs: Vec<String>) -> NoticeSection {
        NoticeSection {
            id,
            heading: self.pick(headings.0, headings.1),
            paragraphs,
        }
    }

    /// The value of a per-language setting in the notice's language (empty when unset).
    fn localized(&self, map: &std::collections::BTreeMap<Locale, String>) -> String {
        map.get(&self.locale).cloned().unwrap_or_default()
    }
}

/// For young people, first and in plain words, when children are likely customers (PRIV-15):
/// what the chat is, how to reach a person, what not to share, and that they can erase it.
fn young_people(context: Context<'_>) -> NoticeSection {
    let paragraphs = vec![
        context.pick(
            "Je praat hier met een computer, niet met een mens. De computer kan fouten maken.",
            "You are talking to a computer here, not a person. The computer can make mistakes.",
        ),
        context.pick(
            "Wil je liever een mens spreken? Klik op 'Praat met een medewerker'. Dat kan altijd.",
            "Would you rather talk to a person? Click 'Talk to a person'. You can always do that.",
        ),
        context.pick(
            "Deel geen wachtwoord, pincode of burgerservicenummer in de chat.",
            "Do not share a password, PIN or citizen service number in the chat.",
        ),
        context.pick(
            "Je kunt het gesprek bewaren of laten wissen. Vraag je ouders of een medewerker als je iets niet snapt.",
            "You can save the conversation or have it erased. Ask your parents or a person if something is unclear.",
        ),
    ];
    context.section("young-people", ("Voor jongeren", "For young people"), paragraphs)
}

/// What the chat is: an AI assistant, how its answers come about, that every message names its author.
fn assistant(context: Context<'_>) -> NoticeSection {
    let Context {
        nl,
        company,
        bot,
        generation,
        ..
    } = context;
    // The default names are the generic term itself: "met AI-assistent, een AI-assistent" reads badly.
    let generic = matches!(bot.to_lowercase().as_str(), "ai-assistent" | "ai assistant");
    let mut paragraphs = vec![match (nl, generic) {
        (true, true) => {
            format!("In deze chat praat u met een AI-assistent van {company}: een computerprogramma, geen medewerker.")
        }
        (true, false) => format!(
            "In deze chat praat u met {bot}, een AI-assistent van {company}: een computerprogramma, geen medewerker."
        ),
        (false, true) => {
            format!("In this chat you talk to an AI assistant of {company}: a computer program, not an employee.")
        }
        (false, false) => format!(
            "In this chat you talk to {bot}, an AI assistant of {company}: a computer program, not an employee."
        ),
    }];
    paragraphs.push(match generation.provider {
        ModelProvider::None => context.pick(
            "Antwoorden komen letterlijk uit informatie die het bedrijf heeft goedgekeurd, met een link naar de bron.",
            "Answers are taken word for word from information the company approved, with a link to the source.",
        ),
        _ => context.pick(
            "Een taalmodel formuleert antwoorden uit informatie die het bedrijf heeft goedgekeurd. Elke zin wordt vóór \
             het tonen gecontroleerd tegen die bronnen; lukt dat niet, dan krijgt u de goedgekeurde tekst zelf.",
            "A language model phrases answers from information the company approved. Every sentence is checked \
             against those sources before it is shown; if that fails, you get the approved text itself.",
        ),
    });
    paragraphs.push(context.pick(
        "Bij elk bericht staat wie het schreef: de AI-assistent, een medewerker of het systeem.",
        "Every message shows who wrote it: the AI assistant, a person or the system.",
    ));
    context.section("assistant", ("Wat is deze chat?", "What is this chat?"), paragraphs)
}

/// What the assistant does not do: be always right, give personal advice on declined topics,
/// decide about the customer.
fn limits(context: Context<'_>) -> NoticeSection {
    let Context {
        settings, locale, nl, ..
    } = context;
    let declined: Vec<&str> = settings
        .answer
        .declined_advice()
        .map(|topic| topic.subject(locale))
        .collect();
    let mut paragraphs = vec![context.pick(
        "Antwoorden kunnen onjuist of onvolledig zijn. Is de assistent niet zeker, dan zegt hij dat en biedt hij een \
         medewerker aan. Controleer belangrijke informatie, of vraag het een medewerker.",
        "Answers can be wrong or incomplete. When the assistant is not sure, it says so and offers a person. Check \
         important information, or ask a person.",
    )];
    if !declined.is_empty() {
        paragraphs.push(if nl {
            format!(
                "De assistent geeft geen persoonlijk advies over {}.",
                join(&declined, "en")
            )
        } else {
            format!("The assistant gives no personal advice on {}.", join(&declined, "or"))
        });
    }
    paragraphs.push(context.pick(
        "De assistent neemt geen besluiten over u: er is geen geautomatiseerde besluitvorming of profilering \
         (artikel 22 AVG). Een herroeping of opzegging in de chat krijgt een ontvangstbevestiging en gaat naar een \
         medewerker.",
        "The assistant takes no decisions about you: there is no automated decision-making or profiling (GDPR \
         article 22). A withdrawal or cancellation stated in the chat gets an acknowledgement of receipt and goes \
         to a person.",
    ));
    context.section(
        "limits",
        ("Wat de assistent niet doet", "What the assistant does not do"),
        paragraphs,
    )
}

/// Reaching a person, in the chat and outside it.
fn person(context: Context<'_>) -> NoticeSection {
    let Context {
        nl,
        email,
        phone,
        contact,
        ..
    } = context;
    let mut paragraphs = vec![context.pick(
        "U kunt op elk moment met een mens praten: kies 'Praat met een medewerker' of typ 'medewerker'. Een \
         medewerker ziet het hele gesprek, zodat u niets hoeft te herhalen.",
        "You can talk to a person at any time: choose 'Talk to a person' or type 'agent'. The person sees the whole \
         conversation, so you need not repeat anything.",
    )];
    let mut ways = Vec::new();
    if !phone.is_empty() {
        let hours = context.localized(&contact.phone_hours);
        ways.push(match (nl, hours.is_empty()) {
            (true, true) => format!("bel {phone}"),
            (true, false) => format!("bel {phone} ({hours})"),
            (false, true) => format!("call {phone}"),
            (false, false) => format!("call {phone} ({hours})"),
        });
    }
    if !email.is_empty() {
        let response = context.localized(&contact.email_response);
        ways.push(match (nl, response.is_empty()) {
            (true, true) => format!("mail {email}"),
            (true, false) => format!("mail {email} (antwoord binnen {response})"),
            (false, true) => format!("e-mail {email}"),
            (false, false) => format!("e-mail {email} (answer within {response})"),
        });
    }
    if !ways.is_empty() {
        paragraphs.push(if nl {
            format!(
                "Liever niet via de chat? U kunt ook {}. Zijn er geen medewerkers beschikbaar, dan zegt de chat dat \
                 eerlijk en kunt u een terugbelverzoek achterlaten.",
                join(&ways, "of")
            )
        } else {
            format!(
                "Rather not use the chat? You can also {}. When nobody is available, the chat says so honestly and \
                 you can leave a callback request.",
                join(&ways, "or")
            )
        });
    }
    context.section("person", ("Een medewerker spreken", "Talking to a person"), paragraphs)
}

/// The GDPR art. 13 information: controller, purposes and bases, what need not be given,
/// retention, recipients and transfers.
fn data(context: Context<'_>) -> NoticeSection {
    let Context {
        config,
        settings,
        locale,
        nl,
        company,
        ..
    } = context;
    let bases = &settings.privacy.lawful_basis;
    let retention = &settings.retention;
    let paragraphs = vec![
        if nl {
            format!(
                "{company} is verantwoordelijk voor de verwerking van uw gegevens in deze chat. Vragen over privacy: {}.{}",
                settings.privacy.contact.trim(),
                settings
                    .privacy
                    .dpo_contact
                    .as_deref()
                    .map(|dpo| format!(" Functionaris gegevensbescherming: {}.", dpo.trim()))
                    .unwrap_or_default()
            )
        } else {
            format!(
                "{company} is the controller of your data in this chat. Privacy questions: {}.{}",
                settings.privacy.contact.trim(),
                settings
                    .privacy
                    .dpo_contact
                    .as_deref()
                    .map(|dpo| format!(" Data protection officer: {}.", dpo.trim()))
                    .unwrap_or_default()
            )
        },
        if nl {
            format!(
                "Waarvoor: uw vraag beantwoorden ({}); u doorverbinden met een medewerker en terugbelverzoeken \
                 ({}); beveiliging en verantwoording met een logboek zonder de inhoud van berichten ({}).",
                basis_text(bases.answering, locale),
                basis_text(bases.handover, locale),
                basis_text(bases.logging, locale)
            )
        } else {
            format!(
                "What for: answering your question ({}); handing you over to a person and callback requests ({}); \
                 security and accountability with a log that holds no message content ({}).",
                basis_text(bases.answering, locale),
                basis_text(bases.handover, locale),
                basis_text(bases.logging, locale)
            )
        },
        context.pick(
            "U hoeft geen persoonsgegevens te geven; de chat werkt ook zonder. Deel geen BSN, wachtwoorden of \
             medische gegevens. Persoonsgegevens in uw berichten (zoals een IBAN, telefoonnummer of adres) worden \
             vervangen door een code voordat het gesprek wordt opgeslagen; het origineel wordt versleuteld bewaard \
             en alleen een bevoegde medewerker kan het inzien, wat wordt vastgelegd.",
            "You need not give any personal data; the chat works without. Do not share a citizen service number \
             (BSN), passwords or medical details. Personal data in your messages (such as an IBAN, phone number or \
             address) is replaced by a code before the conversation is stored; the original is kept encrypted and \
             only an authorised person can see it, which is logged.",
        ),
        if nl {
            format!(
                "Bewaartermijnen: gesprekken {} dagen, gesprekken met gevoelige gegevens {} dagen, \
                 terugbelverzoeken {} dagen, het logboek {} dagen. Daarna worden ze automatisch verwijderd.{}",
                retention.transcripts.days,
                retention.sensitive_transcripts.days,
                retention.tickets.days,
                retention.audit.days,
                statutory_periods(&retention.statutory, true)
            )
        } else {
            format!(
                "Retention: conversations {} days, conversations with sensitive data {} days, callback requests {} \
                 days, the log {} days. After that they are deleted automatically.{}",
                retention.transcripts.days,
                retention.sensitive_transcripts.days,
                retention.tickets.days,
                retention.audit.days,
                statutory_periods(&retention.statutory, false)
            )
        },
        recipients(config, locale),
    ];
    context.section("data", ("Uw gegevens", "Your data"), paragraphs)
}

/// The longer periods of `retention.statutory`, as a sentence to follow the ordinary periods
/// (GDPR art. 13(2)(a)): a conversation the company must keep under a law is kept for that law's
/// period, which the customer is told here rather than surprised by at an erasure request. Empty
/// without configured grounds.
fn statutory_periods(grounds: &[loket_core::config::StatutoryGround], nl: bool) -> String {
    if grounds.is_empty() {
        return String::new();
    }
    let periods: Vec<String> = grounds
        .iter()
        .map(|ground| {
            let justification = ground.justification.trim().trim_end_matches('.');
            if nl {
                format!("{} dagen ({justification})", ground.days)
            } else {
                format!("{} days ({justification})", ground.days)
            }
        })
        .collect();
    if nl {
        format!(
            " Een gesprek dat we op grond van een wettelijke plicht langer moeten bewaren, bewaren we zo lang als \
             die plicht vraagt, en zolang kunnen we het niet verwijderen: {}.",
            periods.join("; ")
        )
    } else {
        format!(
            " A conversation we must keep longer under a legal obligation is kept for as long as that obligation \
             requires, and cannot be erased before then: {}.",
            periods.join("; ")
        )
    }
}

/// The data subject's rights and, where a basis is consent, its withdrawal.
fn rights(context: Context<'_>) -> NoticeSection {
    let Context { settings, nl, .. } = context;
    let contact = settings.privacy.contact.trim();
    let mut paragraphs = vec![if nl {
        format!(
            "U heeft recht op inzage, correctie, verwijdering, beperking van de verwerking, overdraagbaarheid en \
             bezwaar (artikelen 15 tot en met 21 AVG). Stuur uw verzoek naar {contact}. U krijgt binnen een maand \
             antwoord. Is uw verzoek ingewikkeld, of krijgen we er veel, dan kan het twee maanden langer duren. Dat laten \
             we u dan binnen die eerste maand weten, met de reden. U kunt dit gesprek ook zelf downloaden of laten \
             wissen in de chat."
        )
    } else {
        format!(
            "You have the right of access, rectification, erasure, restriction of processing, portability and \
             objection (GDPR articles 15 to 21). Send your request to {contact}. You get an answer within one \
             month. If your request is complex, or we get many, it can take two months longer. We then tell you so \
             within that first month, with the reason. You can also download this conversation, or have it erased, \
             in the chat itself."
        )
    }];
    let consent = settings.privacy.lawful_basis.uses(LawfulBasis::Consent);
    paragraphs.push(match (nl, consent) {
        (true, true) => "Waar wij uw toestemming vragen, kunt u die altijd intrekken.".into(),
        (false, true) => "Where we ask for your consent, you can withdraw it at any time.".into(),
        (true, false) => "Deze chat verwerkt geen gegevens op basis van toestemming.".into(),
        (false, false) => "This chat processes no data on the basis of consent.".into(),
    });
    context.section("rights", ("Uw rechten", "Your rights"), paragraphs)
}

/// Where to complain: a person, the Autoriteit Persoonsgegevens, ACM ConsuWijzer (GOV-10).
fn complaints(context: Context<'_>) -> NoticeSection {
    let Context { nl, email, .. } = context;
    let mut paragraphs = vec![if nl {
        format!(
            "Klachten over de chat of een antwoord behandelt een mens, geen AI: kies 'Praat met een medewerker' of \
             mail {email}."
        )
    } else {
        format!(
            "Complaints about the chat or an answer are handled by a person, not by AI: choose 'Talk to a person' or \
             e-mail {email}."
        )
    }];
    paragraphs.push(if nl {
        format!(
            "Over de verwerking van uw persoonsgegevens kunt u een klacht indienen bij de Autoriteit \
             Persoonsgegevens: {AP_URL}."
        )
    } else {
        format!(
            "About the processing of your personal data you can lodge a complaint with the Dutch Data Protection \
             Authority (Autoriteit Persoonsgegevens): {AP_URL}."
        )
    });
    paragraphs.push(if nl {
        format!(
            "Voor informatie over uw rechten als consument en om een probleem te melden kunt u terecht bij ACM \
             ConsuWijzer: {CONSUWIJZER_URL}."
        )
    } else {
        format!(
            "For information on your rights as a consumer, and to report a problem, you can turn to ACM ConsuWijzer, \
             the consumer desk of the Netherlands Authority for Consumers and Markets: {CONSUWIJZER_URL}."
        )
    });
    context.section("complaints", ("Klachten", "Complaints"), paragraphs)
}

/// How accessible the chat is and the alternatives (EAA Annex V, GOV-08).
fn accessibility(context: Context<'_>) -> NoticeSection {
    let Context { nl, email, phone, .. } = context;
    let mut paragraphs = vec![context.pick(
        "De chat is gebouwd volgens WCAG 2.2 niveau AA en wordt bij elke wijziging automatisch getest in een echte \
         browser. Hij is volledig met het toetsenbord te bedienen, werkt met schermlezers (nieuwe berichten worden \
         voorgelezen, alle knoppen hebben een naam), past zich aan vergroting tot 400% en smalle schermen aan, en de \
         kleuren worden bij het starten getoetst op contrast.",
        "The chat is built to WCAG 2.2 level AA and is tested automatically in a real browser at every change. It \
         can be used with the keyboard alone, works with screen readers (new messages are announced, every button \
         has a name), adapts to 400% zoom and narrow screens, and its colours are checked for contrast at startup.",
    )];
    paragraphs.push(context.pick(
        "U kunt het gesprek als tekstbestand downloaden. U krijgt geen tijdslimiet om te typen.",
        "You can download the conversation as a text file. There is no time limit for typing.",
    ));
    let alternatives: Vec<String> = [
        (!phone.is_empty()).then(|| {
            if nl {
                format!("telefoon {phone}")
            } else {
                format!("phone {phone}")
            }
        }),
        // "e-mail" in both languages.
        (!email.is_empty()).then(|| format!("e-mail {email}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !alternatives.is_empty() {
        paragraphs.push(if nl {
            format!(
                "Werkt de chat niet goed voor u? Dezelfde hulp krijgt u via {}. Meld het ons ook, dan lossen we het op.",
                join(&alternatives, "of")
            )
        } else {
            format!(
                "Does the chat not work well for you? You get the same help through {}. Please tell us too, so we can \
                 fix it.",
                join(&alternatives, "or")
            )
        });
    }
    context.section("accessibility", ("Toegankelijkheid", "Accessibility"), paragraphs)
}

/// "a, b en c" / "a, b or c".
fn join<S: std::borrow::Borrow<str>>(items: &[S], last: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.borrow().to_owned(),
        [init @ .., tail] => format!("{} {last} {}", init.join(", "), tail.borrow()),
    }
}
/// A lawful basis in plain words with its article.
fn basis_text(basis: LawfulBasis, locale: Locale) -> String {
    let words = match (basis, locale) {
        (LawfulBasis::Consent, Locale::Nl) => "uw toestemming",
        (LawfulBasis::Consent, Locale::En) => "your consent",
        (LawfulBasis::Contract, Locale::Nl) => "nodig voor uw verzoek of een overeenkomst met u",
        (LawfulBasis::Contract, Locale::En) => "needed for your request or a contract with you",
        (LawfulBasis::LegalObligation, Locale::Nl) => "een wettelijke plicht",
        (LawfulBasis::LegalObligation, Locale::En) => "a legal obligation",
        (LawfulBasis::VitalInterests, Locale::Nl) => "een vitaal belang",
        (LawfulBasis::VitalInterests, Locale::En) => "vital interests",
        (LawfulBasis::PublicTask, Locale::Nl) => "een taak van algemeen belang",
        (LawfulBasis::PublicTask, Locale::En) => "a task in the public interest",
        (LawfulBasis::LegitimateInterests, Locale::Nl) => {
            "ons gerechtvaardigd belang bij een veilige, controleerbare dienst"
        }
        (LawfulBasis::LegitimateInterests, Locale::En) => "our legitimate interest in a secure, accountable service",
    };
    match locale {
        Locale::Nl => format!("{words}, artikel {} AVG", basis.article()),
        Locale::En => format!("{words}, article {} GDPR", basis.article()),
    }
}

/// Who receives the data, and any transfer outside the EEA (art. 13(1)(e)-(f)).
fn recipients(config: &ValidConfig, locale: Locale) -> String {
    let nl = locale == Locale::Nl;
    let generation = &config.config.generation;
    let staff = if nl {
        "Ontvangers: medewerkers van het bedrijf die u helpen."
    } else {
        "Recipients: the company's staff who help you."
    };
    let own_transfers = match (&config.config.privacy.transfers_outside_eea, nl) {
        (None, true) => "Het bedrijf geeft uw gegevens niet door buiten de Europese Economische Ruimte.".to_owned(),
        (None, false) => "The company does not transfer your data outside the European Economic Area.".to_owned(),
        (Some(transfers), true) => format!("Doorgifte buiten de Europese Economische Ruimte: {}", transfers.trim()),
        (Some(transfers), false) => format!("Transfers outside the European Economic Area: {}", transfers.trim()),
    };
    let external = generation.external_provider();
    if !external {
        return if nl {
            format!(
                "{staff} Er worden geen gegevens aan een AI-leverancier gegeven en uw gesprekken worden niet gebruikt om \
                 AI te trainen. {own_transfers}"
            )
        } else {
            format!(
                "{staff} No data is given to an AI vendor, and your conversations are not used to train AI. \
                 {own_transfers}"
            )
        };
    }
    let mechanism = generation.transfer_mechanism.as_deref().unwrap_or("eea");
    let transfer = match (mechanism, nl) {
        ("eea", true) => "binnen de Europese Economische Ruimte".to_owned(),
        ("eea", false) => "within the European Economic Area".to_owned(),
        ("adequacy", true) => format!(
            "in {} (een land met een adequaatheidsbesluit van de Europese Commissie)",
            generation.region
        ),
        ("adequacy", false) => format!(
            "in {} (a country with an adequacy decision of the European Commission)",
            generation.region
        ),
        ("dpf", true) => format!("in {} (onder het EU-VS Data Privacy Framework)", generation.region),
        ("dpf", false) => format!("in {} (under the EU-US Data Privacy Framework)", generation.region),
        (_, true) => format!(
            "in {} (op basis van modelcontractbepalingen van de Europese Commissie)",
            generation.region
        ),
        (_, false) => format!(
            "in {} (under the European Commission's standard contractual clauses)",
            generation.region
        ),
    };
    if nl {
        format!(
            "{staff} Om antwoorden te formuleren gaat de tekst van uw vraag, met persoonsgegevens vervangen door codes, \
             naar {} als verwerker, {transfer}. Die bewaart niets langer dan nodig ({}) en traint niet op uw gesprekken. \
             {own_transfers}",
            generation.processor, generation.retention
        )
    } else {
        format!(
            "{staff} To phrase answers, the text of your question, with personal data replaced by codes, goes to {} as \
             processor, {transfer}. It keeps nothing longer than needed ({}) and does not train on your conversations. \
             {own_transfers}",
            generation.processor, generation.retention
        )
    }
}

impl ChatNotice {
    /// The notice as Markdown, for terms and conditions and other documents.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for section in &self.sections {
            out.push_str(&format!("\n## {}\n", section.heading));
            for paragraph in &section.paragraphs {
                out.push_str(&format!("\n{paragraph}\n"));
            }
        }
        out
    }

    /// The notice as a complete, accessible HTML page: a language, a title, one `h1`, an `h2`
    /// per section, and `https://` addresses as links.
    pub fn to_html(&self) -> String {
        let lang = self.lang.as_str();
        let mut out = format!(
            "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
             <style>body{{font:1rem/1.6 system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;color:#1f2937;\
             background:#fff}}a{{color:#1d4ed8}}h1{{font-size:1.6rem}}h2{{font-size:1.2rem;margin-top:2rem}}</style>\n\
             </head>\n<body>\n<main>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        for section in &self.sections {
            out.push_str(&format!(
                "<section id=\"{}\" aria-labelledby=\"{}-heading\">\n<h2 id=\"{}-heading\">{}</h2>\n",
                section.id,
                section.id,
                section.id,
                escape(&section.heading)
            ));
            for paragraph in &section.paragraphs {
                out.push_str(&format!("<p>{}</p>\n", linked(paragraph)));
            }
            out.push_str("</section>\n");
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes `text` and turns each `https://` address (up to the next space, without trailing
/// punctuation) into a link.
fn linked(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (index, word) in text.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        match word.strip_prefix("https://") {
            Some(rest) if !rest.is_empty() => {
                let address = word.trim_end_matches(['.', ',', ';', ')']);
                let tail = &word[address.len()..];
                let shown = address.trim_start_matches("https://");
                out.push_str(&format!(
                    "<a href=\"{}\">{}</a>{}",
                    escape(address),
                    escape(shown),
                    escape(tail)
                ));
            }
            _ => out.push_str(&escape(word)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_core::advice::AdviceTopic;
    use loket_core::config::Config;

    fn notice(adjust: impl FnOnce(&mut Config), locale: Locale) -> ChatNotice {
        let mut config = Config::default();
        adjust(&mut config);
        chat_notice(&config.validate().expect("valid configuration"), locale)
    }

    fn text_of(notice: &ChatNotice, id: &str) -> String {
        notice
            .sections
            .iter()
            .find(|section| section.id == id)
            .map(|section| section.paragraphs.join(" "))
            .unwrap_or_else(|| panic!("no section {id}"))
    }

    /// GDPR art. 13(2)(a), RET-03: configured statutory grounds are told with their periods and
    /// why, in both languages; without them the notice says nothing about longer periods.
    #[test]
    fn statutory_retention_periods_are_in_the_notice() {
        for (locale, expected) in [
            (Locale::Nl, "1827 dagen (Wwft art. 33"),
            (Locale::En, "1827 days (Wwft art. 33"),
        ] {
            let tagged = notice(
                |config| {
                    config.retention.statutory = vec![loket_core::config::StatutoryGround {
                        ground: "wwft".into(),
                        days: 1827,
                        justification: "Wwft art. 33: customer due diligence records, five years.".into(),
                    }];
                },
                locale,
            );
            let data = text_of(&tagged, "data");
            assert!(data.contains(expected), "{data}");
            assert!(
                !data.contains("years.)"),
                "the justification's full stop is dropped: {data}"
            );
            let plain = text_of(&notice(|_| {}, locale), "data");
            assert!(
                !plain.contains("wettelijke plicht") && !plain.contains("legal obligation"),
                "{plain}"
            );
        }
    }

    #[test]
    fn every_art_13_field_is_in_the_notice_in_both_languages_priv_02() {
        for locale in [Locale::Nl, Locale::En] {
            let notice = notice(
                |config| {
                    config.privacy.dpo_contact = Some("fg@despaak.example".into());
                    config.retention.transcripts.days = 45;
                },
                locale,
            );
            let data = text_of(&notice, "data");
            let rights = text_of(&notice, "rights");
            let limits = text_of(&notice, "limits");
            let complaints = text_of(&notice, "complaints");
            // (1)(a) controller and contact, (1)(b) DPO.
            assert!(
                data.contains("Fietsenwinkel De Spaak") && data.contains("privacy@despaak.example"),
                "{data}"
            );
            assert!(data.contains("fg@despaak.example"), "{data}");
            // (1)(c) purposes with their bases; (1)(d) legitimate interest named.
            assert!(data.contains("6(1)(b)") && data.contains("6(1)(f)"), "{data}");
            // (1)(e) recipients, (1)(f) transfers.
            assert!(data.contains("Europe"), "{data}");
            // (2)(a) retention from the configuration.
            assert!(data.contains("45"), "{data}");
            // (2)(b) rights, (2)(c) consent, (2)(d) complaint to the AP.
            assert!(rights.contains("15") && rights.contains("21"), "{rights}");
            assert!(rights.contains(match locale {
                Locale::Nl => "toestemming",
                Locale::En => "consent",
            }));
            assert!(complaints.contains("Autoriteit Persoonsgegevens") && complaints.contains(AP_URL));
            // (2)(e) whether data must be given, (2)(f) automated decisions.
            assert!(data.contains(match locale {
                Locale::Nl => "U hoeft geen persoonsgegevens te geven",
                Locale::En => "You need not give any personal data",
            }));
            assert!(limits.contains("22"), "{limits}");
        }
    }

    #[test]
    fn complaints_go_to_people_and_name_the_ap_and_acm_consuwijzer_gov_10() {
        for locale in [Locale::Nl, Locale::En] {
            let complaints = text_of(&notice(|_| {}, locale), "complaints");
            assert!(complaints.contains("klantenservice@despaak.example"), "{complaints}");
            assert!(
                complaints.contains("ConsuWijzer") && complaints.contains(CONSUWIJZER_URL),
                "{complaints}"
            );
            assert!(complaints.contains(AP_URL), "{complaints}");
        }
        let dutch = text_of(&notice(|_| {}, Locale::Nl), "complaints");
        assert!(dutch.contains("behandelt een mens, geen AI"), "{dutch}");
    }

    #[test]
    fn the_rights_say_the_answer_comes_within_a_month_and_how_an_extension_is_told_priv_07() {
        for (locale, month, extension) in [
            (
                Locale::Nl,
                "binnen een maand",
                "binnen die eerste maand weten, met de reden",
            ),
            (
                Locale::En,
                "within one month",
                "within that first month, with the reason",
            ),
        ] {
            let rights = text_of(&notice(|_| {}, locale), "rights");
            assert!(rights.contains(month) && rights.contains(extension), "{rights}");
        }
    }

    #[test]
    fn the_accessibility_information_names_alternatives_gov_08() {
        let notice = notice(|_| {}, Locale::Nl);
        let accessibility = text_of(&notice, "accessibility");
        assert!(accessibility.contains("WCAG 2.2"), "{accessibility}");
        assert!(accessibility.contains("020-123 4567") && accessibility.contains("klantenservice@despaak.example"));
        let html = notice.to_html();
        assert!(html.starts_with("<!doctype html>\n<html lang=\"nl\">"));
        assert_eq!(html.matches("<h1>").count(), 1);
        assert_eq!(html.matches("<h2 ").count(), notice.sections.len());
        assert!(
            html.contains(
                "<a href=\"https://www.autoriteitpersoonsgegevens.nl\">www.autoriteitpersoonsgegevens.nl</a>."
            )
        );
        let markdown = notice.to_markdown();
        assert!(markdown.starts_with("# Over deze chat van Fietsenwinkel De Spaak\n"));
        assert!(markdown.contains("\n## Toegankelijkheid\n"));
    }

    #[test]
    fn young_people_get_a_first_section_in_plain_words_only_when_children_are_likely_priv_15() {
        let usual = notice(|_| {}, Locale::Nl);
        assert_eq!(usual.sections[0].id, "assistant");
        for locale in [Locale::Nl, Locale::En] {
            let notice = notice(|config| config.privacy.minors_likely = true, locale);
            assert_eq!(notice.sections[0].id, "young-people");
            assert_eq!(notice.sections.len(), usual.sections.len() + 1);
            let text = notice.sections[0].paragraphs.join(" ");
            let score = loket_core::readability::reading_ease(&text, locale).expect("words");
            assert!(score >= 70.0, "{locale}: reading ease {score:.1}: {text}");
        }
    }

    #[test]
    fn the_notice_follows_the_configuration() {
        // A municipality: public task, a DPO; an external model in the US under the DPF.
        let english = notice(
            |config| {
                config.company.name = "Gemeente Voorbeeld".into();
                config.privacy.lawful_basis.answering = LawfulBasis::PublicTask;
                config.privacy.lawful_basis.handover = LawfulBasis::Consent;
                config.generation.provider = ModelProvider::Openai;
                config.generation.base_url = Some("https://llm.example/v1".into());
                config.generation.model = "m".into();
                config.generation.processor = "Model Vendor Inc.".into();
                config.generation.region = "United States".into();
                config.generation.retention = "none".into();
                config.generation.dpa_reference = Some("DPA-2026-7".into());
                config.generation.transfer_mechanism = Some("dpf".into());
                config.answer.licensed_advice = vec![AdviceTopic::Tax];
            },
            Locale::En,
        );
        let data = text_of(&english, "data");
        assert!(
            data.contains("Gemeente Voorbeeld") && data.contains("6(1)(e)"),
            "{data}"
        );
        assert!(
            data.contains("Model Vendor Inc.") && data.contains("Data Privacy Framework"),
            "{data}"
        );
        assert!(text_of(&english, "rights").contains("withdraw it at any time"));
        assert!(text_of(&english, "assistant").contains("language model"));
        let limits = text_of(&english, "limits");
        assert!(!limits.contains("tax") && limits.contains("medication"), "{limits}");
        // Text from settings is escaped in HTML.
        let html = notice(|config| config.company.name = "De <Spaak> & Zn".into(), Locale::Nl).to_html();
        assert!(html.contains("De &lt;Spaak&gt; &amp; Zn") && !html.contains("<Spaak>"));
    }
}
