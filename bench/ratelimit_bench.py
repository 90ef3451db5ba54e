"""The rate-limit buckets side by side in one run: in memory (one process), a PostgreSQL row
(every process on the database), a Redis key (every process using the server).

    .venv/bin/python bench/ratelimit_bench.py [--takes 2000] [--threads 1 4]
        [--database postgresql://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379/15]

Each bucket is given a rate far above what can be taken, so every take is granted and the
figure is the bucket's own cost: takes a second (all threads together) and the latency of one
take (p50 and p99), for 1 thread and for several taking at once from one bucket. PostgreSQL
runs in a schema of its own, dropped at the end; a store that cannot be reached is skipped.
"""

import argparse
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redis import Redis
from sqlalchemy.engine import make_url

from bot.delivery.ratelimit import Bucket, DatabaseBucket, RedisBucket, TokenBucket
from storage.db import make_engine
from storage.migrate import upgrade

FAST = 1e9  # tokens a second: never a refusal, so only the cost of a take is measured


def measure(bucket: Bucket, takes: int, threads: int) -> tuple[float, float, float]:
    """(takes a second, p50 ms, p99 ms) with `threads` taking `takes` in all."""
    latencies: list[float] = []
    lock = threading.Lock()

    def run() -> None:
        mine = []
        for _ in range(takes // threads):
            started = time.perf_counter()
            assert bucket.take() == 0.0
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000


def postgres(url: str) -> tuple[Callable[[], Bucket], Callable[[], None]] | None:
    schema = f"percorso_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as error:
        print(f"PostgreSQL skipped: {type(error).__name__}")
        return None
    own = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    own_url = own.render_as_string(hide_password=False)
    upgrade(own_url)
    engine = make_engine(own_url)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return (lambda: DatabaseBucket(engine, "bench", FAST, FAST)), drop


def redis(url: str) -> Callable[[], Bucket] | None:
    server = Redis.from_url(url)
    try:
        server.ping()
    except Exception as error:
        print(f"Redis skipped: {type(error).__name__}")
        return None
    name = f"bench:{uuid.uuid4().hex[:8]}"
    return lambda: RedisBucket(server, name, FAST, FAST)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=2000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()

    stores: dict[str, Callable[[], Bucket]] = {
        "in memory": lambda: TokenBucket(FAST, FAST, time.monotonic)}  # fmt: skip
    pg = postgres(args.database)
    if pg is not None:
        stores["PostgreSQL row"] = pg[0]
    found = redis(args.redis)
    if found is not None:
        stores["Redis key"] = found
    try:
        print(f"{args.takes} takes per run")
        print("| bucket | threads | takes/s | p50 ms | p99 ms |")
        print("| --- | --- | --- | --- | --- |")
        for name, make in stores.items():
            for threads in args.threads:
                bucket = make()
                measure(bucket, min(200, args.takes), threads)  # warm the pool, the script
                rate, p50, p99 = measure(bucket, args.takes, threads)
                print(f"| {name} | {threads} | {rate:,.0f} | {p50:.3f} | {p99:.3f} |")
    finally:
        if pg is not None:
            pg[1]()


if __name__ == "__main__":
    main()
