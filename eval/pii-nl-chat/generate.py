#!/usr/bin/env python3
"""Generate the Dutch chat-style PII evaluation set eval/pii-nl-chat/nl-chat.jsonl.

There is no public Dutch PII set of customer-service chat messages, so this script makes one.
About 60 of the English sentence templates of presidio-research
(presidio_evaluator/data_generator/raw_data/templates.txt, MIT) were translated by hand into
Dutch chat style (informal, typos left out, the register customers use with a webshop, bank or
energy company); a few Dutch-only templates add what the English set lacks (BSN, licence plates,
KvK, postcodes, dates of birth) and negatives with order and invoice numbers that must not be
reported as BSN. The templates are filled with Dutch values:

- names: first names and surnames from the filenthropist gazetteers (names-nl, MIT), with
  tussenvoegsels, initials and titles;
- streets from a hand-written list of common Dutch street names, house numbers with suffixes;
- postcodes (never SA, SD, SS), IBANs with valid MOD 97-10 check digits (Dutch banks and a few
  neighbouring countries), BSNs passing the elfproef, Luhn-valid card numbers, phone numbers in
  the notations Dutch people type, licence plates of several sidecodes, e-mail addresses.

Output: one JSON object per line, {"text", "spans": [{"type", "start", "end"}]}, offsets in
Unicode characters, end exclusive, types as in `loket pii scan`.

Usage: python3 generate.py [path/to/shared/data/names-nl]   (stdlib only, fixed seed)
"""
import json
import pathlib
import random
import sys
import unicodedata

SEED = 20261128
COUNT = 1000

HERE = pathlib.Path(__file__).resolve().parent
NAMES = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "../../../shared/data/names-nl"

# Translated presidio templates (the English original is in the comment above each group) and
# Dutch-only templates. Slots: {person} full name, {first_name}, {last_name}, {title_person}
# (title + surname, the title not part of the span), {address} street + number, {postcode},
# {city}, {phone}, {email}, {iban}, {bsn}, {card}, {plate}, {ip}, {dob}, {kvk}, {order} (a
# nine-digit order number, never labelled), {amount}.
TEMPLATES = [
    # I want to increase limit on my card # {{credit_card_number}} for certain duration of time.
    "Ik wil de limiet van mijn kaart {card} tijdelijk verhogen, kan dat?",
    # My credit card {{credit_card_number}} has been lost, Can I request you to block it.
    "Mijn creditcard {card} is kwijt, kunnen jullie hem blokkeren?",
    # Need to change billing date of my card {{credit_card_number}}
    "ik wil de afschrijfdatum van mijn kaart {card} wijzigen",
    # I want to update my primary and secondary address to the same: {{address}}
    "Ik wil mijn adres en postadres allebei wijzigen naar {address}, {postcode} {city}",
    # In case of my child's account, we need to add {{person}} as guardian
    "Voor de rekening van mijn kind moeten we {person} als voogd toevoegen",
    # Are there any charges applied for money transfer from {{iban}} to other bank accounts
    "Zijn er kosten als ik geld overmaak van {iban} naar een andere bank?",
    # Not getting bank documents to my address. Can you please validate the following? {{address}}
    "Ik krijg geen post van de bank. Klopt dit adres wel? {address} {postcode} {city}",
    # Please update the billing address with {{address}} for this card: {{credit_card_number}}
    "Graag factuuradres aanpassen naar {address} voor deze kaart: {card}",
    # I have lost my card {{credit_card_number}}. Could you please block my credit card ASAP ? My name is {{person}}.
    "Ik ben mijn pas {card} verloren. Kunnen jullie hem zsm blokkeren? Mijn naam is {person}.",
    # I have done an online order but didn't get any message on my registered {{phone_number}}.
    "Ik heb online besteld maar geen sms gekregen op mijn nummer {phone}. Kunnen jullie kijken?",
    # How do I change the address linked to my credit card to {{address}}?
    "Hoe verander ik het adres van mijn creditcard naar {address}?",
    # Could you please email me the statement for last month , my credit card number is {{credit_card_number}}?
    "Kunnen jullie het overzicht van vorige maand mailen? Mijn creditcardnummer is {card}",
    # Could you please send me the last billed amount for cc {{credit_card_number}} on my e-mail {{email}}?
    "Kun je het laatste bedrag van cc {card} naar mijn mail {email} sturen?",
    # How do I change my address to {{address}} for post mail?
    "hoe wijzig ik mijn adres naar {address}, {postcode} {city} voor de post?",
    # My name appears incorrectly on credit card statement could you please correct it to {{prefix}} {{name}}?
    "Mijn naam staat verkeerd op het afschrift, kunnen jullie het verbeteren naar {title_person}?",
    # Please have the manager call me at {{phone_number}} I'd like to join accounts with ms. {{first_name}}
    "Wil de manager me terugbellen op {phone}? Ik wil een en/of-rekening met mevr. {last_name}",
    # {{first_name}}, can I please speak to your boss?
    "{first_name}, kan ik je leidinggevende spreken?",
    # Will my account stay active? It's under my partner's name {{person}}
    "Blijft mijn account actief? Het staat op naam van mijn partner {person}",
    # Bot: What's the name on the account? User: {{person}}
    "Bot: Op welke naam staat het account? Klant: {person}",
    # The name in the account is not correct, please change it to {{person}}
    "De naam op het account klopt niet, graag wijzigen in {person}",
    # Hello, this is {{prefix_male}} {{name_male}}. Who are you?
    "Hallo, u spreekt met {title_person}. Met wie spreek ik?",
    # I want to add {{person}} as a beneficiary to my account
    "Ik wil {person} als begunstigde aan mijn rekening toevoegen",
    # My name is {{first_name}}
    "Mijn naam is {first_name}",
    # My name is {{person}} but everyone calls me {{first_name}}
    "Ik heet {person} maar iedereen noemt me {first_name}",
    # What's your last name? {{last_name}}
    "Wat is uw achternaam? {last_name}",
    # Hi {{first_name}}, I'm contacting you about a problem I have with sending a wire transfer using this IBAN {{iban}}
    "Hoi {first_name}, ik heb een probleem met een overboeking naar dit IBAN {iban}",
    # She was born on {{date_of_birth}}. Her maiden name is {{last_name}}
    "Ze is geboren op {dob}. Haar meisjesnaam is {last_name}",
    # Maybe it's under {{person}}
    "Misschien staat het op naam van {person}",
    # {{person}} from {{organization}} is the keynote speaker
    "{person} van Bol.com geeft de openingsspeech",
    # {{first_name}} is very reliable. You can always depend on him.
    "{first_name} is heel betrouwbaar, op hem kun je altijd rekenen.",
    # {{name}} lives at {{building_number}} {{street_name}}, {{city}}
    "{person} woont op {address}, {city}",
    # {{first_name_male}} had given {{first_name}} his address: {{building_number}} {{street_name}}, {{city}}
    "{first_name} had zijn adres aan {first_name} gegeven: {address}, {city}",
    # Billing address: {{name}}\n {{building_number}} {{street_name}} {{secondary_address}}\n {{city}}\n {{zipcode}}
    "Factuuradres: {person}\n{address}\n{postcode} {city}",
    # As promised, here's {{first_name}}'s address:\n\n{{address}}
    "Zoals beloofd het adres van {first_name}:\n\n{address}\n{postcode} {city}",
    # Name: {{name}}\nAddress: {{address}}
    "Naam: {person}\nAdres: {address}, {postcode} {city}",
    # Follow up with {{name}} in a couple of months.
    "Over een paar maanden even opvolgen met {person}.",
    # Date: {{date_time}}\nName: {{name}}\nPhone: {{phone_number}}
    "Datum: 12-03-2025\nNaam: {person}\nTelefoon: {phone}",
    # I'm {{name}}, originally from {{city}}, and i'm {{age}} y/o.
    "Ik ben {person}, oorspronkelijk uit {city}, en ik ben 34.",
    # {{name}}\n\n{{job}}\n\nPersonal Info:\nPhone:\n{{phone_number}}\n\nE-mail:\n{{email}}
    "{person}\n\nPersoonlijke gegevens:\nTelefoon:\n{phone}\n\nE-mail:\n{email}",
    # {{name}}\n{{organization}}\n{{address}}\nMobile: {{phone_number}}\nDesk: {{phone_number}}
    "{person}\nKlantenservice\n{address}\n{postcode} {city}\nMobiel: {phone}\nVast: {phone}",
    # They're not answering at {{phone_number}}
    "Ze nemen niet op bij {phone}",
    # I would like to stop receiving messages to {{phone_number}}
    "Ik wil geen berichten meer ontvangen op {phone}",
    # Can someone call me on {{phone_number}}? I have a question about opening an account.
    "Kan iemand me bellen op {phone}? Ik heb een vraag over een rekening openen.",
    # Please send it to {{email}}
    "Stuur het maar naar {email} aub",
    # My email is {{email}}
    "mijn mail is {email}",
    # What is your IP address? {{ip_address}}
    "Wat is je IP-adres? {ip}",
    # Our servers are at {{ip_address}}
    "Onze router heeft adres {ip}, de storing blijft",
    # Please transfer {{amount}} to {{iban}}
    "Wil je {amount} overmaken naar {iban} t.n.v. {person}?",
    # I'd like to pay with card {{credit_card_number}} expiring next year
    "Ik wil betalen met kaart {card}, die verloopt volgend jaar",
    # His social security number is {{ssn}}
    "Zijn BSN is {bsn}",
    # My social security number is {{ssn}}
    "mijn burgerservicenummer is {bsn}",
    # My driver's license number is {{us_driver_license}}
    "Het kenteken van mijn auto is {plate}",
    # {{prefix}} {{last_name}} flew to {{city}} on {{day_of_week}} morning.
    "{title_person} vloog maandagochtend naar {city}.",
    # Sometimes people call me {{first_name}}
    "Soms noemen mensen me {first_name}",
    # I would like to remove my kid {{first_name}} from the will.
    "Ik wil mijn zoon {first_name} van de polis halen. Hoe doe ik dat?",
    # Who's coming with me? {{person}}
    "Wie gaat er mee? {person} en {person}",
    # Can I withdraw cash using my card {{credit_card_number}} at the ATM?
    "Kan ik met mijn pas {card} geld opnemen bij de automaat?",
    # The account {{iban}} belongs to {{person}}
    "Rekening {iban} staat op naam van {person}",
    # {{name}}, the {{job}}, said: "I'm glad to hear that this has been withdrawn"
    "{person}, de boekhouder, zei: \"Fijn dat dit is ingetrokken.\"",
    # My great great grandfather was called {{name_male}}
    "Mijn opa heette {person}",
    # Dutch-only templates.
    "Hallo, mijn BSN is {bsn} en mijn geboortedatum is {dob}",
    "Geboren op {dob}, BSN {bsn}. Wat hebben jullie nog meer nodig?",
    "Mijn bestelnummer is {order}, waar blijft mijn pakket?",
    "Factuur {order} is nog niet betaald volgens jullie, maar ik heb het overgemaakt",
    "order {order} is beschadigd aangekomen",
    "Ik heb {amount} betaald voor bestelling {order}",
    "Graag contact via {email} of {phone}",
    "Mijn kenteken is {plate}, de parkeerboete klopt niet",
    "Auto met kenteken {plate} staat al 3 dagen op mijn plek",
    "KvK-nummer {kvk}, btw-plichtig sinds 2021",
    "Mijn postcode is {postcode} en huisnummer {number}",
    "Wij zijn verhuisd naar {address}, {postcode} {city}. Graag aanpassen!",
    "Met vriendelijke groet,\n{person}",
    "Groetjes,\n{first_name}",
    "Kunt u mij terugbellen? {phone}. Groet, {title_person}",
    "Wanneer wordt mijn pakket bezorgd op {address}?",
    "De monteur komt morgen naar {address} in {city}",
    "Hoe lang duurt een overboeking naar een andere bank?",
    "Ik wil een medewerker spreken over mijn factuur van vorige maand.",
    "Kan ik mijn abonnement opzeggen per 1 januari?",
]

STREETS = [
    "Kerkstraat", "Dorpsstraat", "Schoolstraat", "Molenstraat", "Stationsweg", "Molenweg",
    "Julianastraat", "Wilhelminastraat", "Beatrixlaan", "Nieuwstraat", "Hoofdstraat",
    "Eikenlaan", "Lindelaan", "Kastanjelaan", "Parallelweg", "Industrieweg", "Sportlaan",
    "Marktplein", "Prinsengracht", "Keizersgracht", "Oudegracht", "Havenkade", "Nieuwe Binnenweg",
    "Burgemeester de Withstraat", "Van Woustraat", "Ferdinand Bolstraat", "Laan van Meerdervoort",
    "Zeedijk", "Singel", "Westersingel", "Vondelstraat", "Rozengracht", "Dorpsweg",
    "Emmalaan", "Oranjestraat", "Spoorlaan", "Tuinstraat", "Voorstraat", "Achterom", "Brink",
]
CITIES = [
    "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Zwolle", "Leiden",
    "Maastricht", "Delft", "Alkmaar", "Venlo", "Leeuwarden", "Assen", "Zeist", "Gouda",
]
TUSSENVOEGSELS = ["van", "de", "van der", "van den", "van de", "den", "ter", "te", "van 't"]
TITLES = ["dhr.", "mevr.", "meneer", "mevrouw", "Dhr.", "Mevr."]
BANKS = ["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ", "RBRB"]
MAIL_DOMAINS = ["gmail.com", "hotmail.nl", "ziggo.nl", "kpnmail.nl", "outlook.com", "live.nl", "xs4all.nl", "planet.nl"]
AREA_CODES = ["010", "020", "023", "030", "035", "040", "043", "050", "053", "070", "071", "073", "076", "0111", "0172", "0318", "0481", "0592"]


def ascii_fold(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def load_names():
    first = json.loads((NAMES / "dutch_first_names.json").read_text(encoding="utf-8"))
    last = json.loads((NAMES / "dutch_last_names.json").read_text(encoding="utf-8"))
    # The capped top of the first-name list holds the common names; entries with counts
    # between 2 and 999 are mostly scraped words and are skipped (see derive.py).
    first_names = sorted(n for n, c in first.items() if c >= 1000 and n.isalpha() and len(n) > 2)
    tail = sorted(n for n, c in first.items() if c == 1 and n.isalpha() and n[0].isupper() and 3 <= len(n) <= 9)
    surnames = [n for n, _ in sorted(last.items(), key=lambda kv: (-kv[1], kv[0]))[:8000] if n.replace("-", "").isalpha()]
    return first_names, tail, surnames


def mod97(text):
    value = "".join(str(int(c, 36)) for c in text)
    return int(value) % 97


def iban(rng):
    country = rng.choices(["NL", "BE", "DE"], weights=[8, 1, 1])[0]
    if country == "NL":
        bban = rng.choice(BANKS) + "".join(rng.choice("0123456789") for _ in range(10))
    elif country == "BE":
        bban = "".join(rng.choice("0123456789") for _ in range(12))
    else:
        bban = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - mod97(bban + country + "00")
    compact = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return compact if rng.random() < 0.8 else compact.lower()


def elfproef(digits):
    total = sum(w * int(d) for w, d in zip([9, 8, 7, 6, 5, 4, 3, 2, -1], digits))
    return total % 11 == 0 and digits != "000000000"


def bsn(rng):
    while True:
        digits = "".join(rng.choice("0123456789") for _ in range(9))
        if digits[0] != "0" and elfproef(digits):
            break
    style = rng.random()
    if style < 0.7:
        return digits
    if style < 0.85:
        return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"
    return f"{digits[:4]} {digits[4:6]} {digits[6:]}"


def luhn_complete(prefix, length, rng):
    digits = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        candidate = digits + check
        total = 0
        for i, d in enumerate(reversed(candidate)):
            n = int(d)
            if i % 2 == 1:
                n *= 2
                if n > 9:
                    n -= 9
            total += n
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def card(rng):
    kind = rng.random()
    if kind < 0.5:
        number = luhn_complete("4", 16, rng)
    elif kind < 0.85:
        number = luhn_complete(str(rng.randint(51, 55)), 16, rng)
    else:
        number = luhn_complete(rng.choice(["34", "37"]), 15, rng)
    style = rng.random()
    if style < 0.5 and len(number) == 16:
        return " ".join(number[i:i + 4] for i in range(0, 16, 4))
    if style < 0.65 and len(number) == 16:
        return "-".join(number[i:i + 4] for i in range(0, 16, 4))
    return number


def phone(rng):
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    if rng.random() < 0.6:
        rest = rng.choice("12345678") + digits(7)
        style = rng.randrange(9)
        return [
            f"06-{rest}", f"06 {rest}", f"06{rest}", f"+31 6 {rest}", f"+316{rest}",
            f"0031 6 {rest[:4]} {rest[4:]}", f"06 {rest[:3]} {rest[3:6]} {rest[6:]}",
            f"06-{rest[:4]} {rest[4:]}", f"+31 (0)6 {rest[:2]} {rest[2:4]} {rest[4:6]} {rest[6:]}",
        ][style]
    area = rng.choice(AREA_CODES)
    local = rng.choice("23456789") + digits(9 - len(area))
    national = area[1:]
    style = rng.randrange(6)
    return [
        f"{area}-{local}", f"{area} {local[:3]} {local[3:]}", f"({area}) {local}",
        f"+31 {national} {local}", f"+31 (0){national} {local}", f"{area}{local}",
    ][style]


def plate(rng):
    consonants = "BDFGHJKLMNPRSTVXZ"
    letter = lambda: rng.choice(consonants)
    digit = lambda: rng.choice("0123456789")
    code = rng.randrange(6)
    parts = [
        [letter() + letter(), digit() + digit(), letter() + letter()],  # 4
        [digit() + digit(), letter() + letter() + letter(), digit()],  # 7
        [digit(), letter() + letter() + letter(), digit() + digit()],  # 8
        [letter() + letter(), digit() + digit() + digit(), letter()],  # 9
        [letter(), digit() + digit() + digit(), letter() + letter()],  # 10
        [letter() + letter() + letter(), digit() + digit(), letter()],  # 11
    ][code]
    return "-".join(parts) if rng.random() < 0.8 else "".join(parts)


def postcode(rng):
    while True:
        letters = rng.choice("ABCDEGHJKLMNPRSTVWXZ") + rng.choice("ABCDEGHJKLMNPRSTVWXZ")
        if letters not in ("SA", "SD", "SS"):
            break
    number = rng.randint(1000, 9999)
    return f"{number} {letters}" if rng.random() < 0.7 else f"{number}{letters}"


def dob(rng):
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
    return rng.choice([f"{day:02d}-{month:02d}-{year}", f"{day} {months[month - 1]} {year}", f"{day}/{month}/{year}", f"{year}-{month:02d}-{day:02d}"])


class Filler:
    def __init__(self, rng, names):
        self.rng = rng
        self.first_names, self.tail, self.surnames = names

    def first(self):
        return self.rng.choice(self.first_names) if self.rng.random() < 0.85 else self.rng.choice(self.tail)

    def last(self):
        surname = self.rng.choice(self.surnames)
        if self.rng.random() < 0.3:
            surname = f"{self.rng.choice(TUSSENVOEGSELS)} {surname}"
        return surname

    def person(self):
        style = self.rng.random()
        if style < 0.12:
            initials = "".join(f"{self.rng.choice('ABCDEFGHJKLMNPRSTW')}." for _ in range(self.rng.randint(1, 2)))
            return f"{initials} {self.last()}"
        return f"{self.first()} {self.last()}"

    def value(self, slot):
        rng = self.rng
        if slot == "person":
            return self.person(), "PERSON", None
        if slot == "first_name":
            return self.first(), "PERSON", None
        if slot == "last_name":
            surname = self.last()
            return surname[0].upper() + surname[1:], "PERSON", None
        if slot == "title_person":
            title = rng.choice(TITLES)
            surname = self.last()
            return surname, "PERSON", title + " "
        if slot == "address":
            suffix = rng.choice(["", "", "", "a", "b", "-2", " hs", "A"])
            return f"{rng.choice(STREETS)} {rng.randint(1, 250)}{suffix}", "ADDRESS", None
        if slot == "postcode":
            return postcode(rng), "POSTCODE", None
        if slot == "city":
            return rng.choice(CITIES), None, None
        if slot == "phone":
            return phone(rng), "PHONE", None
        if slot == "email":
            first = ascii_fold(self.first()).lower()
            last = ascii_fold(self.rng.choice(self.surnames)).lower().replace(" ", "")
            local = rng.choice([f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}", f"{first}{rng.randint(1, 99)}"])
            return f"{local}@{rng.choice(MAIL_DOMAINS)}", "EMAIL", None
        if slot == "iban":
            return iban(rng), "IBAN", None
        if slot == "bsn":
            return bsn(rng), "BSN", None
        if slot == "card":
            return card(rng), "CREDIT_CARD", None
        if slot == "plate":
            return plate(rng), "LICENSE_PLATE", None
        if slot == "ip":
            return ".".join(str(rng.randint(1, 254)) for _ in range(4)), "IP_ADDRESS", None
        if slot == "dob":
            return dob(rng), "DATE_OF_BIRTH", None
        if slot == "kvk":
            return "".join(rng.choice("0123456789") for _ in range(8)), "KVK", None
        if slot == "order":
            return str(rng.randint(100000000, 999999999)), None, None
        if slot == "number":
            return str(rng.randint(1, 300)), None, None
        if slot == "amount":
            return f"€{rng.randint(5, 900)},{rng.randint(0, 99):02d}", None, None
        raise KeyError(slot)


def fill(template, filler):
    text, spans, rest = "", [], template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        text += head
        value, kind, prefix = filler.value(slot)
        if prefix:
            text += prefix
        if kind:
            spans.append({"type": kind, "start": len(text), "end": len(text) + len(value)})
        text += value
    text += rest
    return {"text": text, "spans": spans}


def main():
    rng = random.Random(SEED)
    filler = Filler(rng, load_names())
    lines = [fill(TEMPLATES[i % len(TEMPLATES)] if i < len(TEMPLATES) else rng.choice(TEMPLATES), filler) for i in range(COUNT)]
    target = HERE / "nl-chat.jsonl"
    with target.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} lines to {target}")


if __name__ == "__main__":
    main()
