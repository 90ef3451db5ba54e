"""Channels are adapters: nothing under bot/channels imports storage or the composition root.

A channel turns provider input into an `Inbound` (or a membership change, a delivery report) and
calls the application services the composition root (bot/entry) gives it; the services decide
and write. This walks bot/channels and fails on an import of `storage` or `bot.entry`, at any
depth of the module (an import inside a function counts too).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = ROOT / "bot" / "channels"
FORBIDDEN = ("storage", "bot.entry")
# The sending side still reads storage until the delivery path is typed (issue #12, "delivery").
# The list may only shrink: an entry that is no longer true fails too, so it is removed at once.
NOT_YET_ADAPTERS = {
    ("bot/channels/console/channel.py", "storage.models"),
    ("bot/channels/telegram/pump.py", "storage.models"),
    ("bot/channels/telegram/sender.py", "storage.models"),
    ("bot/channels/twilio/sender.py", "storage.models"),
    ("bot/channels/twilio/sms.py", "storage.db"),  # the Courier
    ("bot/channels/twilio/sms.py", "storage.models"),  # the Courier
}


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _forbidden(module: str) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in FORBIDDEN)


def _channel_imports() -> set[tuple[str, str]]:
    return {
        (str(path.relative_to(ROOT)), module)
        for path in sorted(CHANNELS.rglob("*.py"))
        for module in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if _forbidden(module)
    }


def test_no_channel_imports_storage_or_the_composition_root() -> None:
    assert _channel_imports() - NOT_YET_ADAPTERS == set()


def test_the_list_of_channels_not_yet_adapters_only_shrinks() -> None:
    assert NOT_YET_ADAPTERS - _channel_imports() == set()


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from storage.models import Identity", True),
        ("import storage.db", True),
        ("from storage import repositories as repo", True),
        ("def f():\n    from bot.entry.bootstrap import App", True),
        ("from bot.conversation.service import Inbound", False),
        ("from storagebox import thing", False),
        ("from bot.entry_points import x", False),
    ],
)
def test_the_walk_catches_what_it_must(source: str, caught: bool) -> None:
    assert any(map(_forbidden, _imported(ast.parse(source)))) is caught
