"""The Telegram sender under the outbox's Dispatcher, against the fake Bot API server, with clocks
the test moves: keyboards, long texts, 429, 403, the limits, and what each error means."""

from collections.abc import Iterator
from datetime import timedelta
from functools import partial

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from telegram.error import BadRequest, InvalidToken, NetworkError, TimedOut

from bot.channels.telegram.format import split_text
from bot.channels.telegram.limits import CHAT_BURST, ChatLimits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender, refusal_for
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import CalendarInvite, Choice, Document, Outbound, queue
from bot.delivery.ratelimit import TokenBucket
from bot.delivery.refusals import PermanentFailure, RetryLater
from bot.settings import Settings
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.clock import FakeClock
from tests.fakes.telegram_server import FakeTelegram

CHAT = 501


class Seconds:
    """A monotonic clock that sleeping moves on, and remembers the sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sender(settings: Settings, seconds: Seconds) -> Iterator[TelegramSender]:
    sender = TelegramSender(
        partial(make_bot, settings),
        ChatLimits(TokenBucket(30, 30, seconds), 1, seconds),
        sleep=seconds.sleep,
    )
    yield sender
    sender.close()


@pytest.fixture
def dispatcher(engine: Engine, sender: TelegramSender, clock: FakeClock) -> Dispatcher:
    return Dispatcher(engine, {"telegram": sender}, clock)


def queued(engine: Engine, clock: FakeClock, *messages: Outbound, chat: int = CHAT) -> None:
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, "telegram", str(chat), clock())
        for message in messages:
            queue(db, identity, message, clock())


def text(
    words: str, node: str | None = None, choices: list[dict[str, str]] = (), ics: str | None = None
) -> Outbound:
    return Outbound(words, node=node, choices=tuple(Choice(**c) for c in choices),
                    invite=CalendarInvite(ics, "REQUEST") if ics else None)  # fmt: skip


def rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as db:
        return list(db.exec(select(Outbox).order_by(Outbox.id)).all())


def sent_texts(telegram: FakeTelegram) -> list[str]:
    return [call["text"] for call in telegram.calls_to("sendMessage")]


def test_a_question_goes_out_with_its_keyboard_and_its_message_id_is_kept(
    engine: Engine, clock: FakeClock, dispatcher: Dispatcher, telegram: FakeTelegram
) -> None:
    choices = [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]
    queued(engine, clock, text("Do you agree?", node="consent", choices=choices))

    assert dispatcher.dispatch_due() == 1

    (call,) = telegram.calls_to("sendMessage")
    assert call["chat_id"] == CHAT
    assert call["reply_markup"] == {"inline_keyboard": [
        [{"text": "Yes", "callback_data": "c|consent|yes"}],
        [{"text": "No", "callback_data": "c|consent|no"}],
    ]}  # fmt: skip
    (row,) = rows(engine)
    assert row.status == "sent"
    assert row.external_id == str(telegram.sent_to(CHAT)[0]["message_id"])


def test_a_long_text_goes_in_parts_with_the_buttons_under_the_last(
    engine: Engine,
    clock: FakeClock,
    dispatcher: Dispatcher,
    telegram: FakeTelegram,
    seconds: Seconds,
) -> None:
    long = "A sentence of some forty characters here. " * 500
    queued(engine, clock, text(long, node="consent", choices=[{"id": "yes", "label": "Yes"}]))

    dispatcher.dispatch_due()

    calls = telegram.calls_to("sendMessage")
    assert [call["text"] for call in calls] == split_text(long)
    assert len(calls) == 6 and all(len(call["text"]) < 4096 for call in calls)
    assert [bool(call.get("reply_markup")) for call in calls] == [False] * 5 + [True]
    # Past the chat's burst, the later parts wait out the per-chat limit in the sender.
    assert seconds.slept == [1.0] * (6 - int(CHAT_BURST))
    assert rows(engine)[0].external_id == str(telegram.sent_to(CHAT)[-1]["message_id"])


def test_a_429_hands_the_rows_back_for_retry_after_and_keeps_their_order(
    engine: Engine,
    clock: FakeClock,
    dispatcher: Dispatcher,
    telegram: FakeTelegram,
    seconds: Seconds,
) -> None:
    queued(engine, clock, text("one"), text("two"), text("three"))
    telegram.fail_next("sendMessage", 429, retry_after=7)

    assert dispatcher.dispatch_due() == 0

    assert len(telegram.calls_to("sendMessage")) == 1  # the rows behind are held, not tried
    assert {(r.status, r.last_error, r.not_before) for r in rows(engine)} == {
        ("pending", "telegram:429", clock() + timedelta(seconds=7))
    }
    clock.advance(seconds=7)
    seconds.now += 7
    assert dispatcher.dispatch_due() == 3
    assert sent_texts(telegram)[1:] == ["one", "two", "three"]


def test_a_chat_past_its_rate_is_handed_back_and_sent_in_order_later(
    engine: Engine,
    clock: FakeClock,
    dispatcher: Dispatcher,
    telegram: FakeTelegram,
    seconds: Seconds,
) -> None:
    queued(engine, clock, *(text(str(n)) for n in range(5)))

    assert dispatcher.dispatch_due() == int(CHAT_BURST)
    waiting = [r for r in rows(engine) if r.status == "pending"]
    assert [r.last_error for r in waiting] == ["telegram:rate"] * 2
    assert len({r.not_before for r in waiting}) == 1  # the same delay keeps their order

    for _ in range(2):
        clock.advance(seconds=1)
        seconds.now += 1
        dispatcher.dispatch_due()
    assert sent_texts(telegram) == ["0", "1", "2", "3", "4"]


def test_a_403_marks_the_person_unreachable_and_nothing_more_is_tried(
    engine: Engine, clock: FakeClock, dispatcher: Dispatcher, telegram: FakeTelegram
) -> None:
    queued(engine, clock, text("one"), text("two"))
    telegram.block(CHAT)

    dispatcher.dispatch_due()

    assert [(r.status, r.last_error) for r in rows(engine)] == [
        ("failed", "telegram:403"), ("failed", "unreachable"),
    ]  # fmt: skip
    assert len(telegram.calls_to("sendMessage")) == 1
    with Session(engine) as db:
        assert db.exec(select(Identity.reachable)).one() is False


def test_a_telegram_outage_is_retried_later(
    engine: Engine, clock: FakeClock, dispatcher: Dispatcher, telegram: FakeTelegram
) -> None:
    queued(engine, clock, text("one"))
    telegram.fail_next("sendMessage", 502)

    dispatcher.dispatch_due()

    (row,) = rows(engine)
    assert (row.status, row.last_error) == ("pending", "telegram:network")
    assert row.not_before > clock()


def test_a_bad_request_fails_the_row_for_good(
    engine: Engine, clock: FakeClock, dispatcher: Dispatcher, telegram: FakeTelegram
) -> None:
    queued(engine, clock, text("one"))
    telegram.fail_next("sendMessage", 400)

    dispatcher.dispatch_due()

    (row,) = rows(engine)
    assert (row.status, row.last_error) == ("failed", "telegram:400")


def _caused(error: NetworkError, cause: Exception) -> NetworkError:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "meaning"),
    [
        (_caused(NetworkError("x"), httpx.ConnectError("refused")), RetryLater),
        (_caused(TimedOut(), httpx.ConnectTimeout("slow")), RetryLater),
        (_caused(TimedOut(), httpx.PoolTimeout("busy")), RetryLater),
        (NetworkError("Bad Gateway"), RetryLater),  # Telegram answered: nothing was sent
        (InvalidToken(), RetryLater),
        (BadRequest("chat not found"), PermanentFailure),
        # No answer once the request was out: it may have arrived, and is sent at most once.
        (_caused(TimedOut(), httpx.ReadTimeout("no answer")), PermanentFailure),
        (_caused(NetworkError("x"), httpx.RemoteProtocolError("cut")), PermanentFailure),
    ],
)
def test_what_an_error_means_for_the_row(error: Exception, meaning: type) -> None:
    assert isinstance(refusal_for(error), meaning)


def test_the_bot_talks_to_the_configured_api_address(settings: Settings) -> None:
    bot = make_bot(settings)
    assert bot.base_url.startswith(f"{settings.telegram_api_url}/bot")
    assert "api.telegram.org" not in bot.base_url + bot.base_file_url


def test_a_counselors_notification_brings_its_calendar_invite(
    engine: Engine, clock: FakeClock, dispatcher: Dispatcher, telegram: FakeTelegram
) -> None:
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    queued(engine, clock, text("New booking: Orientation interview", ics=ics))

    assert dispatcher.dispatch_due() == 1

    assert sent_texts(telegram) == ["New booking: Orientation interview"]
    (upload,) = telegram.calls_to("sendDocument")
    assert upload["chat_id"] == CHAT
    assert upload["document"] == {"file_name": "invite.ics", "content": ics.encode()}
    (row,) = rows(engine)
    assert row.external_id == str(telegram.sent_to(CHAT)[0]["message_id"])


def test_a_file_goes_alone_with_its_name_and_the_text_as_its_caption(
    engine: Engine, clock: FakeClock, dispatcher: Dispatcher, telegram: FakeTelegram
) -> None:
    content = '{"person": {"first_name": "Maria"}}'
    queued(engine, clock, Outbound("", document=Document("my-data.json", content)),
           Outbound("Your record", document=Document("my-data.json", content)))  # fmt: skip

    assert dispatcher.dispatch_due() == 2

    plain, captioned = telegram.calls_to("sendDocument")
    assert plain["document"] == {"file_name": "my-data.json", "content": content.encode()}
    assert "caption" not in plain and captioned["caption"] == "Your record"
    assert telegram.calls_to("sendMessage") == []  # no empty message besides the file
    assert [row.status for row in rows(engine)] == ["sent", "sent"]
