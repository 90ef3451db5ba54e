"""Languages named in words, on the questions that read them (`reads: language`): "árabe e um
pouco de inglês" is ["ar", "en"], kept as ISO 639 codes, whether or not they are choices.

On the question "which other language?", asked after the choice "another language", the names
take the place of that choice among the answers already given ("inglês, outra" then "árabe":
["en", "ar"]).
"""

from dialogs.answers import Answer, Guess, Rejection
from dialogs.engine.each import UNNAMED
from dialogs.engine.turn import Turn
from dialogs.model import Node
from nlp.understanding import Understanding


def read_languages(
    turn: Turn,
    node: Node,
    outcome: Answer | Guess | Rejection,
    understanding: Understanding | None,
) -> Answer | Guess | Rejection:
    """The languages the text names, as the node's answer; else what the choices read. Without
    the NLP (engine tests, the flow checker) a text answer is kept as written."""
    codes = named(understanding)
    if not codes:
        return Rejection("language.not_found") if node.kind == "text" and understanding else outcome
    if node.kind == "multi":
        # "inglês e outra": the other one is asked about next.
        if isinstance(outcome, Answer) and UNNAMED in outcome.value:
            codes.append(UNNAMED)
        return Answer(codes, turn.choice(node, codes[0]) if len(codes) == 1 else None)
    if node.kind == "choice":
        return Answer(codes[0], turn.choice(node, codes[0]))
    earlier = turn.session.answers.get(node.field or "")
    if isinstance(earlier, list):
        kept = [code for code in earlier if code != UNNAMED]
        return Answer([*kept, *(code for code in codes if code not in kept)], None)
    return Answer(codes[0], None)


def named(understanding: Understanding | None) -> list[str]:
    """The ISO 639 codes of the languages named, in the order written."""
    if understanding is None:
        return []
    return [e.value for e in understanding.entities if e.type == "language"]
