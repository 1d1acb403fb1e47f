//! Person names in Dutch and English text.
//!
//! A capitalised word alone is not a name ("Bakker" is a surname and a trade, "Roos" a first
//! name and a flower), so a chain of capitalised words is reported only with evidence:
//! a title before it (dhr., mevr., Mr, Dr), a phrase that introduces a name ("mijn naam is",
//! "ik heet", "my name is", a closing "Met vriendelijke groet,"), initials ("J.P. de Vries"),
//! or a known first name followed by another capitalised word. A single known common first
//! name is reported on its own. Dutch tussenvoegsels ("van der", "de", "van den") may join
//! the words of a chain. Weaker evidence counts together: a rarer first name or a surname-shaped
//! word (a listed surname, a typical ending such as "-sen" or "-ová", non-ASCII letters) next to
//! a verb that takes a person ("said", "woont"), a possessive, a line of its own, or a list in
//! which another name was recognised ("Eklund, Michael and Hodge"). Words that make a chain a
//! place or an organisation ("Ziekenhuis", "Orchestra", "Rua") veto it.
//!
//! The name lists are compact subsets derived by `data/names/derive.py` (Dutch) or written by
//! hand (English); see that script for their origin and licence.

use std::collections::HashSet;

use super::context::{after, before};
use super::identifiers::candidate;
use super::{Candidate, EntityKind, Input};

const NL_FIRST_COMMON: &str = include_str!("../../data/names/nl-first-common.txt");
const NL_FIRST: &str = include_str!("../../data/names/nl-first.txt");
const NL_LAST: &str = include_str!("../../data/names/nl-last.txt");
const EN_FIRST: &str = include_str!("../../data/names/en-first.txt");
const EN_LAST: &str = include_str!("../../data/names/en-last.txt");

fn is_title(lower: &str) -> bool {
    matches!(
        lower,
        "dhr"
            | "dhr."
            | "mevr"
            | "mevr."
            | "mw"
            | "mw."
            | "mr"
            | "mr."
            | "mrs"
            | "mrs."
            | "ms"
            | "ms."
            | "miss"
            | "dr"
            | "dr."
            | "drs"
            | "drs."
            | "prof"
            | "prof."
            | "ir"
            | "ir."
            | "ing"
            | "ing."
            | "meneer"
            | "mevrouw"
            | "heer"
            | "juffrouw"
            | "sir"
            | "madam"
            | "mx"
            | "mx."
            | "mister"
            | "doctor"
            | "dokter"
            | "mijnheer"
            | "mejuffrouw"
    )
}

fn is_tussenvoegsel(word: &str) -> bool {
    matches!(
        word,
        "van"
            | "de"
            | "der"
            | "den"
            | "het"
            | "ter"
            | "ten"
            | "te"
            | "'t"
            | "in"
            | "op"
            | "von"
            | "da"
            | "di"
            | "du"
            | "le"
            | "la"
            | "del"
            | "dos"
            | "das"
            | "bin"
            | "al"
            | "el"
            | "vd"
            | "v.d."
    )
}

/// Phrases after which the next capitalised words are a name whatever they are.
const STRONG_TRIGGERS: &[&str] = &[
    "mijn naam is",
    "ik heet",
    "heet ik",
    "my name is",
    "name is",
    "naam is",
    "name:",
    "naam:",
    "called",
    "genaamd",
    "named",
    "groet,",
    "groeten,",
    "groetjes,",
    "regards,",
    "mvg,",
    "gr,",
    "spreekt met",
    "u spreekt met",
    "op naam van",
    "ten name van",
    "t.n.v.",
    "tnv",
    "under the name",
    "in the name of",
    "directed by:",
    "name?",
    "naam?",
    "name on the account is",
];

/// Phrases that often, not always, precede a name; the first word must then be a known name
/// or the chain must have two capitalised words.
const WEAK_TRIGGERS: &[&str] = &[
    "this is",
    "i'm",
    "i am",
    "ik ben",
    "hi",
    "hallo",
    "hoi",
    "hey",
    "dear",
    "beste",
    "geachte",
    "met",
    "thanks,",
    "cheers,",
    "bedankt,",
    "dank,",
    "by",
    "with",
    "contact",
    "ask",
    "vraag",
    "collega",
    "colleague",
    "partner",
    "wife",
    "husband",
    "vrouw",
    "man",
    "son",
    "daughter",
    "zoon",
    "dochter",
    "kid",
    "child",
    "kind",
    "add",
    "toevoegen",
    "under",
    "to",
    "from",
    "van",
    "and",
    "en",
];

/// Capitalised words that start sentences or label fields; they never begin or join a name.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "i",
    "it",
    "he",
    "she",
    "we",
    "they",
    "you",
    "my",
    "our",
    "your",
    "his",
    "her",
    "their",
    "this",
    "that",
    "these",
    "those",
    "what",
    "who",
    "why",
    "how",
    "when",
    "where",
    "which",
    "can",
    "could",
    "would",
    "should",
    "will",
    "shall",
    "may",
    "might",
    "must",
    "please",
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "thank",
    "yes",
    "no",
    "not",
    "and",
    "but",
    "or",
    "if",
    "in",
    "on",
    "at",
    "for",
    "from",
    "to",
    "with",
    "is",
    "are",
    "was",
    "were",
    "be",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "so",
    "as",
    "all",
    "any",
    "some",
    "de",
    "het",
    "een",
    "ik",
    "je",
    "jij",
    "u",
    "wij",
    "ze",
    "zij",
    "hij",
    "mijn",
    "uw",
    "jouw",
    "ons",
    "onze",
    "dit",
    "dat",
    "deze",
    "die",
    "wat",
    "wie",
    "waarom",
    "hoe",
    "wanneer",
    "waar",
    "welke",
    "kan",
    "kunt",
    "kun",
    "kunnen",
    "wil",
    "wilt",
    "willen",
    "mag",
    "moet",
    "moeten",
    "graag",
    "hallo",
    "hoi",
    "beste",
    "geachte",
    "bedankt",
    "dank",
    "ja",
    "nee",
    "en",
    "maar",
    "of",
    "als",
    "op",
    "bij",
    "voor",
    "van",
    "naar",
    "met",
    "zijn",
    "ben",
    "bent",
    "heb",
    "hebt",
    "heeft",
    "hebben",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "groeten",
    "groet",
    "name",
    "naam",
    "phone",
    "address",
    "adres",
    "email",
    "e-mail",
    "mail",
    "mobile",
    "desk",
    "fax",
    "date",
    "datum",
    "bot",
    "user",
    "ok",
    "okay",
    "oke",
    "sorry",
    "also",
    "unlike",
    "sometimes",
    "maybe",
    "follow",
    "billing",
    "personal",
    "info",
    "website",
    "office",
    "suite",
    "apt",
    "street",
    "road",
    "avenue",
    "lane",
    "drive",
    "unit",
    "box",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januari",
    "februari",
    "maart",
    "mei",
    "juni",
    "juli",
    "augustus",
    "oktober",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "okt",
    "nov",
    "dec",
    "kamer",
    "koophandel",
    "god",
    "bank",
    "card",
    "account",
    "iban",
    "bsn",
    "kvk",
    "pin",
    "visa",
    "mastercard",
    "amex",
    "paypal",
    "ideal",
    "nederland",
    "netherlands",
    "amsterdam",
    "rotterdam",
    "utrecht",
    "holland",
    "english",
    "dutch",
    "engels",
    "nederlands",
    "dear",
    "customer",
    "klant",
    "team",
    "support",
    "service",
    "klantenservice",
    "helpdesk",
    "medewerker",
    "agent",
    "human",
    "mens",
];

/// Words that are names and also common words ("Roos" is a flower, "Bakker" a trade). They
/// may be part of a name after a title or trigger phrase, or next to a known first name, but
/// never count as evidence themselves.
const AMBIGUOUS: &[&str] = &[
    "rose", "hope", "grace", "joy", "faith", "summer", "dawn", "art", "guy", "rich", "bill", "mark", "roos", "fleur",
    "iris", "jade", "ruby", "amber", "lily", "daisy", "holly", "ivy", "angel", "storm", "sky", "river", "page",
    "chase", "lente", "sterre", "noor", "bas", "post", "bos", "kok", "dag", "lief", "lieve", "kim",
];

/// Words that make a capitalised chain a place or an organisation ("Hall Orchestra", "Rua
/// Diadema", "Miller Ltd"), or are ordinary capitalised words and nationalities.
const PLACE_OR_ORGANISATION_WORDS: &[&str] = &[
    "orchestra",
    "ltd",
    "inc",
    "llc",
    "bv",
    "nv",
    "gmbh",
    "club",
    "park",
    "village",
    "street",
    "st",
    "bypass",
    "flat",
    "loop",
    "forges",
    "union",
    "extensions",
    "investments",
    "group",
    "bank",
    "company",
    "corporation",
    "foundation",
    "stichting",
    "university",
    "universiteit",
    "college",
    "school",
    "hotel",
    "restaurant",
    "museum",
    "rua",
    "via",
    "rue",
    "calle",
    "avenida",
    "avenue",
    "road",
    "lane",
    "square",
    "plaza",
    "zealand",
    "kingdom",
    "states",
    "republic",
    "island",
    "islands",
    "city",
    "county",
    "north",
    "south",
    "east",
    "west",
    "new",
    "great",
    "here",
    "there",
    "hate",
    "love",
    "baby",
    "wisdom",
    "discipline",
    "court",
    "france",
    "germany",
    "german",
    "french",
    "spain",
    "spanish",
    "italy",
    "italian",
    "poland",
    "polish",
    "belgium",
    "belgian",
    "miami",
    "london",
    "paris",
    "berlin",
    "europe",
    "european",
    "america",
    "american",
    "canada",
    "british",
    "brussel",
    "brussels",
    "antwerpen",
    "gent",
    "orange",
    "united",
    "royal",
    "princess",
    "prince",
    "king",
    "queen",
    "lord",
    "saint",
    "sint",
    "carry",
    "me",
    "back",
    "weekly",
    "tales",
    "stripes",
    "karma",
    "capital",
    "global",
    "solutions",
    "partners",
    "haag",
    "bosch",
    "eindhoven",
    "groningen",
    "tilburg",
    "almere",
    "breda",
    "nijmegen",
    "apeldoorn",
    "haarlem",
    "arnhem",
    "zwolle",
    "leiden",
    "maastricht",
    "delft",
    "alkmaar",
    "venlo",
    "leeuwarden",
    "assen",
    "zeist",
    "gouda",
    "enschede",
    "dordrecht",
    "amersfoort",
    "china",
    "india",
    "japan",
    "africa",
    "asia",
    "turkey",
    "mexico",
    "brazil",
    "hill",
    "top",
    "one",
    "use",
    "apple",
    "google",
    "amazon",
    "atm",
    "ziekenhuis",
    "kinderziekenhuis",
    "huisartsen",
    "huisartsenpraktijk",
    "kliniek",
    "apotheek",
    "praktijk",
    "ziekte",
    "zorg",
    "gemeente",
    "belastingdienst",
    "wouden",
    "haven",
    "services",
    "systems",
    "technologies",
    "media",
    "health",
    "insurance",
];

/// Verbs that take a person as subject; a capitalised chain right before one is likely a name.
const HUMAN_VERBS_AFTER: &[&str] = &[
    " said",
    " says",
    " told",
    " asked",
    " shouted",
    " lives",
    " lived",
    " wrote",
    " explained",
    " called",
    " will be talking",
    " is from",
    " spent",
    " had given",
    " zei",
    " zegt",
    " vroeg",
    " woont",
    " belde",
    " schreef",
    " heeft gebeld",
];

/// Endings typical of surnames in the languages customers of Dutch companies write in.
const SURNAME_ENDINGS: &[&str] = &[
    "son", "sen", "ová", "ova", "ov", "ev", "eva", "ski", "ska", "sky", "vich", "vić", "ić", "dóttir", "dottir", "ez",
    "ini", "elli", "etti", "escu", "ian", "yan", "enko", "uk", "ak", "berg", "mann", "stein", "ström", "strom",
    "quist", "qvist", "holm", "lund", "gaard", "aert", "ink", "huis", "sma", "stra", "ema", "inga",
];

/// Compiled tokenizer and name lists.
pub(super) struct Persons {
    common_first: HashSet<&'static str>,
    first: HashSet<&'static str>,
    last: HashSet<&'static str>,
    english_first: HashSet<&'static str>,
    english_last: HashSet<&'static str>,
    not_names: HashSet<String>,
    places: HashSet<String>,
    ambiguous: HashSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Title,
    Initial,
    Capitalised,
    Tussenvoegsel,
    /// Two or three capitals ("ABC", "JP").
    Capitals,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    shape: Shape,
}

impl Persons {
    pub(super) fn new() -> Persons {
        let lines = |list: &'static str| -> HashSet<&'static str> {
            list.lines().map(str::trim).filter(|line| !line.is_empty()).collect()
        };
        Persons {
            common_first: lines(NL_FIRST_COMMON),
            first: lines(NL_FIRST),
            last: lines(NL_LAST),
            english_first: lines(EN_FIRST),
            english_last: lines(EN_LAST),
            not_names: with_capitalised(NOT_NAMES),
            ambiguous: with_capitalised(AMBIGUOUS),
            places: with_capitalised(PLACE_OR_ORGANISATION_WORDS),
        }
    }

    pub(super) fn find(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let tokens: Vec<Token<'_>> = words(input.text)
            .into_iter()
            .map(|(start, end)| {
                let text = &input.text[start..end];
                Token {
                    text,
                    start,
                    end,
                    shape: self.shape(text),
                }
            })
            .collect();
        // (start byte, end byte, score if accepted) of every chain, in text order.
        let mut chains: Vec<(usize, usize, Option<f32>, bool)> = Vec::new();
        let mut index = 0;
        while index < tokens.len() {
            let chain_end = self.chain_end(input.text, &tokens, index);
            if chain_end > index {
                let verdict = self.judge(input, &tokens, index, chain_end).map(|(_, _, score)| score);
                let coordinable = chain_end - index <= 2
                    && tokens[index..chain_end]
                        .iter()
                        .all(|t| t.shape == Shape::Capitalised && !self.is_place(t.text))
                    && tokens[index..chain_end]
                        .iter()
                        .any(|t| self.is_first_name(t.text, input) || self.is_surname_shaped(t.text, input));
                chains.push((tokens[index].start, tokens[chain_end - 1].end, verdict, coordinable));
                // A rejected chain opened by a tussenvoegsel ("van Jan") is judged again from
                // its next word, where "van" is a context word instead.
                index = if verdict.is_none() && tokens[index].shape == Shape::Tussenvoegsel {
                    index + 1
                } else {
                    chain_end
                };
            } else {
                index += 1;
            }
        }
        // Coordination: in "Eklund, Michael and Hodge" one recognised name vouches for the
        // capitalised words listed with it.
        // One pass forward and one backward reach every member of a list in linear time.
        let joined = |left: usize, right: usize| {
            matches!(
                input.text.get(chains[left].1..chains[right].0),
                Some(", " | " and " | " en " | " & " | ", and " | " or " | " of ")
            )
        };
        let mut vouched: Vec<bool> = chains.iter().map(|chain| chain.2.is_some()).collect();
        for position in 1..chains.len() {
            if !vouched[position] && chains[position].3 && vouched[position - 1] && joined(position - 1, position) {
                vouched[position] = true;
            }
        }
        for position in (0..chains.len().saturating_sub(1)).rev() {
            if !vouched[position] && chains[position].3 && vouched[position + 1] && joined(position, position + 1) {
                vouched[position] = true;
            }
        }
        for (chain, vouched) in chains.iter_mut().zip(vouched) {
            if vouched && chain.2.is_none() {
                chain.2 = Some(0.6);
            }
        }
        for (start, end, verdict, _) in chains {
            if let Some(score) = verdict {
                found.push(candidate(EntityKind::Person, start, end, score));
            }
        }
    }

    /// Classifies one token by its form and the lists.
    fn shape(&self, text: &str) -> Shape {
        // Lowercase tokens are cheap to classify without allocating: titles written in
        // lowercase ("dhr", "mevrouw") and tussenvoegsels match exactly.
        if text.starts_with(|c: char| c.is_lowercase()) || text == "'t" {
            if is_title(text) {
                return Shape::Title;
            }
            if is_tussenvoegsel(text) {
                return Shape::Tussenvoegsel;
            }
            return Shape::Other;
        }
        if is_title_in_any_case(text) {
            return Shape::Title;
        }
        let mut characters = text.chars();
        let Some(first) = characters.next() else {
            return Shape::Other;
        };
        if !first.is_uppercase() {
            return Shape::Other;
        }
        let rest = characters.as_str().trim_end_matches('.');
        if rest.is_empty() {
            return Shape::Initial;
        }
        if rest.chars().count() <= 2 && rest.chars().all(char::is_uppercase) {
            // "ABC" reads as initials after a title only ("dr ABC"); elsewhere it is an
            // abbreviation or the letters of a postcode ("7071 JP").
            return Shape::Capitals;
        }
        if listed_in_any_case(&self.not_names, text) {
            return Shape::Other;
        }
        if rest.chars().any(char::is_lowercase) {
            Shape::Capitalised
        } else {
            Shape::Other
        }
    }

    /// The exclusive index after the name chain that starts at `start`, or `start` when no
    /// chain starts there. A chain holds initials, capitalised words and tussenvoegsels,
    /// separated by single spaces (initials may touch: "J.P."), and ends in a capitalised word.
    fn chain_end(&self, text: &str, tokens: &[Token<'_>], start: usize) -> usize {
        let opening = tokens[start].shape;
        let after_title = start > 0 && tokens[start - 1].shape == Shape::Title;
        let opens = matches!(opening, Shape::Initial | Shape::Capitalised | Shape::Tussenvoegsel)
            || (opening == Shape::Capitals && after_title);
        if !opens {
            return start;
        }
        let mut last_name_word = None;
        let mut index = start;
        while index < tokens.len() && index - start < 6 {
            let token = tokens[index];
            if index > start {
                let gap = text.get(tokens[index - 1].end..token.start).unwrap_or("\n");
                let joined = gap == " " || (gap.is_empty() && tokens[index - 1].shape == Shape::Initial);
                if !joined {
                    break;
                }
            }
            match token.shape {
                Shape::Capitalised => last_name_word = Some(index),
                // "dr. A", "dr ABC": after a title, initials alone are a name.
                Shape::Initial if after_title => last_name_word = Some(index),
                Shape::Capitals if after_title => last_name_word = Some(index),
                Shape::Initial | Shape::Tussenvoegsel => {}
                Shape::Capitals | Shape::Title | Shape::Other => break,
            }
            index += 1;
        }
        last_name_word.map_or(start, |last| last + 1)
    }

    /// Decides whether `tokens[start..end]` is a name; returns the span to report (first and
    /// last token index, inclusive) and a score.
    fn judge(&self, input: &Input<'_>, tokens: &[Token<'_>], start: usize, end: usize) -> Option<(usize, usize, f32)> {
        let chain = &tokens[start..end];
        let capitalised: Vec<&Token<'_>> = chain.iter().filter(|t| t.shape == Shape::Capitalised).collect();
        let after_title = start > 0 && tokens[start - 1].shape == Shape::Title;
        if capitalised.is_empty() && after_title {
            return Some((start, end - 1, 0.85));
        }
        let first_word = capitalised.first()?;
        let last_word = capitalised.last()?;
        if capitalised.iter().any(|t| self.is_place(t.text)) {
            return None;
        }
        let lead = before(input, chain[0].start, 32).trim_end();
        let trail = after(input, chain[chain.len() - 1].end, 24);
        let strong = STRONG_TRIGGERS.iter().any(|trigger| ends_with_word(lead, trigger));
        let weak = WEAK_TRIGGERS.iter().any(|trigger| ends_with_word(lead, trigger));
        let human_verb_after = HUMAN_VERBS_AFTER.iter().any(|verb| trail.starts_with(verb));
        let known_first = self.is_first_name(first_word.text, input);
        let known_common_first = self.is_common_first_name(first_word.text, input);
        let surname_like = capitalised.len() >= 2 && self.is_surname_shaped(last_word.text, input);
        let middle_initial = chain.len() >= 3
            && chain[0].shape == Shape::Capitalised
            && chain[1..chain.len() - 1].iter().any(|t| t.shape == Shape::Initial);
        let alone_on_line = line_start(lead) && line_end(trail);
        let has_tussenvoegsel = chain.iter().any(|t| t.shape == Shape::Tussenvoegsel);
        let score = if after_title || strong {
            0.9
        } else if chain[0].shape == Shape::Tussenvoegsel {
            // "van der Sluis" without a first name: only with a surname from the list, since
            // "van de Belastingdienst" has the same shape.
            if self.is_last_name(last_word.text, input) {
                0.75
            } else {
                return None;
            }
        } else if chain[0].shape == Shape::Initial
            && (has_tussenvoegsel || self.is_surname_shaped(last_word.text, input))
        {
            0.85
        } else if after_number(lead) {
            // "15 Jan 2024", "3 Mark Street": a word after a number is rarely a name.
            return None;
        } else if middle_initial || (capitalised.len() >= 2 && (known_common_first || (known_first && surname_like))) {
            0.85
        } else if (known_first || surname_like)
            && (weak || human_verb_after || possessive(trail) || (alone_on_line && capitalised.len() >= 2))
        {
            0.8
        } else if capitalised.len() == 1 && known_common_first {
            0.7
        } else if capitalised.len() == 1
            && known_first
            && (!self.is_sentence_start(input, chain[0].start) || trail.starts_with(", ") || trail.starts_with(':'))
        {
            // A rarer first name in mid-sentence ("Why is Katrine so impulsive?"), or opening
            // a line as a vocative or a speaker label ("Leif, can I ...", "Ubul: ...").
            0.6
        } else if capitalised.len() >= 2
            && surname_like
            && !self.is_sentence_start(input, chain[0].start)
            && self.is_last_name(last_word.text, input)
        {
            0.75
        } else {
            return None;
        };
        Some((start, end - 1, score))
    }

    /// A surname from the lists, or a word with a surname ending or letters from outside
    /// ASCII ("Szöllösy", "Guðmundsdóttir"), which common English and Dutch words rarely have.
    fn is_surname_shaped(&self, word: &str, input: &Input<'_>) -> bool {
        if self.is_ambiguous(word) {
            return false;
        }
        let lower = word.to_lowercase();
        self.is_last_name(word, input)
            || !word.is_ascii()
            || (lower.len() >= 5 && SURNAME_ENDINGS.iter().any(|ending| lower.ends_with(ending)))
    }

    fn is_common_first_name(&self, word: &str, input: &Input<'_>) -> bool {
        if word.contains('-') {
            return word.split('-').all(|part| self.is_common_first_name(part, input));
        }
        !self.is_ambiguous(word)
            && ((input.lang.dutch() && self.common_first.contains(word))
                || (input.lang.english() && self.english_first.contains(word)))
    }

    fn is_first_name(&self, word: &str, input: &Input<'_>) -> bool {
        if word.contains('-') {
            return word.split('-').all(|part| self.is_first_name(part, input));
        }
        self.is_common_first_name(word, input) || (!self.is_ambiguous(word) && self.first.contains(word))
    }

    fn is_last_name(&self, word: &str, input: &Input<'_>) -> bool {
        if self.is_ambiguous(word) {
            return false;
        }
        self.last.contains(word) || (input.lang.english() && self.english_last.contains(word))
    }

    fn is_ambiguous(&self, word: &str) -> bool {
        listed_in_any_case(&self.ambiguous, word)
    }

    fn is_place(&self, word: &str) -> bool {
        listed_in_any_case(&self.places, word)
    }

    /// True when the token at `start` begins a sentence, where capitalisation says nothing.
    fn is_sentence_start(&self, input: &Input<'_>, start: usize) -> bool {
        let lead = before(input, start, 4).trim_end_matches(' ');
        lead.is_empty() || lead.ends_with(['.', '!', '?', '\n', ':', '"'])
    }
}

/// Byte ranges of the words of `text`: runs of letters joined by single hyphens ("Jan-Willem"),
/// an uppercase letter with its period ("J."), and the tussenvoegsel "'t". Written by hand
/// because this runs over every word of every message.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut characters = text.char_indices().peekable();
    while let Some((start, character)) = characters.next() {
        if character == '\'' {
            let rest = &text[start..];
            let after_t = rest.get(2..).and_then(|tail| tail.chars().next());
            if rest.starts_with("'t") && after_t.is_none_or(|next| !next.is_alphabetic()) {
                characters.next();
                ranges.push((start, start + 2));
            }
            continue;
        }
        if !character.is_alphabetic() {
            continue;
        }
        let mut end = start + character.len_utf8();
        if character.is_uppercase() && characters.peek().is_some_and(|&(_, next)| next == '.') {
            characters.next();
            ranges.push((start, end + 1));
            continue;
        }
        while let Some(&(position, next)) = characters.peek() {
            if next.is_alphabetic() {
                end = position + next.len_utf8();
                characters.next();
            } else if next == '-'
                && text
                    .get(position + 1..)
                    .and_then(|tail| tail.chars().next())
                    .is_some_and(char::is_alphabetic)
            {
                characters.next();
            } else {
                break;
            }
        }
        ranges.push((start, end));
    }
    ranges
}

/// Looks `word` up in a set of lowercase words, allocating only when the word is not already
/// lowercase or capitalised-ASCII (the sets hold both forms, see [`with_capitalised`]).
fn listed_in_any_case(set: &HashSet<String>, word: &str) -> bool {
    if set.contains(word) {
        return true;
    }
    // Only words in an unusual case (all capitals, non-ASCII) need a lowercase copy.
    let typical = word.is_ascii() && word.chars().skip(1).all(|c| c.is_ascii_lowercase());
    !typical && set.contains(&word.to_lowercase())
}

/// [`is_title`] for a token in any case ("Dhr", "MEVR"), without allocating.
fn is_title_in_any_case(word: &str) -> bool {
    const LONGEST_TITLE: usize = 10;
    if word.len() > LONGEST_TITLE || !word.is_ascii() {
        return false;
    }
    let mut buffer = [0u8; LONGEST_TITLE];
    for (slot, byte) in buffer.iter_mut().zip(word.bytes()) {
        *slot = byte.to_ascii_lowercase();
    }
    std::str::from_utf8(&buffer[..word.len()]).is_ok_and(is_title)
}

/// The lowercase words plus their capitalised forms ("rose", "Rose"), so lookups of typical
/// tokens need no allocation.
fn with_capitalised(words: &[&str]) -> HashSet<String> {
    let mut set = HashSet::with_capacity(words.len() * 2);
    for word in words {
        let mut characters = word.chars();
        if let Some(first) = characters.next() {
            set.insert(first.to_uppercase().chain(characters).collect::<String>());
        }
        set.insert((*word).to_string());
    }
    set
}

/// True when the chain starts a line (or a quoted line, "> Name").
fn line_start(lead: &str) -> bool {
    let lead = lead.trim_end_matches(['>', ' ']);
    lead.is_empty() || lead.ends_with('\n')
}

/// True when nothing but spaces stands between the chain and the end of its line.
fn line_end(trail: &str) -> bool {
    let rest = trail.trim_start_matches(' ');
    rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r")
}

/// True when the chain is followed by a possessive "'s" ("Anna's address").
fn possessive(trail: &str) -> bool {
    trail.starts_with("'s ") || trail.starts_with("’s ") || trail.starts_with("'s\n")
}

/// True when the text before a chain ends in a digit.
fn after_number(lead: &str) -> bool {
    lead.chars().next_back().is_some_and(|c| c.is_ascii_digit())
}

/// True when `text` ends with `phrase` and the phrase starts at a word boundary.
fn ends_with_word(text: &str, phrase: &str) -> bool {
    text.strip_suffix(phrase).is_some_and(|head| {
        head.chars()
            .next_back()
            .is_none_or(|previous| !previous.is_alphanumeric())
    })
}
