"""Booking, moving and cancelling an appointment, and recording whether the person came.

Each function works inside the caller's transaction (storage.db.unit_of_work), so that the
conversation can book and queue its messages in one commit. A refusal is a returned value, and
the writes of a refused attempt are rolled back to a savepoint: the caller's transaction stays
usable. What is free is decided by the database at write time: the counselor's row is locked
(PostgreSQL; SQLite holds the write lock from BEGIN), the slot is checked again against the
hours and rules as they are now, and then the insert or the seat update itself is refused by
the database when someone else got there first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.booking.calendars import days_around, load_calendars, load_roster, load_rules
from bot.booking.offers import SlotOffer
from bot.booking.slots import Need, Rules, Search, Slot, free_slots
from storage import appointments, outbox
from storage.booking import Appointment, Meeting
from storage.models import Service, Site


@dataclass(frozen=True)
class SlotTaken:
    """The slot cannot be booked any more. `reason`: taken (by someone else, the last seat
    gone, or the counselor's hours changed), too_soon (inside the minimum notice), too_late
    (beyond how far ahead one may book)."""

    reason: Literal["taken", "too_soon", "too_late"]


@dataclass(frozen=True)
class AlreadyBooked:
    """The person already holds a booked appointment for this service: move that one."""

    appointment_id: int


class NotActive(Exception):
    """The appointment is cancelled or over, and cannot be changed that way."""


def reminders_reference(appointment_id: int) -> str:
    """The outbox reference of an appointment's reminders, which a move or a cancellation
    cancels."""
    return f"appointment:{appointment_id}"


def book(
    db: Session, person_id: str, offer: SlotOffer, now: datetime
) -> Appointment | SlotTaken | AlreadyBooked:
    """Book the offered slot for the person, or say why not."""
    service = _service(db, offer)
    assert service.id is not None  # read from the database
    appointments.lock_counselors(db, [offer.counselor_id])
    appointments.close_past(db, person_id, service.id, now)
    existing = appointments.active_appointment(db, person_id, service.id)
    if existing is not None:
        assert existing.id is not None
        return AlreadyBooked(existing.id)
    try:
        with db.begin_nested():
            meeting = _hold(db, offer, service, now)
            appointment = Appointment(
                person_id=person_id, created_at=now, updated_at=now, **_placed(meeting)
            )
            return appointments.add_appointment(db, appointment)
    except _Refused as refused:
        return refused.result
    except appointments.DuplicateBooking:
        winner = appointments.active_appointment(db, person_id, service.id)
        assert winner is not None and winner.id is not None  # what the database refused on
        return AlreadyBooked(winner.id)


def move(
    db: Session, appointment_id: int, offer: SlotOffer, now: datetime
) -> Appointment | SlotTaken:
    """Move a booked appointment to the offered slot, in one step: the new slot is taken and
    the old one freed together, or, when the new one is gone, nothing changes.

    The appointment keeps its id (and so its calendar UID); its pending reminders are cancelled,
    to be queued again for the new time. Raises NotActive once it is cancelled or has started.
    """
    appointment = appointments.appointment_for_update(db, appointment_id)
    if appointment.status != "booked" or appointment.starts_at <= now:
        raise NotActive(f"appointment {appointment_id} is {appointment.status} or has started")
    if offer.service_id != appointment.service_id:
        raise ValueError("a move keeps the service; book the other service instead")
    service = _service(db, offer)
    appointments.lock_counselors(db, {appointment.counselor_id, offer.counselor_id})
    try:
        with db.begin_nested():
            appointments.release_seat(db, appointment.meeting_id)
            meeting = _hold(db, offer, service, now)
    except _Refused as refused:
        return refused.result
    appointment.previous_meeting_id = appointment.meeting_id
    for name, value in _placed(meeting).items():
        setattr(appointment, name, value)
    appointment.sequence += 1
    appointment.updated_at = now
    db.add(appointment)
    db.flush()
    outbox.cancel_by_reference(db, reminders_reference(appointment_id))
    return appointment


def cancel(
    db: Session,
    appointment_id: int,
    by: Literal["person", "counselor"],
    reason: str | None,
    now: datetime,
) -> Appointment:
    """Cancel the appointment: its seat is free at once and its pending reminders cancelled.
    Cancelling again changes nothing. Raises NotActive once the meeting is over or done."""
    appointment = appointments.appointment_for_update(db, appointment_id)
    if appointment.status == "cancelled":
        return appointment
    if appointment.status != "booked" or appointment.ends_at <= now:
        raise NotActive(f"appointment {appointment_id} is over")
    appointments.release_seat(db, appointment.meeting_id)
    appointment.status = "cancelled"
    appointment.cancelled_at = now
    appointment.cancelled_by = by
    appointment.cancel_reason = reason
    appointment.sequence += 1
    appointment.updated_at = now
    db.add(appointment)
    db.flush()
    outbox.cancel_by_reference(db, reminders_reference(appointment_id))
    return appointment


def mark_attendance(db: Session, appointment_id: int, attended: bool, now: datetime) -> Appointment:
    """Record whether the person came; the appointment is then done. A later call corrects the
    record. Raises NotActive for a cancelled appointment or one that has not started."""
    appointment = appointments.appointment_for_update(db, appointment_id)
    if appointment.status == "cancelled" or appointment.starts_at > now:
        raise NotActive(f"appointment {appointment_id} cannot be attended now")
    appointment.attended = attended
    appointment.status = "done"
    appointment.attendance_marked_at = now
    appointment.updated_at = now
    db.add(appointment)
    db.flush()
    return appointment


def no_shows(db: Session, person_id: str) -> int:
    """How many appointments the person missed."""
    return appointments.no_shows(db, person_id)


class _Refused(Exception):
    def __init__(self, reason: Literal["taken", "too_soon", "too_late"]) -> None:
        super().__init__(reason)
        self.result = SlotTaken(reason)


def _service(db: Session, offer: SlotOffer) -> Service:
    service = db.get(Service, offer.service_id)
    if service is None:
        raise ValueError(f"unknown service {offer.service_id}")
    if offer.mode not in service.modes:
        raise ValueError(f"service {service.code!r} is not given {offer.mode}")
    return service


def _hold(db: Session, offer: SlotOffer, service: Service, now: datetime) -> Meeting:
    """Take the counselor's time for the offer: a seat in the group session held then, or a new
    meeting. Raises _Refused."""
    rules = load_rules(db)
    if offer.starts_at < now + rules.min_notice:
        raise _Refused("too_soon")
    if offer.starts_at > now + rules.horizon:
        raise _Refused("too_late")
    slot = _slot_now(db, offer, service, rules, now)
    if slot is None:
        raise _Refused("taken")
    if slot.meeting_id is not None:
        if not appointments.take_seat(db, slot.meeting_id):
            raise _Refused("taken")
        meeting = db.get(Meeting, slot.meeting_id)
        assert meeting is not None  # its seat was just taken
        return meeting
    meeting = Meeting(
        counselor_id=offer.counselor_id,
        site_id=offer.site_id,
        service_id=service.id,
        mode=offer.mode,
        starts_at=slot.start,
        ends_at=slot.end,
        seats=service.group_seats or 1,
        taken=1,
        created_at=now,
    )
    try:
        return appointments.open_meeting(db, meeting)
    except appointments.Overlap:
        raise _Refused("taken") from None


def _slot_now(
    db: Session, offer: SlotOffer, service: Service, rules: Rules, now: datetime
) -> Slot | None:
    """The offered slot as the calendars stand now, or None when it is no longer free."""
    assert service.id is not None
    zones = {site.id: ZoneInfo(site.timezone) for site in db.exec(select(Site)).all()}
    window = (offer.starts_at, offer.starts_at + timedelta(microseconds=1))
    roster = load_roster(db, [offer.counselor_id], zones, [offer.site_id], *days_around(window))
    (calendar,) = load_calendars(db, roster, [offer.counselor_id], window, service.id)
    need = Need(
        service.code,
        timedelta(minutes=service.duration_minutes),
        offer.mode,
        group=service.group_seats is not None,
    )
    search = Search(need, rules, now, window, {offer.site_id: zones[offer.site_id]})
    return next(free_slots(calendar, search), None)


def _placed(meeting: Meeting) -> dict[str, object]:
    """An appointment's copy of its meeting's place and time."""
    return {
        "meeting_id": meeting.id,
        "counselor_id": meeting.counselor_id,
        "site_id": meeting.site_id,
        "service_id": meeting.service_id,
        "mode": meeting.mode,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
    }
