"""What a counselor does to an appointment that the person must hear about.

The change and the message to the person commit together: the person is told in their own
conversation (in their language, on the channel they use) within the counselor's transaction.
"""

from datetime import datetime

from sqlmodel import Session

from bot.booking.appointment import cancel, mark_attendance
from bot.conversation.service import ConversationService
from dialogs.model import AppointmentCancelledByCounselor, MeetingMissed
from storage.booking import Appointment
from storage.db import lock_person


def cancel_for_counselor(
    service: ConversationService, db: Session, appointment_id: int, reason: str | None,
    now: datetime,
) -> Appointment:
    """Cancel on the counselor's side; the person is told and offered new slots."""
    _lock_person_first(db, appointment_id)
    appointment = cancel(db, appointment_id, "counselor", reason, now)
    service.tell_in(db, appointment.person_id, AppointmentCancelledByCounselor(appointment_id), now)
    return appointment


def record_attendance(
    service: ConversationService, db: Session, appointment_id: int, attended: bool,
    now: datetime,
) -> Appointment:
    """Attended or no-show; after a no-show the person gets a kind word and new slots."""
    _lock_person_first(db, appointment_id)
    appointment = mark_attendance(db, appointment_id, attended, now)
    if not attended:
        service.tell_in(db, appointment.person_id, MeetingMissed(appointment_id), now)
    return appointment


def _lock_person_first(db: Session, appointment_id: int) -> None:
    """Take the person's lock before the appointment's, in the order the person's own messages
    take them, so that a counselor and the person acting at once cannot deadlock."""
    appointment = db.get(Appointment, appointment_id)
    if appointment is None:
        raise LookupError(f"no appointment {appointment_id}")
    lock_person(db, appointment.person_id)
