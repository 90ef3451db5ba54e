"""Retention: a person silent for `months` is erased, after a last message telling them so
`notice` before; writing anything in between keeps their data.

Silence is counted from the person's last own message (timers do not count), the end of their
last meeting, or their first contact. The warning is recorded as an inbound `retention:...` on
the timer channel, keyed by the day of that last sign of life: it is sent once, and sent again
only after a newer one. The job runs daily, once across workers (its lock), one short
transaction per person, under the person's lock, so a message arriving meanwhile wins.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.booking.answers import release_before_erasure
from bot.conversation.service import ConversationService
from bot.delivery.outbound import TIMER
from bot.jobs.cron_lock import exclusive
from dialogs.model import ErasureDue
from storage import repositories as repo
from storage.booking import Appointment
from storage.db import lock_person, scrub, unit_of_work
from storage.models import Counselor, Identity, InboundSeen, Person

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Retention:
    months: int = 24
    notice_days: int = 30

    @property
    def kept(self) -> timedelta:
        return timedelta(days=self.months * DAYS_PER_MONTH)


@dataclass(frozen=True)
class Done:
    warned: int
    erased: int


def apply_retention(service: ConversationService, retention: Retention, now: datetime) -> Done:
    """Warn those whose time is near, erase those warned long enough ago; returns how many."""
    warned = erased = 0
    notice = timedelta(days=retention.notice_days)
    with unit_of_work(service.engine) as db:
        exclusive(db, "retention")
        due = list(_silent_since(db, now - retention.kept + notice))
    for person_id in due:
        with unit_of_work(service.engine) as db:
            exclusive(db, "retention")
            lock_person(db, person_id)
            last = _last_sign_of_life(db, person_id)
            if last is None or last > now - retention.kept + notice:
                continue  # they wrote meanwhile, or were erased
            key = f"retention:{person_id}:{last.date().isoformat()}"
            if repo.record_inbound(db, TIMER, key, person_id, now):
                service.tell_in(db, person_id, ErasureDue(retention.notice_days), now,
                                "notification")  # fmt: skip
                warned += 1
            elif last <= now - retention.kept and _warned_at(db, key) <= now - notice:
                release_before_erasure(db, person_id, now)
                repo.erase_person(db, person_id, now)
                erased += 1
    if erased:
        scrub(service.engine, repo.ERASED_TABLES)
    return Done(warned, erased)


def _silent_since(db: Session, since: datetime) -> Iterator[str]:
    """People not erased whose last sign of life is before `since` (only those who came
    before it can be); not counselors, whose chat or mailbox is a person of the outbox too."""
    people = db.exec(select(Person.id).where(
        col(Person.erased_at).is_(None), Person.created_at <= since)).all()  # fmt: skip
    staff = _staff_addresses(db)
    for person_id in people:
        last = _last_sign_of_life(db, person_id)
        if last is None or last > since:
            continue
        addresses = db.exec(select(Identity).where(Identity.person_id == person_id)).all()
        if not any((i.channel, i.address) in staff for i in addresses):
            yield person_id


def _staff_addresses(db: Session) -> set[tuple[str, str]]:
    counselors = db.exec(select(Counselor)).all()
    return {*(("telegram", c.telegram_chat_id) for c in counselors if c.telegram_chat_id),
            *(("email", c.email) for c in counselors if c.email)}  # fmt: skip


def _last_sign_of_life(db: Session, person_id: str) -> datetime | None:
    person = db.get(Person, person_id)
    if person is None or person.erased_at is not None:
        return None
    heard = db.exec(select(InboundSeen.received_at)
                    .where(InboundSeen.person_id == person_id, InboundSeen.channel != TIMER)
                    .order_by(col(InboundSeen.received_at).desc())).first()  # fmt: skip
    met = db.exec(select(Appointment.ends_at).where(Appointment.person_id == person_id)
                  .order_by(col(Appointment.ends_at).desc())).first()  # fmt: skip
    return max(moment for moment in (person.created_at, heard, met) if moment is not None)


def _warned_at(db: Session, key: str) -> datetime:
    return db.exec(select(InboundSeen.received_at).where(
        InboundSeen.channel == TIMER, InboundSeen.external_id == key)).one()  # fmt: skip
