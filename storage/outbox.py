"""The outbox table's rows: added, claimed under a lease, ended, cancelled, retried.

What a row says and how it is sent is bot.delivery's business (bot.delivery.outbound writes the
rows, bot.delivery.dispatcher sends them); this module only reads and writes the table.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, Update, bindparam, func, insert, update
from sqlmodel import Session, col, select

from storage.db import reading, unit_of_work
from storage.models import Identity, Outbox, OutboxMention


@dataclass(frozen=True)
class NewRow:
    """One row to add: who it goes to, on which channel, what it says, and when."""

    identity_id: int
    person_id: str | None
    channel: str
    kind: str
    priority: int
    payload: dict[str, Any]
    not_before: datetime
    reference: str | None = None
    request_id: str | None = None


def add(db: Session, row: NewRow, now: datetime, mentions: Iterable[str] = ()) -> Outbox:
    """Add the row, and the people its text speaks of besides its addressee (OutboxMention)."""
    message = Outbox(**vars(row), created_at=now)
    db.add(message)
    db.flush()
    assert message.id is not None
    for person_id in set(mentions):
        db.add(OutboxMention(outbox_id=message.id, person_id=person_id))
    return message


def add_many(db: Session, rows: Sequence[NewRow], now: datetime) -> None:
    """Many rows in one statement (a broadcast); their ids are not read back."""
    if rows:
        values = [{**vars(row), "created_at": now, "status": "pending", "attempts": 0}
                  for row in rows]  # fmt: skip
        db.exec(insert(Outbox), params=values)


def claim(
    engine: Engine,
    now: datetime,
    channels: Iterable[str],
    limit: int,
    lease_until: datetime,
    row_ids: Iterable[int] | None = None,
) -> tuple[list[Outbox], dict[int, Identity]]:
    """Claim up to `limit` due rows of the channels (of `row_ids` only, when given), by priority
    then age, with their identities."""
    with unit_of_work(engine) as db:
        query = select(Outbox).where(
            Outbox.status == "pending",
            Outbox.not_before <= now,
            col(Outbox.channel).in_(list(channels)),
        )
        if row_ids is not None:
            query = query.where(col(Outbox.id).in_(list(row_ids)))
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


Ending = tuple[Outbox, dict[str, Any]]
"""A claimed row and how it ended: the values to write (status, sent_at, not_before...)."""


def end(engine: Engine, row: Outbox, **values: Any) -> bool:
    """Write how the claimed row ended (or hand it back); False when its lease was lost."""
    return not end_all(engine, [(row, values)])


def end_all(engine: Engine, endings: Sequence[Ending]) -> list[int]:
    """Write how claimed rows ended, in one transaction; returns the ids of those whose lease
    was lost (another worker has them now, and what is written here would be wrong)."""
    lost = []
    with unit_of_work(engine) as db:
        connection = db.connection()
        for row, values in endings:
            given = {f"new_{name}": value for name, value in values.items()}
            result = connection.execute(
                _ending(frozenset(values)), {"row": row.id, "lease": row.not_before, **given}
            )
            if result.rowcount != 1:
                lost.append(row.id)  # type: ignore[arg-type]
    return lost


@cache
def _ending(names: frozenset[str]) -> Update:
    """The statement that ends a row under its lease, built once for each set of columns: a
    worker ends thousands of rows, and building the ORM statement anew cost more than running
    it."""
    table = Outbox.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            table.c.id == bindparam("row"),
            table.c.status == "pending",
            table.c.not_before == bindparam("lease", type_=table.c.not_before.type),
        )
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names})
    )


def mark_identity(engine: Engine, identity_id: int, **values: bool) -> None:
    """Record what a channel said about an address: `reachable`, `opted_out`."""
    with unit_of_work(engine) as db:
        db.exec(update(Identity).where(Identity.id == identity_id).values(**values))


def release(engine: Engine, rows: Iterable[Outbox], now: datetime) -> int:
    """Give claimed rows that were not tried back to the queue, due at once (a clean stop)."""
    endings = [(row, {"status": "pending", "not_before": now}) for row in rows]
    return len(endings) - len(end_all(engine, endings))


def next_due(engine: Engine, channel: str) -> datetime | None:
    """When the channel's next row falls due (or the lease of a lost worker runs out)."""
    with reading(engine) as db:
        return db.exec(
            select(func.min(Outbox.not_before)).where(
                Outbox.status == "pending", Outbox.channel == channel
            )
        ).one()


def pending_among(
    engine: Engine, row_ids: Iterable[int], channels: Iterable[str]
) -> dict[int, datetime]:
    """Of these rows, those of the channels still pending, with the time each falls due."""
    with reading(engine) as db:
        rows = db.exec(
            select(Outbox.id, Outbox.not_before).where(
                col(Outbox.id).in_(list(row_ids)),
                col(Outbox.channel).in_(list(channels)),
                Outbox.status == "pending",
            )
        ).all()
    return {row_id: not_before for row_id, not_before in rows}


def cancel_by_reference(db: Session, reference: str) -> int:
    """Cancel the pending messages of one cause (e.g. an appointment's reminders)."""
    result = db.exec(
        update(Outbox)
        .where(Outbox.reference == reference, Outbox.status == "pending")
        .values(status="cancelled")
    )
    return result.rowcount


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


def purge_payloads(db: Session, ended_before: datetime, now: datetime, limit: int) -> int:
    """Empty the payload of up to `limit` rows that ended - sent, failed or
    cancelled - before `ended_before`: what was said is kept no longer than it serves."""
    ended = func.coalesce(Outbox.sent_at, Outbox.created_at)
    ids = db.exec(
        select(Outbox.id)
        .where(col(Outbox.purged_at).is_(None), Outbox.status != "pending", ended < ended_before)
        .limit(limit)
    ).all()
    if ids:
        db.exec(update(Outbox).where(col(Outbox.id).in_(ids))
                .values(payload={}, purged_at=now))  # fmt: skip
    return len(ids)
