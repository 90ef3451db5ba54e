"""The 24-hour window with a fake clock: inside, just outside, a template present, none present;
Twilio's 63016; and nothing dropped silently."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.contacts.whatsapp_window import WAITING, WINDOW, window_open
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Outbound, queue
from bot.entry.bootstrap import App
from bot.entry.senders import whatsapp_sender
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.clock import TUESDAY, FakeClock
from tests.fakes.twilio_server import FakeTwilio
from tests.whatsapp.conftest import NUMBER, WhatsAppPhone
from tests.whatsapp.test_channel import status, status_client

NUDGE_SID = "HX" + "2" * 32
NUDGE_TEXT = "Olá! A sua orientação ficou a meio. Responda para continuar."


@pytest.mark.parametrize(("since", "open_"), [
    (timedelta(0), True), (WINDOW - timedelta(seconds=1), True),
    (WINDOW, False), (WINDOW + timedelta(seconds=1), False), (None, False),
])  # fmt: skip
def test_free_form_only_within_24_hours_of_the_last_message(since, open_) -> None:
    last = None if since is None else TUESDAY
    assert window_open(last, TUESDAY + (since or timedelta(0))) is open_


def nudge(engine: Engine, clock: FakeClock, channel: str = "whatsapp") -> int:
    """A nudge of two messages (as the flow writes one), queued for the WhatsApp number."""
    with unit_of_work(engine) as db:
        identity = db.exec(select(Identity).where(Identity.channel == channel)).one()
        first = queue(db, identity, Outbound("Ainda aí?", kind="nudge", lang="pt"), clock())
        queue(db, identity, Outbound("Em que localidade vive?", kind="nudge", lang="pt"),
              clock())  # fmt: skip
        return first.id


def dispatch(application: App, clock: FakeClock) -> list[Outbox]:
    sender = whatsapp_sender(application.settings, application.engine, clock, "pt")
    Dispatcher(application.engine, {"whatsapp": sender}, clock).dispatch_due("whatsapp")
    with unit_of_work(application.engine) as db:
        return list(db.exec(select(Outbox).where(Outbox.kind == "nudge").order_by(Outbox.id)))


def with_templates(application: App, **templates: dict[str, str]) -> App:
    settings = application.settings.model_copy(update={"whatsapp_templates": templates})
    return App(settings, application.engine, application.cipher, application.service)


def test_inside_the_window_a_nudge_goes_free_form(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    phone.write("Olá")
    clock.advance(hours=23, minutes=59)
    nudge(application.engine, clock)
    rows = dispatch(application, clock)
    assert [row.status for row in rows] == ["sent", "sent"]
    assert phone.inbox()[-2:] == ["Ainda aí?", "Em que localidade vive?"]
    assert "ContentSid" not in twilio.sent[-1]


def test_just_outside_the_window_a_nudge_goes_as_its_template_once(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    twilio.content[NUDGE_SID] = NUDGE_TEXT
    phone.write("Olá")
    clock.advance(hours=24, seconds=1)
    nudge(application.engine, clock)
    rows = dispatch(with_templates(application, nudge={"pt": NUDGE_SID}), clock)
    assert [row.status for row in rows] == ["sent", "cancelled"]
    said = f"outside the WhatsApp window: said by the template of outbox {rows[0].id}"
    assert rows[1].last_error == said
    assert twilio.sent[-1]["ContentSid"] == NUDGE_SID
    assert phone.inbox()[-1] == NUDGE_TEXT  # as the fake renders the approved template


def test_outside_the_window_without_a_template_a_message_waits_for_the_person(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    phone.write("Olá")
    clock.advance(days=2)
    nudge(application.engine, clock)
    sent_before = len(twilio.sent)
    rows = dispatch(with_templates(application), clock)
    assert [(row.status, row.last_error) for row in rows] == [("pending", WAITING)] * 2
    assert rows[0].not_before > clock()
    assert len(twilio.sent) == sent_before
    phone.write("Olá de novo")  # the window opens: what waited is due at once
    rows = dispatch(application, clock)
    assert [row.status for row in rows] == ["sent", "sent"]


def test_outside_the_window_without_a_template_a_message_goes_by_sms_if_the_person_has_it(
    phone: WhatsAppPhone, application: App, clock: FakeClock, engine: Engine
) -> None:
    phone.write("Olá")
    person_id = phone.identity().person_id
    with unit_of_work(engine) as db:
        sms = repo.find_or_create_identity(db, "sms", NUMBER, clock())
        sms.person_id = person_id
        db.add(sms)
    clock.advance(days=2)
    nudge(engine, clock)
    settings = application.settings.model_copy(update={"twilio_from": "+351300000300",
                                                       "whatsapp_templates": {}})  # fmt: skip
    sender = whatsapp_sender(settings, engine, clock, "pt")
    Dispatcher(engine, {"whatsapp": sender}, clock).dispatch_due("whatsapp")
    with unit_of_work(engine) as db:
        rows = list(db.exec(select(Outbox).where(Outbox.kind == "nudge").order_by(Outbox.id)))
    on_whatsapp = [row for row in rows if row.channel == "whatsapp"]
    on_sms = [row for row in rows if row.channel == "sms"]
    assert [row.status for row in on_whatsapp] == ["cancelled", "cancelled"]
    assert [row.payload["text"] for row in on_sms] == ["Ainda aí?", "Em que localidade vive?"]
    moved = f"outside the WhatsApp window: sent by sms (outbox {on_sms[0].id})"
    assert on_whatsapp[0].last_error == moved


def test_twilios_63016_sends_the_template_instead(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    twilio.content[NUDGE_SID] = NUDGE_TEXT
    phone.write("Olá")
    nudge(application.engine, clock)
    twilio.fail_next(400, 63016)  # Twilio's clock says the window closed
    rows = dispatch(with_templates(application, nudge={"pt": NUDGE_SID}), clock)
    [template] = [sent for sent in twilio.sent if sent["Sid"] == rows[0].external_id]
    assert rows[0].status == "sent" and template["ContentSid"] == NUDGE_SID


# Twilio accepted the message, then its status callback says 63016: the window had closed.


def report_statuses(application: App, twilio: FakeTwilio) -> int:
    """Let the fake Twilio post its status callbacks to our status webhook."""
    with status_client(application) as client:

        def post(url: str, params: dict[str, str], headers: dict[str, str]) -> None:
            assert client.post(urlparse(url).path, data=params, headers=headers).status_code == 200

        return twilio.send_callbacks(post)


def a_nudge_refused_after_it_was_sent(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> Outbox:
    phone.write("Olá")
    with unit_of_work(application.engine) as db:
        identity = db.exec(select(Identity).where(Identity.channel == "whatsapp")).one()
        queue(db, identity, Outbound("Ainda aí?", kind="nudge", lang="pt"), clock())
    twilio.fail_after_accepting(63016)
    [sent] = dispatch(application, clock)
    assert sent.status == "sent"
    assert report_statuses(application, twilio) == 1
    with unit_of_work(application.engine) as db:
        return db.get(Outbox, sent.id)


def test_63016_in_a_status_callback_sends_the_message_again_as_its_template(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    twilio.content[NUDGE_SID] = NUDGE_TEXT
    refused = a_nudge_refused_after_it_was_sent(phone, application, clock, twilio)
    assert (refused.delivery_status, refused.error_code) == ("undelivered", "63016")
    rows = dispatch(with_templates(application, nudge={"pt": NUDGE_SID}), clock)
    again = rows[-1]
    assert refused.last_error == f"twilio 63016 at delivery: again as outbox {again.id}"
    assert (again.status, again.last_error) == (
        "sent",
        f"outside the WhatsApp window: sent as its template {NUDGE_SID}",
    )
    assert twilio.sent[-1]["ContentSid"] == NUDGE_SID
    assert report_statuses(application, twilio) == 0  # the template went through


def test_63016_in_a_status_callback_without_a_template_waits_for_the_person(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    refused = a_nudge_refused_after_it_was_sent(phone, application, clock, twilio)
    sent_before = len(twilio.sent)
    again = dispatch(with_templates(application), clock)[-1]
    assert refused.last_error == f"twilio 63016 at delivery: again as outbox {again.id}"
    assert (again.status, again.last_error) == ("pending", WAITING)
    assert len(twilio.sent) == sent_before  # inside the window by our clock, not by Twilio's
    phone.write("Olá de novo")
    assert dispatch(application, clock)[-1].status == "sent"


def test_the_same_63016_reported_twice_sends_the_message_again_once(
    phone: WhatsAppPhone, application: App, clock: FakeClock, twilio: FakeTwilio
) -> None:
    refused = a_nudge_refused_after_it_was_sent(phone, application, clock, twilio)
    with status_client(application) as client:
        status(client, refused.external_id, "failed", "63016")
    with unit_of_work(application.engine) as db:
        nudges = db.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
    assert len(nudges) == 2
