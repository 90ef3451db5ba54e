"""Bringing back people who stopped half-way through the intake: one nudge after a day of
silence, one more after three, then silence.

The cron job writes a trigger row per nudge with the reference `nudge:<person>:<n>`; a nudge
whose reference exists is never written again, so a restart or a second worker cannot double
it. Silence is counted from the person's last message, not from the conversation's last change:
a nudge itself changes the conversation.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.delivery.outbound import Trigger
from bot.jobs.cron_lock import exclusive
from bot.jobs.reminders import queue_trigger
from storage.db import unit_of_work
from storage.models import Conversation, InboundSeen, Intake, Outbox

HORIZON = timedelta(days=14)
"""Someone silent for longer than this is not nudged at all (the worker was off meanwhile)."""


def nudge_reference(person_id: str, number: int) -> str:
    return f"nudge:{person_id}:{number}"


def queue_nudges(engine: Engine, now: datetime, after_days: Sequence[int]) -> int:
    """Write the nudges that are due now; returns how many."""
    queued = 0
    with unit_of_work(engine) as db:
        exclusive(db, "nudges")
        for person_id, last_heard in _silent(db, now - timedelta(days=min(after_days)), now):
            number = _nudges_so_far(db, person_id) + 1
            if number > len(after_days):
                continue
            if last_heard > now - timedelta(days=after_days[number - 1]):
                continue
            nudge = partial(Trigger, "nudge", "nudge", number=number)
            reference = nudge_reference(person_id, number)
            row = queue_trigger(db, person_id, nudge, now, now, reference)
            queued += row is not None
    return queued


def _silent(db: Session, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """People in an active conversation, without an intake, silent since before `since`."""
    last_heard = (
        select(InboundSeen.person_id, func.max(InboundSeen.received_at).label("last"))
        .where(col(InboundSeen.person_id).is_not(None))
        .group_by(InboundSeen.person_id)
        .subquery()
    )
    has_intake = select(Intake.id).where(Intake.person_id == Conversation.person_id).exists()
    rows = db.exec(
        select(Conversation.person_id, last_heard.c.last)
        .join(last_heard, last_heard.c.person_id == Conversation.person_id)
        .where(
            Conversation.status == "active",
            ~has_intake,
            last_heard.c.last <= since,
            last_heard.c.last > now - HORIZON,
        )
    ).all()
    return [(person_id, last) for person_id, last in rows]


def _nudges_so_far(db: Session, person_id: str) -> int:
    prefix = nudge_reference(person_id, 0)[:-1]
    return db.exec(
        select(func.count()).select_from(Outbox).where(col(Outbox.reference).startswith(prefix))
    ).one()
