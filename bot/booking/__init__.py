"""Booking a meeting with the right counselor, at the right place, without double bookings.

The conversation calls, inside its unit of work (storage.db.unit_of_work):

    offer_slots(db, SlotRequest(...), now, ignoring_appointment_id=None) -> list[SlotOffer]
    describe(offer, lang) -> "qui 3 dez, 10:00 - Porto"
    book(db, person_id, offer, now) -> Appointment | SlotTaken | AlreadyBooked
    move(db, appointment_id, offer, now) -> Appointment | SlotTaken
    cancel(db, appointment_id, by, reason, now) -> Appointment
    mark_attendance(db, appointment_id, attended, now) -> Appointment
    notify_counselor(db, appointment, intake, kind, now) -> list[Outbox]
    no_shows(db, person_id) -> int

Modules: `availability` and `slots` compute free slots without a database or a clock;
`calendars` reads what they need; `offers` picks what to offer; `appointment` writes bookings;
`labels`, `invite` and `notify` tell people about them; `network_file` imports the hours.
"""

from bot.booking.appointment import (
    AlreadyBooked,
    NotActive,
    SlotTaken,
    book,
    cancel,
    mark_attendance,
    move,
    no_shows,
    reminders_reference,
)
from bot.booking.invite import Invite, calendar_invite
from bot.booking.labels import describe
from bot.booking.notify import notify_counselor
from bot.booking.offers import TRACK_SERVICES, SlotOffer, SlotRequest, offer_slots
from bot.booking.slots import Wish
from storage.booking import Appointment

__all__ = [
    "TRACK_SERVICES",
    "AlreadyBooked",
    "Appointment",
    "Invite",
    "NotActive",
    "SlotOffer",
    "SlotRequest",
    "SlotTaken",
    "Wish",
    "book",
    "calendar_invite",
    "cancel",
    "describe",
    "mark_attendance",
    "move",
    "no_shows",
    "notify_counselor",
    "offer_slots",
    "reminders_reference",
]
