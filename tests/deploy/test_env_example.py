"""deploy/.env.example names and documents every setting, and nothing that is not one."""

import os
import re
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.crypto import Cipher

ENV_EXAMPLE = Path(__file__).parents[2] / "deploy" / ".env.example"
SETTING = re.compile(r"^(?:# )?(PERCORSO_[A-Z0-9_]+)=")


def documented() -> dict[str, str]:
    """Each variable of the file, with the comment above it (variables next to each other share
    one; a blank line ends it)."""
    found, comment = {}, ""
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := SETTING.match(line):
            found[match[1]] = comment
        else:
            comment = line if line.startswith("# ") else ""
    return found


def test_every_setting_is_in_the_example_with_a_comment_that_says_what_it_is() -> None:
    variables = documented()
    settings = {f"PERCORSO_{name.upper()}" for name in Settings.model_fields}
    assert sorted(settings - set(variables)) == []
    assert [name for name, comment in variables.items() if not comment] == []


def test_the_example_names_no_setting_that_does_not_exist() -> None:
    settings = {f"PERCORSO_{name.upper()}" for name in Settings.model_fields}
    assert sorted(set(documented()) - settings) == []


def test_the_values_it_sets_are_read_as_settings_and_those_left_empty_as_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [name for name in os.environ if name.startswith("PERCORSO_")]:
        monkeypatch.delenv(name)
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if SETTING.match(line) and not line.startswith("#")
    )
    settings = Settings(_env_file=ENV_EXAMPLE)
    assert settings.public_url == values["PERCORSO_PUBLIC_URL"]
    with pytest.raises(ValueError):  # a key forgotten as it is encrypts nothing
        Cipher.from_key(settings.secret_key_value)
    assert settings.telegram_token is None and settings.twilio_auth_token is None
