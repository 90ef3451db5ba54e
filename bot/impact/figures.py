"""The impact figures of whole weeks or months, broken down by one dimension, small counts hidden.

Each period is a table: a row per measure, a column per group of the breakdown and one for
the whole network. The rows are the intake funnel (how many got at least as far as each step)
and where people stopped, the meetings, the stages counselors recorded, and the reminders and
nudges that fired. The equations a reader knows — a total is the sum of its groups (except
for target groups, which overlap), a step reached is the next step reached plus those who
stopped there, meetings are attended + no-shows + cancelled + not recorded — are handed to
bot.impact.suppression with the counts. A total hidden in one breakdown is hidden in all of
them, so that switching the breakdown reveals nothing; and as every period is counted on its
own, neither does changing the span.
"""

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.impact.periods import Per, Period, periods
from bot.impact.suppression import HIDDEN_TEXT, SMALL, Equation, suppress
from dialogs.loader import intake_flow
from dialogs.model import Flow
from nlp.text import folded
from storage import impact as stored
from storage.desk import OUTCOMES, STAGES
from storage.impact import Facts, Profile

TOTAL = None  # the column of the whole network
NONE = "none"  # no value in the breakdown (no meeting, no intake yet), or one not listed
CHANNELS = ("telegram", "sms", "console")
LANGUAGES = ("pt", "it", "en", "es", "fr")
TARGET_GROUPS = ("young", "over_40", "long_term_unemployed", "minimum_income", "redundancy")


class By(StrEnum):
    site = "site"
    municipality = "municipality"
    channel = "channel"
    language = "language"
    target_group = "target_group"


@dataclass(frozen=True)
class Row:
    """One measure: what to show per group, in the order of the report's groups, and in all."""

    section: str  # funnel | stopped | meetings | path | follow_up
    measure: str
    cells: tuple[str, ...]
    total: str


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Report:
    by: By
    per: Per
    groups: tuple[str, ...]  # group keys; labels for municipalities in `labels`
    labels: dict[str, str]
    periods: tuple[PeriodFigures, ...]


def impact_report(
    db: Session, first: date, last: date, per: Per, by: By, zone: ZoneInfo
) -> Report:
    """The figures of every whole period between two days, broken down `by`."""
    spans = periods(first, last, per)
    facts = stored.facts_between(db, spans[0].span(zone)[0], spans[-1].span(zone)[1])
    groupings = _groupings(db)
    steps = funnel_steps(intake_flow())
    figures = tuple(
        PeriodFigures(span, _period_rows(_within(facts, span, zone), steps, groupings, by))
        for span in spans
    )
    groups, labels = groupings[by]
    return Report(by, per, groups, labels, figures)


# -- the funnel's steps ---------------------------------------------------------------------


def funnel_steps(flow: Flow) -> tuple[str, ...]:
    """wrote, consented, every node from the first question to the summary, completed."""
    nodes = list(flow.nodes)
    first = nodes.index(flow.first_question)
    summary = next(i for i, n in enumerate(nodes) if flow.nodes[n].kind == "summary")
    return ("wrote", "consented", *nodes[first : summary + 1], "completed")


def _furthest(journey: stored.Journey, steps: Sequence[str]) -> int:
    """The step the person got to: a node past the summary counts as the summary."""
    if journey.completed:
        return len(steps) - 1
    if not journey.consented:
        return 0
    if journey.node in steps[2:-1]:
        return steps.index(journey.node)
    if journey.node == "correct_pick":
        return len(steps) - 2
    return 1


# -- groups ---------------------------------------------------------------------------------

Grouping = tuple[tuple[str, ...], dict[str, str]]  # the groups' keys, and labels where needed


def _groupings(db: Session) -> dict[By, Grouping]:
    """Every group each breakdown shows, whatever the span: a group present in one report
    and absent in another would tell that it was empty."""
    spellings: dict[str, str] = {}
    for name in sorted(stored.municipalities(db)):
        spellings.setdefault(folded(name), name)
    return {
        By.site: ((*stored.site_codes(db), NONE), {}),
        By.municipality: ((*sorted(spellings), NONE), spellings),
        By.channel: ((*CHANNELS, NONE), {}),
        By.language: ((*LANGUAGES, NONE), {}),
        By.target_group: ((*TARGET_GROUPS, NONE), {}),
    }


def groups_of(profile: Profile, by: By) -> tuple[str, ...]:
    if by is By.target_group:
        return target_groups(profile) or (NONE,)
    value = {
        By.site: profile.site,
        By.municipality: folded(profile.municipality) if profile.municipality else None,
        By.channel: profile.channel,
        By.language: profile.lang,
    }[by]
    return (value or NONE,)


def target_groups(profile: Profile) -> tuple[str, ...]:
    """The target groups read from the plain intake answers; special categories never."""
    checks = {
        "young": profile.age_band == "16-24",
        "over_40": profile.age_band in ("40-54", "55+"),
        "long_term_unemployed": profile.unemployed_since in ("1to2y", "gt2y"),
        "minimum_income": profile.benefits == "minimum_income",
        "redundancy": profile.benefits == "redundancy",
    }
    return tuple(group for group, holds in checks.items() if holds)


# -- one period -----------------------------------------------------------------------------


def _within(facts: Facts, span: Period, zone: ZoneInfo) -> Facts:
    start, end = span.span(zone)

    def inside(moment: datetime) -> bool:
        return start <= moment < end

    return Facts(
        journeys=[j for j in facts.journeys if inside(j.wrote_at)],
        meetings=[m for m in facts.meetings if inside(m.starts_at)],
        stages=[s for s in facts.stages if inside(s.recorded_at)],
        triggers=[t for t in facts.triggers if inside(t.fired_at)],
        profiles=facts.profiles,
    )


@dataclass(frozen=True)
class _Measure:
    section: str
    name: str
    people: Callable[[Facts], Iterable[str]]  # one person id per thing counted


def _measures(steps: Sequence[str]) -> list[_Measure]:
    def reached(i: int) -> Callable[[Facts], list[str]]:
        return lambda f: [j.person_id for j in f.journeys if _furthest(j, steps) >= i]

    def stopped(i: int) -> Callable[[Facts], list[str]]:
        return lambda f: [j.person_id for j in f.journeys if _furthest(j, steps) == i]

    def meetings(test: Callable[[stored.MeetingFact], bool]) -> Callable[[Facts], list[str]]:
        return lambda f: [m.person_id for m in f.meetings if test(m)]

    def people_at(kind: str, value: str) -> Callable[[Facts], set[str]]:
        return lambda f: {s.person_id for s in f.stages if getattr(s, kind) == value}

    def triggers(kind: str, test: Callable[[stored.TriggerFact], bool]) -> Callable:
        return lambda f: [t.person_id for t in f.triggers if t.kind == kind and test(t)]

    return [
        *(_Measure("funnel", step, reached(i)) for i, step in enumerate(steps)),
        _Measure("funnel", "booked", lambda f: [j.person_id for j in f.journeys if j.booked]),
        *(_Measure("stopped", f"stopped.{step}", stopped(i)) for i, step in enumerate(steps[:-1])),
        _Measure("meetings", "meetings", meetings(lambda m: True)),
        _Measure("meetings", "attended", meetings(lambda m: m.status != "cancelled"
                                                  and m.attended is True)),
        _Measure("meetings", "no_show", meetings(lambda m: m.status != "cancelled"
                                                 and m.attended is False)),
        _Measure("meetings", "cancelled", meetings(lambda m: m.status == "cancelled")),
        _Measure("meetings", "not_recorded", meetings(lambda m: m.status != "cancelled"
                                                      and m.attended is None)),
        *(_Measure("path", f"stage.{stage}", people_at("stage", stage)) for stage in STAGES),
        *(_Measure("path", f"outcome.{o}", people_at("outcome", o)) for o in OUTCOMES),
        _Measure("follow_up", "reminders", triggers("reminder", lambda t: True)),
        _Measure("follow_up", "reminders_then_came", triggers("reminder",
                                                              lambda t: t.attended is True)),
        _Measure("follow_up", "nudges", triggers("nudge", lambda t: True)),
        _Measure("follow_up", "nudges_then_completed", triggers("nudge",
                                                                lambda t: t.completed_after)),
    ]  # fmt: skip


def _period_rows(
    facts: Facts, steps: Sequence[str], groupings: dict[By, Grouping], by: By
) -> tuple[Row, ...]:
    measures = _measures(steps)
    tables = {
        dimension: _counts(facts, measures, dimension, groupings[dimension][0])
        for dimension in By
    }
    equations = {d: _equations(measures, steps, groupings[d][0], d) for d in By}
    forced: set = set()
    while True:  # until every breakdown hides the same totals
        shown = {
            d: suppress(tables[d], equations[d], forced, {k for k in tables[d] if k[1] is TOTAL})
            for d in By
        }
        hidden_totals = {
            key for d in By for key, text in shown[d].items()
            if key[1] is TOTAL and not text.isdigit()
        }  # fmt: skip
        if hidden_totals <= forced:
            break
        forced |= hidden_totals
    groups = groupings[by][0]
    rows = [
        Row(m.section, m.name, tuple(shown[by][(m.name, g)] for g in groups),
            shown[by][(m.name, TOTAL)])
        for m in measures
    ]  # fmt: skip
    after = next(i for i, r in enumerate(rows) if r.measure == "not_recorded") + 1
    return (*rows[:after], _median_days(facts, groups, by), *rows[after:])


def _counts(
    facts: Facts, measures: list[_Measure], by: By, groups: Sequence[str]
) -> dict[tuple[str, str | None], int]:
    counts: dict[tuple[str, str | None], int] = {}
    for measure in measures:
        counted = list(measure.people(facts))
        counts[(measure.name, TOTAL)] = len(counted)
        for group in groups:
            counts[(measure.name, group)] = 0
        for person_id in counted:
            for group in groups_of(facts.profiles.get(person_id, Profile()), by):
                counts[(measure.name, group if group in groups else NONE)] += 1
    return counts


def _equations(
    measures: list[_Measure], steps: Sequence[str], groups: Sequence[str], by: By
) -> list[Equation]:
    columns = [TOTAL, *groups]
    found = [
        Equation((steps[i], column), ((steps[i + 1], column), (f"stopped.{steps[i]}", column)))
        for i in range(len(steps) - 1)
        for column in columns
    ]
    found += [
        Equation(("meetings", column), tuple(
            (name, column) for name in ("attended", "no_show", "cancelled", "not_recorded")))
        for column in columns
    ]  # fmt: skip
    if by is not By.target_group:  # a person is in one group of the others, so they add up
        found += [
            Equation((m.name, TOTAL), tuple((m.name, g) for g in groups)) for m in measures
        ]
    return found


def _median_days(facts: Facts, groups: Sequence[str], by: By) -> Row:
    """Median days from the first message to the first meeting, of the people who first wrote
    in the period; hidden where fewer than SMALL people are behind it."""
    days: dict[str | None, list[int]] = {TOTAL: [], **{g: [] for g in groups}}
    for journey in facts.journeys:
        if journey.first_meeting_at is None:
            continue
        waited = (journey.first_meeting_at - journey.wrote_at).days
        days[TOTAL].append(waited)
        for group in groups_of(journey.profile, by):
            days[group if group in groups else NONE].append(waited)
    shown = {key: _median(values) for key, values in days.items()}
    return Row("meetings", "days_to_first_meeting", tuple(shown[g] for g in groups), shown[TOTAL])


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):g}" if len(values) >= SMALL else HIDDEN_TEXT
