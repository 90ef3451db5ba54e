"""The cron jobs: nudges for unfinished intakes (after 1 and 3 days of silence, then silence,
never twice), and each counselor's agenda at 08:00 in their own zone, once a day."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.booking import SlotRequest, Wish, book
from bot.jobs.agenda import queue_agendas
from bot.jobs.nudges import queue_nudges
from dialogs.loader import intake_flow
from storage import repositories as repo
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Counselor, Intake, Outbox
from tests.booking.conftest import NOW, offers
from tests.worker.conftest import identities

DAY = timedelta(days=1)
TEXTS = intake_flow().catalogues


def chatting(engine: Engine, cipher: Cipher, address: str, last_message: datetime,
             status: str = "active") -> str:  # fmt: skip
    (identity,) = identities(engine, "telegram", [address], last_message)
    with unit_of_work(engine) as db:
        repo.record_inbound(db, "telegram", f"u{address}", identity.person_id, last_message)
        repo.save_conversation(db, identity.person_id, "intake", "education", status, {},
                               cipher, last_message)  # fmt: skip
    return identity.person_id


def nudges(engine: Engine) -> list[tuple[str, int]]:
    with Session(engine) as db:
        rows = db.exec(select(Outbox).where(Outbox.kind == "nudge").order_by(Outbox.id)).all()
        return [(row.person_id, row.payload["number"]) for row in rows]


def test_a_silent_intake_is_nudged_after_one_day_and_after_three_then_left_alone(
    engine: Engine, cipher: Cipher
) -> None:
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    ana = chatting(engine, cipher, "1", start)

    assert queue_nudges(engine, start + 23 * 60 * timedelta(minutes=1), [1, 3]) == 0
    assert queue_nudges(engine, start + DAY, [1, 3]) == 1
    assert queue_nudges(engine, start + DAY + timedelta(hours=1), [1, 3]) == 0  # not twice
    assert queue_nudges(engine, start + 3 * DAY - timedelta(minutes=1), [1, 3]) == 0
    assert queue_nudges(engine, start + 3 * DAY, [1, 3]) == 1
    assert queue_nudges(engine, start + 6 * DAY, [1, 3]) == 0

    assert nudges(engine) == [(ana, 1), (ana, 2)]


def test_finished_stopped_or_talking_people_are_not_nudged(engine: Engine, cipher: Cipher) -> None:
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    done = chatting(engine, cipher, "1", start)
    with unit_of_work(engine) as db:
        db.add(Intake(person_id=done, channel="telegram", lang="pt", started_at=start,
                      consent_version="2026-11"))  # fmt: skip
    chatting(engine, cipher, "2", start, status="completed")
    chatting(engine, cipher, "3", start + DAY)  # wrote again yesterday

    assert queue_nudges(engine, start + DAY + timedelta(hours=1), [1, 3]) == 0


def test_someone_silent_for_weeks_is_not_nudged_when_the_worker_comes_back(
    engine: Engine, cipher: Cipher
) -> None:
    start = datetime(2026, 11, 1, 10, tzinfo=UTC)
    chatting(engine, cipher, "1", start)
    assert queue_nudges(engine, start + 20 * DAY, [1, 3]) == 0


def agendas(engine: Engine) -> list[Outbox]:
    with Session(engine) as db:
        return list(db.exec(select(Outbox).where(Outbox.reference.startswith("agenda:"))).all())


def test_the_agenda_goes_at_eight_local_time_once_a_day(network: Engine, people) -> None:
    with unit_of_work(network) as db:
        joao = db.exec(select(Counselor).where(Counselor.code == "joao")).one()
        joao.telegram_chat_id = "9001"
        db.add(joao)
    request = SlotRequest("orientation", "pt", "Matosinhos", specialism="justice",
                          wish=Wish(part_of_day="afternoon"))  # fmt: skip
    with unit_of_work(network) as db:
        book(db, people["ana"], offers(network, request)[0], NOW)
    seven = datetime(2026, 6, 1, 6, 59, tzinfo=UTC)  # 07:59 in Lisbon, summer time

    assert queue_agendas(network, TEXTS, seven, "Europe/Lisbon", 8) == 0
    assert queue_agendas(network, TEXTS, seven + timedelta(minutes=1), "Europe/Lisbon", 8) == 1
    assert queue_agendas(network, TEXTS, seven + timedelta(hours=2), "Europe/Lisbon", 8) == 0

    (row,) = agendas(network)
    assert (row.channel, row.kind) == ("telegram", "notification")
    assert row.payload["text"].startswith("Hoje,")
    assert "Entrevista de orientação" in row.payload["text"]


def test_no_agenda_for_a_day_without_appointments(network: Engine) -> None:
    with unit_of_work(network) as db:
        joao = db.exec(select(Counselor).where(Counselor.code == "joao")).one()
        joao.telegram_chat_id = "9001"
        db.add(joao)
    eight = datetime(2026, 6, 1, 7, 5, tzinfo=UTC)
    assert queue_agendas(network, TEXTS, eight, "Europe/Lisbon", 8) == 0
