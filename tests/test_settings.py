"""One settings object reads every PERCORSO_ variable, the worker's included, and the composition
root hands the values down to the parts that use them."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.entry.bootstrap import build_app
from bot.jobs.reminders import ReminderTimes
from bot.settings import Settings
from storage.crypto import Cipher
from tests.clock import FakeClock


def test_the_worker_variables_are_read_with_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERCORSO_DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    monkeypatch.setenv("PERCORSO_QUIET_HOURS", "22:00-07:00")
    monkeypatch.setenv("PERCORSO_REMINDER_OFFSETS_HOURS", "[48, 1.5]")
    monkeypatch.setenv("PERCORSO_OUTBOX_MAX_ATTEMPTS", "3")

    settings = Settings()

    assert settings.resolved_database_url == "sqlite:///elsewhere.sqlite3"
    assert settings.quiet_hours == "22:00-07:00"
    assert settings.reminder_offsets_hours == [48.0, 1.5]
    assert settings.outbox_max_attempts == 3


def test_the_conversation_gets_the_reminder_times_and_the_key_of_the_settings(
    tmp_path: Path,
) -> None:
    key = Fernet.generate_key().decode()
    settings = Settings(data_dir=tmp_path, secret_key=key, reminder_offsets_hours=[12],
                        follow_up_hour=9)  # fmt: skip

    app = build_app(settings, FakeClock())

    assert app.service.reminders == ReminderTimes(offsets_hours=(12.0,), follow_up_hour=9)
    assert Cipher.from_key(key).decrypt_json(app.cipher.encrypt_json("x")) == "x"
    app.engine.dispose()
