"""/desk/network: coordinators keep the network in forms and files, checked as the network
file is; with any problem nothing is saved and the problems are told in their language."""

from datetime import date, time

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.booking.offers import SlotRequest, offer_slots
from bot.counselors.absence import mark_absent
from bot.entry.bootstrap import App
from bot.network.importer import DEMO_NETWORK
from storage.booking import AvailabilityException, WeeklyHours
from storage.db import unit_of_work
from storage.desk import NetworkChange, StaffAccount
from storage.models import Counselor, Site
from tests.clock import FakeClock
from tests.desk.conftest import ANA, COORDINATOR, csrf_of, log_in


@pytest.fixture
def coordinator(client: TestClient) -> TestClient:
    return log_in(client, COORDINATOR)


def _speaks(application: App, lang: str) -> None:
    with unit_of_work(application.engine) as db:
        account = db.exec(select(StaffAccount).where(StaffAccount.email == COORDINATOR)).one()
        account.lang = lang
        db.add(account)


def _counselor(application: App, code: str) -> Counselor:
    with unit_of_work(application.engine) as db:
        return db.exec(select(Counselor).where(Counselor.code == code)).one()


def _ana_form(coordinator: TestClient) -> dict[str, str | list[str]]:
    """Ana's form as the browser would send it back unchanged (no blank row filled)."""
    html = coordinator.get("/desk/network/counselors/ana-silva").text
    return {
        "csrf_token": csrf_of(html), "editing": "ana-silva", "code": "ana-silva",
        "name": "Ana Silva", "languages": "pt, en, es", "specialisms": "youth, disability",
        "site_codes": "porto", "email": "ana.silva@example.org", "active": "on",
        "weekly-0-site": "porto", "weekly-0-days": ["mon", "wed", "thu", "fri"],
        "weekly-0-hours": "09:00-17:00", "weekly-0-breaks": "13:00-14:00",
        "weekly-0-valid_from": "2026-01-01",
        "weekly-1-site": "porto", "weekly-1-days": ["tue"], "weekly-1-hours": "11:00-19:00",
        "weekly-1-breaks": "14:00-15:00", "weekly-1-valid_from": "2026-01-01",
        "exceptions-0-date": "2026-12-18", "exceptions-0-kind": "closed",
        "exceptions-0-note": "training day",
    }  # fmt: skip


def test_a_counselor_is_not_shown_the_network(client: TestClient) -> None:
    log_in(client, ANA)
    assert client.get("/desk/network").status_code == 404
    assert client.get("/desk/network/network.yaml").status_code == 404


def test_the_coordinator_sees_the_network_and_its_form_carries_what_the_file_holds(
    coordinator: TestClient,
) -> None:
    page = coordinator.get("/desk/network")
    assert page.status_code == 200
    assert "Quiosque da Vida Activa - Porto" in page.text and "Giulia Romano" in page.text
    assert 'href="/desk/network"' in page.text  # in the navigation
    ana = coordinator.get("/desk/network/counselors/ana-silva").text
    assert 'value="09:00-17:00"' in ana and 'value="training day"' in ana


def test_a_changed_site_is_saved_and_logged_with_its_fields(
    coordinator: TestClient, application: App
) -> None:
    form = coordinator.get("/desk/network/sites/porto").text
    sent = {"csrf_token": csrf_of(form), "editing": "porto", "code": "porto",
            "name": "Quiosque da Vida Activa - Porto", "municipality": "Porto",
            "address": "Rua de Santa Catarina 312, 4000-443 Porto", "timezone": "Europe/Lisbon",
            "latitude": "41.1466", "longitude": "-8.606", "phone": "+351 222 000 312",
            "accessibility": "Lift and step-free entrance", "active": "on",
            "closures-0-date": "2026-12-08", "closures-0-note": "Imaculada Conceição",
            "closures-1-date": "2026-12-24", "closures-2-date": ""}  # fmt: skip
    response = coordinator.post("/desk/network/sites", data=sent, follow_redirects=False)
    assert response.status_code == 303
    with unit_of_work(application.engine) as db:
        porto = db.exec(select(Site).where(Site.code == "porto")).one()
        logged = db.exec(select(NetworkChange)).all()
        closed = db.exec(select(AvailabilityException.day).where(
            AvailabilityException.site_id == porto.id)).all()  # fmt: skip
    assert porto.accessibility == "Lift and step-free entrance"
    assert porto.opening_notes is None  # emptied in the form
    assert [(c.action, c.section, c.code, c.fields) for c in logged] == [
        ("changed", "sites", "porto", ["accessibility", "opening_notes"]),
        ("changed", "closures", "porto", []),  # a list: no fields of its own
    ]
    assert sorted(closed) == [date(2026, 12, 8), date(2026, 12, 24)]
    assert "Lift and step-free entrance" in coordinator.get("/desk/network").text


def test_a_counselor_naming_an_unknown_site_is_refused_in_the_coordinators_language(
    coordinator: TestClient, application: App
) -> None:
    _speaks(application, "pt")
    sent = _ana_form(coordinator) | {"site_codes": "porto, lisboa", "name": "Ana S."}
    response = coordinator.post("/desk/network/counselors", data=sent)
    assert response.status_code == 422
    assert "Nada foi guardado" in response.text
    assert "Locais: não há nenhum local lisboa na rede." in response.text
    assert _counselor(application, "ana-silva").name == "Ana Silva"  # nothing half-saved


def test_hours_25_00_are_refused_and_no_hour_of_the_counselor_changes(
    coordinator: TestClient, application: App
) -> None:
    ana = _counselor(application, "ana-silva")
    with unit_of_work(application.engine) as db:
        before = len(db.exec(select(WeeklyHours).where(WeeklyHours.counselor_id == ana.id)).all())
    sent = _ana_form(coordinator) | {"weekly-1-hours": "11:00-25:00", "name": "Ana S."}
    response = coordinator.post("/desk/network/counselors", data=sent)
    assert response.status_code == 422
    assert "Hours: 11:00-25:00 is not a time span of the day such as 09:00-13:00." in response.text
    assert 'value="11:00-25:00"' in response.text  # the form as sent, to correct
    with unit_of_work(application.engine) as db:
        after = db.exec(select(WeeklyHours).where(WeeklyHours.counselor_id == ana.id)).all()
    assert len(after) == before and _counselor(application, "ana-silva").name == "Ana Silva"


def test_overlapping_hours_are_refused_by_the_import_itself(
    coordinator: TestClient, application: App
) -> None:
    sent = _ana_form(coordinator) | {"weekly-1-days": ["mon"], "weekly-1-hours": "16:00-18:00"}
    response = coordinator.post("/desk/network/counselors", data=sent)
    assert response.status_code == 422
    assert "the import refused it: availability ana-silva: hours overlap on mon" in response.text


def test_a_new_service_is_created_and_its_code_cannot_be_taken_twice(
    coordinator: TestClient, application: App
) -> None:
    token = csrf_of(coordinator.get("/desk/network/services/new").text)
    names = {f"names.{lang}": f"CV {lang}" for lang in ("pt", "it", "en", "es", "fr")}
    sent = {"csrf_token": token, "code": "cv-workshop", "kind": "job_search_support",
            "duration_minutes": "60", "modes": "in_person", "group_seats": "8", "active": "on",
            **names}  # fmt: skip
    assert coordinator.post("/desk/network/services", data=sent,
                            follow_redirects=False).status_code == 303  # fmt: skip
    again = coordinator.post("/desk/network/services", data=sent | {"group_seats": "9"})
    assert again.status_code == 422 and "The code cv-workshop is taken already" in again.text
    exported = yaml.safe_load(coordinator.get("/desk/network/network.yaml").text)
    workshop = next(s for s in exported["services"] if s["code"] == "cv-workshop")
    assert (workshop["group_seats"], workshop["names"]["it"]) == (8, "CV it")


def test_a_form_without_its_csrf_token_is_refused(coordinator: TestClient) -> None:
    sent = {"code": "porto", "editing": "porto", "name": "Taken over"}
    assert coordinator.post("/desk/network/sites", data=sent).status_code == 403
    upload = coordinator.post("/desk/network/file", files={"file": ("n.yaml", b"sites: []")})
    assert upload.status_code == 403


@pytest.mark.parametrize(("name", "content", "told"), [
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "This is not a network file"),
    ("notes.txt", b"Shopping: milk, bread\n", "This is not a network file: it has none of"),
    ("broken.yaml", b"sites: [\n", "This is not a YAML file"),
])  # fmt: skip
def test_an_unrelated_file_is_refused_with_a_clear_error(
    coordinator: TestClient, application: App, name: str, content: bytes, told: str
) -> None:
    token = csrf_of(coordinator.get("/desk/network").text)
    response = coordinator.post("/desk/network/file", data={"csrf_token": token},
                                files={"file": (name, content)})  # fmt: skip
    assert response.status_code == 422 and told in response.text


def test_an_uploaded_file_with_one_problem_saves_nothing_and_tells_the_line(
    coordinator: TestClient, application: App
) -> None:
    text = ("sites:\n  - {code: porto, name: Porto renamed, municipality: Porto, address: x,"
            " timezone: Europe/Lisbon}\ncounselors:\n  - {code: new-one, name: New One,"
            " site_codes: [lisboa]}\n")  # fmt: skip
    token = csrf_of(coordinator.get("/desk/network").text)
    response = coordinator.post("/desk/network/file", data={"csrf_token": token},
                                files={"file": ("network.yaml", text.encode())})  # fmt: skip
    assert response.status_code == 422
    assert "Line 4: counselors 0 site_codes 0: there is no site lisboa in the network." in (
        response.text
    )
    with unit_of_work(application.engine) as db:
        assert db.exec(select(Site).where(Site.code == "porto")).one().name != "Porto renamed"


def test_a_file_exported_from_the_desk_uploads_back_without_a_change(
    coordinator: TestClient, application: App
) -> None:
    exported = coordinator.get("/desk/network/network.yaml")
    assert exported.headers["content-disposition"].startswith('attachment; filename="network-')
    token = csrf_of(coordinator.get("/desk/network").text)
    response = coordinator.post("/desk/network/file", data={"csrf_token": token},
                                files={"file": ("network.yaml", exported.content)},
                                follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert coordinator.get("/desk/network/network.yaml").text == exported.text
    with unit_of_work(application.engine) as db:
        assert db.exec(select(NetworkChange)).all() == []  # nothing changed: nothing logged


def test_an_import_keeps_the_absences_marked_in_the_desk(
    coordinator: TestClient, application: App, clock: FakeClock
) -> None:
    ana = _counselor(application, "ana-silva")
    assert ana.id is not None
    with unit_of_work(application.engine) as db:
        mark_absent(application.service, db, ana.id, date(2027, 2, 3), time(9), time(11),
                    "dentist", clock())  # fmt: skip
    token = csrf_of(coordinator.get("/desk/network").text)
    response = coordinator.post("/desk/network/file", data={"csrf_token": token},
                                files={"file": ("demo.yaml", DEMO_NETWORK.read_bytes())},
                                follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    with unit_of_work(application.engine) as db:
        kept = db.exec(select(AvailabilityException).where(
            AvailabilityException.counselor_id == ana.id)).all()  # fmt: skip
    assert sorted((e.day, e.source, e.note) for e in kept) == [
        (date(2026, 12, 18), "file", "training day"),
        (date(2027, 2, 3), "desk", "dentist"),
    ]
    assert "dentist" in coordinator.get("/desk/network/counselors/ana-silva").text


def _offered(application: App, clock: FakeClock, **request: str) -> set[str]:
    """Who (counselor, site) the first slots of an orientation interview are with."""
    asked = SlotRequest(service_code="orientation", lang="en", count=20, per_day=None, **request)
    with unit_of_work(application.engine) as db:
        return {f"{o.counselor_name} at {o.site_name}" for o in offer_slots(db, asked, clock())}


def test_a_deactivated_counselor_or_site_is_offered_to_nobody(
    coordinator: TestClient, application: App, clock: FakeClock
) -> None:
    assert "Ana Silva at Quiosque da Vida Activa - Porto" in _offered(application, clock)
    sent = _ana_form(coordinator)
    del sent["active"]  # unticked
    response = coordinator.post("/desk/network/counselors", data=sent, follow_redirects=False)
    assert response.status_code == 303
    # English is spoken by Ana (now inactive) and Giulia
    assert _offered(application, clock) == {"Giulia Romano at Città dei Mestieri - Bologna"}
    assert _counselor(application, "ana-silva").name == "Ana Silva"  # kept for the records
    with unit_of_work(application.engine) as db:
        bologna = db.exec(select(Site).where(Site.code == "bologna")).one()
        bologna.active = False
        db.add(bologna)
    assert _offered(application, clock) == set()
    assert _offered(application, clock, mode="phone") == set()  # Giulia works only at Bologna


def test_booking_rules_are_checked_like_the_files(
    coordinator: TestClient, application: App
) -> None:
    _speaks(application, "it")
    page = coordinator.get("/desk/network/booking_rules").text
    assert 'value="720"' in page  # the demo's least notice
    rules = {"csrf_token": csrf_of(page), "min_notice_minutes": "60", "horizon_days": "30",
             "buffer_minutes": "10", "travel_buffer_minutes": "45", "max_per_day": "",
             "slot_step_minutes": "7"}  # fmt: skip
    refused = coordinator.post("/desk/network/booking_rules", data=rules)
    assert refused.status_code == 422
    assert "Gli orari iniziano ogni (minuti, divide un'ora): 7 deve dividere un'ora" in (
        refused.text.replace("&#39;", "'")
    )
    saved = coordinator.post("/desk/network/booking_rules", follow_redirects=False,
                             data=rules | {"slot_step_minutes": "15"})  # fmt: skip
    assert saved.status_code == 303
    exported = yaml.safe_load(coordinator.get("/desk/network/network.yaml").text)
    assert exported["booking_rules"] == {
        "min_notice_minutes": 60, "horizon_days": 30, "buffer_minutes": 10,
        "travel_buffer_minutes": 45, "max_per_day": None, "slot_step_minutes": 15,
    }  # fmt: skip
    with unit_of_work(application.engine) as db:
        logged = db.exec(select(NetworkChange)).one()
    assert (logged.section, logged.code, logged.fields) == ("booking_rules", "-", [
        "buffer_minutes", "horizon_days", "max_per_day", "min_notice_minutes",
        "slot_step_minutes", "travel_buffer_minutes"])  # fmt: skip


def test_the_log_of_network_changes_refuses_changes_in_the_database(
    coordinator: TestClient, application: App
) -> None:
    test_a_changed_site_is_saved_and_logged_with_its_fields(coordinator, application)
    for statement in ("UPDATE network_change SET code = 'x'", "DELETE FROM network_change"):
        with pytest.raises(DBAPIError, match="append-only"), application.engine.begin() as db:
            db.execute(text(statement))
    with unit_of_work(application.engine) as db:
        assert len(db.exec(select(NetworkChange)).all()) == 2
