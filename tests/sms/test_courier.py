"""After a message is handled, its replies go out at once, one a second, in order."""

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.sender import TwilioSender
from bot.channels.twilio.sms import Courier
from bot.delivery.dispatcher import Dispatcher
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Outbox
from tests.clock import FakeClock
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import make_settings

NUMBER = "+351912345678"


def queue(engine: Engine, clock: FakeClock, *texts: str, later: timedelta = timedelta()) -> int:
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, "sms", NUMBER, clock())
        for text in texts:
            repo.enqueue(db, identity.id, identity.person_id, "sms", "reply",
                         {"text": text, "choices": []}, clock(), not_before=clock() + later)
        return identity.id


def courier(twilio: FakeTwilio, engine: Engine, clock: FakeClock, slept: list[float]) -> Courier:
    """One message a second; sleeping moves the fake clock instead of waiting."""
    settings = make_settings(twilio, sms_rate_per_second=1.0)
    sender = TwilioSender.from_settings(settings, lambda: clock().timestamp())

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)

    return Courier(Dispatcher(engine, {"sms": sender}, clock), sleep=sleep)


def test_a_turn_of_three_messages_goes_out_in_order_one_a_second(
    twilio: FakeTwilio, engine: Engine
) -> None:
    clock, slept = FakeClock(), []
    identity_id = queue(engine, clock, "one", "two", "three")
    assert courier(twilio, engine, clock, slept).deliver(identity_id) == 3
    assert twilio.bodies() == ["one", "two", "three"]
    assert [round(s, 3) for s in slept] == [1.0, 1.0]


def test_messages_due_later_are_left_to_the_worker(twilio: FakeTwilio, engine: Engine) -> None:
    clock, slept = FakeClock(), []
    identity_id = queue(engine, clock, "now")
    queue(engine, clock, "tomorrow", later=timedelta(days=1))
    assert courier(twilio, engine, clock, slept).deliver(identity_id) == 1
    assert twilio.bodies() == ["now"] and slept == []
    with unit_of_work(engine) as db:
        pending = db.exec(select(Outbox).where(Outbox.status == "pending")).all()
        assert [row.payload["text"] for row in pending] == ["tomorrow"]
