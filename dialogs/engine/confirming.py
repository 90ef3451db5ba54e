"""When unsure, ask instead of refusing: "Did you mean 40 to 54?" answered with one word in any
form, and "Shall we go on in Italian?" when a message is written in another language.

What waits for the yes is kept in the session (`pending`) until the next message.
"""

from dialogs.answers import Answer
from dialogs.engine.navigation import answered, divert, set_language
from dialogs.engine.registry import action
from dialogs.engine.speech import ask, hint, say
from dialogs.engine.turn import Turn
from dialogs.model import Choice, Node
from dialogs.reading import said_yes_or_no
from nlp.understanding import Understanding

MIN_WORDS_TO_SWITCH = 3


def confirm(turn: Turn, node: Node, choice: Choice) -> None:
    label = choice.label or turn.catalogue.texts[choice.text]
    turn.evolve(pending={"node": node.id, "choice": choice.id})
    say(turn, "confirm.guess", choice=label)


def settled(turn: Turn, node: Node, said: str) -> bool:
    """The yes or no to a guess about this question; False when the message is something else
    (then read as a new answer)."""
    pending = turn.session.pending or {}
    if "choice" not in pending:
        return False
    turn.evolve(pending=None)
    choice = turn.choice(node, pending["choice"]) if pending["node"] == node.id else None
    meant = said_yes_or_no(said, turn.lang) if choice else None
    if meant is None:
        return False
    if meant:
        answered(turn, node, Answer(choice.value if choice.value is not None else choice.id,
                                    choice))
    else:
        say(turn, "confirm.denied", hint=hint(turn, node))
        ask(turn, node)
    return True


def other_language(turn: Turn, said: str, understanding: Understanding | None) -> str | None:
    """The flow's language a message is plainly written in, when it is not the conversation's."""
    detected = understanding.detected_lang if understanding else None
    if not turn.flow.switch_node or detected == turn.lang or detected not in turn.flow.languages:
        return None
    return detected if len(said.split()) >= MIN_WORDS_TO_SWITCH else None


def offer_switch(turn: Turn, lang: str) -> None:
    """Ask in the other language whether to go on in it; a no goes back to the one before."""
    was = turn.lang
    turn.evolve(lang=lang)
    divert(turn, turn.flow.switch_node or turn.flow.language_node)
    turn.evolve(pending={"was": was})


@action("keep_switch")
def _keep_switch(turn: Turn, answer: Answer) -> None:
    set_language(turn, turn.lang)


@action("undo_switch")
def _undo_switch(turn: Turn, answer: Answer) -> None:
    was = (turn.session.pending or {}).get("was")
    if was:
        turn.evolve(lang=was)
