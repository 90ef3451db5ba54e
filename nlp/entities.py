"""Numbers, phone numbers, e-mail addresses and yes/no in a message."""

import re

import phonenumbers

from nlp.date_words import DATE_WORDS
from nlp.dates import When
from nlp.text import fold
from nlp.understanding import Entity

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")
REGION_BY_ZONE = {"Europe/Lisbon": "PT", "Atlantic/Madeira": "PT", "Atlantic/Azores": "PT",
                  "Europe/Rome": "IT", "Europe/Madrid": "ES", "Europe/Paris": "FR",
                  "Europe/London": "GB"}
REGION_BY_LANG = {"pt": "PT", "it": "IT", "es": "ES", "fr": "FR", "en": "GB"}
_MORE_NUMBERS = {
    "pt": {"zero": 0, "treze": 13, "catorze": 14, "quatorze": 14, "quinze": 15, "dezasseis": 16,
           "dezesseis": 16, "dezassete": 17, "dezoito": 18, "dezanove": 19, "vinte": 20,
           "trinta": 30, "quarenta": 40, "cinquenta": 50},
    "it": {"zero": 0, "tredici": 13, "quattordici": 14, "quindici": 15, "sedici": 16,
           "diciassette": 17, "diciotto": 18, "diciannove": 19, "venti": 20, "trenta": 30,
           "quaranta": 40, "cinquanta": 50},
    "en": {"zero": 0, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
           "forty": 40, "fifty": 50},
    "es": {"cero": 0, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
           "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "treinta": 30,
           "cuarenta": 40, "cincuenta": 50},
    "fr": {"zero": 0, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17,
           "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "trente": 30, "quarante": 40,
           "cinquante": 50},
}
# Articles that double as "one" are left out: "a", "un", "una", "um", "une".
_ARTICLES = {"a", "un", "una", "um", "uma", "une", "uno"}
YES_NO = {
    "pt": {"sim": True, "claro": True, "ok": True, "okay": True, "pode ser": True,
           "esta bem": True, "ta bem": True, "certo": True, "exato": True, "nao": False,
           "nunca": False, "nada": False},
    "it": {"si": True, "certo": True, "certamente": True, "ok": True, "va bene": True,
           "esatto": True, "d'accordo": True, "no": False, "non": False, "mai": False},
    "en": {"yes": True, "yeah": True, "yep": True, "sure": True, "ok": True, "okay": True,
           "of course": True, "right": True, "no": False, "nope": False, "not": False,
           "never": False},
    "es": {"si": True, "claro": True, "vale": True, "ok": True, "de acuerdo": True,
           "por supuesto": True, "no": False, "nunca": False},
    "fr": {"oui": True, "ouais": True, "si": True, "ok": True, "d'accord": True,
           "bien sur": True, "exactement": True, "non": False, "jamais": False},
}


def number_words(lang: str) -> dict[str, int]:
    known = {w: n for w, n in DATE_WORDS[lang].numbers.items() if w not in _ARTICLES}
    return known | _MORE_NUMBERS[lang]


def _free(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return all(end <= a or start >= b for a, b in taken)


def contact_entities(text: str, lang: str, tz: str) -> tuple[list[Entity], list[tuple[int, int]]]:
    entities: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for m in EMAIL.finditer(text):
        entities.append(Entity("email", m.group(0), m.group(0).lower()))
        taken.append(m.span())
    region = REGION_BY_ZONE.get(tz, REGION_BY_LANG.get(lang, "PT"))
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        if _free(match.start, match.end, taken):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            entities.append(Entity("phone", match.raw_string, e164))
            taken.append((match.start, match.end))
    return entities, taken


def number_entities(text: str, lang: str, taken: list[tuple[int, int]]) -> list[Entity]:
    found: list[tuple[int, Entity]] = []
    for m in NUMBER.finditer(text):
        if _free(*m.span(), taken):
            raw = m.group(0)
            value: int | float = float(raw.replace(",", ".")) if re.search("[.,]", raw) \
                else int(raw)
            found.append((m.start(), Entity("number", raw, value)))
    words = number_words(lang)
    for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)?", text):
        value_of_word = words.get(fold(m.group(0)))
        if value_of_word is not None and _free(*m.span(), taken):
            found.append((m.start(), Entity("number", m.group(0), value_of_word)))
    return [entity for _, entity in sorted(found, key=lambda item: item[0])]


def yes_no(text: str, lang: str) -> Entity | None:
    """Yes or no when the message opens with it: "não, obrigado", "sì certo", "ok"."""
    folded = fold(text)
    for phrase, value in sorted(YES_NO.get(lang, {}).items(), key=lambda item: -len(item[0])):
        m = re.match(rf"\W*({re.escape(phrase)})(?!\w)", folded)
        if m:
            return Entity("yes_no", text[m.start(1) : m.end(1)], value)
    return None


def when_entities(when: When) -> tuple[list[Entity], list[tuple[int, int]]]:
    entities = []
    taken = []
    for kind, start, end, original in when.spans:
        if kind == "date" and when.day is not None:
            value: str = when.day.isoformat()
        elif kind == "time" and when.hour is not None:
            value = when.hour.strftime("%H:%M")
        elif kind == "part_of_day" and when.part_of_day is not None:
            value = when.part_of_day
        else:
            continue
        entities.append(Entity(kind, original, value))
        taken.append((start, end))
    return entities, taken
