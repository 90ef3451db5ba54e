"""Plain functions over a Session; the caller owns the transaction (storage.db.unit_of_work)."""

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from storage.booking import Appointment
from storage.columns import as_utc
from storage.crypto import Cipher
from storage.db import cipher_of
from storage.desk import PathStage
from storage.models import (
    Consent,
    Conversation,
    Counselor,
    HandOver,
    Identity,
    InboundSeen,
    Intake,
    IntakeSpecial,
    LinkCode,
    OptOut,
    Outbox,
    OutboxMention,
    Person,
    Service,
    Site,
)


class ConsentRequired(Exception):
    """Personal data was about to be stored without the consent that allows it."""


def record_inbound(
    session: Session,
    channel: str,
    external_id: str,
    person_id: str | None,
    now: datetime,
) -> bool:
    """True the first time (channel, external_id) is seen, False for a retried delivery."""
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    insert = dialect_insert[session.get_bind().dialect.name]
    statement = (
        insert(InboundSeen)
        .values(
            channel=channel,
            external_id=external_id,
            person_id=person_id,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(InboundSeen.id)
    )
    return session.exec(statement).first() is not None


def last_inbound(
    session: Session, person_ids: Collection[str], channel: str | None = None
) -> dict[str, datetime]:
    """When each of these people last wrote (on `channel`, else on any), for those who did."""
    query = (
        select(InboundSeen.person_id, func.max(InboundSeen.received_at))
        .where(col(InboundSeen.person_id).in_(person_ids))
        .group_by(InboundSeen.person_id)
    )
    if channel is not None:
        query = query.where(InboundSeen.channel == channel)
    return {person_id: as_utc(moment) for person_id, moment in session.exec(query) if person_id}


def move_inbound(session: Session, from_person: str, to_person: str) -> None:
    """A linked channel's inbound records go with it to the person it now belongs to."""
    session.exec(
        update(InboundSeen).where(InboundSeen.person_id == from_person)
        .values(person_id=to_person)
    )  # fmt: skip


# -- people and identities ------------------------------------------------------------------


def find_identity(session: Session, channel: str, address: str) -> Identity | None:
    return session.exec(select(Identity).where(is_address(session, channel, address))).first()


def is_address(session: Session, channel: str, address: str) -> ColumnElement[bool]:
    """The condition that finds (channel, address): by its keyed hash, the address being
    encrypted (Identity)."""
    index = cipher_of(session.get_bind()).address_index(channel, address)
    return col(Identity.address_index) == index


def latest_identity(session: Session, person_id: str) -> Identity | None:
    """The identity the person added last, among those that can still be written to."""
    return session.exec(
        select(Identity)
        .where(Identity.person_id == person_id, Identity.reachable, ~Identity.opted_out)
        .order_by(Identity.created_at.desc(), Identity.id.desc())
    ).first()


def find_or_create_identity(
    session: Session, channel: str, address: str, now: datetime
) -> Identity:
    """The identity for (channel, address); a first contact creates a new person with it."""
    identity = find_identity(session, channel, address)
    if identity is not None:
        return identity
    person = Person(created_at=now)
    identity = Identity(person_id=person.id, channel=channel, address=address, created_at=now,
                        opted_out=_opted_out_before(session, channel, address))  # fmt: skip
    try:
        # The savepoint lets a concurrent first contact win without spoiling our transaction.
        with session.begin_nested():
            session.add(person)
            session.flush()  # no ORM relationship orders the two inserts
            session.add(identity)
            session.flush()
    except IntegrityError:
        winner = find_identity(session, channel, address)
        if winner is None:
            raise
        return winner
    return identity


def _opted_out_before(session: Session, channel: str, address: str) -> bool:
    """Whether an erased person had opted this address out (OptOut)."""
    index = cipher_of(session.get_bind()).address_index(channel, address)
    return session.get(OptOut, index) is not None


def person_zone(session: Session, person_id: str) -> str | None:
    """The person's time zone: that of the site of their latest appointment, else of the site
    in the municipality of their latest intake; None when neither is known."""
    site_zone = session.exec(
        select(Site.timezone)
        .join(Appointment, Appointment.site_id == Site.id)
        .where(Appointment.person_id == person_id)
        .order_by(Appointment.id.desc())
    ).first()
    if site_zone is None:
        # The municipality is encrypted: it is read, then looked for among the sites.
        municipality = session.exec(
            select(Intake.municipality).where(Intake.person_id == person_id)
            .order_by(col(Intake.id).desc())
        ).first()  # fmt: skip
        site_zone = session.exec(
            select(Site.timezone).where(Site.municipality == municipality)
        ).first()
    return site_zone


# -- conversation ---------------------------------------------------------------------------


def load_conversation(session: Session, person_id: str, cipher: Cipher) -> dict[str, Any] | None:
    """The engine's session as saved last, or None before the first one."""
    conversation = session.get(Conversation, person_id)
    return None if conversation is None else cipher.decrypt_json(conversation.state)


def save_conversation(
    session: Session,
    person_id: str,
    flow: str,
    node: str | None,
    status: str,
    state: dict[str, Any],
    cipher: Cipher,
    now: datetime,
) -> Conversation:
    """Call under lock_person: one conversation per person, so read-then-write is safe there."""
    conversation = session.get(Conversation, person_id)
    if conversation is None:
        conversation = Conversation(person_id=person_id, started_at=now)
    conversation.flow = flow
    conversation.node = node
    conversation.status = status
    conversation.state = cipher.encrypt_json(state)
    conversation.updated_at = now
    session.add(conversation)
    return conversation


# -- consent --------------------------------------------------------------------------------


def record_consent(
    session: Session,
    person_id: str,
    scope: str,
    granted: bool,
    notice_version: str,
    channel: str,
    now: datetime,
) -> Consent:
    consent = Consent(
        person_id=person_id,
        scope=scope,
        granted=granted,
        notice_version=notice_version,
        channel=channel,
        recorded_at=now,
    )
    session.add(consent)
    session.flush()
    return consent


def latest_consent(session: Session, person_id: str, scope: str) -> Consent | None:
    return session.exec(
        select(Consent)
        .where(Consent.person_id == person_id, Consent.scope == scope)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()


def has_consent(session: Session, person_id: str, scope: str) -> bool:
    """The latest decision for the scope wins; no decision means no consent."""
    latest = latest_consent(session, person_id, scope)
    return latest is not None and latest.granted


# -- intake -------------------------------------------------------------------------------


def save_intake(
    session: Session, intake: Intake, special: dict[str, Any] | None, cipher: Cipher
) -> Intake:
    """Store the intake and, apart and encrypted, its special-category answers.

    Refuses (ConsentRequired) without a general consent, or special answers without a special
    consent; `special_consent` is taken from the consent record, not from the caller.
    """
    if not has_consent(session, intake.person_id, "general"):
        raise ConsentRequired("general")
    intake.special_consent = has_consent(session, intake.person_id, "special")
    if special and not intake.special_consent:
        raise ConsentRequired("special")
    session.add(intake)
    session.flush()
    if special:
        assert intake.id is not None  # assigned by the flush
        session.merge(IntakeSpecial(intake_id=intake.id, payload=cipher.encrypt_json(special)))
    return intake




# -- erasure and export ---------------------------------------------------------------------


ERASED_TABLES = (
    "outbox", "outbox_mention", "appointment", "intake_special", "intake", "hand_over",
    "hand_over_message", "path_stage", "conversation", "identity", "link_code", "person",
    "consent", "inbound",
)  # fmt: skip
"""The tables an erasure deletes from or rewrites: storage.db.scrub clears their leftovers."""


def erase_person(
    session: Session, person_id: str, now: datetime, speaking: Identity | None = None
) -> Person | None:
    """Delete everything about the person except the record of their consent decisions.

    Conversation, intakes with their special answers, appointments (release their seats first:
    bot.booking.answers.release_before_erasure), hand-overs with their threads, the stages of
    their path, link codes and every outbox row addressed to them, about them or mentioning
    them (OutboxMention) are deleted; inbound rows lose their link to the person. The desk's
    audit log keeps the bare person id of past views: who looked at a record stays provable.
    The consent rows stay, with the person row they point to (stripped to id and dates,
    `erased_at` set): they hold no answer, only what was agreed to, under which notice and on
    which day, which the organisation must be able to show later. A general consent still
    granted is closed with a withdrawal row; the special-category decisions go with the
    answers, since even they tell that such questions were asked. The dates are kept to the
    day, so that they cannot be matched to the exact time the blank person below was made.

    The channel identities are deleted; an opted-out one leaves only its keyed hash (OptOut),
    so that the address stays opted out. `speaking`, the identity the erasure was asked from,
    moves to a new, blank person instead (returned), as if it had just written for the first
    time: the confirmation of the erasure must still reach it.
    """
    latest = latest_consent(session, person_id, "general")
    if latest is not None and latest.granted:
        record_consent(session, person_id, "general", False, latest.notice_version,
                       latest.channel, now)  # fmt: skip
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    blank = _blank_for(session, speaking, now)
    _forget_identities(session, person_id, speaking)
    intake_ids = select(Intake.id).where(Intake.person_id == person_id)
    mentioning = select(OutboxMention.outbox_id).where(OutboxMention.person_id == person_id)
    for statement in (
        delete(Outbox).where(col(Outbox.id).in_(mentioning)),
        delete(Outbox).where(Outbox.person_id == person_id),
        delete(Appointment).where(Appointment.person_id == person_id),
        delete(IntakeSpecial).where(col(IntakeSpecial.intake_id).in_(intake_ids)),
        delete(Intake).where(Intake.person_id == person_id),
        delete(HandOver).where(HandOver.person_id == person_id),  # the thread goes with it
        delete(PathStage).where(PathStage.person_id == person_id),
        delete(Conversation).where(Conversation.person_id == person_id),
        delete(LinkCode).where(LinkCode.person_id == person_id),
        # Even a decision about special categories tells that such questions were asked.
        delete(Consent).where(Consent.person_id == person_id, Consent.scope == "special"),
        update(InboundSeen).where(InboundSeen.person_id == person_id).values(person_id=None),
        update(Consent).where(Consent.person_id == person_id).values(recorded_at=day),
        update(Person).where(Person.id == person_id).values(
            lang=None, first_name=None, source=None, created_at=day, erased_at=day
        ),
    ):
        session.exec(statement)
    return blank


def _blank_for(session: Session, speaking: Identity | None, now: datetime) -> Person | None:
    if speaking is None:
        return None
    blank = Person(created_at=now)
    session.add(blank)
    session.flush()
    speaking.person_id = blank.id
    speaking.created_at = now
    session.add(speaking)
    session.flush()
    return blank


def _forget_identities(session: Session, person_id: str, speaking: Identity | None) -> None:
    identities = session.exec(select(Identity).where(Identity.person_id == person_id)).all()
    for identity in identities:
        if identity.opted_out:
            session.merge(OptOut(address_index=identity.address_index))
        if speaking is None or identity.id != speaking.id:
            session.delete(identity)
    session.flush()


def intakes_for_export(session: Session) -> list[dict[str, Any]]:
    """Every intake as JSON-ready values; special answers are never exported, only the flag."""
    intakes = session.exec(select(Intake).order_by(Intake.id)).all()
    columns = [column.name for column in Intake.__table__.columns]  # table order, stable for CSV
    return [{name: _exportable(getattr(intake, name)) for name in columns} for intake in intakes]


def _exportable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# -- network --------------------------------------------------------------------------------


def upsert_network(
    session: Session,
    sites: Iterable[Mapping[str, Any]],
    counselors: Iterable[Mapping[str, Any]],
    services: Iterable[Mapping[str, Any]],
) -> None:
    """Import sites, counselors and services by code: new codes are added, known ones updated
    with the fields given. Unknown fields are refused, so a typo cannot pass unnoticed."""
    for model, rows in ((Site, sites), (Counselor, counselors), (Service, services)):
        for values in rows:
            _upsert_by_code(session, model, values)
    session.flush()


def _upsert_by_code(session: Session, model: type[SQLModel], values: Mapping[str, Any]) -> None:
    unknown = set(values) - (set(model.model_fields) - {"id"})
    if unknown:
        raise ValueError(f"{model.__tablename__}: unknown fields {sorted(unknown)}")
    validated = model.model_validate(dict(values))
    code_column = model.code
    existing = session.exec(select(model).where(code_column == values["code"])).first()
    if existing is None:
        session.add(validated)
        return
    for field in values:
        setattr(existing, field, getattr(validated, field))
    session.add(existing)
