"""The real clock: the one module that reads the wall clock.

Only the entry points (the CLI commands, the web app factory, the worker) take `wall_clock` and
`monotonic_seconds` from here and hand them down; every layer below receives `now` or a clock,
so the tests give it a fake one and pass on any date (tests/test_one_clock.py keeps it so).
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""The time now, an aware UTC datetime."""

Seconds = Callable[[], float]
"""A monotonic clock in seconds, for pacing sends."""


def wall_clock() -> datetime:
    return datetime.now(UTC)


def monotonic_seconds() -> float:
    return time.monotonic()
