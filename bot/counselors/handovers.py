"""Hand-overs as the conversation meets them: opening one when the person asks for a person,
and keeping the person's messages in its thread while it is open.

Both run inside the conversation's unit of work, under the person's lock. The desk's side
(take, answer, close) is bot.counselors.inbox; the escalation of hand-overs nobody took is
bot.jobs.handovers.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.booking.labels import when
from bot.counselors.handover_notices import tell_counselors
from bot.counselors.office_hours import site_counselors, working_time_end
from dialogs.engine.commands import command_in
from dialogs.model import Flow, HandOverOpened
from storage import handovers as threads
from storage.booking import Appointment
from storage.crypto import Cipher
from storage.models import HandOver, Identity, Intake, Outbox, Site

LAST_MESSAGES = 3  # what the bot said last, copied into the thread for the counselor


@dataclass(frozen=True)
class HandOverRules:
    take_minutes: int = 120  # of the site's working time before the coordinator is told
    default_site: str = ""  # a site code; "": the first site
    coordinator_email: str = ""  # the network's, for sites without their own
    desk_url: str = "http://localhost:8000/desk"

    @property
    def hours(self) -> int:
        """The "usually within N working hours" the person is told."""
        return max(1, math.ceil(self.take_minutes / 60))


class Routed(Enum):
    BOT = "bot"  # no hand-over is open: the dialog reads the message
    THREAD = "thread"  # kept in the open hand-over's thread; the bot stays silent
    CLOSED = "closed"  # the person's word for "back to the bot" closed the hand-over


def open_for(
    db: Session,
    cipher: Cipher,
    rules: HandOverRules,
    identity: Identity,
    lang: str,
    answers: dict[str, Any],
    node: str | None,
    now: datetime,
) -> HandOverOpened:
    """Open a hand-over (or find the one still open), tell the site's counselors, and say what
    the person may honestly expect."""
    person_id = identity.person_id
    hand_over = threads.open_hand_over(db, person_id)
    site = person_site(db, person_id, answers.get("municipality"), rules.default_site)
    due = working_time_end(db, site, now, rules.take_minutes)
    if hand_over is None:
        hand_over = HandOver(
            person_id=person_id, node=node, requested_at=now, status="open", lang=lang,
            channel=identity.channel, site_id=site.id, due_at=due,
        )  # fmt: skip
        db.add(hand_over)
        db.flush()
        _copy_last_messages(db, cipher, hand_over, now)
        tell_counselors(db, hand_over, site, site_counselors(db, site), rules.desk_url, now)
    return HandOverOpened(site.municipality, rules.hours, when(due, site.timezone, lang))


def route(
    db: Session, cipher: Cipher, flow: Flow, person_id: str, said: str, now: datetime
) -> Routed:
    """Where the person's message goes: to the open hand-over's thread, or to the bot."""
    hand_over = threads.open_hand_over(db, person_id)
    if hand_over is None:
        return Routed.BOT
    if said and command_in(flow, said) == "bot":
        close(db, hand_over, "person", now)
        return Routed.CLOSED
    assert hand_over.id is not None
    threads.add_message(db, cipher, hand_over.id, "person", said, now)
    return Routed.THREAD


def close(db: Session, hand_over: HandOver, by: str, now: datetime) -> None:
    hand_over.status = "closed"
    hand_over.closed_at = now
    hand_over.closed_by = by
    db.add(hand_over)


def person_site(
    db: Session, person_id: str, municipality: str | None, default_site: str
) -> Site:
    """The site of the person's latest appointment, else of their municipality (from the
    intake, else as said in the conversation so far), else the default site."""
    site = db.exec(
        select(Site).join(Appointment, Appointment.site_id == Site.id)
        .where(Appointment.person_id == person_id).order_by(col(Appointment.id).desc())
    ).first()  # fmt: skip
    said = db.exec(
        select(Intake.municipality).where(Intake.person_id == person_id)
        .order_by(col(Intake.id).desc())
    ).first() or municipality  # fmt: skip
    if site is None and said:
        site = db.exec(
            select(Site).where(func.lower(Site.municipality) == said.strip().lower())
        ).first()
    if site is None and default_site:
        site = db.exec(select(Site).where(Site.code == default_site)).first()
    if site is None:
        site = db.exec(select(Site).order_by(col(Site.id))).first()
    if site is None:
        raise LookupError("no site in the network: import one (percorso network import)")
    return site


def _copy_last_messages(db: Session, cipher: Cipher, hand_over: HandOver, now: datetime) -> None:
    """What the bot said last, so the counselor sees where the person was."""
    assert hand_over.id is not None
    rows = db.exec(
        select(Outbox).where(Outbox.person_id == hand_over.person_id, Outbox.kind == "reply")
        .order_by(col(Outbox.id).desc()).limit(LAST_MESSAGES)
    ).all()  # fmt: skip
    for row in reversed(rows):
        threads.add_message(db, cipher, hand_over.id, "bot", row.payload.get("text", ""), now)


