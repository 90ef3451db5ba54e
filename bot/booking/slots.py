"""Free slots in counselors' calendars, and the few worth offering. Pure: no database, no clock.

A slot starts on the grid of `Rules.step` in the site's wall-clock time (10:00, 10:30, ...),
lies inside a working period, keeps the buffer from the counselor's other meetings (the travel
buffer when the other meeting is at another site, whatever the modes: a counselor is at one place
at a time), and is refused on a local day that already holds the most meetings allowed.
"""

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.booking.availability import Period, local_instant

Mode = Literal["in_person", "phone", "video"]
PartOfDay = Literal["morning", "afternoon", "evening"]

PARTS_OF_DAY: dict[PartOfDay, tuple[int, int]] = {
    "morning": (8, 13),
    "afternoon": (13, 18),
    "evening": (18, 21),
}
"""Local hours [from, to) a slot must start in."""


@dataclass(frozen=True)
class Rules:
    min_notice: timedelta = timedelta(hours=12)
    horizon: timedelta = timedelta(days=60)
    buffer: timedelta = timedelta(minutes=10)
    travel_buffer: timedelta = timedelta(minutes=60)
    max_per_day: int | None = 8  # meetings per counselor and local day; None: no limit
    step: timedelta = timedelta(minutes=30)  # must divide an hour

    def gap(self, site_a: int, site_b: int) -> timedelta:
        """The least time between two meetings of one counselor at these sites."""
        return self.buffer if site_a == site_b else max(self.buffer, self.travel_buffer)

    @property
    def reach(self) -> timedelta:
        return max(self.buffer, self.travel_buffer)


@dataclass(frozen=True)
class Busy:
    """A booked meeting of the counselor (any service, any mode)."""

    site_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class OpenGroup:
    """A booked group session that still has seats."""

    meeting_id: int
    site_id: int
    mode: Mode
    start: datetime
    end: datetime
    seats_left: int


@dataclass(frozen=True)
class Calendar:
    """What one counselor's slots depend on, around the searched window."""

    counselor_id: int
    periods: tuple[Period, ...]  # sorted by start
    busy: tuple[Busy, ...]  # sorted by start; booked meetings never overlap
    per_day: Mapping[date, int]  # booked meetings by the local day of their site
    open_groups: tuple[OpenGroup, ...] = ()  # of the service searched, sorted by start


@dataclass(frozen=True)
class Need:
    """What is to be booked."""

    service_code: str
    duration: timedelta
    mode: Mode = "in_person"
    group: bool = False


@dataclass(frozen=True)
class Wish:
    """When the person would like the meeting. Every part is optional.

    `day` is a date at the site; `part_of_day` a span of local hours (PARTS_OF_DAY); `after`
    keeps only slots starting later than it ("other days": pass the last slot offered);
    `exclude_site_ids` drops places ("another place"); `avoid` drops a counselor's time (the
    meeting being moved, or one the counselor cancelled): (counselor id, start, end).
    """

    day: date | None = None
    part_of_day: PartOfDay | None = None
    after: datetime | None = None
    exclude_site_ids: frozenset[int] = field(default_factory=frozenset)
    avoid: tuple[int, datetime, datetime] | None = None

    def allows(self, slot: "Slot") -> bool:
        if self.avoid is None:
            return True
        counselor_id, starts, ends = self.avoid
        return not (slot.counselor_id == counselor_id and slot.start < ends and starts < slot.end)

    def span_on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The UTC span of the local `day` a slot may start in, or None for a day not wished."""
        if self.day is not None and day != self.day:
            return None
        hours = PARTS_OF_DAY[self.part_of_day] if self.part_of_day else (0, 24)
        return local_instant(day, hours[0] * 60, zone), local_instant(day, hours[1] * 60, zone)


@dataclass(frozen=True)
class Slot:
    counselor_id: int
    site_id: int
    start: datetime
    end: datetime
    day: date  # local, at the site
    meeting_id: int | None = None  # a group session to join
    seats_left: int | None = None


@dataclass(frozen=True)
class Search:
    """The limits shared by every counselor's slots in one search."""

    need: Need
    rules: Rules
    now: datetime
    window: tuple[datetime, datetime]  # slots start in [from, to)
    sites: Mapping[int, ZoneInfo]  # where a slot may be, with the site's zone
    wish: Wish = field(default_factory=Wish)

    @property
    def earliest(self) -> datetime:
        earliest = max(self.window[0], self.now + self.rules.min_notice)
        if self.wish.after is not None:
            earliest = max(earliest, self.wish.after + timedelta(microseconds=1))
        return earliest

    @property
    def days(self) -> tuple[date, date]:
        """The first and last local days, at the sites, that a slot of the search may start on
        (first after last: none)."""
        zones = self.sites.values()
        first = min((self.window[0].astimezone(zone).date() for zone in zones), default=date.max)
        last = max((self.window[1].astimezone(zone).date() for zone in zones), default=date.min)
        if self.wish.day is not None:
            first, last = max(first, self.wish.day), min(last, self.wish.day)
        return first, last

    @property
    def latest(self) -> datetime:
        """The last instant a slot may start at."""
        return min(self.window[1] - timedelta(microseconds=1), self.now + self.rules.horizon)


def free_slots(calendar: Calendar, search: Search) -> Iterator[Slot]:
    """One counselor's slots, earliest first: fresh ones, and seats in open group sessions."""
    return heapq.merge(_fresh(calendar, search), _joinable(calendar, search), key=_start)


def all_free_slots(calendars: Iterable[Calendar], search: Search) -> Iterator[Slot]:
    """Every counselor's slots, earliest first; at one time, the counselor with the fewest
    meetings that day first, so that work is shared."""
    load = {calendar.counselor_id: calendar.per_day for calendar in calendars}

    def key(slot: Slot) -> tuple[datetime, int, int]:
        return slot.start, load[slot.counselor_id].get(slot.day, 0), slot.counselor_id

    return heapq.merge(*(free_slots(c, search) for c in calendars), key=key)


def pick(slots: Iterable[Slot], count: int, per_day: int | None, by_site: bool) -> list[Slot]:
    """The first `count` slots at distinct times (distinct times and places when `by_site`),
    at most `per_day` on one local day so that the person can choose between days."""
    chosen: list[Slot] = []
    seen: set[tuple[datetime, int | None]] = set()
    days: Counter[date] = Counter()
    for slot in slots:
        key = (slot.start, slot.site_id if by_site else None)
        if key in seen or (per_day is not None and days[slot.day] >= per_day):
            continue
        seen.add(key)
        days[slot.day] += 1
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen


def meetings_per_day(busy: Iterable[Busy], zones: Mapping[int, ZoneInfo]) -> Counter[date]:
    """Meetings counted by the local day of their own site, as the daily limit counts them."""
    return Counter(meeting.start.astimezone(zones[meeting.site_id]).date() for meeting in busy)


def align(moment: datetime, zone: ZoneInfo, step: timedelta) -> datetime:
    """The first instant at or after `moment` on the step grid of the zone's wall clock."""
    local = moment.astimezone(zone)
    into_step = (
        timedelta(
            hours=local.hour,
            minutes=local.minute,
            seconds=local.second,
            microseconds=local.microsecond,
        )
        % step
    )
    return moment + (step - into_step) if into_step else moment


def _fresh(calendar: Calendar, search: Search) -> Iterator[Slot]:
    need, rules = search.need, search.rules
    busy = calendar.busy
    busy_ends = [meeting.end for meeting in busy]
    earliest, last = search.earliest, search.latest
    for period in calendar.periods:
        zone = search.sites.get(period.site_id)
        if zone is None or period.end <= earliest:
            continue
        if not period.serves(need.service_code, need.group):
            continue
        day = period.start.astimezone(zone).date()  # a period lies within one local day
        span = search.wish.span_on(day, zone)
        if span is None or _day_full(calendar, day, rules):
            continue
        latest = min(period.end - need.duration, span[1] - timedelta(microseconds=1), last)
        if need.group:
            # A group session is held when its planned hours start, on the grid or not.
            if period.start < max(earliest, span[0]):
                continue
            start, latest = period.start, min(period.start, latest)
        else:
            start = align(max(period.start, earliest, span[0]), zone, rules.step)
        index = bisect_right(busy_ends, start - rules.reach)
        while start <= latest:
            end = start + need.duration
            while index < len(busy) and busy[index].end + rules.reach <= start:
                index += 1
            clash = _clash(busy, index, start, end, period.site_id, rules)
            if clash is None:
                yield Slot(calendar.counselor_id, period.site_id, start, end, day)
                start += rules.step
            else:
                after_clash = clash.end + rules.gap(clash.site_id, period.site_id)
                start = max(start + rules.step, align(after_clash, zone, rules.step))


def _joinable(calendar: Calendar, search: Search) -> Iterator[Slot]:
    earliest, last = search.earliest, search.latest
    for group in calendar.open_groups:
        zone = search.sites.get(group.site_id)
        if zone is None or group.mode != search.need.mode or group.start < earliest:
            continue
        if group.start > last:
            break
        day = group.start.astimezone(zone).date()
        span = search.wish.span_on(day, zone)
        if span is not None and span[0] <= group.start < span[1]:
            yield Slot(
                calendar.counselor_id,
                group.site_id,
                group.start,
                group.end,
                day,
                group.meeting_id,
                group.seats_left,
            )


def _clash(
    busy: tuple[Busy, ...],
    index: int,
    start: datetime,
    end: datetime,
    site_id: int,
    rules: Rules,
) -> Busy | None:
    """The first meeting from `index` on that is too close to [start, end) at `site_id`."""
    for position in range(index, len(busy)):
        meeting = busy[position]
        if meeting.start >= end + rules.reach:
            return None
        gap = rules.gap(meeting.site_id, site_id)
        if start < meeting.end + gap and meeting.start < end + gap:
            return meeting
    return None


def _day_full(calendar: Calendar, day: date, rules: Rules) -> bool:
    return rules.max_per_day is not None and calendar.per_day.get(day, 0) >= rules.max_per_day


def _start(slot: Slot) -> datetime:
    return slot.start
