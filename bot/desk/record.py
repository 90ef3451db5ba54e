"""/desk/people/{id}: a person's record, and what a counselor records about them (attendance,
the stages of their path).

Only staff of a site where the person has or had an appointment may open it (coordinators and
admins: anywhere); anyone else gets 404, and nothing is logged. Every view that is shown is
written to the audit log with the parts shown. The special-category answers are shown only to a
counselor of the person's site, never to coordinators or admins.
"""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from bot.booking.appointment import NotActive, reminders_reference
from bot.booking.labels import when
from bot.counselors.actions import record_attendance
from bot.desk.agenda import status_key
from bot.desk.auth import CurrentStaff, FormStaff, Staff
from bot.desk.context import Desk, DeskContext
from bot.desk.pages import page
from bot.desk.texts import Texts, language_name
from dialogs.loader import intake_flow
from dialogs.render import WHOLE_TEXT, describe
from storage import agenda as records
from storage.audit import record_view
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.desk import OUTCOMES, STAGES, PathStage
from storage.models import Intake, IntakeSpecial, Person

INTAKE_FIELDS = (
    "municipality", "age_band", "unemployed_since", "benefits", "isced", "experience_text",
    "digital_skills", "driving_licence", "mobility", "availability", "caring_duties", "goal",
)  # fmt: skip
SPECIAL_FIELDS = ("disability", "justice", "target_groups")
NOTICES = {"attendance_saved", "attendance_refused", "stage_saved", "stage_refused"}
NOTE_LIMIT = 280

router = APIRouter()


class NotYours(Exception):
    """Unknown, erased, or outside the staff member's sites: answered 404 alike."""


@dataclass(frozen=True)
class Meeting:
    appointment_id: int
    when: str
    where: str
    counselor: str
    service: str
    status: str
    may_mark: bool


@router.get("/desk/people/{person_id}")
def person_record(
    request: Request,
    person_id: str,
    staff: CurrentStaff,
    context: DeskContext,
    notice: str | None = None,
) -> HTMLResponse:
    texts = Texts(staff.lang)
    now = context.clock()
    with unit_of_work(context.engine) as db:
        person = _visible_person(db, staff, person_id)
        intake = records.latest_intake(db, person_id)
        special = _special(context, staff, intake[1] if intake else None, texts)
        entries = records.person_appointments(db, person_id)
        reminders = records.reminders_of(
            db, [reminders_reference(e.appointment.id) for e in entries]
        )
        zone = entries[0].site.timezone if entries else context.default_zone
        shown = ["person", "intake", *(["special"] if special is not None else []),
                 "meetings", "reminders", "stages"]  # fmt: skip
        record_view(db, staff.account_id, person_id, shown, now)
        values: dict[str, Any] = dict(
            person=person,
            channels=records.channels_of(db, person_id),
            language=language_name(person.lang, texts.lang),
            intake=_intake(intake[0], texts) if intake else None,
            special=special,
            meetings=[_meeting(e, staff, now, texts) for e in entries],
            appointments={e.appointment.id: e.appointment for e in entries},
            reminders=[(when(r.not_before, zone, texts.lang), r) for r in reminders],
            stages=records.stages_of(db, person_id),
        )
    return page(
        request, context, "record.html", staff,
        notice=notice if notice in NOTICES else None, stages_list=STAGES, outcomes=OUTCOMES,
        note_limit=NOTE_LIMIT, **values,
    )  # fmt: skip


@router.post("/desk/appointments/{appointment_id}/attendance")
def attendance(
    appointment_id: int,
    attended: Annotated[str, Form()],
    staff: FormStaff,
    context: DeskContext,
) -> RedirectResponse:
    try:
        with unit_of_work(context.engine) as db:
            appointment = db.get(Appointment, appointment_id)
            if appointment is None or not staff.sees_site(appointment.site_id):
                raise NotYours
            person_id = appointment.person_id
            record_attendance(context.service, db, appointment_id, attended == "yes",
                              context.clock())
        notice = "attendance_saved"
    except NotActive:
        notice = "attendance_refused"
    return _back_to(person_id, notice)


@router.post("/desk/people/{person_id}/stages")
def add_stage(
    person_id: str,
    staff: FormStaff,
    context: DeskContext,
    stage: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    note = note.strip()
    with unit_of_work(context.engine) as db:
        _visible_person(db, staff, person_id)
        if stage not in STAGES or outcome not in OUTCOMES or len(note) > NOTE_LIMIT:
            return _back_to(person_id, "stage_refused")
        records.add_stage(db, PathStage(
            person_id=person_id, account_id=staff.account_id, stage=stage, outcome=outcome,
            note=note or None, recorded_at=context.clock(),
        ))  # fmt: skip
    return _back_to(person_id, "stage_saved")


def _visible_person(db: Session, staff: Staff, person_id: str) -> Person:
    person = db.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotYours
    if staff.site_ids is not None and not staff.site_ids & records.person_site_ids(db, person_id):
        raise NotYours
    return person


def _special(
    context: Desk, staff: Staff, special: IntakeSpecial | None, texts: Texts
) -> list[tuple[str, str]] | None:
    """The special-category answers, for a counselor of the person's site; None: not shown."""
    if not staff.is_counselor or special is None:
        return None
    answers = context.cipher.decrypt_json(special.payload)
    flow = intake_flow()
    catalogue = flow.catalogues[texts.lang]
    return [
        (texts(f"record.special.{name}"), describe(flow, catalogue, name, answers[name]))
        for name in SPECIAL_FIELDS
        if answers.get(name) not in (None, [], "")
    ]


def _intake(intake: Intake, texts: Texts) -> dict[str, Any]:
    flow = intake_flow()
    catalogue = flow.catalogues[texts.lang]
    rows = [
        (catalogue.texts[f"field.{name}"],
         describe(flow, catalogue, name, getattr(intake, name), WHOLE_TEXT))
        for name in INTAKE_FIELDS
    ]  # fmt: skip
    languages = ", ".join(
        f"{language_name(item.get('code'), texts.lang)} ({item.get('level', '')})"
        for item in intake.languages
    )
    track = catalogue.texts.get(f"track.{intake.track}", intake.track or "-")
    return dict(rows=rows, intake=intake, languages=languages or "-", track=track)


def _meeting(entry: records.AgendaEntry, staff: Staff, now: Any, texts: Texts) -> Meeting:
    appointment = entry.appointment
    assert appointment.id is not None  # read from the database
    return Meeting(
        appointment_id=appointment.id,
        when=when(appointment.starts_at, entry.site.timezone, texts.lang),
        where=f"{entry.site.name} · {texts(f'mode.{appointment.mode}')}",
        counselor=entry.counselor.name,
        service=entry.service.names.get(texts.lang) or entry.service.code,
        status=status_key(appointment),
        may_mark=(appointment.status != "cancelled" and appointment.starts_at <= now
                  and staff.sees_site(appointment.site_id)),
    )  # fmt: skip


def _back_to(person_id: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/desk/people/{quote(person_id)}?notice={notice}", status_code=303)
