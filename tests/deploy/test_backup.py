"""deploy/backup.sh and deploy/restore.sh on the local PostgreSQL: a person's intake and meeting,
backed up and restored into another database, read back through the application's own code
with the key."""

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bot.conversation.service import ConversationService
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage import repositories as repo
from storage.appointments import appointments_for_export
from storage.crypto import Cipher
from storage.db import make_engine, use_cipher
from storage.migrate import upgrade
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.conftest import POSTGRES_URL
from tests.intake_script import ENGLISH_INTAKE

DEPLOY = Path(__file__).parents[2] / "deploy"
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PERCORSO_TEST_DATABASE_URL unset")


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server; drops them all afterwards."""
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def create() -> str:
        name = f"percorso_backup_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as connection:
        for name in made:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def opened(url: str, cipher: Cipher) -> Engine:
    engine = make_engine(url)
    use_cipher(engine, cipher)
    return engine


def what_is_kept(engine: Engine, cipher: Cipher, person_id: str) -> dict:
    with Session(engine) as db:
        return {
            "intakes": repo.intakes_for_export(db),
            "appointments": appointments_for_export(db),
            "conversation": repo.load_conversation(db, person_id, cipher),
        }


def script(name: str, *args: str, database_url: str = "") -> str:
    env = {"PATH": os.environ["PATH"], "PERCORSO_DATABASE_URL": database_url}
    ran = subprocess.run([DEPLOY / name, *args], env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


def test_a_backup_restored_elsewhere_reads_back_with_the_key(
    new_database: Callable[[], str], secret_key: str, tmp_path: Path
) -> None:
    cipher = Cipher.from_key(secret_key)
    source_url = new_database()
    upgrade(source_url)
    source = opened(source_url, cipher)
    seed_demo_if_empty(source)
    service = ConversationService(source, intake_flow(), cipher, "2026-11", None, FakeClock())
    chat = Chat(service, "+351912345678", channel="sms")
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        chat.say(answer)
    chat.say("Wilhelmina")
    assert texts(chat.say("1")).startswith("Booked:")
    before = what_is_kept(source, cipher, chat.person_id)
    source.dispose()

    dump = Path(script("backup.sh", str(tmp_path), database_url=source_url))
    assert dump.parent == tmp_path and dump.name.endswith(".dump")
    assert not list(tmp_path.glob("*.partial"))
    copy_url = new_database()
    script("restore.sh", str(dump), copy_url)

    upgrade(copy_url)  # already at the latest schema: nothing to do, nothing fails
    copy = opened(copy_url, Cipher.from_key(secret_key))  # the key, as a new process reads it
    after = what_is_kept(copy, Cipher.from_key(secret_key), chat.person_id)
    with pytest.raises(InvalidToken):  # the dump alone is not enough to read anyone's answers
        what_is_kept(copy, Cipher.from_key(Fernet.generate_key().decode()), chat.person_id)
    copy.dispose()
    assert after == before
    assert after["intakes"][0]["municipality"] == "Porto"
    assert after["appointments"][0]["status"] == "booked"
    assert after["conversation"] is not None
