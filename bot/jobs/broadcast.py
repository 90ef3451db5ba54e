"""Announcements to the people concerned: a segment of intakes, one text per language.

The segment is a combination of intake fields, matched against each person's latest intake
(`municipality=Porto,lang=pt,track=training`; `track=training|work` for either value), as
people wrote them: "porto", "PÓRTO " and "Porto" are one municipality (case, accents and spaces
folded, in Python: no database folds accents the same way). People
who opted out or blocked the bot on every channel, and erased people, are left out. Each person
gets one row on the identity they added last, in their language (the person's, else their
intake's, else the first language of the message file); the rows are written at once, with the
broadcast's not-before time, and the worker sends them at the channels' pace, in the morning if
they fall due in the person's quiet hours.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.delivery.outbound import Outbound, queue_many
from nlp.text import folded
from storage.broadcasts import Broadcast, broadcast_reference
from storage.models import Identity, Intake, Outbox, Person

SEGMENT_FIELDS = (
    "municipality", "lang", "channel", "age_band", "unemployed_since", "benefits", "isced",
    "digital_skills", "driving_licence", "mobility", "caring_duties", "goal", "track",
)  # fmt: skip
"""Intake fields a segment can name: the coded ones, never free text or special categories."""
CHANNELS = ("telegram", "sms")  # the console is a person at this terminal, not an audience


class BadSegment(ValueError):
    pass


@dataclass(frozen=True)
class Recipient:
    person_id: str
    identity_id: int
    channel: str
    lang: str


def parse_segment(text: str) -> dict[str, list[str]]:
    """'municipality=Porto,track=training|work' -> {'municipality': ['Porto'], 'track': [...]}."""
    segment: dict[str, list[str]] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, sep, values = part.partition("=")
        name = name.strip()
        if not sep or name not in SEGMENT_FIELDS:
            raise BadSegment(f"{part!r}: use FIELD=VALUE with one of {', '.join(SEGMENT_FIELDS)}")
        segment.setdefault(name, []).extend(v.strip() for v in values.split("|") if v.strip())
    return segment


def audience(db: Session, segment: dict[str, list[str]], texts: dict[str, str]) -> list[Recipient]:
    """Who would receive a broadcast to the segment now."""
    latest = select(func.max(Intake.id)).group_by(Intake.person_id)
    query = (
        select(Intake, Person.lang)
        .join(Person, Person.id == Intake.person_id)
        .where(col(Intake.id).in_(latest), col(Person.erased_at).is_(None))
    )
    wanted = {name: {folded(value) for value in values} for name, values in segment.items()}
    people = {
        intake.person_id: person_lang or intake.lang
        for intake, person_lang in db.exec(query).all()
        if all(folded(str(getattr(intake, name))) in values for name, values in wanted.items())
    }
    reachable = _reachable_identities(db, list(people))
    fallback = next(iter(texts))
    return [
        Recipient(person_id, identity.id, identity.channel,
                  people[person_id] if people[person_id] in texts else fallback)
        for person_id, identity in reachable.items()
    ]  # fmt: skip


def queue_broadcast(
    db: Session,
    segment: dict[str, list[str]],
    texts: dict[str, str],
    now: datetime,
    at: datetime | None = None,
) -> Broadcast:
    """Write the broadcast and one outbox row per recipient, due at `at` (default now)."""
    recipients = audience(db, segment, texts)
    broadcast = Broadcast(created_at=now, not_before=at or now, segment=segment, texts=texts,
                          recipients=len(recipients))  # fmt: skip
    db.add(broadcast)
    db.flush()
    assert broadcast.id is not None
    reference = broadcast_reference(broadcast.id)
    messages = {lang: Outbound(text, "broadcast", lang=lang, broadcast_id=broadcast.id)
                for lang, text in texts.items()}  # fmt: skip
    addressed = [(r.identity_id, r.person_id, r.channel, messages[r.lang]) for r in recipients]
    queue_many(db, addressed, now, broadcast.not_before, reference)
    return broadcast


def languages(recipients: list[Recipient]) -> Counter[str]:
    return Counter(recipient.lang for recipient in recipients)


def progress(db: Session, broadcast_id: int) -> dict[str, int]:
    """How many of the broadcast's rows are pending, sent, failed, cancelled."""
    counts = dict.fromkeys(("pending", "sent", "failed", "cancelled"), 0)
    rows = db.exec(
        select(Outbox.status, func.count())
        .where(Outbox.reference == broadcast_reference(broadcast_id))
        .group_by(Outbox.status)
    ).all()
    counts.update(dict(rows))
    return counts


def _reachable_identities(db: Session, person_ids: list[str]) -> dict[str, Identity]:
    """The identity each person added last among those that can be written to."""
    chosen: dict[str, Identity] = {}
    chunk = 500  # keeps the IN list within every database's limits
    for start in range(0, len(person_ids), chunk):
        identities = db.exec(
            select(Identity)
            .where(
                col(Identity.person_id).in_(person_ids[start : start + chunk]),
                col(Identity.channel).in_(CHANNELS),
                Identity.reachable,
                ~col(Identity.opted_out),
            )
            .order_by(Identity.created_at, Identity.id)
        ).all()
        for identity in identities:
            chosen[identity.person_id] = identity  # the latest wins
    return chosen



