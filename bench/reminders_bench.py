"""100,000 pending reminders: how late the due ones go while the rest are still being written,
and how much memory the worker holds. SQLite file, the real worker (channel loop, claims,
APScheduler tick); the trigger channel's sender is replaced by one that records how late each
trigger is handled, so the figure is the scheduler's and the outbox's, not the dialog's (see
conversation_bench.py for the cost of a turn).

    .venv/bin/python bench/reminders_bench.py [--reminders 100000] [--seconds 60]

A writer inserts the reminders in batches of 1,000 over `--seconds`; 3% fall due during the
run, the rest days ahead.
"""

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, insert
from sqlmodel import Session, select

from bot.clock import wall_clock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.conversation.service import ConversationService
from bot.delivery.outbound import PRIORITY as DEFAULT_PRIORITY
from bot.delivery.outbound import TIMER as TRIGGER_CHANNEL
from bot.delivery.outbound import Recipient, Trigger
from bot.delivery.quiet_hours import QuietHours
from bot.delivery.worker import Channel, Worker
from bot.entry.bootstrap import App
from bot.jobs.scheduler import scheduler
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.db import cipher_of, make_engine, unit_of_work, use_cipher
from storage.migrate import upgrade
from storage.models import Identity, Outbox, Person

BATCH = 1000
DUE_SHARE = 0.03
PEOPLE = 10_000


class Lateness:
    """The trigger channel's sender for the bench: records how late each trigger came."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, _recipient: Recipient, trigger: Trigger) -> None:
        late = time.time() - float(trigger.once)
        with self._lock:
            self.seconds.append(late)


def people(engine: Any) -> list[tuple[str, int]]:
    now = datetime.now(UTC)
    persons = [{"id": str(uuid.uuid4()), "created_at": now} for _ in range(PEOPLE)]
    index = cipher_of(engine).address_index  # no ORM here: the keyed hash is given
    with unit_of_work(engine) as db:
        db.exec(insert(Person), params=persons)
        db.exec(insert(Identity), params=[
            {"person_id": p["id"], "channel": "telegram", "address": str(n),
             "address_index": index("telegram", str(n)), "reachable": True, "opted_out": False,
             "created_at": now}
            for n, p in enumerate(persons)
        ])  # fmt: skip
        return [(i.person_id, i.id) for i in db.exec(select(Identity)).all()]


def write(engine: Any, who: list[tuple[str, int]], total: int, seconds: float,
          due_count: list[int]) -> None:  # fmt: skip
    rng = random.Random(1)
    batches = total // BATCH
    for number in range(batches):
        now = datetime.now(UTC)
        rows = []
        for _ in range(BATCH):
            person_id, identity_id = rng.choice(who)
            if rng.random() < DUE_SHARE:
                due = now + timedelta(seconds=rng.uniform(1, seconds / 2))
                due_count[0] += 1
            else:
                due = now + timedelta(days=rng.uniform(1, 30))
            rows.append({
                "identity_id": identity_id, "person_id": person_id, "channel": TRIGGER_CHANNEL,
                "kind": "reminder", "priority": DEFAULT_PRIORITY["reminder"],
                # The bench's runner reads the due time from the trigger's key.
                "payload": {"trigger": "reminder", "appointment_id": number,
                            "once": str(due.timestamp())},
                "not_before": due, "created_at": now, "status": "pending", "attempts": 0,
                "reference": f"appointment:{number}",
            })  # fmt: skip
        with unit_of_work(engine) as db:
            db.exec(insert(Outbox), params=rows)
        time.sleep(max(0.0, seconds / batches - 0.01))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='percorso-bench-')) / 'bench.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    cipher = use_cipher(engine, Cipher.from_key(Fernet.generate_key().decode()))
    who = people(engine)
    settings = Settings(database_url=url, quiet_hours="00:00-00:00")
    application = App(settings, engine, cipher,
                      ConversationService(engine, intake_flow(), cipher, "2026-11", None,
                                          wall_clock))  # fmt: skip
    recorder = Lateness()
    policy = replace(application.delivery, quiet=QuietHours.parse("00:00-00:00"))
    worker = Worker(application.engine, application.service.clock, policy, settings,
                    [Channel(TRIGGER_CHANNEL, recorder, None, 50)])  # fmt: skip
    jobs = scheduler(application.service, worker, settings)
    before = rss_mb()
    worker.start()
    jobs.start()
    due_count = [0]
    writer = threading.Thread(
        target=write, args=(engine, who, args.reminders, args.seconds, due_count)
    )
    writer.start()
    peak = before
    while writer.is_alive() or len(recorder.seconds) < due_count[0]:
        time.sleep(0.5)
        peak = max(peak, rss_mb())
    jobs.shutdown(wait=True)
    worker.stop()
    with Session(engine) as db:
        pending = db.exec(select(func.count()).where(Outbox.status == "pending")).one()
    late = sorted(recorder.seconds)
    print(json.dumps({
        "reminders_written": args.reminders,
        "pending_after": pending,
        "due_handled": len(late),
        "lateness_p50_s": round(statistics.median(late), 3),
        "lateness_p99_s": round(late[int(0.99 * (len(late) - 1))], 3),
        "lateness_max_s": round(late[-1], 3),
        "worker_rss_mb_before": round(before, 1),
        "worker_rss_mb_peak": round(peak, 1),
        "process_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
