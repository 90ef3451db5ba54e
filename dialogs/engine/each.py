"""Questions asked once per item of an earlier answer: "What is your level in Arabic?", then
in English. The answers are kept together under the node's field as item -> choice id."""

from typing import Any

from dialogs.engine.turn import Turn
from dialogs.model import Node

UNNAMED = "other"
"""The choice "another language" before the person said which: no item of its own."""


def items(turn: Turn, node: Node) -> list[str]:
    """The items of the earlier answer that get the question: not "none", not an unnamed one."""
    source = turn.flow.field_node(node.for_each or "")
    skipped = {UNNAMED, *(c.id for c in source.choices if c.exclusive)} if source else {UNNAMED}
    given = turn.session.answers.get(node.for_each or "") or []
    return [item for item in given if item not in skipped]


def current(turn: Turn, node: Node) -> str | None:
    """The item the question is about now: the first without an answer."""
    given = _given(turn, node)
    return next((item for item in items(turn, node) if item not in given), None)


def prepare(turn: Turn, node: Node) -> bool:
    """Before asking: False when there is nothing to ask about. Asked again when every item has
    its answer (a correction from the summary, BACK), every item is asked anew."""
    wanted = items(turn, node)
    if not wanted:
        return False
    given = {item: v for item, v in _given(turn, node).items() if item in wanted}
    turn.keep(**{node.field or "": given if len(given) < len(wanted) else {}})
    return True


def record(answers: dict[str, Any], node: Node, item: str, value: Any) -> None:
    """Keep the answer about `item` beside the others."""
    given = answers.get(node.field or "")
    answers[node.field or ""] = {**(given if isinstance(given, dict) else {}), item: value}


def _given(turn: Turn, node: Node) -> dict[str, Any]:
    given = turn.session.answers.get(node.field or "")
    return given if isinstance(given, dict) else {}
