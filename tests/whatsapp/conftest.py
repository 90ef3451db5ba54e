"""The WhatsApp channel end to end: the web app on a fresh database, Twilio's WhatsApp webhooks
signed with the twilio library, its REST API played by the local fake server; the clock a fake
one the tests move (the 24-hour window)."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import func, select

from bot.channels.twilio.whatsapp import WHATSAPP_PATH, whatsapp_router
from bot.contacts.whatsapp import WhatsAppContacts
from bot.contacts.whatsapp_window import WAITING
from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.entry.senders import whatsapp_sender
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from storage.repositories import is_address
from tests.clock import FakeClock
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import ACCOUNT_SID, PUBLIC_URL, make_settings, signed
from tests.telegram.person import eventually

WHATSAPP_FROM = "+14155238886"  # Twilio's sandbox number
NUMBER = "+351912345678"
REMINDER_SID = "HX" + "1" * 32
REMINDER_TEXT = "Lembrete: a sua reunião é {{1}} às {{2}}, {{3}}. Responda 1 para confirmar."


def whatsapp_settings(twilio: FakeTwilio, **changes: Any) -> Settings:
    return make_settings(twilio, twilio_from="", twilio_whatsapp_from=WHATSAPP_FROM,
                         whatsapp_rate_per_second=1000.0, **changes)  # fmt: skip


@pytest.fixture
def settings(twilio: FakeTwilio) -> Settings:
    return whatsapp_settings(twilio, whatsapp_templates={"reminder": {"pt": REMINDER_SID}})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def application(engine: Engine, cipher: Cipher, settings: Settings, clock: FakeClock) -> App:
    service = ConversationService(
        engine, intake_flow(), cipher, settings.privacy_notice_version, None, clock
    )
    return App(settings, engine, cipher, service)


@pytest.fixture
def client(application: App) -> Iterator[TestClient]:
    web = FastAPI()
    settings, service = application.settings, application.service
    screen = WhatsAppContacts(service, settings.support_contact).screen
    sender = whatsapp_sender(settings, application.engine, service.clock, "pt")
    web.include_router(whatsapp_router(settings, service, screen, sender, application.delivery))
    with TestClient(web) as started:
        yield started


def inbound_params(sender: str, body: str, **extra: str) -> dict[str, str]:
    """What Twilio posts for an incoming WhatsApp message."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Maria", "MessageType": "text",
        "SmsSid": sid, "WaId": sender.removeprefix("+"), "SmsStatus": "received", "Body": body,
        "To": "whatsapp:" + WHATSAPP_FROM, "NumSegments": "1", "ReferralNumMedia": "0",
        "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": "whatsapp:" + sender,
        "ApiVersion": "2010-04-01", **extra,
    }  # fmt: skip


class WhatsAppPhone:
    """A person's WhatsApp: writes through the signed webhook, reads what came back."""

    def __init__(self, client: TestClient, twilio: FakeTwilio, engine: Engine, number: str):
        self.client = client
        self.twilio = twilio
        self.engine = engine
        self.number = number

    def post(self, params: dict[str, str]) -> int:
        before = self._last_row()
        response = self.client.post(WHATSAPP_PATH, data=params,
                                    headers=signed(PUBLIC_URL + WHATSAPP_PATH, params))
        if response.status_code == 200:
            eventually(lambda: not self._unsent_since(before), "the replies to go out")
        return response.status_code

    def write(self, body: str, **extra: str) -> list[str]:
        """Write `body`; the messages it brought."""
        before = len(self.inbox())
        assert self.post(inbound_params(self.number, body, **extra)) == 200
        return self.inbox()[before:]

    def inbox(self) -> list[str]:
        return self.twilio.bodies(to="whatsapp:" + self.number)

    def identity(self) -> Identity:
        with unit_of_work(self.engine) as db:
            return db.exec(select(Identity).where(is_address(db, "whatsapp", self.number))).one()

    def _last_row(self) -> int:
        with unit_of_work(self.engine) as db:
            return db.exec(select(func.max(Outbox.id))).one() or 0

    def _unsent_since(self, row_id: int) -> int:
        with unit_of_work(self.engine) as db:
            return db.exec(select(func.count()).select_from(Outbox).where(
                Outbox.id > row_id, Outbox.channel == "whatsapp", Outbox.status == "pending",
                Outbox.last_error.is_distinct_from(WAITING),  # type: ignore[union-attr]
            )).one()  # fmt: skip


@pytest.fixture
def phone(client: TestClient, twilio: FakeTwilio, engine: Engine) -> WhatsAppPhone:
    twilio.content[REMINDER_SID] = REMINDER_TEXT
    return WhatsAppPhone(client, twilio, engine, NUMBER)


