"""Calendar invites parse with icalendar and keep one UID for the appointment's life."""

from datetime import UTC, datetime, timedelta

import icalendar

from bot.booking.invite import Invite, calendar_invite
from storage.models import Counselor, Service, Site
from tests.booking.clocks import LISBON, ROME, local

SITE = Site(id=1, code="porto", name="QVA Porto", municipality="Porto",
            address="Rua de Santa Catarina 312", timezone="Europe/Lisbon")  # fmt: skip
COUNSELOR = Counselor(id=1, code="ana", name="Ana Silva", email="ana@example.org")
NAMES = {"pt": "Entrevista de orientação", "en": "Orientation interview"}
SERVICE = Service(id=1, code="orientation", kind="x", duration_minutes=45, names=NAMES)
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
START = local(LISBON, "2026-03-29 10:00")  # the day Lisbon moves to summer time


def invite(sequence=0, cancelled=False, start=START, mode="in_person") -> Invite:
    return Invite(12, sequence, cancelled, mode, start, start + timedelta(minutes=45))


def parsed(text: str) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_a_booking_is_a_request_in_the_sites_zone() -> None:
    calendar, event = parsed(calendar_invite(invite(), COUNSELOR, SITE, SERVICE, NOW, "pt"))
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == "appointment-12@percorso"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Entrevista de orientação"
    assert event["LOCATION"] == "QVA Porto, Rua de Santa Catarina 312"
    assert event["DTSTART"].params["TZID"] == "Europe/Lisbon"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTSTART").astimezone(LISBON).hour == 10
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    assert str(event["ORGANIZER"]) == "mailto:ana@example.org"


def test_a_change_keeps_the_uid_and_raises_the_sequence() -> None:
    moved = local(ROME, "2026-04-02 15:30")
    _, first = parsed(calendar_invite(invite(), COUNSELOR, SITE, SERVICE, NOW, "pt"))
    rome = SITE.model_copy(update={"timezone": "Europe/Rome"})
    _, second = parsed(calendar_invite(invite(1, start=moved), COUNSELOR, rome, SERVICE, NOW, "pt"))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] == 1
    assert second["DTSTART"].params["TZID"] == "Europe/Rome"
    assert second.decoded("DTSTART") == moved


def test_a_cancellation_is_a_cancel_with_the_same_uid() -> None:
    text = calendar_invite(invite(2, cancelled=True), COUNSELOR, SITE, SERVICE, NOW, "en")
    calendar, event = parsed(text)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "appointment-12@percorso"
    assert event["SEQUENCE"] == 2


def test_a_phone_meeting_has_no_street_address_and_no_person_in_it() -> None:
    text = calendar_invite(invite(mode="phone"), COUNSELOR, SITE, SERVICE, NOW, "en")
    _, event = parsed(text)
    assert event["LOCATION"] == "by phone (QVA Porto)"
    assert "ATTENDEE" not in event
