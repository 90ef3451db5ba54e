"""Quiet hours in the person's zone, DST days included, and what they hold back."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.outbound import TIMER
from bot.delivery.quiet_hours import QuietDefer, QuietHours
from storage.models import Outbox

LISBON = ZoneInfo("Europe/Lisbon")
ROME = ZoneInfo("Europe/Rome")
NIGHT = QuietHours.parse("21:00-08:00")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "morning"),
    [
        (utc(2026, 11, 24, 12, 0), LISBON, None),  # midday
        (utc(2026, 11, 24, 20, 59), LISBON, None),  # a minute before
        (utc(2026, 11, 24, 21, 0), LISBON, utc(2026, 11, 25, 8, 0)),
        (utc(2026, 11, 25, 7, 59), LISBON, utc(2026, 11, 25, 8, 0)),  # early, same morning
        (utc(2026, 11, 24, 20, 30), ROME, utc(2026, 11, 25, 7, 0)),  # 21:30 in Rome
        # Spring forward in Lisbon (29 March, 01:00 -> 02:00): the morning is 08:00 WEST.
        (utc(2026, 3, 28, 22, 0), LISBON, utc(2026, 3, 29, 7, 0)),
        # Fall back (25 October, 02:00 -> 01:00): 22:30 WEST, then 08:00 WET.
        (utc(2026, 10, 24, 21, 30), LISBON, utc(2026, 10, 25, 8, 0)),
        (utc(2026, 10, 25, 0, 30), LISBON, utc(2026, 10, 25, 8, 0)),  # the repeated hour
    ],
)
def test_the_morning_after_quiet_hours_is_found_in_the_local_zone(
    moment: datetime, zone: ZoneInfo, morning: datetime | None
) -> None:
    assert NIGHT.morning(moment, zone) == morning


def test_hours_that_do_not_cross_midnight_work_too() -> None:
    lunch = QuietHours.parse("13:00-14:00")
    assert lunch.morning(utc(2026, 11, 24, 13, 30), LISBON) == utc(2026, 11, 24, 14, 0)
    assert lunch.morning(utc(2026, 11, 24, 12, 30), LISBON) is None


def row(kind: str, channel: str = "telegram", meeting: datetime | None = None) -> Outbox:
    payload = {"text": "x", **({"expires_at": meeting.isoformat()} if meeting else {})}
    return Outbox(identity_id=1, person_id="p", channel=channel, kind=kind, payload=payload,
                  priority=0)  # fmt: skip


def test_broadcasts_and_nudges_wait_for_the_morning_but_replies_do_not() -> None:
    defer = QuietDefer(NIGHT, lambda _person: LISBON)
    night = utc(2026, 11, 24, 23, 0)
    assert defer(row("broadcast"), night) == utc(2026, 11, 25, 8, 0)
    assert defer(row("nudge"), night) == utc(2026, 11, 25, 8, 0)
    for kind in ("reply", "notification"):
        assert defer(row(kind), night) is None
    assert defer(row("broadcast"), utc(2026, 11, 25, 10, 0)) is None


def test_a_reminders_message_waits_for_the_morning_unless_its_meeting_is_early() -> None:
    defer = QuietDefer(NIGHT, lambda _person: LISBON)
    night = utc(2026, 11, 24, 23, 0)
    later = row("reminder", meeting=utc(2026, 11, 25, 15, 0))
    early = row("reminder", meeting=utc(2026, 11, 25, 9, 0))  # 08:00 leaves too little time
    assert defer(later, night) == utc(2026, 11, 25, 8, 0)
    assert defer(early, night) is None
    # The trigger of a reminder is held by the trigger runner, which knows the meeting.
    assert defer(row("reminder", channel=TIMER), night) is None
