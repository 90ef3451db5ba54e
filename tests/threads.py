"""Work released on several threads at the same instant, for tests of concurrency."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")

TIMEOUT_SECONDS = 60.0
"""Long enough for a slow machine, short enough that a stuck test fails instead of hanging."""


def all_at_once(count: int, attempt: Callable[[int], Result]) -> list[Result]:
    """Run `attempt(i)` for i in range(count) on as many threads, released together; the first
    exception raised by an attempt is raised here."""
    start = threading.Barrier(count, timeout=TIMEOUT_SECONDS)

    def run(i: int) -> Result:
        start.wait()
        return attempt(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count), timeout=TIMEOUT_SECONDS))
