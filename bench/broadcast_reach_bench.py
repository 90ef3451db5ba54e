"""How long the desk takes to show a broadcast's reach and cost (what "See reach and cost" and
"Send" compute) for many people: a SQLite file (or --url), people spread over Telegram, SMS and
WhatsApp, two languages, each with an intake and a message received.

    .venv/bin/python bench/broadcast_reach_bench.py [--people 10000] [--url URL]

Prints the time of the reach for a segment of intake fields only, for one that also reads the
target groups, the last activity and the stage, and of the cost of the whole audience.
"""

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.jobs.broadcast import reach
from bot.jobs.broadcast_cost import costs
from storage.crypto import Cipher
from storage.db import cipher_of, make_engine, unit_of_work, use_cipher
from storage.migrate import upgrade
from storage.models import Identity, InboundSeen, Intake, Person

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CHANNELS = ("telegram", "sms", "whatsapp")
TEXTS = {"pt": "Feira de emprego no sábado às 10h.", "it": "Fiera del lavoro sabato alle 10."}


def populate(engine: Any, people: int) -> None:
    persons = [{"id": str(uuid.uuid4()), "created_at": NOW} for _ in range(people)]
    index = cipher_of(engine).address_index  # no ORM here: the keyed hash is given
    with unit_of_work(engine) as db:
        db.exec(insert(Person), params=persons)
        db.exec(insert(Identity), params=[
            {"person_id": p["id"], "channel": CHANNELS[n % 3], "address": f"+3519{n:08d}",
             "address_index": index(CHANNELS[n % 3], f"+3519{n:08d}"), "reachable": True,
             "opted_out": n % 20 == 0, "created_at": NOW}
            for n, p in enumerate(persons)
        ])  # fmt: skip
        db.exec(insert(Intake), params=[
            {"person_id": p["id"], "channel": CHANNELS[n % 3], "lang": ("pt", "it")[n % 2],
             "started_at": NOW, "municipality": ("Porto", "porto", "PÓRTO", "Bologna")[n % 4],
             "age_band": ("16-24", "25-29", "40-54")[n % 3], "track": "training",
             "consent_version": "2026-11", "special_consent": False, "occupations": [],
             "skills": [], "languages": [], "availability": []}
            for n, p in enumerate(persons)
        ])  # fmt: skip
        db.exec(insert(InboundSeen), params=[
            {"channel": CHANNELS[n % 3], "external_id": f"m{n}", "person_id": p["id"],
             "received_at": NOW - timedelta(hours=n % 72)}
            for n, p in enumerate(persons)
        ])  # fmt: skip


def timed(label: str, work: Any) -> Any:
    started = time.perf_counter()
    result = work()
    print(f"{label}: {(time.perf_counter() - started) * 1000:.0f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = args.url or f"sqlite:///{folder}/bench.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    use_cipher(engine, Cipher.from_key(Fernet.generate_key().decode()))
    populate(engine, args.people)
    plain = {"municipality": ["porto"], "lang": ["pt", "it"]}
    wider = {**plain, "target_group": ["young", "over_40"], "last_activity": ["7d"]}
    with unit_of_work(engine) as db:
        found = timed("reach, intake fields", lambda: reach(db, plain, NOW))
        timed("reach, + target group and last activity", lambda: reach(db, wider, NOW))
        timed("reach, + stage", lambda: reach(db, {**plain, "stage": ["training"]}, NOW))
        priced = timed("cost of the audience",
                       lambda: costs(db, found.recipients, TEXTS, {}, "pt", NOW))  # fmt: skip
    print(f"people reached: {len(found.recipients)}, opted out: {found.opted_out}")
    print("; ".join(f"{c.channel} {c.people}" for c in priced))


if __name__ == "__main__":
    main()
