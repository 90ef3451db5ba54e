"""A broadcast meets the channels' refusals, through the real libraries and the fake servers:
Telegram's 429 (waited out) and 403 (blocked), Twilio's 21610 (STOP) and an invalid number."""

import time
from collections import Counter
from collections.abc import Iterator
from functools import partial

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram.limits import ChatLimits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.channels.twilio.sender import TwilioSender
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.ratelimit import TokenBucket
from bot.jobs.broadcast import progress, queue_broadcast
from bot.settings import Settings
from storage.db import unit_of_work
from storage.models import Identity, Intake, Outbox
from storage.repositories import is_address
from tests.clock import FakeClock
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.fakes.twilio_server import FakeTwilio, running
from tests.sms.conftest import ACCOUNT_SID, AUTH_TOKEN, make_settings
from tests.worker.conftest import identities

TEXTS = {"pt": "Feira de emprego no sábado."}


@pytest.fixture(scope="module")
def twilio_server() -> Iterator[FakeTwilio]:
    with running(FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)) as fake:
        yield fake


def audience(engine: Engine, clock: FakeClock, channel: str, addresses: list[str]) -> int:
    found = identities(engine, channel, addresses, clock())
    with unit_of_work(engine) as db:
        for identity in found:
            db.add(Intake(person_id=identity.person_id, channel=channel, lang="pt",
                          started_at=clock(), consent_version="2026-11"))  # fmt: skip
    with unit_of_work(engine) as db:
        return queue_broadcast(db, {"lang": ["pt"]}, TEXTS, clock()).id


def ended(engine: Engine) -> dict[str, tuple[str, str | None]]:
    with Session(engine) as db:
        rows = db.exec(select(Outbox, Identity).join(Identity)).all()
        return {i.address: (o.status, o.last_error) for o, i in rows}


def test_telegram_429_is_waited_out_and_a_blocked_chat_is_marked(
    engine: Engine, telegram: FakeTelegram
) -> None:
    clock = FakeClock()
    broadcast_id = audience(engine, clock, "telegram", ["101", "102", "103"])
    telegram.block(102)
    telegram.fail_next("sendMessage", 429, retry_after=3)
    settings = Settings(telegram_token=TOKEN, telegram_api_url=telegram.url)
    seconds = lambda: clock().timestamp()  # noqa: E731
    limits = ChatLimits(TokenBucket(1000, 1000, seconds), 1000, seconds)
    sender = TelegramSender(partial(make_bot, settings), limits)
    try:
        dispatcher = Dispatcher(engine, {"telegram": sender}, clock)
        assert dispatcher.dispatch_due() == 0
        clock.advance(seconds=3)
        dispatcher.dispatch_due()
    finally:
        sender.close()

    accepted = Counter(str(m["chat"]["id"]) for chat in (101, 103)
                       for m in telegram.sent_to(chat))  # fmt: skip
    assert accepted == {"101": 1, "103": 1}
    assert ended(engine)["102"] == ("failed", "telegram:403")
    with Session(engine) as db:
        blocked = db.exec(select(Identity).where(is_address(db, "telegram", "102"))).one()
        assert blocked.reachable is False
        assert progress(db, broadcast_id) == {"pending": 0, "sent": 2, "failed": 1,
                                              "cancelled": 0}  # fmt: skip


def test_twilio_stop_opts_the_number_out_and_an_invalid_number_fails(
    engine: Engine, twilio_server: FakeTwilio
) -> None:
    twilio_server.reset()
    clock = FakeClock()
    audience(engine, clock, "sms", ["+351910000001", "+351910000002", "+351910000003"])
    twilio_server.fail_next(400, 21610)
    twilio_server.fail_next(400, 21211)
    settings = make_settings(twilio_server)
    bucket = TokenBucket(settings.sms_rate_per_second, 1.0, time.monotonic)
    sender = TwilioSender.from_settings(settings, bucket)

    Dispatcher(engine, {"sms": sender}, clock).dispatch_due()

    assert ended(engine) == {
        "+351910000001": ("failed", "twilio 21610 unsubscribed"),
        "+351910000002": ("failed", "twilio 21211 invalid number"),
        "+351910000003": ("sent", None),
    }
    assert twilio_server.bodies() == [TEXTS["pt"]]
    with Session(engine) as db:
        stopped = db.exec(select(Identity).where(is_address(db, "sms", "+351910000001"))).one()
        assert stopped.opted_out is True
