"""Filling texts with values, and describing collected answers in the person's language."""

import string
from collections.abc import Mapping
from typing import Any

from dialogs.model import Catalogue, Flow

SUMMARY_TEXT_LIMIT = 60
SHORT_TEXT_LIMIT = 24
"""Own words in an unlabelled (SMS) summary: enough to recognise them."""
WHOLE_TEXT = 10_000
"""Own words shown uncut (MY DATA, the desk's record): longer than any answer is allowed."""


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, values: Mapping[str, Any]) -> str:
    """The template with {placeholders} filled; unknown ones become empty, never an error."""
    return string.Formatter().vformat(template, (), _Blanks(values))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def summary_lines(
    flow: Flow,
    catalogue: Catalogue,
    answers: Mapping[str, Any],
    labelled: bool = True,
    fields: tuple[str, ...] | None = None,
    limit: int | None = None,
) -> list[str]:
    """One line "Field: answer" (or just the answer, shorter) per answered field, by default
    the summary's; own words are cut at `limit` (by default, the summary's length)."""
    lines = []
    limit = limit or (SUMMARY_TEXT_LIMIT if labelled else SHORT_TEXT_LIMIT)
    for name in fields or flow.summary_fields:
        if name not in answers:
            continue
        answer = describe(flow, catalogue, name, answers[name], limit)
        lines.append(f"{catalogue.texts[f'field.{name}']}: {answer}" if labelled else answer)
    return lines


def describe(
    flow: Flow, catalogue: Catalogue, field_name: str, value: Any, limit: int = SUMMARY_TEXT_LIMIT
) -> str:
    """An answer as the person would say it: the label of the choice, or their own words."""
    if value is None:
        return "-"
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "; ".join(v["label"] for v in value) or "-"
    node = flow.field_node(field_name)
    if node is None or node.kind == "text":
        text = str(value)
        return text if len(text) <= limit else text[: limit - 1] + "…"
    values = value if isinstance(value, list) else [value]
    labels = [
        catalogue.texts[c.text]
        for v in values
        for c in node.choices
        if v in (c.id, c.value)
    ]
    return ", ".join(labels)


def numbered(text: str, labels: list[str]) -> str:
    """A message as plain channels show it: the text, then one numbered line per choice."""
    return "\n".join([text, *(f"{i}. {label}" for i, label in enumerate(labels, 1))])
