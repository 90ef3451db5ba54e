"""Only genuine Twilio requests reach the conversation, and each message only once."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.channels.twilio.sender import STATUS_PATH
from bot.channels.twilio.sms import SMS_PATH
from bot.entry.web import create_app
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import InboundSeen
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import (
    PUBLIC_URL,
    Handset,
    inbound_params,
    make_app,
    make_settings,
    signed,
    web_client,
)
from tests.telegram.person import eventually

SENDER = "+351912345678"


def inbound_count(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return db.exec(select(func.count()).select_from(InboundSeen)).one()


def test_a_signed_message_is_answered_with_empty_twiml_and_gets_its_reply(
    client: TestClient, twilio: FakeTwilio, engine: Engine
) -> None:
    params = inbound_params(SENDER, "Olá")
    response = client.post(SMS_PATH, data=params, headers=signed(PUBLIC_URL + SMS_PATH, params))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.endswith("<Response/>")
    assert inbound_count(engine) == 1
    # The reply goes after the answer, from the process's hurry.
    eventually(lambda: len(twilio.bodies(to=SENDER)) == 1, "the language question")


def test_a_message_signed_with_another_token_is_refused(
    client: TestClient, twilio: FakeTwilio, engine: Engine
) -> None:
    params = inbound_params(SENDER, "Olá")
    forged = signed(PUBLIC_URL + SMS_PATH, params, token="not-our-token-not-our-token-00000")
    assert client.post(SMS_PATH, data=params, headers=forged).status_code == 403
    assert inbound_count(engine) == 0
    assert twilio.sent == []


def test_a_signature_for_the_address_the_app_sees_is_refused(
    client: TestClient, engine: Engine
) -> None:
    params = inbound_params(SENDER, "Olá")
    as_seen_inside = signed("http://testserver" + SMS_PATH, params)
    assert client.post(SMS_PATH, data=params, headers=as_seen_inside).status_code == 403
    assert inbound_count(engine) == 0


def test_an_unsigned_message_is_refused(client: TestClient, engine: Engine) -> None:
    assert client.post(SMS_PATH, data=inbound_params(SENDER, "Olá")).status_code == 403
    assert inbound_count(engine) == 0


def test_a_message_changed_after_signing_is_refused(client: TestClient, engine: Engine) -> None:
    params = inbound_params(SENDER, "Olá")
    headers = signed(PUBLIC_URL + SMS_PATH, params)
    tampered = {**params, "Body": "APAGAR"}
    assert client.post(SMS_PATH, data=tampered, headers=headers).status_code == 403
    assert inbound_count(engine) == 0


def test_a_status_callback_must_be_signed_too(client: TestClient) -> None:
    params = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
    assert client.post(STATUS_PATH, data=params).status_code == 403
    forged = signed(PUBLIC_URL + STATUS_PATH, params, token="x" * 32)
    assert client.post(STATUS_PATH, data=params, headers=forged).status_code == 403


def test_a_message_twilio_sends_again_is_processed_once(
    phone: Handset, twilio: FakeTwilio, engine: Engine
) -> None:
    phone.text("Olá", sid="SM" + "a" * 32)
    phone.text("Olá", sid="SM" + "a" * 32)
    assert inbound_count(engine) == 1
    assert len(phone.inbox()) == 1
    assert len(phone.outbox()) == 1


def test_a_public_url_with_a_path_prefix_is_what_is_signed(
    engine: Engine, cipher: Cipher, twilio: FakeTwilio
) -> None:
    prefixed = PUBLIC_URL + "/percorso"
    client = web_client(make_app(engine, cipher, make_settings(twilio, public_url=prefixed + "/")))
    params = inbound_params(SENDER, "Olá")
    response = client.post(SMS_PATH, data=params, headers=signed(prefixed + SMS_PATH, params))
    assert response.status_code == 200
    assert inbound_count(engine) == 1


def test_without_an_auth_token_every_webhook_is_refused(
    engine: Engine, cipher: Cipher, twilio: FakeTwilio
) -> None:
    client = web_client(make_app(engine, cipher, make_settings(twilio, twilio_auth_token=None)))
    params = inbound_params(SENDER, "Olá")
    response = client.post(SMS_PATH, data=params, headers=signed(PUBLIC_URL + SMS_PATH, params))
    assert response.status_code == 403
    assert inbound_count(engine) == 0


def test_the_web_app_serves_both_twilio_webhooks(
    engine: Engine, cipher: Cipher, twilio: FakeTwilio
) -> None:
    web = TestClient(create_app(make_app(engine, cipher, make_settings(twilio))))
    params = inbound_params(SENDER, "Olá")
    assert web.post(SMS_PATH, data=params,
                    headers=signed(PUBLIC_URL + SMS_PATH, params)).status_code == 200
    assert web.post(STATUS_PATH, data=params).status_code == 403  # there, and guarded
