"""/desk/broadcasts: a coordinator composes an announcement per language for a segment, sees
before sending how many people it reaches on each channel and what it costs, sends it now or
schedules it (a scheduled one can be cancelled before it starts), and follows its delivery.

The segment and the reach are counts only: no page here names a person. A broadcast is the
one of `percorso broadcast` (bot.jobs.broadcast): the same segment, the same refusal when a
language of the audience has no text, the same outbox rows sent by the worker behind the
conversations' replies and never in the person's quiet hours. Who asked for it and who
cancelled it stay on the broadcast's row. A counselor is answered 404."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from bot.booking.labels import when as shown_when
from bot.desk.auth import FormStaff, Staff
from bot.desk.context import Desk, DeskContext, NavEntry
from bot.desk.impact import Coordinator
from bot.desk.mount import DeskPage
from bot.desk.pages import page
from bot.desk.record import NotYours
from bot.desk.texts import LANGUAGES, Texts, language_name
from bot.impact.figures import TARGET_GROUPS
from bot.jobs.broadcast import (
    ACTIVITY,
    DELIVERY,
    MissingTexts,
    NotCancellable,
    Reach,
    cancel_broadcast,
    delivery,
    languages,
    missing_languages,
    progress,
    queue_broadcast,
    reach,
)
from bot.jobs.broadcast_cost import ChannelCost, costs
from dialogs.loader import intake_flow
from nlp.text import folded
from storage import impact
from storage.broadcasts import Broadcast, recent_broadcasts
from storage.db import unit_of_work
from storage.desk import STAGES
from storage.models import Site

log = logging.getLogger(__name__)

FIELDS = ("municipality", "site", "lang", "track", "goal", "target_group", "stage",
          "last_activity")  # fmt: skip
"""The segment a coordinator picks from (the CLI takes the other coded intake fields too)."""
TEXT_LIMIT = 1000
VALUE_LIMIT = 100  # characters of one segment value
VALUES_LIMIT = 500  # values ticked in one field
NOTICES = {"queued", "cancelled", "not_cancellable"}

Templates = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Composition:
    """The form as sent: the segment ticked, a text per language, when."""

    segment: dict[str, list[str]]
    texts: dict[str, str]
    scheduled: bool  # False: now
    at: str  # the local time typed
    send: bool  # False: only see the reach and cost

    def ticked(self, field: str, value: str) -> bool:
        return value in self.segment.get(field, ())


EMPTY = Composition({}, {}, False, "", False)


async def composition(request: Request) -> Composition:
    form = await request.form()
    segment = {
        field: [
            str(v).strip()[:VALUE_LIMIT]
            for v in form.getlist(field)[:VALUES_LIMIT]
            if str(v).strip()
        ]
        for field in FIELDS
    }
    texts = {lang: str(form.get(f"text_{lang}", "")).strip()[:TEXT_LIMIT] for lang in LANGUAGES}
    return Composition({f: v for f, v in segment.items() if v},
                       {lang: t for lang, t in texts.items() if t}, form.get("when") == "at",
                       str(form.get("at", "")).strip()[:VALUE_LIMIT],
                       form.get("action") == "send")  # fmt: skip


Composed = Annotated[Composition, Depends(composition)]


@dataclass(frozen=True)
class Preview:
    people: int
    opted_out: int
    unreachable: int
    languages: list[tuple[str, int]]
    missing: list[str]
    costs: list[ChannelCost]


def broadcasts_page(templates: Templates) -> DeskPage:
    """The broadcast pages; `templates` are the WhatsApp templates of the settings, which
    decide what a message outside the 24-hour window becomes."""
    router = APIRouter()

    @router.get("/desk/broadcasts")
    def broadcasts(request: Request, staff: Coordinator, context: DeskContext) -> HTMLResponse:
        return _compose_page(request, context, staff, EMPTY, None, None, 200)

    @router.post("/desk/broadcasts")
    def compose(
        request: Request, staff: FormStaff, context: DeskContext, asked: Composed
    ) -> Response:
        if staff.is_counselor:
            raise NotYours
        now = context.clock()
        with unit_of_work(context.engine) as db:
            zone = _zone(db, asked.segment, context.default_zone)
            preview = _preview(db, asked, templates, context, now)
        at, error = _when(asked, zone, now)
        error = error or _refusal(preview)
        if not asked.send or error:
            status = 422 if asked.send and error else 200
            return _compose_page(request, context, staff, asked, preview, error, status)
        try:
            with unit_of_work(context.engine) as db:
                sent = queue_broadcast(db, asked.segment, asked.texts, now, at, staff.account_id)
        except MissingTexts:  # someone of another language joined the segment meanwhile
            with unit_of_work(context.engine) as db:
                preview = _preview(db, asked, templates, context, now)
            return _compose_page(request, context, staff, asked, preview, "broadcast.missing",
                                 422)  # fmt: skip
        log.info("broadcast %s to %s people, from %s, by account %s", sent.id, sent.recipients,
                 sent.not_before.isoformat(), staff.account_id)  # fmt: skip
        return RedirectResponse(f"/desk/broadcasts/{sent.id}?notice=queued", status_code=303)

    @router.get("/desk/broadcasts/{broadcast_id}")
    def broadcast(
        request: Request, broadcast_id: int, staff: Coordinator, context: DeskContext,
        notice: str | None = None,
    ) -> HTMLResponse:  # fmt: skip
        now = context.clock()
        with unit_of_work(context.engine) as db:
            found = db.get(Broadcast, broadcast_id)
            if found is None:
                raise NotYours
            zone = _zone(db, found.segment, context.default_zone)
            texts = Texts(staff.lang)
            options = _options(db, texts)
            state = _state(found, progress(db, broadcast_id), now)
            delivered = delivery(db, broadcast_id)
        return page(
            request, context, "broadcast.html", staff, broadcast=found, state=state,
            segment=_described(found.segment, options, texts), zone=zone,
            starts=shown_when(found.not_before, zone, staff.lang), delivery=delivered,
            columns=DELIVERY,
            texts=[(language_name(lang, staff.lang), lang, text)
                   for lang, text in sorted(found.texts.items())],
            notice=notice if notice in NOTICES else None,
        )  # fmt: skip

    @router.post("/desk/broadcasts/{broadcast_id}/cancel")
    def cancel(broadcast_id: int, staff: FormStaff, context: DeskContext) -> Response:
        if staff.is_counselor:
            raise NotYours
        try:
            with unit_of_work(context.engine) as db:
                cancel_broadcast(db, broadcast_id, context.clock(), staff.account_id)
            log.info("broadcast %s cancelled by account %s", broadcast_id, staff.account_id)
            notice = "cancelled"
        except NotCancellable:
            notice = "not_cancellable"
        return RedirectResponse(f"/desk/broadcasts/{broadcast_id}?notice={notice}",
                                status_code=303)  # fmt: skip

    return DeskPage(NavEntry("nav.broadcasts", "/desk/broadcasts", coordinators_only=True),
                    router)  # fmt: skip


def _compose_page(
    request: Request, context: Desk, staff: Staff, asked: Composition,
    preview: Preview | None, error: str | None, status: int,
) -> HTMLResponse:  # fmt: skip
    texts = Texts(staff.lang)
    now = context.clock()
    with unit_of_work(context.engine) as db:
        options = _options(db, texts)
        zone = _zone(db, asked.segment, context.default_zone)
        listed = [_listed(b, progress(db, b.id), now, staff.lang, context.default_zone)
                  for b in recent_broadcasts(db) if b.id is not None]  # fmt: skip
    notice = request.query_params.get("notice")
    return page(
        request, context, "broadcasts.html", staff, status, fields=FIELDS, options=options,
        asked=asked, preview=preview, error=error, zone=zone, languages=LANGUAGES,
        language_names={lang: language_name(lang, staff.lang) for lang in LANGUAGES},
        missing_names=", ".join(language_name(lang, staff.lang)
                                for lang in (preview.missing if preview else [])),
        listed=listed, notice=notice if notice in NOTICES else None,
    )  # fmt: skip


def _preview(
    db: Session, asked: Composition, templates: Templates, context: Desk, now: datetime
) -> Preview:
    reached: Reach = reach(db, asked.segment, now)
    recipients = reached.recipients
    return Preview(
        people=len(recipients), opted_out=reached.opted_out, unreachable=reached.unreachable,
        languages=sorted(languages(recipients).items()),
        missing=missing_languages(recipients, asked.texts),
        costs=costs(db, recipients, asked.texts, templates, context.service.flow.default_lang,
                    now),
    )  # fmt: skip


def _refusal(preview: Preview) -> str | None:
    if preview.missing:
        return "broadcast.missing"
    if preview.people == 0:
        return "broadcast.nobody"
    return None


def _when(asked: Composition, zone: str, now: datetime) -> tuple[datetime | None, str | None]:
    """The time asked for, typed in the zone, in UTC (None: now); or the error's text key."""
    if not asked.scheduled:
        return None, None
    try:
        local = datetime.fromisoformat(asked.at)
    except ValueError:
        return None, "broadcast.bad_time"
    if local.tzinfo is not None:
        return None, "broadcast.bad_time"
    at = local.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))
    if at <= now:
        return None, "broadcast.past"
    return at, None


def _zone(db: Session, segment: Mapping[str, list[str]], default: str) -> str:
    """The zone of the one site the segment names, else the network's."""
    codes = segment.get("site", [])
    if len(codes) == 1:
        site = db.exec(select(Site).where(Site.code == codes[0])).first()
        if site is not None:
            return site.timezone
    return default


def _options(db: Session, texts: Texts) -> dict[str, list[Option]]:
    """What each field offers, labelled in the staff member's language."""
    flow = intake_flow()
    catalogue = (flow.catalogues.get(texts.lang) or flow.catalogues[flow.default_lang]).texts
    goal = flow.field_node("goal")
    spellings: dict[str, str] = {}
    for name in sorted(impact.municipalities(db)):
        spellings.setdefault(folded(name), name)  # one municipality however people wrote it
    sites = db.exec(select(Site.code, Site.name).order_by(Site.name)).all()
    tracks = dict.fromkeys(rule.track for rule in flow.tracks)
    return {
        "municipality": [Option(name, name) for name in sorted(spellings.values())],
        "site": [Option(code, name) for code, name in sites],
        "lang": [Option(lang, language_name(lang, texts.lang)) for lang in LANGUAGES],
        "track": [Option(t, catalogue.get(f"track.{t}", t)) for t in tracks],
        "goal": [Option(str(c.value if c.value is not None else c.id),
                        catalogue.get(c.text, c.id)) for c in (goal.choices if goal else ())],
        "target_group": [Option(g, texts(f"impact.group.{g}")) for g in TARGET_GROUPS],
        "stage": [Option(s, texts(f"stage.{s}")) for s in STAGES],
        "last_activity": [Option(a, texts(f"broadcast.activity.{a}")) for a in ACTIVITY],
    }  # fmt: skip


def _described(
    segment: Mapping[str, list[str]], options: Mapping[str, list[Option]], texts: Texts
) -> list[tuple[str, str]]:
    """(field, values) as labels, for each field the segment names (the CLI's other fields
    by their names)."""
    described = []
    for field, values in segment.items():
        labels = {folded(o.value): o.label for o in options.get(field, [])}
        name = texts(f"broadcast.field.{field}") if field in FIELDS else field
        described.append((name, ", ".join(labels.get(folded(v), v) for v in values)))
    return described


@dataclass(frozen=True)
class Listed:
    id: int
    starts: str
    recipients: int
    state: str


def _listed(
    found: Broadcast, counts: dict[str, int], now: datetime, lang: str, zone: str
) -> Listed:
    assert found.id is not None  # read from the database
    return Listed(found.id, shown_when(found.not_before, zone, lang), found.recipients,
                  _state(found, counts, now))  # fmt: skip


def _state(found: Broadcast, counts: dict[str, int], now: datetime) -> str:
    if found.cancelled_at is not None:
        return "cancelled"
    if found.not_before > now:
        return "scheduled"
    return "sending" if counts["pending"] else "done"
