"""Slot search over a large network: 50 counselors, 3 sites, 90 days, 5,000 bookings.

Prints the latency of `offer_slots` (each call in its own unit of work, as the conversation
makes it) over a mix of requests: languages, services, places, modes, specialisms and wishes.
Target: p95 <= 20 ms. Not a test: run it on a quiet machine.

    .venv/bin/python bench/booking_bench.py [--url DATABASE_URL] [--calls 1000]

Without --url it builds a fresh SQLite file in a temporary directory. A PostgreSQL URL must
point at an empty database (or schema): the bench fills it.
"""

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert
from sqlmodel import select

from bot.booking import SlotRequest, Wish, offer_slots
from bot.booking.network_file import import_booking
from storage import repositories as repo
from storage.booking import Meeting, WeeklyHours
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade
from storage.models import Counselor, Service, Site

NOW = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # a Monday morning
DAYS, COUNSELORS, BOOKINGS = 90, 50, 5000
LANGS = ["pt", "it", "en", "es", "fr"]
SPECIALISMS = ["disability", "justice", "migrants", "enterprise", "youth"]
SITES = [
    {"code": "porto", "name": "QVA Porto", "municipality": "Porto", "address": "Rua 1",
     "timezone": "Europe/Lisbon"},
    {"code": "matosinhos", "name": "QVA Matosinhos", "municipality": "Matosinhos",
     "address": "Avenida 2", "timezone": "Europe/Lisbon"},
    {"code": "bologna", "name": "CdM Bologna", "municipality": "Bologna", "address": "Via 3",
     "timezone": "Europe/Rome"},
]  # fmt: skip
SERVICES = [
    {"code": "orientation", "kind": "o", "duration_minutes": 45,
     "modes": ["in_person", "phone", "video"]},
    {"code": "job-search", "kind": "j", "duration_minutes": 30,
     "modes": ["in_person", "phone", "video"]},
    {"code": "training-advice", "kind": "t", "duration_minutes": 30,
     "modes": ["in_person", "phone"]},
    {"code": "start-activity", "kind": "s", "duration_minutes": 60, "modes": ["in_person", "video"],
     "specialisms": ["enterprise"]},
]  # fmt: skip


def build(engine: Engine, rng: random.Random) -> None:
    counselors, availability = [], {}
    for i in range(COUNSELORS):
        home = SITES[i % 3]["code"]
        other = SITES[(i + 1) % 3]["code"] if i % 5 == 0 and home != "bologna" else None
        langs = ["it" if home == "bologna" else "pt", *rng.sample(LANGS, 2)]
        counselors.append({
            "code": f"c{i:02}", "name": f"Counselor {i}", "languages": sorted(set(langs)),
            "specialisms": rng.sample(SPECIALISMS, 2), "site_codes": [home, other or home],
        })  # fmt: skip
        weekly = [{"site": home, "days": ["mon", "tue", "wed", "thu"], "hours": "09:00-17:00",
                   "breaks": ["13:00-14:00"]}]  # fmt: skip
        if other and other != "bologna":
            weekly.append({"site": other, "days": ["fri"], "hours": "09:00-13:00"})
        else:
            weekly.append({"site": home, "days": ["fri"], "hours": "09:00-13:00"})
        if i % 4 == 0:
            weekly[0]["days"].remove("tue")
            weekly.append({"site": home, "days": ["tue"], "hours": "12:00-20:00"})
        availability[f"c{i:02}"] = {"weekly": weekly}
    data = {
        "booking_rules": {"min_notice_minutes": 720, "horizon_days": DAYS, "buffer_minutes": 15,
                          "travel_buffer_minutes": 60, "max_per_day": 6, "slot_step_minutes": 30},
        "availability": availability,
        "closures": {"porto": [{"date": "2027-02-16"}], "bologna": [{"date": "2027-01-06"}]},
    }  # fmt: skip
    with unit_of_work(engine) as db:
        repo.upsert_network(db, SITES, counselors, SERVICES)
        import_booking(db, data)
    with unit_of_work(engine) as db:
        db.execute(insert(Meeting), list(_bookings(db, rng)))


def _bookings(db, rng: random.Random):
    """5,000 booked meetings inside the counselors' hours, none overlapping."""
    sites = {s.id: ZoneInfo(s.timezone) for s in db.exec(select(Site))}
    services = list(db.exec(select(Service)))
    hours = {}
    for row in db.exec(select(WeeklyHours)):
        hours.setdefault(row.counselor_id, []).append(row)
    counselor_ids = list(hours)
    taken: set[tuple[int, datetime]] = set()
    made = 0
    while made < BOOKINGS:
        counselor = rng.choice(counselor_ids)
        day = (NOW + timedelta(days=rng.randrange(DAYS))).date()
        rows = [h for h in hours[counselor] if h.weekday == day.weekday()]
        if not rows:
            continue
        row = rng.choice(rows)
        zone = sites[row.site_id]
        half_hours = (row.ends.hour - row.starts.hour) * 2 - 2
        start = datetime.combine(day, row.starts, zone) + timedelta(minutes=30 * rng.randrange(
            half_hours))  # fmt: skip
        # One-hour blocks on the grid: whatever the service, two bookings never overlap.
        block = start.replace(minute=0)
        if (counselor, block) in taken:
            continue
        taken.add((counselor, block))
        service = rng.choice(services)
        starts = block.astimezone(UTC)
        made += 1
        yield {
            "counselor_id": counselor, "site_id": row.site_id, "service_id": service.id,
            "mode": "in_person", "starts_at": starts,
            "ends_at": starts + timedelta(minutes=min(service.duration_minutes, 60)),
            "seats": 1, "taken": 1, "status": "booked", "created_at": NOW,
        }  # fmt: skip


def requests(rng: random.Random, count: int) -> list[SlotRequest]:
    made = []
    for _ in range(count):
        service = rng.choice(["orientation", "job-search", "training-advice", "start-activity"])
        mode = rng.choice(["in_person"] * 6 + ["phone", "video"])
        if mode not in next(s["modes"] for s in SERVICES if s["code"] == service):
            mode = "in_person"
        wish = rng.choice([
            Wish(), Wish(), Wish(part_of_day="morning"), Wish(part_of_day="afternoon"),
            Wish(part_of_day="evening"),
            Wish(day=(NOW + timedelta(days=rng.randrange(3, 80))).date()),
            Wish(after=NOW + timedelta(days=rng.randrange(5, 60))),
        ])  # fmt: skip
        made.append(SlotRequest(
            service, rng.choice(LANGS), rng.choice(["Porto", "Matosinhos", "Bologna", None]),
            mode, rng.choice([None, None, None, rng.choice(SPECIALISMS)]), wish,
        ))  # fmt: skip
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{scratch}/bench.sqlite3"
        upgrade(url)
        engine = make_engine(url)
        rng = random.Random(7)
        started = time.perf_counter()
        build(engine, rng)
        built = time.perf_counter() - started
        with unit_of_work(engine) as db:
            meetings = db.exec(select(func.count()).select_from(Meeting)).one()
            counselors = db.exec(select(func.count()).select_from(Counselor)).one()
        mix = requests(rng, args.calls)
        for request in mix[:50]:  # warm-up: imports, caches, the database's pages
            with unit_of_work(engine) as db:
                offer_slots(db, request, NOW)
        wall, cpu, empty = [], [], 0
        for request in mix:
            began, began_cpu = time.perf_counter(), time.thread_time()
            with unit_of_work(engine) as db:
                found = offer_slots(db, request, NOW)
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.thread_time() - began_cpu) * 1000)
            empty += not found
        engine.dispose()
    print(f"database: {engine.dialect.name}; {counselors} counselors, 3 sites, {DAYS} days, "
          f"{meetings} booked meetings (built in {built:.1f} s)")  # fmt: skip
    print(f"machine: {os.cpu_count()} CPUs, {_cpu()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"offer_slots, {len(wall)} calls ({empty} found nothing), target p95 <= 20 ms:")
    # Wall-clock time is what a person waits; the thread's CPU time is the work itself, which
    # other processes on the machine do not inflate (SQLite runs inside this thread).
    for name, timings in (("wall clock", wall), ("thread CPU", cpu)):
        timings.sort()
        p = statistics.quantiles(timings, n=100)
        print(f"  {name:<10}  p50 {p[49]:5.1f} ms   p95 {p[94]:5.1f} ms   p99 {p[98]:5.1f} ms   "
              f"max {timings[-1]:5.1f} ms")  # fmt: skip


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
