"""The SMS keywords as the conversation's screen, without the Twilio channel."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.contacts.sms_keywords import SmsKeywords
from bot.conversation.service import ConversationService, Inbound
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.models import Conversation, Identity, Outbox
from storage.repositories import is_address
from tests.clock import FakeClock

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NUMBER = "+351912345678"


@pytest.fixture
def service(engine: Engine, cipher: Cipher) -> ConversationService:
    return ConversationService(engine, intake_flow(), cipher, "2026-11", None, FakeClock(NOW))


@pytest.fixture
def screen(service: ConversationService) -> SmsKeywords:
    return SmsKeywords(service.flow, contact="222 000 312")


def texted(service: ConversationService, screen: SmsKeywords, text: str, sid: str) -> None:
    service.handle(Inbound("sms", NUMBER, sid, text=text), screen)


def outbox(engine: Engine) -> list[dict]:
    with Session(engine) as db:
        return [row.payload for row in db.exec(select(Outbox).order_by(Outbox.id))]


def test_a_first_stop_opts_out_and_is_confirmed_in_the_default_language(
    service: ConversationService, screen: SmsKeywords
) -> None:
    texted(service, screen, "Stop!", "s1")
    (confirmation,) = outbox(service.engine)
    catalogue = intake_flow().catalogues[intake_flow().default_lang]
    assert confirmation["text"] == catalogue.texts["sms_keyword.stopped"]
    assert confirmation["opt_out_notice"] is True
    with Session(service.engine) as db:
        number = db.exec(select(Identity).where(is_address(db, "sms", NUMBER))).one()
        assert number.opted_out
        assert db.get(Conversation, number.person_id) is None  # the flow never saw it


def test_help_in_italian_gives_the_contact_in_italian_and_the_flow_answers_too(
    service: ConversationService, screen: SmsKeywords
) -> None:
    texted(service, screen, "AIUTO", "s1")
    first, *flow = outbox(service.engine)
    assert first["lang"] == "it"
    assert first["text"].startswith("Serve aiuto? Ci contatti: 222 000 312.")
    assert flow  # the flow started the conversation
