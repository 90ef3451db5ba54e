"""Migration 0010 encrypts the rows a 0009 database holds in clear, indexes their addresses,
and gives them back in clear on the way down."""

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.crypto import Cipher
from storage.db import make_engine, unit_of_work, use_cipher
from storage.migrate import alembic_config, upgrade
from storage.models import Intake, Outbox, Person
from storage.repositories import find_identity
from storage.tables import metadata
from tests.clock import TUESDAY

PHONE = "+351912000444"
NAME = "Gervásio"
TOWN = "Ponte da Barca"
EXPERIENCE = "Trabalhei nas obras até à minha depressão"
PAYLOAD = {"text": "Olá Gervásio", "choices": [["sim", "Sim"]]}


def table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


PERSON = table("person", "id", "created_at", "first_name")
IDENTITY = table("identity", "id", "person_id", "channel", "address", "reachable", "opted_out",
                 "created_at")  # fmt: skip
INTAKE = table("intake", "id", "person_id", "channel", "lang", "started_at", "municipality",
               "experience_text", "occupations", "skills", "languages", "availability",
               "consent_version", "special_consent")  # fmt: skip
OUTBOX = sa.table("outbox", *(sa.column(c) for c in ("id", "person_id", "identity_id", "channel",
                  "kind", "priority", "not_before", "status", "attempts", "created_at")),
                  sa.column("payload", sa.JSON))  # fmt: skip


@pytest.fixture
def at_0009(database_url: str, cipher: Cipher) -> Iterator[Engine]:
    """The shared test database taken down to 0009, holding one person in clear; back at head
    and emptied afterwards."""
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "0009")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.insert(PERSON).values(id="p1", created_at=TUESDAY, first_name=NAME))
        connection.execute(sa.insert(IDENTITY).values(
            id=1, person_id="p1", channel="sms", address=PHONE, reachable=True, opted_out=False,
            created_at=TUESDAY))  # fmt: skip
        connection.execute(
            sa.insert(INTAKE).values(
                id=1,
                person_id="p1",
                channel="sms",
                lang="pt",
                started_at=TUESDAY,
                municipality=TOWN,
                experience_text=EXPERIENCE,
                occupations="[]",
                skills="[]",
                languages="[]",
                availability="[]",
                consent_version="2026-11",
                special_consent=False,
            )
        )
        connection.execute(
            sa.insert(OUTBOX).values(
                id=1,
                person_id="p1",
                identity_id=1,
                channel="sms",
                kind="reply",
                priority=1,
                not_before=TUESDAY,
                status="sent",
                attempts=1,
                created_at=TUESDAY,
                payload=PAYLOAD,
            )
        )
    yield engine
    upgrade(database_url, cipher)
    with engine.begin() as connection:
        for emptied in reversed(metadata.sorted_tables):
            if emptied.name != "record_view":  # append-only, and never written here
                connection.execute(emptied.delete())
    engine.dispose()


def raw(engine: Engine, query: str) -> tuple:
    with engine.connect() as connection:
        return tuple(connection.exec_driver_sql(query).one())


def test_the_rows_of_0009_come_out_encrypted_indexed_and_readable(
    at_0009: Engine, database_url: str, cipher: Cipher
) -> None:
    upgrade(database_url, cipher)

    (first_name,) = raw(at_0009, "SELECT first_name FROM person")
    address, index = raw(at_0009, "SELECT address, address_index FROM identity")
    town, experience = raw(at_0009, "SELECT municipality, experience_text FROM intake")
    (payload,) = raw(at_0009, "SELECT payload FROM outbox")
    for token, clear in ((first_name, NAME), (address, PHONE), (town, TOWN),
                         (experience, EXPERIENCE), (payload, "Gervásio")):  # fmt: skip
        assert token.startswith("gAAAAA") and clear not in token
    use_cipher(at_0009, cipher)
    with Session(at_0009) as db:
        person = db.get(Person, "p1")
        intake = db.exec(select(Intake)).one()
        row = db.exec(select(Outbox)).one()
        assert person is not None and person.first_name == NAME
        assert (intake.municipality, intake.experience_text) == (TOWN, EXPERIENCE)
        assert row.payload == PAYLOAD and row.purged_at is None
        identity = find_identity(db, "sms", PHONE)
        assert identity is not None and identity.address_index == index


def test_without_the_key_the_migration_refuses_rather_than_leave_rows_in_clear(
    at_0009: Engine, database_url: str
) -> None:
    with pytest.raises(RuntimeError, match="PERCORSO_SECRET_KEY"):
        upgrade(database_url)
    assert raw(at_0009, "SELECT first_name FROM person") == (NAME,)  # rolled back whole


def test_the_way_down_gives_the_rows_back_in_clear(
    at_0009: Engine, database_url: str, cipher: Cipher
) -> None:
    upgrade(database_url, cipher)
    command.downgrade(alembic_config(database_url, cipher), "0009")
    assert raw(at_0009, "SELECT first_name FROM person") == (NAME,)
    assert raw(at_0009, "SELECT address FROM identity") == (PHONE,)
    assert raw(at_0009, "SELECT municipality, experience_text FROM intake") == (TOWN, EXPERIENCE)
    (payload,) = raw(at_0009, "SELECT payload FROM outbox")
    assert (json.loads(payload) if isinstance(payload, str) else payload) == PAYLOAD
    upgrade(database_url, cipher)
    use_cipher(at_0009, cipher)
    with unit_of_work(at_0009) as db:
        assert find_identity(db, "sms", PHONE) is not None
