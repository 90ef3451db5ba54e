"""What the conversation service answers when the dialog asks about booking.

The dialog engine never touches the calendar: it asks for slots (SlotsWanted), for a slot to be
booked (SlotChosen), or for a cancellation. These functions do that inside the conversation's
transaction, so the booking, the counselor's notice and the person's reply commit together.
"""

from dataclasses import replace
from datetime import date, datetime
from urllib.parse import quote_plus

from sqlmodel import Session, select

from bot.booking.appointment import AlreadyBooked, NotActive, SlotTaken, book, cancel, move
from bot.booking.labels import describe, when, where
from bot.booking.notify import notify_counselor
from bot.booking.offers import TRACK_SERVICES, SlotOffer, SlotRequest, offer_slots
from bot.booking.slots import Wish
from bot.jobs.reminders import ReminderTimes, schedule_reminders
from dialogs.model import (
    BookingMade,
    CancellationExplained,
    CancellationRequested,
    FollowUpAnswered,
    ReminderAnswered,
    SlotChosen,
    SlotGone,
    SlotsFound,
    SlotsWanted,
)
from storage.booking import Appointment
from storage.models import Intake, Site

OFFERS_SHOWN = 3
"""Three slots plus the other options keep the offer within three SMS segments."""


PARTS_OF_AVAILABILITY = {"mornings": "morning", "afternoons": "afternoon", "evenings": "evening"}


def find_slots(db: Session, question: SlotsWanted, now: datetime) -> SlotsFound:
    """Slots within the person's stated availability first, any time when none fits it."""
    request = SlotRequest(
        service_code=TRACK_SERVICES[question.track][0],
        lang=question.lang,
        municipality=question.municipality,
        mode=question.mode,  # type: ignore[arg-type]
        wish=_wish(question, _time_of(db, question.avoid)),
        count=OFFERS_SHOWN,
        home=question.home,
    )
    usual = _usual_part_of_day(question.availability)
    if usual and request.wish.part_of_day is None and request.wish.day is None:
        fitting = replace(request, wish=replace(request.wish, part_of_day=usual))
        views = _views(db, fitting, question.lang, now, question.moving)
        if views:
            return SlotsFound(views)
    return SlotsFound(_views(db, request, question.lang, now, question.moving))


def _usual_part_of_day(availability: tuple[str, ...]) -> str | None:
    """The one part of the day the person said they are free, if they named just one."""
    parts = {PARTS_OF_AVAILABILITY[a] for a in availability if a in PARTS_OF_AVAILABILITY}
    return parts.pop() if len(parts) == 1 else None


def take_slot(
    db: Session, person_id: str, lang: str, question: SlotChosen, now: datetime,
    reminders: ReminderTimes,
) -> BookingMade | SlotGone:  # fmt: skip
    offer = SlotOffer.from_json(question.offer["data"])
    result = _moved(db, question.moving, offer, now) if question.moving else None
    if result is None:
        result = book(db, person_id, offer, now)
    if isinstance(result, AlreadyBooked):
        result = move(db, result.appointment_id, offer, now)
    if isinstance(result, SlotTaken):
        request = SlotRequest(offer.service_code, lang, offer.municipality, offer.mode,
                              count=OFFERS_SHOWN)
        return SlotGone(_views(db, request, lang, now, question.moving))
    kind = "moved" if result.sequence else "booked"
    notify_counselor(db, result, _latest_intake(db, person_id), kind, now)
    schedule_reminders(db, result, now, reminders)
    return BookingMade(_details(db, result, lang))


def _moved(
    db: Session, appointment_id: int, offer: SlotOffer, now: datetime
) -> Appointment | SlotTaken | None:
    """The appointment moved to the offer; None when it can no longer move (it has begun,
    was held or cancelled meanwhile, or is for another service): then it is a new booking."""
    try:
        return move(db, appointment_id, offer, now)
    except (NotActive, ValueError):
        return None


def cancel_appointment(db: Session, question: CancellationRequested, now: datetime) -> None:
    try:
        appointment = cancel(db, question.appointment_id, "person", None, now)
    except NotActive:
        return
    notify_counselor(db, appointment, None, "cancelled", now)


def record_cancel_reason(db: Session, explained: CancellationExplained) -> None:
    appointment = db.get(Appointment, explained.appointment_id)
    if appointment is not None and appointment.cancelled_by == "person":
        appointment.cancel_reason = explained.reason
        db.add(appointment)


def release_before_erasure(db: Session, person_id: str, now: datetime) -> None:
    """Free the person's coming meetings and tell their counselors, before their data goes.

    The notices carry no summary and are detached from the person, so that the erasure that
    follows does not delete them with the person's own messages.
    """
    coming = db.exec(
        select(Appointment).where(
            Appointment.person_id == person_id,
            Appointment.status == "booked",
            Appointment.ends_at > now,
        )
    ).all()
    for appointment in coming:
        cancelled = cancel(db, appointment.id, "person", "data erased", now)
        for notice in notify_counselor(db, cancelled, None, "cancelled", now):
            notice.person_id = None
            db.add(notice)


def record_reminder_answer(db: Session, answer: ReminderAnswered, now: datetime) -> None:
    """A "yes, I'll come" is kept on the appointment; cancel and move follow their own way."""
    appointment = db.get(Appointment, answer.appointment_id)
    if appointment is not None and answer.answer == "confirm":
        appointment.confirmed_at = now
        db.add(appointment)


def record_follow_up(db: Session, answer: FollowUpAnswered) -> None:
    appointment = db.get(Appointment, answer.appointment_id)
    if appointment is not None:
        appointment.follow_up_rating = answer.rating
        appointment.follow_up_next_step = answer.next_step
        db.add(appointment)


def _views(
    db: Session, request: SlotRequest, lang: str, now: datetime, moving: int | None
) -> tuple[dict, ...]:
    try:
        offers = offer_slots(db, request, now, ignoring_appointment_id=moving)
    except ValueError:  # the service is not given that way (e.g. an assessment by phone)
        return ()
    return tuple(
        {
            "id": f"slot{index}",
            "label": describe(offer, lang),
            "starts_at": offer.starts_at.isoformat(),
            "site": offer.site_id,
            "data": offer.to_json(),
        }
        for index, offer in enumerate(offers, 1)
    )


def _time_of(db: Session, appointment_id: int | None) -> tuple[int, datetime, datetime] | None:
    appointment = db.get(Appointment, appointment_id) if appointment_id else None
    if appointment is None:
        return None
    return appointment.counselor_id, appointment.starts_at, appointment.ends_at


def _wish(question: SlotsWanted, avoid: tuple[int, datetime, datetime] | None) -> Wish:
    wish = question.wish or {}
    return Wish(
        day=date.fromisoformat(wish["day"]) if wish.get("day") else None,
        part_of_day=wish.get("part_of_day"),
        after=datetime.fromisoformat(question.after) if question.after else None,
        exclude_site_ids=frozenset(question.elsewhere),
        avoid=avoid,
    )


def _details(db: Session, appointment: Appointment, lang: str) -> dict:
    """What the confirmation says: when, where, and for a meeting in person the address."""
    site = db.get(Site, appointment.site_id)
    in_person = appointment.mode == "in_person"
    return {
        "id": appointment.id,
        "starts_at": appointment.starts_at.isoformat(),
        "when": when(appointment.starts_at, site.timezone, lang),
        "place": where(site.name if in_person else site.municipality, appointment.mode, lang),
        "address": f"{site.address}." if in_person else "",
        "map": _map_link(site.address) if in_person else "",
    }


def _map_link(address: str) -> str:
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}"


def _latest_intake(db: Session, person_id: str) -> Intake | None:
    return db.exec(
        select(Intake).where(Intake.person_id == person_id).order_by(Intake.id.desc())
    ).first()
