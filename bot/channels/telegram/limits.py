"""Telegram's sending limits for one bot: about 30 messages a second in all, 1 a second per chat.

Built on bot.delivery.ratelimit's buckets, which answer how long to wait instead of sleeping. The
overall limit is the bot's, shared by every process that sends for it (`Limits.bucket`); the
per-chat buckets are this process's own (a chat's rows are claimed together, by one process).
A chat that must wait is *held*: every message for it is handed back with the same delay until
the hold ends, so the outbox rows queued behind the first one keep their order.
"""

import threading
from dataclasses import dataclass

from bot.clock import Seconds
from bot.delivery.ratelimit import Bucket, Limits, TokenBucket
from bot.settings import Settings

# A turn of the conversation is often two or three messages (a notice, then the question);
# Telegram tolerates such a burst in one chat, and the average stays at the per-chat rate.
CHAT_BURST = 3.0
_TRACKED_CHATS = 1000  # beyond this many, idle chats are forgotten


@dataclass(frozen=True)
class Hold:
    until: float
    reason: str
    seconds: float


class ChatLimits:
    def __init__(self, overall: Bucket, per_chat: float, clock: Seconds) -> None:
        self._clock = clock
        self._per_chat = per_chat
        self._overall = overall
        self._chats: dict[str, TokenBucket] = {}
        self._last_use: dict[str, float] = {}
        self._holds: dict[str, Hold] = {}
        self._lock = threading.Lock()

    def held(self, chat: str) -> Hold | None:
        with self._lock:
            hold = self._holds.get(chat)
            if hold is not None and hold.until <= self._clock():
                del self._holds[chat]
                return None
            return hold

    def hold(self, chat: str, reason: str, seconds: float) -> Hold:
        with self._lock:
            hold = Hold(self._clock() + seconds, reason, seconds)
            self._holds[chat] = hold
            return hold

    def take(self, chat: str) -> float:
        """0.0 when a message may go now (its tokens taken), else the seconds to wait.

        When only the overall bucket refuses, the chat's token is spent all the same: the chat
        then waits a little longer than it must, never less."""
        wait = self._bucket(chat).take()
        return wait if wait > 0 else self._overall.take()

    def _bucket(self, chat: str) -> TokenBucket:
        with self._lock:
            now = self._clock()
            if len(self._chats) > _TRACKED_CHATS:
                self._forget_idle(now)
            self._last_use[chat] = now
            bucket = self._chats.get(chat)
            if bucket is None:
                bucket = self._chats[chat] = TokenBucket(self._per_chat, CHAT_BURST, self._clock)
            return bucket

    def _forget_idle(self, now: float) -> None:
        # A bucket left alone this long is full again: forgetting it changes nothing.
        refill = CHAT_BURST / self._per_chat
        for chat in [c for c, used in self._last_use.items() if now - used > refill]:
            del self._chats[chat], self._last_use[chat]
        for chat in [c for c, hold in self._holds.items() if hold.until <= now]:
            del self._holds[chat]


def telegram_limits(settings: Settings, limits: Limits) -> ChatLimits:
    """The bot's limits: the overall one where `limits` keeps it (shared by every process, a
    burst of a second's worth), the per-chat ones in this process, on its clock."""
    overall = settings.telegram_rate_overall
    return ChatLimits(limits.bucket("telegram", overall, burst=max(1.0, overall)),
                      settings.telegram_rate_per_chat, limits.clock)  # fmt: skip
