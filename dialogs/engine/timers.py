"""Timed messages (a nudge, a reminder, a follow-up): the worker says when, the session says
whether it still applies."""

from dialogs.answers import Answer
from dialogs.engine.navigation import divert
from dialogs.engine.registry import action
from dialogs.engine.speech import ask, say, topic
from dialogs.engine.turn import Turn
from dialogs.model import FollowUpAnswered, ReminderAnswered


def nudge(turn: Turn) -> None:
    """Bring back a person who left the intake half-way; nothing once it is over."""
    node = turn.node
    if turn.session.status != "active" or not node.asks:
        return
    about = topic(turn, node)
    say(turn, "nudge.topic" if about else "nudge.plain", topic=about)
    ask(turn, node)


def erasure_due(turn: Turn, days: int) -> None:
    """Long silence: the data goes in `days` unless the person writes; where they were stays."""
    say(turn, "retention.notice", days=days)


def about_appointment(turn: Turn, appointment_id: int, node_id: str) -> None:
    """A reminder or a follow-up, if it is about the person's current appointment."""
    current = turn.session.answers.get("appointment") or {}
    if current.get("id") != appointment_id:
        return
    if turn.session.status == "paused":
        turn.unpause()
    divert(turn, node_id)


@action("answer_reminder")
def _answer_reminder(turn: Turn, answer: Answer) -> None:
    appointment = turn.session.answers.get("appointment")
    if not appointment:
        return
    turn.emit(ReminderAnswered(appointment["id"], answer.choice.id))
    if answer.choice.id == "confirm":
        say(turn, "reminder.confirmed")


@action("answer_follow_up")
def _answer_follow_up(turn: Turn, answer: Answer) -> None:
    appointment = turn.session.answers.get("appointment")
    rating = turn.session.answers.get("follow_up_rating")
    if appointment:
        turn.emit(FollowUpAnswered(appointment["id"], rating, answer.choice.id))
    turn.keep(appointment=None, booking={})
    turn.evolve(return_to=())
    say(turn, "followup.thanks")
