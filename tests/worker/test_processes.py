"""Two workers on one PostgreSQL database, each a process of its own: together they send at the
configured rate, not twice it, and no message twice (checked from the fake Bot API's log and
the database); and two schedulers' cron jobs write each agenda and nudge once."""

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from selectors import EVENT_READ, DefaultSelector

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.booking import SlotRequest, Wish, book
from bot.delivery.outbound import queue
from bot.jobs.agenda import queue_agendas
from bot.jobs.nudges import queue_nudges
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Counselor, Outbox
from tests.booking.conftest import NOW, offers
from tests.clock import UNDER_FAKETIME
from tests.fakes.telegram_server import FakeTelegram
from tests.worker.conftest import identities, text
from tests.worker.test_nudges_and_agenda import TEXTS, chatting

ROOT = Path(__file__).resolve().parents[2]
RATE = 10.0  # messages a second, all workers together
MESSAGES = 60
WINDOW = 2.0  # seconds
MARGIN = 1.4  # generous: two workers each keeping the whole rate would send 2.0x
LONG_AGO = datetime(2020, 1, 6, 12, tzinfo=UTC)  # the rows are due whatever the day


def postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL; on SQLite one worker runs")


def ready(worker: subprocess.Popen[str]) -> bool:
    """Whether the worker said it was ready within a minute: it only imports and connects."""
    assert worker.stdout is not None
    with DefaultSelector() as waiting:
        waiting.register(worker.stdout, EVENT_READ)
        said = waiting.select(timeout=60.0)
    return bool(said) and worker.stdout.readline() == "ready\n"


def most_in_a_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times))


@pytest.mark.skipif(
    UNDER_FAKETIME,
    reason="the workers' clocks are faked, PostgreSQL's (which keeps the shared limits) is not",
)
def test_two_worker_processes_send_together_at_the_rate_and_nothing_twice(
    engine: Engine, database_url: str, telegram: FakeTelegram
) -> None:
    postgres_only(engine)
    chats = [str(7_000_000 + n) for n in range(MESSAGES)]
    people = identities(engine, "telegram", chats, LONG_AGO)
    with unit_of_work(engine) as db:
        for n, person in enumerate(people):
            queue(db, person, text(f"message {n}", kind="reply"), LONG_AGO)
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.worker.drain", database_url, telegram.url, str(RATE)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(2)]  # fmt: skip
    try:
        assert all(ready(worker) for worker in workers)
    finally:
        for worker in workers:  # both start now (or, not ready, end within drain's SAFETY)
            assert worker.stdin is not None
            worker.stdin.close()
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    outputs = [worker.stdout.read() for worker in workers if worker.stdout is not None]

    sent_by = [int(output.strip().splitlines()[-1]) for output in outputs]
    assert all(n > 0 for n in sent_by), sent_by  # both worked...
    calls = telegram.calls_to("sendMessage")
    assert sorted(str(call["chat_id"]) for call in calls) == sorted(chats)  # ...none twice
    assert sum(sent_by) == MESSAGES
    with Session(engine) as db:
        assert {row.status for row in db.exec(select(Outbox))} == {"sent"}
    times = telegram.times_of("sendMessage")
    most = most_in_a_window(times, WINDOW)
    assert most <= RATE * WINDOW * MARGIN, f"{most} sends in {WINDOW} s at {RATE}/s"
    overall = (len(times) - 1) / (max(times) - min(times))
    assert overall <= RATE * MARGIN, f"{overall:.1f} sends a second"


def test_two_schedulers_write_each_agenda_and_nudge_once(
    network: Engine, cipher: Cipher, people: dict
) -> None:
    postgres_only(network)
    with unit_of_work(network) as db:
        joao = db.exec(select(Counselor).where(Counselor.code == "joao")).one()
        joao.telegram_chat_id = "9001"
        db.add(joao)
    request = SlotRequest("orientation", "pt", "Matosinhos", specialism="justice",
                          wish=Wish(part_of_day="afternoon"))  # fmt: skip
    with unit_of_work(network) as db:
        book(db, people["ana"], offers(network, request)[0], NOW)
    eight = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 08:00 in Lisbon, summer time
    silent = [chatting(network, cipher, str(n), eight - timedelta(days=1, hours=1))
              for n in range(5)]  # fmt: skip
    both = threading.Barrier(2)
    finished = threading.Semaphore(0)

    def cron() -> None:  # what each worker's scheduler runs, at the same moment
        both.wait()
        queue_agendas(network, TEXTS, eight, "Europe/Lisbon", 8)
        queue_nudges(network, eight, [1, 3])
        finished.release()

    schedulers = [BackgroundScheduler(timezone=UTC) for _ in range(2)]
    for scheduler in schedulers:
        scheduler.add_job(cron)  # once, now
        scheduler.start()
    try:
        assert all(finished.acquire(timeout=60) for _ in schedulers)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown()

    with Session(network) as db:
        rows = db.exec(select(Outbox)).all()
    agendas = [row for row in rows if (row.reference or "").startswith("agenda:")]
    nudged = [row.person_id for row in rows if row.kind == "nudge"]
    assert len(agendas) == 1
    assert sorted(nudged) == sorted(silent)
