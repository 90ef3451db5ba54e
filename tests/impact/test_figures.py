"""The funnel, the meetings and their small counts, counted from conversations driven through
the conversation service."""

from datetime import date
from zoneinfo import ZoneInfo

from bot.entry.bootstrap import App
from bot.impact.figures import By, Report, Row, impact_report
from bot.impact.periods import Per
from storage.db import unit_of_work

LISBON = ZoneInfo("Europe/Lisbon")
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def report(application: App, by: By, first: date = NOVEMBER[0], last: date = NOVEMBER[1],
           per: Per = Per.month) -> Report:  # fmt: skip
    with unit_of_work(application.engine) as db:
        return impact_report(db, first, last, per, by, LISBON)


def row(figures: Report, measure: str, period: int = 0) -> Row:
    return next(r for r in figures.periods[period].rows if r.measure == measure)


def column(figures: Report, measure: str, group: str, period: int = 0) -> str:
    return row(figures, measure, period).cells[figures.groups.index(group)]


def test_the_funnel_counts_how_far_each_person_got_and_where_they_stopped(seeded: App) -> None:
    figures = report(seeded, By.language)
    reached = {r.measure: r.total for r in figures.periods[0].rows if r.section == "funnel"}
    assert reached["wrote"] == "30"
    assert reached["consented"] == "25"
    assert reached["municipality"] == "25"
    assert reached["age_band"] == reached["unemployed_since"] == "20"
    assert reached["benefits"] == "14" == reached["completed"] == reached["booked"]
    stopped = {r.measure: r.total for r in figures.periods[0].rows if r.section == "stopped"}
    assert stopped["stopped.wrote"] == "5"
    assert stopped["stopped.municipality"] == "5"  # agreed, then never gave a municipality
    assert stopped["stopped.unemployed_since"] == "6"
    assert stopped["stopped.age_band"] == "<5"  # nobody: zero is a small count too
    assert column(figures, "stopped.unemployed_since", "en") == "6"


def test_municipalities_group_as_people_wrote_them_whatever_the_case_and_accents(
    seeded: App,
) -> None:
    figures = report(seeded, By.municipality)
    assert [figures.labels.get(g, g) for g in figures.groups] == ["Bologna", "PORTO", "none"]
    assert column(figures, "completed", "porto") == "8"


def test_a_site_with_three_no_shows_reads_less_than_five_in_every_breakdown_and_span(
    seeded: App,
) -> None:
    by_site = report(seeded, By.site)
    assert column(by_site, "no_show", "porto") == "<5"
    no_shows = row(by_site, "no_show")
    # all no-shows minus the other sites' ...
    assert not no_shows.total.isdigit() or not column(by_site, "no_show", "bologna").isdigit()
    # ... or porto's meetings minus those who came (nobody cancelled: both read "<5")
    assert not (column(by_site, "meetings", "porto").isdigit()
                and column(by_site, "attended", "porto").isdigit())
    for by in By:  # the same total in every breakdown, and in every span
        for first, last, per in [(*NOVEMBER, Per.month), (date(2026, 10, 1), date(2026, 12, 31),
                                                          Per.month)]:  # fmt: skip
            figures = report(seeded, by, first, last, per)
            month = [p.period.label for p in figures.periods].index("2026-11")
            assert row(figures, "no_show", month).total == no_shows.total


def test_weeks_are_counted_whole_and_each_on_its_own(seeded: App) -> None:
    figures = report(seeded, By.site, date(2026, 11, 25), date(2026, 12, 2), Per.week)
    assert [p.period.label for p in figures.periods] == ["2026-W48", "2026-W49"]
    assert figures.periods[0].period.first == date(2026, 11, 23)
