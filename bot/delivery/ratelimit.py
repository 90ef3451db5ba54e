"""A token bucket: at most `rate` sends a second on average, with bursts of up to `burst`.

It never sleeps: `take` answers at once how long to wait, so a sender can hand the message back
to the outbox (RetryLater) instead of holding the dispatcher's transaction open while it waits.
"""

import threading

from bot.clock import Seconds


class TokenBucket:
    def __init__(self, rate: float, burst: float, clock: Seconds) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = burst
        self._last = clock()
        # Webhook nudges and the worker may send from several threads through one sender.
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take a token: 0.0 when one was free, else the seconds until one will be (none taken)."""
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate
