"""Sending due outbox rows through the channel senders and recording how each one ended.

Every row ends sent, failed (with the reason) or cancelled (with the reason); until then it is
pending, for a while under a dispatcher's lease (storage.outbox). Rows are claimed in one short
transaction and ended one by one after their send: nothing holds the database during a send.

Every dispatcher keeps the one policy of bot.delivery.policy: quiet hours hold every message
that can wait, whatever the process; priorities order the claim; what a sender raises
(bot.delivery.refusals) decides the rest: a Pause hands the row back for exactly that long, a
RetryLater counts an attempt and backs off, a PermanentFailure fails the row (and marks the
identity), Dropped cancels it.
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.clock import Clock
from bot.delivery.outbound import Letter, Outbound, Recipient, Trigger, letter_of
from bot.delivery.policy import DeliveryPolicy
from bot.delivery.quiet_hours import PersonZones, QuietDefer
from bot.delivery.ratelimit import Bucket
from bot.delivery.refusals import Dropped, Pause, PermanentFailure, RetryLater
from bot.logs import bound_row
from bot.metrics import OUTBOUND, SEND_FAILURES
from storage import outbox
from storage.models import Identity, Outbox

log = logging.getLogger(__name__)

# A send starts only with more than a tenth of its row's lease left.
LEASE_MARGIN = 10
# How rows ended is written a few rows at a time, in one transaction: on SQLite every write
# waits for the one writer turn, and a transaction per row starved the senders under load. A row
# sent but not yet recorded is in flight: after a crash it is sent again, as one being sent is.
ENDINGS_AT_ONCE = 10
ENDINGS_WAIT = timedelta(seconds=0.5)

Sender = Callable[[Recipient, Any], str | None]
"""Delivers one message to one recipient (an `Outbound`; a `Trigger` on the timer channel);
returns the provider's message id, if any."""


class _Endings:
    """How the rows of one claim ended, written when ENDINGS_AT_ONCE have gathered or the
    oldest has waited ENDINGS_WAIT, and whatever is left when the claim is done."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self._gathered: list[outbox.Ending] = []
        self._since: datetime | None = None
        self._lock = threading.Lock()  # the sending threads of one claim share it

    def add(self, row: Outbox, **values: Any) -> None:
        with self._lock:
            self._gathered.append((row, values))
            self._since = self._since or self.clock()
            full = len(self._gathered) >= ENDINGS_AT_ONCE or (
                self.clock() - self._since >= ENDINGS_WAIT
            )
        if full:
            self.write()

    def write(self) -> None:
        with self._lock:
            endings, self._gathered, self._since = self._gathered, [], None
        if not endings:
            return
        rows = {row.id: row for row, _ in endings}
        for row_id in outbox.end_all(self.engine, endings):
            with bound_row(row_id, rows[row_id].request_id):  # not the row being sent now
                log.warning("outbox %s: lease lost before it ended, left to its new worker", row_id)


@dataclass
class _Batch:
    """One claim: its rows by identity (each identity's rows in order), their identities, and
    how they ended so far."""

    rows: dict[int, list[Outbox]]
    identities: dict[int, Identity]
    endings: _Endings


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        senders: dict[str, Sender],
        clock: Clock,
        policy: DeliveryPolicy | None = None,
        *,
        pacers: dict[str, Bucket] | None = None,
        concurrency: int = 1,
    ) -> None:
        """`pacers` make a worker wait for its own pace between sends; a process answering
        webhooks has none, and leaves a rate-limited row to later (a Pause from the sender)."""
        self.engine = engine
        self.senders = senders
        self.clock = clock
        self.policy = policy or DeliveryPolicy()
        zones = PersonZones(engine, self.policy.default_zone, lambda: clock().timestamp())
        self.defer = QuietDefer(self.policy.quiet, zones)
        self.pacers = pacers or {}
        self._floods: dict[str, Pause] = {}  # channel: the pause every row of it keeps
        self._flood_ends: dict[str, datetime] = {}
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(concurrency) if concurrency > 1 else None

    def dispatch_due(self, channel: str | None = None, limit: int = 100) -> int:
        """Send what is due now on the channel (every channel with a sender when None);
        returns how many rows were sent."""
        return self.dispatch(channel, limit)[1]

    def dispatch(self, channel: str | None = None, limit: int = 100) -> tuple[int, int]:
        """Like dispatch_due; returns (rows claimed, rows sent)."""
        return self._dispatch(channel, limit, None)

    def dispatch_rows(self, row_ids: Iterable[int]) -> int:
        """Send these rows (those due, on a channel with a sender) and no other: the rows a
        unit of work has just written. Returns how many were sent."""
        ids = list(row_ids)
        return self._dispatch(None, len(ids), ids)[1] if ids else 0

    def stop(self) -> None:
        """Finish the sends under way; rows claimed but not tried go back to the queue."""
        self._stopping.set()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def _dispatch(
        self, channel: str | None, limit: int, row_ids: list[int] | None
    ) -> tuple[int, int]:
        channels = [channel] if channel is not None else list(self.senders)
        now = self.clock()
        lease_until = now + self.policy.lease
        rows, identities = outbox.claim(self.engine, now, channels, limit, lease_until, row_ids)
        by_identity: dict[int, list[Outbox]] = defaultdict(list)
        for row in rows:
            by_identity[row.identity_id].append(row)
        batch = _Batch(by_identity, identities, _Endings(self.engine, self.clock))
        groups = list(batch.rows)
        try:
            if self._pool is None:
                sent = sum(self._send_group(batch, key) for key in groups)
            else:
                sent = sum(self._pool.map(lambda key: self._send_group(batch, key), groups))
        finally:
            batch.endings.write()
        return len(rows), sent

    def _send_group(self, batch: _Batch, identity_id: int) -> int:
        rows = batch.rows[identity_id]
        identity = batch.identities[identity_id]
        sent = 0
        for index, row in enumerate(rows):
            if self._stopping.is_set():
                outbox.release(self.engine, rows[index:], self.clock())
                break
            sent += self._deliver(row, identity, batch.endings)
        return sent

    def _deliver(self, row: Outbox, identity: Identity, endings: _Endings) -> int:
        with bound_row(row.id, row.request_id):
            return self._deliver_now(row, identity, endings)

    def _deliver_now(self, row: Outbox, identity: Identity, endings: _Endings) -> int:
        letter = letter_of(row)
        if _silenced(identity, letter):
            reason = "opted out" if identity.opted_out else "unreachable"
            endings.add(row, status="failed", attempts=row.attempts + 1, last_error=reason)
            return 0
        if isinstance(letter, Outbound) and letter.expires_at and letter.expires_at <= self.clock():
            endings.add(row, status="cancelled", last_error="late: the meeting has begun")
            return 0
        morning = self.defer(row, self.clock())
        if morning is not None:
            endings.add(row, status="pending", not_before=morning, last_error="quiet hours")
            return 0
        flood_end = self._flood_ends.get(row.channel)
        if flood_end is not None and flood_end > self.clock():
            reason = str(self._floods[row.channel])
            endings.add(row, status="pending", not_before=flood_end, last_error=reason)
            return 0
        self._pace(row.channel)
        if self.clock() >= row.not_before - self.policy.lease / LEASE_MARGIN:
            # A starved worker (waiting for its pace or the database) may have held its rows near
            # or past the lease: another worker may take them now, so this one sends none of them.
            log.warning("outbox %s: lease about to end, left to the next worker", row.id)
            return 0
        recipient = Recipient(identity.channel, identity.address, identity.person_id, row.id)
        try:
            external_id = self.senders[row.channel](recipient, letter)
        except Pause as pause:
            SEND_FAILURES.labels(row.channel, "rate_limited").inc()
            self._pause(row, pause, endings)
            return 0
        except RetryLater as failure:
            SEND_FAILURES.labels(row.channel, "temporary").inc()
            self._retry(row, failure, endings)
            return 0
        except PermanentFailure as refusal:
            SEND_FAILURES.labels(row.channel, _permanent_reason(refusal)).inc()
            log.warning("outbox %s failed for good: %s", row.id, refusal)
            endings.add(row, status="failed", attempts=row.attempts + 1, last_error=str(refusal))
            self._mark(identity, refusal)
            return 0
        except Dropped as reason:
            SEND_FAILURES.labels(row.channel, "dropped").inc()
            log.info("outbox %s dropped: %s", row.id, reason)
            endings.add(row, status="cancelled", last_error=str(reason))
            return 0
        if isinstance(letter, Outbound):
            OUTBOUND.labels(row.channel).inc()
        endings.add(
            row,
            status="sent",
            sent_at=self.clock(),
            external_id=external_id,
            attempts=row.attempts + 1,
        )
        return 1

    def _pace(self, channel: str) -> None:
        pacer = self.pacers.get(channel)
        if pacer is None:
            return
        while (wait := pacer.take()) > 0 and not self._stopping.is_set():
            self._stopping.wait(wait)

    def _pause(self, row: Outbox, pause: Pause, endings: _Endings) -> None:
        not_before = self.clock() + timedelta(seconds=pause.seconds)
        if pause.whole_channel:
            self._floods[row.channel], self._flood_ends[row.channel] = pause, not_before
        endings.add(row, status="pending", not_before=not_before, last_error=str(pause))

    def _retry(self, row: Outbox, failure: RetryLater, endings: _Endings) -> None:
        attempts = row.attempts + 1
        retry = self.policy.retry
        if attempts >= retry.max_attempts:
            log.warning("outbox %s failed after %s attempts: %s", row.id, attempts, failure)
            endings.add(
                row,
                status="failed",
                attempts=attempts,
                last_error=f"{failure} (after {attempts} attempts)",
            )
            return
        endings.add(
            row,
            status="pending",
            attempts=attempts,
            last_error=str(failure),
            not_before=self.clock() + retry.delay(attempts, failure.seconds),
        )

    def _mark(self, identity: Identity, refusal: PermanentFailure) -> None:
        if refusal.unreachable:
            identity.reachable = False
            outbox.mark_identity(self.engine, identity.id, reachable=False)
        if refusal.opted_out:
            identity.opted_out = True
            outbox.mark_identity(self.engine, identity.id, opted_out=True)


def _silenced(identity: Identity, letter: Letter) -> bool:
    """Nothing goes to a blocked or opted-out address, but the one notice confirming the opt-out.
    A trigger is no message: it tells the conversation, which picks a reachable identity."""
    if isinstance(letter, Trigger) or letter.opt_out_notice:
        return False
    return identity.opted_out or not identity.reachable


def _permanent_reason(refusal: PermanentFailure) -> str:
    if refusal.opted_out:
        return "opted_out"
    return "unreachable" if refusal.unreachable else "permanent"
