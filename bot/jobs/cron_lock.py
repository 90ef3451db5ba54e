"""One cron job at a time across workers, so that a job's check-then-insert is safe.

On PostgreSQL a transaction-level advisory lock per job name: a second worker waits, then sees
what the first one wrote. SQLite needs nothing: every transaction takes the write lock at BEGIN.
"""

import zlib

from sqlalchemy import text
from sqlmodel import Session


def exclusive(db: Session, job: str) -> None:
    """Hold the job's lock until the caller's transaction ends."""
    if db.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"percorso:{job}".encode())
        db.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))
