"""/desk/agenda: the meetings of a day or a week, per counselor and per site, each at its
site's local time; a meeting opens the person's record."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, select

from bot.desk.auth import CurrentStaff, Staff
from bot.desk.context import DeskContext
from bot.desk.pages import page
from bot.desk.texts import Texts
from storage.agenda import AgendaEntry, agenda_between
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Counselor, Site

ALL = "all"

router = APIRouter()


@dataclass(frozen=True)
class Line:
    """One meeting as the agenda shows it."""

    starts: str
    ends: str
    person_id: str
    first_name: str | None
    counselor: str
    site: str
    service: str
    mode: str
    status: str  # a text key: status.booked, status.attended, ...


@router.get("/desk")
def home() -> RedirectResponse:
    return RedirectResponse("/desk/agenda", status_code=303)


@router.get("/desk/agenda")
def agenda(
    request: Request,
    staff: CurrentStaff,
    context: DeskContext,
    day: str | None = None,
    span: str = "day",
    site: str | None = None,
    counselor: str | None = None,
) -> HTMLResponse:
    texts = Texts(staff.lang)
    span = "week" if span == "week" else "day"
    with unit_of_work(context.engine) as db:
        sites = [s for s in db.exec(select(Site).order_by(Site.name)) if staff.sees_site(s.id)]
        counselors = _counselors_of(db, sites)
        chosen_site = next((s for s in sites if s.code == site), None)
        chosen_counselor = _chosen_counselor(staff, counselors, counselor)
        zone = ZoneInfo(_zone(chosen_site, sites, context.default_zone))
        first = _first_day(day, span, context.clock(), zone)
        days = 7 if span == "week" else 1
        start = datetime.combine(first, time(), zone)
        end = datetime.combine(first + timedelta(days=days), time(), zone)
        site_ids = {chosen_site.id} if chosen_site else staff.site_ids
        entries = agenda_between(
            db, start, end, site_ids, chosen_counselor.id if chosen_counselor else None
        )
    return page(
        request, context, "agenda.html", staff,
        span=span, first=first, sites=sites, counselors=counselors,
        chosen_site=chosen_site.code if chosen_site else "",
        chosen_counselor=chosen_counselor.code if chosen_counselor else ALL,
        days=_by_day(entries, texts),
        heading=_heading(first, days, texts.lang),
        previous=(first - timedelta(days=days)).isoformat(),
        following=(first + timedelta(days=days)).isoformat(),
    )  # fmt: skip


def _counselors_of(db: Session, sites: list[Site]) -> list[Counselor]:
    codes = {s.code for s in sites}
    everyone = db.exec(select(Counselor).order_by(col(Counselor.name))).all()
    return [c for c in everyone if codes.intersection(c.site_codes)]


def _chosen_counselor(
    staff: Staff, counselors: list[Counselor], code: str | None
) -> Counselor | None:
    """The counselor asked for; without a choice, a counselor sees their own agenda."""
    if code is None:
        return next((c for c in counselors if c.id == staff.counselor_id), None)
    return next((c for c in counselors if c.code == code), None)


def _zone(chosen: Site | None, sites: list[Site], default_zone: str) -> str:
    if chosen is not None:
        return chosen.timezone
    return sites[0].timezone if sites else default_zone


def _first_day(day: str | None, span: str, now: datetime, zone: ZoneInfo) -> date:
    try:
        first = date.fromisoformat(day) if day else now.astimezone(zone).date()
    except ValueError:
        first = now.astimezone(zone).date()
    return first - timedelta(days=first.weekday()) if span == "week" else first


def _by_day(entries: Iterable[AgendaEntry], texts: Texts) -> list[tuple[str, list[Line]]]:
    days: dict[date, list[Line]] = {}
    for entry in entries:
        zone = ZoneInfo(entry.site.timezone)
        local = entry.appointment.starts_at.astimezone(zone)
        days.setdefault(local.date(), []).append(_line(entry, zone, texts))
    return [(format_date(day, "full", locale=texts.lang), days[day]) for day in sorted(days)]


def _line(entry: AgendaEntry, zone: ZoneInfo, texts: Texts) -> Line:
    appointment = entry.appointment
    return Line(
        starts=f"{appointment.starts_at.astimezone(zone):%H:%M}",
        ends=f"{appointment.ends_at.astimezone(zone):%H:%M}",
        person_id=appointment.person_id,
        first_name=entry.first_name,
        counselor=entry.counselor.name,
        site=entry.site.name,
        service=entry.service.names.get(texts.lang) or entry.service.code,
        mode=texts(f"mode.{appointment.mode}"),
        status=status_key(appointment),
    )


def status_key(appointment: Appointment) -> str:
    if appointment.status == "cancelled":
        return "status.cancelled"
    if appointment.attended is not None:
        return "status.attended" if appointment.attended else "status.no_show"
    return "status.confirmed" if appointment.confirmed_at else "status.booked"


def _heading(first: date, days: int, lang: str) -> str:
    if days == 1:
        return format_date(first, "full", locale=lang)
    last = first + timedelta(days=days - 1)
    return " – ".join(format_date(d, "medium", locale=lang) for d in (first, last))
