"""`percorso worker`: the outbox dispatcher for every channel, and the scheduler's jobs.

One thread per channel sends that channel's due rows as fast as its limit allows and sleeps until
the next one falls due; APScheduler (bot.jobs.scheduler) wakes the threads every second, so a row
written by another process is seen at once, and runs the cron jobs. Several workers may run on
one PostgreSQL database: claims never overlap (bot.delivery.outbox).
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bot.channels.email.sender import EmailSender, SmtpServer
from bot.channels.telegram.limits import ChatLimits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.channels.twilio.sender import TwilioSender
from bot.clock import monotonic_seconds
from bot.delivery import outbox
from bot.delivery.dispatcher import Dispatcher, RetryPolicy, Sender
from bot.delivery.quiet_hours import PersonZones, QuietDefer, QuietHours
from bot.delivery.ratelimit import TokenBucket
from bot.entry.bootstrap import App
from bot.jobs.reminders import TRIGGER_CHANNEL
from bot.jobs.triggers import TriggerRunner
from bot.worker_settings import WorkerSettings

log = logging.getLogger(__name__)

IDLE = 5.0  # seconds a channel sleeps at most when nothing is due (the tick wakes it sooner)
ERROR_PAUSE = 5.0  # after a failed dispatch (the database away), so that it cannot spin
TRIGGERS_AT_ONCE = 50


@dataclass
class Channel:
    name: str
    sender: Sender
    rate: float | None  # messages a second the worker keeps to; None: no limit of its own
    batch: int  # rows claimed at once: about two seconds of sending at the rate


def channels(application: App, worker: WorkerSettings) -> list[Channel]:
    """The channels this worker can send on: triggers always, Telegram, SMS and e-mail when set
    up."""
    settings = application.settings
    quiet = QuietHours.parse(worker.quiet_hours)
    found = [Channel(TRIGGER_CHANNEL, TriggerRunner(application.service, quiet), None,
                     TRIGGERS_AT_ONCE)]  # fmt: skip
    if settings.telegram_token is not None:
        limits = ChatLimits(settings.telegram_rate_overall, settings.telegram_rate_per_chat,
                            monotonic_seconds)  # fmt: skip
        sender = TelegramSender(partial(make_bot, settings), limits)
        rate = settings.telegram_rate_overall * worker.rate_margin
        found.append(Channel("telegram", sender, rate, max(10, int(2 * rate))))
    if settings.twilio_account_sid:
        rate = settings.sms_rate_per_second * worker.rate_margin
        found.append(Channel("sms", TwilioSender.from_settings(settings, monotonic_seconds), rate,
                             max(10, int(2 * rate))))  # fmt: skip
    if settings.smtp_url is not None:
        server = SmtpServer.parse(settings.smtp_url.get_secret_value())
        sender = EmailSender(server, settings.mail_from, application.service.clock)
        rate = settings.email_rate_per_second * worker.rate_margin
        found.append(Channel("email", sender, rate, max(10, int(2 * rate))))
    return found


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
    def __init__(self, application: App, worker: WorkerSettings, found: list[Channel]) -> None:
        zones = PersonZones(application.engine, application.settings.default_timezone,
                            monotonic_seconds)
        self.channels = found
        self.loops = []
        for channel in found:
            pacers = ({channel.name: TokenBucket(channel.rate, 1.0, monotonic_seconds)}
                      if channel.rate else {})
            dispatcher = Dispatcher(
                application.engine,
                {channel.name: channel.sender},
                application.service.clock,
                retry=RetryPolicy(max_attempts=worker.outbox_max_attempts),
                lease=timedelta(seconds=worker.outbox_lease_seconds),
                pacers=pacers,
                defer=QuietDefer(QuietHours.parse(worker.quiet_hours), zones),
                concurrency=worker.send_concurrency,
            )
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
