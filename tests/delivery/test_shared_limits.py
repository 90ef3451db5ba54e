"""Rate limits every process shares: a bucket in PostgreSQL (a row) or in Redis (a key) gives
out no more tokens, however many processes and threads take at once, than one bucket would."""

import threading
import uuid
from collections.abc import Callable

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown
from sqlalchemy import Engine

from bot.delivery.ratelimit import (
    Bucket,
    DatabaseBucket,
    Limits,
    RedisBucket,
    TokenBucket,
)
from bot.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_or_skip() -> Redis:
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except RedisDown:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    return redis


def on_postgresql(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the shared bucket is PostgreSQL's; SQLite keeps one process's own")
    return engine


@pytest.fixture(params=["postgresql", "redis"])
def shared(request: pytest.FixtureRequest, engine: Engine) -> Callable[..., Bucket]:
    """Make a bucket of that store by name: two of one name are one limit, as in two processes."""
    if request.param == "redis":
        redis = redis_or_skip()
        return lambda name, rate, burst: RedisBucket(redis, name, rate, burst)
    shared_engine = on_postgresql(engine)
    return lambda name, rate, burst: DatabaseBucket(shared_engine, name, rate, burst)


def test_a_shared_bucket_gives_its_burst_then_says_how_long_to_wait(
    shared: Callable[..., Bucket],
) -> None:
    name = uuid.uuid4().hex
    bucket = shared(name, 0.5, 2)
    assert [bucket.take(), bucket.take()] == [0.0, 0.0]
    wait = bucket.take()
    assert 1.5 < wait <= 2.0  # one token every 2 s; nothing was taken by asking
    assert 1.5 < bucket.take() <= 2.0


def test_two_processes_of_one_name_keep_one_limit(shared: Callable[..., Bucket]) -> None:
    name = uuid.uuid4().hex
    first, second = shared(name, 0.01, 1), shared(name, 0.01, 1)
    assert first.take() == 0.0
    assert second.take() > 0  # the other "process" already took the only token
    assert shared(uuid.uuid4().hex, 0.01, 1).take() == 0.0  # another limit is another bucket


def test_takes_at_once_from_many_threads_never_exceed_the_burst(
    shared: Callable[..., Bucket],
) -> None:
    name, burst = uuid.uuid4().hex, 10
    granted: list[int] = []

    def take_many() -> None:
        bucket = shared(name, 0.001, burst)  # a token every 1000 s: only the burst is free
        granted.append(sum(bucket.take() == 0.0 for _ in range(20)))

    threads = [threading.Thread(target=take_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == burst


def test_where_the_limits_live(engine: Engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    limits = Limits.of(Settings(), engine, lambda: 0.0)
    bucket = limits.bucket(uuid.uuid4().hex, 1.0)
    assert isinstance(bucket, DatabaseBucket if postgres else TokenBucket)
    redis_or_skip()
    with_redis = Limits.of(Settings(redis_url=REDIS_URL), engine, lambda: 0.0)
    assert isinstance(with_redis.bucket(uuid.uuid4().hex, 1.0), RedisBucket)
