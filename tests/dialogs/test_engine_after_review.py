"""Paths a review found broken: each now does what a person would expect."""

from dialogs.engine import step
from dialogs.model import (
    ChoicePicked,
    ConsentRecorded,
    DialogState,
    IntakeCompleted,
    ReminderDue,
)
from tests.dialogs.drive import FACTS, NOW, at, english_flow, say, send, with_answers

APPOINTMENT = {"id": 7, "when": "Wed 25 Nov, 09:00", "place": "Porto", "starts_at": NOW.isoformat()}


def test_saying_no_after_going_back_drops_the_special_answers_and_the_consent() -> None:
    session = say(at("special_consent"), ["yes", "yes", "back", "back"])
    assert session.node == "special_consent" and session.answers["disability"] == "yes"
    refused = send(session, "no")
    assert ConsentRecorded("special", False) in refused.events
    assert "disability" not in refused.session.answers
    confirmed = send(refused.session, "yes")
    (completed,) = [e for e in confirmed.events if isinstance(e, IntakeCompleted)]
    assert completed.special == {}


def test_restarting_keeps_the_booked_meeting_and_the_name() -> None:
    booked = with_answers(at("age_band"), appointment=APPOINTMENT, first_name="Maria")
    restarted = send(booked, "restart").session
    assert restarted.answers == {"appointment": APPOINTMENT, "first_name": "Maria"}
    reminded = send(restarted, ReminderDue(7))
    assert reminded.messages[0].text.startswith("Reminder: your meeting is Wed 25 Nov, 09:00")


def test_an_old_button_on_a_fresh_conversation_opens_it() -> None:
    flow = english_flow()
    result = step(flow, DialogState(flow=flow.id), ChoicePicked("after_intake", "book"), NOW, FACTS)
    assert result.session.status == "active" and result.session.node == "language"


def test_going_back_past_a_reminder_answered_never_reopens_it() -> None:
    session = with_answers(at("age_band"), appointment=APPOINTMENT)
    session = send(session, ReminderDue(7)).session
    session = say(session, ["cancel", "yes", "back", "back"])
    assert session.node not in ("reminder", "cancel_confirm")
    send(session, "1")  # no crash, whatever is asked now
