"""Sending due outbox rows through the channel senders and recording how each one ended."""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from bot.conversation import Clock, utc_now
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox

log = logging.getLogger(__name__)

Sender = Callable[[Identity, dict[str, Any]], str | None]
"""Delivers one payload to one identity; returns the provider's message id, if any."""


class PermanentFailure(Exception):
    """The channel refused the message for good; `marks` says what it means for the identity."""

    def __init__(self, reason: str, marks: str | None = None):
        super().__init__(reason)
        self.marks = marks  # "unreachable" (blocked the bot), "opted_out", or None


class RetryLater(Exception):
    """A temporary refusal (rate limit, outage): try again after `seconds`."""

    def __init__(self, reason: str, seconds: float):
        super().__init__(reason)
        self.seconds = seconds


class Dispatcher:
    def __init__(self, engine: Engine, senders: dict[str, Sender], clock: Clock = utc_now):
        self.engine = engine
        self.senders = senders
        self.clock = clock

    def dispatch_due(self, channel: str | None = None, identity_id: int | None = None) -> int:
        """Send what is due now; returns how many rows were sent."""
        sent = 0
        now = self.clock()
        with unit_of_work(self.engine) as db:
            for row in repo.due_messages(db, now, channel=channel, identity_id=identity_id):
                identity = db.get(Identity, row.identity_id)
                sent += self._deliver(db, row, identity, now)
        return sent

    def _deliver(self, db, row: Outbox, identity: Identity, now) -> int:
        if _silenced(identity, row):
            repo.mark_failed(db, row, "opted out" if identity.opted_out else "unreachable")
            return 0
        try:
            external_id = self.senders[row.channel](identity, row.payload)
        except RetryLater as pause:
            repo.retry_later(db, row, str(pause), now + timedelta(seconds=pause.seconds))
            return 0
        except PermanentFailure as refusal:
            log.warning("outbox %s failed for good: %s", row.id, refusal)
            repo.mark_failed(db, row, str(refusal))
            if refusal.marks == "unreachable":
                identity.reachable = False
            elif refusal.marks == "opted_out":
                identity.opted_out = True
            db.add(identity)
            return 0
        repo.mark_sent(db, row, now, external_id)
        return 1


def _silenced(identity: Identity, row: Outbox) -> bool:
    """Nothing goes to a blocked or opted-out address, but the one notice confirming the opt-out."""
    if row.payload.get("opt_out_notice"):
        return False
    return identity.opted_out or not identity.reachable
