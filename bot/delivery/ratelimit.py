"""Rate limits: at most `rate` sends a second on average, with bursts of up to `burst`.

A bucket never sleeps: `take` answers at once how long to wait, so a sender can hand the message
back to the outbox (a Pause) instead of holding anything open while it waits.

Where the limits live (`Limits.of`): with several processes on one PostgreSQL database every
process must keep the *same* limit, so the bucket is a row of the database (storage.rate_limits)
or, when `PERCORSO_REDIS_URL` is set, a key in Redis; a single process on SQLite keeps it in
memory. docs/worker.md says which is the default and why (bench/ratelimit_bench.py measures it).
"""

import threading
from dataclasses import dataclass
from typing import Protocol

from redis import Redis
from sqlalchemy import Engine

from bot.clock import Seconds
from bot.settings import Settings
from storage import rate_limits


class Bucket(Protocol):
    def take(self) -> float:
        """Take a token: 0.0 when one was free, else the seconds until one will be (none taken)."""
        ...


class TokenBucket:
    """One process's bucket, in memory."""

    def __init__(self, rate: float, burst: float, clock: Seconds) -> None:
        _check(rate, burst)
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = burst
        self._last = clock()
        # Webhook nudges and the worker may send from several threads through one sender.
        self._lock = threading.Lock()

    def take(self) -> float:
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


class DatabaseBucket:
    """A bucket every process on the PostgreSQL database shares: one row, one UPDATE a take."""

    def __init__(self, engine: Engine, name: str, rate: float, burst: float) -> None:
        _check(rate, burst)
        self.engine, self.name, self.rate, self.burst = engine, name, rate, burst
        rate_limits.create(engine, name)

    def take(self) -> float:
        return rate_limits.take(self.engine, self.name, self.rate, self.burst)


# The same arithmetic as storage.rate_limits, in one script Redis runs atomically, on its clock.
_REDIS_TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
if start - now > tolerance then
  return tostring(start - now - tolerance)
end
local ttl = math.ceil((start + interval - now) * 1000) + 1000
redis.call('SET', KEYS[1], tostring(start + interval), 'PX', ttl)
return '0'
"""


class RedisBucket:
    """A bucket every process using the Redis server shares: one key, one script a take."""

    def __init__(self, redis: Redis, name: str, rate: float, burst: float) -> None:
        _check(rate, burst)
        self.name, self.rate, self.burst = f"percorso:rate:{name}", rate, burst
        self._script = redis.register_script(_REDIS_TAKE)

    def take(self) -> float:
        interval = 1.0 / self.rate
        wait = self._script(keys=[self.name], args=[interval, (self.burst - 1) * interval])
        return float(wait)


@dataclass(frozen=True)
class Limits:
    """Where a process keeps its buckets: Redis, the PostgreSQL database, or its own memory
    (on `clock`, the process's monotonic seconds)."""

    engine: Engine | None
    redis: Redis | None
    clock: Seconds

    @classmethod
    def of(cls, settings: Settings, engine: Engine, clock: Seconds) -> "Limits":
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        shared = engine if engine.dialect.name == "postgresql" else None
        return cls(shared, redis, clock)

    def bucket(self, name: str, rate: float, burst: float = 1.0) -> Bucket:
        if self.redis is not None:
            return RedisBucket(self.redis, name, rate, burst)
        if self.engine is not None:
            return DatabaseBucket(self.engine, name, rate, burst)
        return TokenBucket(rate, burst, self.clock)


def _check(rate: float, burst: float) -> None:
    if rate <= 0 or burst < 1:
        raise ValueError("rate must be positive and burst at least 1")
