"""The tables of people, their conversations and messages, and the network. The booking and
broadcast tables have modules of their own; storage.tables gathers them all.

Times are aware UTC datetimes; a naive datetime is refused when written."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime
from storage.crypto import EncryptedJSON, EncryptedText, dialect_cipher


def _time(nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _json_list() -> Any:
    return Field(default_factory=list, sa_type=sa.JSON, nullable=False)


def _encrypted() -> Any:
    return Field(default=None, sa_type=EncryptedText)


def _person_fk(nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return Field(
        default=None, foreign_key="person.id", ondelete=ondelete, nullable=nullable, index=True
    )


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    lang: str | None = None
    first_name: str | None = _encrypted()  # asked before the first booking, for the counselor
    source: str | None = None  # how they came: a deep-link payload, a campaign, a site code
    erased_at: datetime | None = _time(nullable=True)


class Identity(SQLModel, table=True):
    """A channel address of a person, encrypted; it is found by its keyed hash (`address_index`,
    Cipher.address_index of channel and address), which is set whenever the address is."""

    __tablename__ = "identity"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = _person_fk()
    channel: str  # console | telegram | sms
    address: str = Field(sa_type=EncryptedText, nullable=False)  # chat id, E.164 number...
    address_index: str = Field(default=None, unique=True, nullable=False)
    reachable: bool = True
    opted_out: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


@event.listens_for(Identity, "before_insert")
@event.listens_for(Identity, "before_update")
def _index_address(_mapper: Mapper[Identity], connection: Connection, identity: Identity) -> None:
    identity.address_index = dialect_cipher(connection.dialect).address_index(
        identity.channel, identity.address
    )


class Consent(SQLModel, table=True):
    """One decision of the person. A withdrawal is a new row with granted=False."""

    __tablename__ = "consent"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = _person_fk()
    scope: str  # general | special
    notice_version: str
    granted: bool
    recorded_at: datetime = _time()
    channel: str


class InboundSeen(SQLModel, table=True):
    """A received message, kept only to process it once; its text is never stored."""

    __tablename__ = "inbound"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    external_id: str
    person_id: str | None = _person_fk(nullable=True, ondelete="SET NULL")
    received_at: datetime = _time()


class Conversation(SQLModel, table=True):
    """The engine's session, encrypted; flow, node and status are copied out for queries."""

    __tablename__ = "conversation"

    person_id: str = Field(foreign_key="person.id", ondelete="CASCADE", primary_key=True)
    flow: str
    node: str | None = None
    status: str  # active | completed | stopped
    state: str = Field(sa_type=sa.Text, nullable=False)
    started_at: datetime = _time()
    updated_at: datetime = _time()


class Intake(SQLModel, table=True):
    __tablename__ = "intake"
    __table_args__ = (sa.CheckConstraint("isced BETWEEN 0 AND 8", name="isced_level"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = _person_fk()
    channel: str
    lang: str
    started_at: datetime = _time()
    completed_at: datetime | None = _time(nullable=True)
    municipality: str | None = _encrypted()  # as the person named it
    age_band: str | None = None
    unemployed_since: str | None = None  # band code
    benefits: str | None = None
    isced: int | None = None
    experience_text: str | None = _encrypted()
    occupations: list[dict[str, str]] = _json_list()  # [{uri, label}], ESCO
    skills: list[dict[str, str]] = _json_list()  # [{uri, label}], ESCO
    languages: list[dict[str, str]] = _json_list()  # [{code, level}], CEFR level
    digital_skills: str | None = None
    driving_licence: str | None = None
    mobility: str | None = None
    availability: list[str] = _json_list()
    caring_duties: str | None = None
    goal: str | None = None
    track: str | None = None
    track_reason: str | None = None
    consent_version: str
    special_consent: bool = False


class IntakeSpecial(SQLModel, table=True):
    """Special-category answers of an intake, kept apart and encrypted."""

    __tablename__ = "intake_special"

    intake_id: int = Field(foreign_key="intake.id", ondelete="CASCADE", primary_key=True)
    payload: str = Field(sa_type=sa.Text, nullable=False)


class HandOver(SQLModel, table=True):
    """A person's request to talk to a person: open (waiting, then taken by a counselor) until
    closed. Its thread is in storage.handovers; `due_at` is when it should be taken by, counted
    in the site's working hours, after which the coordinator is told (`escalated_at`)."""

    __tablename__ = "hand_over"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = _person_fk()
    requested_at: datetime = _time()
    node: str | None = None
    status: str = "open"  # open | closed
    lang: str | None = None
    channel: str | None = None  # where the person asked from
    site_id: int | None = Field(default=None, foreign_key="site.id", ondelete="SET NULL")
    due_at: datetime | None = _time(nullable=True)
    taken_by: int | None = Field(default=None, foreign_key="counselor.id", ondelete="SET NULL")
    taken_at: datetime | None = _time(nullable=True)
    escalated_at: datetime | None = _time(nullable=True)
    closed_at: datetime | None = _time(nullable=True)
    closed_by: str | None = None  # person | counselor


class Outbox(SQLModel, table=True):
    """A message to send. Ends sent, failed (with last_error) or cancelled."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "not_before", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str | None = _person_fk(nullable=True)
    identity_id: int = Field(foreign_key="identity.id", ondelete="CASCADE", index=True)
    channel: str
    kind: str  # reply | notification | reminder | nudge | broadcast
    # {"text", "choices", ...}; emptied some time after it is sent (bot.jobs.purge)
    payload: dict[str, Any] = Field(sa_type=EncryptedJSON, nullable=False)
    priority: int  # lower is sent first
    not_before: datetime = _time()
    status: str = "pending"  # pending | sent | failed | cancelled
    attempts: int = 0
    last_error: str | None = None  # our words and the provider's code, never its text
    created_at: datetime = _time()
    sent_at: datetime | None = _time(nullable=True)
    external_id: str | None = None  # the provider's message id
    delivery_status: str | None = None  # as the provider last reported: queued ... delivered
    error_code: str | None = None  # the provider's error code with a failed delivery
    delivery_updated_at: datetime | None = _time(nullable=True)
    reference: str | None = Field(default=None, index=True)  # e.g. "appointment:12"
    purged_at: datetime | None = _time(nullable=True)  # when its payload was emptied
    request_id: str | None = None  # of the request that wrote it, for the sender's logs


class OutboxMention(SQLModel, table=True):
    """A person an outbox row speaks of besides its addressee's person (a counselor's agenda
    lists several): erasing any of them deletes the row."""

    __tablename__ = "outbox_mention"

    outbox_id: int = Field(foreign_key="outbox.id", ondelete="CASCADE", primary_key=True)
    person_id: str = Field(foreign_key="person.id", ondelete="CASCADE", primary_key=True,
                           index=True)  # fmt: skip


class OptOut(SQLModel, table=True):
    """What stays of an erased person's opted-out address: its keyed hash
    (Cipher.address_index), and nothing else - no time, no person - so that the address stays
    opted out when it writes again, and nothing links it back to what was erased."""

    __tablename__ = "opt_out"

    address_index: str = Field(primary_key=True)


class Site(SQLModel, table=True):
    __tablename__ = "site"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    municipality: str
    address: str
    timezone: str
    phone: str | None = None
    opening_notes: str | None = None
    accessibility: str | None = None
    coordinator_email: str | None = None  # told of hand-overs nobody took in time
    # Where the site is (WGS 84 degrees): the nearest site is offered first, by distance.
    latitude: float | None = None
    longitude: float | None = None
    active: bool = True  # False: kept for the records, offered to nobody


class Counselor(SQLModel, table=True):
    __tablename__ = "counselor"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    languages: list[str] = _json_list()
    specialisms: list[str] = _json_list()
    site_codes: list[str] = _json_list()
    telegram_chat_id: str | None = Field(default=None, unique=True)  # set once linked
    email: str | None = None  # where booking notifications go while no chat is linked
    active: bool = True  # False: kept for the records, offered to nobody


class Service(SQLModel, table=True):
    __tablename__ = "service"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    kind: str
    duration_minutes: int
    modes: list[str] = _json_list()
    specialisms: list[str] = _json_list()
    names: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    group_seats: int | None = None  # a group session's places; None: one-to-one
    active: bool = True  # False: kept for the records, offered to nobody


class LinkCode(SQLModel, table=True):
    """A one-time code that links a chat to a counselor, or a second channel to a person.

    Only a hash of the code is stored: the code itself is shown once and never kept.
    """

    __tablename__ = "link_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True)
    purpose: str  # counselor | identity
    counselor_id: int | None = Field(
        default=None, foreign_key="counselor.id", ondelete="CASCADE", nullable=True
    )
    person_id: str | None = _person_fk(nullable=True)
    channel: str | None = None  # for identity links: the channel and address to be confirmed
    address: str | None = _encrypted()
    created_at: datetime = _time()
    expires_at: datetime = _time()
    used_at: datetime | None = _time(nullable=True)
