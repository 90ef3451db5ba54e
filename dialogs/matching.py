"""Reading a person's answer against the choices offered: by number, by word, or nearly the word.

People answer "2", "Sim", "sim!", "nao", "Licenciatura" or "licensiatura"; all must land on the
same choice, and anything ambiguous must not land anywhere.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from dialogs.model import Choice

FUZZY_THRESHOLD = 85
_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|&|\s(?:e|and|y|et|ed)\s)\s*|\s+(?=\d)")


def clean(text: str) -> str:
    """Drop control and formatting characters and fold runs of white space."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " "
        for ch in unicodedata.normalize("NFC", text)
    )
    return " ".join(kept.split())


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation at the edges: the form words are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s'-]", " ", plain).split())


def _words_of(choice: Choice, labels: dict[str, str], synonyms: dict[str, Sequence[str]]):
    yield labels[choice.id]
    yield from synonyms.get(choice.id, ())


def match_choice(
    text: str,
    choices: Sequence[Choice],
    labels: dict[str, str],
    synonyms: dict[str, Sequence[str]],
) -> Choice | None:
    """The one choice the text names, or None when it names none or several."""
    answer = normalize(text)
    if not answer:
        return None
    if answer.isdecimal() and len(answer) <= 3:
        index = int(answer) - 1
        return choices[index] if 0 <= index < len(choices) else None
    exact = [c for c in choices if answer in _normalized_words(c, labels, synonyms)]
    if exact:
        return exact[0] if len(exact) == 1 else None
    return _closest(answer, choices, labels, synonyms)


def _normalized_words(choice, labels, synonyms) -> set[str]:
    return {normalize(w) for w in _words_of(choice, labels, synonyms)}


def _closest(answer, choices, labels, synonyms) -> Choice | None:
    if len(answer) < 4:
        return None
    scored = sorted(
        (
            (max(_likeness(answer, w) for w in _normalized_words(c, labels, synonyms) if w), c)
            for c in choices
        ),
        key=lambda pair: pair[0],
        reverse=True,
    )
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if best_score >= FUZZY_THRESHOLD and best_score - runner_up >= 5:
        return best
    return None


def _likeness(answer: str, words: str) -> float:
    """How close an answer is to a choice's words; the first words of a long label count too
    ("start an activity" for "Start an activity or cooperative")."""
    return max(fuzz.ratio(answer, words), fuzz.ratio(answer, words[: len(answer)]))


def match_choices(
    text: str,
    choices: Sequence[Choice],
    labels: dict[str, str],
    synonyms: dict[str, Sequence[str]],
) -> list[Choice] | None:
    """Several choices at once ("1 3", "1, 3", "português e inglês"); None if a part is unclear."""
    whole = match_choice(text, choices, labels, synonyms)
    if whole is not None:
        return [whole]
    parts = [p for p in _SEPARATORS.split(text.casefold()) if p and p.strip()]
    picked: list[Choice] = []
    for part in parts:
        choice = match_choice(part, choices, labels, synonyms)
        if choice is None:
            return None
        if choice not in picked:
            picked.append(choice)
    if not picked or (len(picked) > 1 and any(c.exclusive for c in picked)):
        return None
    return picked


def is_command(text: str, words: Iterable[str]) -> bool:
    """Whether the whole message is one of the words; "?" and the like count as they are."""
    said = text.strip().lstrip("/")
    answer = normalize(said)
    if not answer:
        return bool(said) and said in words
    return answer in {normalize(w) for w in words}
