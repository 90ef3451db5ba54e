"""Encryption at rest: every free-text or identifying column is stored as a Fernet token and
read back in clear through the model; an address is found by its keyed hash; a rotation covers
every such column, so that the old key can be dropped."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.crypto import Cipher, EncryptedJSON, EncryptedText
from storage.db import cipher_of, make_engine, unit_of_work, use_cipher
from storage.desk import PathStage, StaffAccount
from storage.models import Identity, Intake, LinkCode, Outbox, Person
from storage.repositories import find_identity, find_or_create_identity, record_consent
from storage.rotation import ENCRYPTED, rotate
from storage.tables import metadata
from tests.clock import TUESDAY

PHONE = "+351912000222"
NAME = "Ermelinda"
TOWN = "Vila Nova de Cerveira"
EXPERIENCE = "I cleaned offices until my back surgery"
BODY = "Ermelinda, your meeting is on Friday"
REASON = "my daughter is in hospital"
NOTE = "She needs childcare before any course"
CLEAR = {
    ("person", "first_name"): NAME,
    ("identity", "address"): PHONE,
    ("intake", "municipality"): TOWN,
    ("intake", "experience_text"): EXPERIENCE,
    ("outbox", "payload"): BODY,
    ("link_code", "address"): PHONE,
    ("path_stage", "note"): NOTE,
}


def someone_with_everything(engine: Engine) -> str:
    """A person with a value in each encrypted column but the appointment's (tests/booking)."""
    with unit_of_work(engine) as db:
        identity = find_or_create_identity(db, "sms", PHONE, TUESDAY)
        person = db.get(Person, identity.person_id)
        assert person is not None and identity.id is not None
        person.first_name = NAME
        record_consent(db, person.id, "general", True, "2026-11", "sms", TUESDAY)
        db.add(
            Intake(
                person_id=person.id,
                channel="sms",
                lang="pt",
                started_at=TUESDAY,
                municipality=TOWN,
                experience_text=EXPERIENCE,
                consent_version="2026-11",
            )
        )
        db.add(
            Outbox(
                person_id=person.id,
                identity_id=identity.id,
                channel="sms",
                kind="reply",
                payload={"text": BODY},
                priority=1,
                not_before=TUESDAY,
                status="failed",
                created_at=TUESDAY,
            )
        )
        db.add(
            LinkCode(
                code_hash="h",
                purpose="identity",
                person_id=person.id,
                channel="sms",
                address=PHONE,
                created_at=TUESDAY,
                expires_at=TUESDAY,
            )
        )
        account = StaffAccount(
            email="c@rede.example.org", password_hash="x", role="admin", created_at=TUESDAY
        )
        db.add(account)
        db.flush()
        assert account.id is not None
        db.add(
            PathStage(
                person_id=person.id,
                account_id=account.id,
                stage="orientation",
                outcome="done",
                note=NOTE,
                recorded_at=TUESDAY,
            )
        )
        return person.id


def stored(engine: Engine, table: str, column: str) -> str:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT {column} FROM {table}")).scalar_one()


def test_each_encrypted_column_holds_a_token_that_decrypts_to_what_was_written(
    engine: Engine, cipher: Cipher
) -> None:
    someone_with_everything(engine)
    for (table, column), clear in CLEAR.items():
        token = stored(engine, table, column)
        assert token.startswith("gAAAAA"), (table, column)
        assert clear not in token and clear in cipher.decrypt_text(token), (table, column)
    with Session(engine) as db:
        intake = db.exec(select(Intake)).one()
        row = db.exec(select(Outbox)).one()
        identity = db.exec(select(Identity)).one()
    assert (intake.municipality, intake.experience_text) == (TOWN, EXPERIENCE)
    assert row.payload == {"text": BODY}
    assert identity.address == PHONE
    assert identity.address_index == cipher_of(engine).address_index("sms", PHONE)


def test_an_address_is_found_by_its_keyed_hash_and_stored_once(engine: Engine) -> None:
    someone_with_everything(engine)
    with unit_of_work(engine) as db:
        found = find_identity(db, "sms", PHONE)
        assert found is not None and found.address == PHONE
        assert find_identity(db, "telegram", PHONE) is None  # the channel is in the hash
        assert find_or_create_identity(db, "sms", PHONE, TUESDAY).id == found.id
    with pytest.raises(IntegrityError), unit_of_work(engine) as db:
        db.add(Identity(person_id=found.person_id, channel="sms", address=PHONE,
                        created_at=TUESDAY))  # fmt: skip


def test_an_address_that_changes_gets_the_hash_of_its_new_value(engine: Engine) -> None:
    someone_with_everything(engine)
    with unit_of_work(engine) as db:
        identity = find_identity(db, "sms", PHONE)
        assert identity is not None
        identity.address = "+351912000333"
        db.add(identity)
    with unit_of_work(engine) as db:
        assert find_identity(db, "sms", PHONE) is None
        assert find_identity(db, "sms", "+351912000333") is not None


def test_an_encrypted_column_refuses_a_comparison_that_could_never_match() -> None:
    with pytest.raises(TypeError, match="encrypted column"):
        select(Identity).where(Identity.address == PHONE)
    with pytest.raises(TypeError, match="encrypted column"):
        select(Intake).order_by(Intake.municipality.desc())  # type: ignore[union-attr]
    select(Person).where(Person.first_name.is_(None))  # type: ignore[union-attr]


def test_a_rotation_covers_every_encrypted_column_and_the_old_key_can_go(
    engine: Engine, database_url: str, secret_key: str
) -> None:
    person_id = someone_with_everything(engine)
    new_key = Fernet.generate_key().decode()

    rotate(engine, Cipher.from_key(f"{new_key},{secret_key}"), batch=2)

    old_only = Cipher.from_key(secret_key)
    for table, column in CLEAR:
        with pytest.raises(InvalidToken):
            old_only.decrypt_text(stored(engine, table, column))
    fresh = make_engine(database_url)  # a process started with the new key alone
    try:
        use_cipher(fresh, Cipher.from_key(new_key))
        with Session(fresh) as db:
            person = db.get(Person, person_id)
            intake = db.exec(select(Intake)).one()
            row = db.exec(select(Outbox)).one()
            assert person is not None and person.first_name == NAME
            assert (intake.municipality, intake.experience_text) == (TOWN, EXPERIENCE)
            assert row.payload == {"text": BODY}
            identity = find_identity(db, "sms", PHONE)  # the index key came through too
            assert identity is not None and identity.address == PHONE
    finally:
        fresh.dispose()


def test_rotation_knows_every_encrypted_column_of_the_models() -> None:
    typed = {
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedJSON)
    }
    assert typed <= {(e.table, e.column) for e in ENCRYPTED}
    assert {("appointment", "cancel_reason"), *CLEAR} <= typed
