"""Sending due outbox rows through the channel senders and recording how each one ended."""

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from bot.conversation import Clock, utc_now
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity

log = logging.getLogger(__name__)

Sender = Callable[[Identity, dict[str, Any]], str | None]
"""Delivers one payload to one identity; returns the provider's message id, if any."""


class PermanentFailure(Exception):
    """The channel refused the message for good (blocked, opted out, invalid address)."""


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
                try:
                    external_id = self.senders[row.channel](identity, row.payload)
                except PermanentFailure as refusal:
                    log.warning("outbox %s failed for good: %s", row.id, refusal)
                    repo.mark_failed(db, row, str(refusal))
                    continue
                repo.mark_sent(db, row, now, external_id)
                sent += 1
        return sent
