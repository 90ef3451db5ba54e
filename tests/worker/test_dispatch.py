"""The dispatcher's claims, leases, retries and pacing, with a recording sender and a fake
clock."""

from datetime import timedelta
from random import Random

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.delivery.dispatcher import ENDINGS_AT_ONCE, ENDINGS_WAIT, Dispatcher
from bot.delivery.outbound import Kind, Outbound, Recipient, queue
from bot.delivery.policy import DeliveryPolicy, RetryPolicy
from bot.delivery.refusals import Dropped, Pause, PermanentFailure, RetryLater
from storage import outbox
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.clock import FakeClock
from tests.worker.conftest import identities, text

LEASE = timedelta(minutes=5)


class Recorder:
    """A sender that records each call and answers with what the test queued (default: sent)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.answers: list[Exception] = []

    def __call__(self, recipient: Recipient, message: Outbound) -> str:
        self.calls.append(message.text)
        if self.answers:
            raise self.answers.pop(0)
        return f"id-{len(self.calls)}"


def queued(engine: Engine, clock: FakeClock, count: int, kind: Kind = "broadcast") -> list[int]:
    people = identities(engine, "telegram", [str(n) for n in range(count)], clock())
    with unit_of_work(engine) as db:
        return [queue(db, p, text(f"m{n}", kind), clock()).id for n, p in enumerate(people)]


def rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as db:
        return list(db.exec(select(Outbox).order_by(Outbox.id)).all())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_row_claimed_by_one_worker_is_not_claimed_by_another(
    engine: Engine, clock: FakeClock
) -> None:
    queued(engine, clock, 3)
    first, _ = outbox.claim(engine, clock(), ["telegram"], 2, clock() + LEASE)
    second, _ = outbox.claim(engine, clock(), ["telegram"], 10, clock() + LEASE)

    assert len(first) == 2 and len(second) == 1
    assert {r.id for r in first}.isdisjoint({r.id for r in second})


def test_rows_of_a_worker_that_died_are_sent_once_after_its_lease(
    engine: Engine, clock: FakeClock
) -> None:
    queued(engine, clock, 3)
    dead, _ = outbox.claim(engine, clock(), ["telegram"], 10, clock() + LEASE)
    sender = Recorder()
    survivor = Dispatcher(engine, {"telegram": sender}, clock, DeliveryPolicy(lease=LEASE))

    assert survivor.dispatch_due() == 0  # still the dead worker's
    clock.advance(minutes=5)
    assert survivor.dispatch_due() == 3
    assert survivor.dispatch_due() == 0

    assert sorted(sender.calls) == ["m0", "m1", "m2"]
    # The dead worker, back to life, cannot overwrite what the survivor recorded.
    assert outbox.end(engine, dead[0], status="failed", last_error="late") is False
    assert {r.status for r in rows(engine)} == {"sent"}


def test_rows_sent_are_on_record_a_few_sends_later_not_at_the_end(
    engine: Engine, clock: FakeClock
) -> None:
    # A row sent and not yet recorded would go again after a crash: how many that can be is
    # bounded, by count and by time, whatever the size of the claim.
    queued(engine, clock, 3 * ENDINGS_AT_ONCE + 2)
    on_record: list[int] = []
    sender = Recorder()

    def looking(recipient: Recipient, message: Outbound) -> str:
        with Session(engine) as db:
            on_record.append(len(db.exec(select(Outbox).where(Outbox.status == "sent")).all()))
        if len(on_record) > 2 * ENDINGS_AT_ONCE:  # slow sends: recorded by time, not count
            clock.advance(seconds=ENDINGS_WAIT.total_seconds())
        return sender(recipient, message)

    dispatcher = Dispatcher(engine, {"telegram": looking}, clock, DeliveryPolicy(lease=LEASE))
    assert dispatcher.dispatch_due() == 3 * ENDINGS_AT_ONCE + 2
    assert on_record[ENDINGS_AT_ONCE - 1] == 0  # fast sends: ten gathered, written together
    assert on_record[ENDINGS_AT_ONCE] == ENDINGS_AT_ONCE
    slow = range(2 * ENDINGS_AT_ONCE + 2, len(on_record))  # each took ENDINGS_WAIT
    assert all(sends - on_record[sends] <= 2 for sends in slow)
    assert {r.status for r in rows(engine)} == {"sent"}


def test_a_worker_held_up_near_its_lease_sends_no_more_and_the_rows_go_once(
    engine: Engine, clock: FakeClock
) -> None:
    queued(engine, clock, 3)
    sender = Recorder()
    slow = Dispatcher(engine, {"telegram": sender}, clock, DeliveryPolicy(lease=LEASE))
    original = sender.__call__

    def held_up(recipient: Recipient, message: Outbound) -> str:
        clock.advance(minutes=4, seconds=40)  # the first send takes most of the lease
        return original(recipient, message)

    slow.senders["telegram"] = held_up
    assert slow.dispatch_due() == 1
    assert [r.status for r in rows(engine)] == ["sent", "pending", "pending"]

    other = Dispatcher(engine, {"telegram": sender}, clock, DeliveryPolicy(lease=LEASE))
    clock.advance(seconds=20)  # the slow worker's lease has ended
    assert other.dispatch_due() == 2
    assert sorted(sender.calls) == ["m0", "m1", "m2"]  # each once


def test_a_stop_gives_back_the_rows_claimed_but_not_tried(engine: Engine, clock: FakeClock) -> None:
    queued(engine, clock, 4)
    sender = Recorder()
    dispatcher = Dispatcher(engine, {"telegram": sender}, clock)
    original = sender.__call__

    def stop_after_two(recipient: Recipient, message: Outbound) -> str:
        if len(sender.calls) == 1:
            dispatcher.stop()
        return original(recipient, message)

    dispatcher.senders["telegram"] = stop_after_two
    assert dispatcher.dispatch_due() == 2

    ended = rows(engine)
    assert [r.status for r in ended] == ["sent", "sent", "pending", "pending"]
    assert all(r.not_before == clock() for r in ended[2:])  # due at once for the next worker


def test_an_outage_backs_off_exponentially_with_jitter_then_fails(
    engine: Engine, clock: FakeClock
) -> None:
    queued(engine, clock, 1)
    sender = Recorder()
    sender.answers = [RetryLater("telegram:network", 30.0) for _ in range(4)]
    policy = RetryPolicy(max_attempts=4, base=timedelta(seconds=30), jitter=0.25,
                         rng=Random(7))  # fmt: skip
    dispatcher = Dispatcher(engine, {"telegram": sender}, clock, DeliveryPolicy(retry=policy))

    waits = []
    for _ in range(3):
        start = clock()
        dispatcher.dispatch_due()
        (row,) = rows(engine)
        waits.append((row.not_before - start).total_seconds())
        clock.now = row.not_before
    dispatcher.dispatch_due()

    for attempt, wait in enumerate(waits):
        assert 30 * 2**attempt <= wait <= 30 * 2**attempt * 1.25
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("failed", 4)
    assert row.last_error == "telegram:network (after 4 attempts)"


def test_a_429_waits_its_retry_after_for_the_whole_channel_and_is_no_attempt(
    engine: Engine, clock: FakeClock
) -> None:
    queued(engine, clock, 3)
    sender = Recorder()
    sender.answers = [Pause("telegram:429", 7.0, whole_channel=True)]
    dispatcher = Dispatcher(engine, {"telegram": sender}, clock)

    assert dispatcher.dispatch_due() == 0

    assert len(sender.calls) == 1  # the other chats were not tried during the flood wait
    assert {(r.status, r.attempts, r.not_before) for r in rows(engine)} == {
        ("pending", 0, clock() + timedelta(seconds=7))
    }
    clock.advance(seconds=7)
    assert dispatcher.dispatch_due() == 3


def test_a_permanent_refusal_fails_at_once_and_marks_the_identity(
    engine: Engine, clock: FakeClock
) -> None:
    queued(engine, clock, 1)
    sender = Recorder()
    sender.answers = [PermanentFailure("twilio 21610 unsubscribed", opted_out=True)]
    Dispatcher(engine, {"telegram": sender}, clock).dispatch_due()

    (row,) = rows(engine)
    assert (row.status, row.last_error) == ("failed", "twilio 21610 unsubscribed")
    with Session(engine) as db:
        assert db.get(Identity, row.identity_id).opted_out


def test_a_dropped_row_is_cancelled_with_its_reason(engine: Engine, clock: FakeClock) -> None:
    queued(engine, clock, 1, kind="reminder")
    sender = Recorder()
    sender.answers = [Dropped("late: the meeting has begun")]
    Dispatcher(engine, {"telegram": sender}, clock).dispatch_due()

    (row,) = rows(engine)
    assert (row.status, row.last_error) == ("cancelled", "late: the meeting has begun")


def test_only_channels_with_a_sender_are_claimed(engine: Engine, clock: FakeClock) -> None:
    queued(engine, clock, 1)
    assert Dispatcher(engine, {"sms": Recorder()}, clock).dispatch_due() == 0
    assert rows(engine)[0].status == "pending"
