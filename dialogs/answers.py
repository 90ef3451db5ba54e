"""Reading the answer to the question a node asks, or saying why it cannot be read."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dialogs import reading
from dialogs.matching import match_choice, match_choices
from dialogs.model import Catalogue, Choice, Node


@dataclass(frozen=True)
class Answer:
    value: Any
    choice: Choice | None


@dataclass(frozen=True)
class Rejection:
    """A text key explaining what was wrong, with the values it mentions."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Guess:
    """An answer that most likely means `choice`: asked about before it is stored."""

    choice: Choice


def read_answer(
    node: Node, choices: Sequence[Choice], text: str, catalogue: Catalogue, today: date
) -> Answer | Guess | Rejection:
    """The answer to `node`, whose offered `choices` may include some made at run time."""
    if node.kind == "text":
        return _read_text(node, text, catalogue.lang)
    labels = {c.id: c.label or catalogue.texts[c.text] for c in choices}
    words = {c.id: reading.phrases(node, c, labels[c.id], catalogue)[1:] for c in choices}
    if node.kind == "multi":
        picked = match_choices(text, choices, labels, words) or _in_words(
            node, choices, labels, text, catalogue)
        if not picked or (len(picked) > 1 and any(c.exclusive for c in picked)):
            return Rejection("error.multi")
        return Answer([c.id for c in picked], picked[0] if len(picked) == 1 else None)
    named = reading.by_phrases(node, choices, labels, text, catalogue)
    choice = (
        match_choice(text, choices, labels, words)
        or reading.by_position(text, choices, catalogue.lang)
        or reading.by_quantity(node, choices, text, catalogue.lang, today)
        or (named[0] if len(named) == 1 else None)
        or reading.by_yes_no(text, choices, catalogue.lang)
        or reading.by_negation(text, choices, catalogue)
    )
    if choice is not None:
        return Answer(choice.value if choice.value is not None else choice.id, choice)
    # Two choices named where one is asked ("bus o bici"): ask about the first.
    guessed = named[0] if named else reading.guess(node, choices, labels, text, catalogue)
    return Guess(guessed) if guessed else Rejection("error.choice")


def _in_words(node: Node, choices: Sequence[Choice], labels: dict[str, str], text: str,
              catalogue: Catalogue) -> list[Choice]:
    """Several choices said in a sentence ("manhãs e fins de semana"), or a plain no."""
    picked = reading.by_phrases(node, choices, labels, text, catalogue)
    if picked:
        return picked
    said = reading.by_yes_no(text, choices, catalogue.lang) or reading.by_negation(
        text, choices, catalogue)
    return [said] if said else []


def _read_text(node: Node, text: str, lang: str) -> Answer | Rejection:
    if node.reads == "name" and not _a_name(text, lang):
        return Rejection("error.name")
    if len(text) > node.max_length:
        return Rejection("error.text_long", {"max": node.max_length})
    letters = sum(1 for ch in text if unicodedata.category(ch).startswith("L"))
    if letters < node.min_length:
        return Rejection("error.text_words")
    return Answer(text, None)


MAX_NAME_WORDS = 6


def _a_name(text: str, lang: str) -> bool:
    """A place or a person is named in a few words: not asked about, not a yes or a no."""
    return (
        "?" not in text
        and len(text.split()) <= MAX_NAME_WORDS
        and reading.said_yes_or_no(text, lang) is None
    )
