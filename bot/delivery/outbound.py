"""What goes into the outbox, as typed values, and the one way a row is written.

An `Outbound` is a message for one identity: text, choices, the short SMS variant, a calendar
invite for a counselor... A `Trigger` is timed work for the person's conversation (a reminder,
a nudge, a follow-up), on the TIMER channel that no person reads (bot.jobs.triggers runs it).
`queue` writes either in the caller's transaction and remembers the row's id in the database
session, so the unit of work that caused it can hurry exactly its own rows after the commit
(`written`); the dispatcher reads a row back with `letter_of`.

The row's JSON keeps the keys the export and the tests read ("text", "choices", "node", ...).
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from types import EllipsisType
from typing import Any, Literal

from sqlmodel import Session

from bot.logs import request_id
from storage import outbox
from storage.models import Identity, Outbox

Kind = Literal["reply", "notification", "reminder", "nudge", "broadcast"]
PRIORITY: dict[str, int] = {
    "reply": 0, "notification": 10, "reminder": 20, "nudge": 30, "broadcast": 50,
}  # fmt: skip
"""Lower goes first: a person in conversation before reminders, reminders before bulk."""

TIMER = "timer"
"""The channel of trigger rows: the worker's trigger runner reads it, no person does."""

_WRITTEN = "outbox_written"  # the key of the row ids in the database session's `info`


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class CalendarInvite:
    """A calendar invite sent with a counselor's notice: the .ics text and its method."""

    ics: str
    method: Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Document:
    """A file sent with the message (MY DATA's JSON copy): its name and its text."""

    name: str
    content: str


@dataclass(frozen=True)
class Outbound:
    text: str
    kind: Kind = "reply"
    lang: str | None = None
    node: str | None = None  # the flow node that asked: choices are answered to it
    choices: tuple[Choice, ...] = ()
    multiple: bool = False  # several choices may be picked
    sms_text: str | None = None  # a shorter variant for SMS
    expires_at: datetime | None = None  # not worth sending from then on (a reminder)
    invite: CalendarInvite | None = None
    document: Document | None = None  # only channels that carry files get one (FILE_CHANNELS)
    opt_out_notice: bool = False  # confirms an opt-out: sent even to an opted-out number
    appointment_id: int | None = None  # what a counselor's notice is about
    notification: str | None = None  # booked, moved, cancelled
    broadcast_id: int | None = None
    subject: str | None = None  # an e-mail's subject (else its first line)
    mentions: tuple[str, ...] = ()  # people the text speaks of (an agenda): erased, it goes


@dataclass(frozen=True)
class Trigger:
    """Timed work for the person's conversation; `once` keys it, so it runs once."""

    trigger: Literal["reminder", "follow_up", "nudge"]
    kind: Kind
    once: str
    appointment_id: int | None = None
    superseded_at: datetime | None = None  # a reminder is dropped once a later one is due
    number: int | None = None  # which nudge


Letter = Outbound | Trigger


@dataclass(frozen=True)
class Recipient:
    """Whom a sender writes to: the address on its channel, and the person behind it."""

    channel: str
    address: str
    person_id: str | None = field(default=None)
    outbox_id: int | None = None  # the row sent: a retry is recognisable by it (e-mail)


def queue(
    db: Session,
    identity: Identity,
    letter: Letter,
    now: datetime,
    not_before: datetime | None = None,
    reference: str | None = None,
    about: str | EllipsisType | None = ...,
) -> Outbox:
    """Write the row in the caller's transaction. The row carries the person it concerns:
    the identity's (by default), the person booked (a counselor's notice), or none (a
    counselor's agenda, which lists the people it speaks of in its `mentions`) - erasing a
    person removes the messages to them, about them and mentioning them."""
    assert identity.id is not None
    person_id = identity.person_id if about is ... else about
    new = _new_row(identity.id, person_id, identity.channel, letter, now, not_before, reference)
    mentions = letter.mentions if isinstance(letter, Outbound) else ()
    row = outbox.add(db, new, now, mentions)
    assert row.id is not None
    db.info.setdefault(_WRITTEN, []).append(row.id)
    return row


def queue_many(
    db: Session,
    addressed: Iterable[tuple[int, str, str, Outbound]],
    now: datetime,
    not_before: datetime | None = None,
    reference: str | None = None,
) -> None:
    """Many messages in one statement (identity id, person id, channel, message): a broadcast,
    which is never hurried, so its ids are not kept."""
    rows = [_new_row(identity_id, person_id, channel, letter, now, not_before, reference)
            for identity_id, person_id, channel, letter in addressed]  # fmt: skip
    outbox.add_many(db, rows, now)


def written(db: Session) -> tuple[int, ...]:
    """The ids of the rows queued so far in this database session."""
    return tuple(db.info.get(_WRITTEN, ()))


def letter_of(row: Outbox) -> Letter:
    payload = row.payload
    if row.channel == TIMER:
        superseded = payload.get("superseded_at")
        return Trigger(
            trigger=payload["trigger"],
            kind=row.kind,  # type: ignore[arg-type]
            once=payload.get("once") or "",
            appointment_id=payload.get("appointment_id"),
            superseded_at=datetime.fromisoformat(superseded) if superseded else None,
            number=payload.get("number"),
        )
    expires, ics, document = payload.get("expires_at"), payload.get("ics"), payload.get("document")
    return Outbound(
        text=payload["text"],
        kind=row.kind,  # type: ignore[arg-type]
        lang=payload.get("lang"),
        node=payload.get("node"),
        choices=tuple(Choice(c["id"], c["label"]) for c in payload.get("choices") or ()),
        multiple=bool(payload.get("multiple")),
        sms_text=payload.get("sms_text"),
        expires_at=datetime.fromisoformat(expires) if expires else None,
        invite=CalendarInvite(ics, payload.get("ics_method", "REQUEST")) if ics else None,
        document=Document(document["name"], document["content"]) if document else None,
        opt_out_notice=bool(payload.get("opt_out_notice")),
        appointment_id=payload.get("appointment_id"),
        notification=payload.get("notification"),
        broadcast_id=payload.get("broadcast_id"),
        subject=payload.get("subject"),
    )


def _new_row(
    identity_id: int,
    person_id: str | None,
    channel: str,
    letter: Letter,
    now: datetime,
    not_before: datetime | None,
    reference: str | None,
) -> outbox.NewRow:
    return outbox.NewRow(
        identity_id=identity_id,
        person_id=person_id,
        channel=TIMER if isinstance(letter, Trigger) else channel,
        kind=letter.kind,
        priority=PRIORITY[letter.kind],
        payload=_payload(letter),
        not_before=not_before or now,
        reference=reference,
        request_id=request_id(),
    )


def _payload(letter: Letter) -> dict[str, Any]:
    if isinstance(letter, Trigger):
        return _present({
            "trigger": letter.trigger, "once": letter.once, "number": letter.number,
            "appointment_id": letter.appointment_id,
            "superseded_at": letter.superseded_at and letter.superseded_at.isoformat(),
        })  # fmt: skip
    payload: dict[str, Any] = {
        "text": letter.text,
        "lang": letter.lang,
        "node": letter.node,
        "choices": [{"id": c.id, "label": c.label} for c in letter.choices],
        "multiple": letter.multiple,
        "sms_text": letter.sms_text,
    }
    extra = {
        "expires_at": letter.expires_at and letter.expires_at.isoformat(),
        "ics": letter.invite and letter.invite.ics,
        "ics_method": letter.invite and letter.invite.method,
        "document": letter.document and asdict(letter.document),
        "opt_out_notice": letter.opt_out_notice or None,
        "appointment_id": letter.appointment_id,
        "notification": letter.notification,
        "broadcast_id": letter.broadcast_id,
        "subject": letter.subject,
    }
    return payload | _present(extra)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
