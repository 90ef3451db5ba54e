"""Announcements to the people concerned: a segment of people, one text per language.

The segment combines fields (`municipality=Porto,lang=pt,track=training`; `track=training|work`
for either value): the coded answers of each person's latest intake, the site of their first
meeting, their target groups (read from the plain answers, as the impact monitor does), the
stage a counselor recorded last, and how long ago they last wrote (`last_activity`). Values
match as people wrote them: "porto", "PÓRTO " and "Porto" are one municipality (case, accents
and spaces folded, in Python: no database folds accents the same way); the municipality is the
gazetteer's, which the intake keeps for a place it recognised.

People who opted out on every channel they have are left out and counted, as are those the
bot cannot reach (blocked, not on WhatsApp), and erased people. Each person gets one row on the
identity they added last, in their language (the person's, else their intake's); every
language of the audience needs a text, or nothing is sent. The rows are written at once, with
the broadcast's not-before time, and the worker sends them at the channels' pace, behind the
conversations' replies, in the morning if they fall due in the person's quiet hours.
"""

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.delivery.outbound import Outbound, queue_many
from bot.impact.figures import target_groups
from nlp.text import folded
from storage import impact, repositories
from storage.agenda import latest_stages
from storage.broadcasts import Broadcast, broadcast_reference
from storage.models import Identity, Intake, Outbox, Person
from storage.outbox import cancel_by_reference

INTAKE_FIELDS = (
    "municipality", "lang", "channel", "age_band", "unemployed_since", "benefits", "isced",
    "digital_skills", "driving_licence", "mobility", "caring_duties", "goal", "track",
)  # fmt: skip
"""Intake fields a segment can name: the coded ones, never free text or special categories."""
SEGMENT_FIELDS = (*INTAKE_FIELDS, "site", "target_group", "stage", "last_activity")
CHANNELS = ("telegram", "sms", "whatsapp")  # the console is a person at a terminal, not an audience
CHUNK = 500  # people per query: keeps IN lists within every database's limits
ACTIVITY = {"7d": (0, 7), "30d": (7, 30), "90d": (30, 90), "older": (90, None)}
"""`last_activity` values: last wrote within 7 days, 7 to 30 days ago, 30 to 90, longer ago."""


class BadSegment(ValueError):
    pass


class MissingTexts(ValueError):
    """People of these languages are in the audience and the broadcast has no text for them."""

    def __init__(self, languages: list[str]) -> None:
        super().__init__(f"no text for: {', '.join(languages)}")
        self.languages = languages


class NotCancellable(ValueError):
    """The broadcast has started (or was cancelled already)."""


@dataclass(frozen=True)
class Recipient:
    person_id: str
    identity_id: int
    channel: str
    lang: str


class Reachable(NamedTuple):
    """What the audience needs of an identity."""

    id: int
    person_id: str
    channel: str
    reachable: bool
    opted_out: bool


@dataclass(frozen=True)
class Reach:
    """Who a broadcast to the segment would reach now, and who of the segment it would not."""

    recipients: list[Recipient]
    opted_out: int  # people whose every channel opted out
    unreachable: int  # the others that no channel can reach (blocked, not on WhatsApp)


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


def reach(db: Session, segment: dict[str, list[str]], now: datetime) -> Reach:
    """Who would receive a broadcast to the segment now, and how many of it would not."""
    people = members(db, segment, now)
    identities = _broadcast_identities(db, list(people))
    recipients, opted_out, unreachable = [], 0, 0
    for person_id, lang in people.items():
        theirs = identities.get(person_id, [])
        usable = [i for i in theirs if i.reachable and not i.opted_out]
        if usable:
            chosen = usable[-1]  # the identity they added last
            recipients.append(Recipient(person_id, chosen.id, chosen.channel, lang))
        elif theirs and all(i.opted_out for i in theirs):
            opted_out += 1
        elif theirs:
            unreachable += 1
    return Reach(recipients, opted_out, unreachable)


def members(db: Session, segment: dict[str, list[str]], now: datetime) -> dict[str, str]:
    """The people of the segment (erased people never), each with their language."""
    wanted = {name: {folded(value) for value in values} for name, values in segment.items()}
    asked = [name for name in wanted if name in INTAKE_FIELDS]
    latest = select(func.max(Intake.id)).group_by(Intake.person_id)
    query = (
        select(Intake.person_id, Person.lang, Intake.lang, *(getattr(Intake, n) for n in asked))
        .join(Person, Person.id == Intake.person_id)
        .where(col(Intake.id).in_(latest), col(Person.erased_at).is_(None))
    )  # columns, not rows as objects: ten times faster for thousands of people
    people = {
        person_id: person_lang or intake_lang
        for person_id, person_lang, intake_lang, *values in db.exec(query).all()
        if all(folded(str(v)) in wanted[n] for n, v in zip(asked, values, strict=True))
    }
    for name, values in wanted.items():
        if name not in INTAKE_FIELDS and people:
            ids = list(people)
            values_of: dict[str, Collection[str]] = {}
            for start in range(0, len(ids), CHUNK):
                values_of.update(_READERS[name](db, ids[start : start + CHUNK], now))
            people = {p: lang for p, lang in people.items()
                      if any(folded(v) in values for v in values_of.get(p, ()))}  # fmt: skip
    return people


def missing_languages(recipients: list[Recipient], texts: dict[str, str]) -> list[str]:
    """The languages of the audience that have no text."""
    return sorted({r.lang for r in recipients} - {lang for lang, text in texts.items() if text})


def queue_broadcast(
    db: Session,
    segment: dict[str, list[str]],
    texts: dict[str, str],
    now: datetime,
    at: datetime | None = None,
    created_by: int | None = None,
) -> Broadcast:
    """Write the broadcast and one outbox row per recipient, due at `at` (default now).
    MissingTexts when a language of the audience has no text: then nothing is written."""
    recipients = reach(db, segment, now).recipients
    missing = missing_languages(recipients, texts)
    if missing:
        raise MissingTexts(missing)
    broadcast = Broadcast(created_at=now, not_before=at or now, segment=segment, texts=texts,
                          recipients=len(recipients), created_by=created_by)  # fmt: skip
    db.add(broadcast)
    db.flush()
    assert broadcast.id is not None
    reference = broadcast_reference(broadcast.id)
    messages = {lang: Outbound(text, "broadcast", lang=lang, broadcast_id=broadcast.id)
                for lang, text in texts.items()}  # fmt: skip
    addressed = [(r.identity_id, r.person_id, r.channel, messages[r.lang]) for r in recipients]
    queue_many(db, addressed, now, broadcast.not_before, reference)
    return broadcast


def cancel_broadcast(db: Session, broadcast_id: int, now: datetime, by: int | None) -> int:
    """Cancel a scheduled broadcast before it starts; how many messages were cancelled."""
    broadcast = db.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.cancelled_at is not None or broadcast.not_before <= now:
        raise NotCancellable(broadcast_id)
    broadcast.cancelled_at, broadcast.cancelled_by = now, by
    db.add(broadcast)
    return cancel_by_reference(db, broadcast_reference(broadcast_id))


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


DELIVERY = ("pending", "sent", "delivered", "read", "failed", "opted_out", "cancelled")


def delivery(db: Session, broadcast_id: int) -> dict[str, dict[str, int]]:
    """Per channel, how many of the broadcast's messages wait, went, were delivered and read
    (as the provider reported: Telegram reports neither), failed, or reached people who have
    opted out since (counted there, not as sent or failed)."""
    rows = db.exec(
        select(Outbox.channel, Outbox.status, Outbox.delivery_status, Identity.opted_out,
               func.count())
        .join(Identity, Identity.id == Outbox.identity_id)
        .where(Outbox.reference == broadcast_reference(broadcast_id))
        .group_by(Outbox.channel, Outbox.status, Outbox.delivery_status, Identity.opted_out)
    ).all()  # fmt: skip
    counts: dict[str, dict[str, int]] = {}
    for channel, status, reported, opted_out, n in rows:
        tally = counts.setdefault(channel, dict.fromkeys(DELIVERY, 0))
        for column in _columns(status, reported, opted_out):
            tally[column] += n
    return counts


def _columns(status: str, reported: str | None, opted_out: bool) -> tuple[str, ...]:
    if opted_out and status != "cancelled":
        return ("opted_out",)
    if status != "sent":
        return (status,)
    if reported in ("failed", "undelivered"):
        return ("failed",)
    return {"delivered": ("sent", "delivered"), "read": ("sent", "delivered", "read")}.get(
        reported or "", ("sent",)
    )


# -- what a person is besides their intake ---------------------------------------------------

Reader = Callable[[Session, list[str], datetime], dict[str, Collection[str]]]


def _sites(db: Session, people: list[str], now: datetime) -> dict[str, Collection[str]]:
    found = impact.profiles(db, people)
    return {p: (profile.site,) for p, profile in found.items() if profile.site}


def _target_groups(db: Session, people: list[str], now: datetime) -> dict[str, Collection[str]]:
    return {p: target_groups(profile) for p, profile in impact.profiles(db, people).items()}


def _stages(db: Session, people: list[str], now: datetime) -> dict[str, Collection[str]]:
    return {p: (stage,) for p, stage in latest_stages(db, people).items()}


def _activity(db: Session, people: list[str], now: datetime) -> dict[str, Collection[str]]:
    return {p: (activity_band(now - last),)
            for p, last in repositories.last_inbound(db, people).items()}  # fmt: skip


def activity_band(since: timedelta) -> str:
    days = since / timedelta(days=1)
    return next(band for band, (low, high) in ACTIVITY.items()
                if low <= days and (high is None or days < high))  # fmt: skip


_READERS: dict[str, Reader] = {
    "site": _sites, "target_group": _target_groups, "stage": _stages, "last_activity": _activity,
}  # fmt: skip


def _broadcast_identities(db: Session, person_ids: list[str]) -> dict[str, list[Reachable]]:
    """Each person's identities on the broadcast channels, oldest first."""
    found: dict[str, list[Reachable]] = {}
    for start in range(0, len(person_ids), CHUNK):
        identities = db.exec(
            select(Identity.id, Identity.person_id, Identity.channel, Identity.reachable,
                   Identity.opted_out)
            .where(
                col(Identity.person_id).in_(person_ids[start : start + CHUNK]),
                col(Identity.channel).in_(CHANNELS),
            )
            .order_by(Identity.created_at, Identity.id)
        ).all()  # fmt: skip
        for identity in identities:
            found.setdefault(identity.person_id, []).append(Reachable(*identity))
    return found
