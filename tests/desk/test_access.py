"""Who gets into the desk and what they see, over HTTP."""

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.entry.bootstrap import App
from storage import staff
from storage.audit import views_of
from storage.db import unit_of_work
from storage.desk import RecordView, StaffSession
from tests.clock import FakeClock
from tests.desk.conftest import ANA, COORDINATOR, GIULIA, PASSWORD, Booked, csrf_of, log_in


def _views(engine: Engine) -> list[RecordView]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(RecordView)))


def test_logged_out_the_desk_leads_to_a_login_form_with_the_public_field_names(
    client: TestClient,
) -> None:
    response = client.get("/desk")
    assert response.url.path == "/desk/login"
    for name in ('name="email"', 'name="password"', 'type="hidden" name="csrf_token"'):
        assert name in response.text
    assert "This service uses the ESCO classification of the European Commission" in response.text


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, porto: Booked) -> None:
    client.get("/desk/login")
    bare_login = client.post("/desk/login", data={"email": ANA, "password": PASSWORD})
    assert bare_login.status_code == 403 and "percorso_desk" not in client.cookies
    log_in(client, ANA)
    stage = {"stage": "orientation", "outcome": "started"}
    assert client.post(f"/desk/people/{porto.person_id}/stages", data=stage).status_code == 403
    wrong = client.post(f"/desk/people/{porto.person_id}/stages",
                        data={**stage, "csrf_token": "forged"})
    assert wrong.status_code == 403


def test_a_counselor_of_porto_cannot_open_a_person_of_bologna_and_nothing_is_logged(
    client: TestClient, application: App, porto: Booked, bologna: Booked
) -> None:
    log_in(client, ANA)
    assert client.get(f"/desk/people/{bologna.person_id}").status_code == 404
    assert client.get("/desk/people/no-such-person").status_code == 404
    assert _views(application.engine) == []

    own = client.get(f"/desk/people/{porto.person_id}")
    assert own.status_code == 200 and "Maria" in own.text
    (view,) = _views(application.engine)
    assert view.person_id == porto.person_id and "intake" in view.shown


def test_only_the_counselor_of_the_persons_site_sees_the_special_answers(
    client: TestClient, application: App, porto: Booked
) -> None:
    log_in(client, COORDINATOR)
    seen_by_coordinator = client.get(f"/desk/people/{porto.person_id}").text
    assert "Special-category answers" not in seen_by_coordinator
    assert "migrant" not in seen_by_coordinator.lower()
    client.post("/desk/logout", data={"csrf_token": csrf_of(seen_by_coordinator)})

    log_in(client, ANA)
    seen_by_counselor = client.get(f"/desk/people/{porto.person_id}").text
    assert "Special-category answers" in seen_by_counselor
    assert "migrant" in seen_by_counselor.lower()
    with unit_of_work(application.engine) as db:
        coordinator_view, counselor_view = views_of(db, porto.person_id)
    assert "special" not in coordinator_view.shown and "special" in counselor_view.shown


def test_ten_wrong_passwords_throttle_the_account_and_unknown_emails_look_the_same(
    client: TestClient,
) -> None:
    def attempt(email: str, password: str):
        token = csrf_of(client.get("/desk/login").text)
        return client.post("/desk/login", follow_redirects=False,
                           data={"email": email, "password": password, "csrf_token": token})

    wrong, unknown = attempt(ANA, "not the password"), attempt("nobody@example.org", "whatever")
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert _error_of(wrong.text) == _error_of(unknown.text)
    for _ in range(9):
        attempt(ANA, "not the password")
    refused = attempt(ANA, PASSWORD)
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert "percorso_desk" not in refused.cookies
    assert attempt(GIULIA, PASSWORD).status_code == 303  # another account is not locked out


def test_a_session_ends_after_half_an_hour_idle_and_at_logout(
    client: TestClient, application: App, clock: FakeClock
) -> None:
    page = log_in(client, ANA).get("/desk/agenda")
    assert page.status_code == 200 and page.url.path == "/desk/agenda"
    clock.advance(minutes=29)
    assert client.get("/desk/agenda").url.path == "/desk/agenda"  # a request keeps it alive
    clock.advance(minutes=31)
    assert client.get("/desk/agenda").url.path == "/desk/login"

    log_in(client, ANA)
    cookie = client.cookies["percorso_desk"]
    token = csrf_of(client.get("/desk/agenda").text)
    assert client.post("/desk/logout", data={"csrf_token": token}).url.path == "/desk/login"
    client.cookies.set("percorso_desk", cookie, path="/desk")
    assert client.get("/desk/agenda").url.path == "/desk/login"
    with unit_of_work(application.engine) as db:
        sessions = list(db.exec(select(StaffSession)))
    assert all(s.ended_at is not None or s.last_seen_at < clock() for s in sessions)


def test_the_audit_log_refuses_changes_in_the_database(
    client: TestClient, application: App, porto: Booked
) -> None:
    log_in(client, ANA).get(f"/desk/people/{porto.person_id}")
    for statement in ("UPDATE record_view SET shown = '[]'", "DELETE FROM record_view"):
        try:
            with application.engine.begin() as connection:
                connection.execute(text(statement))
        except DBAPIError as refusal:
            assert "append-only" in str(refusal)
        else:
            raise AssertionError(f"{statement} went through")
    assert len(_views(application.engine)) == 1


def _error_of(html: str) -> str:
    start = html.index('role="alert"')
    return html[start: html.index("</p>", start)]


def test_with_a_second_factor_the_password_alone_does_not_let_in(
    client: TestClient, application: App, clock: FakeClock
) -> None:
    secret = pyotp.random_base32()
    with unit_of_work(application.engine) as db:
        account = staff.account_by_email(db, ANA)
        assert account is not None
        account.totp_secret = application.cipher.encrypt_json(secret)
        db.add(account)

    def attempt(code: str):
        token = csrf_of(client.get("/desk/login").text)
        return client.post("/desk/login", follow_redirects=False, data={
            "email": ANA, "password": PASSWORD, "code": code, "csrf_token": token})

    assert attempt("").status_code == 401
    assert attempt("000000" if pyotp.TOTP(secret).at(clock()) != "000000" else "111111"
                   ).status_code == 401  # fmt: skip
    assert attempt(pyotp.TOTP(secret).at(clock())).status_code == 303
