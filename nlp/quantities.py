"""How many, which one, and for how long, said in words: "trinta e cinco", "ventisette",
"quarante-cinq", "o primeiro", "the last one", "desde março", "da due anni", "depuis l'été".

Pure functions over the text and the language (and today's date for durations): the dialog reads
them to map an answer onto the bands and the positions a question offers.
"""

import re
from datetime import date

from nlp.date_words import DATE_WORDS
from nlp.entities import number_words
from nlp.text import fold

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")
# Words that join a ten and a unit: "trinta e cinco", "treinta y cinco", "thirty-five".
_JOINERS = {"e", "y", "and", "et"}
_TENS = (20, 30, 40, 50, 60, 70, 80, 90)
_MORE_TENS = {
    "pt": {"sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90, "cem": 100},
    "it": {"sessanta": 60, "settanta": 70, "ottanta": 80, "novanta": 90, "cento": 100},
    "en": {"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100},
    "es": {"sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100},
    "fr": {"soixante": 60, "septante": 70, "octante": 80, "huitante": 80, "nonante": 90,
           "cent": 100},
}
_ORDINALS = {
    "pt": {"primeiro": 1, "primeira": 1, "segundo": 2, "segunda": 2, "terceiro": 3,
           "terceira": 3, "quarto": 4, "quarta": 4, "quinto": 5, "quinta": 5, "sexto": 6,
           "sexta": 6, "ultimo": -1, "ultima": -1, "1o": 1, "2o": 2, "3o": 3, "1a": 1, "2a": 2,
           "3a": 3},
    "it": {"primo": 1, "prima": 1, "secondo": 2, "seconda": 2, "terzo": 3, "terza": 3,
           "quarto": 4, "quarta": 4, "quinto": 5, "quinta": 5, "sesto": 6, "sesta": 6,
           "ultimo": -1, "ultima": -1},
    "en": {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
           "last": -1, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4},
    "es": {"primero": 1, "primera": 1, "primer": 1, "segundo": 2, "segunda": 2, "tercero": 3,
           "tercera": 3, "tercer": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5,
           "sexto": 6, "sexta": 6, "ultimo": -1, "ultima": -1},
    "fr": {"premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2,
           "troisieme": 3, "quatrieme": 4, "cinquieme": 5, "sixieme": 6, "dernier": -1,
           "derniere": -1},
}
# Words around a position that say nothing more: "o primeiro", "the last one", "quello".
_AROUND_POSITIONS = {
    "pt": {"o", "a", "e", "opcao", "quero", "esse", "essa", "pode", "ser", "numero", "por",
           "favor", "dia", "hora"},
    "it": {"il", "la", "l", "lo", "quello", "quella", "va", "bene", "opzione", "numero",
           "per", "favore", "voglio"},
    "en": {"the", "one", "option", "please", "i", "ll", "take", "want", "that", "number"},
    "es": {"el", "la", "lo", "opcion", "quiero", "ese", "esa", "numero", "por", "favor"},
    "fr": {"le", "la", "l", "option", "je", "veux", "prends", "celui", "celle", "ci", "numero",
           "s'il", "vous", "plait"},
}
_UNITS = {
    "pt": {"dia": 1 / 30, "semana": 0.25, "mes": 1, "ano": 12},
    "it": {"giorn": 1 / 30, "settiman": 0.25, "mes": 1, "ann": 12},
    "en": {"day": 1 / 30, "week": 0.25, "month": 1, "year": 12},
    "es": {"dia": 1 / 30, "semana": 0.25, "mes": 1, "ano": 12},
    "fr": {"jour": 1 / 30, "semaine": 0.25, "mois": 1, "an": 12, "annee": 12},
}
_ONE = {"um", "uma", "un", "una", "uno", "a", "an", "une", "one"}
_HALF = {"pt": "meio", "it": "mezzo", "en": "half", "es": "medio", "fr": "demi"}
# "Last year" and the like: counted from the middle of that year.
_LAST_YEAR = {
    "pt": r"(?:o )?ano passado", "it": r"(?:l )?anno scorso", "en": r"last year",
    "es": r"(?:el )?ano pasado", "fr": r"(?:l )?annee derniere",
}
# A season said alone means its latest start: the month it begins.
_SEASONS = {
    "pt": {"primavera": 3, "verao": 6, "outono": 9, "inverno": 12, "natal": 12, "pascoa": 4},
    "it": {"primavera": 3, "estate": 6, "autunno": 9, "inverno": 12, "natale": 12,
           "pasqua": 4},
    "en": {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12, "christmas": 12,
           "easter": 4},
    "es": {"primavera": 3, "verano": 6, "otono": 9, "invierno": 12, "navidad": 12,
           "semana santa": 4},
    "fr": {"printemps": 3, "ete": 6, "automne": 9, "hiver": 12, "noel": 12, "paques": 4},
}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text).replace("'", " "))


def _word_values(lang: str) -> dict[str, int]:
    return number_words(lang) | _MORE_TENS[lang]


def _glued(word: str, values: dict[str, int]) -> int | None:
    """Italian writes tens and units as one word: "trentacinque", "ventotto", "quarantuno"."""
    for tens_word, tens in values.items():
        if tens not in _TENS:
            continue
        for stem in (tens_word, tens_word[:-1]):
            rest = word[len(stem):]
            if word.startswith(stem) and rest and values.get(rest, 10) < 10:
                return tens + values[rest]
    return None


def numbers_in(text: str, lang: str) -> list[float]:
    """Every number said in the text, in figures or words, tens and units joined."""
    values = _word_values(lang)
    found: list[float] = []
    joining = False
    for token in _tokens(text):
        if token[0].isdigit():
            found.append(float(token.replace(",", ".")))
            joining = False
            continue
        parts = token.split("-") if "-" in token else [token]
        value = values.get(token)
        if value is None and len(parts) == 2 and all(p in values for p in parts):
            value = values[parts[0]] + values[parts[1]]
        if value is None and lang == "it":
            value = _glued(token, values)
        if value is None:
            joining = token in _JOINERS and joining
            continue
        if found and value < 10 and (joining or found[-1] in _TENS) and found[-1] in _TENS:
            found[-1] += value
        else:
            found.append(value)
        joining = True
    return found


def position_in(text: str, lang: str) -> int | None:
    """The position a short answer names ("o primeiro", "the last one"): 1-based, -1 for the
    last; None unless the whole answer is a position."""
    ordinals, around = _ORDINALS[lang], _AROUND_POSITIONS[lang]
    tokens = [t for t in _tokens(text) if t not in around]
    if len(tokens) == 1 and tokens[0] in ordinals:
        return ordinals[tokens[0]]
    return None


def months_since(text: str, lang: str, today: date) -> float | None:
    """How long something has lasted, in months: "há 2 anos", "about eight months",
    "desde março", "depuis l'été", "since 2023"; None when no duration is said."""
    folded = " ".join(_tokens(text))
    spoken = _amount(folded, lang)
    if spoken is not None:
        return spoken
    return _since(folded, lang, today)


def _amount(folded: str, lang: str) -> float | None:
    """"2 anos e meio", "eight months", "un an": a count before a unit of time."""
    total, found = 0.0, False
    tokens = folded.split()
    for i in range(1, len(tokens)):
        unit = _unit(tokens[i], lang)
        if unit is None:
            continue
        counted = numbers_in(" ".join(tokens[max(0, i - 3):i]), lang)
        if numbers_in(tokens[i - 1], lang):
            count = counted[-1]
        elif tokens[i - 1] in _ONE:
            count = 1
        else:
            continue
        half = _HALF[lang] in tokens[i + 1:i + 4]
        total += (count + (0.5 if half else 0)) * unit
        found = True
    return total if found else None


def _unit(token: str, lang: str) -> float | None:
    for stem, months in _UNITS[lang].items():
        if token == stem or (token.startswith(stem) and len(token) - len(stem) <= 2):
            return months
    return None


def _since(folded: str, lang: str, today: date) -> float | None:
    if re.search(rf"\b{_LAST_YEAR[lang]}\b", folded):
        return _months_between(date(today.year - 1, 7, 1), today)
    year = re.search(r"\b(19[5-9]\d|20\d\d)\b", folded)
    if year and int(year.group(1)) <= today.year:
        return _months_between(date(int(year.group(1)), 7, 1), today)
    names = {**DATE_WORDS[lang].months, **_SEASONS[lang]}
    for name, month in names.items():
        if re.search(rf"\b{name}\b", folded):
            start_year = today.year if month <= today.month else today.year - 1
            return _months_between(date(start_year, month, 1), today)
    return None


def _months_between(start: date, today: date) -> float:
    return max(0.0, (today - start).days / 30.44)
