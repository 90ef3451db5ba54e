"""Sending due outbox rows through the channel senders and recording how each one ended.

Every row ends sent, failed (with the reason) or cancelled (with the reason); until then it is
pending, for a while under a worker's lease (bot.delivery.outbox). Rows are claimed in one short
transaction and ended one by one after their send: nothing holds the database during a send.

What a sender raises decides the rest:
- RetryLater: a temporary refusal. Pacing (a rate limit of ours, a 429 with its retry_after,
  quiet hours) hands the row back for exactly that long and is not an attempt; any other
  refusal (an outage) counts as one and waits with exponential backoff and jitter, and after
  `max_attempts` the row fails.
- PermanentFailure: failed at once, and the identity marked when the channel says so.
- Dropped: the row has no point any more (a reminder after its meeting began): cancelled.
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import Engine

from bot.clock import Clock
from bot.delivery import outbox
from bot.delivery.ratelimit import TokenBucket
from storage.models import Identity, Outbox

log = logging.getLogger(__name__)

Sender = Callable[[Identity, dict[str, Any]], str | None]
"""Delivers one payload to one identity; returns the provider's message id, if any."""

Defer = Callable[[Outbox, datetime], datetime | None]
"""Says when a due row may go after all (quiet hours), or None when it may go now."""

LEASE = timedelta(minutes=5)
"""How long a claimed row stays a worker's: far longer than a batch takes to send."""


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

    @property
    def pacing(self) -> bool:
        """A wait the channel asked for, not a failure: our own rate limits ("telegram:rate",
        "sms rate"), a 429 with its retry_after, quiet hours."""
        reason = str(self)
        return reason.endswith("rate") or "429" in reason or reason.startswith("quiet")

    @property
    def flood(self) -> bool:
        """The provider said the whole account is too fast: the channel pauses, not one chat."""
        return "429" in str(self)


class Dropped(Exception):
    """The row has no point any more; it is cancelled with this reason."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=2)
    jitter: float = 0.25  # up to this fraction more, so that retries of one outage spread out
    rng: Random = field(default_factory=Random)

    def delay(self, attempts: int, asked: float) -> timedelta:
        """The wait before attempt `attempts + 1`, never shorter than the sender asked."""
        backoff = min(self.cap, self.base * 2 ** max(attempts - 1, 0))
        wait = max(backoff, timedelta(seconds=asked))
        return wait * (1 + self.jitter * self.rng.random())


@dataclass
class _Batch:
    """One claim: its rows by identity (each identity's rows in order) and their identities."""

    rows: dict[int, list[Outbox]]
    identities: dict[int, Identity]


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        senders: dict[str, Sender],
        clock: Clock,
        *,
        retry: RetryPolicy | None = None,
        lease: timedelta = LEASE,
        pacers: dict[str, TokenBucket] | None = None,
        defer: Defer | None = None,
        concurrency: int = 1,
    ) -> None:
        self.engine = engine
        self.senders = senders
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.pacers = pacers or {}
        self.defer = defer
        self.concurrency = concurrency
        self._floods: dict[str, datetime] = {}
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(concurrency) if concurrency > 1 else None

    def dispatch_due(
        self, channel: str | None = None, identity_id: int | None = None, limit: int = 100
    ) -> int:
        """Send what is due now on the channel (every channel with a sender when None);
        returns how many rows were sent."""
        return self.dispatch(channel, identity_id, limit)[1]

    def dispatch(
        self, channel: str | None = None, identity_id: int | None = None, limit: int = 100
    ) -> tuple[int, int]:
        """Like dispatch_due; returns (rows claimed, rows sent)."""
        channels = [channel] if channel is not None else list(self.senders)
        now = self.clock()
        rows, identities = outbox.claim(
            self.engine, now, channels, limit, now + self.lease, identity_id
        )
        by_identity: dict[int, list[Outbox]] = defaultdict(list)
        for row in rows:
            by_identity[row.identity_id].append(row)
        batch = _Batch(by_identity, identities)
        groups = list(batch.rows)
        if self._pool is None:
            sent = sum(self._send_group(batch, key) for key in groups)
        else:
            sent = sum(self._pool.map(lambda key: self._send_group(batch, key), groups))
        return len(rows), sent

    def stop(self) -> None:
        """Finish the sends under way; rows claimed but not tried go back to the queue."""
        self._stopping.set()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def _send_group(self, batch: _Batch, identity_id: int) -> int:
        rows = batch.rows[identity_id]
        identity = batch.identities[identity_id]
        sent = 0
        for index, row in enumerate(rows):
            if self._stopping.is_set():
                outbox.release(self.engine, rows[index:], self.clock())
                break
            sent += self._deliver(row, identity)
        return sent

    def _deliver(self, row: Outbox, identity: Identity) -> int:
        if _silenced(identity, row):
            self._end(
                row,
                status="failed",
                attempts=row.attempts + 1,
                last_error="opted out" if identity.opted_out else "unreachable",
            )
            return 0
        expires = row.payload.get("expires_at")
        if expires and datetime.fromisoformat(expires) <= self.clock():
            self._end(row, status="cancelled", last_error="late: the meeting has begun")
            return 0
        wait_until = self._held_until(row)
        if wait_until is not None:
            self._end(row, status="pending", not_before=wait_until, last_error="quiet hours")
            return 0
        flood = self._floods.get(row.channel)
        if flood is not None and flood > self.clock():
            self._end(row, status="pending", not_before=flood, last_error=f"{row.channel}:429")
            return 0
        self._pace(row.channel)
        try:
            # The row's id lets a sender make a retry recognisable (an e-mail's Message-ID).
            external_id = self.senders[row.channel](identity, {**row.payload, "outbox_id": row.id})
        except RetryLater as pause:
            self._hand_back(row, pause)
            return 0
        except PermanentFailure as refusal:
            log.warning("outbox %s failed for good: %s", row.id, refusal)
            self._end(row, status="failed", attempts=row.attempts + 1, last_error=str(refusal))
            self._mark(identity, refusal.marks)
            return 0
        except Dropped as reason:
            log.info("outbox %s dropped: %s", row.id, reason)
            self._end(row, status="cancelled", last_error=str(reason))
            return 0
        self._end(
            row,
            status="sent",
            sent_at=self.clock(),
            external_id=external_id,
            attempts=row.attempts + 1,
        )
        return 1

    def _held_until(self, row: Outbox) -> datetime | None:
        if self.defer is None:
            return None
        return self.defer(row, self.clock())

    def _pace(self, channel: str) -> None:
        pacer = self.pacers.get(channel)
        if pacer is None:
            return
        while (wait := pacer.take()) > 0 and not self._stopping.is_set():
            self._stopping.wait(wait)

    def _hand_back(self, row: Outbox, pause: RetryLater) -> None:
        now = self.clock()
        if pause.pacing:
            not_before = now + timedelta(seconds=pause.seconds)
            if pause.flood:
                self._floods[row.channel] = not_before
            self._end(row, status="pending", not_before=not_before, last_error=str(pause))
            return
        attempts = row.attempts + 1
        if attempts >= self.retry.max_attempts:
            log.warning("outbox %s failed after %s attempts: %s", row.id, attempts, pause)
            self._end(
                row,
                status="failed",
                attempts=attempts,
                last_error=f"{pause} (after {attempts} attempts)",
            )
            return
        self._end(
            row,
            status="pending",
            attempts=attempts,
            last_error=str(pause),
            not_before=now + self.retry.delay(attempts, pause.seconds),
        )

    def _end(self, row: Outbox, **values: Any) -> None:
        if not outbox.end(self.engine, row, **values):
            log.warning("outbox %s: lease lost before it ended, left to its new worker", row.id)

    def _mark(self, identity: Identity, marks: str | None) -> None:
        if marks == "unreachable":
            identity.reachable = False
        elif marks == "opted_out":
            identity.opted_out = True
        else:
            return
        outbox.mark_identity(self.engine, identity)


def _silenced(identity: Identity, row: Outbox) -> bool:
    """Nothing goes to a blocked or opted-out address, but the one notice confirming the opt-out.
    A trigger is no message: it tells the conversation, which picks a reachable identity."""
    if row.payload.get("opt_out_notice") or row.payload.get("trigger"):
        return False
    return identity.opted_out or not identity.reachable
