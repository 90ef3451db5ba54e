"""WhatsApp's 24-hour window: free-form messages only within 24 hours of the person's last
WhatsApp message (the inbound table knows when); outside it, only approved templates.

What a message outside the window becomes, in this order:

1. a reminder, follow-up, nudge or broadcast with a template for its kind and language goes as
   that template (`ContentSid` + `ContentVariables`: date, time and place of the meeting); the
   other messages written with it (a nudge repeats the question) are cancelled, said by it;
2. else it goes by another channel the person has (Telegram, SMS): a copy is queued there and
   this row is cancelled, saying where it went;
3. else it waits for the person's next WhatsApp message, which brings it forward at once
   (`reopen`); the row stays pending and says so.

Nothing is dropped silently: the row's `last_error` says which. Twilio's own 63016 (the window
closed by its clock) leads to the same steps, whether it refuses the send or reports it later
in a status callback: then the message is queued again as a new row marked to go outside the
window, and the first row says which row carries it.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import Engine, func, or_, update
from sqlmodel import Session, select

from bot.booking.labels import where
from bot.clock import Clock
from bot.delivery.outbound import Outbound, Recipient, letter_of, queue
from bot.delivery.refusals import Dropped, OutsideWindow, Pause
from storage.booking import Appointment
from storage.models import Identity, InboundSeen, Outbox, Site

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
WAIT_SECONDS = 6 * 3600.0  # a waiting message is looked at again; the person's message is sooner
WAITING = "outside the WhatsApp window: waits for the person's next message"
SENT_AS_TEMPLATE = "outside the WhatsApp window: sent as its template"
CLOSED_BY_TWILIO = "Twilio 63016: outside the WhatsApp window"
"""The mark of a message Twilio refused after accepting it: it goes outside the window."""
AGAIN = "twilio 63016 at delivery: again as outbox"
TEMPLATE_KINDS = ("reminder", "follow_up", "nudge", "broadcast")


class WhatsAppChannel(Protocol):
    """What the rule needs of the channel's sender (bot.channels.twilio.whatsapp_sender)."""

    def send(self, recipient: Recipient, outbound: Outbound) -> str: ...

    def send_template(
        self, recipient: Recipient, content_sid: str, variables: Mapping[str, str]
    ) -> str: ...


def template_kind(message: Outbound) -> str | None:
    """Which template may stand for a message: by the node that asks (a reminder, a follow-up),
    else by its kind (a nudge, a broadcast); None for replies and notices."""
    if message.node in ("reminder", "follow_up"):
        return message.node
    if message.kind in ("nudge", "broadcast"):
        return message.kind
    return None


def window_open(last_message_at: datetime | None, now: datetime) -> bool:
    return last_message_at is not None and now - last_message_at < WINDOW


def template_sid(
    templates: Mapping[str, Mapping[str, str]], message: Outbound, default_lang: str
) -> str | None:
    """The Content SID for the message's kind in its language (else the default language)."""
    kind = template_kind(message)
    by_lang = templates.get(kind or "", {})
    return by_lang.get(message.lang or default_lang) or by_lang.get(default_lang)


def last_message_at(db: Session, person_id: str | None) -> datetime | None:
    """When the person last wrote on WhatsApp."""
    if person_id is None:
        return None
    return db.exec(
        select(func.max(InboundSeen.received_at)).where(
            InboundSeen.channel == CHANNEL, InboundSeen.person_id == person_id
        )
    ).one()


def reopen(db: Session, identity: Identity, now: datetime) -> int:
    """The person wrote: what waited for the window is due now. Returns how many rows."""
    result = db.exec(
        update(Outbox)
        .where(Outbox.identity_id == identity.id, Outbox.status == "pending",
               Outbox.last_error == WAITING)
        .values(not_before=now)
    )  # fmt: skip
    return result.rowcount


def closed_at_delivery(db: Session, row: Outbox, now: datetime) -> Outbox | None:
    """Twilio accepted the message, then reported 63016: queue it again, marked to go outside
    the window (its template, another channel, or wait); the row says which row carries it.
    A second report of the same failure queues nothing more."""
    if row.status != "sent" or (row.last_error or "").startswith(AGAIN):
        return None
    identity = db.get(Identity, row.identity_id)
    if identity is None:
        return None
    again = queue(db, identity, letter_of(row), now, reference=row.reference)
    again.last_error = f"{CLOSED_BY_TWILIO} (outbox {row.id})"
    db.add(again)
    row.last_error = f"{AGAIN} {again.id}"
    log.info("outbox %s: Twilio reported 63016; again as outbox %s", row.id, again.id)
    return again


@dataclass
class WindowedSender:
    """The `Sender` of the WhatsApp channel: the channel's sender under the window rule."""

    engine: Engine
    channel: WhatsAppChannel
    clock: Clock
    templates: Mapping[str, Mapping[str, str]]
    default_lang: str
    other_channels: tuple[str, ...] = ()  # where a message may go instead, by preference

    def __call__(self, recipient: Recipient, outbound: Outbound) -> str:
        now = self.clock()
        with Session(self.engine) as db:
            last = last_message_at(db, recipient.person_id)
            closed = _closed_by_twilio(db, recipient.outbox_id)
        # A notice confirming an opt-out answers the person's own STOP: it is always in time.
        if (window_open(last, now) and not closed) or outbound.opt_out_notice:
            try:
                return self.channel.send(recipient, outbound)
            except OutsideWindow:
                log.info("outbox %s: Twilio says the window is closed", recipient.outbox_id)
        return self._outside(recipient, outbound, now)

    def _outside(self, recipient: Recipient, outbound: Outbound, now: datetime) -> str:
        sid = template_sid(self.templates, outbound, self.default_lang)
        with Session(self.engine) as db:
            if sid is not None:
                first = _first_of_its_turn(db, recipient.outbox_id)
                if first is not None and first != recipient.outbox_id:
                    raise Dropped(f"outside the WhatsApp window: said by the template of "
                                  f"outbox {first}")  # fmt: skip
                variables = _variables(db, outbound, self.default_lang)
            else:
                moved = self._move(db, recipient, outbound, now)
                if moved is not None:
                    raise Dropped(f"outside the WhatsApp window: sent by {moved}")
        if sid is None:
            raise Pause(WAITING, WAIT_SECONDS)
        try:
            sent = self.channel.send_template(recipient, sid, variables)
        except OutsideWindow:
            # A template is never refused for the window; Twilio saying so is ours to fix.
            raise Pause(WAITING, WAIT_SECONDS) from None
        _note(self.engine, recipient.outbox_id, f"{SENT_AS_TEMPLATE} {sid}")
        return sent

    def _move(
        self, db: Session, recipient: Recipient, outbound: Outbound, now: datetime
    ) -> str | None:
        """Queue the message on another channel of the person; "telegram (outbox 12)"."""
        if recipient.person_id is None or not self.other_channels:
            return None
        others = db.exec(
            select(Identity)
            .where(
                Identity.person_id == recipient.person_id,
                Identity.channel.in_(self.other_channels),  # type: ignore[attr-defined]
                Identity.reachable,
                ~Identity.opted_out,
            )
            .order_by(Identity.created_at.desc(), Identity.id.desc())
        ).all()
        if not others:
            return None
        other = min(others, key=lambda identity: self.other_channels.index(identity.channel))
        row = queue(db, other, outbound, now)
        db.commit()
        return f"{other.channel} (outbox {row.id})"


def _closed_by_twilio(db: Session, outbox_id: int | None) -> bool:
    row = db.get(Outbox, outbox_id) if outbox_id is not None else None
    return row is not None and (row.last_error or "").startswith(CLOSED_BY_TWILIO)


def _note(engine: Engine, outbox_id: int | None, said: str) -> None:
    """Say on the row how it went out; the dispatcher then ends it sent."""
    if outbox_id is None:
        return
    with Session(engine) as db:
        db.exec(update(Outbox).where(Outbox.id == outbox_id).values(last_error=said))
        db.commit()


def _first_of_its_turn(db: Session, outbox_id: int | None) -> int | None:
    """The first row written with this one (same identity, kind and time)."""
    row = db.get(Outbox, outbox_id) if outbox_id is not None else None
    if row is None:
        return None
    return db.exec(
        select(func.min(Outbox.id)).where(
            Outbox.identity_id == row.identity_id,
            Outbox.kind == row.kind,
            Outbox.created_at == row.created_at,
            # A row Twilio refused after sending said nothing: its copy speaks for itself.
            or_(Outbox.last_error.is_(None), ~Outbox.last_error.startswith(AGAIN)),  # type: ignore[union-attr]
        )
    ).one()


def _variables(db: Session, outbound: Outbound, default_lang: str) -> dict[str, str]:
    """A template's variables: {{1}} date, {{2}} time, {{3}} place of the meeting, in the
    site's zone and the person's language; none for a message about no meeting."""
    appointment = db.get(Appointment, outbound.appointment_id) if outbound.appointment_id else None
    if appointment is None:
        return {}
    site = db.get(Site, appointment.site_id)
    zone = site.timezone if site else "UTC"
    lang = outbound.lang or default_lang
    local = appointment.starts_at.astimezone(ZoneInfo(zone))
    place = where(site.name if site else "", appointment.mode, lang)
    return {
        "1": format_date(local, "EEEE d MMMM", locale=lang),
        "2": f"{local:%H:%M}",
        "3": place,
    }
