import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text

from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Consent, Identity, Person
from storage.repositories import (
    find_or_create_identity,
    has_consent,
    load_conversation,
    record_consent,
    record_inbound,
    save_conversation,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_retried_delivery_is_recorded_once(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        assert record_inbound(session, "telegram", "update-7", None, NOW)
        assert not record_inbound(session, "telegram", "update-7", None, NOW)
        assert record_inbound(session, "sms", "update-7", None, NOW)
    with unit_of_work(engine) as session:
        assert not record_inbound(session, "telegram", "update-7", None, NOW)


def test_the_same_address_finds_the_same_person(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        first = find_or_create_identity(session, "sms", "+351912345678", NOW)
    with unit_of_work(engine) as session:
        again = find_or_create_identity(session, "sms", "+351912345678", NOW)
        other = find_or_create_identity(session, "telegram", "+351912345678", NOW)
    assert (again.id, again.person_id) == (first.id, first.person_id)
    assert other.person_id != first.person_id
    assert count(engine, Person) == 2


def test_a_concurrent_first_contact_ends_with_one_identity(engine: Engine) -> None:
    def second_contact() -> Identity:
        with unit_of_work(engine) as session:
            return find_or_create_identity(session, "telegram", "42", NOW)

    with ThreadPoolExecutor(1) as pool:
        with unit_of_work(engine) as session:
            first = find_or_create_identity(session, "telegram", "42", NOW)
            second = pool.submit(second_contact)
            # Still uncommitted: the second contact must wait for us, not create its own.
            time.sleep(0.5)  # a moment for it to get in (were it not kept waiting)
            assert not second.done()
        winner = second.result(timeout=10)
    assert (winner.id, winner.person_id) == (first.id, first.person_id)
    assert count(engine, Identity) == 1
    assert count(engine, Person) == 1


def test_the_latest_consent_decision_wins(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "console", "ana", NOW).person_id
        assert not has_consent(session, person_id, "general")
        record_consent(session, person_id, "general", True, "2026-11", "console", NOW)
        assert has_consent(session, person_id, "general")
        assert not has_consent(session, person_id, "special")
        # Recorded in the same instant: the later row still wins.
        record_consent(session, person_id, "general", False, "2026-11", "console", NOW)
        assert not has_consent(session, person_id, "general")
        later = NOW + timedelta(days=1)
        record_consent(session, person_id, "general", True, "2026-12", "sms", later)
        assert has_consent(session, person_id, "general")
    assert count(engine, Consent) == 3


def test_conversation_state_is_stored_encrypted(engine: Engine, cipher: Cipher) -> None:
    state = {"node": "experience", "answers": {"experience": "Cuoca a Napoli per dieci anni"}}
    with unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "console", "ana", NOW).person_id
        assert load_conversation(session, person_id, cipher) is None
        save_conversation(session, person_id, "intake", "experience", "active", state, cipher, NOW)
    with unit_of_work(engine) as session:
        assert load_conversation(session, person_id, cipher) == state
        raw = session.scalar(text("SELECT state FROM conversation"))
    assert "Napoli" not in raw
    assert "experience" not in raw


def test_saving_again_updates_the_one_conversation(engine: Engine, cipher: Cipher) -> None:
    later = NOW + timedelta(minutes=5)
    with unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "console", "ana", NOW).person_id
        save_conversation(session, person_id, "intake", "a", "active", {"step": 1}, cipher, NOW)
    with unit_of_work(engine) as session:
        saved = save_conversation(
            session, person_id, "intake", None, "completed", {"step": 2}, cipher, later
        )
        assert (saved.started_at, saved.updated_at, saved.status) == (NOW, later, "completed")
        assert load_conversation(session, person_id, cipher) == {"step": 2}
