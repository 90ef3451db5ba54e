"""One clock: nothing below the entry points reads the wall clock itself.

The conversation, the NLP, storage and the services receive `now` (or a clock) from the entry
point that runs them, so the suite passes on any date. This walks the source tree and fails on a
read of the wall clock outside bot/clock.py, and on a use of the real clock outside the entry
points that hand it down.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "dialogs", "nlp", "storage")
CLOCK_MODULE = "bot/clock.py"
REAL_CLOCK = {"wall_clock", "monotonic_seconds"}
ENTRY_POINTS = {
    "bot/entry/cli.py",
    "bot/entry/nlu.py",
    "bot/entry/worker.py",
    "bot/delivery/worker.py",
    "bot/entry/booking.py",
    "bot/entry/senders.py",
    "bot/entry/staff.py",
    "bot/entry/telegram.py",
    "bot/channels/telegram/runtime.py",
    "bot/channels/twilio/sms.py",
}
WALL_CLOCK_READS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "perf_counter"),
}


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _wall_clock_reads(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in WALL_CLOCK_READS):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            for alias in node.names:
                if (node.module, alias.name) in WALL_CLOCK_READS:
                    found.append(f"from {node.module} import {alias.name} (line {node.lineno})")
    return found


def _real_clock_imports(tree: ast.AST) -> list[str]:
    return [
        f"{alias.name} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "bot.clock"
        for alias in node.names
        if alias.name in REAL_CLOCK
    ]


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_clock_module_reads_the_wall_clock(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if name != CLOCK_MODULE:
        assert _wall_clock_reads(tree) == [], f"{name} reads the wall clock"
    if name not in ENTRY_POINTS:
        assert _real_clock_imports(tree) == [], f"{name} takes the real clock: receive it instead"


def test_the_guard_sees_a_wall_clock_read() -> None:
    code = "from datetime import datetime\nimport time\nx = datetime.now()\ny = time.monotonic\n"
    assert len(_wall_clock_reads(ast.parse(code))) == 2
    assert _wall_clock_reads(ast.parse("from time import monotonic\n")) != []
    assert _real_clock_imports(ast.parse("from bot.clock import wall_clock\n")) != []
