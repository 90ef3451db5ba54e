"""A network whose figures are known: 30 people who stopped at known steps of the intake, 14 of
whom booked (8 in Porto, 6 in Bologna); in Porto 3 did not come, in Bologna 6."""

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from bot.booking.appointment import mark_attendance
from bot.entry.bootstrap import App
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Site
from tests.chat import Chat
from tests.clock import FakeClock
from tests.desk.conftest import (  # noqa: F401 (fixtures)
    application,
    book_through_chat,
    clock,
    settings,
)


@dataclass(frozen=True)
class Seeded:
    porto_no_shows: int = 3
    bologna_no_shows: int = 6


@pytest.fixture
def seeded(application: App, clock: FakeClock) -> Seeded:  # noqa: F811 (fixture)
    service = application.service
    for n in range(5):  # chose English, never agreed to the notice
        Chat(service, f"wrote-{n}").start("en")
    for n in range(5):  # agreed, then never said where they live
        chat = Chat(service, f"consented-{n}")
        chat.start("en")
        chat.say("yes")
    for n in range(6):  # gave their municipality and age band, then stopped
        chat = Chat(service, f"stopped-{n}")
        chat.start("en")
        for answer in ("yes", "Porto", "2"):
            chat.say(answer)
    spellings = ["Porto", "porto", "PORTO ", "Pórto"] * 2
    porto = [book_through_chat(service, f"porto-{n}", spellings[n]) for n in range(8)]
    bologna = [book_through_chat(service, f"bologna-{n}", "Bologna") for n in range(6)]
    clock.advance(days=14)  # every meeting has begun
    with unit_of_work(application.engine) as db:
        for n, booked in enumerate(porto):
            mark_attendance(db, booked.appointment_id, n >= 3, clock())
        for booked in bologna:
            mark_attendance(db, booked.appointment_id, False, clock())
        assert _sites(db) == {"porto": 8, "bologna": 6}
    clock.advance(days=-14)
    return Seeded()


def _sites(db: Session) -> dict[str, int]:
    codes = {s.id: s.code for s in db.exec(select(Site))}
    found: dict[str, int] = {}
    for appointment in db.exec(select(Appointment)):
        found[codes[appointment.site_id]] = found.get(codes[appointment.site_id], 0) + 1
    return found


