"""`percorso staff add|list|disable` on the configured database."""

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.desk.passwords import verify
from bot.network.importer import seed_demo_if_empty
from bot.settings import get_settings
from storage import staff as accounts
from storage.db import unit_of_work
from tests.command_line import percorso

PASSWORD = "a long enough password\n"


@pytest.fixture
def configured(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    seed_demo_if_empty(engine)
    monkeypatch.setenv("PERCORSO_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def staff(*args: str, password: str = PASSWORD) -> tuple[int, str]:
    ran = percorso("staff", *args, stdin=password)
    return ran.exit_code, ran.output


def test_accounts_are_added_listed_and_disabled(configured: Engine) -> None:
    added = staff("add", "Ana.Silva@example.org", "--counselor", "ana-silva", "--password-stdin")
    assert added[0] == 0 and json.loads(added[1])["lang"] == "pt"  # her first language
    assert staff("add", "coord@example.org", "--role", "coordinator", "--password-stdin")[0] == 0
    with unit_of_work(configured) as db:
        ana = accounts.account_by_email(db, "ana.silva@example.org")
    assert ana is not None and verify(ana.password_hash, PASSWORD.strip())

    listed = [json.loads(line) for line in staff("list")[1].splitlines()]
    assert [(a["email"], a["role"], a["counselor"]) for a in listed] == [
        ("ana.silva@example.org", "counselor", "ana-silva"),
        ("coord@example.org", "coordinator", None),
    ]
    assert staff("disable", "ana.silva@example.org")[0] == 0
    assert json.loads(staff("list")[1].splitlines()[0])["disabled"] is True


@pytest.mark.parametrize(
    ("args", "password", "error"),
    [
        (["--counselor", "nobody"], PASSWORD, "no counselor nobody"),
        (["--role", "coordinator"], "short\n", "at least 12 characters"),
        (["--counselor", "ana-silva", "--role", "admin"], PASSWORD, "either --counselor"),
    ],
)
def test_a_wrong_account_is_refused_with_a_reason(
    configured: Engine, args: list[str], password: str, error: str
) -> None:
    code, output = staff("add", "x@example.org", *args, "--password-stdin", password=password)
    assert code == 1 and error in output


def test_totp_prints_an_authenticator_address_and_the_login_then_needs_its_code(
    configured: Engine,
) -> None:
    staff("add", "ana.silva@example.org", "--counselor", "ana-silva", "--password-stdin")
    code, printed = staff("totp", "ana.silva@example.org", password="")
    assert code == 0 and printed.startswith("otpauth://totp/percorso:ana.silva%40example.org")
    with unit_of_work(configured) as db:
        account = accounts.account_by_email(db, "ana.silva@example.org")
    assert account is not None and account.totp_secret is not None
    assert "JBSW" not in account.totp_secret and printed.split("secret=")[1][:16] not in (
        account.totp_secret)  # kept encrypted, never as printed
