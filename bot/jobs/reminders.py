"""Timed work as outbox rows: a reminder, a nudge or a follow-up is a *trigger* row with a
not-before time, written in the transaction that caused it, so a restart loses none.

A trigger row goes on the timer channel (bot.delivery.outbound.TIMER), which no person reads:
when it falls due, the worker's trigger runner (bot.jobs.triggers) tells the person's
conversation (ReminderDue, NudgeDue, FollowUpDue), and the messages that produces go out as
ordinary rows. The triggers of an appointment carry its reminders reference, so a cancellation
or a move cancels them in the same transaction (bot.booking.appointment); a move schedules new
ones.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.booking.appointment import reminders_reference
from bot.delivery.outbound import Kind, Trigger, queue
from storage import repositories as repo
from storage.booking import Appointment
from storage.models import Outbox, Site


@dataclass(frozen=True)
class ReminderTimes:
    """When an appointment's reminders and follow-up fall due (PERCORSO_REMINDER_OFFSETS_HOURS,
    PERCORSO_FOLLOW_UP_HOUR; the defaults are those of bot.settings)."""

    offsets_hours: tuple[float, ...] = (24.0, 2.0)  # before the meeting
    follow_up_hour: int = 10  # the day after the meeting, local time of its site


def schedule_reminders(
    db: Session, appointment: Appointment, now: datetime, times: ReminderTimes
) -> list[Outbox]:
    """Queue the appointment's reminders (those still ahead) and its follow-up."""
    assert appointment.id is not None
    dues = sorted(appointment.starts_at - timedelta(hours=h) for h in times.offsets_hours)
    rows = []
    for due, superseded in zip(dues, [*dues[1:], None], strict=True):
        if due > now:
            # A worker that was down must not send two reminders at once: the earlier one
            # is dropped once the later one is due.
            rows.append(_trigger(db, appointment, "reminder", due, now, superseded))
    follow_up = _follow_up_time(db, appointment, times.follow_up_hour)
    rows.append(_trigger(db, appointment, "follow_up", follow_up, now))
    return [row for row in rows if row is not None]


def queue_trigger(
    db: Session,
    person_id: str,
    trigger: Callable[[str], Trigger],
    due: datetime,
    now: datetime,
    reference: str,
) -> Outbox | None:
    """A trigger row for the person, on the identity they last used (None: nobody to tell).

    `trigger` makes the trigger from its `once` key: a trigger run again after a crash is
    refused by the conversation.
    """
    identity = repo.latest_identity(db, person_id)
    if identity is None:
        return None
    return queue(db, identity, trigger(uuid.uuid4().hex), now, due, reference)


def _trigger(
    db: Session, appointment: Appointment, trigger: Literal["reminder", "follow_up"],
    due: datetime, now: datetime, superseded_at: datetime | None = None,
) -> Outbox | None:  # fmt: skip
    kind: Kind = "reminder" if trigger == "reminder" else "nudge"
    timed = partial(Trigger, trigger, kind, appointment_id=appointment.id,
                    superseded_at=superseded_at)  # fmt: skip
    reference = reminders_reference(appointment.id)
    return queue_trigger(db, appointment.person_id, timed, due, now, reference)


def _follow_up_time(db: Session, appointment: Appointment, hour: int) -> datetime:
    site = db.get(Site, appointment.site_id)
    assert site is not None  # an appointment's site is a foreign key
    zone = ZoneInfo(site.timezone)
    day = appointment.starts_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), zone)
