//! The special-category patterns, one rule group per frame, in canonical spelling (see
//! [`crate::intent::lexicon`]). A category may have several groups so that a veto (such as
//! "sick of waiting") only cancels the frame it is about.

use super::SensitiveCategory::{self, *};

/// Expressions that contain a sensitive word in an everyday sense; rewritten to one neutral
/// token before the rules run.
pub(super) const NEUTRAL_PHRASES: &[(&str, &str)] = &[
    (" blind date ", " blinddate "),
    (" blind spot ", " blindspot "),
    (" blinde vlek ", " blindspot "),
    (" blind vertrouwen ", " blindvertrouwen "),
    (" retail therapy ", " shopping "),
    (" european union ", " eu "),
    (" europese unie ", " eu "),
    (" union pay ", " unionpay "),
    (" in ons dna ", " merkdna "),
    (" in our dna ", " merkdna "),
    (" in hun dna ", " merkdna "),
    (" in their dna ", " merkdna "),
    (" in het dna ", " merkdna "),
    (" in the dna ", " merkdna "),
    (" in its dna ", " merkdna "),
    (" in zijn dna ", " merkdna "),
    (" genetisch gemodificeerd ", " ggo "),
    (" genetisch gemodificeerde ", " ggo "),
    (" genetically modified ", " ggo "),
    (" third party ", " thirdparty "),
    (" country of origin ", " herkomstland "),
    (" land van herkomst ", " herkomstland "),
    (" coming out ", " verschijnt "),
];

const FAMILY_EN: &str = "son|daughter|child|kid|husband|wife|partner|mother|father|mum|mom|dad|brother|sister|baby|boyfriend|girlfriend|grandmother|grandfather|parents";
const FAMILY_NL: &str = "zoon|dochter|kind|man|vrouw|partner|moeder|vader|broer|zus|baby|vriend|vriendin|oma|opa|ouders|schoonmoeder|schoonvader";

/// Word classes for the templates.
pub(super) const CLASSES: &[(&str, &[&str])] = &[
    ("FAMILY", &[FAMILY_EN, FAMILY_NL]),
    ("PARTY", PARTIES),
    ("ORIGIN", ORIGINS),
    ("COUNTRY", COUNTRIES),
];

const PARTIES: &[&str] = &[
    "pvv",
    "vvd",
    "d66",
    "cda",
    "pvda",
    "groenlinks",
    "gl pvda",
    "glpvda",
    "sp",
    "christenunie",
    "sgp",
    "pvdd",
    "partij voor de dieren",
    "fvd",
    "forum voor democratie",
    "ja21",
    "bbb",
    "boerburgerbeweging",
    "nsc",
    "volt",
    "bij1",
    "50plus",
    "labour",
    "labour party",
    "conservatives",
    "conservative party",
    "tories",
    "tory",
    "democrats",
    "republicans",
    "democratic party",
    "republican party",
    "lib dems",
    "liberal democrats",
    "reform uk",
    "afd",
    "snp",
    "green party",
    "communistische partij",
    "communist party",
];

const ORIGINS: &[&str] = &[
    "marokkaans",
    "marokkaanse",
    "marokkaan",
    "turks",
    "turkse",
    "turk",
    "surinaams",
    "surinaamse",
    "surinamer",
    "antilliaans",
    "antilliaanse",
    "antilliaan",
    "moluks",
    "molukse",
    "molukker",
    "indisch",
    "indische",
    "kaapverdiaans",
    "kaapverdiaanse",
    "somalisch",
    "somalische",
    "eritrees",
    "eritrese",
    "syrisch",
    "syrische",
    "afghaans",
    "afghaanse",
    "koerdisch",
    "koerdische",
    "kurdish",
    "berber",
    "amazigh",
    "arabisch",
    "arabische",
    "arab",
    "black",
    "zwart",
    "zwarte",
    "aziatisch",
    "aziatische",
    "asian",
    "latino",
    "latina",
    "hispanic",
    "african",
    "afrikaans",
    "afrikaanse",
    "afro",
    "caribbean",
    "caraibisch",
    "moroccan",
    "turkish",
    "surinamese",
    "polish",
    "pools",
    "poolse",
    "romanian",
    "roemeens",
    "roemeense",
    "bulgarian",
    "bulgaars",
    "bulgaarse",
    "nigerian",
    "ghanaian",
    "ghanees",
    "pakistani",
    "pakistaans",
    "indian",
    "chinese",
    "chinees",
    "roma",
    "sinti",
    "mixed race",
    "biracial",
    "allochtoon",
    "allochtone",
    "jewish",
    "joods",
    "joodse",
];

const COUNTRIES: &[&str] = &[
    "marokko",
    "morocco",
    "turkije",
    "turkey",
    "suriname",
    "curacao",
    "aruba",
    "somalie",
    "somalia",
    "eritrea",
    "syrie",
    "syria",
    "afghanistan",
    "irak",
    "iraq",
    "iran",
    "polen",
    "poland",
    "roemenie",
    "romania",
    "bulgarije",
    "bulgaria",
    "nigeria",
    "ghana",
    "pakistan",
    "india",
    "china",
    "kaapverdie",
    "cape verde",
    "ethiopie",
    "ethiopia",
    "egypte",
    "egypt",
    "indonesie",
    "indonesia",
    "vietnam",
    "jamaica",
    "congo",
    "sudan",
    "soedan",
    "oekraine",
    "ukraine",
    "rusland",
    "russia",
    "libanon",
    "lebanon",
    "algerije",
    "algeria",
    "tunesie",
    "tunisia",
    "koerdistan",
    "kurdistan",
    "molukken",
];

type Templates = &'static [&'static str];

/// Every rule group: its category, positive templates and veto templates.
pub(super) const RULES: &[(SensitiveCategory, Templates, Templates)] = &[
    (Health, HEALTH, &[]),
    (Health, HEALTH_SICK, HEALTH_SICK_VETO),
    (Health, HEALTH_LIMITATION, HEALTH_LIMITATION_VETO),
    (Religion, RELIGION, &[]),
    (Ethnicity, ETHNICITY, &[]),
    (Politics, POLITICS, &[]),
    (TradeUnion, TRADE_UNION, &[]),
    (SexualOrientation, SEXUAL_ORIENTATION, &[]),
    (Biometric, BIOMETRIC, &[]),
    (Genetic, GENETIC, &[]),
    (Criminal, CRIMINAL, &[]),
];

const HEALTH: &[&str] = &[
    r" (?:ziekenhuis|ziekenhuisopname|diagnose|gediagnosticeerd|chemo|chemokuur|chemokuren|chemotherapie|bestraling|bestralingen|radiotherapie|zwanger|zwangere|zwangerschap|zwangerschapsverlof|bevallen|bevalling|miskraam|ivf|medicijn|medicijnen|medicatie|insuline|diabetes|diabeet|suikerziekte|depressie|depressief|depressieve|burnout|burn out|overspannen|angststoornis|paniekaanval|paniekaanvallen|ptss|adhd|autisme|autistisch|autistische|epilepsie|dementie|dement|alzheimer|parkinson|hiv|soa|astma|coeliakie|handicap|gehandicapt|gehandicapte|rolstoelgebruiker|doof|slechthorend|slechtziend|slechtziende|psycholoog|psychiater|psychiatrie|psychiatrisch|ggz|therapeut|fysiotherapeut|fysiotherapie|huisarts|tandarts|operatie|geopereerd|revalidatie|revalideren|hartaanval|hartinfarct|herseninfarct|beroerte|verslaafd|verslaving|afkickkliniek|anorexia|boulimia|eetstoornis|arbeidsongeschikt|ziekmelding|ziekgemeld|ziekteverlof|ziektewet|leukemie|dialyse|transplantatie|pacemaker|gehoorapparaat|kraamzorg|verloskundige|gynaecoloog|oncoloog|cardioloog|neuroloog|kankerpatient|kankerbehandeling|[a-z]+kanker|tumor|tumoren|erectiestoornis|viagra|hospital|hospitalized|hospitalised|hospitalisation|diagnosed|diagnosis|chemotherapy|radiotherapy|radiation therapy|pregnant|pregnancy|maternity leave|miscarriage|medication|medications|medicine|medicines|prescription|prescriptions|insulin|diabetic|depression|depressed|anxiety|panic attack|panic attacks|burned out|burnt out|ptsd|autism|autistic|epilepsy|epileptic|dementia|alzheimers|parkinsons|asthma|coeliac|celiac|wheelchair user|deaf|hard of hearing|visually impaired|partially sighted|psychologist|psychiatrist|therapist|therapy|physiotherapist|physiotherapy|physio|surgery|heart attack|rehab|rehabilitation|addiction|addicted|eating disorder|sick leave|sick note|disability|disabilities|mental health|mentally ill|terminally ill|cancer|tumour|leukemia|leukaemia|dialysis|transplant|hearing aid|hearing aids|midwife|gynaecologist|gynecologist|oncologist|cardiologist|neurologist|erectile|unwell|onwel) ",
    r" (?:heb|had|hebben|heeft|hadden|kreeg|krijgt|gekregen|aan|met|vanwege|door|tegen|sinds|diagnose|behandeling voor|behandeld voor|overleden aan) (?:{W}){0,2}kanker ",
    r" (?:ik ben|ben|is|am|im|i m|was|word|wordt|legally|partially|half|bijna|nearly|almost|colour|color|kleuren|going) blind ",
    r" (?:ik ben|ben|im|i am|i m|is|am|mijn (?:{FAMILY}) is|my (?:{FAMILY}) is) (?:{W})?(?:allergisch|allergic) ",
    r" (?:ik heb|i have|heb|have|has|heeft|mijn|my|vanwege mijn|because of my|door mijn) (?:een |an |a |ernstige |severe |zware )?(?:[a-z]+allergie|allergie|allergy|allergies|voedselallergie|food allergy|nut allergy|notenallergie) ",
    r" (?:mijn|my|our|onze|zijn|haar|his|her|in een|in a|use a|uses a|gebruik een|i use|ik zit in|zit in) (?:{W})?(?:wheelchair|rolstoel|rollator|walker) ",
    r" (?:im|i am|i m|being|as a|my (?:{FAMILY}) is) (?:{W})?disabled ",
    r" disabled (?:person|people|customer|child|son|daughter|husband|wife|parking|badge|toilet|access|passenger|traveller|traveler) ",
    r" (?:mijn|my|our|onze|zijn|haar|his|her) (?:dokter|doctor|arts|gp|huisarts|behandelaar) (?:{W}){0,3}(?:zegt|zei|said|says|advised|adviseerde|told|heeft|has|gave|gaf|wrote|schreef|prescribed|schreef voor|recommended) ",
    r" (?:naar de|bij de|to the|at the|see a|see my|zie de|van de|from the|from my) (?:dokter|doctor|arts|huisarts|gp) ",
    r" (?:had|got|suffered|after|na|since|sinds) (?:a |an |my |his |her |mijn |een |zijn |haar )?(?:stroke|beroerte|operation|operatie|infarct|hersenschudding|concussion) ",
    r" (?:heb|had|have|has|got|positive|positief|besmet|ziek|sick|tested) (?:{W}){0,2}(?:corona|covid|covid19|coronavirus) ",
    r" (?:ik ben|im|i am|i m|mijn (?:{FAMILY}) is|my (?:{FAMILY}) is) (?:{W})?(?:ingestort|opgenomen|in the hospital|in hospital|in het ziekenhuis|overspannen|depressief|zwanger|pregnant|bedridden|bedlegerig) ",
];

/// "ik was ziek", "I was sick", "seriously ill"; not "sick of waiting".
const HEALTH_SICK: &[&str] = &[
    r" (?:ziek|zieke|ziekte|ziektes|sick|illness|illnesses|sickness) ",
    r" (?:am|was|been|is|are|were|fell|became|become|seriously|terminally|mentally|critically|chronically|very|too|got|im|i m|being|getting|felt|feel|feeling|quite|really) ill ",
];

const HEALTH_SICK_VETO: &[&str] = &[
    r" (?:sick|ziek) (?:of|and tired|to death|van jullie|van je|van dit|van dat|van deze|van die|van jou|van het wachten|van al|van jullie service) ",
    r" (?:that s|thats|so|echt|zo|super) (?:sick|ziek) (?:\||!|, |man|bro) ",
];

/// Functional limitations: "ik heb een beperking", "met een visuele beperking".
const HEALTH_LIMITATION: &[&str] = &[
    r" (?:een|mijn|zijn|haar|lichamelijke|verstandelijke|visuele|auditieve|fysieke|psychische|functie|met een) beperking ",
    r" (?:functiebeperking|verstandelijk beperkt|lichamelijk beperkt|visueel beperkt|auditief beperkt) ",
];

const HEALTH_LIMITATION_VETO: &[&str] =
    &[r" beperking (?:van|op|in|tot|voor) (?:de|het|uw|je|onze|garantie|aansprakelijkheid) "];

const RELIGION: &[&str] = &[
    r" (?:moslim|moslima|moslims|muslim|muslims|islam|islamitisch|islamitische|islamic|christelijk|christelijke|christendom|christenen|christianity|katholiek|katholieke|catholic|protestant|protestants|protestantse|evangelisch|evangelische|jood|joods|joodse|jodendom|jewish|judaism|hindoe|hindoes|hindoeistisch|hindoeistische|hindu|hinduism|boeddhist|boeddhistisch|boeddhistische|boeddhisme|buddhist|buddhism|sikh|atheist|atheistisch|agnost|agnostic|ramadan|suikerfeest|offerfeest|eid mubarak|moskee|mosque|synagoge|synagogue|kerkdienst|kerkganger|kerkgenootschap|kerkelijk|kerkelijke|churchgoer|gelovig|gelovige|religie|religieus|religieuze|religion|religious|geloofsovertuiging|levensbeschouwing|sabbat|sjabbat|shabbat|sabbath|gebedsruimte|prayer room|prayer times|gebedstijden|imam|rabbi|rabbijn|dominee|pastoor|priester|jehova|jehovah|mormoon|mormon|vrijzinnig|gereformeerd|gereformeerde|hervormd|hervormde) ",
    r" (?:im|i am|i m|a|as a|devout|practicing|practising|born again|being|we are|were|wij zijn|ik ben|als) (?:een )?(?:christian|christen) ",
    r" christian (?:faith|church|belief|beliefs|values|school|community) ",
    r" (?:naar de|mijn|onze|our|my|to|at|in de) (?:kerk|church) ",
    r" (?:mijn|ons|onze|het|my|our|vanwege mijn|because of my) (?:geloof|faith|religie|religion) ",
    r" (?:mijn|my|ik draag|i wear|draag ik|wearing|dragen van) (?:een |a |mijn |my )?(?:hoofddoek|headscarf|hijab|keppel|kippah|yarmulke|tulband|turban) ",
];

const ETHNICITY: &[&str] = &[
    r" (?:etniciteit|etnische|etnisch|ethnicity|ethnic|afkomst|huidskleur|skin colour|skin color|migratieachtergrond|migration background|allochtoon|allochtone|woonwagenbewoner) ",
    r" (?:of|van) [a-z]+ (?:descent|afkomst|heritage|origin|origins|komaf) ",
    r" (?:mijn|my|our|onze|zijn|haar|his|her) (?:heritage|ethnicity|etniciteit|roots|huidskleur|skin colour|skin color|race|wortels|achtergrond als) ",
    r" (?:ik ben|im|i am|i m|als|as a|as an|wij zijn|we are|mijn (?:{FAMILY}) is|mijn (?:{FAMILY}) zijn|my (?:{FAMILY}) is|my (?:{FAMILY}) are|ben) (?:een |a |an |half )?(?:{ORIGIN}) ",
    r" (?:ik kom|wij komen|we komen|i come|i am|im|i m|we are|originally|oorspronkelijk|mijn ouders komen|my parents are|my parents come) (?:{W}){0,1}(?:uit|from) (?:{COUNTRY}) ",
    r" (?:geboren|born|grew up|opgegroeid) (?:{W}){0,1}(?:in|uit) (?:{COUNTRY}) ",
];

const POLITICS: &[&str] = &[
    r" (?:politieke|political) (?:voorkeur|overtuiging|overtuigingen|partij|kleur|mening|opvattingen|achtergrond|views|opinion|opinions|beliefs|party|affiliation|preference|leanings|activist) ",
    r" (?:partijlid|party member|partijlidmaatschap|party membership) ",
    r" (?:lid van|member of|lid bij|actief bij|active in|campaign for|campagne voor|volunteer for|vrijwilliger bij) (?:de |het |the )?(?:{PARTY}) ",
    r" (?:stem|stemde|stemmen|gestemd|vote|voted|voting|i vote|ik stem) (?:{W}){0,2}(?:op |voor |for |)(?:de |het |the )?(?:{PARTY}) ",
    r" (?:ik ben|im|i am|i m|als|as a) (?:een |a |an )?(?:democrat|republican|socialist|socialiste|communist|communistisch|anarchist|fascist|marxist|tory|labour voter|vvder|pvver|klimaatactivist|climate activist|political activist|partijlid) ",
];

const TRADE_UNION: &[&str] = &[
    r" (?:vakbond|vakbonden|vakbondslid|vakbondsleden|vakbondslidmaatschap|vakbondscontributie|fnv|cnv|vcp|trade union|trade unions|labour union|labor union|union member|union membership|union dues|union rep|union representative|shop steward|kaderlid) ",
    r" (?:my|our|join|joined|joining|member of the|member of a|lid van de) union ",
];

const SEXUAL_ORIENTATION: &[&str] = &[
    r" (?:homo|homos|homoseksueel|homoseksuele|homofiel|gay|lesbisch|lesbische|lesbienne|lesbian|biseksueel|biseksuele|bisexual|queer|lhbti|lhbtiq|lhbtiq\+|lgbt|lgbtq|lgbtqia|transgender|transgenders|transseksueel|transseksuele|transsexual|non binair|nonbinair|non binary|nonbinary|aseksueel|asexual|pansexual|panseksueel|geaardheid|seksuele voorkeur|seksuele orientatie|sexual orientation|sexual preference|seksleven|sex life|seksuele leven) ",
    r" (?:ik ben|im|i am|i m|als|as a|mijn (?:{FAMILY}) is|my (?:{FAMILY}) is) (?:een |a |an )?trans ",
    r" (?:uit de kast gekomen|uit de kast komen|uit de kast kwam|came out as|come out as|coming out as) ",
];

const BIOMETRIC: &[&str] = &[
    r" (?:vingerafdruk|vingerafdrukken|fingerprint|fingerprints|gezichtsherkenning|face recognition|facial recognition|gezichtsscan|face scan|irisscan|iris scan|retinascan|retina scan|handpalmscan|palm scan|stemherkenning|voice recognition|voiceprint|voice print|biometrie|biometrisch|biometrische|biometric|biometrics|face id|faceid|touch id|touchid) ",
];

const GENETIC: &[&str] = &[
    r" (?:dna|dnatest|dna test|dna onderzoek|dna analyse|genetisch|genetische|genetic|genetics|genoom|genome|gentest|genetic test|erfelijk|erfelijke|hereditary|brca|brca1|brca2|23andme|ancestrydna|erfelijkheidsonderzoek|dragerschap|carrier test|paternity test|vaderschapstest) ",
];

const CRIMINAL: &[&str] = &[
    r" (?:strafblad|strafbladen|justitiele documentatie|veroordeeld|veroordeling|veroordelingen|criminal record|criminal conviction|criminal history|police record|convicted|conviction|convictions|vog|verklaring omtrent gedrag|certificate of conduct|gevangenis|gevangenisstraf|gedetineerd|gedetineerde|detentie|celstraf|taakstraf|werkstraf|enkelband|reclassering|voorwaardelijke straf|voorwaardelijk vrij|prison|jail|jailed|imprisoned|incarcerated|probation officer|parole|community service order|gearresteerd|arrested|strafzaak|strafrechtelijk|strafrechtelijke|criminal case|felony|misdemeanor|misdemeanour|rijontzegging|rijverbod|driving ban|ex gedetineerde|ex con|ex convict|tbs|bajes) ",
    r" (?:ik ben|als|was ik|i am|im|i m|as a) (?:de |een |a |the )?(?:verdachte|suspect) ",
    r" aangifte (?:{W}){0,2}tegen (?:mij|me|mijn (?:{FAMILY})) ",
    r" (?:opgepakt|aangehouden) (?:{W}){0,3}(?:politie|police|agenten) ",
    r" (?:politie|police) (?:{W}){0,3}(?:opgepakt|aangehouden|arrested|arrest) ",
];
