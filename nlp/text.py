"""Text normalisation shared by every matcher: case, accents, old Portuguese spelling."""

import re
import unicodedata

MAX_CHARS = 500
_PT_OLD_SPELLING = (
    (re.compile(r"(?<=[aeiou])c(?=c[aou])"), ""),
    (re.compile(r"(?<=[aeiou])[cp](?=t)"), ""),
    (re.compile(r"(?<=[aeiou])p(?=c[aou])"), ""),
)
_NON_WORD = re.compile(r"[^\w]+")
_REPEATS = re.compile(r"(.)\1{2,}")


def truncate(text: str) -> str:
    """Cut before any parsing: nobody writes an intake answer longer than this on a phone."""
    return text[:MAX_CHARS]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded(text: str) -> str:
    """Text compared as people write it: no case, no accents, single spaces ("PÓRTO " = "porto")."""
    return strip_accents(" ".join(text.split()).casefold())


def modern_pt(text: str) -> str:
    """Map pre-1990 Portuguese spelling to the current one ("direcção" -> "direção").

    Expects folded text (no accents). Applied at index and at query time, so the two spellings
    meet whatever the person types; over-merging a rare modern word is harmless for matching.
    """
    for pattern, replacement in _PT_OLD_SPELLING:
        text = pattern.sub(replacement, text)
    return text


def fold(text: str, lang: str = "") -> str:
    """Lower-case, modern spelling, no accents: the key every taxonomy lookup uses."""
    text = strip_accents(text.lower().replace("’", "'"))
    return modern_pt(text) if lang == "pt" else text


def words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(text) if w and not w.isdigit()]


def squeeze_repeats(text: str) -> str:
    """'ajudaaaa!!!' -> 'ajudaa!!': shouting should not hide a word."""
    return _REPEATS.sub(r"\1\1", text)


def scripts(text: str) -> set[str]:
    """Unicode scripts of the letters, by the first word of their names (LATIN, CYRILLIC...)."""
    found = set()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            found.add(name.split(" ", 1)[0])
    return found


def phrase_key(text: str, lang: str) -> str:
    """A whole message reduced to folded words: how keyword commands are compared."""
    return " ".join(words(fold(squeeze_repeats(text), lang)))
