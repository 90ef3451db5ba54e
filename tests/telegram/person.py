"""A person on Telegram as the tests drive one: writing, pressing buttons, and waiting until the
bot has answered, that is until the update is recorded and nothing is left to send to them."""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Protocol

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.channels.telegram.runtime import poll
from bot.channels.telegram.updates import CHANNEL, external_id
from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.contacts.telegram import TelegramContacts
from bot.entry.bootstrap import App
from storage.models import Conversation, Identity, InboundSeen, Outbox
from storage.repositories import is_address
from tests.fakes.telegram_server import BOT_USER, FakeTelegram
from tests.telegram import updates

SECRET = "s3cret-token_for-tests"
BOT_ID = str(BOT_USER["id"])
PATIENCE = 15.0  # seconds: a ceiling for a broken run, never a measure of speed


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.005)


class Transport(Protocol):
    def deliver(self, update: dict[str, Any]) -> None: ...


class Webhook:
    """Updates posted to the web app, as Telegram does with a webhook set."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def deliver(self, update: dict[str, Any]) -> None:
        response = self.client.post(PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 200


class Polling:
    """Updates queued at the fake server, for the bot's getUpdates."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    def deliver(self, update: dict[str, Any]) -> None:
        self.telegram.push(update)


@contextmanager
def polling_bot(application: App) -> Iterator[None]:
    """`percorso telegram --polling`, in a thread of its own until the block ends."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    failures: list[BaseException] = []
    settings = application.settings
    contacts = TelegramContacts(application.service, settings.default_timezone)

    def run() -> None:
        try:
            polling = poll(settings, application.service, contacts, application.delivery, stop,
                           timedelta(seconds=1))
            loop.run_until_complete(polling)
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=run, name="polling-bot")
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=PATIENCE)
        loop.close()
    if failures:
        raise failures[0]


class TelegramUser:
    def __init__(
        self,
        transport: Transport,
        telegram: FakeTelegram,
        engine: Engine,
        chat_id: int,
        language_code: str | None = None,
    ) -> None:
        self.transport = transport
        self.telegram = telegram
        self.engine = engine
        self.chat_id = chat_id
        self.language_code = language_code

    # --- acting -------------------------------------------------------------------------

    def start(self, payload: str | None = None) -> None:
        self.say(f"/start {payload}" if payload else "/start")

    def say(self, text: str) -> None:
        self.send(updates.message(self.chat_id, text, language_code=self.language_code))

    def press(self, choice_id: str) -> dict[str, Any]:
        """Press the button for `choice_id` on the last keyboard; returns that message after."""
        sent = self.last_keyboard()
        data = next(
            button["callback_data"]
            for row in sent["reply_markup"]["inline_keyboard"]
            for button in row
            if button["callback_data"].rsplit("|", 1)[-1] == choice_id
        )
        self.send(updates.pressed(self.chat_id, sent, data, language_code=self.language_code))
        return next(m for m in self.messages() if m["message_id"] == sent["message_id"])

    def send(self, update: dict[str, Any]) -> None:
        self.transport.deliver(update)
        self.settle(update["update_id"])

    def settle(self, update_id: int) -> None:
        eventually(lambda: self._recorded(update_id) and not self._pending(), "the bot's answer")

    # --- reading ------------------------------------------------------------------------

    def messages(self) -> list[dict[str, Any]]:
        return self.telegram.sent_to(self.chat_id)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages() if "text" in m]

    def last_keyboard(self) -> dict[str, Any]:
        return [m for m in self.messages() if "reply_markup" in m][-1]

    def node(self) -> str | None:
        with Session(self.engine) as db:
            return db.exec(
                select(Conversation.node)
                .join(Identity, Identity.person_id == Conversation.person_id)
                .where(is_address(db, CHANNEL, str(self.chat_id)))
            ).first()

    def identity(self) -> Identity | None:
        with Session(self.engine) as db:
            return db.exec(
                select(Identity).where(is_address(db, CHANNEL, str(self.chat_id)))
            ).first()

    def _recorded(self, update_id: int) -> bool:
        with Session(self.engine) as db:
            key = external_id(BOT_ID, update_id)
            return (
                db.exec(
                    select(InboundSeen.id).where(
                        InboundSeen.channel == CHANNEL, InboundSeen.external_id == key
                    )
                ).first()
                is not None
            )

    def _pending(self) -> int:
        with Session(self.engine) as db:
            return db.exec(
                select(func.count())
                .select_from(Outbox)
                .join(Identity, Identity.id == Outbox.identity_id)
                .where(
                    Outbox.status == "pending",
                    Outbox.channel == "telegram",  # not the reminders waiting for their time
                    is_address(db, CHANNEL, str(self.chat_id)),
                )
            ).one()
