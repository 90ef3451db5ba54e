"""A counselor away for a day or a few hours: no slot is offered in that time, and the meetings
already in it are cancelled on the counselor's side, each person told and offered new times."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.conversation.service import ConversationService
from bot.counselors.actions import cancel_for_counselor
from storage.booking import Appointment, AvailabilityException
from storage.models import Site

REASON = "absence"


def mark_absent(
    service: ConversationService, db: Session, counselor_id: int, day: date,
    starts: time | None, ends: time | None, note: str | None, now: datetime,
) -> list[Appointment]:  # fmt: skip
    """Record the absence (the whole day without times) and cancel the counselor's meetings in
    it, at each site in the site's own zone; returns the cancelled appointments."""
    db.add(AvailabilityException(
        counselor_id=counselor_id, day=day, kind="closed", starts=starts, ends=ends, note=note,
        source="desk",
    ))  # fmt: skip
    db.flush()  # the new offers made to the people below must already leave this time out
    return [
        cancel_for_counselor(service, db, appointment.id, REASON, now)
        for appointment in _booked_within(db, counselor_id, day, starts, ends, now)
        if appointment.id is not None
    ]


def _booked_within(
    db: Session, counselor_id: int, day: date, starts: time | None, ends: time | None,
    now: datetime,
) -> list[Appointment]:  # fmt: skip
    # A day around the span in UTC catches every zone; each site's zone then decides.
    around = datetime.combine(day, time(), ZoneInfo("UTC"))
    candidates = db.exec(
        select(Appointment, Site.timezone)
        .join(Site, col(Site.id) == Appointment.site_id)
        .where(
            Appointment.counselor_id == counselor_id,
            Appointment.status == "booked",
            Appointment.ends_at > now,
            Appointment.starts_at < around + timedelta(days=2),
            Appointment.ends_at > around - timedelta(days=1),
        )
        .order_by(col(Appointment.starts_at))
    ).all()
    found = []
    for appointment, timezone in candidates:
        zone = ZoneInfo(timezone)
        begin = datetime.combine(day, starts or time(), zone)
        finish = (datetime.combine(day, ends, zone) if ends
                  else datetime.combine(day + timedelta(days=1), time(), zone))  # fmt: skip
        if appointment.starts_at < finish and appointment.ends_at > begin:
            found.append(appointment)
    return found
