"""Weeks and months: the report counts whole periods only, so that two reports over different
spans show the same cells for the periods they share, and nothing falls out by subtraction."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Per(StrEnum):
    week = "week"
    month = "month"


@dataclass(frozen=True)
class Period:
    label: str  # 2026-W10, 2026-03
    first: date
    following: date  # the first day after it

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Its instants, from midnight of its first day in `zone`."""
        return (datetime.combine(self.first, time(), zone),
                datetime.combine(self.following, time(), zone))  # fmt: skip


def periods(first: date, last: date, per: Per) -> list[Period]:
    """The whole periods that cover the days from `first` to `last` (inclusive)."""
    return list(_periods(first, last, per))


def _periods(first: date, last: date, per: Per) -> Iterator[Period]:
    start = _start(first, per)
    while start <= last:
        following = _following(start, per)
        yield Period(_label(start, per), start, following)
        start = following


def _start(day: date, per: Per) -> date:
    if per is Per.week:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _following(start: date, per: Per) -> date:
    if per is Per.week:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _label(start: date, per: Per) -> str:
    if per is Per.week:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}"
