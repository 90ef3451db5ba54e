"""The way through the flow: entering nodes, taking answers, routing, the return stack."""

from collections.abc import Mapping
from typing import Any

from dialogs.answers import Answer, Rejection
from dialogs.engine import each, understood
from dialogs.engine.registry import ACTIONS, REQUESTS
from dialogs.engine.speech import ask, hint, say, topic
from dialogs.engine.turn import Turn
from dialogs.model import RETURN, Flow, LanguageChosen, Node

TRIES_BEFORE_OFFERING_HELP = 2


def begin(turn: Turn, lang: str | None) -> None:
    turn.evolve(status="active", started_at=turn.now.isoformat())
    if lang:
        set_language(turn, lang)
        enter(turn, turn.flow.node(turn.flow.language_node).routes[0].to)
    else:
        enter(turn, turn.flow.language_node)


def set_language(turn: Turn, lang: str) -> None:
    turn.evolve(lang=lang)
    turn.emit(LanguageChosen(lang))


def enter(turn: Turn, node_id: str) -> None:
    """Go to a node, saying the messages on the way, and ask its question."""
    node = turn.flow.node(node_id)
    while not node.asks or (node.for_each and not each.prepare(turn, node)):
        if node.text and not node.asks:
            say(turn, node.text)
        if node.kind == "end" or not node.routes:
            turn.evolve(node=node.id)
            return
        node = turn.flow.node(_route(turn, node))
    turn.evolve(node=node.id, pending=None)
    if node.request:
        # The question waits for the host's answer (the slots to offer).
        return REQUESTS[node.request](turn)
    ask(turn, node)


def answered(turn: Turn, node: Node, answer: Answer) -> None:
    answers = dict(turn.session.answers)
    item = each.current(turn, node) if node.for_each else None
    if item is not None:
        each.record(answers, node, item, answer.value)
    elif node.field:
        answers[node.field] = answer.value
    if node.extract == "taxonomy":
        # A first answer replaces what was understood before; an addition extends it.
        earlier = [] if node.field else answers.get("found") or []
        answers["found"] = understood.merged(earlier, understood.taxonomy(turn.understood))
    history = turn.session.history
    if node.id not in _side_nodes(turn.flow):
        history = (*history, node.id)
    turn.evolve(answers=answers, failures=0, history=history)
    if item is not None and each.current(turn, node):
        return ask(turn, node)  # the same question about the next item
    names = (node.action, answer.choice and answer.choice.action)
    actions = [ACTIONS[name] for name in names if name]
    for action in actions:
        action.run(turn, answer)
    if not any(action.navigates for action in actions):
        target = _target(turn, node, answer)
        if target:
            enter(turn, target)


def divert(turn: Turn, to: str) -> None:
    """Go to a side node (language, stuck, erase) and come back to where the person was."""
    if turn.session.node and turn.session.node != to:
        turn.evolve(return_to=(*turn.session.return_to, turn.session.node))
    enter(turn, to)


def reject(turn: Turn, node: Node, rejection: Rejection) -> None:
    """Say what kind of answer the question expects, in its own terms (its help), and ask again;
    after a second miss in a row, offer help instead."""
    failures = turn.session.failures + 1
    say(
        turn,
        rejection.key,
        count=len(turn.choices(node)),
        hint=hint(turn, node),
        **rejection.values,
    )
    if failures >= TRIES_BEFORE_OFFERING_HELP and node.id != turn.flow.stuck_node:
        turn.evolve(failures=0)
        return divert(turn, turn.flow.stuck_node)
    turn.evolve(failures=failures)
    ask(turn, node)


def resume(turn: Turn) -> None:
    node = turn.node
    about = topic(turn, node)
    turn.unpause()
    say(turn, "resume.topic" if about else "resume.plain", topic=about)
    if node.request:
        # Slots shown days ago may be gone or past: ask the host for today's.
        return REQUESTS[node.request](turn)
    ask(turn, node)


def restart(turn: Turn) -> None:
    # A new intake; the booked meeting and the name the counselor knows them by stay, and so
    # does the intake saved before, until the new one replaces it.
    answers = turn.session.answers
    kept = {k: v for k, v in answers.items() if k in ("appointment", "first_name", "saved")}
    if answers.get("track"):
        kept["saved"] = {k: v for k, v in answers.items() if k in turn.flow.summary_fields}
    turn.evolve(
        answers=kept,
        history=(),
        return_to=(),
        failures=0,
        status="active",
        started_at=turn.now.isoformat(),
    )
    say(turn, "restart.done")
    consented = turn.session.consent_general
    enter(turn, turn.flow.first_question if consented else turn.flow.consent_node)


def holds(when: Mapping[str, tuple[Any, ...]], answers: Mapping[str, Any]) -> bool:
    return all(_accepts(accepted, answers.get(field)) for field, accepted in when.items())


def _accepts(accepted: tuple[Any, ...], value: Any) -> bool:
    """The answer is one of the accepted values, or a list holding a plain accepted value."""
    if value in accepted:
        return True
    return isinstance(value, list) and any(isinstance(a, str) and a in value for a in accepted)


def _side_nodes(flow: Flow) -> tuple[str, ...]:
    """Nodes reached on the way (a reminder, a confirmation) that BACK never returns to."""
    return (
        flow.stuck_node,
        flow.switch_node or "",
        flow.erase_node,
        flow.cancel_node,
        flow.reminder_node,
        flow.follow_up_node,
        "follow_up_next",
    )


def _target(turn: Turn, node: Node, answer: Answer) -> str | None:
    choice = answer.choice
    returning = choice is not None and choice.next == RETURN
    if choice and choice.next and not returning:
        return choice.next
    if turn.session.return_to:
        return _pop_return(turn)
    # "@return" with nowhere to return to (the node was reached directly): its own route.
    for route in node.routes:
        if holds(route.when, turn.session.answers):
            return route.to
    return None


def _pop_return(turn: Turn) -> str:
    *rest, last = turn.session.return_to
    turn.evolve(return_to=tuple(rest))
    return last


def _route(turn: Turn, node: Node) -> str:
    return next(r.to for r in node.routes if holds(r.when, turn.session.answers))
