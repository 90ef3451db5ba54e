"""Linking a counselor's chat with a one-time code, as a service."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.counselors.link import counselor_of_chat, issue_link_code, link_chat
from bot.network.importer import seed_demo_if_empty
from storage.db import unit_of_work
from storage.models import Counselor

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def network(engine: Engine) -> Engine:
    seed_demo_if_empty(engine)
    return engine


def code_for(engine: Engine, counselor_code: str, minutes: int = 15) -> str:
    with unit_of_work(engine) as db:
        counselor = db.exec(select(Counselor).where(Counselor.code == counselor_code)).one()
        return issue_link_code(db, counselor, NOW, minutes)


def link(engine: Engine, chat: str, code: str, now: datetime = NOW) -> str | None:
    with unit_of_work(engine) as db:
        counselor = link_chat(db, chat, code, now)
        return counselor.code if counselor else None


def chat_of(engine: Engine, counselor_code: str) -> str | None:
    with Session(engine) as db:
        return db.exec(
            select(Counselor.telegram_chat_id).where(Counselor.code == counselor_code)
        ).one()


def test_a_code_links_the_chat_to_its_counselor_once(network: Engine) -> None:
    code = code_for(network, "ana-silva")
    assert link(network, "9001", code) == "ana-silva"
    assert link(network, "9002", code) is None
    assert chat_of(network, "ana-silva") == "9001"
    with Session(network) as db:
        assert counselor_of_chat(db, "9001").code == "ana-silva"
        assert counselor_of_chat(db, "9002") is None


def test_an_expired_or_unknown_code_links_nothing(network: Engine) -> None:
    code = code_for(network, "ana-silva", minutes=15)
    assert link(network, "9001", code, NOW + timedelta(minutes=16)) is None
    assert link(network, "9001", "AAAAA-BBBBB") is None
    assert chat_of(network, "ana-silva") is None


def test_a_chat_belongs_to_the_counselor_it_was_linked_to_last(network: Engine) -> None:
    assert link(network, "9001", code_for(network, "ana-silva")) == "ana-silva"
    assert link(network, "9001", code_for(network, "joao-costa")) == "joao-costa"
    assert (chat_of(network, "ana-silva"), chat_of(network, "joao-costa")) == (None, "9001")
