"""Delivery reports from a provider (Twilio's status callbacks), recorded on the outbox row they
concern.

Reports arrive out of order and more than once, so a status only moves forward:
queued < sending < sent < delivered < read (WhatsApp); undelivered and failed are final. A
report that the address has unsubscribed with the provider opts it out, and one that it cannot
be reached there (not a WhatsApp number) marks it unreachable, whatever the order. A WhatsApp
message Twilio accepted and then refused as outside the 24-hour window (63016) goes again
under the window rule (bot.contacts.whatsapp_window.closed_at_delivery).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.contacts.opt_out import opt_out
from bot.contacts.whatsapp_window import CHANNEL as WHATSAPP
from bot.contacts.whatsapp_window import closed_at_delivery
from storage.db import unit_of_work
from storage.models import Identity, Outbox

log = logging.getLogger(__name__)

RANK = {
    "accepted": 0,  # a Messaging Service took it and is choosing a sender
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,  # WhatsApp: the person opened it
}


@dataclass(frozen=True)
class DeliveryReport:
    """What the provider says of one message it was given (by its id at the provider)."""

    external_id: str
    status: str
    error_code: str | None = None
    unsubscribed: bool = False  # the address has opted out with the provider itself
    unreachable: bool = False  # the provider cannot reach the address (not on WhatsApp)
    outside_window: bool = False  # WhatsApp: accepted, then refused as outside the 24 hours


def moves_forward(current: str | None, reported: str) -> bool:
    return RANK[reported] > RANK.get(current or "", -1)


def record_report(engine: Engine, report: DeliveryReport, now: datetime) -> bool:
    """True when the outbox row changed."""
    if report.status not in RANK:
        log.info("status %r of %s ignored", report.status, report.external_id)
        return False
    with unit_of_work(engine) as db:
        row = db.exec(select(Outbox).where(Outbox.external_id == report.external_id)).first()
        if row is None:
            log.info("status for unknown message %s", report.external_id)
            return False
        if report.unsubscribed:
            identity = db.get(Identity, row.identity_id)
            if identity is not None and not identity.opted_out:
                opt_out(db, identity)
                log.info("identity %s opted out as the provider reported", identity.id)
        if report.unreachable:
            _mark_unreachable(db, row.identity_id)
        if not moves_forward(row.delivery_status, report.status):
            return False
        row.delivery_status = report.status
        row.error_code = report.error_code or None
        row.delivery_updated_at = now
        if report.outside_window and row.channel == WHATSAPP:
            closed_at_delivery(db, row, now)
        db.add(row)
    return True


def _mark_unreachable(db: Session, identity_id: int) -> None:
    identity = db.get(Identity, identity_id)
    if identity is not None and identity.reachable:
        identity.reachable = False
        db.add(identity)
        log.info("identity %s unreachable as the provider reported", identity.id)
