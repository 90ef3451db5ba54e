"""Keys: serve and worker refuse to start without one; the demo makes its own outside the
database folder; a rotation re-encrypts everything so that the old key can be dropped."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, text

from bot.settings import Settings, get_settings
from storage.crypto import Cipher, load_cipher
from storage.db import cipher_of, unit_of_work, use_cipher
from storage.handovers import add_message
from storage.models import HandOver
from storage.repositories import find_or_create_identity, save_conversation
from storage.rotation import rotate
from tests.clock import TUESDAY
from tests.command_line import percorso


@pytest.fixture
def unkeyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PERCORSO_SECRET_KEY")
    monkeypatch.setenv("PERCORSO_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("command", [("serve",), ("worker",)])
def test_serve_and_worker_refuse_to_start_without_a_key(unkeyed: Path, command) -> None:
    ran = percorso(*command)
    assert ran.exit_code == 1
    assert "PERCORSO_SECRET_KEY is not set" in ran.stderr
    assert "Fernet.generate_key()" in ran.stderr
    assert not (unkeyed / "var").exists()  # refused before anything was made


def test_the_demo_key_lives_outside_the_database_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    assert tmp_path / "var" not in settings.demo_key_file.parents
    assert settings.demo_key_file.parent.name == "percorso"


def test_keys_new_prints_a_key_that_works() -> None:
    ran = percorso("keys", "new")
    assert ran.exit_code == 0
    Cipher.from_key(ran.stdout.strip()).encrypt_text("x")


def stored_tokens(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [
            *connection.execute(text("SELECT state FROM conversation")).scalars(),
            *connection.execute(text("SELECT text FROM hand_over_message")).scalars(),
            *connection.execute(text("SELECT secret FROM keyring")).scalars(),
        ]


def test_a_rotation_lets_the_old_key_go(engine: Engine, secret_key: str) -> None:
    old = cipher_of(engine)
    with unit_of_work(engine) as db:
        person_id = find_or_create_identity(db, "sms", "+351912000111", TUESDAY).person_id
        save_conversation(db, person_id, "intake", None, "active", {"n": 1}, old, TUESDAY)
        hand_over = HandOver(person_id=person_id, requested_at=TUESDAY)
        db.add(hand_over)
        db.flush()
        for n in range(7):  # more than a batch
            add_message(db, old, hand_over.id, "person", f"message {n}", TUESDAY)
    index_before = old.address_index("sms", "+351912000111")
    new_key = Fernet.generate_key().decode()
    both = Cipher.from_key(f"{new_key},{secret_key}")

    # the index key, a conversation, 7 messages, the address
    assert rotate(engine, both, batch=3) == 10

    only_new = Cipher.from_key(new_key)
    for token in stored_tokens(engine):
        only_new.decrypt_text(token)
        with pytest.raises(InvalidToken):
            Cipher.from_key(secret_key).decrypt_text(token)
    assert use_cipher(engine, only_new).address_index("sms", "+351912000111") == index_before


def test_the_demo_key_file_is_private_and_made_once(tmp_path: Path) -> None:
    key_file = tmp_path / "config" / "demo.key"
    first = load_cipher(None, key_file).encrypt_text("x")
    assert load_cipher(None, key_file).decrypt_text(first) == "x"
    assert key_file.stat().st_mode & 0o077 == 0


def test_a_command_without_a_key_or_a_demo_key_makes_none_and_says_how(
    unkeyed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_key = unkeyed / "config" / "demo.key"
    monkeypatch.setenv("PERCORSO_DEMO_KEY_FILE", str(demo_key))
    ran = percorso("db", "upgrade")
    assert ran.exit_code == 1
    assert "PERCORSO_SECRET_KEY is not set and there is no demo key" in ran.stderr
    assert not demo_key.exists() and not (unkeyed / "var").exists()


def test_a_command_after_the_demo_uses_the_demo_key(
    unkeyed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_key = unkeyed / "config" / "demo.key"
    demo_key.parent.mkdir()
    demo_key.write_text(Fernet.generate_key().decode())
    monkeypatch.setenv("PERCORSO_DEMO_KEY_FILE", str(demo_key))
    assert percorso("db", "upgrade").exit_code == 0
    assert percorso("staff", "list").exit_code == 0


def test_the_wrong_key_is_refused_in_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERCORSO_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    assert percorso("db", "upgrade").exit_code == 0
    monkeypatch.setenv("PERCORSO_SECRET_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    ran = percorso("staff", "list")
    get_settings.cache_clear()
    assert ran.exit_code == 1
    assert "the secret key does not open this database" in ran.stderr
