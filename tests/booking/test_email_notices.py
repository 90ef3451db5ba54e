"""Booking notices by e-mail, through a real SMTP server on loopback: a counselor without a
linked Telegram chat gets every booking, move and cancellation with its calendar invite."""

import icalendar
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.booking import cancel, move, notify_counselor
from bot.channels.email.sender import EmailSender, SmtpServer
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.policy import DeliveryPolicy, RetryPolicy
from storage.db import unit_of_work
from storage.models import Counselor, Outbox
from tests.booking.conftest import NOW, offers
from tests.booking.test_notify import INTAKE, JOAO_SPECIALISM, booked_with_joao, replace_day
from tests.clock import FakeClock
from tests.fakes.smtp_server import Mailbox

JOAO = "joao.costa@example.org"
FROM = "percorso@rede.example.org"


@pytest.fixture
def joao_by_email(network: Engine) -> Engine:
    with unit_of_work(network) as db:
        joao = db.exec(select(Counselor).where(Counselor.code == "joao")).one()
        joao.email = JOAO
        db.add(joao)
    return network


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def dispatcher(joao_by_email: Engine, smtp: tuple[Mailbox, str], clock: FakeClock) -> Dispatcher:
    sender = EmailSender(SmtpServer.parse(smtp[1]), FROM, clock)
    policy = DeliveryPolicy(retry=RetryPolicy(jitter=0))
    return Dispatcher(joao_by_email, {"email": sender}, clock, policy)


def invite(message) -> tuple[icalendar.Calendar, icalendar.Event, str]:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    return calendar, event, part.get_param("method")


def test_a_booking_reaches_a_counselor_without_telegram_with_a_valid_invite(
    joao_by_email: Engine, people, dispatcher: Dispatcher, smtp: tuple[Mailbox, str]
) -> None:
    appointment = booked_with_joao(joao_by_email, people["ana"])
    with unit_of_work(joao_by_email) as db:
        (row,) = notify_counselor(db, appointment, INTAKE, "booked", NOW)

    assert dispatcher.dispatch_due("email") == 1
    (message,) = smtp[0].to(JOAO)
    assert message["From"] == FROM
    assert message["Message-ID"] == f"<outbox-{row.id}@rede.example.org>"
    assert message["Subject"].startswith("Nova marcação: Entrevista de orientação")
    body = message.get_body(("plain",)).get_content()
    assert "Encaminhamento: apoio à procura de emprego" in body
    calendar, event, method = invite(message)
    assert (calendar["METHOD"], method, event["SEQUENCE"]) == ("REQUEST", "REQUEST", 0)
    assert event["UID"] == f"appointment-{appointment.id}@percorso"


def test_a_move_sends_the_same_uid_with_the_next_sequence(
    joao_by_email: Engine, people, dispatcher: Dispatcher, smtp: tuple[Mailbox, str]
) -> None:
    appointment = booked_with_joao(joao_by_email, people["ana"])
    tuesday = offers(joao_by_email, replace_day(JOAO_SPECIALISM, "2026-06-02"))[0]
    with unit_of_work(joao_by_email) as db:
        notify_counselor(db, appointment, INTAKE, "booked", NOW)
        moved = move(db, appointment.id, tuesday, NOW)
        notify_counselor(db, moved, INTAKE, "moved", NOW)

    assert dispatcher.dispatch_due("email") == 2
    first, second = (invite(m)[1] for m in smtp[0].to(JOAO))
    assert first["UID"] == second["UID"]
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 1)


def test_a_cancellation_sends_method_cancel(
    joao_by_email: Engine, people, dispatcher: Dispatcher, smtp: tuple[Mailbox, str]
) -> None:
    appointment = booked_with_joao(joao_by_email, people["ana"])
    with unit_of_work(joao_by_email) as db:
        cancelled = cancel(db, appointment.id, "person", None, NOW)
        notify_counselor(db, cancelled, None, "cancelled", NOW)

    dispatcher.dispatch_due("email")
    (message,) = smtp[0].to(JOAO)
    calendar, event, method = invite(message)
    assert (calendar["METHOD"], method, event["STATUS"]) == ("CANCEL", "CANCEL", "CANCELLED")


def test_a_send_refused_for_now_is_retried_later_and_arrives_once(
    joao_by_email: Engine, people, dispatcher: Dispatcher, smtp: tuple[Mailbox, str],
    clock: FakeClock,
) -> None:
    mailbox = smtp[0]
    mailbox.refuse_next = 1
    appointment = booked_with_joao(joao_by_email, people["ana"])
    with unit_of_work(joao_by_email) as db:
        (row,) = notify_counselor(db, appointment, INTAKE, "booked", NOW)

    assert dispatcher.dispatch_due("email") == 0
    assert mailbox.messages == []
    clock.advance(minutes=2)
    assert dispatcher.dispatch_due("email") == 1
    clock.advance(hours=3)
    assert dispatcher.dispatch_due("email") == 0

    (message,) = mailbox.to(JOAO)
    assert message["Message-ID"] == f"<outbox-{row.id}@rede.example.org>"
    with Session(joao_by_email) as db:
        sent = db.get(Outbox, row.id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, "email:451")


def test_a_counselor_without_any_address_fails_at_once_instead_of_waiting(
    network: Engine, people, smtp: tuple[Mailbox, str], clock: FakeClock
) -> None:
    sender = EmailSender(SmtpServer.parse(smtp[1]), FROM, clock)
    dispatcher = Dispatcher(network, {"email": sender}, clock)
    appointment = booked_with_joao(network, people["ana"])  # João has no e-mail here
    with unit_of_work(network) as db:
        (row,) = notify_counselor(db, appointment, INTAKE, "booked", NOW)
    dispatcher.dispatch_due("email")
    with Session(network) as db:
        failed = db.get(Outbox, row.id)
    assert (failed.status, failed.last_error) == ("failed", "email:no address")
    assert smtp[0].messages == []


def test_an_smtp_url_is_read_with_its_credentials_and_default_ports() -> None:
    assert SmtpServer.parse("smtp://desk%40rede:p%3Ass@mail.example.org:587") == SmtpServer(
        "mail.example.org", 587, False, "desk@rede", "p:ss"
    )
    assert SmtpServer.parse("smtps://mail.example.org").port == 465
    with pytest.raises(ValueError):
        SmtpServer.parse("http://mail.example.org")
