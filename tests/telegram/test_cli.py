"""`percorso telegram set-webhook` and `percorso counselor link`, against the fake server and a
fresh database."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram.menu import COMMANDS
from bot.network.importer import seed_demo_if_empty
from bot.settings import get_settings
from storage.link_codes import code_hash
from storage.models import LinkCode
from tests.command_line import percorso
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.telegram.person import SECRET


@pytest.fixture
def configured(
    monkeypatch: pytest.MonkeyPatch, telegram: FakeTelegram, database_url: str, engine: Engine
) -> Iterator[None]:
    environment = {
        "PERCORSO_DATABASE_URL": database_url,
        "PERCORSO_TELEGRAM_TOKEN": TOKEN,
        "PERCORSO_TELEGRAM_API_URL": telegram.url,
        "PERCORSO_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PERCORSO_PUBLIC_URL": "https://bot.example.org/",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    seed_demo_if_empty(engine)  # its counselors; no command seeds it but the demo chat
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_set_webhook_registers_the_address_secret_and_updates(
    configured: None, telegram: FakeTelegram
) -> None:
    result = percorso("telegram", "set-webhook")

    assert result.exit_code == 0, result.output
    assert telegram.webhook == {
        "url": "https://bot.example.org/webhooks/telegram",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query", "my_chat_member"],
        "drop_pending_updates": False,
    }
    assert TOKEN not in result.output and SECRET not in result.output


def test_set_webhook_publishes_the_command_menu_in_every_language(
    configured: None, telegram: FakeTelegram
) -> None:
    percorso("telegram", "set-webhook")

    menus = {
        call.get("language_code"): call["commands"] for call in telegram.calls_to("setMyCommands")
    }
    assert set(menus) == {None, "pt", "it", "en", "es", "fr"}
    assert all([c["command"] for c in menu] == list(COMMANDS) for menu in menus.values())
    assert menus["pt"][1]["description"] == "Ajuda com esta pergunta"


def test_set_webhook_refuses_without_a_usable_secret(
    configured: None, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERCORSO_TELEGRAM_WEBHOOK_SECRET", "has spaces")
    get_settings.cache_clear()

    result = percorso("telegram", "set-webhook")

    assert result.exit_code == 1
    assert "PERCORSO_TELEGRAM_WEBHOOK_SECRET" in result.output
    assert telegram.webhook is None


def test_telegram_without_a_mode_explains_itself(configured: None) -> None:
    result = percorso("telegram")
    assert result.exit_code == 2
    assert "--polling" in result.output


def test_polling_without_a_token_says_what_to_set(
    configured: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PERCORSO_TELEGRAM_TOKEN")
    get_settings.cache_clear()

    result = percorso("telegram", "--polling")

    assert result.exit_code == 1
    assert "PERCORSO_TELEGRAM_TOKEN" in result.output


@pytest.mark.parametrize("who", ["ana-silva", "Ana Silva", "silva"])
def test_counselor_link_prints_a_code_that_is_stored_only_as_a_hash(
    configured: None, engine: Engine, who: str
) -> None:
    result = percorso("counselor", "link", who)

    assert result.exit_code == 0, result.output
    assert "Ana Silva" in result.output
    code = result.output.split("/link ")[1].split()[0]
    with Session(engine) as db:
        (link,) = db.exec(select(LinkCode)).all()
    assert link.code_hash == code_hash(code) != code
    assert (link.purpose, link.used_at) == ("counselor", None)
    assert (link.expires_at - link.created_at).total_seconds() == 15 * 60


@pytest.mark.parametrize(("who", "says"), [("nobody", "no counselor"), ("o", "several")])
def test_counselor_link_needs_exactly_one_counselor(
    configured: None, engine: Engine, who: str, says: str
) -> None:
    result = percorso("counselor", "link", who)

    assert result.exit_code == 1
    assert says in result.output
    with Session(engine) as db:
        assert db.exec(select(LinkCode)).all() == []
