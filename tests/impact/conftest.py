"""A network whose figures are known: 30 people who stopped at known steps of the intake, 14 of
whom booked (8 in Porto, 6 in Bologna); in Porto 3 did not come, in Bologna 6.

Driving 30 conversations takes seconds, so the network is seeded once per database backend, in
a database of its own, and every test of this directory reads the same one. A test that reads
it may log in (a desk session, which no figure counts) but changes nothing else; a test that
needs to change the network takes the function-scoped `application` of the desk instead."""

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bot.booking.appointment import mark_attendance
from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from storage.booking import Appointment
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Site
from tests.chat import Chat
from tests.clock import FakeClock
from tests.conftest import migrated_engine, new_database
from tests.desk.conftest import (  # noqa: F401 (fixtures)
    application,
    book_through_chat,
    clock,
    desk_application,
    desk_settings,
    settings,
)


@pytest.fixture(scope="session")
def seeded_key() -> str:
    """The key of the seeded database, for the commands that open it themselves."""
    return Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def seeded(
    database_url: str, seeded_key: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[App]:
    """The desk's App over the seeded network, on the backend of `database_url`, with a clock
    of its own held still on the day the other desk tests start."""
    backend = make_url(database_url).get_backend_name()
    with new_database(backend, tmp_path_factory) as url:
        cipher = Cipher.from_key(seeded_key)
        engine = migrated_engine(url, cipher)
        held = FakeClock()
        application = desk_application(engine, cipher, held, desk_settings())
        _seed(application.service, held)
        yield application
        engine.dispose()


def _seed(service: ConversationService, held: FakeClock) -> None:
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
    held.advance(days=14)  # every meeting has begun
    with unit_of_work(service.engine) as db:
        for n, booked in enumerate(porto):
            mark_attendance(db, booked.appointment_id, n >= 3, held())
        for booked in bologna:
            mark_attendance(db, booked.appointment_id, False, held())
        assert _sites(db) == {"porto": 8, "bologna": 6}
    held.advance(days=-14)


def _sites(db: Session) -> dict[str, int]:
    codes = {s.id: s.code for s in db.exec(select(Site))}
    found: dict[str, int] = {}
    for appointment in db.exec(select(Appointment)):
        found[codes[appointment.site_id]] = found.get(codes[appointment.site_id], 0) + 1
    return found
