"""`percorso worker`: the outbox dispatcher for every channel, and the scheduler's jobs.

One thread per channel sends that channel's due rows, under the process's one delivery policy
(bot.delivery.policy), as fast as its limit allows and sleeps until the next one falls due;
APScheduler (bot.jobs.scheduler) wakes the threads every second, so a row written by another
process is seen at once, and runs the cron jobs. Several workers may run on one PostgreSQL
database: claims never overlap (storage.outbox).
"""

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.clock import Clock, monotonic_seconds
from bot.delivery.dispatcher import Dispatcher, Sender
from bot.delivery.policy import DeliveryPolicy
from bot.delivery.ratelimit import Limits
from bot.settings import Settings
from storage import outbox

log = logging.getLogger(__name__)

IDLE = 5.0  # seconds a channel sleeps at most when nothing is due (the tick wakes it sooner)
ERROR_PAUSE = 5.0  # after a failed dispatch (the database away), so that it cannot spin


@dataclass
class Channel:
    name: str
    sender: Sender
    rate: float | None  # messages a second the worker keeps to; None: no limit of its own
    batch: int  # rows claimed at once: about two seconds of sending at the rate


class ChannelLoop:
    """Sends one channel's due rows until stopped."""

    def __init__(self, dispatcher: Dispatcher, channel: Channel) -> None:
        self.dispatcher = dispatcher
        self.channel = channel
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"outbox-{channel.name}",
                                        daemon=True)  # fmt: skip

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                claimed, _ = self.dispatcher.dispatch(self.channel.name, limit=self.channel.batch)
            except Exception as error:
                log.error("%s dispatch failed: %s", self.channel.name, type(error).__name__)
                self._wake.wait(ERROR_PAUSE)
                continue
            if claimed == self.channel.batch:
                continue  # more may be due now
            self._wake.wait(self._seconds_to_next_due())

    def _seconds_to_next_due(self) -> float:
        try:
            due = outbox.next_due(self.dispatcher.engine, self.channel.name)
        except Exception as error:
            log.error("%s look-up failed: %s", self.channel.name, type(error).__name__)
            return ERROR_PAUSE
        if due is None:
            return IDLE
        return min(IDLE, max(0.0, (due - self.dispatcher.clock()).total_seconds()))


class Worker:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        policy: DeliveryPolicy,
        settings: Settings,
        found: list[Channel],
    ) -> None:
        self.channels = found
        self.loops = []
        # Every worker paces itself with the same bucket: two workers send at the rate, not twice.
        limits = Limits.of(settings, engine, monotonic_seconds)
        for channel in found:
            pacers = ({channel.name: limits.bucket(f"{channel.name}:pace", channel.rate)}
                      if channel.rate else {})  # fmt: skip
            dispatcher = Dispatcher(
                engine, {channel.name: channel.sender}, clock, policy,
                pacers=pacers, concurrency=settings.send_concurrency,
            )  # fmt: skip
            self.loops.append(ChannelLoop(dispatcher, channel))

    def start(self) -> None:
        for loop in self.loops:
            loop.start()

    def wake(self) -> None:
        for loop in self.loops:
            loop.wake()

    def stop(self) -> None:
        """Finish the sends under way and give back the rows claimed but not tried."""
        for loop in self.loops:
            loop.dispatcher.stop()
        for loop in self.loops:
            loop.stop()
            loop.dispatcher.close()
        for channel in self.channels:
            close = getattr(channel.sender, "close", None)
            if close is not None:
                close()
