"""What the NLP understood, read for the engine: a yes or a no said in other words, a wished
time, the occupations and skills of an experience."""

from typing import Any

from dialogs.answers import Answer
from dialogs.engine.turn import Turn
from dialogs.model import Node
from nlp.understanding import Understanding

INTENT_CONFIDENCE = 0.85
TAXONOMY_MIN_SCORE = 0.65
TAXONOMY_MAX_EACH = 2
# One activity beside the occupation says what was understood; more would cost an SMS segment.
TAXONOMY_MAX_ACTIVITIES = 1


def yes_or_no(turn: Turn, node: Node, understanding: Understanding | None) -> Answer | None:
    """A yes or a no said in other words ("claro que sim"), where the question has one."""
    meant = said_yes_or_no(understanding) if node.kind == "choice" else None
    if meant is None:
        return None
    intent = "yes" if meant else "no"
    choice = next((c for c in turn.choices(node) if intent in (c.id, c.means)), None)
    return Answer(choice.id, choice) if choice else None


def said_yes_or_no(understanding: Understanding | None) -> bool | None:
    """True for a yes, False for a no, None when the message says neither plainly."""
    if understanding is None:
        return None
    said = [e.value for e in understanding.entities if e.type == "yes_no"]
    if len(said) == 1:
        return bool(said[0])
    if understanding.intent in ("yes", "no") and understanding.confidence >= INTENT_CONFIDENCE:
        return understanding.intent == "yes"
    return None


def wish(understanding: Understanding | None) -> dict[str, Any] | None:
    """The day and part of day a person asked for in words ("sexta de manhã")."""
    if understanding is None:
        return None
    moment, part = understanding.datetime, understanding.part_of_day
    if moment is None and part is None:
        return None
    if moment is not None and part is None:
        part = "morning" if moment.hour < 13 else "afternoon" if moment.hour < 18 else "evening"
    return {"day": moment.date().isoformat() if moment else None, "part_of_day": part}


def taxonomy(understanding: Understanding | None) -> list[dict[str, str]]:
    """The occupations, what the person did in the first, and the transversal skills the NLP is
    sure enough of, best first. Only an activity that is an ESCO skill is shown and kept: the
    phrases cut from a description (pt, it) read as fragments ("trabalhar numa vasta gama")."""
    if understanding is None:
        return []
    found = []
    occupations = [m for m in understanding.occupations if m.score >= TAXONOMY_MIN_SCORE]
    skills = [m for m in understanding.activities if "/skill/" in m.uri]
    activities = skills[:TAXONOMY_MAX_ACTIVITIES] if occupations else ()
    kinds = (("occupation", occupations), ("activity", activities),
             ("skill", understanding.skills))
    for kind, matches in kinds:
        sure = [m for m in matches if m.score >= TAXONOMY_MIN_SCORE][:TAXONOMY_MAX_EACH]
        found += [{"kind": "skill" if kind == "activity" else kind, "uri": m.uri,
                   "label": m.label} for m in sure]
    return found


def merged(found: list[dict[str, str]], more: list[dict[str, str]]) -> list[dict[str, str]]:
    """Both lists without repeating a URI, each item numbered for choosing."""
    unique = {f["uri"]: f for f in [*found, *more]}
    return [{**f, "id": f"f{i}"} for i, f in enumerate(unique.values(), 1)]
