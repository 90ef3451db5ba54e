"""Clocks for the tests: each starts on a fixed day, so no test depends on the day it runs."""

import os
import time
from datetime import UTC, datetime, timedelta

# CI reruns the date-sensitive suites under libfaketime, which also fakes the monotonic clock:
# tests that wait for real time to pass mark themselves with this.
UNDER_FAKETIME = "libfaketime" in os.environ.get("LD_PRELOAD", "")

TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime = TUESDAY):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RunningClock:
    """A clock that starts on a fixed day and runs at the real pace: for tests that wait in
    real time (a 429's retry_after, a webhook answered while the bot works)."""

    def __init__(self, start: datetime = TUESDAY):
        self.start = start
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._started)
