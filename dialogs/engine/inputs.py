"""What the person sent (a start, a message, a button, a photo), read against the question
they are at: an answer, a command, a link code, or something to ask again."""

from datetime import datetime, timedelta

from dialogs.answers import Answer, Guess, Rejection, read_answer
from dialogs.engine import commands, confirming
from dialogs.engine.booking import ask_for_slots
from dialogs.engine.linking import link_code_in
from dialogs.engine.navigation import answered, begin, reject, resume
from dialogs.engine.places import FIELD as PLACE_FIELD
from dialogs.engine.places import GUESS as PLACE_GUESS
from dialogs.engine.places import read_place
from dialogs.engine.speech import ask, say, show_record
from dialogs.engine.turn import Turn
from dialogs.engine.understood import wish, yes_or_no
from dialogs.model import ChoicePicked, LinkCodeGiven, Node, RecordRead, Start
from nlp.understanding import Understanding

RESUME_AFTER = timedelta(hours=6)


def start(turn: Turn, given: Start) -> None:
    if turn.session.status == "new":
        begin(turn, given.lang if given.lang in turn.flow.languages else None)
    else:
        resume(turn)


def message(turn: Turn, text: str, understanding: Understanding | None) -> None:
    code = link_code_in(turn.flow, text)
    if code:
        return turn.ask_host(LinkCodeGiven(code))
    detected = _detected_lang(turn, understanding)
    command = commands.command_in(turn.flow, text) if text else None
    if turn.session.status == "new":
        if command != "my_data":
            return begin(turn, detected)
        # MY DATA before any start (after an erasure) has its answer, in the words' language,
        # and starts nothing.
        turn.evolve(lang=detected or commands.words_language(turn.flow, text))
        return commands.run(turn, command)
    if turn.session.status == "paused":
        if command is None:
            return resume(turn)
        turn.unpause()
    node = turn.node
    if not text:
        return reject(turn, node, Rejection("error.empty"))
    if node.id == turn.flow.language_node and turn.session.lang is None and detected:
        return answered(turn, node, Answer(detected, turn.choice(node, detected)))
    turn.understood = understanding
    _read(turn, node, text, command, understanding)


def picked(turn: Turn, given: ChoicePicked) -> None:
    if turn.session.status == "new":
        return begin(turn, None)
    if turn.session.status == "paused":
        turn.unpause()
    node = turn.node if turn.session.node else None
    choice = turn.choice(node, given.choice) if node and node.id == given.node else None
    if node is None or choice is None:
        return reject(turn, node or turn.flow.node(turn.flow.start), Rejection("error.stale"))
    value = choice.value if choice.value is not None else choice.id
    if node.kind == "multi":
        value = [choice.id]
    answered(turn, node, Answer(value, choice))


def record_read(turn: Turn, record: RecordRead) -> None:
    show_record(turn, record)
    if turn.session.status != "new":
        ask(turn, turn.node)


def media(turn: Turn) -> None:
    if turn.session.status == "new":
        return begin(turn, None)
    say(turn, "error.media")
    ask(turn, turn.node)


def _read(
    turn: Turn, node: Node, text: str, command: str | None, understanding: Understanding | None
) -> None:
    if turn.session.pending and confirming.settled(turn, node, text):
        return
    if node.id == turn.flow.stuck_node and _answers_interrupted(turn, node, text):
        return
    if node.field == PLACE_FIELD and PLACE_GUESS in turn.session.answers:
        # A yes or a no to "Did you mean Bologna?", or another place: the gazetteer's to read.
        refused = read_place(turn, node, text, understanding)
        return reject(turn, node, refused) if refused else None
    outcome = read_answer(node, turn.choices(node), text, turn.catalogue, turn.now.date())
    # A command word wins over free text, but not over a choice's own words: typing
    # "Talk to a person" where that is a choice does what the button does.
    if command and (node.kind == "text" or not isinstance(outcome, Answer)):
        return commands.run(turn, command)
    if node.field == PLACE_FIELD and isinstance(outcome, Answer):
        outcome = read_place(turn, node, text, understanding)
        if outcome is None:
            return None
    if isinstance(outcome, Rejection):
        outcome = yes_or_no(turn, node, understanding) or outcome
    if isinstance(outcome, Answer):
        return answered(turn, node, outcome)
    wished = wish(understanding) if node.request == "slots" else None
    if wished:
        return ask_for_slots(turn, wish=wished)
    intended = commands.intended_command(node, text, understanding)
    if intended:
        return commands.run(turn, intended)
    if _returning(turn):
        return resume(turn)
    switch_to = confirming.other_language(turn, text, understanding)
    if switch_to:
        return confirming.offer_switch(turn, switch_to)
    if isinstance(outcome, Guess):
        return confirming.confirm(turn, node, outcome.choice)
    reject(turn, node, outcome)


def _answers_interrupted(turn: Turn, stuck: Node, text: str) -> bool:
    """At the "what would help?" menu, an answer to the question it interrupted is that answer
    ("3" meaning 30 to 39 is not "talk to a person"); only the menu's own words choose from it."""
    if not turn.session.return_to or _menu_words(turn, stuck, text):
        return False
    *rest, interrupted_id = turn.session.return_to
    interrupted = turn.flow.node(interrupted_id)
    outcome = read_answer(interrupted, turn.choices(interrupted), text, turn.catalogue,
                          turn.now.date())
    if not isinstance(outcome, Answer):
        return False
    turn.evolve(return_to=tuple(rest), node=interrupted_id)
    answered(turn, interrupted, outcome)
    return True


def _menu_words(turn: Turn, menu: Node, text: str) -> bool:
    """The words of one of the menu's choices ("explain the question"), not a number."""
    if text.strip().isdecimal():
        return False
    outcome = read_answer(menu, turn.choices(menu), text, turn.catalogue, turn.now.date())
    return isinstance(outcome, Answer)


def _detected_lang(turn: Turn, understanding: Understanding | None) -> str | None:
    """The language the message is written in, when the flow speaks it."""
    detected = understanding.detected_lang if understanding else None
    return detected if detected in turn.flow.languages else None


def _returning(turn: Turn) -> bool:
    """Back after a long silence: what they say is more likely a greeting than an answer."""
    last = turn.session.updated_at
    return bool(last) and turn.now - datetime.fromisoformat(last) > RESUME_AFTER
