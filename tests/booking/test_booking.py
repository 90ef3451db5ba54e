"""Offering, booking, moving, cancelling and attendance, on a real database."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.booking import (
    AlreadyBooked,
    NotActive,
    SlotRequest,
    SlotTaken,
    Wish,
    book,
    cancel,
    mark_attendance,
    move,
    no_shows,
    reminders_reference,
)
from bot.delivery.outbound import Outbound, queue
from storage import availability
from storage.booking import Appointment, Meeting
from storage.db import unit_of_work
from storage.models import Identity, Outbox
from tests.booking.clocks import LISBON, day, shown
from tests.booking.conftest import NOW, ids, offers

ORIENTATION_PORTO = SlotRequest("orientation", "pt", "Porto", count=6, per_day=None)


def where(offer) -> str:
    first_name = offer.counselor_name.split()[0]
    return f"{first_name}@{offer.site_name} {shown(LISBON, offer.starts_at)[5:16]}"


def booked(engine: Engine) -> list[Appointment]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(Appointment).where(Appointment.status == "booked")).all())


# --- offers -------------------------------------------------------------------------------------


def test_the_persons_municipality_comes_first(network: Engine) -> None:
    # João is free at 09:00 in Matosinhos too, but the person lives in Porto.
    assert [where(o) for o in offers(network, ORIENTATION_PORTO)] == [
        "Ana@QVA Porto 06-01 09:00", "Ana@QVA Porto 06-01 09:30", "Ana@QVA Porto 06-01 10:00",
        "Ana@QVA Porto 06-01 10:30", "Ana@QVA Porto 06-01 11:00", "Ana@QVA Porto 06-01 11:30",
    ]  # fmt: skip
    near_matosinhos = replace(ORIENTATION_PORTO, municipality=" matosinhos", count=2)
    assert [where(o) for o in offers(network, near_matosinhos)] == [
        "João@QVA Matosinhos 06-01 09:00", "João@QVA Matosinhos 06-01 09:30",
    ]  # fmt: skip


def test_when_the_municipality_has_nothing_the_others_follow(network: Engine) -> None:
    request = SlotRequest("orientation", "pt", "Porto", count=3, per_day=None,
                          wish=Wish(day=day("2026-06-01"), part_of_day="afternoon"))  # fmt: skip
    assert [where(o) for o in offers(network, request)] == [
        "Ana@QVA Matosinhos 06-01 13:30", "Ana@QVA Matosinhos 06-01 14:00",
        "Ana@QVA Matosinhos 06-01 14:30",
    ]  # fmt: skip


def test_by_phone_the_place_does_not_matter_and_a_time_is_offered_once(network: Engine) -> None:
    request = SlotRequest("orientation", "pt", "Porto", mode="phone", per_day=None)
    found = offers(network, request)
    assert [shown(LISBON, o.starts_at)[11:16] for o in found] == ["09:00", "09:30", "10:00",
                                                                   "10:30"]  # fmt: skip
    assert {o.mode for o in found} == {"phone"}


def test_language_and_specialism_choose_the_counselor(network: Engine) -> None:
    def counselors(request: SlotRequest) -> set[str]:
        return {o.counselor_name for o in offers(network, replace(request, count=10))}

    assert counselors(SlotRequest("orientation", "pt")) == {"Ana Silva", "João Costa"}
    assert counselors(SlotRequest("orientation", "it")) == {"Giulia Romano"}
    assert counselors(SlotRequest("orientation", "en")) == {"Ana Silva", "Giulia Romano"}
    assert counselors(SlotRequest("orientation", "pt", specialism="justice")) == {"João Costa"}
    assert counselors(SlotRequest("orientation", "it", specialism="justice")) == set()
    # The service itself asks for the enterprise specialism.
    assert counselors(SlotRequest("start-activity", "pt")) == {"João Costa"}
    assert counselors(SlotRequest("start-activity", "it")) == set()


def test_another_place_excludes_a_site(network: Engine) -> None:
    porto = ids(network)["porto"]
    request = replace(ORIENTATION_PORTO, wish=Wish(exclude_site_ids=frozenset({porto})))
    assert {o.site_name for o in offers(network, request)} == {"QVA Matosinhos"}


def test_an_unknown_service_or_mode_is_a_programming_error(network: Engine) -> None:
    with pytest.raises(ValueError, match="unknown service"):
        offers(network, SlotRequest("cooking", "pt"))
    with pytest.raises(ValueError, match="not given video"):
        offers(network, SlotRequest("orientation", "pt", mode="video"))


# --- booking ------------------------------------------------------------------------------------


def test_a_slot_goes_to_one_person(network: Engine, people: dict[str, str]) -> None:
    first = offers(network, ORIENTATION_PORTO)[0]
    with unit_of_work(network) as db:
        appointment = book(db, people["ana"], first, NOW)
    assert isinstance(appointment, Appointment)
    assert (appointment.starts_at, appointment.ends_at) == (first.starts_at, first.ends_at)
    assert (appointment.status, appointment.sequence) == ("booked", 0)
    with unit_of_work(network) as db:
        assert book(db, people["bea"], first, NOW) == SlotTaken("taken")
    assert first.starts_at not in [o.starts_at for o in offers(network, ORIENTATION_PORTO)]


def test_a_meeting_of_another_length_cannot_overlap(
    network: Engine, people: dict[str, str]
) -> None:
    orientation_at_nine = offers(network, ORIENTATION_PORTO)[0]  # 09:00-09:45
    job_search = offers(network, SlotRequest("job-search", "pt", "Porto", per_day=None))
    half_past_nine = next(o for o in job_search if shown(LISBON, o.starts_at)[11:16] == "09:30")
    with unit_of_work(network) as db:
        assert isinstance(book(db, people["ana"], half_past_nine, NOW), Appointment)
    with unit_of_work(network) as db:
        assert book(db, people["bea"], orientation_at_nine, NOW) == SlotTaken("taken")


def test_one_active_booking_per_person_and_service(network: Engine, people: dict[str, str]) -> None:
    ana = people["ana"]
    first, second = offers(network, ORIENTATION_PORTO)[:2]
    with unit_of_work(network) as db:
        held = book(db, ana, first, NOW)
    other_service = offers(network, SlotRequest("job-search", "pt", "Porto"))[0]
    with unit_of_work(network) as db:
        assert book(db, ana, second, NOW) == AlreadyBooked(held.id)
        assert isinstance(book(db, ana, other_service, NOW), Appointment)
    # Once the meeting is over it no longer holds the place, attendance recorded or not.
    later = NOW + timedelta(days=2)
    again = offers(network, ORIENTATION_PORTO, later)[0]
    with unit_of_work(network) as db:
        assert isinstance(book(db, ana, again, later), Appointment)
        assert db.get(Appointment, held.id).status == "done"


def test_notice_and_horizon_are_checked_again_when_booking(
    network: Engine, people: dict[str, str]
) -> None:
    first = offers(network, ORIENTATION_PORTO)[0]  # Monday 09:00, an hour's notice needed
    with unit_of_work(network) as db:
        assert book(db, people["ana"], first, first.starts_at - timedelta(minutes=30)) == (
            SlotTaken("too_soon")
        )
        far = replace(first, starts_at=first.starts_at + timedelta(days=31),
                      ends_at=first.ends_at + timedelta(days=31))  # fmt: skip
        assert book(db, people["ana"], far, NOW) == SlotTaken("too_late")


def test_hours_changed_since_the_offer_refuse_it(network: Engine, people: dict[str, str]) -> None:
    first = offers(network, ORIENTATION_PORTO)[0]
    with unit_of_work(network) as db:
        availability.replace_counselor_availability(db, first.counselor_id, [], [])
        assert book(db, people["ana"], first, NOW) == SlotTaken("taken")


def test_moving_between_sites_needs_the_travel_time(
    network: Engine, people: dict[str, str]
) -> None:
    # Ana (the one with the youth specialism): Porto until 13:00, Matosinhos from 13:30.
    monday = day("2026-06-01")
    in_matosinhos = SlotRequest("job-search", "pt", "Matosinhos", specialism="youth",
                                wish=Wish(day=monday, part_of_day="afternoon"))  # fmt: skip
    ana_at_13_30 = offers(network, in_matosinhos)[0]
    assert where(ana_at_13_30) == "Ana@QVA Matosinhos 06-01 13:30"
    in_porto = SlotRequest("job-search", "pt", "Porto", specialism="youth", per_day=None,
                           count=10, wish=Wish(day=monday))  # fmt: skip
    porto_12_30 = offers(network, in_porto)[7]
    assert where(porto_12_30) == "Ana@QVA Porto 06-01 12:30"
    with unit_of_work(network) as db:
        assert isinstance(book(db, people["ana"], porto_12_30, NOW), Appointment)
        assert book(db, people["bea"], ana_at_13_30, NOW) == SlotTaken("taken")
    assert where(offers(network, in_matosinhos)[0]) == "Ana@QVA Matosinhos 06-01 14:00"


def test_the_daily_limit_holds_at_booking_time(network: Engine, people: dict[str, str]) -> None:
    with unit_of_work(network) as db:
        availability.save_booking_rules(db, {"max_per_day": 1})
    first, second = offers(network, ORIENTATION_PORTO)[:2]
    with unit_of_work(network) as db:
        assert isinstance(book(db, people["ana"], first, NOW), Appointment)
        assert book(db, people["bea"], second, NOW) == SlotTaken("taken")
    assert [where(o) for o in offers(network, replace(ORIENTATION_PORTO, count=1))] == [
        "Ana@QVA Porto 06-02 09:00"
    ]


def test_the_last_seat_of_a_group_session_goes_to_one_person(
    network: Engine, people: dict[str, str]
) -> None:
    session = SlotRequest("info-session", "es", count=1)
    (offer,) = offers(network, session)
    with unit_of_work(network) as db:
        first = book(db, people["ana"], offer, NOW)
    (join,) = offers(network, session)
    assert (join.starts_at, join.meeting_id, join.seats_left) == (
        offer.starts_at,
        first.meeting_id,
        1,
    )
    with unit_of_work(network) as db:
        second = book(db, people["bea"], join, NOW)
        assert second.meeting_id == first.meeting_id
        assert book(db, people["eva"], join, NOW) == SlotTaken("taken")
    (next_week,) = offers(network, session)
    assert next_week.starts_at == offer.starts_at + timedelta(days=7)
    with unit_of_work(network) as db:
        cancel(db, first.id, "person", None, NOW)
        assert book(db, people["eva"], join, NOW).meeting_id == first.meeting_id


# --- moving ------------------------------------------------------------------------------------


def add_reminder(engine: Engine, appointment: Appointment) -> int:
    with unit_of_work(engine) as db:
        identity = db.exec(
            select(Identity).where(Identity.person_id == appointment.person_id)
        ).one()
        row = queue(db, identity, Outbound("tomorrow", "reminder"), NOW,
                    appointment.starts_at - timedelta(days=1), reminders_reference(appointment.id))
        return row.id


def test_a_move_takes_the_new_slot_and_frees_the_old(
    network: Engine, people: dict[str, str]
) -> None:
    first, *_ = offers(network, ORIENTATION_PORTO)
    with unit_of_work(network) as db:
        appointment = book(db, people["ana"], first, NOW)
    reminder = add_reminder(network, appointment)
    # The person's own slot stays visible to them while they choose.
    mine = offers(network, ORIENTATION_PORTO, ignoring_appointment_id=appointment.id)
    assert mine[0].starts_at == first.starts_at
    tuesday = offers(network, replace(ORIENTATION_PORTO, wish=Wish(day=day("2026-06-02"))))[0]
    with unit_of_work(network) as db:
        moved = move(db, appointment.id, tuesday, NOW)
    assert (moved.id, moved.sequence, moved.starts_at) == (appointment.id, 1, tuesday.starts_at)
    assert moved.previous_meeting_id == appointment.meeting_id
    with unit_of_work(network) as db:
        assert db.get(Meeting, appointment.meeting_id).status == "released"
        assert db.get(Outbox, reminder).status == "cancelled"
    assert offers(network, ORIENTATION_PORTO)[0].starts_at == first.starts_at


def test_a_move_to_a_slot_taken_meanwhile_changes_nothing(
    network: Engine, people: dict[str, str]
) -> None:
    first, _, second = offers(network, ORIENTATION_PORTO)[:3]  # 09:00, 10:00
    with unit_of_work(network) as db:
        mine = book(db, people["ana"], second, NOW)
    reminder = add_reminder(network, mine)
    with unit_of_work(network) as db:
        assert isinstance(book(db, people["bea"], first, NOW), Appointment)
    with unit_of_work(network) as db:
        assert move(db, mine.id, first, NOW) == SlotTaken("taken")
    with unit_of_work(network) as db:
        kept = db.get(Appointment, mine.id)
        assert (kept.status, kept.starts_at, kept.sequence) == ("booked", second.starts_at, 0)
        assert db.get(Meeting, kept.meeting_id).status == "booked"
        assert db.get(Outbox, reminder).status == "pending"


def test_a_move_may_overlap_the_meeting_it_replaces(
    network: Engine, people: dict[str, str]
) -> None:
    at_nine = offers(network, ORIENTATION_PORTO)[0]  # 09:00-09:45
    with unit_of_work(network) as db:
        appointment = book(db, people["ana"], at_nine, NOW)
    half_past = offers(network, ORIENTATION_PORTO, ignoring_appointment_id=appointment.id)[1]
    assert shown(LISBON, half_past.starts_at)[11:16] == "09:30"
    with unit_of_work(network) as db:
        assert move(db, appointment.id, half_past, NOW).starts_at == half_past.starts_at


def test_a_cancelled_or_started_appointment_cannot_move(
    network: Engine, people: dict[str, str]
) -> None:
    first, second = offers(network, ORIENTATION_PORTO)[:2]
    with unit_of_work(network) as db:
        appointment = book(db, people["ana"], first, NOW)
        with pytest.raises(NotActive):
            move(db, appointment.id, second, first.starts_at)
        cancel(db, appointment.id, "person", None, NOW)
        with pytest.raises(NotActive):
            move(db, appointment.id, second, NOW)


# --- cancelling and attendance -------------------------------------------------------------------


def test_cancelling_frees_the_slot_at_once_and_cancels_reminders(
    network: Engine, people: dict[str, str]
) -> None:
    first = offers(network, ORIENTATION_PORTO)[0]
    with unit_of_work(network) as db:
        appointment = book(db, people["ana"], first, NOW)
    reminder = add_reminder(network, appointment)
    with unit_of_work(network) as db:
        cancelled = cancel(db, appointment.id, "counselor", "ill", NOW)
        assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
            "cancelled", "counselor", "ill",
        )  # fmt: skip
        assert cancelled.sequence == 1
        assert isinstance(book(db, people["bea"], first, NOW), Appointment)  # the same transaction
        assert db.get(Outbox, reminder).status == "cancelled"
        assert cancel(db, appointment.id, "person", "again", NOW).cancel_reason == "ill"


def test_a_meeting_that_is_over_cannot_be_cancelled(
    network: Engine, people: dict[str, str]
) -> None:
    first = offers(network, ORIENTATION_PORTO)[0]
    with unit_of_work(network) as db:
        appointment = book(db, people["ana"], first, NOW)
        with pytest.raises(NotActive):
            cancel(db, appointment.id, "person", None, first.ends_at)


def test_attendance_is_recorded_once_the_meeting_starts(
    network: Engine, people: dict[str, str]
) -> None:
    ana = people["ana"]
    first, _, _, second = offers(network, ORIENTATION_PORTO)[:4]  # second: after the first
    with unit_of_work(network) as db:
        appointment = book(db, ana, first, NOW)
        with pytest.raises(NotActive):
            mark_attendance(db, appointment.id, False, NOW)
        marked = mark_attendance(db, appointment.id, False, first.starts_at)
        assert (marked.status, marked.attended) == ("done", False)
        assert no_shows(db, ana) == 1
        mark_attendance(db, appointment.id, True, first.ends_at)  # corrected
        assert no_shows(db, ana) == 0
        later = book(db, ana, second, NOW)  # done: no longer the active booking
        cancel(db, later.id, "person", None, NOW)
        with pytest.raises(NotActive):
            mark_attendance(db, later.id, True, second.ends_at)


def test_no_shows_are_counted_per_person(network: Engine, people: dict[str, str]) -> None:
    ana, bea = people["ana"], people["bea"]
    job_search = SlotRequest("job-search", "pt", "Porto", per_day=None, count=4)
    record = zip((ana, bea, ana, ana), (False, False, False, True), strict=True)
    found = offers(network, job_search)
    with unit_of_work(network) as db:
        for (who, came), offer in zip(record, found, strict=True):
            appointment = book(db, who, offer, NOW)
            mark_attendance(db, appointment.id, came, offer.ends_at)
        assert (no_shows(db, ana), no_shows(db, bea)) == (2, 1)
