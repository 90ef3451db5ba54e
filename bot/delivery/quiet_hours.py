"""Quiet hours in the person's own time zone: nothing that can wait is sent at night.

What waits for the morning: broadcasts, nudges and follow-ups (their triggers and their
messages), and a reminder whose meeting is still at least URGENT_BEFORE after the morning.
The reminder of an early meeting (09:00, quiet hours ending at 08:00) goes at 07:00 all the
same: at 08:00 it would leave too little time to travel. Replies, counselor notifications
and the counselor's agenda are never held: someone is waiting for them. Every dispatcher holds
them, whatever the process (bot.delivery.dispatcher).

The person's zone is the zone of the site of their latest appointment, else of the site in the
municipality of their latest intake, else the default zone of the settings.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import Seconds
from bot.delivery.outbound import TIMER
from storage.models import Outbox
from storage.repositories import person_zone

HELD_KINDS = ("nudge", "broadcast")
URGENT_BEFORE = timedelta(hours=2)
"""A reminder is worth holding for the morning when the meeting is at least this much later."""


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    @classmethod
    def parse(cls, text: str) -> "QuietHours":
        """'21:00-08:00'."""
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        return cls(start, end)

    def morning(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """When the quiet hours around `moment` end (UTC), or None when it is not quiet then."""
        local = moment.astimezone(zone)
        now = local.time()
        wraps = self.start > self.end  # over midnight, as at night
        quiet = (now >= self.start or now < self.end) if wraps else self.start <= now < self.end
        if not quiet:
            return None
        day = local.date() if now < self.end else local.date() + timedelta(days=1)
        # The wall time of that day, resolved in the zone: correct across a DST change.
        return datetime.combine(day, self.end, zone).astimezone(UTC)


class PersonZones:
    """The zone of each person, looked up again after KEEP_SECONDS (they may book elsewhere)."""

    KEEP_SECONDS = 3600.0

    def __init__(self, engine: Engine, default: str, clock: Seconds) -> None:
        self.engine = engine
        self.default = ZoneInfo(default)
        self.clock = clock
        self._known: dict[str, tuple[ZoneInfo, float]] = {}

    def __call__(self, person_id: str | None) -> ZoneInfo:
        if person_id is None:
            return self.default
        now = self.clock()
        known = self._known.get(person_id)
        if known is not None and now - known[1] < self.KEEP_SECONDS:
            return known[0]
        with Session(self.engine) as db:
            zone_name = person_zone(db, person_id)
        zone = ZoneInfo(zone_name) if zone_name else self.default
        self._known[person_id] = (zone, now)
        return zone


class QuietDefer:
    """The dispatcher's `defer`: holds broadcasts, nudges and follow-ups (trigger and message
    rows alike) till the morning, and a reminder's message unless its meeting is too early to
    wait (a reminder's trigger is held by bot.jobs.triggers, which knows the meeting)."""

    def __init__(self, quiet: QuietHours, zones: Callable[[str | None], ZoneInfo]) -> None:
        self.quiet = quiet
        self.zones = zones

    def __call__(self, row: Outbox, now: datetime) -> datetime | None:
        reminder = row.kind == "reminder" and row.channel != TIMER
        if row.kind not in HELD_KINDS and not reminder:
            return None
        morning = self.quiet.morning(now, self.zones(row.person_id))
        if morning is None or row.kind in HELD_KINDS:
            return morning
        starts = row.payload.get("expires_at")  # a reminder's message expires as its meeting starts
        if starts is None or morning <= datetime.fromisoformat(starts) - URGENT_BEFORE:
            return morning
        return None
