"""Delivery reports as a service, whatever provider's callback brought them."""

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import select

from bot.contacts.reports import DeliveryReport, record_report
from bot.delivery.outbound import Outbound, queue
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def sent(engine: Engine, external_id: str) -> tuple[int, int]:
    """A message sent as `external_id`, and one still pending: the sent row's and identity's ids."""
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, "sms", "+351912345678", NOW)
        row = queue(db, identity, Outbound("a"), NOW)
        row.status, row.sent_at, row.external_id = "sent", NOW, external_id
        queue(db, identity, Outbound("b"), NOW)
        return row.id, identity.id


def test_an_unsubscribed_report_opts_the_address_out_even_when_it_moves_nothing(
    engine: Engine,
) -> None:
    row_id, identity_id = sent(engine, "m1")
    assert record_report(engine, DeliveryReport("m1", "delivered"), NOW)
    assert not record_report(engine, DeliveryReport("m1", "failed", "x", unsubscribed=True), NOW)
    with unit_of_work(engine) as db:
        assert db.get(Identity, identity_id).opted_out
        assert db.get(Outbox, row_id).delivery_status == "delivered"
        statuses = {row.payload["text"]: row.status for row in db.exec(select(Outbox))}
    assert statuses == {"a": "sent", "b": "cancelled"}


def test_a_report_on_an_unknown_message_or_with_an_unknown_status_changes_nothing(
    engine: Engine,
) -> None:
    row_id, identity_id = sent(engine, "m1")
    assert not record_report(engine, DeliveryReport("m2", "delivered", unsubscribed=True), NOW)
    assert not record_report(engine, DeliveryReport("m1", "lost"), NOW)
    with unit_of_work(engine) as db:
        assert db.get(Outbox, row_id).delivery_status is None
        assert not db.get(Identity, identity_id).opted_out
