"""Reading lazily changes nothing: the search by growing windows, skipping counselors whose hours
cannot serve, offers exactly what one pass over the whole horizon with everyone would."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from bot.booking import SlotRequest, Wish, calendars, offer_slots, offers
from bot.booking.network_file import import_booking
from storage import repositories as repo
from storage.booking import Meeting
from storage.db import unit_of_work
from tests.booking.conftest import NETWORK, NOW, ids

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]
SEARCH_AT = NOW + timedelta(hours=5, minutes=10)  # windows then end in the middle of work
SERVICES = ["orientation", "job-search", "start-activity", "info-session"]


def random_network(engine: Engine, rng: random.Random) -> None:
    availability = {}
    for counselor in NETWORK["counselors"]:
        sites = counselor["site_codes"]
        weekly = []
        for day in rng.sample(DAYS, 4):
            site = rng.choice(sites)
            start = rng.choice([8, 9, 10, 14])
            hours = f"{start:02}:00-{start + rng.choice([3, 4, 8]):02}:00"
            breaks = ["13:00-13:45"] if start < 13 and rng.random() < 0.5 else []
            weekly.append({"site": site, "days": [day], "hours": hours, "breaks": breaks})
        weekly.append({"site": sites[0], "days": ["sun"], "hours": "10:00-11:00",
                       "services": ["info-session"]})  # fmt: skip
        exceptions = [
            {"date": str((NOW + timedelta(days=rng.randrange(20))).date()), "closed": True},
            {"date": str((NOW + timedelta(days=rng.randrange(20))).date()), "site": sites[0],
             "extra": "18:00-20:30"},
        ]  # fmt: skip
        availability[counselor["code"]] = {"weekly": weekly, "exceptions": exceptions}
    rules = {"buffer_minutes": 10, "travel_buffer_minutes": 45, "max_per_day": 3,
             "slot_step_minutes": 15, "horizon_days": 25}  # fmt: skip
    with unit_of_work(engine) as db:
        repo.upsert_network(db, NETWORK["sites"], NETWORK["counselors"], NETWORK["services"])
        holiday = str((NOW + timedelta(days=9)).date())
        import_booking(db, {**NETWORK, "availability": availability,
                            "booking_rules": NETWORK["booking_rules"] | rules,
                            "closures": {"porto": [{"date": holiday}]}})  # fmt: skip
    known = ids(engine)
    counselors = [known[c["code"]] for c in NETWORK["counselors"]]
    sites = [known[s["code"]] for s in NETWORK["sites"]]
    with unit_of_work(engine) as db:
        for _ in range(120):  # meetings anywhere, overlapping ones refused by the database
            start = NOW + timedelta(hours=rng.randrange(24 * 25), minutes=rng.choice([0, 15, 40]))
            service = rng.choice(SERVICES)
            seats = 2 if service == "info-session" else 1  # as book() makes them
            meeting = Meeting(
                counselor_id=rng.choice(counselors), site_id=rng.choice(sites),
                service_id=known[service], mode="in_person", starts_at=start,
                ends_at=start + timedelta(minutes=rng.choice([30, 45, 60])), seats=seats,
                taken=rng.randint(1, seats), created_at=NOW,
            )  # fmt: skip
            try:
                with db.begin_nested():
                    db.add(meeting)
                    db.flush()
            except IntegrityError:
                pass


def random_request(rng: random.Random, known: dict[str, int]) -> SlotRequest:
    service = rng.choice(SERVICES)
    mode = "in_person" if service == "info-session" else rng.choice(["in_person", "phone"])
    if service == "start-activity" and mode == "phone":
        mode = "video"
    wish = rng.choice([
        Wish(), Wish(part_of_day="evening"), Wish(part_of_day="morning"),
        Wish(day=(NOW + timedelta(days=rng.randrange(1, 20))).date()),
        Wish(after=NOW + timedelta(days=rng.randrange(1, 15), hours=rng.randrange(24))),
        Wish(exclude_site_ids=frozenset({known["porto"]})),
    ])  # fmt: skip
    return SlotRequest(
        service, rng.choice(["pt", "en", "it", "es"]), rng.choice(["Porto", "Bologna", None]),
        mode, rng.choice([None, None, "youth"]), wish, count=rng.choice([3, 5, 8]),
        per_day=rng.choice([None, 1, 2]),
    )  # fmt: skip


def test_the_lazy_search_offers_what_an_eager_one_would(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(20260601)
    random_network(engine, rng)
    known = ids(engine)
    requests = [random_request(rng, known) for _ in range(60)]
    with unit_of_work(engine) as db:
        lazy = [offer_slots(db, request, SEARCH_AT) for request in requests]
    monkeypatch.setattr(offers, "FIRST_WINDOW", timedelta(days=400))
    monkeypatch.setattr(calendars, "_could_hold", lambda search, counselor, periods: True)
    monkeypatch.setattr(calendars.Roster, "may_hold", lambda self, counselor, need, wish: True)
    with unit_of_work(engine) as db:
        eager = [offer_slots(db, request, SEARCH_AT) for request in requests]
    assert sum(map(len, eager)) > 100  # the network is busy, not empty
    for request, found, expected in zip(requests, lazy, eager, strict=True):
        assert found == expected, request
