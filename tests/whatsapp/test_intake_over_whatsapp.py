"""A whole intake in Portuguese over WhatsApp, a booking, and its reminder going as the approved
template once the 24-hour window has closed."""

import json
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import select

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import TIMER
from bot.delivery.quiet_hours import QuietHours
from bot.entry.bootstrap import App
from bot.entry.senders import whatsapp_sender
from bot.jobs.triggers import TriggerRunner
from bot.network.importer import seed_demo_if_empty
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Intake, Outbox
from tests.clock import FakeClock
from tests.fakes.twilio_server import FakeTwilio
from tests.whatsapp.conftest import REMINDER_SID, WhatsAppPhone


def complete_intake(phone: WhatsAppPhone) -> None:
    """Answer every question as WhatsApp shows it: the first number, or the town."""
    phone.write("Olá")
    phone.write("português")
    for _ in range(60):
        with unit_of_work(phone.engine) as db:
            if db.exec(select(Intake)).first() is not None:
                return
        question = phone.inbox()[-1]
        phone.write("1" if "\n*1.* " in question else "Porto")
    raise AssertionError("the intake did not complete in 60 answers")


def test_a_whole_intake_in_portuguese_then_a_reminder_outside_the_window_as_a_template(
    phone: WhatsAppPhone, application: App, engine: Engine, clock: FakeClock, twilio: FakeTwilio
) -> None:
    seed_demo_if_empty(engine)
    complete_intake(phone)
    with unit_of_work(engine) as db:
        intake = db.exec(select(Intake)).one()
    assert (intake.channel, intake.lang, intake.municipality) == ("whatsapp", "pt", "Porto")
    assert all("Marcado" not in text for text in phone.inbox())

    phone.write("Maria")
    phone.write("4")  # other days: a meeting more than a day after the last message
    booked = "\n".join(phone.write("3"))
    assert "Marcado: " in booked and "openstreetmap" in booked  # no SMS variant on WhatsApp
    with unit_of_work(engine) as db:
        appointment = db.exec(select(Appointment)).one()
    assert appointment.starts_at - clock() > timedelta(hours=26)

    clock.now = appointment.starts_at - timedelta(hours=24)
    runner = TriggerRunner(application.service, QuietHours.parse("21:00-08:00"))
    Dispatcher(engine, {TIMER: runner}, clock).dispatch_due(TIMER)
    sender = whatsapp_sender(application.settings, engine, clock, "pt")
    Dispatcher(engine, {"whatsapp": sender}, clock).dispatch_due("whatsapp")

    with unit_of_work(engine) as db:
        [reminder] = db.exec(select(Outbox).where(Outbox.kind == "reminder",
                                                  Outbox.channel == "whatsapp")).all()  # fmt: skip
    assert reminder.status == "sent"
    sent = twilio.sent[-1]
    assert sent["ContentSid"] == REMINDER_SID and sent["Sid"] == reminder.external_id
    assert json.loads(sent["ContentVariables"]) == {
        "1": "sexta-feira 27 novembro", "2": "09:00", "3": "Quiosque da Vida Activa - Porto",
    }  # fmt: skip
    # The person answers the template: the window opens and the reminder's question takes it.
    assert phone.write("1")[0] == "Obrigado, até lá!"
