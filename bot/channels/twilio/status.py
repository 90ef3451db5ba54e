"""Delivery reports from Twilio's status callbacks, recorded on the outbox row they concern.

Callbacks arrive out of order and more than once, so a status only moves forward:
queued < sending < sent < delivered, and delivered, undelivered and failed are final.
"""

import logging
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.keywords import opt_out
from bot.channels.twilio.sender import UNSUBSCRIBED
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
}


def moves_forward(current: str | None, reported: str) -> bool:
    return RANK[reported] > RANK.get(current or "", -1)


def record_status(
    engine: Engine, message_sid: str, status: str, error_code: str | None, now: datetime
) -> bool:
    """Record what Twilio reports on one message; True when the row changed.

    Error 21610 means the number has opted out with Twilio itself: it is marked so whatever the
    order the reports come in.
    """
    if status not in RANK:
        log.info("status %r of %s ignored", status, message_sid)
        return False
    with unit_of_work(engine) as db:
        row = db.exec(select(Outbox).where(Outbox.external_id == message_sid)).first()
        if row is None:
            log.info("status for unknown message %s", message_sid)
            return False
        if error_code == str(UNSUBSCRIBED):
            identity = db.get(Identity, row.identity_id)
            if identity is not None and not identity.opted_out:
                opt_out(db, identity)
                log.info("identity %s opted out as Twilio reported 21610", identity.id)
        if not moves_forward(row.delivery_status, status):
            return False
        row.delivery_status = status
        row.error_code = error_code or None
        row.delivery_updated_at = now
        db.add(row)
    return True
