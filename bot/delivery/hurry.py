"""Sending, right after the commit, the rows one unit of work wrote: a snappy reply from the
process that received the message, without a sweep of anyone else's rows.

A webhook hands the ids of its rows over and answers at once; one thread of the process sends
them through the process's dispatcher (the one policy: quiet hours, priorities, retries). It
never waits on a rate limit: a row the limits hand back (a Pause) is tried again when it falls
due, if that is within PATIENCE of its hurry, and is otherwise left to the worker, which sends
whatever is due. The thread of a request is never held, whatever the backlog.
"""

import asyncio
import heapq
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta

from bot.delivery.dispatcher import Dispatcher
from storage import outbox

log = logging.getLogger(__name__)

PATIENCE = timedelta(seconds=20)  # beyond this, a row handed back is the worker's
IDLE = 5.0  # seconds the thread sleeps at most when nothing is asked of it
ERROR_PAUSE = 1.0  # after a failed dispatch (the database away), so that it cannot spin


class Hurry:
    def __init__(self, dispatcher: Dispatcher, patience: timedelta = PATIENCE) -> None:
        self.dispatcher = dispatcher
        self.patience = patience
        self._waiting: list[tuple[datetime, int]] = []  # (due, row id), soonest first
        self._deadlines: dict[int, datetime] = {}
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="outbox-hurry", daemon=True)

    def __call__(self, row_ids: Iterable[int]) -> None:
        """Send these rows soon (call after their transaction committed); returns at once."""
        now = self.dispatcher.clock()
        with self._changed:
            for row_id in row_ids:
                self._deadlines[row_id] = now + self.patience
                heapq.heappush(self._waiting, (now, row_id))
            self._changed.notify()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish the send under way; what is still waiting is left to the worker."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            due = self._next_due()
            if due is None:
                return
            try:
                self.dispatcher.dispatch_rows(due)
                self._again_later(due)
            except Exception as error:
                log.error("hurried dispatch failed: %s", type(error).__name__)
                with self._changed:
                    self._changed.wait(ERROR_PAUSE)

    def _next_due(self) -> list[int] | None:
        """The ids due now, waiting until there are some; None when stopping."""
        with self._changed:
            while not self._stopping:
                now = self.dispatcher.clock()
                due = []
                while self._waiting and self._waiting[0][0] <= now:
                    due.append(heapq.heappop(self._waiting)[1])
                if due:
                    return due
                wait = (self._waiting[0][0] - now).total_seconds() if self._waiting else IDLE
                self._changed.wait(min(wait, IDLE))
            return None

    def _again_later(self, row_ids: list[int]) -> None:
        """Rows handed back for a while come round again when due, within their deadline."""
        pending = outbox.pending_among(self.dispatcher.engine, row_ids, self.dispatcher.senders)
        with self._changed:
            for row_id in row_ids:
                due, deadline = pending.get(row_id), self._deadlines.pop(row_id, None)
                if due is not None and deadline is not None and due <= deadline:
                    self._deadlines[row_id] = deadline
                    heapq.heappush(self._waiting, (due, row_id))


def running(hurry: "Hurry | None") -> Callable[[object], AbstractAsyncContextManager[None]]:
    """A web app's or router's lifespan that runs the hurry's thread while it serves; what the
    thread leaves when it stops is the worker's."""

    @asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        if hurry is None:
            yield
            return
        hurry.start()
        try:
            yield
        finally:
            await asyncio.to_thread(hurry.stop)

    return lifespan
