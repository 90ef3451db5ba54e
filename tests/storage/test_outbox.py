"""The outbox table's row operations: claims by priority then age under a lease, ends that
need the lease, cancellation by cause."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from storage import outbox
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from storage.repositories import find_or_create_identity

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LEASE = NOW + 5 * MINUTE
PRIORITY = {"reply": 0, "notification": 10, "reminder": 20, "broadcast": 50}


def queue(engine: Engine, *messages: tuple[str, timedelta], address: str = "ana") -> list[int]:
    """Add (kind, not_before offset from NOW) for one person; returns the row ids."""
    with unit_of_work(engine) as session:
        identity = find_or_create_identity(session, "telegram", address, NOW)
        return [add(session, identity, kind, NOW + offset).id for kind, offset in messages]


def add(
    session: Session, identity: Identity, kind: str, not_before: datetime,
    reference: str | None = None,
) -> Outbox:  # fmt: skip
    row = outbox.NewRow(identity.id, identity.person_id, identity.channel, kind, PRIORITY[kind],
                        {"text": kind, "choices": []}, not_before, reference)  # fmt: skip
    return outbox.add(session, row, NOW - 60 * MINUTE)


def claimed(engine: Engine, now: datetime = NOW, **narrowing: object) -> list[int]:
    channels = narrowing.pop("channels", ["telegram"])
    rows, _ = outbox.claim(engine, now, channels, narrowing.pop("limit", 100), LEASE, **narrowing)
    return [row.id for row in rows]


def test_claims_come_by_priority_then_age(engine: Engine) -> None:
    reply_new, reply_old, notification, broadcast, _future = queue(
        engine,
        ("reply", -1 * MINUTE),
        ("reply", -5 * MINUTE),
        ("notification", -10 * MINUTE),
        ("broadcast", -60 * MINUTE),
        ("reminder", +1 * MINUTE),
    )
    assert claimed(engine, limit=2) == [reply_old, reply_new]
    assert claimed(engine) == [notification, broadcast]  # the first two are under a lease


def test_a_claim_can_be_narrowed_to_a_channel_or_to_rows(engine: Engine) -> None:
    (ana,) = queue(engine, ("reply", -MINUTE), address="ana")
    (bea,) = queue(engine, ("reply", -MINUTE), address="bea")
    assert claimed(engine, channels=["sms"]) == []
    assert claimed(engine, row_ids=[bea]) == [bea]
    assert claimed(engine) == [ana]


def test_a_row_is_ended_only_under_the_lease_it_was_claimed_with(engine: Engine) -> None:
    queue(engine, ("reply", -MINUTE))
    (row,), _ = outbox.claim(engine, NOW, ["telegram"], 10, LEASE)
    stale = row.model_copy(update={"not_before": NOW})  # a worker whose lease was taken over
    assert not outbox.end(engine, stale, status="sent", sent_at=NOW)
    assert outbox.end(engine, row, status="sent", sent_at=NOW, external_id="tg-991", attempts=1)
    assert not outbox.end(engine, row, status="sent", sent_at=NOW)  # sent at most once
    assert claimed(engine, LEASE + MINUTE) == []
    with Session(engine) as session:
        stored = session.get(Outbox, row.id)
        assert (stored.status, stored.external_id, stored.attempts) == ("sent", "tg-991", 1)


def test_a_dead_workers_rows_fall_due_when_its_lease_ends(engine: Engine) -> None:
    (row_id,) = queue(engine, ("reply", -MINUTE))
    assert claimed(engine) == [row_id]
    assert claimed(engine, NOW + MINUTE) == []
    assert claimed(engine, LEASE) == [row_id]


def test_cancelling_a_reference_cancels_only_its_pending_messages(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        identity = find_or_create_identity(session, "telegram", "ana", NOW)
        day_before, hour_before = (
            add(session, identity, "reminder", NOW + offset * MINUTE, "appointment:12")
            for offset in (60, 120)
        )
        other = add(session, identity, "reminder", NOW, "appointment:13")
    with unit_of_work(engine) as session:
        assert outbox.cancel_by_reference(session, "appointment:12") == 2
    with Session(engine) as session:
        reminders = [session.get(Outbox, row.id) for row in (day_before, hour_before)]
        assert [row.status for row in reminders] == ["cancelled", "cancelled"]
        assert session.get(Outbox, other.id).status == "pending"


def test_concurrent_claims_take_disjoint_rows(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time; nothing to skip")
    from concurrent.futures import ThreadPoolExecutor

    queue(engine, *[("reply", -MINUTE)] * 6)
    with ThreadPoolExecutor(3) as pool:
        claims = list(pool.map(lambda _: set(claimed(engine, limit=2)), range(3)))
    assert sum(len(c) for c in claims) == 6
    assert len(set().union(*claims)) == 6
