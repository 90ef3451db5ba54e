"""Rate limits kept in the database, so that every process sending on a channel keeps one limit.

A bucket is one row holding its *theoretical arrival time* (GCRA, the token bucket written as
one number): a take is allowed when that time is no further ahead of now than the burst allows,
and then moves it one interval on. One `UPDATE ... RETURNING` does the check and the move under
the row's lock, so two processes taking at once are served one after the other. The time is the
database server's, so the hosts' clocks need not agree. PostgreSQL only: on SQLite one process
sends, and keeps its limits in memory (bot.delivery.ratelimit.TokenBucket).
"""

from sqlalchemy import Engine, text
from sqlmodel import Field, SQLModel


class RateBucket(SQLModel, table=True):
    __tablename__ = "rate_bucket"

    name: str = Field(primary_key=True)  # the limit, e.g. "telegram", "sms:pace"
    tat: float = 0.0  # seconds since the epoch, on the database's clock
    wait: float = 0.0  # what the last take answered: 0, or the seconds until a token is free


_CREATE = text("INSERT INTO rate_bucket (name, tat, wait) VALUES (:name, 0, 0) "
               "ON CONFLICT (name) DO NOTHING")  # fmt: skip
_NO_WAITING_FOR_THE_DISK = text("SET LOCAL synchronous_commit TO OFF")
# Every expression on the right reads the row as it was; `now` is read once per take.
_TAKE = text("""
UPDATE rate_bucket SET
  tat = CASE WHEN greatest(tat, now.t) - now.t <= :tolerance
        THEN greatest(tat, now.t) + :interval ELSE tat END,
  wait = CASE WHEN greatest(tat, now.t) - now.t <= :tolerance
         THEN 0 ELSE greatest(tat, now.t) - now.t - :tolerance END
FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS t) AS now
WHERE name = :name
RETURNING wait
""")


def create(engine: Engine, name: str) -> None:
    """Make the bucket's row if it is not there yet (full: its first `burst` takes pass)."""
    with engine.begin() as connection:
        connection.execute(_CREATE, {"name": name})


def take(engine: Engine, name: str, rate: float, burst: float) -> float:
    """Take a token: 0.0 when one was free, else the seconds until one will be (none taken)."""
    interval = 1.0 / rate
    with engine.begin() as connection:
        # A take lost in a crash only lets one message more through: no need to wait for the
        # disk at commit, which is most of a take's cost.
        connection.execute(_NO_WAITING_FOR_THE_DISK)
        values = {"name": name, "interval": interval, "tolerance": (burst - 1) * interval}
        wait = connection.execute(_TAKE, values).scalar_one()
    return float(wait)
