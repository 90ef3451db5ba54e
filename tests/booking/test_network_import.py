"""`percorso network import` loads availability, closures and rules with the network."""

import copy
from datetime import date, time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.booking.network_file import import_booking
from bot.network.importer import DEMO_NETWORK, import_network
from storage.booking import AvailabilityException, BookingRules, WeeklyHours
from storage.db import unit_of_work
from storage.models import Counselor, Service
from tests.booking.conftest import NETWORK, ids


def count(engine: Engine, model) -> int:
    with unit_of_work(engine) as db:
        return db.exec(select(func.count()).select_from(model)).one()


def test_the_demo_network_loads_and_loads_again_the_same(engine: Engine) -> None:
    counts = import_network(engine, DEMO_NETWORK)
    assert counts == {"sites": 2, "counselors": 3, "services": 6, "booking_rules": 1,
                      "availability": 3, "closures": 2}  # fmt: skip
    tables = (WeeklyHours, AvailabilityException, BookingRules)
    first = [count(engine, model) for model in tables]
    import_network(engine, DEMO_NETWORK)
    assert [count(engine, model) for model in tables] == first
    with unit_of_work(engine) as db:
        info = db.exec(select(Service).where(Service.code == "info-session")).one()
        assert info.group_seats == 12
        closures = db.exec(select(AvailabilityException).where(
            AvailabilityException.counselor_id.is_(None))).all()  # fmt: skip
        assert {(c.day, c.kind) for c in closures} == {(date(2026, 12, 8), "closed")}
        ana = db.exec(select(Counselor).where(Counselor.code == "ana-silva")).one()
        ana_hours = db.exec(select(WeeklyHours).where(WeeklyHours.counselor_id == ana.id)).all()
        monday = next(h for h in ana_hours if h.weekday == 0)
        assert (monday.starts, monday.ends, monday.breaks) == (time(9), time(17),
                                                                [["13:00", "14:00"]])  # fmt: skip
        assert ana.email == "ana.silva@example.org"


def test_a_counselors_entry_replaces_only_their_hours(network: Engine) -> None:
    with unit_of_work(network) as db:
        import_booking(db, {"availability": {"giulia": {
            "weekly": [{"site": "bologna", "days": ["fri"], "hours": "10:00-12:00"}],
            "exceptions": [{"date": "2026-06-05", "closed": "10:00-11:00", "note": "dentist"}],
        }}})  # fmt: skip
    known = ids(network)
    with unit_of_work(network) as db:
        giulia = db.exec(
            select(WeeklyHours).where(WeeklyHours.counselor_id == known["giulia"])
        ).all()
        assert [(h.weekday, h.starts, h.ends) for h in giulia] == [(4, time(10), time(12))]
        absence = db.exec(select(AvailabilityException)).one()
        assert (absence.counselor_id, absence.site_id, absence.starts) == (
            known["giulia"], None, time(10),
        )  # fmt: skip
        ana = db.exec(select(WeeklyHours).where(WeeklyHours.counselor_id == known["ana"])).all()
        assert len(ana) == 10  # five days at two sites, untouched


def test_rules_can_be_changed_one_at_a_time(network: Engine) -> None:
    with unit_of_work(network) as db:
        import_booking(db, {"booking_rules": {"max_per_day": 3}})
    with unit_of_work(network) as db:
        rules = db.exec(select(BookingRules)).one()
        assert (rules.max_per_day, rules.min_notice_minutes) == (3, 60)


def with_change(path: tuple, value) -> dict:
    data = copy.deepcopy({k: NETWORK[k] for k in ("availability", "booking_rules")})
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


ANA_WEEKLY = ("availability", "ana", "weekly")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"availability": {"nobody": {}}}, "unknown counselor 'nobody'",
                     id="unknown counselor"),
        pytest.param({"closures": {"lisboa": []}}, "unknown site 'lisboa'", id="unknown site"),
        pytest.param(with_change(ANA_WEEKLY, [{"site": "bologna", "days": ["mon"],
                                               "hours": "09:00-10:00"}]),
                     "not among the counselor's sites", id="a site the counselor is not at"),
        pytest.param(with_change(ANA_WEEKLY, [{"site": "porto", "days": ["mon"],
                                               "hours": "09:00-10:00", "hour": "x"}]),
                     "unknown fields", id="a misspelt field"),
        pytest.param(with_change(ANA_WEEKLY, [{"site": "porto", "days": ["mon"],
                                               "hours": "09:00-12:00"},
                                              {"site": "matosinhos", "days": ["mon"],
                                               "hours": "11:00-15:00"}]),
                     "overlap on mon", id="two places at once"),
        pytest.param(with_change(ANA_WEEKLY, [{"site": "porto", "days": ["monday"],
                                               "hours": "09:00-12:00"}]),
                     "unknown day", id="a day name"),
        pytest.param(with_change(ANA_WEEKLY, [{"site": "porto", "days": ["mon"],
                                               "hours": "12:00-09:00"}]),
                     "ends before it starts", id="a span backwards"),
        pytest.param(with_change(("availability", "ana", "exceptions"),
                                 [{"date": "2026-06-06", "extra": "09:00-12:00"}]),
                     "extra hours need a site", id="extra hours nowhere"),
        pytest.param(with_change(("booking_rules", "slot_step"), 30), "unknown fields",
                     id="a misspelt rule"),
        pytest.param(with_change(("booking_rules", "slot_step_minutes"), 25), "divide an hour",
                     id="a step off the hour"),
    ],
)  # fmt: skip
def test_mistakes_in_the_file_are_refused(network: Engine, data, message) -> None:
    with pytest.raises(ValueError, match=message), unit_of_work(network) as db:
        import_booking(db, data)


def test_the_command_line_import_reads_a_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(NETWORK, allow_unicode=True), encoding="utf-8")
    assert import_network(engine, path) == {"sites": 3, "counselors": 4, "services": 4,
                                            "booking_rules": 1, "availability": 4,
                                            "closures": 0}  # fmt: skip
