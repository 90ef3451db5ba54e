"""Commands: words that work at any question (HELP, BACK, STOP, BOOK...) in every language, and
intents that mean them."""

from dialogs.answers import Answer
from dialogs.engine.booking import new_booking
from dialogs.engine.handover import hand_over
from dialogs.engine.navigation import answered, divert, enter, restart
from dialogs.engine.registry import COMMANDS, command
from dialogs.engine.speech import ask, say
from dialogs.engine.turn import Turn
from dialogs.engine.understood import INTENT_CONFIDENCE
from dialogs.matching import is_command
from dialogs.model import Flow, LinkCodeWanted, Node, RecordWanted
from nlp.understanding import Understanding

COMMAND_OF_INTENT = {
    "help": "help",
    "human": "person",
    "stop": "stop",
    "restart": "restart",
    "change_language": "language",
    "my_data": "my_data",
    "delete_data": "delete",
    "book": "book",
    "cancel": "cancel",
    "reschedule": "move",
}


def command_in(flow: Flow, text: str) -> str | None:
    for catalogue in flow.catalogues.values():
        for name, words in catalogue.commands.items():
            if is_command(text, words):
                return name
    return None


def words_language(flow: Flow, text: str) -> str | None:
    """The language whose command words the text is (the first, when several share them)."""
    for lang, catalogue in flow.catalogues.items():
        if any(is_command(text, words) for words in catalogue.commands.values()):
            return lang
    return None


def intended_command(node: Node, text: str, understanding: Understanding | None) -> str | None:
    """A command meant in free words; on free-text questions only short, sure messages."""
    if understanding is None or understanding.confidence < INTENT_CONFIDENCE:
        return None
    if node.kind == "text" and len(text.split()) > 5:
        return None
    return COMMAND_OF_INTENT.get(understanding.intent)


def run(turn: Turn, name: str) -> None:
    COMMANDS[name](turn)


@command("help")
def _help(turn: Turn) -> None:
    node = turn.node
    say(turn, node.help or "help.generic")
    ask(turn, node)


@command("back")
def _back(turn: Turn) -> None:
    if not turn.session.history:
        say(turn, "back.none")
        return ask(turn, turn.node)
    *earlier, previous = turn.session.history
    turn.evolve(history=tuple(earlier), return_to=())
    enter(turn, previous)


command("restart")(restart)


@command("language")
def _language(turn: Turn) -> None:
    divert(turn, turn.flow.language_node)


@command("stop")
def _stop(turn: Turn) -> None:
    turn.evolve(status="paused")
    say(turn, "stop.done")


@command("person")
def _person(turn: Turn) -> None:
    hand_over(turn, Answer(None, None))


@command("skip")
def _skip(turn: Turn) -> None:
    node = turn.node
    if not node.optional:
        say(turn, "skip.not_optional")
        return ask(turn, node)
    answered(turn, node, Answer(None, None))


@command("my_data")
def _my_data(turn: Turn) -> None:
    turn.ask_host(RecordWanted())


@command("delete")
def _delete(turn: Turn) -> None:
    divert(turn, turn.flow.erase_node)


@command("book")
def _book(turn: Turn) -> None:
    if not turn.session.answers.get("track"):
        say(turn, "booking.after_intake")
        return ask(turn, turn.node)
    new_booking(turn, Answer(None, None))
    enter(turn, turn.flow.booking_node)


@command("cancel")
def _cancel(turn: Turn) -> None:
    if not turn.session.answers.get("appointment"):
        say(turn, "booking.none")
        return ask(turn, turn.node)
    divert(turn, turn.flow.cancel_node)


@command("move")
def _move(turn: Turn) -> None:
    appointment = turn.session.answers.get("appointment")
    if not appointment:
        say(turn, "booking.none")
        return ask(turn, turn.node)
    turn.keep(booking={"moving": appointment["id"]})
    enter(turn, turn.flow.booking_node)


@command("link")
def _link(turn: Turn) -> None:
    if not turn.session.consent_general:
        say(turn, "link.consent_first")
        return ask(turn, turn.node)
    turn.ask_host(LinkCodeWanted())
