"""The real twilio library against the local fake: what is sent, and what refusals mean."""

import socket
import time

import pytest
from sqlalchemy import Engine

from bot.channels.twilio.sender import STATUS_PATH, TwilioSender, refusal
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Choice, Outbound, Recipient, queue
from bot.delivery.ratelimit import TokenBucket
from bot.delivery.refusals import Pause, PermanentFailure, RetryLater
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.clock import FakeClock
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import OUR_NUMBER, PUBLIC_URL, make_settings

TO = Recipient("sms", "+351912345678", "p")
HELLO = Outbound("Olá", choices=(Choice("y", "Sim"),))


def sender(twilio: FakeTwilio, **changes: object) -> TwilioSender:
    settings = make_settings(twilio, **changes)
    bucket = TokenBucket(settings.sms_rate_per_second, 1.0, time.monotonic)
    return TwilioSender.from_settings(settings, bucket)


def test_a_message_goes_from_our_number_with_a_status_callback(twilio: FakeTwilio) -> None:
    sid = sender(twilio)(TO, HELLO)
    [sent] = twilio.sent
    assert sent["Sid"] == sid
    assert sent["To"] == TO.address and sent["From"] == OUR_NUMBER
    assert sent["Body"] == "Olá\n1. Sim"
    assert sent["StatusCallback"] == PUBLIC_URL + STATUS_PATH
    assert "MessagingServiceSid" not in sent


def test_a_messaging_service_can_send_instead_of_a_number(twilio: FakeTwilio) -> None:
    service_sid = "MG" + "0" * 32
    sender(twilio, twilio_messaging_service_sid=service_sid)(TO, HELLO)
    [sent] = twilio.sent
    assert sent["MessagingServiceSid"] == service_sid and "From" not in sent


def test_a_sender_needs_a_number_or_a_messaging_service(twilio: FakeTwilio) -> None:
    with pytest.raises(ValueError):
        sender(twilio, twilio_from="")


@pytest.mark.parametrize(
    ("status", "code", "opted_out"),
    [(400, 21610, True), (400, 21211, False), (400, 21614, False), (400, 21408, False)],
)
def test_refusals_for_good_stop_at_once(
    twilio: FakeTwilio, status: int, code: int, opted_out: bool
) -> None:
    twilio.fail_next(status, code)
    with pytest.raises(PermanentFailure) as failure:
        sender(twilio)(TO, HELLO)
    assert failure.value.opted_out == opted_out
    assert str(code) in str(failure.value)
    assert twilio.sent == []


@pytest.mark.parametrize(("status", "code", "refusal"), [
    (429, 20429, Pause), (500, None, RetryLater), (503, None, RetryLater),
    (401, 20003, RetryLater),
])  # fmt: skip
def test_temporary_refusals_are_retried_later(
    twilio: FakeTwilio, status: int, code: int | None, refusal: type[Exception]
) -> None:
    twilio.fail_next(status, code)
    with pytest.raises(refusal) as later:
        sender(twilio)(TO, HELLO)
    assert later.value.seconds > 0
    # A 429 is Twilio's queue for the whole account: no attempt, and every row waits.
    assert getattr(later.value, "whole_channel", False) == (status == 429)


def test_a_network_failure_is_retried_later(twilio: FakeTwilio) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    with pytest.raises(RetryLater):
        sender(twilio, twilio_api_url=f"http://127.0.0.1:{closed_port}")(TO, HELLO)


def test_no_reason_quotes_the_number() -> None:
    for status, code in [(400, 21211), (429, 20429), (500, None), (400, 12345)]:
        assert TO.address not in str(refusal(status, code))


def test_the_sender_keeps_to_its_rate(twilio: FakeTwilio) -> None:
    ticks = [50.0]
    rated = TwilioSender.from_settings(
        make_settings(twilio), TokenBucket(1.0, 1.0, lambda: ticks[0])
    )
    rated(TO, HELLO)
    with pytest.raises(Pause) as pause:
        rated(TO, HELLO)
    assert pause.value.seconds == pytest.approx(1.0)
    assert len(twilio.sent) == 1
    ticks[0] += 1.0
    rated(TO, HELLO)
    assert len(twilio.sent) == 2


def test_twilio_21610_through_the_dispatcher_opts_the_number_out(
    twilio: FakeTwilio, engine: Engine
) -> None:
    clock = FakeClock()
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, "sms", TO.address, clock())
        row = queue(db, identity, HELLO, clock())
    twilio.fail_next(400, 21610)
    dispatcher = Dispatcher(engine, {"sms": sender(twilio)}, clock)
    assert dispatcher.dispatch_due(channel="sms") == 0
    with unit_of_work(engine) as db:
        assert db.get(Identity, identity.id).opted_out
        assert db.get(Outbox, row.id).status == "failed"
