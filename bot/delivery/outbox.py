"""The dispatcher's side of the outbox: claiming due rows under a lease, and ending them.

A claim moves the rows' `not_before` to the end of a lease and commits before anything goes on
the network, so no transaction stays open during a send (SQLite holds its write lock for the
whole of one). A claimed row stays `pending`, only not due until its lease ends: a worker that
died leaves rows that simply fall due again when their lease runs out. The lease end is also
the claim's token: a row is ended only while it still carries the lease it was claimed with, so
a worker that lost its lease (paused past it) cannot overwrite the work of the one that took the
row over, and a row cancelled meanwhile stays cancelled.

On PostgreSQL the claim skips rows another worker has locked (FOR UPDATE SKIP LOCKED); SQLite
takes its write lock at BEGIN, so two claims never interleave there either.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from storage.db import unit_of_work
from storage.models import Identity, Outbox


def claim(
    engine: Engine,
    now: datetime,
    channels: Iterable[str],
    limit: int,
    lease_until: datetime,
    identity_id: int | None = None,
) -> tuple[list[Outbox], dict[int, Identity]]:
    """Claim up to `limit` due rows of the channels, by priority then age, with their identities."""
    with unit_of_work(engine) as db:
        query = select(Outbox).where(
            Outbox.status == "pending",
            Outbox.not_before <= now,
            col(Outbox.channel).in_(list(channels)),
        )
        if identity_id is not None:
            query = query.where(Outbox.identity_id == identity_id)
        query = query.order_by(Outbox.priority, Outbox.not_before, Outbox.id).limit(limit)
        rows = list(db.exec(query.with_for_update(skip_locked=True)).all())
        if not rows:
            return [], {}
        db.exec(
            update(Outbox)
            .where(col(Outbox.id).in_([row.id for row in rows]))
            .values(not_before=lease_until)
        )
        for row in rows:  # the objects as the update left them, for the caller after commit
            row.not_before = lease_until
        identity_ids = {row.identity_id for row in rows}
        identities = db.exec(select(Identity).where(col(Identity.id).in_(identity_ids))).all()
        return rows, {identity.id: identity for identity in identities}


def end(engine: Engine, row: Outbox, **values: Any) -> bool:
    """Write how the claimed row ended (or hand it back); False when its lease was lost."""
    with unit_of_work(engine) as db:
        result = db.exec(
            update(Outbox)
            .where(
                Outbox.id == row.id,
                Outbox.status == "pending",
                Outbox.not_before == row.not_before,
            )
            .values(**values)
        )
        return result.rowcount == 1


def mark_identity(engine: Engine, identity: Identity) -> None:
    with unit_of_work(engine) as db:
        db.exec(
            update(Identity)
            .where(Identity.id == identity.id)
            .values(reachable=identity.reachable, opted_out=identity.opted_out)
        )


def release(engine: Engine, rows: Iterable[Outbox], now: datetime) -> int:
    """Give claimed rows that were not tried back to the queue, due at once (a clean stop)."""
    released = 0
    for row in rows:
        released += end(engine, row, status="pending", not_before=now)
    return released


def next_due(engine: Engine, channel: str) -> datetime | None:
    """When the channel's next row falls due (or the lease of a lost worker runs out)."""
    with Session(engine) as db:
        return db.exec(
            select(func.min(Outbox.not_before)).where(
                Outbox.status == "pending", Outbox.channel == channel
            )
        ).one()


# -- failed rows, for the operator ------------------------------------------------------------


def failed_rows(db: Session, limit: int = 100) -> list[Outbox]:
    return list(
        db.exec(
            select(Outbox).where(Outbox.status == "failed").order_by(Outbox.id.desc()).limit(limit)
        ).all()
    )


def retry_failed(db: Session, now: datetime, row_id: int | None = None) -> int:
    """Put failed rows (one, or all) back in the queue, due now, with a fresh count of attempts.
    The last error stays until the next attempt, as a record of why they had failed."""
    statement = update(Outbox).where(Outbox.status == "failed")
    if row_id is not None:
        statement = statement.where(Outbox.id == row_id)
    result = db.exec(statement.values(status="pending", not_before=now, attempts=0))
    return result.rowcount
