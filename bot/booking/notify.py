"""Telling the counselor about a booking, a move or a cancellation, through the outbox.

The message goes to the counselor's Telegram chat once they have linked it
(Counselor.telegram_chat_id), and until then by e-mail to the counselor's address, with the
invite attached (bot.channels.email). A counselor with neither gets the address
"counselor:<code>": the row fails, to be found and fixed.

The message carries the text and the calendar invite. The row's person is the person booked,
not the counselor: erasing that person removes the messages about them.
"""

from dataclasses import replace
from datetime import datetime
from typing import Literal, TypeVar

from sqlmodel import Session

from bot.booking.invite import Invite, calendar_invite
from bot.booking.labels import FALLBACK, LANGUAGES, label
from bot.conversation.intake_record import one_line_summary
from bot.delivery.outbound import CalendarInvite, Outbound, queue
from storage import repositories as repo
from storage.booking import Appointment, Meeting
from storage.models import Counselor, Intake, Outbox, Person, Service, Site

Notification = Literal["booked", "moved", "cancelled"]

TEXTS: dict[str, dict[Notification, str]] = {
    "pt": {
        "booked": "Nova marcação: {service}, {when}.",
        "moved": "Marcação alterada: {service}, agora {when} (era {before}).",
        "cancelled": "Marcação cancelada: {service}, {when}.",
    },
    "it": {
        "booked": "Nuovo appuntamento: {service}, {when}.",
        "moved": "Appuntamento spostato: {service}, ora {when} (era {before}).",
        "cancelled": "Appuntamento annullato: {service}, {when}.",
    },
    "en": {
        "booked": "New booking: {service}, {when}.",
        "moved": "Booking moved: {service}, now {when} (was {before}).",
        "cancelled": "Booking cancelled: {service}, {when}.",
    },
    "es": {
        "booked": "Nueva cita: {service}, {when}.",
        "moved": "Cita cambiada: {service}, ahora {when} (era {before}).",
        "cancelled": "Cita cancelada: {service}, {when}.",
    },
    "fr": {
        "booked": "Nouveau rendez-vous : {service}, {when}.",
        "moved": "Rendez-vous déplacé : {service}, désormais {when} (au lieu de {before}).",
        "cancelled": "Rendez-vous annulé : {service}, {when}.",
    },
}

Row = TypeVar("Row")


def notify_counselor(
    db: Session,
    appointment: Appointment,
    intake: Intake | None,
    kind: Notification,
    now: datetime,
) -> list[Outbox]:
    """Queue the notice of `kind` (with the person's name and intake summary, if an intake is
    given) for the appointment's counselor, in their first language that has texts; returns
    the outbox rows.

    After a move to another counselor, the one it was with is told it is cancelled (at the time
    they had it) and the new one that it is booked. "moved" for an appointment never moved is
    told as "booked".
    """
    counselor = _get(db, Counselor, appointment.counselor_id)
    invite = Invite.of(appointment)
    if kind == "moved" and appointment.previous_meeting_id is None:
        kind = "booked"
    if kind != "moved":
        return [_queue(db, appointment, counselor, invite, intake, kind, now)]
    before = _get(db, Meeting, appointment.previous_meeting_id)
    if before.counselor_id == counselor.id:
        return [_queue(db, appointment, counselor, invite, intake, kind, now, before)]
    was = replace(
        invite, cancelled=True, mode=before.mode, starts_at=before.starts_at, ends_at=before.ends_at
    )
    previous = _get(db, Counselor, before.counselor_id)
    return [
        _queue(db, appointment, previous, was, None, "cancelled", now, site_id=before.site_id),
        _queue(db, appointment, counselor, invite, intake, "booked", now),
    ]


def _queue(
    db: Session,
    appointment: Appointment,
    counselor: Counselor,
    invite: Invite,
    intake: Intake | None,
    kind: Notification,
    now: datetime,
    before: Meeting | None = None,
    site_id: int | None = None,
) -> Outbox:
    site = _get(db, Site, site_id or appointment.site_id)
    service = _get(db, Service, appointment.service_id)
    lang = next((lang for lang in counselor.languages if lang in LANGUAGES), FALLBACK)
    text = TEXTS[lang][kind].format(
        service=service.names.get(lang) or service.code,
        when=label(invite.starts_at, site.timezone, site.municipality, invite.mode, lang),
        before=before and _label(db, before, lang),
    )
    if intake is not None:
        person = db.get(Person, appointment.person_id)
        summary = one_line_summary(intake, lang, person.first_name if person else None)
        text = f"{text}\n\n{summary}"
    if counselor.telegram_chat_id:
        channel, address = "telegram", counselor.telegram_chat_id
    else:
        channel, address = "email", counselor.email or f"counselor:{counselor.code}"
    identity = repo.find_or_create_identity(db, channel, address, now)
    ics = calendar_invite(invite, counselor, site, service, now, lang)
    message = Outbound(
        text,
        "notification",
        lang=lang,
        invite=CalendarInvite(ics, "CANCEL" if invite.cancelled else "REQUEST"),
        appointment_id=appointment.id,
        notification=kind,
    )
    reference = f"appointment:{appointment.id}:counselor"
    return queue(db, identity, message, now, reference=reference, about=appointment.person_id)


def _label(db: Session, meeting: Meeting, lang: str) -> str:
    site = _get(db, Site, meeting.site_id)
    return label(meeting.starts_at, site.timezone, site.municipality, meeting.mode, lang)


def _get(db: Session, model: type[Row], key: object) -> Row:
    row = db.get(model, key)
    if row is None:
        raise LookupError(f"no {model.__name__} {key}")
    return row
