"""Messages of one person at the same instant, each in its own unit of work on its own
connection. Every transaction locks the person before it writes anything that points to them
(storage.db.lock_person), so on PostgreSQL they run one after the other instead of deadlocking.
SQLite serializes whole transactions anyway: there the tests are only a baseline."""

from sqlalchemy import Engine, func
from sqlmodel import select

from bot.conversation.service import ConversationService, Handled, Inbound
from dialogs.model import NudgeDue
from storage.db import unit_of_work
from storage.models import Identity, InboundSeen, Outbox, Person
from storage.repositories import is_address
from tests.threads import all_at_once

GREETING = "olá"


def message(address: str, number: int) -> Inbound:
    return Inbound(channel="sms", address=address, external_id=f"{address}/{number}",
                   text=GREETING)  # fmt: skip


def replies(engine: Engine, address: str) -> list[tuple[str | None, str]]:
    """What the person was sent, in the order it was written: (node, text)."""
    with unit_of_work(engine) as db:
        rows = db.exec(
            select(Outbox)
            .join(Identity, Identity.id == Outbox.identity_id)
            .where(is_address(db, "sms", address))
            .order_by(Outbox.id)
        ).all()
        return [(row.payload["node"], row.payload["text"]) for row in rows]


def count(engine: Engine, table: type, *where: object) -> int:
    with unit_of_work(engine) as db:
        return db.exec(select(func.count()).select_from(table).where(*where)).one()


def test_ten_messages_of_one_person_at_once_are_all_processed_one_after_another(
    service: ConversationService, engine: Engine
) -> None:
    at_once, one_by_one = "+351910000001", "+351910000002"
    for address in (at_once, one_by_one):
        service.handle(message(address, 0))

    handled = all_at_once(10, lambda i: service.handle(message(at_once, i + 1)))
    for i in range(1, 11):
        service.handle(message(one_by_one, i))

    assert not any(h.duplicate for h in handled)
    assert count(engine, InboundSeen, InboundSeen.external_id.startswith(at_once)) == 11
    # Each message saw the conversation as the one before it left it: the same greeting ten
    # times gets the same replies, in the same order, as when sent one by one.
    assert len(replies(engine, at_once)) > 11
    assert replies(engine, at_once) == replies(engine, one_by_one)


def test_messages_and_timers_of_one_person_at_once_all_go_through(
    service: ConversationService, engine: Engine
) -> None:
    address = "+351910000004"
    person_id = service.handle(message(address, 0)).person_id

    def message_or_timer(i: int) -> None:
        if i % 2:
            service.handle(message(address, i))
        else:
            service.tell(person_id, NudgeDue(1), kind="nudge", once=f"nudge-{i}")

    all_at_once(8, message_or_timer)

    assert count(engine, InboundSeen, InboundSeen.person_id == person_id) == 9


def test_six_first_messages_from_one_new_address_make_one_person(
    service: ConversationService, engine: Engine
) -> None:
    address = "+351910000003"

    handled: list[Handled] = all_at_once(6, lambda i: service.handle(message(address, i)))

    assert {h.person_id for h in handled} == {handled[0].person_id}
    assert not any(h.duplicate for h in handled)
    assert count(engine, Person) == 1
    assert count(engine, Identity) == 1
    assert count(engine, InboundSeen) == 6


def test_first_messages_from_six_new_addresses_at_once_make_six_people(
    service: ConversationService, engine: Engine
) -> None:
    addresses = [f"+35191000001{i}" for i in range(6)]

    handled = all_at_once(6, lambda i: service.handle(message(addresses[i], 0)))

    assert len({h.person_id for h in handled}) == 6
    assert count(engine, Person) == 6
    assert all(replies(engine, address) for address in addresses)
