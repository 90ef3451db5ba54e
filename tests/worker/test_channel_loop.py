"""A channel's loop sends what is due, wakes for what another process writes, and stops cleanly."""

import threading

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Outbound, Recipient, queue
from bot.delivery.worker import Channel, ChannelLoop
from storage.db import unit_of_work
from storage.models import Outbox
from tests.clock import FakeClock
from tests.worker.conftest import identities, text

SAFETY = 20.0  # seconds; the test waits on events, this only ends a hung run


class Countdown:
    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.sent: list[str] = []
        self.done = threading.Event()

    def __call__(self, recipient: Recipient, message: Outbound) -> str:
        self.sent.append(message.text)
        if len(self.sent) >= self.expected:
            self.done.set()
        return "ok"


def queued(engine: Engine, clock: FakeClock, texts: list[str]) -> None:
    people = identities(engine, "telegram", texts, clock())
    with unit_of_work(engine) as db:
        for words, person in zip(texts, people, strict=True):
            queue(db, person, text(words), clock())


def test_the_loop_sends_in_batches_and_is_woken_for_new_rows(engine: Engine) -> None:
    clock = FakeClock()
    first = [f"a{n}" for n in range(7)]
    queued(engine, clock, first)
    sender = Countdown(len(first))
    loop = ChannelLoop(Dispatcher(engine, {"telegram": sender}, clock),
                       Channel("telegram", sender, None, batch=3))  # fmt: skip
    loop.start()
    try:
        assert sender.done.wait(SAFETY)
        sender.done.clear()
        sender.expected += 2
        queued(engine, clock, ["b0", "b1"])
        loop.wake()  # what the scheduler's tick does every second
        assert sender.done.wait(SAFETY)
    finally:
        loop.stop()

    assert sorted(sender.sent) == sorted([*first, "b0", "b1"])
    with Session(engine) as db:
        assert {row.status for row in db.exec(select(Outbox))} == {"sent"}
