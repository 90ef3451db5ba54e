"""The WhatsApp channel through its signed webhook and the fake Twilio API: what arrives, what
is sent and how, keywords, media, delivery reports and refusals."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.sender import STATUS_PATH
from bot.channels.twilio.sms import sms_router
from bot.channels.twilio.whatsapp import WHATSAPP_PATH
from bot.contacts.sms import SmsContacts
from bot.entry.bootstrap import App
from dialogs.loader import intake_flow
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.chat import Chat, texts
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import ACCOUNT_SID, PUBLIC_URL, signed
from tests.telegram.person import eventually
from tests.whatsapp.conftest import NUMBER, WHATSAPP_FROM, WhatsAppPhone, inbound_params

PT = intake_flow().catalogues["pt"].texts


def test_a_message_is_answered_on_whatsapp_from_our_whatsapp_sender(
    phone: WhatsAppPhone, twilio: FakeTwilio
) -> None:
    [question] = phone.write("Olá")
    [sent] = twilio.sent
    assert (sent["From"], sent["To"]) == ("whatsapp:" + WHATSAPP_FROM, "whatsapp:" + NUMBER)
    assert sent["StatusCallback"] == PUBLIC_URL + STATUS_PATH
    # Choices as a numbered list, numbers in WhatsApp's bold; no SMS variant, no segments.
    assert "\n*1.* Português\n*2.* Italiano" in question
    identity = phone.identity()
    assert (identity.channel, identity.address) == ("whatsapp", NUMBER)


def test_choices_are_answered_by_number_or_word(phone: WhatsAppPhone) -> None:
    phone.write("Olá")
    assert any("Concorda" in text for text in phone.write("1"))
    phone.write("sim")
    assert any("localidade" in text for text in phone.inbox()[-2:])


def test_an_unsigned_or_badly_signed_message_is_refused(
    client: TestClient, phone: WhatsAppPhone, twilio: FakeTwilio
) -> None:
    params = inbound_params(NUMBER, "Olá")
    assert client.post(WHATSAPP_PATH, data=params).status_code == 403
    forged = signed(PUBLIC_URL + WHATSAPP_PATH, params, token="0" * 32)
    assert client.post(WHATSAPP_PATH, data=params, headers=forged).status_code == 403
    assert twilio.sent == []


def test_an_sms_posted_to_the_whatsapp_webhook_is_ignored(
    phone: WhatsAppPhone, engine: Engine, twilio: FakeTwilio
) -> None:
    params = inbound_params(NUMBER, "Olá") | {"From": NUMBER, "To": WHATSAPP_FROM}
    assert phone.post(params) == 200
    with unit_of_work(engine) as db:
        assert db.exec(select(Identity)).all() == []
    assert twilio.sent == []


def test_a_voice_note_gets_the_kind_reply_in_the_persons_language(phone: WhatsAppPhone) -> None:
    phone.write("Olá")
    phone.write("português")
    replies = phone.write("", NumMedia="1", MediaContentType0="audio/ogg",
                          MediaUrl0="https://api.twilio.com/media/1")  # fmt: skip
    assert replies[0] == PT["error.media"]


def test_stop_opts_out_with_a_reply_that_speaks_of_whatsapp(
    phone: WhatsAppPhone, engine: Engine
) -> None:
    phone.write("Olá")
    phone.write("português")
    assert phone.write("PARAR") == [PT["whatsapp_keyword.stopped"]]
    assert phone.identity().opted_out
    assert phone.write("Olá") == []  # nothing more, until START
    assert phone.write("START")[0] == PT["whatsapp_keyword.resubscribed"]


def test_help_gives_the_contact_line_then_the_flows_help(phone: WhatsAppPhone) -> None:
    phone.write("Olá")
    phone.write("português")
    replies = phone.write("AJUDA")
    assert replies[0].startswith("Precisa de ajuda? Contacte-nos:")
    assert len(replies) > 1


def test_a_number_that_is_not_on_whatsapp_is_not_written_to_again(
    phone: WhatsAppPhone, twilio: FakeTwilio, engine: Engine
) -> None:
    twilio.fail_next(400, 63024)
    assert phone.write("Olá") == []
    with unit_of_work(engine) as db:
        [row] = db.exec(select(Outbox)).all()
    assert (row.status, row.last_error) == ("failed", "twilio 63024 not a WhatsApp number")
    eventually(lambda: not phone.identity().reachable, "the identity marked unreachable")


def status(client: TestClient, sid: str, state: str, error_code: str | None = None) -> None:
    params = {"MessageSid": sid, "MessageStatus": state, "SmsSid": sid, "SmsStatus": state,
              "AccountSid": ACCOUNT_SID, "From": "whatsapp:" + WHATSAPP_FROM,
              "To": "whatsapp:" + NUMBER, "ChannelPrefix": "whatsapp", "ApiVersion": "2010-04-01"}
    if error_code:
        params["ErrorCode"] = error_code
    response = client.post(STATUS_PATH, data=params,
                           headers=signed(PUBLIC_URL + STATUS_PATH, params))
    assert response.status_code == 200


def status_client(application: App) -> TestClient:
    web = FastAPI()
    contacts = SmsContacts(application.service, "")
    web.include_router(sms_router(application.settings, application.service, contacts,
                                  application.delivery))  # fmt: skip
    return TestClient(web)


def test_read_receipts_are_recorded_forward_only(
    phone: WhatsAppPhone, application: App, engine: Engine
) -> None:
    phone.write("Olá")
    with unit_of_work(engine) as db:
        row = db.exec(select(Outbox)).one()
    with status_client(application) as client:
        for state in ("sent", "read", "delivered", "sent"):
            status(client, row.external_id, state)
    with unit_of_work(engine) as db:
        assert db.get(Outbox, row.id).delivery_status == "read"


def test_a_report_of_a_number_not_on_whatsapp_marks_it_unreachable(
    phone: WhatsAppPhone, application: App, engine: Engine
) -> None:
    phone.write("Olá")
    with unit_of_work(engine) as db:
        row = db.exec(select(Outbox)).one()
    with status_client(application) as client:
        status(client, row.external_id, "undelivered", "63024")
    with unit_of_work(engine) as db:
        assert db.get(Outbox, row.id).error_code == "63024"
    assert not phone.identity().reachable


def test_whatsapp_goes_on_the_conversation_of_another_channel_with_a_link_code(
    phone: WhatsAppPhone, application: App, engine: Engine
) -> None:
    telegram = Chat(application.service, "4242", "telegram")
    telegram.start("pt")
    telegram.say("sim")
    telegram.say("Matosinhos")
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", texts(telegram.say("link"))).group(0)
    replies = phone.write(f"ASSOCIAR {code}")
    assert replies[0].startswith("Associado: esta é agora a mesma conversa")
    assert "Que idade tem?" in "\n".join(replies)  # answered at once: the window is open
    with unit_of_work(engine) as db:
        on_telegram = db.exec(select(Identity).where(Identity.channel == "telegram")).one()
    assert phone.identity().person_id == on_telegram.person_id
