"""When a counselor works: weekly hours and date exceptions turned into UTC periods. Pure.

Hours are wall-clock times at the site, so one weekly "09:00-17:00" is a different UTC span in
winter and in summer, and a span that crosses a clock change lasts an hour more or less.
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

Minutes = tuple[int, int]
"""A span of one local day, in minutes since midnight: [start, end)."""

DAY = 24 * 60


@dataclass(frozen=True)
class WeeklyHours:
    site_id: int
    weekday: int  # 0 = Monday
    starts: time
    ends: time
    breaks: tuple[tuple[time, time], ...] = ()
    services: frozenset[str] = frozenset()  # empty: every one-to-one service
    valid_from: date | None = None
    valid_until: date | None = None  # inclusive

    def holds_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def serves(self, service_code: str, group: bool) -> bool:
        return serves(self.services, service_code, group)

    @cached_property
    def worked(self) -> tuple[Minutes, ...]:
        """The hours without the breaks."""
        spans = [(_minutes(self.starts), _minutes(self.ends))]
        for pause in self.breaks:
            spans = subtract(spans, (_minutes(pause[0]), _minutes(pause[1])))
        return tuple(spans)


@dataclass(frozen=True)
class DayException:
    """A date unlike the weekly hours. `site_id` None: at every site (the counselor is away).
    `starts`/`ends` None with `closed`: the whole day."""

    day: date
    kind: Literal["closed", "extra"]
    site_id: int | None = None
    starts: time | None = None
    ends: time | None = None


@dataclass(frozen=True)
class Period:
    """A span in which a counselor works at a site, in UTC."""

    site_id: int
    start: datetime
    end: datetime
    services: frozenset[str] = frozenset()

    def serves(self, service_code: str, group: bool) -> bool:
        return serves(self.services, service_code, group)


def serves(services: frozenset[str], service_code: str, group: bool) -> bool:
    """Hours that name services serve only those; a group session needs hours naming it, so
    that group sessions are held when planned, not wherever someone books first (and it starts
    when those hours start: slots.py). Extra hours name none."""
    if services:
        return service_code in services
    return not group


def may_hold(
    hours: Sequence[WeeklyHours],
    exceptions: Sequence[DayException],
    service_code: str,
    group: bool,
    weekday: int | None,
    wished: Minutes,
) -> bool:
    """Whether any hours (weekly, or extra on any day) serve the service on the weekday (None:
    any) within the wished span of the day. A quick necessary condition for a slot: when it
    fails, no period needs computing."""
    spans = [
        span
        for row in hours
        if weekday in (None, row.weekday) and row.serves(service_code, group)
        for span in row.worked
    ]
    if serves(frozenset(), service_code, group):
        spans += [(_minutes(e.starts), _minutes(e.ends)) for e in exceptions
                  if e.kind == "extra" and e.starts and e.ends]  # fmt: skip
    return any(start < wished[1] and wished[0] < end for start, end in spans)


def working_periods(
    hours: Sequence[WeeklyHours],
    exceptions: Sequence[DayException],
    zones: Mapping[int, ZoneInfo],
    first: date,
    last: date,
) -> list[Period]:
    """The periods of the local days `first`..`last` (inclusive), sorted by start.

    Extra hours are added to the weekly hours, then closures removed: a site closed for a
    holiday stays closed even where a counselor was given extra hours there.
    """
    by_day: dict[date, list[DayException]] = defaultdict(list)
    for exception in exceptions:
        by_day[exception.day].append(exception)
    by_weekday: dict[int, list[WeeklyHours]] = defaultdict(list)
    for row in hours:
        by_weekday[row.weekday].append(row)
    periods = []
    for day in _days(first, last):
        spans = _day_spans(day, by_weekday[day.weekday()], by_day.get(day, ()))
        for (site_id, services), minutes in spans.items():
            zone = zones[site_id]
            periods.extend(
                Period(site_id, local_instant(day, a, zone), local_instant(day, b, zone), services)
                for a, b in minutes
            )
    periods.sort(key=lambda period: (period.start, period.site_id))
    return periods


def _day_spans(
    day: date, hours: Sequence[WeeklyHours], exceptions: Sequence[DayException]
) -> dict[tuple[int, frozenset[str]], list[Minutes]]:
    spans: dict[tuple[int, frozenset[str]], list[Minutes]] = defaultdict(list)
    for row in hours:
        if row.holds_on(day):
            spans[(row.site_id, row.services)].extend(row.worked)
    for extra in (e for e in exceptions if e.kind == "extra"):
        assert extra.site_id is not None and extra.starts and extra.ends  # checked on import
        spans[(extra.site_id, frozenset())].append((_minutes(extra.starts), _minutes(extra.ends)))
    for closed in (e for e in exceptions if e.kind == "closed"):
        span = (0, DAY) if closed.starts is None else (_minutes(closed.starts), _end(closed))
        for key in spans:
            if closed.site_id in (None, key[0]):
                spans[key] = subtract(spans[key], span)
    return {key: merge(minutes) for key, minutes in spans.items() if minutes}


def subtract(spans: list[Minutes], cut: Minutes) -> list[Minutes]:
    """The spans without the part `cut` covers."""
    kept = []
    for start, end in spans:
        if cut[1] <= start or end <= cut[0]:
            kept.append((start, end))
            continue
        if start < cut[0]:
            kept.append((start, cut[0]))
        if cut[1] < end:
            kept.append((cut[1], end))
    return kept


Point = TypeVar("Point", int, datetime)


def merge(spans: list[tuple[Point, Point]]) -> list[tuple[Point, Point]]:
    """Sorted spans (of minutes, or of instants), touching or overlapping ones joined."""
    merged: list[tuple[Point, Point]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _end(closed: DayException) -> int:
    assert closed.ends is not None  # times come in pairs (checked on import)
    return _minutes(closed.ends)


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time, `minutes` after the day's midnight.

    A time skipped by the spring change is read with the offset before it (PEP 495), i.e. as
    the same span after midnight: 02:30 in a 02:00 -> 03:00 gap is 03:30.
    """
    midnight, steady = _midnight(day, zone)
    return midnight + timedelta(minutes=minutes) if steady else _wall_clock(day, minutes, zone)


@lru_cache(maxsize=4096)
def _midnight(day: date, zone: ZoneInfo) -> tuple[datetime, bool]:
    """The day's local midnight in UTC, and whether the day lasts exactly 24 hours (on those
    days adding minutes to midnight is exact, and much faster than asking the zone)."""
    midnight = _wall_clock(day, 0, zone)
    return midnight, _wall_clock(day, DAY, zone) - midnight == timedelta(days=1)


def _wall_clock(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return local.replace(tzinfo=zone).astimezone(UTC)
