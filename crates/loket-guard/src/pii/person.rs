//! Person names in Dutch and English text.
//!
//! A capitalised word alone is not a name ("Bakker" is a surname and a trade, "Roos" a first
//! name and a flower), so a chain of capitalised words is reported only with evidence:
//! a title before it (dhr., mevr., Mr, Dr), a phrase that introduces a name ("mijn naam is",
//! "ik heet", "my name is", "call me", "achternaam?", a closing "Met vriendelijke groet,"),
//! initials ("J.P. de Vries"), a relative ("my son Lukas"), or a known first name followed by
//! another capitalised word. A single common first name is reported on its own. Dutch
//! tussenvoegsels ("van der", "de", "in 't") may join the words of a chain. Weaker evidence
//! counts together: a rarer first name or a surname-shaped word (a listed surname, a typical
//! ending such as "-sen" or "-ová", non-ASCII letters) next to a verb or role that takes a
//! person ("says", "producer", "woont"), a possessive, a line of its own, or a list in which
//! other names were recognised ("Eklund, Michael and Hodge").
//!
//! Evidence against a name wins: words that make a chain a place or an organisation
//! ("Ziekenhuis", "Orchestra", a country), a house number or street word after it ("Joaquin
//! Suarez 2906", "Mathias Pass"), "St." before it, an employer phrase ("I work for"), a
//! determiner ("the Seller"), or three surnames listed as a firm ("Jones, Mitchell and
//! Williams"). A word of a recognised name that comes back alone is the same person
//! ("directed by Maciej Borkowski and starring Borkowski"). Names typed in lowercase count
//! after a phrase that introduces a name, or as a common first name with a listed surname.
//!
//! The name lists are language-independent compact subsets derived by `data/names/derive.py`
//! (Dutch gazetteer, US census) or written by hand; `data/names/SOURCES.md` records origin and
//! licence. [`Lang`] selects the context phrases of a language.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::context::{after, before};
use super::identifiers::candidate;
use super::{Candidate, EntityKind, Input, Lang};

const NL_FIRST_COMMON: &str = include_str!("../../data/names/nl-first-common.txt");
const NL_FIRST: &str = include_str!("../../data/names/nl-first.txt");
const NL_LAST: &str = include_str!("../../data/names/nl-last.txt");
const EN_FIRST: &str = include_str!("../../data/names/en-first.txt");
const EN_LAST: &str = include_str!("../../data/names/en-last.txt");
const CENSUS_FIRST_COMMON: &str = include_str!("../../data/names/census-first-common.txt");
const CENSUS_FIRST: &str = include_str!("../../data/names/census-first.txt");
const CENSUS_LAST: &str = include_str!("../../data/names/census-last.txt");

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

/// Phrases after which the next capitalised words are a name whatever they are, per language
/// (Dutch, English); [`Lang::Auto`] uses both.
const STRONG_TRIGGERS: Triggers = Triggers {
    dutch: &[
        "mijn naam is",
        "ik heet",
        "heet ik",
        "naam is",
        "naam:",
        "genaamd",
        "groet,",
        "groeten,",
        "groetjes,",
        "mvg,",
        "gr,",
        "spreekt met",
        "u spreekt met",
        "op naam van",
        "ten name van",
        "t.n.v.",
        "tnv",
        "naam?",
        "noem me",
        "noemen me",
        "noemen mij",
        "achternaam?",
        "achternaam:",
        "achternaam is",
        "voornaam?",
        "voornaam:",
        "voornaam is",
        "meisjesnaam is",
        "heette",
    ],
    english: &[
        "my name is",
        "name is",
        "name:",
        "called",
        "named",
        "regards,",
        "under the name",
        "in the name of",
        "directed by:",
        "name?",
        "name on the account is",
        "'s name",
        "’s name",
        "call me",
        "calls me",
        "surname?",
        "surname:",
        "surname is",
        "first name is",
        "last name is",
        "maiden name is",
    ],
};

/// Phrases that often, not always, precede a name; the first word must then be a known name
/// or the chain must have two capitalised words.
const WEAK_TRIGGERS: Triggers = Triggers {
    dutch: &[
        "ik ben",
        "hallo",
        "hoi",
        "hey",
        "beste",
        "geachte",
        "met",
        "bedankt,",
        "dank,",
        "contact",
        "vraag",
        "collega",
        "partner",
        "toevoegen",
        "van",
        "en",
        "zegt",
        "zei",
        "vroeg",
        "gesproken met",
        "sprak met",
        "spreken met",
        "bel",
        "belde",
        "mail",
        "mailde",
    ],
    english: &[
        "this is",
        "i'm",
        "i am",
        "hi",
        "hey",
        "dear",
        "thanks,",
        "cheers,",
        "by",
        "with",
        "contact",
        "ask",
        "colleague",
        "partner",
        "add",
        "under",
        "to",
        "from",
        "and",
        "says",
        "said",
        "asked",
        "told",
        "shouted at",
        "starring",
        "directed by",
        "written by",
        "sung by",
        "featuring",
        "spoke to",
        "spoke with",
        "speak to",
        "speak with",
        "talked to",
        "producer",
        "songwriter",
        "writer",
        "author",
        "commenter",
        "assistant to",
    ],
};

/// Verbs and roles before a name that only people have; with one of them a single listed or
/// surname-shaped word is a name ("says Hartvigsson"), where "and" or "to" would not do.
const PERSON_VERBS_BEFORE: Triggers = Triggers {
    dutch: &[
        "zegt",
        "zei",
        "vroeg",
        "gesproken met",
        "sprak met",
        "spreken met",
        "belde",
        "mailde",
        "collega",
    ],
    english: &[
        "says",
        "said",
        "asked",
        "told",
        "shouted at",
        "starring",
        "directed by",
        "written by",
        "sung by",
        "featuring",
        "spoke to",
        "spoke with",
        "speak to",
        "speak with",
        "talked to",
        "producer",
        "songwriter",
        "writer",
        "author",
        "commenter",
        "assistant to",
        "colleague",
    ],
};

/// Determiners: a capitalised word after one is a thing ("the Seller", "mijn App"), unless
/// it is a common first name.
const DETERMINERS: Triggers = Triggers {
    dutch: &[
        "de", "het", "een", "mijn", "uw", "jouw", "onze", "ons", "hun", "deze", "die", "dit", "dat",
    ],
    english: &[
        "the", "a", "an", "my", "your", "our", "their", "this", "that", "these", "those", "its",
    ],
};

/// Lowercase words that are listed first names but, written in lowercase, far more often an
/// ordinary word ("max out", "someone else", "will").
const LOWERCASE_NOT_NAMES: &[&str] = &[
    "else", "max", "will", "may", "mark", "bill", "rob", "pat", "sue", "frank", "don", "ken", "guy", "art", "rich",
    "grant", "ben", "dan", "van", "bas", "roos", "kim", "mag", "wil", "hoe", "tim", "jack", "sterre", "noor", "fleur",
    "iris", "roman", "chase", "norman", "gay", "dean", "lance", "carol", "robin", "ruby", "amber", "crystal", "page",
];

/// Words for relatives; a capitalised word right after one is a name even when no list knows
/// it ("my son Lukas", "mijn dochter Fenna").
const KIN_WORDS: Triggers = Triggers {
    dutch: &[
        "zoon",
        "dochter",
        "vrouw",
        "man",
        "kind",
        "moeder",
        "vader",
        "broer",
        "zus",
        "zoontje",
        "dochtertje",
        "oma",
        "opa",
        "vriend",
        "vriendin",
    ],
    english: &[
        "son",
        "daughter",
        "wife",
        "husband",
        "kid",
        "child",
        "mother",
        "father",
        "brother",
        "sister",
        "mom",
        "mum",
        "dad",
        "grandson",
        "granddaughter",
        "boyfriend",
        "girlfriend",
        "fiancé",
        "fiancée",
    ],
};

/// Phrases after which a capitalised chain is an employer or a place, not a person.
const ORGANISATION_OR_PLACE_LEAD: Triggers = Triggers {
    dutch: &[
        "werk bij",
        "werk voor",
        "werkzaam bij",
        "woon in",
        "woonachtig in",
        "uit",
        "te",
    ],
    english: &[
        "work for",
        "works for",
        "worked for",
        "work at",
        "works at",
        "i'm in",
        "i am in",
        "arrived at",
        "returned to",
        "moved to",
        "live in",
        "lives in",
        "located in",
        "travelling to",
        "traveling to",
        "flew to",
        "near",
    ],
};

/// Context phrases of one kind in both languages.
struct Triggers {
    dutch: &'static [&'static str],
    english: &'static [&'static str],
}

impl Triggers {
    /// True when `lead` (lowercase, trimmed) ends with one of the phrases of `lang`.
    fn end(&self, lead: &str, lang: Lang) -> bool {
        (lang.dutch() && self.dutch.iter().any(|phrase| ends_with_word(lead, phrase)))
            || (lang.english() && self.english.iter().any(|phrase| ends_with_word(lead, phrase)))
    }
}

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
    // Contractions typed without their apostrophe, and sentence adverbs.
    "ive",
    "im",
    "id",
    "ill",
    "dont",
    "cant",
    "wont",
    "didnt",
    "doesnt",
    "isnt",
    "thats",
    "whats",
    "lets",
    "youre",
    "theyre",
    "still",
    "just",
    "now",
    "then",
    "today",
    "tomorrow",
    "yesterday",
    "however",
    "anyway",
    "actually",
    "unfortunately",
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
    "upper",
    "lower",
    "southern",
    "northern",
    "eastern",
    "western",
    "central",
    "noord",
    "zuid",
    "oost",
    "brabant",
    "friesland",
    "drenthe",
    "overijssel",
    "flevoland",
    "gelderland",
    "zeeland",
    "limburg",
    "vlaanderen",
    "wallonie",
    "station",
    "airport",
    "centrum",
    "medisch",
    "huisartsen",
    "russian",
    "ukrainian",
    "romanian",
    "hungarian",
    "bulgarian",
    "croatian",
    "serbian",
    "norwegian",
    "swedish",
    "danish",
    "finnish",
    "austrian",
    "portuguese",
    "brazilian",
    "australian",
    "canadian",
    "indian",
    "egyptian",
    "chinese",
    "japanese",
    "turkish",
    "moroccan",
    "nigerian",
    "afghanistan",
    "albania",
    "algeria",
    "andorra",
    "angola",
    "argentina",
    "armenia",
    "australia",
    "austria",
    "azerbaijan",
    "bahamas",
    "bahrain",
    "bangladesh",
    "barbados",
    "belarus",
    "belize",
    "benin",
    "bhutan",
    "bolivia",
    "bosnia",
    "botswana",
    "brunei",
    "bulgaria",
    "burundi",
    "cambodia",
    "cameroon",
    "chile",
    "colombia",
    "congo",
    "croatia",
    "cuba",
    "curacao",
    "cyprus",
    "czechia",
    "denmark",
    "djibouti",
    "ecuador",
    "egypt",
    "eritrea",
    "estonia",
    "eswatini",
    "ethiopia",
    "fiji",
    "finland",
    "gabon",
    "gambia",
    "ghana",
    "greece",
    "greenland",
    "grenada",
    "guatemala",
    "guinea",
    "guyana",
    "haiti",
    "honduras",
    "hungary",
    "iceland",
    "indonesia",
    "iran",
    "iraq",
    "ireland",
    "jamaica",
    "kazakhstan",
    "kenya",
    "korea",
    "kosovo",
    "kuwait",
    "kyrgyzstan",
    "laos",
    "latvia",
    "lebanon",
    "lesotho",
    "liberia",
    "libya",
    "liechtenstein",
    "lithuania",
    "luxembourg",
    "luxemburg",
    "madagascar",
    "malawi",
    "malaysia",
    "maldives",
    "mali",
    "malta",
    "mauritania",
    "mauritius",
    "moldova",
    "monaco",
    "mongolia",
    "montenegro",
    "morocco",
    "mozambique",
    "myanmar",
    "namibia",
    "nepal",
    "nicaragua",
    "niger",
    "nigeria",
    "macedonia",
    "norway",
    "oman",
    "pakistan",
    "palestine",
    "panama",
    "paraguay",
    "peru",
    "philippines",
    "portugal",
    "qatar",
    "romania",
    "russia",
    "rwanda",
    "samoa",
    "senegal",
    "serbia",
    "seychelles",
    "singapore",
    "slovakia",
    "slovenia",
    "somalia",
    "sudan",
    "suriname",
    "sweden",
    "switzerland",
    "syria",
    "taiwan",
    "tajikistan",
    "tanzania",
    "thailand",
    "togo",
    "tonga",
    "tunisia",
    "turkmenistan",
    "uganda",
    "ukraine",
    "uruguay",
    "uzbekistan",
    "venezuela",
    "vietnam",
    "yemen",
    "zambia",
    "zimbabwe",
    "scotland",
    "wales",
    "england",
    "bavaria",
    "catalonia",
    "duitsland",
    "frankrijk",
    "spanje",
    "italie",
    "belgie",
    "polen",
    "turkije",
    "marokko",
    "oostenrijk",
    "zwitserland",
    "engeland",
    "noorwegen",
    "zweden",
    "denemarken",
    "griekenland",
    "hongarije",
    "roemenie",
    "bulgarije",
    "oekraine",
    "rusland",
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

/// Verbs that only people do; an unknown capitalised word right before one is a name.
const PERSON_ONLY_VERBS_AFTER: &[&str] = &[
    " said",
    " says",
    " told",
    " asked",
    " shouted",
    " wrote",
    " explained",
    " began writing",
    " had given",
    " zei",
    " zegt",
    " vroeg",
    " belde",
    " schreef",
    " heeft gebeld",
];

/// Words after a capitalised chain that make it a street ("Mathias Pass", "St. John Street").
const STREET_WORDS_AFTER: &[&str] = &[
    "u.",
    "utca",
    "ul.",
    "vej",
    "gade",
    "katu",
    "gatan",
    "gasse",
    "straße",
    "strasse",
    "street",
    "st",
    "st.",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "pass",
    "way",
    "drive",
    "boulevard",
    "crescent",
    "terrace",
    "square",
    "straat",
    "laan",
    "weg",
    "plein",
    "gracht",
    "kade",
    "singel",
];

/// Endings typical of surnames in the languages customers of Dutch companies write in.
const SURNAME_ENDINGS: &[&str] = &[
    "son", "sen", "ová", "ova", "ov", "ev", "eva", "ski", "ska", "sky", "vich", "vić", "ić", "dóttir", "dottir", "ez",
    "ini", "elli", "etti", "escu", "ian", "yan", "enko", "uk", "ak", "berg", "mann", "stein", "ström", "strom",
    "quist", "qvist", "holm", "lund", "gaard", "aert", "ink", "huis", "sma", "stra", "ema", "inga",
];

/// A set with the FNV-1a hash: the sets are looked up for most words of every message and
/// hold no attacker-chosen keys (they are built from the embedded lists), so the slower
/// flood-resistant default hash buys nothing here.
type NameSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Compiled tokenizer and name lists.
pub(super) struct Persons {
    /// First names frequent enough to be reported on their own (Dutch and US census top
    /// names, the hand-written English list).
    common_first: NameSet<&'static str>,
    /// The long tail of first names: evidence only together with something else.
    first: NameSet<&'static str>,
    /// Surnames (Dutch top 15,000, US census, hand-written English).
    last: NameSet<&'static str>,
    /// [`Persons::common_first`] in lowercase, for names typed in lowercase.
    common_first_lowercase: NameSet<String>,
    /// Every strong trigger phrase, Dutch ones first, searched in one pass per message for
    /// the lowercase-name rule. `None` only if building failed, which switches that rule's
    /// triggers off rather than panicking.
    strong_trigger_automaton: Option<AhoCorasick>,
    not_names: NameSet<String>,
    places: NameSet<String>,
    ambiguous: NameSet<String>,
}

/// What [`Persons::judge`] makes of a chain.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    /// A name, with its score.
    Name(f32),
    /// No evidence of a name; list coordination or a repeated name may still make it one.
    Rejected,
    /// Evidence against a name (a place word, a street, an employer): nothing makes it one.
    Blocked,
}

/// A chain of capitalised words with its verdict, as coordination and repetition see it.
#[derive(Debug, Clone, Copy)]
struct Chain {
    /// Index of the first token.
    first: usize,
    /// Index after the last token.
    end_token: usize,
    /// Byte offsets in the normalised text.
    start: usize,
    end: usize,
    score: Option<f32>,
    blocked: bool,
    /// At most two capitalised words of which one is listed or surname-shaped.
    coordinable: bool,
    /// One capitalised word that is no place word.
    single: bool,
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
        // Names are not tied to the language of the message: a Dutch customer named Naomi
        // writes in English too. The lists hold no ordinary words of either language (see
        // derive.py), so sharing them costs little precision.
        let lines = |lists: &[&'static str]| -> NameSet<&'static str> {
            lists
                .iter()
                .flat_map(|list| list.lines())
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect()
        };
        let common_first = lines(&[NL_FIRST_COMMON, EN_FIRST, CENSUS_FIRST_COMMON]);
        let ambiguous = with_capitalised(AMBIGUOUS);
        Persons {
            common_first_lowercase: common_first
                .iter()
                .filter(|name| !listed_in_any_case(&ambiguous, name))
                .map(|name| name.to_lowercase())
                .collect(),
            strong_trigger_automaton: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(STRONG_TRIGGERS.dutch.iter().chain(STRONG_TRIGGERS.english))
                .ok(),
            common_first,
            first: lines(&[NL_FIRST, CENSUS_FIRST]),
            last: lines(&[NL_LAST, EN_LAST, CENSUS_LAST]),
            not_names: with_capitalised(NOT_NAMES),
            ambiguous,
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
        let mut chains = self.chains(input, &tokens);
        self.veto_firm_names(input, &tokens, &mut chains);
        self.coordinate(input, &mut chains);
        self.repeat_names(&tokens, &mut chains);
        for chain in &chains {
            if let (Some(score), false) = (chain.score, chain.blocked) {
                found.push(candidate(EntityKind::Person, chain.start, chain.end, score));
            }
        }
        self.lowercase_names(input, &tokens, found);
    }

    /// Every chain of capitalised words in text order, each with its verdict.
    fn chains(&self, input: &Input<'_>, tokens: &[Token<'_>]) -> Vec<Chain> {
        let mut chains: Vec<Chain> = Vec::new();
        let mut index = 0;
        while index < tokens.len() {
            let chain_end = self.chain_end(input.text, tokens, index);
            if chain_end <= index {
                index += 1;
                continue;
            }
            let verdict = self.judge(input, tokens, index, chain_end);
            // A rejected chain is judged again from its next word when its first word may
            // be no part of the name: a tussenvoegsel ("van Jan", where "van" is context) or
            // a capitalised word before more ("Producer James Sparks", "Vandaag Jan Smit").
            let retry = verdict == Verdict::Rejected
                && chain_end - index >= 2
                && matches!(tokens[index].shape, Shape::Tussenvoegsel | Shape::Capitalised);
            if retry {
                index += 1;
                continue;
            }
            let members = &tokens[index..chain_end];
            let single_words = members
                .iter()
                .all(|t| t.shape == Shape::Capitalised && !self.is_place(t.text));
            chains.push(Chain {
                first: index,
                end_token: chain_end,
                start: tokens[index].start,
                end: tokens[chain_end - 1].end,
                score: match verdict {
                    Verdict::Name(score) => Some(score),
                    _ => None,
                },
                blocked: verdict == Verdict::Blocked,
                // Only a rejected chain needs list coordination, so only it pays the lookups.
                coordinable: verdict == Verdict::Rejected
                    && chain_end - index <= 2
                    && single_words
                    && members
                        .iter()
                        .any(|t| self.is_first_name(t.text) || self.is_surname_shaped(t.text)),
                single: chain_end - index == 1 && single_words,
            });
            index = chain_end;
        }
        chains
    }

    /// "Jones, Mitchell and Williams": three or more listed surnames, no first name among
    /// them, joined as a list, are the name of a firm (law and accountancy firms are named
    /// so), not three people.
    fn veto_firm_names(&self, input: &Input<'_>, tokens: &[Token<'_>], chains: &mut [Chain]) {
        let mut run_start = 0;
        for position in 0..=chains.len() {
            let continues = position > run_start
                && position < chains.len()
                && chains[position].single
                && joined(input.text, &chains[position - 1], &chains[position]);
            if continues {
                continue;
            }
            let run = &chains[run_start..position];
            // One member may be a first name as well ("Mitchell", "Marshall").
            let first_names = run
                .iter()
                .filter(|chain| self.is_common_first_name(tokens[chain.first].text))
                .count();
            let firm = run.len() >= 3
                && first_names <= 1
                && run
                    .iter()
                    .all(|chain| chain.single && self.is_last_name(tokens[chain.first].text))
                && chains
                    .get(position.wrapping_sub(1))
                    .zip(chains.get(position.wrapping_sub(2)))
                    .is_some_and(|(last, before_last)| {
                        matches!(
                            input.text.get(before_last.end..last.start),
                            Some(" and " | " en " | " & " | ", and ")
                        )
                    });
            if firm {
                for chain in &mut chains[run_start..position] {
                    chain.blocked = true;
                }
            }
            if position < chains.len() && !chains[position].single {
                run_start = position + 1;
            } else {
                run_start = position;
            }
        }
    }

    /// Coordination: in "Eklund, Michael and Hodge" one recognised name vouches for the
    /// capitalised words listed with it, and in a list of two or more recognised names every
    /// single word is one ("They had 6: Gaetane, Hannah, Anthony"). One pass forward and one
    /// backward reach every member of a list in linear time.
    fn coordinate(&self, input: &Input<'_>, chains: &mut [Chain]) {
        let linked = |chains: &[Chain], left: usize, right: usize| {
            !chains[left].blocked && !chains[right].blocked && joined(input.text, &chains[left], &chains[right])
        };
        let mut vouched: Vec<bool> = chains.iter().map(|chain| chain.score.is_some()).collect();
        // A list with two recognised names vouches for its single-word members too.
        let mut strong_list = vec![false; chains.len()];
        let mut run_start = 0;
        for position in 1..=chains.len() {
            if position < chains.len() && linked(chains, position - 1, position) {
                continue;
            }
            let recognised = (run_start..position).filter(|&member| vouched[member]).count();
            if recognised >= 2 {
                for flag in &mut strong_list[run_start..position] {
                    *flag = true;
                }
            }
            run_start = position;
        }
        let can_join = |chains: &[Chain], position: usize| {
            let chain = &chains[position];
            chain.coordinable || (strong_list[position] && chain.single)
        };
        for position in 1..chains.len() {
            if !vouched[position]
                && can_join(chains, position)
                && vouched[position - 1]
                && linked(chains, position - 1, position)
            {
                vouched[position] = true;
            }
        }
        for position in (0..chains.len().saturating_sub(1)).rev() {
            if !vouched[position]
                && can_join(chains, position)
                && vouched[position + 1]
                && linked(chains, position, position + 1)
            {
                vouched[position] = true;
            }
        }
        for (chain, vouched) in chains.iter_mut().zip(vouched) {
            if vouched && chain.score.is_none() && !chain.blocked {
                chain.score = Some(0.6);
            }
        }
    }

    /// A word of a recognised name names the same person when it comes back alone:
    /// "directed by Maciej Borkowski and starring Borkowski", "Alvir ... Alvir D. Pušaver".
    fn repeat_names(&self, tokens: &[Token<'_>], chains: &mut [Chain]) {
        let known: HashSet<&str> = chains
            .iter()
            .filter(|chain| chain.score.is_some() && !chain.blocked)
            .flat_map(|chain| tokens[chain.first..chain.end_token].iter())
            .filter(|token| {
                token.shape == Shape::Capitalised && token.text.chars().count() >= 3 && !self.is_ambiguous(token.text)
            })
            .map(|token| token.text)
            .collect();
        if known.is_empty() {
            return;
        }
        for chain in chains
            .iter_mut()
            .filter(|chain| chain.score.is_none() && !chain.blocked)
        {
            let members = &tokens[chain.first..chain.end_token];
            let repeated = members
                .iter()
                .filter(|token| token.shape == Shape::Capitalised)
                .all(|token| known.contains(token.text))
                && members.iter().any(|token| token.shape == Shape::Capitalised);
            if repeated {
                chain.score = Some(0.7);
            }
        }
    }

    /// Names written in lowercase, as customers often type them: after a phrase that
    /// introduces a name ("my name is lena andersson", "noem me višeslav") any listed first
    /// name or surname, elsewhere only a common first name followed by a listed surname
    /// ("follow up with patricia desrosiers", "jan de vries belde").
    fn lowercase_names(&self, input: &Input<'_>, tokens: &[Token<'_>], found: &mut Vec<Candidate>) {
        // This runs on every lowercase word of every message, so the triggers are found in
        // one pass over the text and each word costs one lookup in a small set.
        let introduced_at = self.words_after_strong_triggers(input);
        let mut index = 0;
        while index < tokens.len() {
            let token = tokens[index];
            let introduced = || introduced_at.contains(&token.start);
            if !is_lowercase_word(token.text) || !(introduced() || self.common_first_lowercase.contains(token.text)) {
                index += 1;
                continue;
            }
            if listed_in_any_case(&self.not_names, token.text) || LOWERCASE_NOT_NAMES.contains(&token.text) {
                index += 1;
                continue;
            }
            let introduced = introduced();
            let common_first = self.common_first_lowercase.contains(token.text);
            // One capitalised copy serves every list lookup of this word.
            let capitalised = capitalise(token.text);
            let first_known = common_first || self.is_first_name(&capitalised);
            // The name after the first word: initials, tussenvoegsels and a surname.
            let mut end_token = index + 1;
            let mut surname_end = None;
            while end_token < tokens.len() && end_token - index < 5 {
                let next = tokens[end_token];
                let gap = input.text.get(tokens[end_token - 1].end..next.start).unwrap_or("\n");
                let initial = next.text.chars().count() == 1;
                if !(gap == " " || (gap == ". " && tokens[end_token - 1].text.chars().count() == 1))
                    || !is_lowercase_word(next.text)
                {
                    break;
                }
                if initial || (is_tussenvoegsel(next.text) && particle_continues(tokens, end_token)) {
                    end_token += 1;
                    continue;
                }
                if self.is_last_name(&capitalise(next.text)) && !listed_in_any_case(&self.not_names, next.text) {
                    surname_end = Some(end_token + 1);
                }
                break;
            }
            let verdict = match surname_end {
                Some(end) => Some((end, 0.75)),
                None if introduced && (first_known || self.is_last_name(&capitalised)) => Some((index + 1, 0.75)),
                _ => None,
            };
            match verdict {
                Some((end, score)) => {
                    found.push(candidate(EntityKind::Person, token.start, tokens[end - 1].end, score));
                    index = end;
                }
                None => index += 1,
            }
        }
    }

    /// Byte offsets of the words that directly follow a strong trigger phrase of the input's
    /// language ("my name is |lena", "naam:\n|jan").
    fn words_after_strong_triggers(&self, input: &Input<'_>) -> Vec<usize> {
        let Some(automaton) = &self.strong_trigger_automaton else {
            return Vec::new();
        };
        let dutch_phrases = STRONG_TRIGGERS.dutch.len();
        automaton
            .find_iter(&input.lower)
            .filter(|found| {
                let dutch = found.pattern().as_usize() < dutch_phrases;
                (if dutch {
                    input.lang.dutch()
                } else {
                    input.lang.english()
                }) && input
                    .lower
                    .get(..found.start())
                    .unwrap_or("")
                    .chars()
                    .next_back()
                    .is_none_or(|previous| !previous.is_alphanumeric())
            })
            .map(|found| {
                let rest = input.lower.get(found.end()..).unwrap_or("");
                found.end() + (rest.len() - rest.trim_start().len())
            })
            .collect()
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
        // "A De Jong", "Jan Van Dijk": capitalised particles join a name as well.
        if matches!(text, "De" | "Van" | "Der" | "Den" | "Ter" | "Ten" | "Te" | "Von" | "Vd") {
            return Shape::Tussenvoegsel;
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
                // "in" and "op" join a name only as "in 't", "op de" ("Nandos in Leeds").
                Shape::Tussenvoegsel if !particle_continues(tokens, index) => break,
                Shape::Initial | Shape::Tussenvoegsel => {}
                Shape::Capitals | Shape::Title | Shape::Other => break,
            }
            index += 1;
        }
        last_name_word.map_or(start, |last| last + 1)
    }

    /// Decides whether `tokens[start..end]` is a name.
    fn judge(&self, input: &Input<'_>, tokens: &[Token<'_>], start: usize, end: usize) -> Verdict {
        let chain = &tokens[start..end];
        let capitalised: Vec<&Token<'_>> = chain.iter().filter(|t| t.shape == Shape::Capitalised).collect();
        let after_title = start > 0 && tokens[start - 1].shape == Shape::Title;
        if capitalised.is_empty() && after_title {
            return Verdict::Name(0.85);
        }
        let (Some(first_word), Some(last_word)) = (capitalised.first(), capitalised.last()) else {
            return Verdict::Rejected;
        };
        if capitalised.iter().any(|t| self.is_place(t.text)) {
            return Verdict::Blocked;
        }
        let lead = before(input, chain[0].start, 32).trim_end();
        let trail = after(input, chain[chain.len() - 1].end, 24);
        let lang = input.lang;
        let strong = STRONG_TRIGGERS.end(lead, lang);
        let street = house_number_after(trail) || street_word_after(trail) || has_street_suffix(last_word.text);
        if (street && !strong) || saint_before(lead) {
            // "Joaquin Suarez 2906", "Mathias Pass", "Dr. J.C. Schoutelaan 1", "St. John
            // Street", "St. Antonius": a street or an institution named after someone.
            return Verdict::Blocked;
        }
        let known_first = self.is_first_name(first_word.text);
        let known_common_first = self.is_common_first_name(first_word.text);
        if !after_title
            && !strong
            && !known_common_first
            && longest_match(lead, &ORGANISATION_OR_PLACE_LEAD, lang) > longest_match(lead, &WEAK_TRIGGERS, lang)
        {
            // "I work for Ellis-Ingram", "I'm in Hernani", "arrived at Fala".
            return Verdict::Blocked;
        }
        if capitalised.len() == 1 && !after_title && !strong && !known_common_first && DETERMINERS.end(lead, lang) {
            // "the Seller says", "the Christiansen novel", "mijn App"; blocked, so that list
            // coordination cannot make it a name either ("The Clark, Romero and Hall ...").
            return Verdict::Blocked;
        }
        // The phrase lists are long; each is matched only when the decision reaches it.
        let weak = || WEAK_TRIGGERS.end(lead, lang);
        let person_verb_before = || PERSON_VERBS_BEFORE.end(lead, lang);
        let kin = || KIN_WORDS.end(lead, lang);
        let human_verb_after = HUMAN_VERBS_AFTER.iter().any(|verb| trail.starts_with(verb));
        let surname_like = capitalised.len() >= 2 && self.is_surname_shaped(last_word.text);
        let middle_initial = chain.len() >= 3
            && chain[0].shape == Shape::Capitalised
            && chain[1..chain.len() - 1].iter().any(|t| t.shape == Shape::Initial);
        let alone_on_line = line_start(lead) && line_end(trail);
        let has_tussenvoegsel = chain.iter().any(|t| t.shape == Shape::Tussenvoegsel);
        let sentence_start = self.is_sentence_start(input, chain[0].start);
        let score = if after_title || strong {
            0.9
        } else if chain[0].shape == Shape::Tussenvoegsel {
            // "van der Sluis" without a first name: only a Dutch particle sequence and a
            // surname from the list, since "van de Belastingdienst" and "in Villafranca del
            // Cid" have the same shape.
            let particles: Vec<String> = chain
                .iter()
                .take_while(|t| t.shape == Shape::Tussenvoegsel)
                .map(|t| t.text.to_ascii_lowercase())
                .collect();
            let particles: Vec<&str> = particles.iter().map(String::as_str).collect();
            // A capitalised particle opening a sentence is mostly the article: "De Bakker op
            // de hoek" is the baker.
            let article = sentence_start && chain[0].text.starts_with(char::is_uppercase);
            if capitalised.len() == 1 && !article && dutch_particles(&particles) && self.is_last_name(last_word.text) {
                0.75
            } else {
                return Verdict::Rejected;
            }
        } else if chain[0].shape == Shape::Initial && (has_tussenvoegsel || self.is_surname_shaped(last_word.text)) {
            0.85
        } else if after_number(lead) {
            // "15 Jan 2024", "3 Mark Street": a word after a number is rarely a name.
            return Verdict::Rejected;
        } else if middle_initial || (capitalised.len() >= 2 && (known_common_first || (known_first && surname_like))) {
            0.85
        } else if (capitalised.len() <= 3 && kin())
            || ((known_first || surname_like)
                && (human_verb_after || possessive(trail) || (alone_on_line && capitalised.len() >= 2) || weak()))
        {
            0.8
        } else if self.is_single_surname(&capitalised)
            && (human_verb_after || possessive(trail) || person_verb_before())
        {
            0.75
        } else if capitalised.len() == 1 && known_common_first {
            0.7
        } else if capitalised.len() == 1
            && known_first
            && (!sentence_start || trail.starts_with(", ") || trail.starts_with(':'))
        {
            // A rarer first name in mid-sentence ("Why is Katrine so impulsive?"), or opening
            // a line as a vocative or a speaker label ("Leif, can I ...", "Ubul: ...").
            0.6
        } else if capitalised.len() <= 2
            && first_word.text.chars().count() >= 4
            && PERSON_ONLY_VERBS_AFTER.iter().any(|verb| trail.starts_with(verb))
        {
            // "Mehrudin shouted at Todd", "Ley began writing": a verb only people do.
            0.65
        } else if capitalised.len() >= 2 && surname_like && !sentence_start && self.is_last_name(last_word.text) {
            0.75
        } else {
            return Verdict::Rejected;
        };
        Verdict::Name(score)
    }

    /// One capitalised word that is a listed surname or has a surname ending ("says
    /// Hartvigsson", "Usamov and Bowers"); non-ASCII letters alone are not enough for a single
    /// word, since place names have them too.
    fn is_single_surname(&self, capitalised: &[&Token<'_>]) -> bool {
        let [word] = capitalised else {
            return false;
        };
        if self.is_ambiguous(word.text) {
            return false;
        }
        let lower = word.text.to_lowercase();
        // "-ian" also ends nationalities and languages ("Russian"), which open lists too.
        self.is_last_name(word.text)
            || (lower.chars().count() >= 5
                && !lower.ends_with("ian")
                && SURNAME_ENDINGS.iter().any(|ending| lower.ends_with(ending)))
    }

    /// A surname from the lists, or a word with a surname ending or letters from outside
    /// ASCII ("Szöllösy", "Guðmundsdóttir"), which common English and Dutch words rarely have.
    fn is_surname_shaped(&self, word: &str) -> bool {
        if self.is_ambiguous(word) {
            return false;
        }
        self.is_last_name(word) || !word.is_ascii() || (word.len() >= 5 && ends_in_any_case(word, SURNAME_ENDINGS))
    }

    fn is_common_first_name(&self, word: &str) -> bool {
        if word.contains('-') {
            return word.split('-').all(|part| self.is_common_first_name(part));
        }
        !self.is_ambiguous(word) && listed_as_name(&self.common_first, word)
    }

    fn is_first_name(&self, word: &str) -> bool {
        if word.contains('-') {
            return word.split('-').all(|part| self.is_first_name(part));
        }
        self.is_common_first_name(word) || (!self.is_ambiguous(word) && listed_as_name(&self.first, word))
    }

    fn is_last_name(&self, word: &str) -> bool {
        !self.is_ambiguous(word) && listed_as_name(&self.last, word)
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
fn listed_in_any_case(set: &NameSet<String>, word: &str) -> bool {
    if set.contains(word) {
        return true;
    }
    // Only words in an unusual case (all capitals, non-ASCII) need a lowercase copy.
    let typical = word.is_ascii() && word.chars().skip(1).all(|c| c.is_ascii_lowercase());
    !typical && set.contains(&word.to_lowercase())
}

/// Looks a name up in a list of capitalised names, also when it is written in another case
/// ("jansen", "JANSEN", "McDowell" for the census "Mcdowell"). Allocates only for such words.
fn listed_as_name(set: &NameSet<&'static str>, word: &str) -> bool {
    if set.contains(word) {
        return true;
    }
    let mut characters = word.chars();
    let Some(first) = characters.next() else {
        return false;
    };
    let rest = characters.as_str();
    if first.is_uppercase() && !rest.chars().any(char::is_uppercase) {
        return false;
    }
    let capitalised: String = first
        .to_uppercase()
        .chain(rest.chars().flat_map(char::to_lowercase))
        .collect();
    capitalised != word && set.contains(capitalised.as_str())
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
fn with_capitalised(words: &[&str]) -> NameSet<String> {
    let mut set = NameSet::with_capacity_and_hasher(words.len() * 2, BuildHasherDefault::default());
    for word in words {
        let mut characters = word.chars();
        if let Some(first) = characters.next() {
            set.insert(first.to_uppercase().chain(characters).collect::<String>());
        }
        set.insert((*word).to_string());
    }
    set
}

/// True when two chains are members of one list: "A, B", "A and B", "A en B", "A & B".
fn joined(text: &str, left: &Chain, right: &Chain) -> bool {
    matches!(
        text.get(left.end..right.start),
        Some(", " | " and " | " en " | " & " | ", and " | " or " | " of ")
    )
}

/// The length of the longest phrase of `triggers` that `lead` ends with, 0 when none.
fn longest_match(lead: &str, triggers: &Triggers, lang: Lang) -> usize {
    let dutch = triggers.dutch.iter().filter(|_| lang.dutch());
    let english = triggers.english.iter().filter(|_| lang.english());
    dutch
        .chain(english)
        .filter(|phrase| ends_with_word(lead, phrase))
        .map(|phrase| phrase.len())
        .max()
        .unwrap_or(0)
}

/// True when a house number follows the chain: " 12", " 12a", " 2906." but not a phone
/// number, which continues with more digits ("06 12345678", "020-1234567").
fn house_number_after(trail: &str) -> bool {
    let Some(rest) = trail.strip_prefix(' ') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=4).contains(&digits) {
        return false;
    }
    let after_digits = rest.get(digits..).unwrap_or("");
    !after_digits.starts_with(['-', '/'])
        && !after_digits
            .trim_start_matches(' ')
            .starts_with(|c: char| c.is_ascii_digit())
}

/// True when a street word follows the chain ("Mathias Pass", "John Street").
fn street_word_after(trail: &str) -> bool {
    let Some(rest) = trail.strip_prefix(' ') else {
        return false;
    };
    let word: &str = rest
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .next()
        .unwrap_or("");
    STREET_WORDS_AFTER.contains(&word)
}

/// False for "in" or "op" not followed by an article: only "in 't Veld", "op de Beek" are
/// names, "Nandos in Leeds" is not.
fn particle_continues(tokens: &[Token<'_>], index: usize) -> bool {
    match tokens[index].text {
        "in" | "op" => tokens
            .get(index + 1)
            .is_some_and(|next| matches!(next.text, "'t" | "de" | "den" | "het")),
        _ => true,
    }
}

/// True when the chain follows "St.", "Sint" or "Saint": a church, hospital or street.
fn saint_before(lead: &str) -> bool {
    ["st.", "st", "sint", "saint", "sankt", "san", "santa"]
        .iter()
        .any(|saint| ends_with_word(lead, saint))
}

/// True for a word that ends like a Dutch street name ("Schoutelaan", "Kerkstraat").
fn has_street_suffix(word: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "straat", "laan", "plein", "gracht", "kade", "singel", "dreef", "steeg", "weg",
    ];
    SUFFIXES
        .iter()
        .any(|suffix| word.len() > suffix.len() + 2 && ends_in_any_case(word, &[suffix]))
}

/// True when `word` ends with one of the lowercase `endings`, compared without regard to
/// ASCII case and without allocating ("JANSSEN" ends with "sen").
fn ends_in_any_case(word: &str, endings: &[&str]) -> bool {
    endings.iter().any(|ending| {
        word.len() >= ending.len()
            && word.is_char_boundary(word.len() - ending.len())
            && word[word.len() - ending.len()..].eq_ignore_ascii_case(ending)
    })
}

/// True for the particle sequences of Dutch surnames: "van", "van der", "de", "in 't", "ter".
fn dutch_particles(particles: &[&str]) -> bool {
    matches!(
        particles,
        ["van" | "de" | "der" | "den" | "ter" | "ten" | "te" | "'t" | "vd" | "v.d."]
            | ["van", "der" | "den" | "de" | "het" | "'t"]
            | ["in" | "op", "'t" | "de" | "den" | "het"]
            | ["van", "de" | "der", "van"]
    )
}

/// `word` with its first letter in uppercase and the rest in lowercase ("jansen" -> "Jansen").
fn capitalise(word: &str) -> String {
    let mut characters = word.chars();
    characters.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(characters.flat_map(char::to_lowercase))
            .collect()
    })
}

/// True for a word written all in lowercase letters ("jansen", "van", "višeslav").
fn is_lowercase_word(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_lowercase) && word.chars().all(|c| c.is_lowercase() || c == '-')
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
