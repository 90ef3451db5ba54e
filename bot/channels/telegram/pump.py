"""Sending the outbox's Telegram rows from the running bot: a person's replies as soon as their
update is committed, any other row (handed back for later, queued elsewhere) when it falls due.

The Dispatcher is synchronous and holds a transaction while it sends, so it runs in a worker
thread, one dispatch at a time. A later issue (the worker) unifies dispatching for every channel.
"""

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.delivery.dispatcher import Dispatcher
from storage.models import Outbox

log = logging.getLogger(__name__)

IDLE_LOOK = 30.0  # seconds between looks at the outbox when nothing is announced
BACKOFF = 5.0  # after a failed dispatch, so that a broken row cannot spin the loop


class OutboxPump:
    def __init__(self, dispatcher: Dispatcher, channel: str) -> None:
        self._dispatcher = dispatcher
        self._channel = channel
        self._nudged: set[int] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def nudge(self, identity_id: int | None) -> None:
        """Something was queued for this identity (call from the event loop)."""
        if identity_id is not None:
            self._nudged.add(identity_id)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-outbox")

    async def stop(self) -> None:
        """Finish the dispatch under way, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            nudged, self._nudged = self._nudged, set()
            for identity_id in sorted(nudged):
                await self._dispatch(identity_id)
            wait = await self._seconds_to_next_due()
            if wait <= 0:
                if await self._dispatch(None):
                    continue  # rows went out; more may be due
                wait = await self._seconds_to_next_due()
            await self._sleep(BACKOFF if wait <= 0 else min(wait, IDLE_LOOK))

    async def _dispatch(self, identity_id: int | None) -> int:
        try:
            return await asyncio.to_thread(
                self._dispatcher.dispatch_due, self._channel, identity_id
            )
        except Exception as error:
            log.error("telegram outbox dispatch failed: %s", type(error).__name__)
            return 0

    async def _seconds_to_next_due(self) -> float:
        try:
            due = await asyncio.to_thread(self._next_due)
        except Exception as error:
            log.error("telegram outbox look-up failed: %s", type(error).__name__)
            return BACKOFF
        if due is None:
            return IDLE_LOOK
        return (due - self._dispatcher.clock()).total_seconds()

    def _next_due(self) -> datetime | None:
        with Session(self._dispatcher.engine) as db:
            return db.exec(
                select(func.min(Outbox.not_before)).where(
                    Outbox.status == "pending", Outbox.channel == self._channel
                )
            ).one()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # the wait is over: time to look again
            await asyncio.wait_for(self._wake.wait(), seconds)
