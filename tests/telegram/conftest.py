"""The Telegram channel against a local fake Bot API server, on a fresh database per test.

No network beyond 127.0.0.1: any other connection fails the test, so nothing can reach
api.telegram.org.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.channels.telegram.webhook import telegram_router
from bot.contacts.telegram import TelegramContacts
from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from tests.clock import RunningClock
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.telegram.person import SECRET, Webhook

NOTICE = "2026-11"


def make_settings(telegram: FakeTelegram, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_token": TOKEN,
        "telegram_api_url": telegram.url,
        "telegram_webhook_secret": SECRET,
        # Fast enough for whole intakes in a test; the limits themselves are tested apart.
        "telegram_rate_overall": 1000.0,
        "telegram_rate_per_chat": 1000.0,
        "default_timezone": "Europe/Lisbon",
    }
    return Settings(**{**values, **changes})


@pytest.fixture
def settings(telegram: FakeTelegram) -> Settings:
    return make_settings(telegram)


@pytest.fixture
def application(settings: Settings, engine: Engine, cipher: Cipher) -> App:
    service = ConversationService(engine, intake_flow(), cipher, NOTICE, None, RunningClock())
    return App(settings, engine, cipher, service)


@pytest.fixture
def webhook(application: App) -> Iterator[Webhook]:
    """The webhook route alone in a web app, started and stopped around the test."""
    web = FastAPI()
    settings, service = application.settings, application.service
    contacts = TelegramContacts(service, settings.default_timezone)
    web.include_router(telegram_router(settings, service, contacts, application.delivery))
    with TestClient(web) as client:
        yield Webhook(client)
