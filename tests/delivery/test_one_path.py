"""One delivery path: every process keeps the one policy (quiet hours, priorities), the web
process sends only the rows its own requests wrote and never waits on a rate limit, and a
counselor's action reaches the person without waiting for the worker."""

import time
from datetime import timedelta

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram.webhook import PATH, SECRET_HEADER, telegram_router
from bot.channels.twilio.sms import SMS_PATH
from bot.contacts.telegram import TelegramContacts
from bot.conversation.service import ConversationService
from bot.counselors.actions import cancel_for_counselor
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Outbound, Recipient, queue, written
from bot.delivery.policy import DeliveryPolicy
from bot.entry.booking import send_now
from bot.entry.bootstrap import App
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage import repositories as repo
from storage.booking import Appointment
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.chat import Chat
from tests.clock import TUESDAY, FakeClock, RunningClock
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.twilio_server import FakeTwilio
from tests.intake_script import ENGLISH_INTAKE
from tests.sms.conftest import inbound_params, make_app, signed, web_client
from tests.sms.conftest import make_settings as sms_settings
from tests.telegram import updates
from tests.telegram.conftest import make_settings as telegram_settings
from tests.telegram.person import SECRET, eventually

NIGHT = TUESDAY.replace(hour=23, minute=30)  # 23:30 in Lisbon (UTC in November)
CHAT = 5501


def telegram_app(engine: Engine, cipher: Cipher, telegram: FakeTelegram, clock, **limits) -> App:
    service = ConversationService(engine, intake_flow(), cipher, "2026-11", None, clock)
    return App(telegram_settings(telegram, **limits), engine, cipher, service, DeliveryPolicy())


def queued(engine: Engine, channel: str, address: str, message: Outbound, now) -> int:
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, channel, address, now)
        return queue(db, identity, message, now).id


def status_of(engine: Engine, row_id: int) -> tuple[str, str | None]:
    with Session(engine) as db:
        row = db.get(Outbox, row_id)
        return row.status, row.last_error


def test_a_broadcast_due_at_night_is_held_even_by_the_web_process(
    engine: Engine, cipher: Cipher, telegram: FakeTelegram
) -> None:
    application = telegram_app(engine, cipher, telegram, RunningClock(NIGHT))
    broadcast = queued(engine, "telegram", str(CHAT), Outbound("Job fair!", "broadcast"), NIGHT)
    web = FastAPI()
    web.include_router(router_of(application))
    with TestClient(web) as client:
        response = client.post(PATH, json=updates.message(CHAT, "/start"),
                                headers={SECRET_HEADER: SECRET})  # fmt: skip
        assert response.status_code == 200
        eventually(lambda: telegram.sent_to(CHAT), "the reply")
        time.sleep(0.2)  # room for a wrong send to show
    assert [m["text"] for m in telegram.sent_to(CHAT)] == [
        "Olá! Ciao! Hello! Hola! Bonjour! Que língua prefere?"
    ]
    assert status_of(engine, broadcast) == ("pending", None)  # the worker's, in the morning


def test_the_webhook_answers_within_a_second_whatever_the_backlog(
    engine: Engine, cipher: Cipher, telegram: FakeTelegram
) -> None:
    clock = RunningClock()
    application = telegram_app(engine, cipher, telegram, clock, telegram_rate_overall=1.0,
                               telegram_rate_per_chat=1.0)  # fmt: skip
    with unit_of_work(engine) as db:
        for n in range(500):
            identity = repo.find_or_create_identity(db, "telegram", str(9000 + n), clock())
            queue(db, identity, Outbound(f"reply {n}"), clock())
    web = FastAPI()
    web.include_router(router_of(application))
    with TestClient(web) as client:
        started = time.monotonic()
        response = client.post(PATH, json=updates.message(CHAT, "/start"),
                               headers={SECRET_HEADER: SECRET})  # fmt: skip
        answered = time.monotonic() - started
        eventually(lambda: telegram.sent_to(CHAT), "the reply")
    assert response.status_code == 200
    assert answered < 1.0  # the requirement
    # The backlog is the worker's: the web process sent nobody else's rows.
    assert {call["chat_id"] for call in telegram.calls_to("sendMessage")} == {CHAT}


def test_an_sms_webhook_answers_at_once_while_the_rate_limit_is_spent(
    engine: Engine, cipher: Cipher, twilio: FakeTwilio
) -> None:
    application = make_app(engine, cipher, sms_settings(twilio, sms_rate_per_second=0.001))
    with web_client(application) as client:
        for number in ("+351912000001", "+351912000002"):
            params = inbound_params(number, "Olá")
            response = client.post(SMS_PATH, data=params,
                                   headers=signed("https://percorso.example.org" + SMS_PATH,
                                                  params))  # fmt: skip
            assert response.status_code == 200

        def second_is_waiting() -> bool:
            with Session(engine) as db:
                rows = db.exec(
                    select(Outbox).join(Identity).where(repo.is_address(db, "sms", "+351912000002"))
                ).all()
            return bool(rows) and all(r.last_error == "sms rate" for r in rows)

        eventually(second_is_waiting, "the second reply handed back to the rate limit")
    # One SMS went out (the limit's one token); the second person's reply waits, pending, for
    # the limit (the hurry, or the worker): no request ever waited for it.
    assert len(twilio.sent) == 1 and twilio.bodies(to="+351912000002") == []


class Recorder:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, _recipient: Recipient, message: Outbound) -> str:
        self.texts.append(message.text)
        return "ok"


def test_replies_go_before_reminders_and_reminders_before_broadcasts(engine: Engine) -> None:
    clock = FakeClock()
    earlier = clock() - timedelta(hours=1)
    for n, kind in enumerate(("broadcast", "reminder", "reply", "broadcast", "reply")):
        queued(engine, "telegram", f"chat-{n}", Outbound(f"{kind} {n}", kind), earlier)
    sender = Recorder()
    Dispatcher(engine, {"telegram": sender}, clock, DeliveryPolicy()).dispatch_due()
    assert sender.texts == ["reply 2", "reply 4", "reminder 1", "broadcast 0", "broadcast 3"]


def test_a_counselors_cancellation_reaches_the_person_on_telegram_at_once(
    engine: Engine, cipher: Cipher, telegram: FakeTelegram
) -> None:
    seed_demo_if_empty(engine)
    clock = FakeClock()
    application = telegram_app(engine, cipher, telegram, clock)
    chat = Chat(application.service, str(CHAT), channel="telegram")
    chat.start("en")
    for answer in [*ENGLISH_INTAKE, "Maria", "1"]:
        chat.say(answer)
    with Session(engine) as db:
        (appointment,) = db.exec(select(Appointment)).all()

    # What `percorso booking cancel` does: the change and the message commit together, then
    # the command sends the rows it wrote, with no worker running.
    with unit_of_work(engine) as db:
        cancel_for_counselor(application.service, db, appointment.id, "illness", clock())
        row_ids = written(db)
    send_now(application, row_ids)

    told = [m["text"] for m in telegram.sent_to(CHAT)]
    assert told[0].startswith("Sorry, the counselor had to cancel your meeting on ")
    assert told[-1].startswith("When can you come?")


def router_of(application: App) -> APIRouter:
    settings, service = application.settings, application.service
    contacts = TelegramContacts(service, settings.default_timezone)
    return telegram_router(settings, service, contacts, application.delivery)
