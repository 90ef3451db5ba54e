"""Talking to a person over Telegram: a counselor with a linked chat is told there, one without
by e-mail; the person's messages wait in the thread, the answer reaches their chat, and closing
brings the bot back."""

import time
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram.limits import ChatLimits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.conversation.service import ConversationService
from bot.counselors.inbox import HandOverInbox
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.ratelimit import TokenBucket
from bot.entry.bootstrap import App
from bot.network.importer import seed_demo_if_empty
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.models import Counselor, HandOver, Identity, Outbox
from tests.clock import FakeClock
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram.person import TelegramUser, Webhook, eventually
from tests.telegram.test_counselor import NOW, STAFF_CHAT, link_code

PERSON_CHAT = 5150


@pytest.fixture
def application(settings: Settings, engine: Engine, cipher: Cipher) -> App:
    seed_demo_if_empty(engine)
    service = ConversationService(engine, intake_flow(), cipher, "2026-11", None, FakeClock(NOW))
    return App(settings, engine, cipher, service)


@pytest.fixture
def dispatcher(application: App, settings: Settings):
    sender = TelegramSender(
        partial(make_bot, settings),
        ChatLimits(TokenBucket(1000.0, 1000.0, time.monotonic), 1000.0, time.monotonic),
    )
    yield Dispatcher(application.engine, {"telegram": sender}, application.service.clock)
    sender.close()


def test_talk_to_a_person_over_telegram_from_request_to_the_bot_again(
    webhook: Webhook, telegram: FakeTelegram, application: App, dispatcher: Dispatcher
) -> None:
    engine = application.engine
    ana = TelegramUser(webhook, telegram, engine, STAFF_CHAT)
    ana.say(f"/link {link_code(engine, 'ana-silva')}")
    person = TelegramUser(webhook, telegram, engine, PERSON_CHAT, language_code="en")
    person.start()
    person.say("yes")
    person.say("talk to a person")
    assert person.texts()[-1].startswith("A counselor of Porto will answer you here")

    arrives(dispatcher, lambda: "uma pessoa pede para falar com um técnico" in ana.texts()[-1])
    assert by_email(engine) == ["joao.costa@example.org"]  # João has no linked chat

    before = len(person.texts())
    person.say("I need help with my CV")
    assert len(person.texts()) == before  # no bot reply: it is in the thread

    inbox = HandOverInbox(application.service)
    hand_over = the_hand_over(engine)
    ana_id = counselor_id(engine, "ana-silva")
    assert inbox.thread(hand_over.id)[-1].text == "I need help with my CV"
    inbox.answer(hand_over.id, ana_id, "Of course. Come on Thursday at 10:00?")
    arrives(dispatcher,
            lambda: person.texts()[-1] == "Ana Silva: Of course. Come on Thursday at 10:00?")

    inbox.close(hand_over.id, ana_id)
    arrives(dispatcher, lambda: person.texts()[-2:] == [
        "You are back with the assistant.", "In which town or municipality do you live?"])
    person.say("Porto")
    assert person.texts()[-1].startswith("How old are you?")


def arrives(dispatcher: Dispatcher, condition: Callable[[], bool]) -> None:
    """Sent by the worker (here) or by the web app's own pump, whichever claims it first."""
    eventually(lambda: dispatcher.dispatch_due("telegram") >= 0 and condition(), "the message")


def the_hand_over(engine: Engine) -> HandOver:
    with Session(engine) as db:
        return db.exec(select(HandOver)).one()


def counselor_id(engine: Engine, code: str) -> int:
    with Session(engine) as db:
        return db.exec(select(Counselor.id).where(Counselor.code == code)).one()


def by_email(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(
            select(Identity.address).join(Outbox, Outbox.identity_id == Identity.id)
            .where(Outbox.channel == "email")
        ).all())  # fmt: skip
