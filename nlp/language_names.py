"""Languages a person names in their own words: "árabe", "arabo", "Arabic", "ucraniano",
"wolof", "falo crioulo cabo-verdiano e um pouco de inglês" -> ISO 639 codes.

The names are Babel's (CLDR) language names in every locale of the five languages of the
service (pt_PT and pt_BR, es_MX, fr_CA... each spells some names its own way), and each
language's own name for itself ("Deutsch", "Wolof"), compared without accents or case; a name
written with a typo is found when it is long enough to be told from the others. The index is
built once with the NLP assets (nlp.build): reading two hundred locales takes half a second.
"""

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError, localedata
from rapidfuzz import fuzz, process

from nlp import resources
from nlp.places import key
from nlp.understanding import LANGUAGES, Entity

CODE = re.compile(r"^[a-z]{2,3}$")
"""A language as ISO 639 has it: "ar", "wo", "kea"; not "ar_001" or "zh_Hans" (variants)."""

MAX_WORDS = 12
"""A longer message is not an answer naming languages."""
MIN_INSIDE_CHARS = 4
"""A name inside a sentence is at least this long: "ga", "ido", "ao" are words too."""
MIN_TYPO_CHARS = 5
MAX_TYPO_WORDS = 4
"""Typos are looked for only in a short answer: that is where a name is written alone, and
comparing every word of a sentence with two thousand names would cost the parse its budget."""
MIN_RATIO = 85
MAX_SPAN = 3  # "crioulo cabo verdiano", "alto alemao suico": the longest names people write


class LanguageNames:
    """Folded language names -> ISO 639 code; pickled by nlp.build with the other assets."""

    def __init__(self, names: dict[str, str], words: frozenset[str]) -> None:
        self.names = names
        self.words = words
        # A typo rarely hits the first letter: only names sharing it are compared, a twentieth
        # of them, which keeps the comparison well under a tenth of a millisecond.
        self.typo_candidates: dict[str, list[str]] = {}
        for name in sorted(n for n in names if len(n) >= MIN_TYPO_CHARS):
            self.typo_candidates.setdefault(name[0], []).append(name)

    @classmethod
    def load(cls) -> "LanguageNames":
        everyday = resources.language_names()
        names = {key(name): code for name, code in everyday["names"].items()}
        for locale_id in _ui_locales():
            for code, name in Locale.parse(locale_id).languages.items():
                _add(names, name, code)
        for code in sorted({*names.values()}):
            _add(names, _own_name(code), code)
        return cls(names, frozenset(key(word) for word in everyday["words"]))

    def find(self, text: str) -> list[Entity]:
        """The languages named in `text`, in the order written, each once."""
        tokens = key(text).split()
        if not tokens or len(tokens) > MAX_WORDS:
            return []
        found: dict[str, Entity] = {}
        i = 0
        while i < len(tokens):
            span, code = self._at(tokens, i, whole=len(tokens))
            if code and code not in found:
                found[code] = Entity("language", " ".join(tokens[i : i + span]), code)
            i += span or 1
        return list(found.values())

    def _at(self, tokens: list[str], i: int, whole: int) -> tuple[int, str | None]:
        """The longest name starting at token i: (its number of words, its code)."""
        for span in range(min(MAX_SPAN, len(tokens) - i), 0, -1):
            words = " ".join(tokens[i : i + span])
            alone = span == whole
            if words in self.names and (
                alone or (len(words) >= MIN_INSIDE_CHARS and words not in self.words)
            ):
                return span, self.names[words]
        word = tokens[i]
        if whole > MAX_TYPO_WORDS or len(word) < MIN_TYPO_CHARS or word in self.words:
            return 0, None
        best = process.extractOne(
            word, self.typo_candidates.get(word[0], ()), scorer=fuzz.ratio, score_cutoff=MIN_RATIO
        )
        return (1, self.names[best[0]]) if best else (0, None)


@lru_cache(maxsize=512)
def name_of(code: str, lang: str) -> str:
    """The language `code` named in `lang` ("ar", "pt" -> "árabe"); the code if Babel has none."""
    try:
        return Locale.parse(lang).languages.get(code) or code
    except (ValueError, UnknownLocaleError):
        return code


def _ui_locales() -> list[str]:
    """Every locale of the service's languages written in the Latin script."""
    return [
        locale_id
        for locale_id in localedata.locale_identifiers()
        if locale_id.split("_")[0] in LANGUAGES
        and "Dsrt" not in locale_id
        and "Shaw" not in locale_id
    ]


def _own_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(code) or ""
    except (ValueError, UnknownLocaleError):
        return ""


def _add(names: dict[str, str], name: str, code: str) -> None:
    folded = key(name)
    if CODE.match(code) and folded and folded.isascii():
        names.setdefault(folded, code)
