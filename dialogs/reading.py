"""Free answers to a choice question, read the way people write them on a phone: a number for a
band ("tenho 62"), a duration ("desde março"), a position ("o primeiro"), a yes or a no in other
words or an emoji, the national name of a choice ("licenza media", "NASpI") anywhere in a
sentence, a negation ("não tenho carta"), several choices in words ("manhãs e fins de semana").

Each reading returns the choices it found, or nothing; `guess` finds the one choice an unclear
answer most likely meant, to be confirmed rather than stored.
"""

import re
from collections.abc import Sequence
from datetime import date

from rapidfuzz import fuzz

from dialogs.matching import normalize
from dialogs.model import Catalogue, Choice, Node
from nlp.entities import yes_no
from nlp.quantities import months_since, numbers_in, position_in

GUESS_THRESHOLD = 72
GUESS_MARGIN = 8
_EMOJI = {"👍": True, "👌": True, "✅": True, "🆗": True, "🙆": True,
          "👎": False, "❌": False, "🚫": False, "🙅": False}


def phrases(node: Node, choice: Choice, label: str, catalogue: Catalogue) -> tuple[str, ...]:
    """Everything that names a choice at this question: its label, its synonyms, its words."""
    return (label, *catalogue.synonyms.get(choice.text, ()),
            *catalogue.answers.get(node.id, {}).get(choice.id, ()))


def by_position(text: str, choices: Sequence[Choice], lang: str) -> Choice | None:
    position = position_in(text, lang)
    if position is None or position > len(choices) or not choices:
        return None
    return choices[position - 1] if position > 0 else choices[-1]


def by_quantity(node: Node, choices: Sequence[Choice], text: str, lang: str,
                today: date) -> Choice | None:
    """The band an age or a duration falls in; None when none or several are named."""
    if node.reads == "age":
        said = numbers_in(text, lang)
    elif node.reads == "months":
        months = months_since(text, lang, today)
        said = [] if months is None else [months]
    else:
        return None
    bands = {id(c): c for n in said for c in choices if c.range and _within(n, c.range)}
    return next(iter(bands.values())) if len(bands) == 1 else None


def _within(number: float, band: tuple[float, float | None]) -> bool:
    low, high = band
    return number >= low and (high is None or number < high)


def by_yes_no(text: str, choices: Sequence[Choice], lang: str) -> Choice | None:
    """A yes or a no in any words or emoji, where a choice means one."""
    said = said_yes_or_no(text, lang)
    if said is None:
        return None
    wanted = "yes" if said else "no"
    return next((c for c in choices if c.means == wanted or c.id == wanted), None)


def said_yes_or_no(text: str, lang: str) -> bool | None:
    emoji = {_EMOJI[ch] for ch in text if ch in _EMOJI}
    if len(emoji) == 1:
        return emoji.pop()
    entity = yes_no(text, lang)
    return None if entity is None else bool(entity.value)


def by_phrases(node: Node, choices: Sequence[Choice], labels: dict[str, str], text: str,
               catalogue: Catalogue) -> list[Choice]:
    """The choices whose words the answer contains, longest words first and without overlap;
    a choice named after a negation ("não recebo RSI") gives way to the one that means no."""
    answer = f" {normalize(text)} "
    found: list[tuple[int, int, Choice]] = []
    candidates = sorted(
        ((normalize(p), c) for c in choices for p in phrases(node, c, labels[c.id], catalogue)),
        key=lambda pair: -len(pair[0]),
    )
    for phrase, choice in candidates:
        if not phrase or phrase.isdecimal():
            continue
        for m in re.finditer(rf"(?<=[\s']){re.escape(phrase)}(?=[\s'])", answer):
            if all(m.end() <= a or m.start() >= b for a, b, _ in found):
                found.append((m.start(), m.end(), choice))
    found.sort(key=lambda hit: hit[0])
    picked = list(dict.fromkeys(c for _, _, c in found))
    negative = next((c for c in choices if c.means == "no"), None)
    if negative and picked and negative not in picked and _negated(answer, found, catalogue):
        return [negative]
    return picked


def _negated(answer: str, found: list[tuple[int, int, Choice]], catalogue: Catalogue) -> bool:
    first = found[0][0]
    before = answer[:first].split()
    return any(normalize(w) in before for w in catalogue.negations)


def by_negation(text: str, choices: Sequence[Choice], catalogue: Catalogue) -> Choice | None:
    """"nn prendo niente", "pas d'aide": a negation where a choice means none."""
    negative = next((c for c in choices if c.means == "no"), None)
    words = set(normalize(text).replace("'", " ").split())
    if negative and words & {normalize(w) for w in catalogue.negations}:
        return negative
    return None


def guess(node: Node, choices: Sequence[Choice], labels: dict[str, str], text: str,
          catalogue: Catalogue) -> Choice | None:
    """The one choice an answer is close to without being clear ("desempregu", "licensa"),
    to ask about; None when nothing is close, or two are equally so."""
    answer = normalize(text)
    if len(answer) < 4:
        return None
    scores = sorted(
        ((max(_closeness(answer, normalize(p))
              for p in phrases(node, c, labels[c.id], catalogue)), c) for c in choices),
        key=lambda pair: -pair[0],
    )
    best, choice = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0
    if best >= GUESS_THRESHOLD and best - runner_up >= GUESS_MARGIN:
        return choice
    return None


def _closeness(answer: str, phrase: str) -> float:
    """The whole answer against a phrase, or a long phrase against its place in a sentence
    ("recebo subsidio de desempergo")."""
    if len(phrase) < 4:
        return 0
    inside = len(phrase) >= 6 and len(answer) > len(phrase) + 2
    return max(fuzz.ratio(answer, phrase), fuzz.partial_ratio(phrase, answer) if inside else 0)
