"""The demo network only in the demo: `chat` seeds it into an empty database; `serve` (and every
other process, the worker's included, through `build_app`) runs without it and says how to
import the network."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.entry.bootstrap import build_app, open_database
from bot.network.importer import has_network
from bot.settings import Settings, get_settings
from tests.clock import FakeClock
from tests.command_line import percorso

HOW = "percorso network import FILE"


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for name in ("DATABASE_URL", "TWILIO_AUTH_TOKEN", "TELEGRAM_TOKEN"):
        monkeypatch.delenv(f"PERCORSO_{name}", raising=False)
    monkeypatch.setenv("PERCORSO_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_a_process_on_an_empty_database_runs_without_the_demo_and_says_how_to_import(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=Fernet.generate_key().decode(),
                        _env_file=None)  # fmt: skip
    with caplog.at_level(logging.WARNING):
        app = build_app(settings, FakeClock())
    assert not has_network(app.engine)
    assert HOW in caplog.text
    app.engine.dispose()


def test_serve_on_an_empty_database_says_how_to_import_the_network(
    empty: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)  # not listening in a test
    with caplog.at_level(logging.WARNING):
        ran = percorso("serve")
    assert ran.exit_code == 0, ran.output
    assert HOW in caplog.text
    assert not has_network(open_database(empty))


def test_the_demo_chat_brings_its_network(empty: Settings) -> None:
    ran = percorso("chat", "--lang", "en")
    assert ran.exit_code == 0, ran.output
    assert has_network(open_database(empty))
