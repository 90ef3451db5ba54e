"""A conversation service on a real database, with the demo network and a clock held still."""

import pytest
from sqlalchemy import Engine

from bot.conversation.service import ConversationService
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from tests.clock import FakeClock

NOTICE = "2026-11"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine: Engine, cipher: Cipher, clock: FakeClock) -> ConversationService:
    seed_demo_if_empty(engine)
    return ConversationService(engine, intake_flow(), cipher, NOTICE, None, clock)
