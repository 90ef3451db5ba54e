"""The database itself refuses double bookings, whatever code writes: no check in Python here."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError

from storage.booking import Appointment, Meeting
from storage.db import unit_of_work
from tests.booking.conftest import NOW, ids

NINE = NOW + timedelta(hours=2)  # 09:00 in Lisbon


def meeting(engine: Engine, counselor: str, start: timedelta, minutes: int, **extra) -> Meeting:
    known = ids(engine)
    values = dict(
        counselor_id=known[counselor], site_id=known["porto"], service_id=known["orientation"],
        mode="in_person", starts_at=NINE + start, ends_at=NINE + start + timedelta(minutes=minutes),
        seats=1, taken=1, created_at=NOW,
    )  # fmt: skip
    return Meeting(**values | extra)


def insert(engine: Engine, *rows: Meeting | Appointment) -> None:
    with unit_of_work(engine) as db:
        for row in rows:
            db.add(row)
            db.flush()


@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        pytest.param(timedelta(0), 45, id="the same slot"),
        pytest.param(timedelta(minutes=30), 30, id="a shorter one starting inside"),
        pytest.param(timedelta(minutes=-15), 90, id="a longer one around it"),
    ],
)
def test_an_overlapping_booked_meeting_is_refused(network: Engine, start, minutes) -> None:
    insert(network, meeting(network, "ana", timedelta(0), 45))
    with pytest.raises(IntegrityError):
        insert(network, meeting(network, "ana", start, minutes))


def test_meetings_that_touch_another_counselor_or_a_released_one_are_fine(network: Engine) -> None:
    insert(network, meeting(network, "ana", timedelta(0), 45))
    insert(
        network,
        meeting(network, "ana", timedelta(minutes=45), 30),  # starts as the first ends
        meeting(network, "joao", timedelta(0), 45),
        meeting(network, "ana", timedelta(0), 45, status="released"),
    )


def test_moving_a_meeting_onto_another_is_refused(network: Engine) -> None:
    first, second = (
        meeting(network, "ana", timedelta(0), 45),
        meeting(network, "ana", timedelta(hours=1), 45),
    )
    insert(network, first, second)
    with pytest.raises(IntegrityError), unit_of_work(network) as db:
        db.exec(update(Meeting).where(Meeting.id == second.id).values(starts_at=NINE))
    with pytest.raises(IntegrityError), unit_of_work(network) as db:
        released = meeting(network, "ana", timedelta(0), 45, status="released")
        db.add(released)
        db.flush()
        db.exec(update(Meeting).where(Meeting.id == released.id).values(status="booked"))


def test_a_group_session_never_sells_more_seats_than_it_has(network: Engine) -> None:
    session = meeting(network, "rita", timedelta(0), 60, seats=2, taken=2)
    insert(network, session)
    with pytest.raises(IntegrityError), unit_of_work(network) as db:
        db.exec(update(Meeting).where(Meeting.id == session.id).values(taken=Meeting.taken + 1))


def test_one_booked_appointment_per_person_and_service(network: Engine, people) -> None:
    known = ids(network)
    first, second = (
        meeting(network, "ana", timedelta(0), 45),
        meeting(network, "joao", timedelta(0), 45),
    )
    insert(network, first, second)

    def appointment(held: Meeting, status: str = "booked") -> Appointment:
        return Appointment(
            person_id=people["ana"], meeting_id=held.id, counselor_id=held.counselor_id,
            site_id=held.site_id, service_id=known["orientation"], mode="in_person",
            starts_at=held.starts_at, ends_at=held.ends_at, status=status, created_at=NOW,
            updated_at=NOW,
        )  # fmt: skip

    insert(network, appointment(first, "cancelled"), appointment(first))
    with pytest.raises(IntegrityError):
        insert(network, appointment(second))
