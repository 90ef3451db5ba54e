"""Logs without personal data, proven: every webhook (Telegram, SMS, WhatsApp) and the desk is
made to fail for real (the tables it writes are gone), with everything logged as `percorso
serve` logs it (bot.logs, JSON) and SQLAlchemy's statements logged too; no phone number, chat
id, name or message text may appear in what was written, and the answer is a bare 500."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.channels.twilio.sms import SMS_PATH
from bot.channels.twilio.whatsapp import WHATSAPP_PATH
from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from bot.logs import configure
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.models import Outbox
from tests.clock import RunningClock
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import PUBLIC_URL, signed
from tests.sms.conftest import inbound_params as sms_params
from tests.telegram.conftest import make_settings as telegram_settings
from tests.telegram.person import SECRET
from tests.whatsapp.conftest import WHATSAPP_FROM
from tests.whatsapp.conftest import inbound_params as whatsapp_params

PHONE = "+351912345678"
CHAT_ID = 987654321
NAME = "Benedita Quaresma"
WORDS = "tenho uma hérnia discal e moro na Rua das Flores 12"
EMAIL = "benedita.quaresma@example.org"
BROKEN = ("identity", "staff_account", "login_attempt")


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What the process logs, as JSON lines; SQLAlchemy's statements included."""
    stream = io.StringIO()
    root = logging.getLogger()
    before = root.handlers[:], root.level
    handler = configure(logging.DEBUG, stream)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    yield stream
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    root.removeHandler(handler)
    root.handlers, root.level = before


@pytest.fixture
def web(
    engine: Engine, cipher: Cipher, telegram: FakeTelegram, twilio: FakeTwilio
) -> Iterator[TestClient]:
    settings = telegram_settings(
        telegram, twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token,
        twilio_from="+351300000300", twilio_whatsapp_from=WHATSAPP_FROM,
        twilio_api_url=twilio.url, public_url=PUBLIC_URL,
    )  # fmt: skip
    service = ConversationService(engine, intake_flow(), cipher, "2026-11", None, RunningClock())
    web = create_app(App(settings, engine, cipher, service))
    with TestClient(web, base_url="https://testserver") as client:  # the desk's cookies: Secure
        yield client


@pytest.fixture
def broken(engine: Engine) -> Iterator[None]:
    """The tables every inbound message and every login writes are gone."""
    with engine.begin() as connection:
        for table in BROKEN:
            connection.exec_driver_sql(f"ALTER TABLE {table} RENAME TO broken_{table}")
    yield
    with engine.begin() as connection:
        for table in BROKEN:
            connection.exec_driver_sql(f"ALTER TABLE broken_{table} RENAME TO {table}")


def telegram_update() -> dict:
    person = {"id": CHAT_ID, "is_bot": False, "first_name": NAME, "language_code": "pt"}
    return {"update_id": 5001, "message": {
        "message_id": 1, "date": 1764590000, "chat": {"id": CHAT_ID, "type": "private"},
        "from": person, "text": WORDS}}  # fmt: skip


def test_every_webhook_that_fails_logs_no_personal_data(
    web: TestClient, logged: io.StringIO, broken: None
) -> None:
    answers = []
    update = telegram_update()
    answers.append(web.post(PATH, json=update, headers={SECRET_HEADER: SECRET}))
    sms = sms_params(PHONE, f"{NAME}: {WORDS}")
    answers.append(web.post(SMS_PATH, data=sms, headers=signed(PUBLIC_URL + SMS_PATH, sms)))
    whatsapp = whatsapp_params(PHONE, WORDS, ProfileName=NAME)
    answers.append(web.post(WHATSAPP_PATH, data=whatsapp,
                            headers=signed(PUBLIC_URL + WHATSAPP_PATH, whatsapp)))  # fmt: skip
    login = web.get("/desk/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    answers.append(web.post("/desk/login", data={
        "email": EMAIL, "password": WORDS, "csrf_token": token}))  # fmt: skip

    assert [answer.status_code for answer in answers] == [500, 500, 500, 500]
    assert all(WORDS not in answer.text and NAME not in answer.text for answer in answers)
    text = logged.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    failures = [line for line in lines if line.get("level") == "error"]
    assert len(failures) >= 4, text  # each failure was logged...
    assert all(line.get("request_id") for line in failures)  # ...under its request's id
    for secret in (PHONE, PHONE[1:], PHONE[4:], str(CHAT_ID), NAME, "Benedita", "Quaresma",
                   WORDS, "hérnia", "Flores", EMAIL):  # fmt: skip
        assert secret not in text, f"{secret!r} was logged"
    assert any("SQL parameters hidden" in line["event"] for line in lines)  # SQLAlchemy spoke


def test_an_answer_carries_its_request_id(web: TestClient) -> None:
    first, second = web.get("/healthz"), web.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_the_rows_a_request_writes_carry_its_id_for_the_worker(
    web: TestClient, engine: Engine
) -> None:
    answer = web.post(PATH, json=telegram_update(), headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 200

    with Session(engine) as db:
        written = {row.request_id for row in db.exec(select(Outbox))}
    assert written == {answer.headers["x-request-id"]}
