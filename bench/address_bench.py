"""Finding a person by channel address now that addresses are encrypted: the keyed hash
(HMAC-SHA256) of the address, then the unique index on `identity.address_index`, on a SQLite file
holding many identities.

    .venv/bin/python bench/address_bench.py [--people 100000] [--lookups 5000]

Prints the look-up time (median and p99, known and unknown addresses mixed), the query plan
(it must search the index, not scan the table) and the time to write the identities.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import insert
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.crypto import Cipher
from storage.db import make_engine, unit_of_work, use_cipher
from storage.migrate import upgrade
from storage.models import Identity, Person
from storage.repositories import find_identity, is_address


def number(n: int) -> str:
    return f"+3519{n:08d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='percorso-bench-')) / 'bench.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    cipher = use_cipher(engine, Cipher.from_key(Fernet.generate_key().decode()))
    now = datetime.now(UTC)
    started = time.perf_counter()
    persons = [{"id": str(uuid.uuid4()), "created_at": now} for _ in range(args.people)]
    with unit_of_work(engine) as db:
        db.exec(insert(Person), params=persons)
        db.exec(insert(Identity), params=[
            {"person_id": p["id"], "channel": "sms", "address": cipher.encrypt_text(number(n)),
             "address_index": cipher.address_index("sms", number(n)), "reachable": True,
             "opted_out": False, "created_at": now}
            for n, p in enumerate(persons)
        ])  # fmt: skip
    written = time.perf_counter() - started
    rng = random.Random(3)
    timings = []
    found = 0
    with Session(engine) as db:
        plan = db.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(select(Identity).where(is_address(db, "sms", "x"))
                                        .compile(compile_kwargs={"literal_binds": True}))
        ).all()  # fmt: skip
        for _ in range(args.lookups):
            address = number(rng.randrange(args.people * 2))  # half of them unknown
            began = time.perf_counter()
            found += find_identity(db, "sms", address) is not None
            timings.append((time.perf_counter() - began) * 1000)
    ordered = sorted(timings)
    print(f"identities: {args.people}, written in {written:.1f} s (encrypted and hashed)")
    print(
        f"look-ups: {args.lookups} ({found} found), median {statistics.median(timings):.3f} ms,"
        f" p99 {ordered[int(len(ordered) * 0.99) - 1]:.3f} ms"
    )
    print(f"plan: {[row[-1] for row in plan]}")


if __name__ == "__main__":
    main()
