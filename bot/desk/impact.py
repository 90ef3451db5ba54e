"""/desk/impact: the impact monitor for coordinators — tables and a funnel chart drawn on the
server as SVG, with CSV and XLSX downloads of the very same (hidden) figures. A counselor is
answered 404, as for anything not theirs."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.desk.auth import CurrentStaff, Staff
from bot.desk.context import DeskContext, NavEntry
from bot.desk.mount import DeskPage
from bot.desk.pages import HEADERS, page
from bot.desk.record import NotYours
from bot.desk.texts import Texts
from bot.impact.figures import NONE, By, PeriodFigures, Report, impact_report
from bot.impact.periods import Per
from bot.impact.spreadsheets import csv_text, report_table, xlsx_bytes
from dialogs.loader import intake_flow
from storage.db import unit_of_work
from storage.desk import OUTCOMES, STAGES

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_SPAN = timedelta(days=90)


def coordinator(staff: CurrentStaff) -> Staff:
    """The staff member, when they see the whole network; a counselor gets 404."""
    if staff.is_counselor:
        raise NotYours
    return staff


Coordinator = Annotated[Staff, Depends(coordinator)]


class Choice:
    """The report asked for in the query, each value checked, a wrong one replaced."""

    def __init__(self, today: date, start: str | None, end: str | None, by: str, per: str):
        self.last = _day(end) or today
        self.first = _day(start) or self.last - DEFAULT_SPAN
        if self.first > self.last:
            self.first, self.last = self.last, self.first
        self.by = By(by) if by in By.__members__ else By.site
        self.per = Per(per) if per in Per.__members__ else Per.month

    @property
    def query(self) -> str:
        return f"from={self.first}&to={self.last}&by={self.by}&per={self.per}"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _report(context: DeskContext, choice: Choice) -> Report:
    with unit_of_work(context.engine) as db:
        return impact_report(db, choice.first, choice.last, choice.per, choice.by,
                             ZoneInfo(context.default_zone))  # fmt: skip


def _choice(context: DeskContext, request: Request) -> Choice:
    """From the query: `from`, `to` (days), `by` and `per`."""
    today = context.clock().astimezone(ZoneInfo(context.default_zone)).date()
    asked = request.query_params
    return Choice(today, asked.get("from"), asked.get("to"), asked.get("by", ""),
                  asked.get("per", ""))  # fmt: skip


@router.get("/desk/impact")
def impact(request: Request, staff: Coordinator, context: DeskContext) -> HTMLResponse:
    choice = _choice(context, request)
    report = _report(context, choice)
    texts = Texts(staff.lang)
    words = _words(texts)
    return page(
        request, context, "impact.html", staff, choice=choice, by_values=list(By),
        per_values=list(Per), groups=[_group(g, report, texts) for g in report.groups],
        periods=[_period(figures, words) for figures in report.periods],
    )  # fmt: skip


@router.get("/desk/impact.csv")
def impact_csv(request: Request, staff: Coordinator, context: DeskContext) -> Response:
    choice = _choice(context, request)
    return download(csv_text(*report_table(_report(context, choice))), "csv",
                    f"impact-{choice.by}-{choice.first}-{choice.last}")  # fmt: skip


@router.get("/desk/impact.xlsx")
def impact_xlsx(request: Request, staff: Coordinator, context: DeskContext) -> Response:
    choice = _choice(context, request)
    return download(xlsx_bytes(*report_table(_report(context, choice)), "impact"), "xlsx",
                    f"impact-{choice.by}-{choice.first}-{choice.last}")  # fmt: skip


def download(content: str | bytes, kind: str, name: str) -> Response:
    media = "text/csv; charset=utf-8" if kind == "csv" else XLSX
    response = Response(content, media_type=media)
    response.headers.update(HEADERS)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str  # the count, or "<5" / "x" with no bar drawn
    width: int  # of CHART_WIDTH


@dataclass(frozen=True)
class Line:
    section: str | None  # set on the first line of a section
    label: str
    cells: tuple[str, ...]
    total: str


@dataclass(frozen=True)
class Shown:
    label: str
    bars: list[Bar]
    lines: list[Line]


CHART_WIDTH = 360


def _period(figures: PeriodFigures, words: dict[str, str]) -> Shown:
    funnel = [row for row in figures.rows if row.section == "funnel"]
    widest = max((int(r.total) for r in funnel if r.total.isdigit()), default=0) or 1
    bars = [
        Bar(words[r.measure], r.total,
            CHART_WIDTH * int(r.total) // widest if r.total.isdigit() else 0)
        for r in funnel
    ]  # fmt: skip
    lines, section = [], None
    for row in figures.rows:
        heading = None if row.section == section else words[f"section.{row.section}"]
        section = row.section
        lines.append(Line(heading, words[row.measure], row.cells, row.total))
    return Shown(figures.period.label, bars, lines)


def _words(texts: Texts) -> dict[str, str]:
    """A label for every measure and section, in the staff member's language: the steps of
    the funnel as the intake names its fields (the node's name where it names none)."""
    flow = intake_flow()
    catalogue = flow.catalogues.get(texts.lang) or flow.catalogues[flow.default_lang]
    steps = {}
    for node in flow.nodes.values():
        field = catalogue.texts.get(f"field.{node.id}")
        topic = catalogue.texts.get(node.topic) if node.topic else None
        steps[node.id] = field or topic or node.id.replace("_", " ")
    for key in OWN_STEP_WORDS:
        steps[key] = texts(f"impact.step.{key}")
    words = {**steps, **{f"stopped.{k}": texts("impact.stopped_at", step=v)
                         for k, v in steps.items()}}  # fmt: skip
    for key in MEASURES:
        words[key] = texts(f"impact.{key}")
    words.update({f"stage.{s}": texts(f"stage.{s}") for s in STAGES})
    words.update({f"outcome.{o}": texts(f"outcome.{o}") for o in OUTCOMES})
    return words


OWN_STEP_WORDS = (
    "wrote", "consented", "completed", "experience_confirm", "experience_drop",
    "experience_more", "special_consent", "disability", "justice", "target_groups", "summary",
)  # fmt: skip
MEASURES = (
    "booked", "meetings", "attended", "no_show", "cancelled", "not_recorded",
    "days_to_first_meeting", "reminders", "reminders_then_came", "nudges",
    "nudges_then_completed", "section.funnel", "section.stopped", "section.meetings",
    "section.path", "section.follow_up",
)  # fmt: skip


def _group(group: str, report: Report, texts: Texts) -> str:
    if group == NONE:
        return texts("impact.none")
    if report.by is By.target_group:
        return texts(f"impact.group.{group}")
    return report.labels.get(group, group)


PAGE = DeskPage(NavEntry("nav.impact", "/desk/impact", coordinators_only=True), router)
