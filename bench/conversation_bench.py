"""Per-message processing time of the conversation service, over scripted intakes on SQLite.

Each message goes the whole way a console message goes: NLP, the unit of work (dedupe, lock,
engine step, event handlers, outbox) and the dispatch of the replies. Run:
    .venv/bin/python bench/conversation_bench.py [--messages 1000]
"""

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.clock import wall_clock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.channels.console.channel import ConsoleChannel
from bot.conversation.service import Inbound
from bot.entry.bootstrap import build_app
from bot.settings import Settings
from nlp import load
from tests.intake_script import ENGLISH_INTAKE


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    pipeline = load()
    with tempfile.TemporaryDirectory() as data_dir:
        app = build_app(Settings(data_dir=Path(data_dir)), wall_clock, pipeline.parse, seed=True)
        channel = ConsoleChannel(app.service, app.delivery, io.StringIO(), jsonl=True)
        timings = _run(channel, args.messages)
    _report(timings)


# The chat opening (None), the intake with the experience understood and confirmed, then a
# meeting booked and cancelled.
SCRIPT = [*ENGLISH_INTAKE[:7], "yes", *ENGLISH_INTAKE[7:], "1", "cancel", "yes"]


def _run(channel: ConsoleChannel, total: int) -> list[float]:
    timings: list[float] = []
    person = 0
    while len(timings) < total:
        person += 1
        user = f"bench-{person}"
        lines = [None, *SCRIPT]
        for sequence, line in enumerate(lines):
            if len(timings) == total:
                break
            inbound = Inbound(
                "console", user, f"{user}-{sequence}", text=line, start=line is None, lang="en"
            )
            started = time.perf_counter()
            channel.receive(inbound)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _report(timings: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(f"machine: {platform.machine()}, {_cpu()}, Python {platform.python_version()}")
    print(f"messages: {len(timings)} (scripted English conversations of {len(SCRIPT) + 1})")
    print(f"per message: median {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms, "
          f"max {ordered[-1]:.2f} ms")


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    main()
