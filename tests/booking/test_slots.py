"""Free slots and what to offer: pure, no database. Times are written as the site's wall clock."""

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.booking.availability import DayException, Period, WeeklyHours, working_periods
from bot.booking.slots import (
    Busy,
    Calendar,
    Need,
    OpenGroup,
    Rules,
    Search,
    Slot,
    Wish,
    align,
    all_free_slots,
    free_slots,
    meetings_per_day,
    pick,
)
from tests.booking.clocks import LISBON, ROME, day, hhmm, local, shown

PORTO, MATOSINHOS, BOLOGNA = 1, 2, 3
ZONES: dict[int, ZoneInfo] = {PORTO: LISBON, MATOSINHOS: LISBON, BOLOGNA: ROME}
RULES = Rules(
    min_notice=timedelta(0),
    horizon=timedelta(days=60),
    buffer=timedelta(0),
    travel_buffer=timedelta(minutes=60),
    max_per_day=None,
    step=timedelta(minutes=30),
)
HALF_HOUR = Need("job-search", timedelta(minutes=30))
THREE_QUARTERS = Need("orientation", timedelta(minutes=45))
INFO = Need("info-session", timedelta(minutes=60), group=True)
NOW = local(LISBON, "2026-06-01 07:00")  # a Monday


def period(site: int, start: str, end: str, *services: str) -> Period:
    zone = ZONES[site]
    return Period(site, local(zone, start), local(zone, end), frozenset(services))


def meeting(site: int, start: str, end: str) -> Busy:
    return Busy(site, local(ZONES[site], start), local(ZONES[site], end))


def calendar(periods, busy=(), groups=(), counselor_id=1) -> Calendar:
    busy = tuple(sorted(busy, key=lambda m: m.start))
    return Calendar(counselor_id, tuple(periods), busy, meetings_per_day(busy, ZONES), groups)


def starts(
    cal: Calendar, need=HALF_HOUR, rules=RULES, now=NOW, wish=None, sites=None, limit=8
) -> list[str]:
    """The first slots, as 'MM-DD HH:MM' at their site."""
    window = (now, now + rules.horizon + timedelta(days=1))  # the rules decide, not the window
    search = Search(need, rules, now, window, sites or ZONES, wish or Wish())
    found = []
    for slot in free_slots(cal, search):
        found.append(shown(ZONES[slot.site_id], slot.start)[5:16])
        if len(found) == limit:
            break
    return found


def test_slots_start_on_the_grid_and_fit_in_the_period() -> None:
    cal = calendar([period(PORTO, "2026-06-02 09:10", "2026-06-02 11:00")])
    assert starts(cal) == ["06-02 09:30", "06-02 10:00", "06-02 10:30"]
    assert starts(cal, THREE_QUARTERS) == ["06-02 09:30", "06-02 10:00"]


@pytest.mark.parametrize(
    ("periods", "busy", "need", "rules", "expected"),
    [
        pytest.param(
            [period(PORTO, "2026-06-02 09:00", "2026-06-02 10:30"),
             period(PORTO, "2026-06-02 11:00", "2026-06-02 12:00")],
            [], THREE_QUARTERS, RULES,
            ["06-02 09:00", "06-02 09:30", "06-02 11:00"],
            id="nothing runs into the lunch break",
        ),
        pytest.param(
            [period(PORTO, "2026-06-02 09:00", "2026-06-02 12:00")],
            [meeting(PORTO, "2026-06-02 09:00", "2026-06-02 09:45")], HALF_HOUR, RULES,
            ["06-02 10:00", "06-02 10:30", "06-02 11:00", "06-02 11:30"],
            id="a 45-minute meeting takes two 30-minute slots",
        ),
        pytest.param(
            [period(PORTO, "2026-06-02 09:00", "2026-06-02 12:00")],
            [meeting(PORTO, "2026-06-02 09:15", "2026-06-02 09:45"),
             meeting(PORTO, "2026-06-02 10:50", "2026-06-02 11:10")], HALF_HOUR, RULES,
            ["06-02 10:00", "06-02 11:30"],
            id="meetings off the grid take every slot they touch",
        ),
        pytest.param(
            [period(PORTO, "2026-06-02 09:00", "2026-06-02 12:00")],
            [meeting(PORTO, "2026-06-02 10:00", "2026-06-02 10:30")], HALF_HOUR,
            replace(RULES, buffer=timedelta(minutes=15), step=timedelta(minutes=15)),
            ["06-02 09:00", "06-02 09:15", "06-02 10:45", "06-02 11:00", "06-02 11:15",
             "06-02 11:30"],
            id="the buffer keeps a quarter of an hour on both sides",
        ),
        pytest.param(
            [period(PORTO, "2026-06-02 09:00", "2026-06-02 13:00")],
            [meeting(MATOSINHOS, "2026-06-02 10:00", "2026-06-02 10:30")], HALF_HOUR, RULES,
            ["06-02 11:30", "06-02 12:00", "06-02 12:30"],
            id="a meeting at another site keeps the travel time on both sides",
        ),
        pytest.param(
            [period(PORTO, "2026-06-02 09:00", "2026-06-02 12:00"),
             period(MATOSINHOS, "2026-06-02 12:00", "2026-06-02 14:00")],
            [meeting(PORTO, "2026-06-02 11:00", "2026-06-02 11:30")], HALF_HOUR,
            replace(RULES, buffer=timedelta(minutes=10)),
            ["06-02 09:00", "06-02 09:30", "06-02 10:00", "06-02 12:30", "06-02 13:00",
             "06-02 13:30"],
            id="two sites on one day: the buffer at one, the travel time to the other",
        ),
    ],
)  # fmt: skip
def test_slots_keep_clear_of_breaks_and_meetings(periods, busy, need, rules, expected) -> None:
    assert starts(calendar(periods, busy), need, rules) == expected


def test_a_remote_meeting_still_keeps_the_counselor_at_their_site() -> None:
    # Phone calls are given from where the counselor works that day: the travel rule holds.
    cal = calendar(
        [period(MATOSINHOS, "2026-06-02 09:00", "2026-06-02 11:00")],
        [meeting(PORTO, "2026-06-02 08:30", "2026-06-02 09:00")],
    )
    assert starts(cal, replace(HALF_HOUR, mode="phone")) == ["06-02 10:00", "06-02 10:30"]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(local(LISBON, "2026-06-01 22:00"), ["06-02 10:00", "06-02 10:30"],
                     id="from the evening to the next morning"),
        pytest.param(local(LISBON, "2026-06-01 20:40"), ["06-02 09:00", "06-02 09:30"],
                     id="notice ending before the day starts"),
        pytest.param(local(LISBON, "2026-06-01 23:10"), ["06-02 11:30"],
                     id="notice ending off the grid"),
    ],
)  # fmt: skip
def test_minimum_notice_across_midnight(now, expected) -> None:
    cal = calendar([period(PORTO, "2026-06-02 09:00", "2026-06-02 12:00")])
    rules = replace(RULES, min_notice=timedelta(hours=12))
    assert starts(cal, rules=rules, now=now)[:2] == expected


@pytest.mark.parametrize(
    ("site", "now", "on", "expected"),
    [
        # 22:00 WET + 12 h = 10:00 UTC = 11:00 WEST: the night is an hour shorter.
        (PORTO, "2026-03-28 22:00", "2026-03-29", "2026-03-29 11:00+01:00"),
        # 21:30 CEST + 12 h = 08:30 CET: the night is an hour longer.
        (BOLOGNA, "2026-10-24 21:30", "2026-10-25", "2026-10-25 08:30+01:00"),
        (PORTO, "2026-10-24 21:30", "2026-10-25", "2026-10-25 08:30+00:00"),
        (BOLOGNA, "2026-03-28 21:30", "2026-03-29", "2026-03-29 10:30+02:00"),
    ],
)
def test_minimum_notice_across_a_clock_change(site, now, on, expected) -> None:
    zone = ZONES[site]
    cal = calendar([period(site, f"{on} 08:00", f"{on} 12:00")])
    rules = replace(RULES, min_notice=timedelta(hours=12))
    search = Search(HALF_HOUR, rules, local(zone, now), (local(zone, now), local(zone, now)
                    + timedelta(days=2)), ZONES)  # fmt: skip
    first = next(free_slots(cal, search))
    assert shown(zone, first.start) == expected


@pytest.mark.parametrize(
    ("site", "on", "first_utc"),
    [
        (PORTO, "2026-03-28", "09:00"),
        (PORTO, "2026-03-29", "08:00"),
        (PORTO, "2026-10-25", "09:00"),
        (BOLOGNA, "2026-03-29", "07:00"),
        (BOLOGNA, "2026-10-24", "07:00"),
        (BOLOGNA, "2026-10-25", "08:00"),
    ],
)
def test_clock_change_days_keep_the_local_hours(site, on, first_utc) -> None:
    weekly = [WeeklyHours(site, weekday, hhmm("09:00"), hhmm("12:00")) for weekday in range(7)]
    cal = calendar(working_periods(weekly, [], ZONES, day(on), day(on)))
    now = local(ZONES[site], f"{on} 00:00") - timedelta(days=1)
    slots = list(free_slots(cal, Search(HALF_HOUR, RULES, now, (now, now + timedelta(days=3)),
                                        ZONES)))  # fmt: skip
    assert [shown(ZONES[site], s.start)[11:16] for s in slots] == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
    ]  # fmt: skip
    assert f"{slots[0].start:%H:%M}" == first_utc
    assert {s.day for s in slots} == {day(on)}


def test_the_repeated_hour_of_the_autumn_change_gives_its_slots_twice() -> None:
    weekly = [WeeklyHours(PORTO, 6, hhmm("00:00"), hhmm("03:00"))]
    cal = calendar(working_periods(weekly, [], ZONES, day("2026-10-25"), day("2026-10-25")))
    now = local(LISBON, "2026-10-24 12:00")
    search = Search(HALF_HOUR, RULES, now, (now, now + timedelta(days=2)), ZONES)
    assert [shown(LISBON, s.start)[11:] for s in free_slots(cal, search)] == [
        "00:00+01:00", "00:30+01:00", "01:00+01:00", "01:30+01:00",
        "01:00+00:00", "01:30+00:00", "02:00+00:00", "02:30+00:00",
    ]  # fmt: skip


def test_exceptions_remove_a_whole_day_and_add_hours() -> None:
    weekly = [WeeklyHours(PORTO, weekday, hhmm("09:00"), hhmm("10:00")) for weekday in range(5)]
    exceptions = [
        DayException(day("2026-06-02"), "closed"),  # Tuesday: away
        DayException(day("2026-06-03"), "closed", PORTO, hhmm("09:00"), hhmm("09:30")),
        DayException(day("2026-06-06"), "extra", PORTO, hhmm("10:00"), hhmm("11:00")),  # Sat
    ]
    cal = calendar(working_periods(weekly, exceptions, ZONES, day("2026-06-02"),
                                   day("2026-06-06")))  # fmt: skip
    assert starts(cal) == [
        "06-03 09:30", "06-04 09:00", "06-04 09:30", "06-05 09:00", "06-05 09:30",
        "06-06 10:00", "06-06 10:30",
    ]  # fmt: skip


def test_the_daily_limit_counts_meetings_by_the_local_day_of_their_site() -> None:
    # 00:30 in Rome on 3 June is still 2 June in UTC: it counts for the 3rd all the same.
    busy = [
        meeting(BOLOGNA, "2026-06-03 00:30", "2026-06-03 01:00"),
        meeting(BOLOGNA, "2026-06-03 09:00", "2026-06-03 09:30"),
        meeting(BOLOGNA, "2026-06-02 09:00", "2026-06-02 09:30"),
    ]
    periods = [period(BOLOGNA, f"2026-06-0{d} 10:00", f"2026-06-0{d} 11:00") for d in (2, 3, 4)]
    cal = calendar(periods, busy)
    assert cal.per_day == {date(2026, 6, 2): 1, date(2026, 6, 3): 2}
    rules = replace(RULES, max_per_day=2)
    assert starts(cal, rules=rules) == ["06-02 10:00", "06-02 10:30", "06-04 10:00",
                                        "06-04 10:30"]  # fmt: skip


def test_a_group_session_starts_when_its_planned_hours_start() -> None:
    cal = calendar([
        period(PORTO, "2026-06-02 09:00", "2026-06-02 12:00"),
        period(PORTO, "2026-06-03 14:45", "2026-06-03 16:00", "info-session"),
    ])  # fmt: skip
    assert starts(cal, INFO) == ["06-03 14:45"]
    assert starts(cal, HALF_HOUR) == ["06-02 09:00", "06-02 09:30", "06-02 10:00",
                                      "06-02 10:30", "06-02 11:00", "06-02 11:30"]  # fmt: skip


def test_the_last_seat_of_a_group_session_is_offered_and_a_full_one_is_not() -> None:
    planned = [
        period(PORTO, "2026-06-02 14:00", "2026-06-02 15:00", "info-session"),
        period(PORTO, "2026-06-03 14:00", "2026-06-03 15:00", "info-session"),
        period(PORTO, "2026-06-04 14:00", "2026-06-04 15:00", "info-session"),
    ]
    last_seat = OpenGroup(7, PORTO, "in_person", local(LISBON, "2026-06-02 14:00"),
                          local(LISBON, "2026-06-02 15:00"), seats_left=1)  # fmt: skip
    busy = [
        meeting(PORTO, "2026-06-02 14:00", "2026-06-02 15:00"),  # the session with one seat
        meeting(PORTO, "2026-06-03 14:00", "2026-06-03 15:00"),  # a full session: no seat
    ]
    cal = calendar(planned, busy, groups=(last_seat,))
    search = Search(INFO, RULES, NOW, (NOW, NOW + timedelta(days=7)), ZONES)
    offered = [(shown(LISBON, s.start)[5:16], s.meeting_id, s.seats_left)
               for s in free_slots(cal, search)]  # fmt: skip
    assert offered == [("06-02 14:00", 7, 1), ("06-04 14:00", None, None)]
    assert starts(cal, replace(INFO, mode="video")) == ["06-04 14:00"]


@pytest.mark.parametrize(
    ("wish", "sites", "expected"),
    [
        pytest.param(Wish(part_of_day="morning"), None,
                     ["06-02 08:00-12:30", "06-03 08:00-12:30"], id="morning"),
        pytest.param(Wish(part_of_day="afternoon"), None,
                     ["06-02 13:00-17:30", "06-03 13:00-17:30"], id="afternoon"),
        pytest.param(Wish(part_of_day="evening"), None,
                     ["06-02 18:00-20:30", "06-03 18:00-20:30"], id="evening"),
        pytest.param(Wish(day=day("2026-06-03"), part_of_day="evening"), None,
                     ["06-03 18:00-20:30"], id="a day and a part of it"),
        pytest.param(Wish(after=local(LISBON, "2026-06-03 20:00")), None,
                     ["06-03 20:30-21:00"], id="other days: after the last slot offered"),
        pytest.param(Wish(), {BOLOGNA: ROME}, [], id="another place"),
    ],
)  # fmt: skip
def test_wishes_narrow_the_slots(wish, sites, expected) -> None:
    cal = calendar([
        period(PORTO, "2026-06-02 07:00", "2026-06-02 21:30"),
        period(PORTO, "2026-06-03 07:00", "2026-06-03 21:30"),
    ])  # fmt: skip
    found = starts(cal, wish=wish, sites=sites, limit=100)
    by_day: dict[str, list[str]] = {}
    for text in found:
        by_day.setdefault(text[:5], []).append(text[6:])
    assert [f"{d} {times[0]}-{times[-1]}" for d, times in by_day.items()] == expected


def test_nothing_starts_beyond_the_horizon() -> None:
    cal = calendar([period(PORTO, f"2026-06-0{d} 09:00", f"2026-06-0{d} 10:00") for d in (2, 3)])
    rules = replace(RULES, horizon=local(LISBON, "2026-06-02 09:30") - NOW)
    assert starts(cal, rules=rules) == ["06-02 09:00", "06-02 09:30"]


def test_align_follows_the_site_clock() -> None:
    half = timedelta(minutes=30)
    assert shown(LISBON, align(local(LISBON, "2026-06-02 09:10"), LISBON, half)) == (
        "2026-06-02 09:30+01:00"
    )
    assert align(local(ROME, "2026-06-02 09:00"), ROME, half) == local(ROME, "2026-06-02 09:00")


def slot(counselor: int, site: int, start: str, minutes: int = 30) -> Slot:
    begin = local(ZONES[site], start)
    return Slot(counselor, site, begin, begin + timedelta(minutes=minutes), day(start[:10]))


def test_at_one_time_the_counselor_with_fewer_meetings_that_day_comes_first() -> None:
    hours = [period(PORTO, "2026-06-02 09:00", "2026-06-02 10:00")]
    busy_one = calendar(hours, [meeting(PORTO, "2026-06-02 15:00", "2026-06-02 15:30")], (), 1)
    free_two = calendar(hours, counselor_id=2)
    search = Search(HALF_HOUR, RULES, NOW, (NOW, NOW + timedelta(days=2)), ZONES)
    merged = [(s.counselor_id, shown(LISBON, s.start)[11:16])
              for s in all_free_slots([busy_one, free_two], search)]  # fmt: skip
    assert merged == [(2, "09:00"), (1, "09:00"), (2, "09:30"), (1, "09:30")]


@pytest.mark.parametrize(
    ("count", "per_day", "by_site", "expected"),
    [
        pytest.param(5, None, True,
                     ["1@1 06-02 09:00", "1@2 06-02 09:00", "2@1 06-02 09:30", "1@1 06-02 10:00",
                      "1@1 06-03 09:00"],
                     id="in person, one time at two places is two choices"),
        pytest.param(5, None, False,
                     ["1@1 06-02 09:00", "2@1 06-02 09:30", "1@1 06-02 10:00", "1@1 06-03 09:00",
                      "1@1 06-04 09:00"],
                     id="by phone, one time is one choice"),
        pytest.param(3, 1, False, ["1@1 06-02 09:00", "1@1 06-03 09:00", "1@1 06-04 09:00"],
                     id="one a day"),
        pytest.param(2, 2, True, ["1@1 06-02 09:00", "1@2 06-02 09:00"], id="as many as asked"),
    ],
)  # fmt: skip
def test_pick_offers_distinct_times_spread_over_days(count, per_day, by_site, expected) -> None:
    stream = [
        slot(1, PORTO, "2026-06-02 09:00"),
        slot(2, PORTO, "2026-06-02 09:00"),
        slot(1, MATOSINHOS, "2026-06-02 09:00"),
        slot(2, PORTO, "2026-06-02 09:30"),
        slot(1, PORTO, "2026-06-02 10:00"),
        slot(1, PORTO, "2026-06-03 09:00"),
        slot(1, PORTO, "2026-06-04 09:00"),
    ]
    chosen = pick(stream, count, per_day, by_site)
    assert [f"{s.counselor_id}@{s.site_id} {shown(ZONES[s.site_id], s.start)[5:16]}"
            for s in chosen] == expected  # fmt: skip
