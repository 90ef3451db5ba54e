"""Delivery reports: out of order and repeated, a status only moves forward."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.sender import STATUS_PATH
from bot.contacts.reports import moves_forward
from bot.delivery.outbound import Outbound, queue
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.clock import FakeClock
from tests.sms.conftest import ACCOUNT_SID, OUR_NUMBER, PUBLIC_URL, signed

NUMBER = "+351912345678"


def sent_message(engine: Engine, sid: str, *also_pending: str) -> tuple[int, int]:
    """A message sent with Twilio id `sid` (and more still pending); its row and identity ids."""
    now = FakeClock()()
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, "sms", NUMBER, now)
        row = queue(db, identity, Outbound("Olá"), now)
        row.status, row.sent_at, row.external_id = "sent", now, sid
        for text in also_pending:
            queue(db, identity, Outbound(text), now)
        return row.id, identity.id


def report(client: TestClient, sid: str, status: str, error_code: str | None = None,
           **extra: str) -> None:
    """Post a status callback as Twilio does, signed."""
    params = {"SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "MessageSid": sid,
              "AccountSid": ACCOUNT_SID, "From": OUR_NUMBER, "To": NUMBER,
              "ApiVersion": "2010-04-01", **extra}
    if error_code:
        params["ErrorCode"] = error_code
    response = client.post(STATUS_PATH, data=params,
                           headers=signed(PUBLIC_URL + STATUS_PATH, params))
    assert response.status_code == 200


def delivery(engine: Engine, row_id: int) -> tuple[str | None, str | None]:
    with unit_of_work(engine) as db:
        row = db.get(Outbox, row_id)
        return row.delivery_status, row.error_code


@pytest.mark.parametrize(
    ("current", "reported", "forward"),
    [(None, "queued", True), ("queued", "sent", True), ("sent", "queued", False),
     ("sent", "sent", False), ("sent", "delivered", True), ("delivered", "sent", False),
     ("delivered", "failed", False), ("failed", "delivered", False),
     ("undelivered", "failed", False), ("sending", "undelivered", True),
     ("accepted", "queued", True)],
)
def test_a_status_only_moves_forward(current: str | None, reported: str, forward: bool) -> None:
    assert moves_forward(current, reported) is forward


def test_reports_out_of_order_and_repeated_leave_the_furthest_status(
    client: TestClient, engine: Engine
) -> None:
    sid = "SM" + "d" * 32
    row_id, _ = sent_message(engine, sid)
    report(client, sid, "sent")
    assert delivery(engine, row_id) == ("sent", None)
    report(client, sid, "delivered")
    report(client, sid, "queued")
    report(client, sid, "sent")
    report(client, sid, "delivered")
    assert delivery(engine, row_id) == ("delivered", None)


def test_an_undelivered_message_keeps_its_error_code_and_stays_undelivered(
    client: TestClient, engine: Engine
) -> None:
    sid = "SM" + "e" * 32
    row_id, _ = sent_message(engine, sid)
    for status in ("queued", "sending", "sent"):
        report(client, sid, status)
    report(client, sid, "undelivered", "30003")
    report(client, sid, "sent")
    report(client, sid, "delivered")
    assert delivery(engine, row_id) == ("undelivered", "30003")
    with unit_of_work(engine) as db:
        assert db.get(Outbox, row_id).delivery_updated_at is not None


def test_a_21610_report_opts_the_number_out_and_cancels_what_waits(
    client: TestClient, engine: Engine
) -> None:
    sid = "SM" + "f" * 32
    row_id, identity_id = sent_message(engine, sid, "still to come")
    report(client, sid, "failed", "21610")
    assert delivery(engine, row_id) == ("failed", "21610")
    with unit_of_work(engine) as db:
        assert db.get(Identity, identity_id).opted_out
        statuses = {r.payload["text"]: r.status for r in db.exec(select(Outbox)).all()}
    assert statuses == {"Olá": "sent", "still to come": "cancelled"}


def test_parameters_twilio_adds_later_are_accepted(client: TestClient, engine: Engine) -> None:
    sid = "SM" + "1" * 32
    row_id, _ = sent_message(engine, sid)
    report(client, sid, "delivered", RawDlrDoneDate="2611240901", ChannelPrefix="sms",
           MessagingServiceSid="")
    assert delivery(engine, row_id) == ("delivered", None)


def test_reports_on_unknown_messages_or_with_unknown_statuses_change_nothing(
    client: TestClient, engine: Engine
) -> None:
    sid = "SM" + "2" * 32
    row_id, _ = sent_message(engine, sid)
    report(client, "SM" + "3" * 32, "delivered")
    report(client, sid, "teleported")
    assert delivery(engine, row_id) == (None, None)
