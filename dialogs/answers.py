"""Reading the answer to the question a node asks, or saying why it cannot be read."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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


def read_answer(
    node: Node, choices: Sequence[Choice], text: str, catalogue: Catalogue
) -> Answer | Rejection:
    """The answer to `node`, whose offered `choices` may include some made at run time."""
    if node.kind == "text":
        return _read_text(node, text)
    labels = {c.id: c.label or catalogue.texts[c.text] for c in choices}
    synonyms = {c.id: catalogue.synonyms.get(c.text, ()) for c in choices}
    if node.kind == "multi":
        picked = match_choices(text, choices, labels, synonyms)
        if picked is None:
            return Rejection("error.multi")
        return Answer([c.id for c in picked], picked[0] if len(picked) == 1 else None)
    choice = match_choice(text, choices, labels, synonyms)
    if choice is None:
        return Rejection("error.choice")
    return Answer(choice.value if choice.value is not None else choice.id, choice)


def _read_text(node: Node, text: str) -> Answer | Rejection:
    if len(text) > node.max_length:
        return Rejection("error.text_long", {"max": node.max_length})
    letters = sum(1 for ch in text if unicodedata.category(ch).startswith("L"))
    if letters < node.min_length:
        return Rejection("error.text_words")
    return Answer(text, None)
