"""A counselor's day in the desk: the agenda, attendance, the stages of a path, an absence."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.booking.offers import SlotRequest, offer_slots
from bot.desk.texts import missing_texts
from bot.entry.bootstrap import App
from storage.booking import Appointment, AvailabilityException
from storage.db import unit_of_work
from storage.desk import PathStage
from storage.models import Outbox
from tests.clock import FakeClock
from tests.desk.conftest import ANA, COORDINATOR, GIULIA, Booked, csrf_of, log_in

LISBON = ZoneInfo("Europe/Lisbon")


def _appointment(application: App, booked: Booked) -> Appointment:
    with unit_of_work(application.engine) as db:
        appointment = db.get(Appointment, booked.appointment_id)
    assert appointment is not None
    return appointment


def _day_of(appointment: Appointment) -> date:
    return appointment.starts_at.astimezone(LISBON).date()


def test_every_desk_text_exists_in_all_five_languages() -> None:
    assert missing_texts() == []


def test_the_agenda_shows_the_days_meetings_at_the_sites_local_time(
    client: TestClient, application: App, porto: Booked, bologna: Booked
) -> None:
    appointment = _appointment(application, porto)
    day = _day_of(appointment).isoformat()
    own = log_in(client, ANA).get(f"/desk/agenda?day={day}").text
    assert f"{appointment.starts_at.astimezone(LISBON):%H:%M}" in own
    assert f'href="/desk/people/{porto.person_id}"' in own
    everyone = client.get(f"/desk/agenda?day={day}&span=week&counselor=all").text
    assert bologna.person_id not in everyone

    week = log_in(TestClient(client.app), COORDINATOR).get(
        f"/desk/agenda?day={day}&span=week"
    ).text
    assert porto.person_id in week and bologna.person_id in week


def test_a_no_show_reaches_the_person_with_new_offers_and_attended_corrects_it(
    client: TestClient, application: App, clock: FakeClock, porto: Booked
) -> None:
    appointment = _appointment(application, porto)
    record = log_in(client, ANA).get(f"/desk/people/{porto.person_id}").text
    assert "/attendance" not in record  # not before the meeting has started
    clock.now = appointment.starts_at + timedelta(minutes=10)  # the next day: log in again
    record = log_in(client, ANA).get(f"/desk/people/{porto.person_id}").text
    url = f"/desk/appointments/{porto.appointment_id}/attendance"
    answer = client.post(url, data={"attended": "no", "csrf_token": csrf_of(record)})
    assert "Attendance recorded." in answer.text and "Did not come" in answer.text
    with unit_of_work(application.engine) as db:
        told = db.exec(select(Outbox).where(Outbox.person_id == porto.person_id,
                                            Outbox.created_at == clock())).all()
    assert told and any(row.payload.get("choices") for row in told)  # new slots offered

    client.post(url, data={"attended": "yes", "csrf_token": csrf_of(answer.text)})
    assert _appointment(application, porto).attended is True


def test_a_counselor_of_another_site_cannot_mark_attendance(
    client: TestClient, application: App, clock: FakeClock, porto: Booked
) -> None:
    clock.now = _appointment(application, porto).starts_at + timedelta(minutes=10)
    token = csrf_of(log_in(client, GIULIA).get("/desk/agenda").text)
    url = f"/desk/appointments/{porto.appointment_id}/attendance"
    assert client.post(url, data={"attended": "no", "csrf_token": token}).status_code == 404
    assert _appointment(application, porto).attended is None


def test_a_stage_of_the_path_is_recorded_with_its_outcome_and_note(
    client: TestClient, application: App, porto: Booked
) -> None:
    token = csrf_of(log_in(client, ANA).get(f"/desk/people/{porto.person_id}").text)
    url = f"/desk/people/{porto.person_id}/stages"
    saved = client.post(url, data={"stage": "training", "outcome": "started",
                                   "note": "Kitchen course, March", "csrf_token": token})
    assert "Stage recorded." in saved.text and "Training — Started: Kitchen course" in saved.text
    refused = client.post(url, data={"stage": "astrology", "outcome": "started",
                                     "csrf_token": token})
    assert "Choose a stage and an outcome" in refused.text
    with unit_of_work(application.engine) as db:
        (stage,) = db.exec(select(PathStage)).all()
    assert (stage.stage, stage.outcome, stage.note) == ("training", "started",
                                                         "Kitchen course, March")


def test_an_absence_cancels_the_meetings_in_it_and_no_slot_is_offered_there(
    client: TestClient, application: App, porto: Booked
) -> None:
    appointment = _appointment(application, porto)
    day = _day_of(appointment)
    token = csrf_of(log_in(client, ANA).get("/desk/absence").text)
    answer = client.post("/desk/absence", data={"day": day.isoformat(), "starts": "",
                                                "ends": "", "csrf_token": token})
    assert "Meetings cancelled: 1." in answer.text
    cancelled = _appointment(application, porto)
    assert (cancelled.status, cancelled.cancelled_by) == ("cancelled", "counselor")
    with unit_of_work(application.engine) as db:
        (absence,) = db.exec(select(AvailabilityException)
                             .where(AvailabilityException.counselor_id == appointment.counselor_id,
                                    AvailabilityException.day == day))
        offered = offer_slots(db, SlotRequest("orientation", "en", "Porto", count=50),
                              application.service.clock())
    assert absence.day == day and absence.kind == "closed"
    assert all(not (o.counselor_id == appointment.counselor_id and
                    o.starts_at.astimezone(LISBON).date() == day) for o in offered)

    bad = client.post("/desk/absence", data={"day": day.isoformat(), "starts": "12:00",
                                             "ends": "", "csrf_token": token})
    assert bad.status_code == 422
