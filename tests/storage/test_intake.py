import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from storage import outbox
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import (
    Consent,
    Conversation,
    HandOver,
    Identity,
    InboundSeen,
    Intake,
    IntakeSpecial,
    Outbox,
    Person,
)
from storage.repositories import (
    ConsentRequired,
    erase_person,
    find_or_create_identity,
    has_consent,
    intakes_for_export,
    record_consent,
    record_inbound,
    save_conversation,
    save_intake,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SPECIAL = {"target_group": "disability", "health": "low vision"}


def new_intake(person_id: str) -> Intake:
    return Intake(
        person_id=person_id,
        channel="telegram",
        lang="it",
        started_at=NOW,
        completed_at=NOW,
        municipality="Napoli",
        isced=3,
        occupations=[{"uri": "http://data.europa.eu/esco/occupation/x", "label": "cuoco"}],
        languages=[{"code": "it", "level": "C2"}],
        goal="find_work",
        consent_version="2026-11",
    )


def person_with_everything(session: Session, address: str, cipher: Cipher) -> str:
    """A person who consented, talked, finished an intake, asked for a counselor, has mail."""
    identity = find_or_create_identity(session, "telegram", address, NOW)
    person_id = identity.person_id
    record_inbound(session, "telegram", f"update-{address}", person_id, NOW)
    for scope in ("general", "special"):
        record_consent(session, person_id, scope, True, "2026-11", "telegram", NOW)
    save_conversation(session, person_id, "intake", None, "completed", {"a": 1}, cipher, NOW)
    save_intake(session, new_intake(person_id), SPECIAL, cipher)
    session.add(HandOver(person_id=person_id, node="goal", requested_at=NOW))
    row = outbox.NewRow(identity.id, person_id, "telegram", "reply", 0, {"text": "ciao"}, NOW)
    outbox.add(session, row, NOW)
    return person_id


def rows(session: Session, model: type, person_id: str) -> int:
    query = select(func.count()).select_from(model).where(model.person_id == person_id)
    return session.scalar(query) or 0


def test_an_intake_needs_a_general_consent(engine: Engine, cipher: Cipher) -> None:
    with pytest.raises(ConsentRequired, match="general"), unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "telegram", "1", NOW).person_id
        save_intake(session, new_intake(person_id), None, cipher)


def test_special_answers_need_a_special_consent(engine: Engine, cipher: Cipher) -> None:
    with pytest.raises(ConsentRequired, match="special"), unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "telegram", "1", NOW).person_id
        record_consent(session, person_id, "general", True, "2026-11", "telegram", NOW)
        save_intake(session, new_intake(person_id), SPECIAL, cipher)


def test_special_answers_are_kept_apart_and_encrypted(engine: Engine, cipher: Cipher) -> None:
    with unit_of_work(engine) as session:
        person_with_everything(session, "1", cipher)
    with unit_of_work(engine) as session:
        intake = session.exec(select(Intake)).one()
        assert intake.special_consent
        assert intake.occupations[0]["label"] == "cuoco"
        stored = session.get(IntakeSpecial, intake.id)
        assert cipher.decrypt_json(stored.payload) == SPECIAL
        raw = session.scalar(text("SELECT payload FROM intake_special"))
    assert "low vision" not in raw


def test_export_carries_the_flag_but_never_the_special_answers(
    engine: Engine, cipher: Cipher
) -> None:
    with unit_of_work(engine) as session:
        person_id = person_with_everything(session, "1", cipher)
    with unit_of_work(engine) as session:
        (row,) = intakes_for_export(session)
    assert row["person_id"] == person_id
    assert row["special_consent"] is True
    assert row["started_at"] == "2026-11-24T09:00:00+00:00"
    assert row["languages"] == [{"code": "it", "level": "C2"}]
    exported = json.dumps(row)
    assert "disability" not in exported
    assert "low vision" not in exported


def test_erasure_removes_everything_but_the_consent_record(engine: Engine, cipher: Cipher) -> None:
    with unit_of_work(engine) as session:
        erased = person_with_everything(session, "1", cipher)
        kept = person_with_everything(session, "2", cipher)
    later = datetime(2026, 12, 1, 15, 42, tzinfo=UTC)
    with unit_of_work(engine) as session:
        speaking = find_or_create_identity(session, "telegram", "1", later)
        blank = erase_person(session, erased, later, speaking).id
    with unit_of_work(engine) as session:
        assert rows(session, Identity, blank) == 1
        moved = session.exec(select(Identity).where(Identity.person_id == blank)).one()
        assert moved.created_at == later  # as if it had just written for the first time
        for model in (Conversation, Intake, HandOver, Outbox):
            assert rows(session, model, blank) == 0, model.__name__
        for model in (Identity, Conversation, Intake, HandOver, Outbox):
            assert rows(session, model, erased) == 0, model.__name__
            assert rows(session, model, kept) == 1, model.__name__
        assert session.scalar(select(func.count()).select_from(IntakeSpecial)) == 1
        assert rows(session, InboundSeen, erased) == 0
        assert session.scalar(select(func.count()).select_from(InboundSeen)) == 2
        consents = session.exec(
            select(Consent).where(Consent.person_id == erased).order_by(Consent.id)
        ).all()
        # Special-category decisions go with the answers; the rest is kept to the day.
        day = datetime(2026, 12, 1, tzinfo=UTC)
        assert [(c.scope, c.granted, c.recorded_at) for c in consents] == [
            ("general", True, day), ("general", False, day),
        ]  # fmt: skip
        assert not has_consent(session, erased, "general")
        person = session.get(Person, erased)
        assert (person.erased_at, person.created_at, person.lang) == (day, day, None)
        assert [row["person_id"] for row in intakes_for_export(session)] == [kept]

