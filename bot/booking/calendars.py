"""Reading what the pure slot search needs from the database: rules, hours, meetings."""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session

from bot.booking.availability import (
    DayException,
    Period,
    WeeklyHours,
    may_hold,
    working_periods,
)
from bot.booking.slots import (
    PARTS_OF_DAY,
    Busy,
    Calendar,
    Need,
    OpenGroup,
    Rules,
    Search,
    Wish,
    free_slots,
    meetings_per_day,
)
from storage import appointments, availability
from storage.booking import AvailabilityException, BookingRules

MARGIN = timedelta(hours=26)
"""Read meetings this far around a window: those that touch it through a buffer, and the whole
local days of its slots for the daily limit (a local day lasts up to 25 hours)."""


def rules_of(row: BookingRules | None) -> Rules:
    if row is None:
        return Rules()
    return Rules(
        min_notice=timedelta(minutes=row.min_notice_minutes),
        horizon=timedelta(days=row.horizon_days),
        buffer=timedelta(minutes=row.buffer_minutes),
        travel_buffer=timedelta(minutes=row.travel_buffer_minutes),
        max_per_day=row.max_per_day,
        step=timedelta(minutes=row.slot_step_minutes),
    )


def load_rules(db: Session) -> Rules:
    return rules_of(availability.booking_rules(db))


@dataclass(frozen=True)
class Roster:
    """The counselors' hours and exceptions at some sites over the days of a search, read once."""

    hours: Mapping[int, list[WeeklyHours]]
    exceptions: Mapping[int, list[DayException]]
    zones: Mapping[int, ZoneInfo]  # every site's

    def may_hold(self, counselor_id: int, need: Need, wish: Wish) -> bool:
        """Whether the counselor's hours could serve the need as wished (availability.may_hold)."""
        hours = PARTS_OF_DAY[wish.part_of_day] if wish.part_of_day else (0, 24)
        return may_hold(
            self.hours.get(counselor_id, []), self.exceptions.get(counselor_id, []),
            need.service_code, need.group, None if wish.day is None else wish.day.weekday(),
            (hours[0] * 60, hours[1] * 60),
        )  # fmt: skip

    def periods(self, counselor_id: int, first: date, last: date) -> tuple[Period, ...]:
        """The counselor's working periods on the local days `first`..`last`."""
        hours, exceptions = self.hours.get(counselor_id, []), self.exceptions.get(counselor_id, [])
        return tuple(working_periods(hours, exceptions, self.zones, first, last))


@dataclass(frozen=True)
class Booked:
    """A counselor's booked meetings around a window, and the open group sessions among them."""

    busy: tuple[Busy, ...] = ()
    open_groups: tuple[OpenGroup, ...] = ()


def load_roster(
    db: Session,
    counselor_ids: Collection[int],
    zones: Mapping[int, ZoneInfo],
    site_ids: Collection[int],
    first: date,
    last: date,
) -> Roster:
    """The counselors' hours at the sites (only there can a slot of the search be; meetings
    elsewhere count through the meetings themselves), with the exceptions of those days."""
    hours: dict[int, list[WeeklyHours]] = defaultdict(list)
    for row in availability.weekly_hours(db, counselor_ids, site_ids):
        hours[row.counselor_id].append(_weekly(row))
    closures: list[DayException] = []
    exceptions: dict[int, list[DayException]] = defaultdict(list)
    for row in availability.exceptions_between(db, counselor_ids, site_ids, first, last):
        exception = _exception(row)
        if row.counselor_id is None:
            closures.append(exception)
        else:
            exceptions[row.counselor_id].append(exception)
    for counselor_id in counselor_ids:
        exceptions[counselor_id].extend(closures)
    return Roster(hours, exceptions, zones)


def load_booked(
    db: Session,
    counselor_ids: Collection[int],
    window: tuple[datetime, datetime],
    service_id: int,
    ignoring_meeting_id: int | None = None,
) -> dict[int, Booked]:
    """The counselors' meetings around `window`, with the open group sessions of the service.

    `ignoring_meeting_id`: one seat of that meeting counts as free (the person moving it).
    """
    busy: dict[int, list[Busy]] = defaultdict(list)
    groups: dict[int, list[OpenGroup]] = defaultdict(list)
    meetings = appointments.booked_meetings(
        db, counselor_ids, window[0] - MARGIN, window[1] + MARGIN
    )
    for meeting in meetings:
        taken = meeting.taken - (meeting.id == ignoring_meeting_id)
        if taken == 0:
            continue
        busy[meeting.counselor_id].append(Busy(meeting.site_id, meeting.starts_at, meeting.ends_at))
        if meeting.service_id == service_id and taken < meeting.seats:
            group = OpenGroup(
                meeting.id, meeting.site_id, meeting.mode, meeting.starts_at, meeting.ends_at,
                meeting.seats - taken,
            )  # fmt: skip
            groups[meeting.counselor_id].append(group)
    return {c: Booked(tuple(busy[c]), tuple(groups[c])) for c in counselor_ids}


def calendar(
    counselor_id: int, periods: tuple[Period, ...], booked: Booked, zones: Mapping[int, ZoneInfo]
) -> Calendar:
    per_day = meetings_per_day(booked.busy, zones)
    return Calendar(counselor_id, periods, booked.busy, per_day, booked.open_groups)


def load_calendars(
    db: Session,
    roster: Roster,
    counselor_ids: Collection[int],
    window: tuple[datetime, datetime],
    service_id: int,
    ignoring_meeting_id: int | None = None,
) -> list[Calendar]:
    """The counselors' calendars around `window`."""
    booked = load_booked(db, counselor_ids, window, service_id, ignoring_meeting_id)
    first, last = days_around(window)
    return [
        calendar(c, roster.periods(c, first, last), booked[c], roster.zones) for c in counselor_ids
    ]


class CalendarReader:
    """The counselors' calendars for each window of one search, read lazily: the hours at the
    sites searched, once per group of sites; a counselor's meetings only once their hours could
    hold a slot of the search, and once per window whatever the group of sites.
    (tests/booking/test_search_equivalence.py: this offers what reading everything would.)"""

    def __init__(
        self,
        db: Session,
        zones: Mapping[int, ZoneInfo],
        days: tuple[date, date],
        counselor_ids: list[int],
        service_id: int,
        ignoring_meeting_id: int | None,
    ) -> None:
        self.db, self.zones, self.days, self.counselor_ids = db, zones, days, counselor_ids
        self.service_id, self.ignoring_meeting_id = service_id, ignoring_meeting_id
        self.rosters: dict[frozenset[int], Roster] = {}
        self.booked: dict[tuple[datetime, datetime], dict[int, Booked]] = defaultdict(dict)

    def __call__(self, search: Search) -> list[Calendar]:
        roster = self._roster(frozenset(search.sites))
        days = search.days
        wanted, periods = [], {}
        for counselor_id in self.counselor_ids:
            # Open group sessions are meetings, held even if the hours changed since they were
            # booked: with a group service every counselor's meetings are read.
            if search.need.group or roster.may_hold(counselor_id, search.need, search.wish):
                periods[counselor_id] = roster.periods(counselor_id, *days)
                if search.need.group or _could_hold(search, counselor_id, periods[counselor_id]):
                    wanted.append(counselor_id)
        booked = self.booked[search.window]
        unread = [c for c in wanted if c not in booked]
        if unread:
            booked.update(load_booked(self.db, unread, search.window, self.service_id,
                                      self.ignoring_meeting_id))  # fmt: skip
        return [calendar(c, periods[c], booked[c], self.zones) for c in wanted]

    def _roster(self, site_ids: frozenset[int]) -> Roster:
        if site_ids not in self.rosters:
            self.rosters[site_ids] = load_roster(
                self.db, self.counselor_ids, self.zones, site_ids, *self.days
            )
        return self.rosters[site_ids]


def _could_hold(search: Search, counselor_id: int, periods: tuple[Period, ...]) -> bool:
    """Whether the counselor would have a slot if nothing were booked."""
    empty = Calendar(counselor_id, periods, (), {})
    return next(free_slots(empty, search), None) is not None


def days_around(window: tuple[datetime, datetime]) -> tuple[date, date]:
    """The first and last local days a slot starting in the window can fall on, at any site
    (the zones are less than a day from UTC)."""
    return (window[0] - timedelta(days=1)).date(), (window[1] + timedelta(days=1)).date()


def _weekly(row: Row[Any]) -> WeeklyHours:
    return WeeklyHours(
        site_id=row.site_id,
        weekday=row.weekday,
        starts=row.starts,
        ends=row.ends,
        breaks=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in row.breaks),
        services=frozenset(row.services),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _exception(row: AvailabilityException) -> DayException:
    return DayException(row.day, row.kind, row.site_id, row.starts, row.ends)
