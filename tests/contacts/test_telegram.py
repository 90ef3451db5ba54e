"""What the application does with a Telegram chat's updates, without the Telegram channel: the
counselor's chat, the deep-link source, blocking and unblocking."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.contacts.membership import MembershipChanged
from bot.contacts.telegram import TelegramContacts
from bot.conversation.service import ConversationService, Inbound
from bot.counselors.link import issue_link_code
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Conversation, Counselor, Identity, Outbox, Person
from storage.repositories import is_address
from tests.clock import FakeClock

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def service(engine: Engine, cipher: Cipher) -> ConversationService:
    seed_demo_if_empty(engine)
    return ConversationService(engine, intake_flow(), cipher, "2026-11", None, FakeClock(NOW))


@pytest.fixture
def contacts(service: ConversationService) -> TelegramContacts:
    return TelegramContacts(service, "Europe/Lisbon")


def start(chat: str, update: str, payload: str | None = None) -> Inbound:
    return Inbound("telegram", chat, update, start=True, start_payload=payload)


def replies(engine: Engine, chat: str) -> list[str]:
    with Session(engine) as db:
        rows = db.exec(
            select(Outbox.payload)
            .join(Identity, Identity.id == Outbox.identity_id)
            .where(is_address(db, "telegram", chat))
            .order_by(Outbox.id)
        )
        return [payload["text"] for payload in rows]


def identity(engine: Engine, chat: str) -> Identity:
    with Session(engine) as db:
        return db.exec(select(Identity).where(is_address(db, "telegram", chat))).one()


def test_a_counselors_code_links_the_chat_and_the_flow_never_starts(
    service: ConversationService, contacts: TelegramContacts
) -> None:
    engine = service.engine
    with unit_of_work(engine) as db:
        ana = db.exec(select(Counselor).where(Counselor.code == "ana-silva")).one()
        code = issue_link_code(db, ana, NOW, 15)
    service.handle(start("9001", "u1", code.replace("-", "")), contacts.screen(None))
    service.handle(Inbound("telegram", "9001", "u2", text="olá"), contacts.screen(None))

    linked, helped = replies(engine, "9001")
    assert linked.startswith("Este chat está agora ligado a Ana Silva.")
    assert helped.startswith("Está ligado como Ana Silva")
    with Session(engine) as db:
        assert db.get(Conversation, identity(engine, "9001").person_id) is None


def test_a_deep_link_source_is_kept_from_the_first_start_only(
    service: ConversationService, contacts: TelegramContacts
) -> None:
    service.handle(start("31", "u1", "porto-fair"), contacts.screen(None))
    service.handle(start("31", "u2", "bologna-poster"), contacts.screen(None))
    with Session(service.engine) as db:
        assert db.get(Person, identity(service.engine, "31").person_id).source == "porto-fair"


def test_blocking_and_unblocking_count_once_each(
    service: ConversationService, contacts: TelegramContacts
) -> None:
    service.handle(start("31", "u1"), contacts.screen(None))
    contacts.membership_changed(MembershipChanged("telegram", "31", "u2", blocked=True))
    assert not identity(service.engine, "31").reachable
    contacts.membership_changed(MembershipChanged("telegram", "31", "u3", blocked=False))
    contacts.membership_changed(MembershipChanged("telegram", "31", "u2", blocked=True))
    assert identity(service.engine, "31").reachable


def test_a_membership_change_of_an_unknown_chat_creates_no_one(
    contacts: TelegramContacts, engine: Engine
) -> None:
    contacts.membership_changed(MembershipChanged("telegram", "77", "u1", blocked=True))
    with Session(engine) as db:
        assert db.exec(select(Identity).where(is_address(db, "telegram", "77"))).first() is None
