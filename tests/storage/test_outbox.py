from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from storage.db import unit_of_work
from storage.models import Identity, Outbox
from storage.repositories import (
    cancel_by_reference,
    due_messages,
    enqueue,
    find_or_create_identity,
    mark_failed,
    mark_sent,
    retry_later,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def queue(engine: Engine, *messages: tuple[str, timedelta], address: str = "ana") -> list[int]:
    """Enqueue (kind, not_before offset from NOW) for one person; returns the row ids."""
    with unit_of_work(engine) as session:
        identity = find_or_create_identity(session, "telegram", address, NOW)
        return [send(session, identity, kind, NOW + offset).id for kind, offset in messages]


def send(
    session: Session, identity: Identity, kind: str, not_before: datetime, **extra: Any
) -> Outbox:
    return enqueue(
        session, identity.id, identity.person_id, identity.channel, kind,
        {"text": kind, "choices": []}, NOW - 60 * MINUTE, not_before=not_before, **extra,
    )  # fmt: skip


def test_due_messages_come_by_priority_then_age(engine: Engine) -> None:
    reply_new, reply_old, notification, broadcast, _future = queue(
        engine,
        ("reply", -1 * MINUTE),
        ("reply", -5 * MINUTE),
        ("notification", -10 * MINUTE),
        ("broadcast", -60 * MINUTE),
        ("reminder", +1 * MINUTE),
    )
    with unit_of_work(engine) as session:
        due = [row.id for row in due_messages(session, NOW)]
        assert due == [reply_old, reply_new, notification, broadcast]
        assert [row.id for row in due_messages(session, NOW, limit=2)] == due[:2]


def test_due_messages_can_be_narrowed_to_a_channel_or_identity(engine: Engine) -> None:
    (ana,) = queue(engine, ("reply", -MINUTE), address="ana")
    (bea,) = queue(engine, ("reply", -MINUTE), address="bea")
    with unit_of_work(engine) as session:
        bea_identity = session.get(Outbox, bea).identity_id
        assert {row.id for row in due_messages(session, NOW, channel="telegram")} == {ana, bea}
        assert due_messages(session, NOW, channel="sms") == []
        assert [row.id for row in due_messages(session, NOW, identity_id=bea_identity)] == [bea]


def test_handled_messages_are_no_longer_due(engine: Engine) -> None:
    sent, failed, retried = queue(engine, *[("reply", -MINUTE)] * 3)
    with unit_of_work(engine) as session:
        mark_sent(session, session.get(Outbox, sent), NOW, external_id="tg-991")
        mark_failed(session, session.get(Outbox, failed), "telegram:403")
        retry_later(session, session.get(Outbox, retried), "telegram:429", NOW + 30 * MINUTE)
    with unit_of_work(engine) as session:
        assert due_messages(session, NOW) == []
        assert [row.id for row in due_messages(session, NOW + 30 * MINUTE)] == [retried]
        row = session.get(Outbox, sent)
        assert (row.status, row.sent_at, row.external_id, row.attempts) == (
            "sent", NOW, "tg-991", 1,
        )  # fmt: skip
        row = session.get(Outbox, failed)
        assert (row.status, row.last_error) == ("failed", "telegram:403")


def test_a_message_is_sent_at_most_once(engine: Engine) -> None:
    (message,) = queue(engine, ("reply", -MINUTE))
    with unit_of_work(engine) as session:
        row = session.get(Outbox, message)
        mark_sent(session, row, NOW)
        with pytest.raises(ValueError, match="not pending"):
            mark_sent(session, row, NOW)


def test_cancelling_a_reference_cancels_only_its_pending_messages(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        identity = find_or_create_identity(session, "sms", "+390612345678", NOW)
        day_before, hour_before, done = (
            send(session, identity, "reminder", NOW + offset * MINUTE, reference="appointment:12")
            for offset in (60, 120, -1)
        )
        other = send(session, identity, "reminder", NOW, reference="appointment:13")
        mark_sent(session, done, NOW)
    with unit_of_work(engine) as session:
        assert cancel_by_reference(session, "appointment:12") == 2
    with unit_of_work(engine) as session:
        reminders = [session.get(Outbox, row.id) for row in (day_before, hour_before)]
        assert [row.status for row in reminders] == ["cancelled", "cancelled"]
        assert session.get(Outbox, done.id).status == "sent"
        assert session.get(Outbox, other.id).status == "pending"


def test_concurrent_dispatchers_claim_disjoint_messages(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time; nothing to skip")
    queue(engine, *[("reply", -MINUTE)] * 5)
    with unit_of_work(engine) as first, unit_of_work(engine) as second:
        claimed_first = {row.id for row in due_messages(first, NOW, limit=3)}
        claimed_second = {row.id for row in due_messages(second, NOW)}
    assert len(claimed_first) == 3
    assert len(claimed_second) == 2
    assert not claimed_first & claimed_second
