"""Shared fixtures. No test reaches anything but this machine (only_loopback). `database_url`
runs a test on SQLite, and on PostgreSQL as well when PERCORSO_TEST_DATABASE_URL is set;
`engine` gives it a migrated, empty database."""

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from storage.audit import install_guard, lift_guard
from storage.crypto import Cipher
from storage.db import make_engine, use_cipher
from storage.migrate import alembic_config, upgrade
from storage.tables import metadata
from tests.fakes.smtp_server import Mailbox, running_smtp
from tests.fakes.telegram_server import FakeTelegram, running
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.fakes.twilio_server import running as running_twilio

POSTGRES_URL = os.environ.get("PERCORSO_TEST_DATABASE_URL", "")


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            raise AssertionError(f"a test tried to reach {address[0]}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(
    scope="session",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="PERCORSO_TEST_DATABASE_URL unset"),
        ),
    ],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with new_database(request.param, tmp_path_factory) as url:
        yield url


@contextmanager
def new_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an empty database of its own on `backend` ("sqlite" or "postgresql"), dropped
    at the end of the block."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'percorso.sqlite3'}"
        return
    # A schema of our own, so a test run neither sees nor leaves anything in the database.
    schema = f"percorso_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def migrated_engine(url: str, cipher: Cipher) -> Engine:
    engine = make_engine(url)
    # Most tests find the database at the latest revision, left so by the test before; asking
    # it costs a query, where alembic's upgrade would open an engine of its own and read every
    # migration file to learn that there is nothing to do.
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    if revision != latest_revision():
        upgrade(url)
    use_cipher(engine, cipher)
    return engine


@cache
def latest_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


@pytest.fixture
def engine(database_url: str, cipher: Cipher) -> Iterator[Engine]:
    engine = migrated_engine(database_url, cipher)
    yield engine
    with engine.begin() as connection:
        lift_guard(connection)  # the audit log refuses deletes; emptying the database may
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        install_guard(connection)
    engine.dispose()


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    with running(FakeTelegram()) as fake:
        yield fake


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[FakeTwilio]:
    with running_twilio(FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)) as fake:
        yield fake


@pytest.fixture
def twilio(twilio_server: FakeTwilio) -> FakeTwilio:
    twilio_server.reset()
    return twilio_server


@pytest.fixture
def telegram(telegram_server: FakeTelegram) -> FakeTelegram:
    telegram_server.reset()
    return telegram_server


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, str]]:
    """A real SMTP server on loopback: its mailbox, and the URL to reach it."""
    with running_smtp() as server:
        yield server


@pytest.fixture
def secret_key() -> str:
    """The key of the test's database."""
    return Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def secret_key_configured(secret_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command a test runs holds the key of the test's database."""
    monkeypatch.setenv("PERCORSO_SECRET_KEY", secret_key)


@pytest.fixture
def cipher(secret_key: str) -> Cipher:
    return Cipher.from_key(secret_key)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite the golden transcripts"
    )


@pytest.fixture(scope="session")
def nlp_pipeline():
    from nlp import load

    return load()


@pytest.fixture
def understand(nlp_pipeline):
    """The real NLP, as the conversation service calls it."""
    return nlp_pipeline.parse
