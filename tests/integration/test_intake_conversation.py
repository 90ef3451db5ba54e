"""The intake through the conversation service, on SQLite and PostgreSQL."""

import json
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import Engine, func, text
from sqlmodel import select

from bot.conversation.service import ConversationService, Understand
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from nlp.understanding import Understanding
from storage import repositories as repo
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Consent, Conversation, InboundSeen, Intake, IntakeSpecial
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE
from tests.integration.conftest import NOTICE


def _count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as db:
        return db.exec(select(func.count()).select_from(model)).one()


def _state(engine: Engine, cipher: Cipher, person_id: str) -> dict:
    with unit_of_work(engine) as db:
        return repo.load_conversation(db, person_id, cipher)


def test_nothing_about_the_person_is_stored_before_consent(
    service: ConversationService, engine: Engine, cipher: Cipher
) -> None:
    chat = Chat(service)
    chat.start("en")
    assert _state(engine, cipher, chat.person_id)["answers"] == {}
    reply = texts(chat.say("no"))
    assert "Rua de Santa Catarina 312" in reply and "Via dell'Indipendenza 8" in reply
    assert _state(engine, cipher, chat.person_id)["answers"] == {}
    assert _count(engine, Intake) == 0
    with unit_of_work(engine) as db:
        (consent,) = db.exec(select(Consent)).all()
    assert (consent.scope, consent.granted, consent.notice_version) == ("general", False, NOTICE)


def test_a_completed_intake_is_a_typed_record_with_special_answers_kept_apart(
    service: ConversationService, engine: Engine, cipher: Cipher, clock: FakeClock
) -> None:
    chat = Chat(service)
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        clock.advance(seconds=20)
        chat.say(answer)
    assert "Suggested next step: orientation" in texts(chat.sent[-2:])
    with unit_of_work(engine) as db:
        (intake,) = db.exec(select(Intake)).all()
        special = db.exec(select(IntakeSpecial)).one()
        raw = db.exec(text("SELECT state FROM conversation")).one()[0]
    assert intake.person_id == chat.person_id
    assert (intake.channel, intake.lang, intake.municipality) == ("console", "en", "Porto")
    assert (intake.age_band, intake.unemployed_since, intake.benefits) == ("25-29", "gt2y", "none")
    assert intake.isced == 6
    assert intake.languages == [
        {"code": "it", "level": "native"}, {"code": "pt", "level": "B"},
        {"code": "en", "level": "A"},
    ]  # fmt: skip
    assert intake.availability == ["full_time", "mornings"]
    assert (intake.goal, intake.track) == ("work", "orientation")
    assert intake.track_reason.startswith("After a long time away from work")
    assert intake.consent_version == NOTICE and intake.special_consent is True
    assert intake.started_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert intake.completed_at == clock.now
    assert cipher.decrypt_json(special.payload) == {
        "disability": None, "justice": "no", "target_groups": ["migrant"],
    }  # fmt: skip
    assert "migrant" not in special.payload and "Porto" not in raw


def test_a_retried_inbound_is_processed_once(service: ConversationService, engine: Engine) -> None:
    chat = Chat(service)
    chat.start("en")
    first = chat.say("yes", external_id="wamid-1")
    again = chat.say("yes", external_id="wamid-1")
    assert "municipality" in texts(first)
    assert again == []
    assert _count(engine, InboundSeen) == 2


def test_a_person_who_comes_back_days_later_is_reminded_where_they_were(
    service: ConversationService, clock: FakeClock
) -> None:
    chat = Chat(service)
    chat.start("en")
    chat.say("yes")
    chat.say("Porto")
    clock.advance(days=3)
    reply = texts(chat.say("hello again"))
    assert reply.startswith("Welcome back! We were talking about your age.")
    assert "How old are you?" in reply
    assert "Please answer with a number" not in reply


def test_bad_input_gets_a_polite_reply_and_loses_nothing(
    service: ConversationService, engine: Engine, cipher: Cipher
) -> None:
    chat = Chat(service)
    chat.start("en")
    for answer in ENGLISH_INTAKE[:3]:
        chat.say(answer)
    saved = _state(engine, cipher, chat.person_id)
    for junk in ["", "x" * 10_000, "🙂🙂🙂", "'; DROP TABLE intake; --", "<b>9</b>", "\x00\x1b[2J"]:
        reply = chat.say(junk)
        assert reply, f"no reply to {junk[:20]!r}"
        after = _state(engine, cipher, chat.person_id)
        assert after["answers"] == saved["answers"]
        assert after["node"] in (saved["node"], "stuck")
    assert "How long have you been without work?" in texts(chat.say("try again"))


def test_deleting_my_data_erases_the_intake_and_confirms_to_the_person(
    service: ConversationService, engine: Engine
) -> None:
    chat = Chat(service)
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        chat.say(answer)
    erased = chat.person_id
    chat.say("delete")
    reply = texts(chat.say("yes"))
    assert "your data has been deleted" in reply
    assert _count(engine, Intake) == 0 and _count(engine, IntakeSpecial) == 0
    assert _count(engine, Conversation) == 0
    with unit_of_work(engine) as db:
        assert not repo.has_consent(db, erased, "general")
    fresh = texts(chat.say("hello"))
    assert "Hello!" in fresh and "Porto" not in fresh


def test_export_prints_the_documented_columns_as_json_and_csv(
    service: ConversationService, database_url: str, tmp_path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from bot.entry.cli import app
    from bot.settings import get_settings

    chat = Chat(service)
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        chat.say(answer)
    monkeypatch.setenv("PERCORSO_DATABASE_URL", database_url)
    monkeypatch.setenv("PERCORSO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        as_json = CliRunner().invoke(app, ["export", "intakes", "--format", "json"])
        as_csv = CliRunner().invoke(app, ["export", "intakes", "--format", "csv"])
    finally:
        get_settings.cache_clear()
    (row,) = json.loads(as_json.stdout)
    assert row["person_id"] == chat.person_id and row["isced"] == 6
    assert row["special_consent"] is True and "target_groups" not in row
    header, line = as_csv.stdout.strip().splitlines()
    assert header.split(",")[:4] == ["id", "person_id", "channel", "lang"]
    assert '"[""full_time"", ""mornings""]"' in line


def _write_lock_free(engine: Engine) -> bool:
    """Whether another connection could start writing now, without waiting."""
    if engine.dialect.name != "sqlite":
        return True
    other = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_on_sqlite_a_text_is_understood_once_and_outside_the_write_lock(
    engine: Engine, cipher: Cipher, clock: FakeClock, understand: Understand
) -> None:
    """The parse does not hold up every other writer of the file (the one write lock)."""
    seed_demo_if_empty(engine)
    calls: list[tuple[str, str, bool]] = []

    def watched(text: str, lang: str, tz: str, now: datetime) -> Understanding:
        calls.append((text, lang, _write_lock_free(engine)))
        return understand(text, lang, tz, now)

    chat = Chat(ConversationService(engine, intake_flow(), cipher, NOTICE, watched, clock))
    chat.start("pt")
    said = ["sim", "Gondomar", "sim"]
    replies = [texts(chat.say(text)) for text in said]
    assert [(text, lang) for text, lang, _ in calls] == [(text, "pt") for text in said]
    assert all(free for _, _, free in calls)
    assert "Gondomar" in replies[1]  # understood as a place, as before
