"""The daily purge of what was said: a message's body is emptied `days` after it was sent (or
failed, or was cancelled); the row stays, with its status and times, for delivery figures.

Each batch is its own short transaction under the job's lock (bot.jobs.cron_lock), and a row is
purged once (`purged_at`): workers that run the job at the same time purge each row once, and
the later ones find nothing left to do.
"""

from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.jobs.cron_lock import exclusive
from storage import outbox
from storage.db import unit_of_work

BATCH = 500


def purge_sent_payloads(engine: Engine, now: datetime, days: int, batch: int = BATCH) -> int:
    """Empty the bodies of messages that ended more than `days` ago; returns how many."""
    ended_before = now - timedelta(days=days)
    purged = 0
    while True:
        with unit_of_work(engine) as db:
            exclusive(db, "purge")
            done = outbox.purge_payloads(db, ended_before, now, batch)
        purged += done
        if done < batch:
            return purged
