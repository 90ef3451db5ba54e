"""The SMS channel end to end: the web app on a fresh database, Twilio's webhooks signed with the
twilio library itself, and its REST API played by a local fake server. No network beyond
127.0.0.1: any other connection fails the test."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import func, select
from twilio.request_validator import RequestValidator

from bot.channels.twilio.sms import SMS_PATH, sms_router
from bot.contacts.sms import SmsContacts
from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Conversation, Identity, Outbox
from storage.repositories import is_address
from tests.clock import RunningClock
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.telegram.person import eventually

OUR_NUMBER = "+351300000300"
PUBLIC_URL = "https://percorso.example.org"
SUPPORT = "+351 222 000 312"


def make_settings(twilio: FakeTwilio, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from": OUR_NUMBER,
        "twilio_messaging_service_sid": "",
        "twilio_api_url": twilio.url,
        "public_url": PUBLIC_URL,
        "support_contact": SUPPORT,
        "default_region": "PT",
        # Fast enough for the tests, slow enough that a turn's later messages wait their turn.
        "sms_rate_per_second": 1000.0,
    }
    return Settings(**{**values, **changes})


@pytest.fixture
def settings(twilio: FakeTwilio) -> Settings:
    return make_settings(twilio)


def make_app(engine: Engine, cipher: Cipher, settings: Settings) -> App:
    service = ConversationService(
        engine, intake_flow(), cipher, settings.privacy_notice_version, None, RunningClock()
    )
    return App(settings, engine, cipher, service)


def web_client(application: App) -> TestClient:
    web = FastAPI()
    settings, service = application.settings, application.service
    contacts = SmsContacts(service, settings.support_contact)
    web.include_router(sms_router(settings, service, contacts, application.delivery))
    return TestClient(web)


@pytest.fixture
def application(engine: Engine, cipher: Cipher, settings: Settings) -> App:
    return make_app(engine, cipher, settings)


@pytest.fixture
def client(application: App) -> Iterator[TestClient]:
    with web_client(application) as started:  # the lifespan starts the hurry's thread
        yield started


def signed(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


def inbound_params(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    """What Twilio posts for an incoming SMS."""
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "PT", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0",
        "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
        "FromCity": "", "Body": body, "FromCountry": "PT", "To": OUR_NUMBER, "ToZip": "",
        "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender,
        "ApiVersion": "2010-04-01",
    }  # fmt: skip


class Handset:
    """A person's phone: texts the service through the signed webhook, reads what came back."""

    def __init__(self, client: TestClient, twilio: FakeTwilio, engine: Engine, number: str):
        self.client = client
        self.twilio = twilio
        self.engine = engine
        self.number = number

    def text(self, body: str, sid: str | None = None) -> httpx.Response:
        """Send a text and wait until what it brought has gone out (the web app answers Twilio
        at once and sends from a thread of its own)."""
        before = self._last_row()
        params = inbound_params(self.number, body, sid)
        response = self.client.post(SMS_PATH, data=params,
                                    headers=signed(PUBLIC_URL + SMS_PATH, params))
        assert response.status_code == 200, response.text
        eventually(lambda: not self._unsent_since(before), "the replies to go out")
        return response

    def _last_row(self) -> int:
        with unit_of_work(self.engine) as db:
            return db.exec(select(func.max(Outbox.id))).one() or 0

    def _unsent_since(self, row_id: int) -> int:
        with unit_of_work(self.engine) as db:
            return db.exec(
                select(func.count()).select_from(Outbox).where(
                    Outbox.id > row_id, Outbox.channel == "sms", Outbox.status == "pending"
                )
            ).one()

    def inbox(self) -> list[str]:
        return self.twilio.bodies(to=self.number)

    def replies_to(self, body: str) -> list[str]:
        """Text `body`; the messages it brought."""
        before = len(self.inbox())
        self.text(body)
        return self.inbox()[before:]

    def identity(self) -> Identity:
        with unit_of_work(self.engine) as db:
            return db.exec(select(Identity).where(is_address(db, "sms", self.number))).one()

    def conversation(self) -> Conversation | None:
        with unit_of_work(self.engine) as db:
            return db.get(Conversation, self.identity().person_id)

    def outbox(self) -> list[Outbox]:
        with unit_of_work(self.engine) as db:
            rows = db.exec(select(Outbox).where(Outbox.identity_id == self.identity().id))
            return list(rows.all())


@pytest.fixture
def phone(client: TestClient, twilio: FakeTwilio, engine: Engine) -> Handset:
    return Handset(client, twilio, engine, "+351912345678")
