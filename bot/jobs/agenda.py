"""Each counselor's agenda of the day, sent in the morning to their linked Telegram chat, or
by e-mail to a counselor without one.

The job runs every few minutes; a counselor whose morning has come (agenda_hour in the zone of
their first site, until LATEST hours later) and who has appointments that day gets the same
view as /agenda (bot.counselors.agenda), once: the row's reference
`agenda:<counselor>:<date>` is written only if absent, under the job's lock.
"""

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from bot.counselors.agenda import AgendaView, counselor_zone
from bot.counselors.texts import CounselorTexts
from bot.delivery.outbound import queue
from bot.jobs.cron_lock import exclusive
from dialogs.model import Catalogue
from storage import repositories as repo
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Counselor, Outbox

LATEST = 4  # hours after agenda_hour: an agenda found unsent at noon is no longer sent


def queue_agendas(
    engine: Engine, catalogues: Mapping[str, Catalogue], now: datetime, default_zone: str,
    hour: int,
) -> int:
    """Queue the morning agendas due now, in the texts of `catalogues`; returns how many."""
    texts = CounselorTexts(catalogues)
    queued = 0
    with unit_of_work(engine) as db:
        exclusive(db, "agenda")
        reachable = or_(col(Counselor.telegram_chat_id).is_not(None),
                        col(Counselor.email).is_not(None))  # fmt: skip
        for counselor in db.exec(select(Counselor).where(reachable)).all():
            zone = counselor_zone(db, counselor, default_zone)
            local = now.astimezone(zone)
            if not hour <= local.hour < hour + LATEST:
                continue
            reference = f"agenda:{counselor.id}:{local.date().isoformat()}"
            if _exists(db, reference) or not _has_appointments(db, counselor, local, zone):
                continue
            channel, address = _address(counselor)
            identity = repo.find_or_create_identity(db, channel, address, now)
            view = AgendaView(texts, texts.lang_of(counselor), zone)
            message = view.message(db, counselor, "today", now, None, kind="notification")
            queue(db, identity, message, now, reference=reference, about=None)
            queued += 1
    return queued


def _address(counselor: Counselor) -> tuple[str, str]:
    """The linked chat; an e-mail gets the agenda's text (its buttons are Telegram's)."""
    if counselor.telegram_chat_id:
        return "telegram", counselor.telegram_chat_id
    assert counselor.email is not None  # selected for having one or the other
    return "email", counselor.email


def _exists(db: Session, reference: str) -> bool:
    return db.exec(select(Outbox.id).where(Outbox.reference == reference)).first() is not None


def _has_appointments(db: Session, counselor: Counselor, local: datetime, zone: ZoneInfo) -> bool:
    start = datetime.combine(local.date(), time(), zone)
    end = datetime.combine(local.date() + timedelta(days=1), time(), zone)
    count = db.exec(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.counselor_id == counselor.id,
            Appointment.status == "booked",
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
    ).one()
    return count > 0
