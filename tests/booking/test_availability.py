"""Weekly hours and exceptions become UTC periods: pure, no database."""

from datetime import timedelta

import pytest

from bot.booking.availability import DayException, WeeklyHours, working_periods
from tests.booking.clocks import LISBON, ROME, day, hhmm, shown

PORTO, MATOSINHOS, BOLOGNA = 1, 2, 3
ZONES = {PORTO: LISBON, MATOSINHOS: LISBON, BOLOGNA: ROME}


def weekly(
    site: int, weekday: int, span: str, breaks: tuple[str, ...] = (), **extra
) -> WeeklyHours:
    starts, ends = span.split("-")
    return WeeklyHours(
        site, weekday, hhmm(starts), hhmm(ends),
        tuple(tuple(map(hhmm, pause.split("-"))) for pause in breaks), **extra,
    )  # fmt: skip


def periods(hours, exceptions, first="2026-06-02", last="2026-06-07") -> list[str]:
    """The periods from Tuesday 2 to Sunday 7 June 2026, as local times."""
    found = working_periods(hours, exceptions, ZONES, day(first), day(last))
    return [
        f"{p.site_id} {shown(ZONES[p.site_id], p.start)} - {shown(ZONES[p.site_id], p.end)[11:]}"
        for p in found
    ]


TUESDAY = 1

CASES = [
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-17:00", ("13:00-14:00",))],
        [],
        ["1 2026-06-02 09:00+01:00 - 13:00+01:00", "1 2026-06-02 14:00+01:00 - 17:00+01:00"],
        id="a lunch break splits the day",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-17:00", ("10:00-10:15", "13:00-14:00"))],
        [],
        [
            "1 2026-06-02 09:00+01:00 - 10:00+01:00",
            "1 2026-06-02 10:15+01:00 - 13:00+01:00",
            "1 2026-06-02 14:00+01:00 - 17:00+01:00",
        ],
        id="several breaks",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY - 1, "09:00-17:00")],
        [],
        [],
        id="other weekdays do not count",
    ),
    pytest.param(
        [
            weekly(PORTO, TUESDAY, "09:00-12:00", valid_from=day("2026-06-03")),
            weekly(PORTO, TUESDAY, "14:00-16:00", valid_until=day("2026-06-01")),
            weekly(
                PORTO,
                TUESDAY,
                "16:00-17:00",
                valid_from=day("2026-06-02"),
                valid_until=day("2026-06-02"),
            ),
        ],
        [],
        ["1 2026-06-02 16:00+01:00 - 17:00+01:00"],
        id="validity dates are inclusive",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-17:00")],
        [DayException(day("2026-06-02"), "closed", PORTO)],
        [],
        id="a site closure removes the whole day",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-12:00"), weekly(MATOSINHOS, TUESDAY, "14:00-17:00")],
        [DayException(day("2026-06-02"), "closed")],
        [],
        id="an absence removes the day at every site",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-12:00"), weekly(MATOSINHOS, TUESDAY, "14:00-17:00")],
        [DayException(day("2026-06-02"), "closed", MATOSINHOS)],
        ["1 2026-06-02 09:00+01:00 - 12:00+01:00"],
        id="a closure at one site leaves the others",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-17:00")],
        [DayException(day("2026-06-02"), "closed", None, hhmm("10:30"), hhmm("12:00"))],
        ["1 2026-06-02 09:00+01:00 - 10:30+01:00", "1 2026-06-02 12:00+01:00 - 17:00+01:00"],
        id="an absence of a few hours",
    ),
    pytest.param(
        [weekly(PORTO, TUESDAY, "09:00-13:00")],
        [
            DayException(day("2026-06-02"), "extra", PORTO, hhmm("12:00"), hhmm("15:00")),
            DayException(day("2026-06-06"), "extra", BOLOGNA, hhmm("09:00"), hhmm("12:00")),
        ],
        ["1 2026-06-02 09:00+01:00 - 15:00+01:00", "3 2026-06-06 09:00+02:00 - 12:00+02:00"],
        id="extra hours add to the day, or make a working Saturday",
    ),
    pytest.param(
        [],
        [
            DayException(day("2026-06-02"), "extra", PORTO, hhmm("09:00"), hhmm("12:00")),
            DayException(day("2026-06-02"), "closed", PORTO),
        ],
        [],
        id="a closed site stays closed despite extra hours",
    ),
]


@pytest.mark.parametrize(("hours", "exceptions", "expected"), CASES)
def test_working_periods(hours, exceptions, expected) -> None:
    assert periods(hours, exceptions) == expected


SUNDAY = 6


@pytest.mark.parametrize(
    ("site", "on", "expected"),
    [
        # Lisbon: 01:00 UTC on 29 March the clocks go 01:00 -> 02:00, on 25 October 02:00 -> 01:00.
        (PORTO, "2026-03-28", "2026-03-28 09:00+00:00 = 09:00Z"),
        (PORTO, "2026-03-29", "2026-03-29 09:00+01:00 = 08:00Z"),
        (PORTO, "2026-10-25", "2026-10-25 09:00+00:00 = 09:00Z"),
        # Rome: 02:00 -> 03:00 on 29 March, 03:00 -> 02:00 on 25 October.
        (BOLOGNA, "2026-03-29", "2026-03-29 09:00+02:00 = 07:00Z"),
        (BOLOGNA, "2026-10-24", "2026-10-24 09:00+02:00 = 07:00Z"),
        (BOLOGNA, "2026-10-25", "2026-10-25 09:00+01:00 = 08:00Z"),
    ],
)
def test_hours_follow_the_wall_clock_across_the_clock_changes(site, on, expected) -> None:
    hours = [weekly(site, weekday, "09:00-12:00") for weekday in range(7)]
    (period,) = working_periods(hours, [], ZONES, day(on), day(on))
    assert f"{shown(ZONES[site], period.start)} = {period.start:%H:%M}Z" == expected
    assert period.end - period.start == timedelta(hours=3)


@pytest.mark.parametrize(
    ("site", "on", "hours_long"),
    [
        (PORTO, "2026-03-29", 2),  # 00:00-03:00 loses the skipped hour
        (PORTO, "2026-10-25", 4),  # and gains the repeated one
        (BOLOGNA, "2026-03-29", 2),
        (BOLOGNA, "2026-10-25", 4),
        (BOLOGNA, "2026-06-07", 3),
    ],
)
def test_a_span_across_the_clock_change_lasts_what_the_clock_says(site, on, hours_long) -> None:
    (period,) = working_periods([weekly(site, SUNDAY, "00:00-03:00")], [], ZONES, day(on), day(on))
    assert (period.end - period.start).total_seconds() == hours_long * 3600


def test_a_time_the_spring_change_skips_is_read_with_the_winter_offset() -> None:
    # 02:30 does not exist in Rome on 29 March 2026; read as +01:00 it is 03:30 summer time.
    (period,) = working_periods(
        [weekly(BOLOGNA, SUNDAY, "02:30-05:00")], [], ZONES, day("2026-03-29"), day("2026-03-29")
    )
    assert shown(ROME, period.start) == "2026-03-29 03:30+02:00"
    assert shown(ROME, period.end) == "2026-03-29 05:00+02:00"
