"""The words of dates and times, per language, as regular-expression pieces over folded text
(lower case, no accents). Read by nlp/dates.py; adding a language means adding an entry here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DateWords:
    relative_days: dict[str, int]  # phrase -> days from today, longest phrases first
    weekdays: dict[str, int]  # Monday = 0
    months: dict[str, int]
    next_week: str  # "next week" after or around a weekday: the weekday of next week
    in_days: str  # "in N days": groups n, unit
    week_units: str
    time_markers: str  # words before an hour that make a bare number a time
    hour_words: str  # words after an hour: "h", "horas", "o'clock"
    half: str
    quarter: str
    quarter_to: str
    after_hour_parts: dict[str, str]  # "da tarde" after an hour
    parts: dict[str, str]  # a part of the day said on its own
    today_parts: dict[str, str]  # "stasera": today and a part of the day
    noon: str
    midnight: str
    greetings: str  # "boa tarde" greets; it is not an afternoon
    day_of_month: str  # "dia 3": group d
    numbers: dict[str, int]


_FEIRA = r"(?:[- ]feira)?"
_PT_NUMBERS = {"uma": 1, "um": 1, "duas": 2, "dois": 2, "tres": 3, "quatro": 4, "cinco": 5,
               "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12}
_IT_NUMBERS = {"una": 1, "uno": 1, "un": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5,
               "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11, "dodici": 12}
_EN_NUMBERS = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_ES_NUMBERS = {"una": 1, "uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
               "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12}
_FR_NUMBERS = {"une": 1, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
               "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12}

DATE_WORDS = {
    "pt": DateWords(
        relative_days={r"depois de amanh?a": 2, r"amanh?a": 1, r"hoje": 0},
        weekdays={rf"(?:segunda|2a){_FEIRA}": 0, rf"(?:ter[cs]a|3a){_FEIRA}": 1,
                  rf"(?:quarta|4a){_FEIRA}": 2, rf"(?:quinta|5a){_FEIRA}": 3,
                  rf"(?:sexta|6a){_FEIRA}": 4, r"sabado": 5, r"domingo": 6},
        months={"janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6,
                "julho": 7, "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11,
                "dezembro": 12},
        next_week=r"(?:da|na) (?:proxima semana|semana que vem)",
        in_days=r"(?:daqui a|dentro de|em) (?P<n>\d+|\w+) (?P<unit>dias?|semanas?)",
        week_units=r"semana",
        time_markers=r"as|pelas|por volta das|depois das|antes das|ate as|para as",
        hour_words=r"h|horas?|hrs?",
        half=r"e meia", quarter=r"e um quarto|e quinze", quarter_to=r"menos um quarto",
        after_hour_parts={r"da manha": "morning", r"da tarde": "afternoon",
                          r"da noite": "evening"},
        parts={r"(?:de|pela|durante a|na parte da|a) manha": "morning",
               r"(?:de|a|pela|durante a|na parte da|ao fim da|ao final da) tarde": "afternoon",
               r"(?:de|a|pela|ao|durante a) noite|ao fim do dia": "evening"},
        today_parts={r"esta manha|hoje de manha": "morning", r"esta tarde": "afternoon",
                     r"esta noite|logo a noite": "evening"},
        noon=r"meio[- ]dia", midnight=r"meia[- ]noite",
        greetings=r"\bbo[am] (?:dia|tarde|noite)s?\b",
        day_of_month=r"\bdia (?P<d>\d{1,2})\b",
        numbers=_PT_NUMBERS,
    ),
    "it": DateWords(
        relative_days={r"dopodomani|dopo domani": 2, r"domani": 1, r"oggi": 0},
        weekdays={r"lunedi": 0, r"martedi": 1, r"mercoledi": 2, r"giovedi": 3, r"venerdi": 4,
                  r"sabato": 5, r"domenica": 6},
        months={"gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
                "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11,
                "dicembre": 12},
        next_week=r"(?:della|la) (?:settimana prossima|prossima settimana)",
        in_days=r"(?:tra|fra|entro) (?P<n>\d+|\w+) (?P<unit>giorni|giorno|settimane|settimana)",
        week_units=r"settiman",
        time_markers=r"alle|verso le|per le|dalle|dopo le|prima delle|ore",
        hour_words=r"h|ore",
        half=r"e mezz[ao]", quarter=r"e un quarto|e quindici", quarter_to=r"meno un quarto",
        after_hour_parts={r"del mattino|di mattina|della mattina": "morning",
                          r"del pomeriggio|di pomeriggio": "afternoon",
                          r"di sera|della sera|di notte": "evening"},
        parts={r"(?:di |la |al |in )?mattin[ao]|in mattinata": "morning",
               r"(?:di |il |nel )?pomeriggio": "afternoon",
               r"(?:di |la |in )?sera|in serata|(?:di |la )notte": "evening"},
        today_parts={r"stamattina|stamane|questa mattina": "morning",
                     r"oggi pomeriggio|questo pomeriggio": "afternoon",
                     r"stasera|questa sera|stanotte": "evening"},
        noon=r"mezzogiorno|mezzodi", midnight=r"mezzanotte",
        greetings=r"\bbuon ?(?:giorno|pomeriggio|a ?sera|a ?notte)\b",
        day_of_month=r"\bil giorno (?P<d>\d{1,2})\b",
        numbers=_IT_NUMBERS,
    ),
    "en": DateWords(
        relative_days={r"(?:the )?day after tomorrow": 2, r"tomorrow|tmrw|tomorow": 1,
                       r"today": 0},
        weekdays={r"monday": 0, r"tuesday|tues?": 1, r"wednesday": 2, r"thursday|thurs?": 3,
                  r"friday|fri": 4, r"saturday": 5, r"sunday": 6},
        months={"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
                "july": 7, "august": 8, "september": 9, "october": 10, "november": 11,
                "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
                "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12},
        next_week=r"next week|of next week",
        in_days=r"in (?P<n>\d+|\w+) (?P<unit>days?|weeks?)",
        week_units=r"week",
        time_markers=r"at|around|about|by|from|after|before|for",
        hour_words=r"h|o'?clock|hours?",
        half=r"", quarter=r"", quarter_to=r"",
        after_hour_parts={r"in the morning|am|a\.m\.?": "morning",
                          r"in the afternoon|pm|p\.m\.?": "afternoon",
                          r"in the evening|at night": "evening"},
        parts={r"morning": "morning", r"afternoon": "afternoon", r"evening|night": "evening"},
        today_parts={r"this morning": "morning", r"this afternoon": "afternoon",
                     r"this evening|tonight": "evening"},
        noon=r"noon|midday", midnight=r"midnight",
        greetings=r"\bgood (?:morning|afternoon|evening|night)\b",
        day_of_month=r"\bthe (?P<d>\d{1,2})(?:st|nd|rd|th)\b",
        numbers=_EN_NUMBERS,
    ),
    "es": DateWords(
        relative_days={r"pasado manana": 2, r"(?<!la )(?<!esta )\bmanana": 1, r"hoy": 0},
        weekdays={r"lunes": 0, r"martes": 1, r"miercoles": 2, r"jueves": 3, r"viernes": 4,
                  r"sabado": 5, r"domingo": 6},
        months={"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6,
                "julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10,
                "noviembre": 11, "diciembre": 12},
        next_week=r"de la (?:proxima semana|semana que viene)",
        in_days=r"(?:dentro de|en) (?P<n>\d+|\w+) (?P<unit>dias?|semanas?)",
        week_units=r"semana",
        time_markers=r"a las|a la|las|la|sobre las|hacia las|desde las|despues de las|antes de las",
        hour_words=r"h|horas?|hrs?",
        half=r"y media", quarter=r"y cuarto|y quince", quarter_to=r"menos cuarto",
        after_hour_parts={r"de la manana": "morning", r"de la tarde": "afternoon",
                          r"de la noche": "evening"},
        parts={r"(?:por|en|a|de) la manana": "morning", r"(?:por|en|a|de) la tarde": "afternoon",
               r"(?:por|en|a|de) la noche": "evening"},
        today_parts={r"esta manana": "morning", r"esta tarde": "afternoon",
                     r"esta noche": "evening"},
        noon=r"mediodia", midnight=r"medianoche",
        greetings=r"\bbuen[oa]s? (?:dias|tardes|noches)\b",
        day_of_month=r"\b(?:el )?dia (?P<d>\d{1,2})\b",
        numbers=_ES_NUMBERS,
    ),
    "fr": DateWords(
        relative_days={r"apres[- ]demain": 2, r"demain": 1, r"aujourd'?hui|aujourd hui": 0},
        weekdays={r"lundi": 0, r"mardi": 1, r"mercredi": 2, r"jeudi": 3, r"vendredi": 4,
                  r"samedi": 5, r"dimanche": 6},
        months={"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
                "juillet": 7, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
                "decembre": 12},
        next_week=r"de la semaine prochaine",
        in_days=r"dans (?P<n>\d+|\w+) (?P<unit>jours?|semaines?)",
        week_units=r"semaine",
        time_markers=r"a|vers|pour|des|apres|avant|jusqu'a",
        hour_words=r"h|heures?",
        half=r"et demie?", quarter=r"et quart", quarter_to=r"moins le quart|moins quart",
        after_hour_parts={r"du matin": "morning", r"de l'apres[- ]midi|de l apres[- ]midi":
                          "afternoon", r"du soir": "evening"},
        parts={r"matin(?:ee)?": "morning", r"apres[- ]midi": "afternoon",
               r"soir(?:ee)?": "evening"},
        today_parts={r"ce matin": "morning", r"cet apres[- ]midi": "afternoon",
                     r"ce soir": "evening"},
        noon=r"(?<!apres.)midi", midnight=r"minuit",
        greetings=r"\bbon(?:jour|soir|ne nuit| apres[- ]midi)\b",
        day_of_month=r"\ble (?P<d>\d{1,2})(?:er)?\b(?! ?(?:ans?|heures?|h\b|euros?))",
        numbers=_FR_NUMBERS,
    ),
}
