"""After a complete intake, a booking, a hand-over, reminders and a counselor's agenda, none of
the person's words, names or numbers is in clear in the database files, and DELETE leaves them
nowhere: neither in clear, nor in any token the application's key decrypts."""

import base64
import re
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.conversation.service import ConversationService
from bot.counselors.handovers import HandOverRules
from bot.counselors.inbox import HandOverInbox
from bot.jobs.agenda import queue_agendas
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.booking import Appointment
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import HandOver, Identity, OptOut, Outbox, OutboxMention
from storage.repositories import find_or_create_identity
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE

PHONE = "+351912345678"
NAME = "Wilhelmina"
TOWN = "Gondomar"
EXPERIENCE = "I worked as a cook until my epilepsy came back, and I look after my grandmother"
TOLD = "My neighbour Ruprecht drives me to the hospital"
ANSWERED = "Hello, we can meet on Thursday"
WORDS = (NAME, TOWN, "epilepsy", "grandmother", "Ruprecht", "hospital", "Thursday")
NUMBERS = (PHONE, PHONE.removeprefix("+351"))
CHAT_ID = "5938271046"
FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_=-]{40,}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine: Engine, cipher: Cipher, clock: FakeClock) -> ConversationService:
    seed_demo_if_empty(engine)
    rules = HandOverRules(take_minutes=120, coordinator_email="coord@rede.example.org")
    return ConversationService(engine, intake_flow(), cipher, "2026-11", None, clock,
                               hand_over_rules=rules)  # fmt: skip


def answers() -> list[str]:
    given = list(ENGLISH_INTAKE)
    given[given.index("Porto")] = TOWN
    given[given.index("I worked five years as a cook and I look after my grandmother")] = EXPERIENCE
    return given


def a_whole_journey(service: ConversationService, clock: FakeClock) -> Chat:
    """Intake, first name, a booking with its reminders, a hand-over answered by the counselor,
    and the counselor's morning agenda listing the person."""
    chat = Chat(service, PHONE, channel="sms")
    chat.start("en")
    for answer in answers():
        chat.say(answer)
    chat.say(NAME)
    assert texts(chat.say("1")).startswith("Booked:")
    chat.say("talk to a person")
    chat.say(TOLD)
    engine = service.engine
    with Session(engine) as db:
        hand_over = db.exec(select(HandOver)).one()
        appointment = db.exec(select(Appointment)).one()
    HandOverInbox(service).answer(hand_over.id, appointment.counselor_id, ANSWERED)
    HandOverInbox(service).close(hand_over.id, appointment.counselor_id)
    zone = ZoneInfo("Europe/Lisbon")
    morning = datetime.combine(appointment.starts_at.astimezone(zone).date(), time(8, 10), zone)
    clock.now = max(clock.now, morning)
    assert queue_agendas(engine, intake_flow().catalogues, clock(), "Europe/Lisbon", 8) == 1
    return chat


def database_files(engine: Engine) -> list[Path]:
    main = Path(engine.url.database or "")
    return [path for path in (main, main.with_name(main.name + "-wal"),
                              main.with_name(main.name + "-shm")) if path.exists()]  # fmt: skip


def found_in_files(engine: Engine, cipher: Cipher, needles: tuple[str, ...]) -> set[str]:
    """The needles present in the raw files, in clear or inside a token the key decrypts."""
    raw = b"".join(path.read_bytes() for path in database_files(engine))
    readable = [raw.decode("utf-8", "replace")]
    for found in set(FERNET_TOKEN.findall(raw)):
        for token in token_prefixes(found.decode("ascii")):
            try:
                readable.append(cipher.decrypt_text(token))
                break
            except Exception:  # a token cut by a page boundary, or a leftover of another key
                continue
    return {needle for needle in needles if any(needle in text for text in readable)}


def token_prefixes(found: str) -> list[str]:
    """The prefixes of `found` that have a token's length, longest first: SQLite stores a row's
    values side by side, so the text after a token (a date, a code) runs into its match."""
    lengths = (len(base64.urlsafe_b64encode(bytes(57 + 16 * blocks)))
               for blocks in range(len(found) * 3 // 64, -1, -1))  # fmt: skip
    return [found[:length] for length in lengths if length <= len(found)]


def test_the_journey_leaves_what_is_looked_for_in_the_files(
    service: ConversationService, clock: FakeClock, engine: Engine, cipher: Cipher
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("reads the SQLite files")
    a_whole_journey(service, clock)
    # The scan finds the person before the erasure: a scan that finds nothing proves nothing.
    assert found_in_files(engine, cipher, WORDS + NUMBERS) == set(WORDS + NUMBERS)


def found_in_clear(engine: Engine, needles: tuple[str, ...]) -> set[str]:
    """The needles readable in the raw files as they are, without any key."""
    raw = b"".join(path.read_bytes() for path in database_files(engine))
    return {needle for needle in needles if needle.encode() in raw}


def test_no_identifying_field_is_in_clear_in_the_files_before_any_erasure(
    service: ConversationService, clock: FakeClock, engine: Engine, cipher: Cipher
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("reads the SQLite files")
    a_whole_journey(service, clock)
    on_telegram = Chat(service, CHAT_ID, channel="telegram")  # a chat id as well as a number
    on_telegram.start("en")
    on_telegram.say(EXPERIENCE)
    assert found_in_files(engine, cipher, (CHAT_ID,)) == {CHAT_ID}  # it is there, encrypted
    assert found_in_clear(engine, WORDS + NUMBERS + (CHAT_ID, EXPERIENCE, TOLD, ANSWERED)) == set()


def test_erasure_leaves_none_of_the_persons_words_names_or_numbers_in_the_files(
    service: ConversationService, clock: FakeClock, engine: Engine, cipher: Cipher
) -> None:
    chat = a_whole_journey(service, clock)
    with Session(engine) as db:
        assert db.exec(select(OutboxMention)).all()  # the agenda names the person
    chat.say("delete my data")
    assert texts(chat.say("yes")).startswith("Done: your data has been deleted.")
    with Session(engine) as db:
        rows = db.exec(select(Outbox)).all()
        assert not db.exec(select(OutboxMention)).all()
    kept = [row.payload.get("text", "") for row in rows]
    assert not [text for text in kept for word in WORDS if word in text]
    if engine.dialect.name != "sqlite":
        return
    assert not found_in_files(engine, cipher, WORDS)


def test_an_erased_opted_out_address_stays_opted_out_by_its_hash_alone(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    chat = Chat(service, "console-1")
    chat.start("en")
    chat.say("yes")
    with unit_of_work(engine) as db:  # the same person by SMS, who sent STOP there
        db.add(Identity(person_id=chat.person_id, channel="sms", address=PHONE, opted_out=True,
                        created_at=clock()))  # fmt: skip
    chat.say("delete my data")
    chat.say("yes")
    with unit_of_work(engine) as db:
        (kept,) = db.exec(select(OptOut)).all()
        assert len(kept.address_index) == 64  # a hash, with no time and no person
        assert db.exec(select(Identity).where(Identity.channel == "sms")).first() is None
        again = find_or_create_identity(db, "sms", PHONE, clock())
        assert again.opted_out and again.person_id != chat.person_id
