"""Meetings and appointments; the caller owns the transaction (storage.db.unit_of_work).

The seat and overlap rules are decided here by the database: a meeting that overlaps a booked
one of the same counselor is refused on insert (migration 0003), a seat is taken by one
conditional UPDATE, and one person holds at most one booked appointment per service (a partial
unique index).
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, case, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.booking import Appointment, Meeting
from storage.models import Counselor, Service, Site


class Overlap(Exception):
    """The meeting overlaps a booked meeting of the same counselor."""


class DuplicateBooking(Exception):
    """The person already holds a booked appointment for the service."""


def lock_counselors(session: Session, counselor_ids: Collection[int]) -> None:
    """Hold the counselors' rows until the transaction ends, in id order (no deadlock), so that
    checks of buffers and daily limits see every booking of theirs. On SQLite, where FOR UPDATE
    does not exist, the transaction already holds the write lock from BEGIN."""
    session.exec(
        select(Counselor.id)
        .where(Counselor.id.in_(sorted(counselor_ids)))
        .order_by(Counselor.id)
        .with_for_update()
    ).all()


def booked_meetings(
    session: Session, counselor_ids: Collection[int], starting_from: datetime, before: datetime
) -> Sequence[Row[Any]]:
    """The counselors' booked meetings starting in [starting_from, before), by start: rows of
    id, counselor_id, site_id, service_id, mode, starts_at, ends_at, seats, taken (plain rows,
    not entities: a slot search reads thousands)."""
    return session.exec(
        select(
            Meeting.id,
            Meeting.counselor_id,
            Meeting.site_id,
            Meeting.service_id,
            Meeting.mode,
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.seats,
            Meeting.taken,
        )
        .where(
            Meeting.counselor_id.in_(counselor_ids),
            Meeting.status == "booked",
            Meeting.starts_at >= starting_from,
            Meeting.starts_at < before,
        )
        .order_by(Meeting.starts_at)
    ).all()


def open_meeting(session: Session, meeting: Meeting) -> Meeting:
    """Insert a booked meeting; raises Overlap when the counselor is booked at that time.

    The savepoint keeps the caller's transaction usable after a refusal.
    """
    try:
        with session.begin_nested():
            session.add(meeting)
            session.flush()
    except IntegrityError:
        if _overlapping(session, meeting):
            raise Overlap from None
        raise
    return meeting


def take_seat(session: Session, meeting_id: int) -> bool:
    """One more seat taken in a booked meeting; False when none is left."""
    result = session.exec(
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.status == "booked", Meeting.taken < Meeting.seats)
        .values(taken=Meeting.taken + 1)
    )
    return result.rowcount == 1


def release_seat(session: Session, meeting_id: int) -> None:
    """One seat freed; the last one releases the counselor's time."""
    session.exec(
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.status == "booked")
        .values(
            taken=Meeting.taken - 1,
            status=case((Meeting.taken <= 1, "released"), else_=Meeting.status),
        )
    )


def add_appointment(session: Session, appointment: Appointment) -> Appointment:
    """Insert a booked appointment; raises DuplicateBooking when the person already holds one
    for the service."""
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
    except IntegrityError:
        if active_appointment(session, appointment.person_id, appointment.service_id):
            raise DuplicateBooking from None
        raise
    return appointment


def active_appointment(session: Session, person_id: str, service_id: int) -> Appointment | None:
    return session.exec(
        select(Appointment).where(
            Appointment.person_id == person_id,
            Appointment.service_id == service_id,
            Appointment.status == "booked",
        )
    ).first()


def close_past(session: Session, person_id: str, service_id: int, now: datetime) -> None:
    """Booked appointments of the person for the service that have ended become done (their
    attendance can still be recorded), so that they no longer count as active."""
    session.exec(
        update(Appointment)
        .where(
            Appointment.person_id == person_id,
            Appointment.service_id == service_id,
            Appointment.status == "booked",
            Appointment.ends_at <= now,
        )
        .values(status="done", updated_at=now)
    )


def appointment_for_update(session: Session, appointment_id: int) -> Appointment:
    """The appointment, locked until the transaction ends; LookupError when there is none."""
    appointment = session.exec(
        select(Appointment).where(Appointment.id == appointment_id).with_for_update()
    ).first()
    if appointment is None:
        raise LookupError(f"no appointment {appointment_id}")
    return appointment


def no_shows(session: Session, person_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.person_id == person_id, Appointment.attended.is_(False))
    ).one()


def appointments_for_export(session: Session) -> list[dict[str, Any]]:
    """Every appointment as JSON-ready values; the schema is in docs/export.md."""
    rows = session.exec(
        select(Appointment, Counselor.code, Site.code, Site.timezone, Service.code)
        .join(Counselor, Counselor.id == Appointment.counselor_id)
        .join(Site, Site.id == Appointment.site_id)
        .join(Service, Service.id == Appointment.service_id)
        .order_by(Appointment.id)
    ).all()
    return [_exported(*row) for row in rows]


def _exported(
    appointment: Appointment, counselor: str, site: str, timezone: str, service: str
) -> dict[str, Any]:
    zone = ZoneInfo(timezone)
    attendance = {True: "attended", False: "no_show", None: None}[appointment.attended]
    return {
        "id": appointment.id,
        "person_id": appointment.person_id,
        "counselor": counselor,
        "site": site,
        "service": service,
        "mode": appointment.mode,
        "starts_at_utc": appointment.starts_at.isoformat(),
        "ends_at_utc": appointment.ends_at.isoformat(),
        "timezone": timezone,
        "starts_at_local": appointment.starts_at.astimezone(zone).isoformat(),
        "ends_at_local": appointment.ends_at.astimezone(zone).isoformat(),
        "status": appointment.status,
        "created_at": appointment.created_at.isoformat(),
        "cancelled_at": _iso(appointment.cancelled_at),
        "cancelled_by": appointment.cancelled_by,
        "cancel_reason": appointment.cancel_reason,
        "attendance": attendance,
        "confirmed_at": _iso(appointment.confirmed_at),
        "follow_up_rating": appointment.follow_up_rating,
        "follow_up_next_step": appointment.follow_up_next_step,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _overlapping(session: Session, meeting: Meeting) -> bool:
    return (
        session.exec(
            select(Meeting.id).where(
                Meeting.counselor_id == meeting.counselor_id,
                Meeting.status == "booked",
                Meeting.starts_at < meeting.ends_at,
                meeting.starts_at < Meeting.ends_at,
            )
        ).first()
        is not None
    )
