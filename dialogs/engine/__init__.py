"""The dialog engine: (flow, session, input, now) -> new session, past-tense events, and at most
one request for the host.

Pure by design: no I/O, no clock, no database, no channel. The conversation service applies the
events it returns (storing the intake, recording consent, queueing the messages) and answers
its request (slots to offer, a slot to book, a link code) by stepping again with the answer.
"""

from collections.abc import Mapping
from datetime import datetime

from dialogs.engine import actions, booking, handover, inputs, linking, timers  # noqa: F401
from dialogs.engine.registry import ACTIONS, COMMANDS, REQUESTS
from dialogs.engine.speech import ENGINE_TEXTS
from dialogs.engine.turn import Turn
from dialogs.matching import clean
from dialogs.model import (
    AppointmentCancelledByCounselor,
    BookingMade,
    ChoicePicked,
    DialogState,
    ErasureDue,
    Flow,
    FollowUpDue,
    HandOverClosed,
    HandOverDelayed,
    HandOverOpened,
    IdentityLinked,
    Input,
    LinkCodeIssued,
    MediaReceived,
    MeetingMissed,
    Message,
    NudgeDue,
    RecordRead,
    ReminderDue,
    SlotGone,
    SlotsFound,
    Start,
    Step,
)

__all__ = ["ACTIONS", "ENGINE_TEXTS", "REQUESTS", "command_names", "step"]


def step(
    flow: Flow,
    session: DialogState,
    given: Input,
    now: datetime,
    facts: Mapping[str, str] | None = None,
) -> Step:
    """Advance one conversation by one input."""
    turn = Turn(flow, session, now, dict(facts or {}))
    match given:
        case Start():
            inputs.start(turn, given)
        case Message():
            inputs.message(turn, clean(given.text), given.understanding)
        case ChoicePicked():
            inputs.picked(turn, given)
        case MediaReceived():
            inputs.media(turn)
        case SlotsFound() | SlotGone():
            booking.slots_found(turn, given.offers, gone=isinstance(given, SlotGone))
        case BookingMade():
            booking.booking_made(turn, given.appointment)
        case AppointmentCancelledByCounselor():
            booking.offer_again(turn, given.appointment_id, "book.cancelled_by_counselor")
        case MeetingMissed():
            booking.offer_again(turn, given.appointment_id, "book.missed")
        case LinkCodeIssued():
            linking.link_code_issued(turn, given.code, given.minutes)
        case IdentityLinked():
            linking.identity_linked(turn, given.linked, given.has_data)
        case NudgeDue():
            timers.nudge(turn)
        case ReminderDue():
            timers.about_appointment(turn, given.appointment_id, flow.reminder_node)
        case FollowUpDue():
            timers.about_appointment(turn, given.appointment_id, flow.follow_up_node)
        case ErasureDue():
            timers.erasure_due(turn, given.days)
        case HandOverOpened():
            handover.opened(turn, given.site, given.hours, given.by)
        case HandOverDelayed():
            handover.delayed(turn, given.site, given.by)
        case HandOverClosed():
            handover.closed(turn)
        case RecordRead():
            inputs.record_read(turn, given)
    return Step(turn.session.evolve(updated_at=now.isoformat()), tuple(turn.events), turn.request)


def command_names() -> tuple[str, ...]:
    """The commands the engine understands; every catalogue must give words for each."""
    return tuple(COMMANDS)
