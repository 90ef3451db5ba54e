"""The one delivery policy: quiet hours, retries with backoff, the lease of a claim, and the
zone of a person without one. Built once at the composition root (bot.entry.bootstrap) from the
settings, and handed to every dispatcher of the process: the worker's, the web process's, the
console's. Priorities are the outbox rows' own (bot.delivery.outbound.PRIORITY)."""

from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from bot.delivery.quiet_hours import QuietHours

LEASE = timedelta(minutes=5)
"""How long a claimed row stays a dispatcher's: far longer than a batch takes to send."""


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


@dataclass(frozen=True)
class DeliveryPolicy:
    quiet: QuietHours = field(default_factory=QuietHours)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = LEASE
    default_zone: str = "Europe/Lisbon"
