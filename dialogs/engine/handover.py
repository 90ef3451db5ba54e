"""Talking to a person: the request for a hand-over, what the host answers, and the way back.

While a hand-over is open the host keeps the person's messages in its thread and does not step
the dialog; the session waits at the node where the person asked, and the dialog asks that
question again when the hand-over closes.
"""

from dialogs.answers import Answer
from dialogs.engine.navigation import enter
from dialogs.engine.registry import action, command
from dialogs.engine.speech import ask, say
from dialogs.engine.turn import Turn
from dialogs.model import HandOverRequested


@action("hand_over", navigates=True)
def hand_over(turn: Turn, answer: Answer) -> None:
    if not turn.session.consent_general:
        # A hand-over keeps the person's words for a counselor: nothing is kept before consent.
        say(turn, "handover.consent_first")
        return ask(turn, turn.node)
    # Navigates: the question after the choice is asked only once the person is back.
    turn.ask_host(HandOverRequested(turn.session.node))


def opened(turn: Turn, site: str, hours: int, by: str) -> None:
    say(turn, "handover.opened", site=site, hours=hours, by=by)


def delayed(turn: Turn, site: str, by: str) -> None:
    say(turn, "handover.late", site=site, by=by)


def closed(turn: Turn) -> None:
    say(turn, "handover.closed")
    node = turn.node
    if node.id == turn.flow.stuck_node and turn.session.return_to:
        # Asked from "I did not understand": back to the question that was not understood.
        *rest, last = turn.session.return_to
        turn.evolve(return_to=tuple(rest))
        return enter(turn, last)
    ask(turn, node)


@command("bot")
def _bot(turn: Turn) -> None:
    """BOT outside a hand-over: the person is talking to the bot already."""
    say(turn, "handover.none")
    ask(turn, turn.node)
