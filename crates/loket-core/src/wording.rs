//! Customer-facing system texts in Dutch and English (REQUIREMENTS §2.1), and the rules that
//! custom wording must follow.
//!
//! The texts are fixed wording, not generated: they are what the regulator reads. Custom
//! disclosure text is accepted only when it still says that the customer talks to an AI and not
//! to a person (DIS-03); bot names must not look like a person (DIS-07).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::advice::AdviceTopic;
use crate::availability::{ClosedReason, NextOpen};
use crate::config::Config;
use crate::locale::Locale;
use crate::readability::reading_ease;
use crate::rights::{RequestedRight, Right};

/// Terms of which at least one must appear in a disclosure: it is an AI.
const AI_TERMS: &[&str] = &[
    "ai",
    "chatbot",
    "digitale assistent",
    "computer",
    "computerprogramma",
    "bot",
];
/// Terms of which at least one must appear in a disclosure, per locale: it is not a person.
const NOT_A_PERSON_TERMS_NL: &[&str] = &["geen medewerker", "geen mens", "geen persoon"];
const NOT_A_PERSON_TERMS_EN: &[&str] = &[
    "not a person",
    "not a human",
    "not an employee",
    "not a member of staff",
];
/// Phrases of which one must appear in a disclosure, per locale: answers can be wrong (DIS-11).
const FALLIBLE_TERMS_NL: &[&str] = &[
    "onjuist",
    "fout",
    "fouten",
    "niet altijd juist",
    "niet altijd klopt",
    "niet altijd kloppen",
    "kan zich vergissen",
    "vergissen",
];
const FALLIBLE_TERMS_EN: &[&str] = &[
    "mistake",
    "mistakes",
    "wrong",
    "incorrect",
    "inaccurate",
    "not always right",
    "not always correct",
    "errors",
];
/// Words of which one must appear in a disclosure, per locale: how to reach a person (DIS-11).
const REACH_A_PERSON_TERMS_NL: &[&str] = &["medewerker", "mens", "persoon"];
const REACH_A_PERSON_TERMS_EN: &[&str] = &["person", "human", "agent", "member of staff", "employee"];

/// Words of which one must appear in a bot's display name.
const BOT_NAME_TERMS: &[&str] = &["ai", "bot", "chatbot", "digitale assistent"];

/// A problem with the configured wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordingError {
    /// The disclosure text lacks a required term.
    #[error("the {locale} disclosure must say it is an AI (one of: {ai}) and not a person (one of: {human})")]
    Disclosure {
        /// The locale whose text is wrong.
        locale: Locale,
        /// The AI terms.
        ai: String,
        /// The not-a-person terms.
        human: String,
    },
    /// The disclosure does not say that answers can be wrong, or how to reach a person.
    #[error(
        "the {locale} disclosure must also say that answers can be wrong (one of: {fallible}) and how to reach a person (DIS-11)"
    )]
    DisclosureIncomplete {
        /// The locale whose text is incomplete.
        locale: Locale,
        /// The accepted phrases for "answers can be wrong".
        fallible: String,
    },
    /// The bot name looks like a person.
    #[error("the {locale} bot name `{name}` must contain AI, bot, chatbot or digitale assistent (DIS-07)")]
    BotName {
        /// The locale.
        locale: Locale,
        /// The refused name.
        name: String,
    },
    /// A configured disclosure reads harder than `bot.min_reading_ease` (DIS-11).
    #[error(
        "the {locale} disclosure reads too hard: reading ease {score}, below bot.min_reading_ease {minimum}; use shorter sentences and words"
    )]
    HardToRead {
        /// The locale.
        locale: Locale,
        /// Its reading ease (Flesch-Douma for Dutch, Flesch for English), rounded.
        score: i32,
        /// The configured minimum, rounded.
        minimum: i32,
    },
    /// A placeholder other than `{company}` in a custom text.
    #[error("the {locale} disclosure uses an unknown placeholder; only {{company}} is allowed")]
    Placeholder {
        /// The locale.
        locale: Locale,
    },
}

/// The validated texts for every supported locale.
#[derive(Debug, Clone, PartialEq)]
pub struct Wording {
    company: String,
    bot_names: BTreeMap<Locale, String>,
    disclosures: BTreeMap<Locale, String>,
    disclosure_version: String,
    phone: String,
    phone_hours: BTreeMap<Locale, String>,
    email: String,
    email_response: BTreeMap<Locale, String>,
    privacy_url: String,
    dpo_contact: Option<String>,
}

impl Wording {
    /// Builds and validates the wording from the configuration; reports every problem.
    pub fn new(config: &Config) -> Result<Self, Vec<WordingError>> {
        let mut errors = Vec::new();
        let company = config.company.name.trim().to_string();
        let mut bot_names = BTreeMap::new();
        let mut disclosures = BTreeMap::new();
        for locale in Locale::ALL {
            let name = config
                .bot
                .display_name
                .get(&locale)
                .cloned()
                .unwrap_or_else(|| default_bot_name(locale).to_string());
            if !contains_any_word(&name, BOT_NAME_TERMS) {
                errors.push(WordingError::BotName {
                    locale,
                    name: name.clone(),
                });
            }
            bot_names.insert(locale, name);

            let template = config
                .bot
                .disclosure
                .get(&locale)
                .cloned()
                .unwrap_or_else(|| default_disclosure(locale).to_string());
            let text = template.replace("{company}", &company);
            if text.contains('{') || text.contains('}') {
                errors.push(WordingError::Placeholder { locale });
            }
            if let Err(problem) =
                check_disclosure(locale, &text).and_then(|()| check_disclosure_complete(locale, &text))
            {
                errors.push(problem);
            }
            // Only a configured text is gated here; the built-in texts are measured by a test.
            if config.bot.disclosure.contains_key(&locale)
                && let Some(score) = reading_ease(&text, locale)
                && score < config.bot.min_reading_ease
            {
                errors.push(WordingError::HardToRead {
                    locale,
                    score: score.round() as i32,
                    minimum: config.bot.min_reading_ease.round() as i32,
                });
            }
            disclosures.insert(locale, text);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            company,
            bot_names,
            disclosures,
            disclosure_version: config.bot.disclosure_version.clone(),
            phone: config.contact.phone.clone(),
            phone_hours: config.contact.phone_hours.clone(),
            email: config.contact.email.clone(),
            email_response: config.contact.email_response.clone(),
            privacy_url: config.contact.privacy_url.clone(),
            dpo_contact: config.privacy.dpo_contact.clone(),
        })
    }

    /// The disclosure shown as the first message (DIS-01).
    pub fn disclosure(&self, locale: Locale) -> &str {
        self.disclosures
            .get(&locale)
            .map(String::as_str)
            .unwrap_or(default_disclosure(locale))
    }

    /// Version label of the disclosure wording.
    pub fn disclosure_version(&self) -> &str {
        &self.disclosure_version
    }

    /// The company name.
    pub fn company(&self) -> &str {
        &self.company
    }

    /// The bot's display name, which is also the sender label of AI messages.
    pub fn bot_name(&self, locale: Locale) -> &str {
        self.bot_names
            .get(&locale)
            .map(String::as_str)
            .unwrap_or(default_bot_name(locale))
    }

    /// Sender label of system messages.
    pub fn system_label(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Nl => "Systeembericht",
            Locale::En => "System message",
        }
    }

    /// Sender label of the customer's own messages.
    pub fn customer_label(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Nl => "U",
            Locale::En => "You",
        }
    }

    /// Sender label of an agent: their name and that they are an employee (DIS-09).
    pub fn agent_label(&self, locale: Locale, agent_name: &str) -> String {
        match locale {
            Locale::Nl => format!("{agent_name}, medewerker"),
            Locale::En => format!("{agent_name}, employee"),
        }
    }

    /// The truthful answer to "are you a person?" (DIS-06).
    pub fn identity_answer(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "Nee, ik ben een AI-assistent, een computerprogramma, geen medewerker. Wilt u een \
                           medewerker spreken? Dat kan via 'Praat met een medewerker'."
                .into(),
            Locale::En => "No, I'm an AI assistant, a computer program, not a person. Would you like to talk \
                           to a person? Use 'Talk to a person'."
                .into(),
        }
    }

    /// The bot is not sure and says so (ACC-01), offering a person.
    pub fn abstention(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "Dat kan ik niet betrouwbaar beantwoorden met de informatie die ik heb. Een \
                           medewerker kan u verder helpen: kies 'Praat met een medewerker'."
                .into(),
            Locale::En => "I can't answer that reliably from the information I have. A person can help you: \
                           choose 'Talk to a person'."
                .into(),
        }
    }

    /// The bot offers a person on its own after repeated trouble (HUM-06).
    pub fn offer_person(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "Het lukt mij niet goed om u te helpen. Zal ik u doorverbinden met een medewerker? \
                           Kies 'Praat met een medewerker' of typ 'medewerker'."
                .into(),
            Locale::En => "I'm not managing to help you. Shall I connect you to a person? Choose 'Talk to a \
                           person' or type 'agent'."
                .into(),
        }
    }

    /// Handover requested and a person will come (HUM-02, HUM-03).
    pub fn handoff_requested(&self, locale: Locale, position: u32, wait_minutes: Option<u32>) -> String {
        let wait = match (locale, wait_minutes) {
            (Locale::Nl, Some(minutes)) => format!(" De verwachte wachttijd is ongeveer {minutes} minuten."),
            (Locale::En, Some(minutes)) => format!(" The expected wait is about {minutes} minutes."),
            (_, None) => String::new(),
        };
        match locale {
            Locale::Nl => format!(
                "U wordt doorverbonden met een medewerker (een mens). De medewerker kan het gesprek tot nu toe \
                 lezen, u hoeft niets te herhalen. U bent nummer {position} in de wachtrij.{wait}"
            ),
            Locale::En => format!(
                "Connecting you to a person. They can see the conversation so far, so you don't need to repeat \
                 anything. You are number {position} in the queue.{wait}"
            ),
        }
    }

    /// The customer writes while waiting: still in the queue.
    pub fn still_waiting(&self, locale: Locale, position: u32) -> String {
        match locale {
            Locale::Nl => format!(
                "U staat in de wachtrij voor een medewerker (nummer {position}). Uw bericht is bewaard; de \
                 medewerker ziet het."
            ),
            Locale::En => format!(
                "You are in the queue for a person (number {position}). Your message has been saved; they will \
                 see it."
            ),
        }
    }

    /// An agent joins (HUM-11).
    pub fn agent_joined(&self, locale: Locale, agent_name: &str) -> String {
        match locale {
            Locale::Nl => format!("U chat nu met {agent_name}, medewerker van {}.", self.company),
            Locale::En => format!("You are now chatting with {agent_name}, a {} employee.", self.company),
        }
    }

    /// The customer asks for a person while already talking to one.
    pub fn already_with_agent(&self, locale: Locale, agent_name: &str) -> String {
        match locale {
            Locale::Nl => format!("U chat al met {agent_name}, medewerker (een mens)."),
            Locale::En => format!("You are already chatting with {agent_name}, a person."),
        }
    }

    /// Back to the bot after an agent (HUM-11); the disclosure follows (DIS-05).
    pub fn back_to_bot(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "U chat weer met de AI-assistent (geen medewerker).".into(),
            Locale::En => "You are chatting with the AI assistant again (not a person).".into(),
        }
    }

    /// The agent left; the customer is back in the queue.
    pub fn agent_left(&self, locale: Locale, position: u32) -> String {
        match locale {
            Locale::Nl => format!(
                "De medewerker is niet meer verbonden. U staat weer in de wachtrij (nummer {position}); het \
                 gesprek blijft bewaard."
            ),
            Locale::En => format!(
                "The person you were chatting with is no longer connected. You are back in the queue (number \
                 {position}); the conversation is kept."
            ),
        }
    }

    /// Nobody can take over: why, when people are back and the alternatives (HUM-04), and that
    /// nobody who speaks the customer's language is online when that is the reason (HUM-08).
    pub fn unavailable(&self, locale: Locale, next_open: Option<NextOpen>, reason: ClosedReason) -> String {
        let phone_hours = self.phone_hours.get(&locale).map(String::as_str).unwrap_or("");
        let email_response = self.email_response.get(&locale).map(String::as_str).unwrap_or("");
        let mut text = String::new();
        match locale {
            Locale::Nl => {
                text.push_str(match reason {
                    ClosedReason::WaitTimedOut => "Het duurt langer dan verwacht voordat een medewerker vrij is. ",
                    ClosedReason::NoAgentInLanguage => "Er is nu geen medewerker bereikbaar die Nederlands spreekt. ",
                    ClosedReason::OutsideHours | ClosedReason::NoAgentOnline => {
                        "Onze medewerkers zijn nu niet bereikbaar. "
                    }
                });
                if let Some(next) = next_open {
                    text.push_str(&format!(
                        "Zij zijn er weer op {} {} vanaf {}. ",
                        dutch_weekday(next.at.date()),
                        next.at.format("%-d-%-m"),
                        next.at.format("%H:%M")
                    ));
                }
                if !self.phone.is_empty() {
                    text.push_str(&format!("U kunt bellen naar {} ({phone_hours}). ", self.phone));
                }
                if !self.email.is_empty() {
                    text.push_str(&format!(
                        "U kunt mailen naar {}; u krijgt binnen {email_response} antwoord. ",
                        self.email
                    ));
                }
                text.push_str("Of laat uw gegevens achter, dan nemen wij contact met u op.");
            }
            Locale::En => {
                text.push_str(match reason {
                    ClosedReason::WaitTimedOut => "It is taking longer than expected for someone to become available. ",
                    ClosedReason::NoAgentInLanguage => "Nobody who speaks English is available right now. ",
                    ClosedReason::OutsideHours | ClosedReason::NoAgentOnline => {
                        "Our staff are not available right now. "
                    }
                });
                if let Some(next) = next_open {
                    text.push_str(&format!(
                        "They're back on {} {} from {}. ",
                        next.at.format("%A"),
                        next.at.format("%-d %B"),
                        next.at.format("%H:%M")
                    ));
                }
                if !self.phone.is_empty() {
                    text.push_str(&format!("You can call {} ({phone_hours}). ", self.phone));
                }
                if !self.email.is_empty() {
                    text.push_str(&format!(
                        "You can e-mail {}; we reply within {email_response}. ",
                        self.email
                    ));
                }
                text.push_str("Or leave your details and we will contact you.");
            }
        }
        text
    }

    /// A callback or e-mail request was registered.
    pub fn ticket_created(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "Uw verzoek is ontvangen. Een medewerker neemt contact met u op.".into(),
            Locale::En => "Your request has been received. A person will contact you.".into(),
        }
    }

    /// Just-in-time privacy warning (PRIV-11, §2.1).
    pub fn privacy_warning(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => format!(
                "Deel in deze chat liever geen medische gegevens, BSN of pasfoto's. Wij bewaren zulke gegevens zo \
                 kort mogelijk. Lees hoe wij met uw gegevens omgaan: {}. Wilt u dit liever met een medewerker \
                 bespreken? Kies 'Praat met een medewerker'.",
                self.privacy_url
            ),
            Locale::En => format!(
                "Please don't share medical details, national ID numbers or ID photos in this chat. We keep such \
                 data as briefly as possible. How we handle your data: {}. Would you rather discuss this with a \
                 person? Choose 'Talk to a person'.",
                self.privacy_url
            ),
        }
    }

    /// Neutral reply to a message flagged as an attack (SEC-01): no detail, a person offered.
    pub fn refusal(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "Daar kan ik u niet mee helpen. Heeft u een vraag over uw bestelling of onze service? \
                           Een medewerker helpt u ook graag: kies 'Praat met een medewerker'."
                .into(),
            Locale::En => "I can't help with that. Do you have a question about your order or our service? A \
                           person is happy to help too: choose 'Talk to a person'."
                .into(),
        }
    }

    /// Every text a customer can read from the assistant or the system in `locale`, with a
    /// stable name, each template filled with typical values: what the reading-ease gate and
    /// the compliance report measure (DIS-11).
    pub fn customer_texts(&self, locale: Locale) -> Vec<(&'static str, String)> {
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|date| date.and_hms_opt(9, 0, 0))
            .unwrap_or_default();
        let mut texts = vec![
            ("disclosure", self.disclosure(locale).to_owned()),
            ("identity_answer", self.identity_answer(locale)),
            ("abstention", self.abstention(locale)),
            ("offer_person", self.offer_person(locale)),
            ("handoff_requested", self.handoff_requested(locale, 2, Some(5))),
            ("still_waiting", self.still_waiting(locale, 2)),
            ("agent_joined", self.agent_joined(locale, "Sanne")),
            ("back_to_bot", self.back_to_bot(locale)),
            ("agent_left", self.agent_left(locale, 1)),
            (
                "unavailable",
                self.unavailable(locale, Some(NextOpen { at: monday }), ClosedReason::OutsideHours),
            ),
            (
                "unavailable_in_language",
                self.unavailable(locale, None, ClosedReason::NoAgentInLanguage),
            ),
            ("ticket_created", self.ticket_created(locale)),
            ("privacy_warning", self.privacy_warning(locale)),
            ("refusal", self.refusal(locale)),
            ("crisis", self.crisis(locale, true)),
            ("withdrawal_receipt", self.withdrawal_receipt(locale, monday, false)),
            (
                "rights_request",
                self.rights_request(locale, RequestedRight::Named(Right::Erasure), true),
            ),
            ("closed", self.closed(locale)),
        ];
        texts.extend(
            AdviceTopic::ALL
                .iter()
                .map(|topic| ("advice_declined", self.advice_declined(locale, *topic))),
        );
        texts
    }

    /// A request for personal advice on `topic` that the company does not give through the chat
    /// (ACC-10): declined, general information still offered, a person offered in the same
    /// message. Medical requests also name the GP and 112.
    pub fn advice_declined(&self, locale: Locale, topic: AdviceTopic) -> String {
        let subject = topic.subject(locale);
        let company = &self.company;
        match (locale, topic) {
            (Locale::Nl, AdviceTopic::Medical) => format!(
                "Ik ben een AI-assistent. Persoonlijk advies over {subject} geef ik niet. Vraag uw huisarts of \
                 apotheek om advies. Bij spoed belt u 112. Een medewerker van {company} helpt u graag met andere \
                 vragen: kies 'Praat met een medewerker'."
            ),
            (Locale::En, AdviceTopic::Medical) => format!(
                "I'm an AI assistant. I don't give personal advice on {subject}. Please ask your GP or pharmacist. \
                 In an emergency, call 112. A person at {company} is happy to help with other questions: choose \
                 'Talk to a person'."
            ),
            (Locale::Nl, _) => format!(
                "Ik ben een AI-assistent. Persoonlijk advies over {subject} geef ik niet. Daarvoor is iemand nodig \
                 die uw situatie kent. Algemene informatie over onze producten en voorwaarden geef ik wel. Wilt u met \
                 een medewerker van {company} praten? Kies 'Praat met een medewerker'."
            ),
            (Locale::En, _) => format!(
                "I'm an AI assistant. I don't give personal advice on {subject}. That needs someone who knows your \
                 situation. I can give general information about our products and terms. Would you like to talk to \
                 a person at {company}? Choose 'Talk to a person'."
            ),
        }
    }

    /// Expressed crisis or vulnerability (HUM-07): help numbers first, then a person.
    /// `connecting` says a person is being asked for now; when nobody can take over, or one
    /// already has, the text promises no connection (HUM-04: never suggest a person who is not
    /// coming) and the next message gives the other ways to reach one.
    pub fn crisis(&self, locale: Locale, connecting: bool) -> String {
        let help = match locale {
            Locale::Nl => {
                "Wat vervelend dat het zo met u gaat. Praat erover: bel 113 Zelfmoordpreventie via \
                           0800-0113 (gratis, dag en nacht) of bij direct gevaar 112."
            }
            Locale::En => {
                "I'm sorry you're going through this. Please talk to someone: in the Netherlands call \
                           113 Suicide Prevention on 0800-0113 (free, day and night), or 112 in an emergency."
            }
        };
        if !connecting {
            return help.into();
        }
        match locale {
            Locale::Nl => format!("{help} Ik verbind u ook door met een medewerker."),
            Locale::En => format!("{help} I'm also connecting you to a person."),
        }
    }

    /// The acknowledgement of a withdrawal or cancellation statement received at the local
    /// time `at` (ACC-04). `with_person` says a person already holds the conversation.
    pub fn withdrawal_receipt(&self, locale: Locale, at: NaiveDateTime, with_person: bool) -> String {
        match locale {
            Locale::Nl => format!(
                "Ontvangstbevestiging: {} heeft uw verklaring ontvangen op {} {} om {}. Daarmee herroept of \
                 annuleert u uw bestelling of overeenkomst; u hoeft niets meer te bevestigen. Met de knop hieronder \
                 downloadt u deze bevestiging om te bewaren. {} Bedoelde u dit niet? Zeg het de medewerker.",
                self.company,
                dutch_weekday(at.date()),
                at.format("%-d-%-m-%Y"),
                at.format("%H:%M"),
                if with_person {
                    "De medewerker in dit gesprek handelt het verder af, zoals het terugsturen en terugbetalen."
                } else {
                    "Voor de afhandeling, zoals het terugsturen en terugbetalen, brengen wij u in contact met een \
                     medewerker."
                }
            ),
            Locale::En => format!(
                "Acknowledgement of receipt: {} received your statement on {} at {}. With it you withdraw from or \
                 cancel your order or contract; you do not need to confirm anything else. Use the button below to \
                 download this acknowledgement and keep it. {} Did you not mean this? Tell the member of staff.",
                self.company,
                at.format("%A %-d %B %Y"),
                at.format("%H:%M"),
                if with_person {
                    "The member of staff in this chat will handle the next steps, such as returning the item and the \
                     refund."
                } else {
                    "For the next steps, such as returning the item and the refund, we are putting you in touch \
                     with a member of staff."
                }
            ),
        }
    }

    /// A data subject's request typed in the chat (HUM-07, PRIV-07): a person handles it, not the
    /// AI assistant; the law's month; what the customer can do at once in the widget; and the
    /// data protection officer when the company has one. `connecting` when the customer is now
    /// put in the queue for a person; the wording never promises one who is not coming.
    pub fn rights_request(&self, locale: Locale, requested: RequestedRight, connecting: bool) -> String {
        let mut text = match (locale, requested) {
            (Locale::Nl, RequestedRight::Named(right)) => {
                format!(
                    "Uw verzoek om {} behandelt een medewerker, niet de AI-assistent.",
                    right.description(locale)
                )
            }
            (Locale::Nl, RequestedRight::Unnamed) => {
                "Uw verzoek over uw persoonsgegevens behandelt een medewerker, niet de AI-assistent.".to_owned()
            }
            (Locale::En, RequestedRight::Named(right)) => format!(
                "Your request for {} is handled by a member of staff, not by the AI assistant.",
                right.description(locale)
            ),
            (Locale::En, RequestedRight::Unnamed) => {
                "Your request about your personal data is handled by a member of staff, not by the AI assistant."
                    .to_owned()
            }
        };
        match locale {
            Locale::Nl => {
                text.push_str(&format!(
                    " De AVG geeft {} een maand om te antwoorden. Dit gesprek kunt u nu al zelf bewaren of wissen met \
                     de knoppen 'Download gesprek' en 'Gesprek wissen'.",
                    self.company
                ));
                if connecting {
                    text.push_str(" Wij brengen u in contact met een medewerker.");
                }
                if let Some(dpo) = &self.dpo_contact {
                    text.push_str(&format!(
                        " U kunt ook schrijven aan onze functionaris gegevensbescherming: {dpo}."
                    ));
                }
            }
            Locale::En => {
                text.push_str(&format!(
                    " The GDPR gives {} one month to answer. You can already keep or delete this conversation \
                     yourself with the buttons 'Download transcript' and 'Delete conversation'.",
                    self.company
                ));
                if connecting {
                    text.push_str(" We are putting you in touch with a member of staff.");
                }
                if let Some(dpo) = &self.dpo_contact {
                    text.push_str(&format!(" You can also write to our data protection officer: {dpo}."));
                }
            }
        }
        text
    }

    /// The conversation was closed.
    pub fn closed(&self, locale: Locale) -> String {
        match locale {
            Locale::Nl => "Het gesprek is gesloten. U kunt altijd een nieuw bericht sturen.".into(),
            Locale::En => "The conversation has been closed. You can always send a new message.".into(),
        }
    }
}

/// Checks that a disclosure says it is an AI and not a person (DIS-03).
pub fn check_disclosure(locale: Locale, text: &str) -> Result<(), WordingError> {
    let human_terms = match locale {
        Locale::Nl => NOT_A_PERSON_TERMS_NL,
        Locale::En => NOT_A_PERSON_TERMS_EN,
    };
    let lowered = text.to_lowercase();
    if contains_any_word(text, AI_TERMS) && human_terms.iter().any(|term| lowered.contains(term)) {
        Ok(())
    } else {
        Err(WordingError::Disclosure {
            locale,
            ai: AI_TERMS.join(", "),
            human: human_terms.join(", "),
        })
    }
}

/// Checks that a disclosure also says its answers can be wrong and names a person to reach
/// (DIS-11); [`check_disclosure`] checks the AI and not-a-person terms.
pub fn check_disclosure_complete(locale: Locale, text: &str) -> Result<(), WordingError> {
    let (fallible, person) = match locale {
        Locale::Nl => (FALLIBLE_TERMS_NL, REACH_A_PERSON_TERMS_NL),
        Locale::En => (FALLIBLE_TERMS_EN, REACH_A_PERSON_TERMS_EN),
    };
    // "geen medewerker" names what the assistant is not; a person to reach needs one more mention.
    let lowered = text.to_lowercase();
    let mentions = |term: &str| lowered.matches(term).count();
    let not_a_person = match locale {
        Locale::Nl => NOT_A_PERSON_TERMS_NL,
        Locale::En => NOT_A_PERSON_TERMS_EN,
    };
    let person_mentions: usize = person.iter().map(|term| mentions(term)).sum();
    let denials: usize = not_a_person.iter().map(|term| mentions(term)).sum();
    if contains_any_word(text, fallible) && person_mentions > denials {
        Ok(())
    } else {
        Err(WordingError::DisclosureIncomplete {
            locale,
            fallible: fallible.join(", "),
        })
    }
}

/// The recommended disclosure of REQUIREMENTS §2.1 (formal register), with `{company}`.
pub fn default_disclosure(locale: Locale) -> &'static str {
    match locale {
        Locale::Nl => {
            "U chat met de AI-assistent van {company}: een computerprogramma, geen medewerker. \
                       Antwoorden kunnen onjuist zijn. Wilt u een medewerker spreken? Kies 'Praat met een \
                       medewerker' of typ 'medewerker'."
        }
        Locale::En => {
            "You are chatting with {company}'s AI assistant. This is a computer program, not a person. \
                       My answers can contain mistakes. Want to talk to a person? Choose 'Talk to a person' or \
                       type 'agent'."
        }
    }
}

fn default_bot_name(locale: Locale) -> &'static str {
    match locale {
        Locale::Nl => "AI-assistent",
        Locale::En => "AI assistant",
    }
}

fn dutch_weekday(date: chrono::NaiveDate) -> &'static str {
    use chrono::{Datelike, Weekday};
    match date.weekday() {
        Weekday::Mon => "maandag",
        Weekday::Tue => "dinsdag",
        Weekday::Wed => "woensdag",
        Weekday::Thu => "donderdag",
        Weekday::Fri => "vrijdag",
        Weekday::Sat => "zaterdag",
        Weekday::Sun => "zondag",
    }
}

/// True when `text` contains one of `terms` as a whole word or phrase (case-insensitive; a
/// hyphen counts as a word boundary, so "AI-assistent" contains "ai" but "Kai" does not).
fn contains_any_word(text: &str, terms: &[&str]) -> bool {
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered.split(|character: char| !character.is_alphanumeric()).collect();
    terms.iter().any(|term| {
        let term_words: Vec<&str> = term.split(' ').collect();
        words
            .windows(term_words.len())
            .any(|window| window == term_words.as_slice())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(locale: Locale, text: &str, accepted: bool) {
        assert_eq!(check_disclosure(locale, text).is_ok(), accepted, "{locale}: {text}");
    }

    #[test]
    fn disclosure_needs_an_ai_term_and_a_not_a_person_term_dis_03() {
        check(Locale::Nl, default_disclosure(Locale::Nl), true);
        check(Locale::En, default_disclosure(Locale::En), true);
        check(Locale::Nl, "Je chat met onze chatbot, geen medewerker.", true);
        check(Locale::Nl, "Deze chat wordt ondersteund door AI.", false);
        check(Locale::Nl, "Je praat met Lisa, geen medewerker.", false);
        check(Locale::En, "You're chatting with our virtual agent.", false);
        check(Locale::En, "You're chatting with an AI, not a person.", true);
        check(
            Locale::En,
            "You're chatting with an AI assistant, geen medewerker.",
            false,
        );
    }

    #[test]
    fn a_configured_disclosure_must_say_answers_can_be_wrong_and_how_to_reach_a_person_dis_11() {
        let complete = |locale: Locale, text: &str| check_disclosure_complete(locale, text).is_ok();
        for locale in Locale::ALL {
            assert!(complete(locale, default_disclosure(locale)), "{locale}");
        }
        assert!(!complete(Locale::Nl, "U chat met onze chatbot, geen medewerker."));
        assert!(!complete(
            Locale::Nl,
            "U chat met onze chatbot, geen medewerker. Antwoorden kunnen onjuist zijn."
        ));
        assert!(!complete(
            Locale::Nl,
            "U chat met onze chatbot, geen medewerker. Typ 'medewerker' voor een mens."
        ));
        assert!(complete(
            Locale::Nl,
            "Je chat met onze chatbot, geen medewerker. Ik kan fouten maken; typ 'medewerker' voor een mens."
        ));
        assert!(!complete(
            Locale::En,
            "You are chatting with an AI, not a person. Type 'agent' for help."
        ));
        assert!(complete(
            Locale::En,
            "You are chatting with an AI, not a person. It can be wrong; type 'agent' to reach a person."
        ));
        let mut config = Config::default();
        config.bot.disclosure.insert(
            Locale::Nl,
            "U chat met de chatbot van {company}, geen medewerker.".into(),
        );
        let problems = Wording::new(&config).unwrap_err();
        assert!(
            matches!(
                problems.as_slice(),
                [WordingError::DisclosureIncomplete { locale: Locale::Nl, .. }]
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn bot_names_must_say_they_are_a_bot_dis_07() {
        for (name, accepted) in [
            ("AI-assistent", true),
            ("Spaakbot", false),
            ("Spaak bot", true),
            ("Lisa", false),
            ("Kai", false),
            ("Lisa (AI)", true),
            ("Digitale assistent", true),
        ] {
            assert_eq!(contains_any_word(name, BOT_NAME_TERMS), accepted, "{name}");
        }
    }

    #[test]
    fn company_placeholder_is_filled_and_unknown_placeholders_refused() {
        let mut config = Config::default();
        config.company.name = "Bakkerij Test".into();
        let wording = Wording::new(&config).unwrap();
        assert!(wording.disclosure(Locale::Nl).contains("Bakkerij Test"));
        config
            .bot
            .disclosure
            .insert(Locale::En, "An AI, not a person, from {shop}.".into());
        assert!(
            matches!(Wording::new(&config), Err(errors) if errors.contains(&WordingError::Placeholder { locale: Locale::En }))
        );
    }

    #[test]
    fn identity_answer_says_ai_and_not_a_person_in_both_languages_dis_06() {
        let wording = Wording::new(&Config::default()).unwrap();
        for locale in Locale::ALL {
            assert!(
                check_disclosure(locale, &wording.identity_answer(locale)).is_ok(),
                "{locale}"
            );
        }
    }

    #[test]
    fn unavailable_names_the_next_opening_and_the_alternatives_hum_04() {
        let wording = Wording::new(&Config::default()).unwrap();
        let next = NextOpen {
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        };
        let text = wording.unavailable(Locale::Nl, Some(next), ClosedReason::OutsideHours);
        assert!(text.contains("maandag 30-11 vanaf 09:00"), "{text}");
        assert!(
            text.contains("020-123 4567") && text.contains("klantenservice@despaak.example"),
            "{text}"
        );
        let text = wording.unavailable(Locale::En, Some(next), ClosedReason::OutsideHours);
        assert!(text.contains("Monday 30 November from 09:00"), "{text}");
    }

    #[test]
    fn unavailable_in_the_customers_language_says_so_and_still_gives_the_alternatives_hum_08() {
        let wording = Wording::new(&Config::default()).unwrap();
        let text = wording.unavailable(Locale::Nl, None, ClosedReason::NoAgentInLanguage);
        assert!(
            text.starts_with("Er is nu geen medewerker bereikbaar die Nederlands spreekt."),
            "{text}"
        );
        assert!(
            text.contains("020-123 4567") && text.contains("laat uw gegevens achter"),
            "{text}"
        );
        let text = wording.unavailable(Locale::En, None, ClosedReason::NoAgentInLanguage);
        assert!(
            text.starts_with("Nobody who speaks English is available right now."),
            "{text}"
        );
        assert!(text.contains("klantenservice@despaak.example"), "{text}");
    }

    #[test]
    fn every_built_in_customer_text_reads_at_least_as_easily_as_the_default_minimum_dis_11() {
        let wording = Config::default().validate().expect("valid").wording;
        for locale in Locale::ALL {
            let texts = wording.customer_texts(locale);
            assert!(texts.len() >= 20, "{} texts", texts.len());
            for (name, text) in texts {
                let score = reading_ease(&text, locale).expect("words");
                assert!(
                    score >= crate::config::DEFAULT_MIN_READING_EASE,
                    "{locale} {name}: {score:.1}: {text}"
                );
            }
        }
    }

    #[test]
    fn a_configured_disclosure_that_reads_too_hard_is_refused_dis_11() {
        let mut config = Config::default();
        config.bot.disclosure.insert(
            Locale::Nl,
            "Overeenkomstig de toepasselijke regelgeving inzake kunstmatige intelligentie informeren wij u dat deze \
             conversatie geautomatiseerd door de AI-assistent van {company}, geen medewerker, wordt afgehandeld, \
             waarbij antwoorden onjuist kunnen zijn en u zich desgewenst tot een medewerker kunt wenden."
                .into(),
        );
        let errors = Wording::new(&config).expect_err("refused");
        assert!(
            errors
                .iter()
                .any(|error| matches!(error, WordingError::HardToRead { locale: Locale::Nl, .. })),
            "{errors:?}"
        );
        config.bot.min_reading_ease = 0.0;
        let accepted = Wording::new(&config);
        assert!(accepted.is_ok(), "{accepted:?}");
    }
}
