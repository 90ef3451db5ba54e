"""The booking tables: counselors' availability, the booking rules, meetings and appointments.

A *meeting* is the counselor's side: a span of their time at a site, one-to-one (one seat) or a
group session (several seats). An *appointment* is one person's place in a meeting. Keeping the
counselor's time in one table lets the database refuse overlaps with a single constraint (an
exclusion constraint on PostgreSQL, triggers on SQLite; both created by migration 0003), while
a group session holds many appointments in one meeting.

Times of day (`time`) and dates are local to the site; instants are aware UTC datetimes.
"""

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime
from storage.crypto import EncryptedText


def _instant(nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _fk(target: str, ondelete: str | None = None, nullable: bool = False) -> Any:
    return Field(default=None, foreign_key=target, ondelete=ondelete, nullable=nullable)


class WeeklyHours(SQLModel, table=True):
    """When a counselor works at a site on one weekday, between the validity dates (inclusive)."""

    __tablename__ = "weekly_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("starts < ends", name="order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    counselor_id: int = Field(foreign_key="counselor.id", ondelete="CASCADE", index=True)
    site_id: int = Field(foreign_key="site.id", ondelete="CASCADE")
    weekday: int  # 0 = Monday
    starts: time
    ends: time
    breaks: list[list[str]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    services: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)  # []: all
    valid_from: date | None = None
    valid_until: date | None = None


class AvailabilityException(SQLModel, table=True):
    """A date that differs from the weekly hours.

    `closed` without times: the whole day (a holiday when only `site_id` is set, an absence when
    `counselor_id` is set); with times: that part of the day. `extra`: hours added for one
    counselor at one site. `source`: "file" (the network's file or the desk's network pages,
    which replace them all) or "desk" (a counselor's own absence, which a network import keeps).
    """

    __tablename__ = "availability_exception"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('closed', 'extra')", name="kind"),
        sa.CheckConstraint("counselor_id IS NOT NULL OR site_id IS NOT NULL", name="scope"),
        sa.CheckConstraint(
            "kind = 'closed' OR (counselor_id IS NOT NULL AND site_id IS NOT NULL"
            " AND starts IS NOT NULL AND ends IS NOT NULL)",
            name="extra_hours",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    counselor_id: int | None = _fk("counselor.id", "CASCADE", nullable=True)
    site_id: int | None = _fk("site.id", "CASCADE", nullable=True)
    day: date = Field(index=True)
    kind: str
    starts: time | None = None
    ends: time | None = None
    note: str | None = None
    source: str = "file"


class BookingRules(SQLModel, table=True):
    """The network's booking rules: one row (id 1); without it the defaults of the code hold."""

    __tablename__ = "booking_rules"

    id: int | None = Field(default=None, primary_key=True)
    min_notice_minutes: int
    horizon_days: int
    buffer_minutes: int
    travel_buffer_minutes: int
    max_per_day: int | None = None
    slot_step_minutes: int


class Meeting(SQLModel, table=True):
    """A counselor's time given to a service; `status` 'booked' while someone holds a seat."""

    __tablename__ = "meeting"
    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="times"),
        sa.CheckConstraint("taken >= 0 AND taken <= seats", name="seats"),
        sa.Index("ix_meeting_counselor_starts", "counselor_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    counselor_id: int = _fk("counselor.id")
    site_id: int = _fk("site.id")
    service_id: int = _fk("service.id")
    mode: str  # in_person | phone | video
    starts_at: datetime = _instant()
    ends_at: datetime = _instant()
    seats: int = 1
    taken: int = 0
    status: str = "booked"  # booked | released
    created_at: datetime = _instant()


class Appointment(SQLModel, table=True):
    """One person's booking. Counselor, site, mode and times are copies of its meeting's, written
    together with `meeting_id` (storage.appointments), so that lists and exports need no join.

    `status`: booked, then done (held, attendance in `attended`) or cancelled. `sequence` counts
    the changes, for the calendar invite.
    """

    __tablename__ = "appointment"
    __table_args__ = (
        # One active booking per person and service, decided by the database.
        sa.Index(
            "uq_appointment_person_service_booked",
            "person_id",
            "service_id",
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    previous_meeting_id: int | None = _fk("meeting.id", nullable=True)  # before the last move
    counselor_id: int = _fk("counselor.id")
    site_id: int = _fk("site.id")
    service_id: int = _fk("service.id")
    mode: str
    starts_at: datetime = _instant()
    ends_at: datetime = _instant()
    status: str = "booked"  # booked | done | cancelled
    sequence: int = 0
    created_at: datetime = _instant()
    updated_at: datetime = _instant()
    cancelled_at: datetime | None = _instant(nullable=True)
    cancelled_by: str | None = None  # person | counselor
    cancel_reason: str | None = Field(default=None, sa_type=EncryptedText)  # free text
    attended: bool | None = None  # None: not recorded
    attendance_marked_at: datetime | None = _instant(nullable=True)
    confirmed_at: datetime | None = _instant(nullable=True)  # "I'll come", to a reminder
    follow_up_rating: int | None = None  # 1-5, the day after
    follow_up_next_step: str | None = None
