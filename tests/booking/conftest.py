"""A small network on a real database (SQLite, and PostgreSQL when configured).

Monday 1 June 2026, 07:00 in Lisbon. Ana works in Porto in the morning and in Matosinhos in
the afternoon; João in Matosinhos; Giulia in Bologna; Rita, the only Spanish speaker, in Porto
(her hours hold the concurrency tests' slots, and the group information sessions).
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.booking.network_file import import_booking
from bot.booking.offers import SlotOffer, SlotRequest, offer_slots
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Counselor, Service, Site

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
NETWORK = {
    "sites": [
        {"code": "porto", "name": "QVA Porto", "municipality": "Porto",
         "address": "Rua de Santa Catarina 312", "timezone": "Europe/Lisbon",
         "latitude": 41.1466, "longitude": -8.6060},
        {"code": "matosinhos", "name": "QVA Matosinhos", "municipality": "Matosinhos",
         "address": "Avenida da República 1", "timezone": "Europe/Lisbon",
         "latitude": 41.1844, "longitude": -8.6963},
        {"code": "bologna", "name": "CdM Bologna", "municipality": "Bologna",
         "address": "Via dell'Indipendenza 8", "timezone": "Europe/Rome",
         "latitude": 44.4968, "longitude": 11.3426},
    ],
    "counselors": [
        {"code": "ana", "name": "Ana Silva", "languages": ["pt", "en"], "specialisms": ["youth"],
         "site_codes": ["porto", "matosinhos"], "email": "ana@example.org"},
        {"code": "joao", "name": "João Costa", "languages": ["pt"],
         "specialisms": ["enterprise", "justice"], "site_codes": ["matosinhos"]},
        {"code": "giulia", "name": "Giulia Romano", "languages": ["it", "en"],
         "specialisms": ["migrants"], "site_codes": ["bologna"]},
        {"code": "rita", "name": "Rita Gómez", "languages": ["es"], "specialisms": [],
         "site_codes": ["porto"]},
    ],
    "services": [
        {"code": "orientation", "kind": "orientation_interview", "duration_minutes": 45,
         "modes": ["in_person", "phone"], "names": {"pt": "Entrevista de orientação"}},
        {"code": "job-search", "kind": "job_search_support", "duration_minutes": 30,
         "modes": ["in_person", "phone", "video"], "names": {"en": "Job-search support"}},
        {"code": "start-activity", "kind": "enterprise_support", "duration_minutes": 60,
         "modes": ["in_person", "video"], "specialisms": ["enterprise"]},
        {"code": "info-session", "kind": "information_session", "duration_minutes": 60,
         "modes": ["in_person"], "group_seats": 2},
    ],
    "booking_rules": {
        "min_notice_minutes": 60, "horizon_days": 30, "buffer_minutes": 0,
        "travel_buffer_minutes": 60, "max_per_day": 10, "slot_step_minutes": 30,
    },
    "availability": {
        "ana": {"weekly": [
            {"site": "porto", "days": WEEKDAYS, "hours": "09:00-13:00"},
            {"site": "matosinhos", "days": WEEKDAYS, "hours": "13:30-17:00"},
        ]},
        "joao": {"weekly": [
            {"site": "matosinhos", "days": WEEKDAYS, "hours": "09:00-17:00",
             "breaks": ["13:00-14:00"]},
        ]},
        "giulia": {"weekly": [{"site": "bologna", "days": WEEKDAYS[:4], "hours": "09:00-13:00"}]},
        "rita": {"weekly": [
            {"site": "porto", "days": ["tue", "wed", "thu"], "hours": "09:00-14:00"},
            {"site": "porto", "days": ["mon"], "hours": "15:00-16:00",
             "services": ["info-session"]},
        ]},
    },
}  # fmt: skip


@pytest.fixture
def network(engine: Engine) -> Engine:
    with unit_of_work(engine) as db:
        repo.upsert_network(db, NETWORK["sites"], NETWORK["counselors"], NETWORK["services"])
        import_booking(db, NETWORK)
    return engine


@pytest.fixture
def people(network: Engine) -> dict[str, str]:
    """Person ids by console user name. Made ahead: on SQLite a unit of work opened inside
    another waits for it forever (each takes the write lock at BEGIN)."""
    with unit_of_work(network) as db:
        return {
            name: repo.find_or_create_identity(db, "console", name, NOW).person_id
            for name in ("ana", "bea", "eva")
        }


def offers(engine: Engine, request: SlotRequest, now: datetime = NOW, **options) -> list[SlotOffer]:
    with unit_of_work(engine) as db:
        return offer_slots(db, request, now, **options)


def ids(engine: Engine) -> dict[str, int]:
    """Ids by code, of every site, counselor and service."""
    with unit_of_work(engine) as db:
        rows = [*db.exec(select(Site)), *db.exec(select(Counselor)), *db.exec(select(Service))]
        return {row.code: row.id for row in rows}
