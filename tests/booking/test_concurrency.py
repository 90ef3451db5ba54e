"""Many people at once, each in their own unit of work on its own connection."""

from collections import Counter
from datetime import timedelta
from itertools import combinations

from sqlalchemy import Engine
from sqlmodel import select

from bot.booking import Appointment, SlotRequest, SlotTaken, Wish, book, move
from storage import repositories as repo
from storage.booking import Meeting
from storage.db import unit_of_work
from tests.booking.clocks import day
from tests.booking.conftest import NOW, offers
from tests.threads import all_at_once

# Rita, the only Spanish speaker, works 09:00-14:00 on Tuesdays, Wednesdays and Thursdays.
TUESDAY = SlotRequest("job-search", "es", count=10, per_day=None, wish=Wish(day=day("2026-06-02")))
LATER_DAYS = SlotRequest("job-search", "es", count=20, per_day=None,
                         wish=Wish(after=NOW + timedelta(days=1, hours=12)))  # fmt: skip

def new_people(engine: Engine, count: int) -> list[str]:
    with unit_of_work(engine) as db:
        return [repo.find_or_create_identity(db, "sms", f"+3519100000{i:02}", NOW).person_id
                for i in range(count)]  # fmt: skip


def booked_meetings(engine: Engine) -> list[Meeting]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(Meeting).where(Meeting.status == "booked")).all())


def booked_appointments(engine: Engine) -> list[Appointment]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(Appointment).where(Appointment.status == "booked")).all())


def assert_no_overlap(meetings: list[Meeting]) -> None:
    for a, b in combinations(meetings, 2):
        assert (
            a.counselor_id != b.counselor_id or a.ends_at <= b.starts_at or b.ends_at <= a.starts_at
        )


def test_fifty_people_for_ten_slots_make_ten_bookings(network: Engine) -> None:
    slots = offers(network, TUESDAY)
    assert len(slots) == 10
    people = new_people(network, 50)

    def attempt(i: int) -> Appointment | SlotTaken:
        with unit_of_work(network) as db:
            return book(db, people[i], slots[i % 10], NOW)

    results = all_at_once(50, attempt)
    won = [r for r in results if isinstance(r, Appointment)]
    assert len(won) == 10
    assert Counter(type(r) for r in results)[SlotTaken] == 40
    assert sorted(a.starts_at for a in won) == [s.starts_at for s in slots]
    assert len(booked_appointments(network)) == 10
    meetings = booked_meetings(network)
    assert len(meetings) == 10
    assert_no_overlap(meetings)


def test_twenty_people_moving_into_the_same_slots_each_keep_exactly_one(network: Engine) -> None:
    people = new_people(network, 20)
    first_slots = offers(network, LATER_DAYS)
    assert len(first_slots) == 20
    with unit_of_work(network) as db:
        held = [book(db, who, slot, NOW) for who, slot in zip(people, first_slots, strict=True)]
    targets = offers(network, TUESDAY)[:3]

    def attempt(i: int) -> Appointment | SlotTaken:
        with unit_of_work(network) as db:
            return move(db, held[i].id, targets[i % 3], NOW)

    results = all_at_once(20, attempt)
    assert Counter(type(r) for r in results) == {SlotTaken: 17, Appointment: 3}
    appointments = booked_appointments(network)
    assert Counter(a.person_id for a in appointments) == Counter(people)  # one each, none lost
    on_tuesday = [a for a in appointments if a.starts_at.date() == targets[0].starts_at.date()]
    assert sorted(a.starts_at for a in on_tuesday) == [t.starts_at for t in targets]
    for result, before in zip(results, held, strict=True):
        kept = next(a for a in appointments if a.id == before.id)
        moved = isinstance(result, Appointment)
        assert kept.starts_at == (result.starts_at if moved else before.starts_at)
    meetings = booked_meetings(network)
    assert len(meetings) == 20
    assert_no_overlap(meetings)
