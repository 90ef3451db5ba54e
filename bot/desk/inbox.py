"""/desk/inbox: the hand-overs, answered from the desk.

The list shows the open hand-overs of the staff member's sites (a coordinator's: the whole
network), oldest first, with how long each has waited, in its site's zone. A thread page shows
the messages and is written to the audit log like a record view; a hand-over of another site is
answered 404, and nothing is logged. Coordinators read; a counselor of the site takes the
hand-over, answers (the answer reaches the person on their channel, through the outbox) and
hands the person back to the bot. The pages work without JavaScript; static/inbox.js only shows
the SMS length of an answer while it is typed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from babel.dates import format_timedelta
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from bot.booking.labels import when
from bot.counselors.inbox import HandOverGone, HandOverInbox, TakenByAnother, ThreadMessage
from bot.desk.auth import CurrentStaff, FormStaff, Staff
from bot.desk.context import Desk, DeskContext, NavEntry
from bot.desk.mount import DeskPage
from bot.desk.pages import page
from bot.desk.record import NotYours
from bot.desk.texts import Texts, language_name
from dialogs import segments
from storage.audit import record_view
from storage.db import unit_of_work
from storage.models import Counselor, HandOver, Person, Site

ANSWER_LIMIT = 1500  # with the counselor's name before it, within Twilio's 1600 characters
NOTICES = {"taken", "answered", "closed", "gone"}
SMS_ALPHABET = {
    "basic": segments.GSM_BASIC,
    "extension": segments.GSM_EXTENSION,
    "plain": {chr(code): text for code, text in segments.PLAIN_TYPOGRAPHY.items()},
}


@dataclass(frozen=True)
class Waiting:
    """One open hand-over as the list shows it."""

    id: int
    since: str
    waited: str
    site: str
    language: str
    channel: str
    taken_by: str | None


@dataclass(frozen=True)
class Said:
    """One message of a thread as the page shows it."""

    author: str  # person | counselor | bot
    name: str
    at: str
    text: str


def inbox_page(inbox: HandOverInbox) -> DeskPage:
    """The inbox's pages, acting through `inbox` (built by the composition root with the
    process's hurry, so that answers go out at once)."""
    router = APIRouter()

    @router.get("/desk/inbox")
    def waiting(
        request: Request, staff: CurrentStaff, context: DeskContext, notice: str | None = None
    ) -> HTMLResponse:
        texts = Texts(staff.lang)
        now = context.clock()
        hand_overs = inbox.open_at(staff.site_ids)
        with Session(context.engine) as db:
            sites = {site.id: site for site in db.exec(select(Site))}
            names = _counselor_names(db, [h.taken_by for h in hand_overs])
        lines = [_waiting(h, sites.get(h.site_id), names, now, texts, context.default_zone)
                 for h in hand_overs]  # fmt: skip
        return page(request, context, "inbox.html", staff, lines=lines,
                    notice=notice if notice in NOTICES else None)  # fmt: skip

    @router.get("/desk/inbox/{hand_over_id}")
    def thread(
        request: Request,
        hand_over_id: int,
        staff: CurrentStaff,
        context: DeskContext,
        notice: str | None = None,
    ) -> HTMLResponse:
        return _thread_page(request, inbox, staff, context, hand_over_id,
                            notice=notice if notice in NOTICES else None)  # fmt: skip

    @router.post("/desk/inbox/{hand_over_id}/take")
    def take(
        request: Request, hand_over_id: int, staff: FormStaff, context: DeskContext
    ) -> Response:
        return _act(request, inbox, staff, context, hand_over_id, inbox.take, "taken")

    @router.post("/desk/inbox/{hand_over_id}/answer")
    def answer(
        request: Request,
        hand_over_id: int,
        staff: FormStaff,
        context: DeskContext,
        text: Annotated[str, Form()] = "",
    ) -> Response:
        text = text.strip()
        if not text or len(text) > ANSWER_LIMIT:
            return _thread_page(request, inbox, staff, context, hand_over_id, 422,
                                error="inbox.answer_refused", draft=text)  # fmt: skip
        return _act(request, inbox, staff, context, hand_over_id,
                    lambda hand_over, counselor: inbox.answer(hand_over, counselor, text),
                    "answered")  # fmt: skip

    @router.post("/desk/inbox/{hand_over_id}/close")
    def close(
        request: Request, hand_over_id: int, staff: FormStaff, context: DeskContext
    ) -> Response:
        return _act(request, inbox, staff, context, hand_over_id, inbox.close, "closed",
                    back_to_list=True)  # fmt: skip

    return DeskPage(NavEntry("nav.inbox", "/desk/inbox"), router)


def _act(
    request: Request,
    inbox: HandOverInbox,
    staff: Staff,
    context: Desk,
    hand_over_id: int,
    action: Callable[[int, int], object],
    done: str,
    back_to_list: bool = False,
) -> Response:
    """Do `action(hand_over_id, counselor_id)` as the staff member's counselor, then go back
    with a notice; a refusal is said on the thread's page."""
    with Session(context.engine) as db:
        _visible(db, staff, hand_over_id)
    if staff.counselor_id is None:
        return _thread_page(request, inbox, staff, context, hand_over_id, 403,
                            error="inbox.counselors_only")  # fmt: skip
    try:
        action(hand_over_id, staff.counselor_id)
    except TakenByAnother:
        return _thread_page(request, inbox, staff, context, hand_over_id, 409,
                            error="inbox.taken_by_another")  # fmt: skip
    except HandOverGone:
        return RedirectResponse("/desk/inbox?notice=gone", status_code=303)
    if back_to_list:
        return RedirectResponse(f"/desk/inbox?notice={done}", status_code=303)
    return RedirectResponse(f"/desk/inbox/{hand_over_id}?notice={done}", status_code=303)


def _thread_page(
    request: Request,
    inbox: HandOverInbox,
    staff: Staff,
    context: Desk,
    hand_over_id: int,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """The thread, written to the audit log as it is shown."""
    texts = Texts(staff.lang)
    now = context.clock()
    with Session(context.engine) as db:
        hand_over = _visible(db, staff, hand_over_id)
        site = db.get(Site, hand_over.site_id) if hand_over.site_id is not None else None
        person = db.get(Person, hand_over.person_id)
    messages = inbox.thread(hand_over_id)
    with unit_of_work(context.engine) as db:
        names = _counselor_names(
            db, [hand_over.taken_by, staff.counselor_id, *(m.counselor_id for m in messages)]
        )
        record_view(db, staff.account_id, hand_over.person_id, ["hand_over"], now)
    zone = site.timezone if site else context.default_zone
    waiting = _waiting(hand_over, site, names, now, texts, context.default_zone)
    return page(
        request, context, "thread.html", staff, status,
        hand_over=hand_over, line=waiting, first_name=person.first_name if person else None,
        messages=[_said(m, names, zone, texts) for m in messages],
        mine=hand_over.taken_by is not None and hand_over.taken_by == staff.counselor_id,
        sender=names.get(staff.counselor_id or 0, ""), answer_limit=ANSWER_LIMIT,
        alphabet=SMS_ALPHABET, **values,
    )  # fmt: skip


def _visible(db: Session, staff: Staff, hand_over_id: int) -> HandOver:
    """The hand-over, if it is of one of the staff member's sites; NotYours (404) otherwise."""
    hand_over = db.get(HandOver, hand_over_id)
    if hand_over is None:
        raise NotYours
    if staff.site_ids is not None and (
        hand_over.site_id is None or not staff.sees_site(hand_over.site_id)
    ):
        raise NotYours
    return hand_over


def _waiting(
    hand_over: HandOver,
    site: Site | None,
    names: dict[int, str],
    now: datetime,
    texts: Texts,
    default_zone: str,
) -> Waiting:
    assert hand_over.id is not None  # read from the database
    return Waiting(
        id=hand_over.id,
        since=when(hand_over.requested_at, site.timezone if site else default_zone, texts.lang),
        waited=format_timedelta(now - hand_over.requested_at, locale=texts.lang),
        site=site.name if site else "-",
        language=language_name(hand_over.lang, texts.lang),
        channel=texts(f"channel.{hand_over.channel}") if hand_over.channel else "-",
        taken_by=names.get(hand_over.taken_by) if hand_over.taken_by else None,
    )


def _said(message: ThreadMessage, names: dict[int, str], zone: str, texts: Texts) -> Said:
    if message.author == "counselor":
        name = names.get(message.counselor_id or 0, texts("inbox.counselor"))
    else:
        name = texts(f"inbox.author.{message.author}")
    return Said(message.author, name, when(message.at, zone, texts.lang), message.text)


def _counselor_names(db: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = {counselor_id for counselor_id in ids if counselor_id is not None}
    if not wanted:
        return {}
    found = db.exec(select(Counselor.id, Counselor.name).where(col(Counselor.id).in_(wanted)))
    return {counselor_id: name for counselor_id, name in found if counselor_id is not None}
