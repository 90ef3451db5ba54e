"""A broadcast to many people through a fake Bot API server that enforces Telegram's 30 messages
a second (a 429 with retry_after past 30 in any one-second window), sent by the real worker:
its Telegram channel loop, the real python-telegram-bot sender, a SQLite file.

    .venv/bin/python bench/broadcast_bench.py [--people 10000]

Prints the sustained rate (first to last message the server accepted), messages lost and
doubled (from the server's own log), the 429s the server answered and whether any row was left
unsent, and the worker's peak memory.
"""

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import insert
from sqlmodel import Session

from bot.clock import wall_clock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.conversation.service import ConversationService
from bot.delivery.worker import Worker
from bot.entry.bootstrap import App, delivery_policy
from bot.entry.worker import channels
from bot.jobs.broadcast import progress, queue_broadcast
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.db import cipher_of, make_engine, unit_of_work, use_cipher
from storage.migrate import upgrade
from storage.models import Identity, Intake, Person
from tests.fakes.telegram_server import TOKEN, Failure, FakeTelegram, running

LIMIT = 30  # messages in any one second


class RateLimitedTelegram(FakeTelegram):
    """Telegram's broadcast limit, enforced over a sliding one-second window."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted: deque[float] = deque()
        self.times: list[float] = []
        self.chats: list[int] = []
        self.refused = 0

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        if method != "sendMessage":
            return super()._failure_for(method, params)
        now = time.monotonic()
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= LIMIT:
            self.refused += 1
            return Failure(429, "Too Many Requests: retry after 1", retry_after=1)
        self.accepted.append(now)
        self.times.append(now)
        self.chats.append(params["chat_id"])
        return None


def populate(engine: Any, people: int, now: datetime) -> None:
    """The people, written at once (no ORM: the address's keyed hash is given here)."""
    persons = [{"id": str(uuid.uuid4()), "created_at": now} for _ in range(people)]
    index = cipher_of(engine).address_index
    with unit_of_work(engine) as db:
        db.exec(insert(Person), params=persons)
        db.exec(insert(Identity), params=[
            {"person_id": p["id"], "channel": "telegram", "address": str(10_000_000 + n),
             "address_index": index("telegram", str(10_000_000 + n)),
             "reachable": True, "opted_out": False, "created_at": now}
            for n, p in enumerate(persons)
        ])  # fmt: skip
        db.exec(insert(Intake), params=[
            {"person_id": p["id"], "channel": "telegram", "lang": "pt", "started_at": now,
             "municipality": "Porto", "track": "training", "consent_version": "2026-11",
             "special_consent": False, "occupations": [], "skills": [], "languages": [],
             "availability": []}
            for p in persons
        ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="percorso-bench-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    cipher = use_cipher(engine, Cipher.from_key(Fernet.generate_key().decode()))
    now = datetime.now(UTC)
    populate(engine, args.people, now)
    with unit_of_work(engine) as db:
        broadcast = queue_broadcast(db, {"municipality": ["Porto"]}, {"pt": "Feira sábado."}, now)

    fake = RateLimitedTelegram()
    with running(fake):
        settings = Settings(telegram_token=TOKEN, telegram_api_url=fake.url, database_url=url,
                            quiet_hours="00:00-00:00")  # the bench runs any hour
        service = ConversationService(engine, intake_flow(), cipher, "2026-11", None, wall_clock)
        application = App(settings, engine, cipher, service, delivery_policy(settings))
        worker = Worker(application.engine, application.service.clock, application.delivery,
                        settings, channels(application))  # fmt: skip
        started = time.monotonic()
        worker.start()
        done = threading.Event()
        while not done.wait(1.0):
            with Session(engine) as db:
                counts = progress(db, broadcast.id)
            if counts["pending"] == 0:
                done.set()
        elapsed = time.monotonic() - started
        worker.stop()

    distinct = len(set(fake.chats))
    span = fake.times[-1] - fake.times[0]
    figures = {
        "people": args.people,
        "sent_rows": counts["sent"],
        "failed_rows": counts["failed"],
        "pending_rows": counts["pending"],
        "server_accepted": len(fake.times),
        "sustained_per_second": round((len(fake.times) - 1) / span, 2),
        "lost": args.people - distinct,
        "duplicated": len(fake.chats) - distinct,
        "server_429": fake.refused,
        "wall_seconds": round(elapsed, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
