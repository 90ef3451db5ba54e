"""The desk in a real browser: Debian's Chromium, headless, driven by Playwright, against the
web app of `percorso serve` on 127.0.0.1. No browser is ever downloaded: without
/usr/bin/chromium (`apt-get install chromium`) these tests are skipped.

Screenshots go to a temporary directory, or to PERCORSO_SCREENSHOTS_DIR when set (the README's
come from `PERCORSO_SCREENSHOTS_DIR=docs/screenshots pytest tests/desk/test_browser*.py`).
"""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.entry.bootstrap import App
from bot.entry.web import create_app
from storage.booking import Appointment
from storage.db import unit_of_work
from tests.clock import FakeClock
from tests.desk.conftest import ANA, CHROMIUM, PASSWORD, Booked, csp_violations
from tests.fakes.serving import serving

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


@pytest.fixture
def desk_url(application: App) -> Iterator[str]:
    with serving(create_app(application), "desk") as url:
        yield url


def test_a_counselor_logs_in_sees_the_day_opens_a_record_and_marks_attended(
    browser, desk_url: str, application: App, clock: FakeClock, porto: Booked,
    screenshots: Path,
) -> None:  # fmt: skip
    with unit_of_work(application.engine) as db:
        appointment = db.get(Appointment, porto.appointment_id)
    assert appointment is not None
    clock.now = appointment.starts_at + timedelta(minutes=5)
    page = browser.new_page(viewport={"width": 1000, "height": 640}, locale="en-GB")
    refused = csp_violations(page)

    page.goto(f"{desk_url}/desk")
    page.get_by_label("E-mail").fill(ANA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/desk/agenda")
    assert page.get_by_role("link", name="Maria").is_visible()
    page.screenshot(path=str(screenshots / "desk-agenda.png"))

    page.get_by_role("link", name="Maria").click()
    page.wait_for_url(f"**/desk/people/{porto.person_id}")
    assert page.get_by_role("heading", name="Special-category answers").is_visible()
    page.get_by_role("button", name="Attended").click()
    page.wait_for_url("**notice=attendance_saved")
    assert page.get_by_text("Attendance recorded.").is_visible()
    page.screenshot(path=str(screenshots / "desk-record.png"), full_page=True)
    assert refused == []  # the security policy blocked nothing the pages need

    with unit_of_work(application.engine) as db:
        marked = db.get(Appointment, porto.appointment_id)
    assert marked is not None and (marked.status, marked.attended) == ("done", True)


def test_the_agenda_reads_on_a_phone_and_works_from_the_keyboard(
    browser, desk_url: str, application: App, clock: FakeClock, porto: Booked,
    screenshots: Path,
) -> None:  # fmt: skip
    with unit_of_work(application.engine) as db:
        appointment = db.get(Appointment, porto.appointment_id)
    assert appointment is not None
    clock.now = appointment.starts_at - timedelta(hours=1)
    page = browser.new_page(viewport={"width": 390, "height": 740}, locale="en-GB")
    page.goto(f"{desk_url}/desk/login")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(ANA)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/agenda")
    assert page.get_by_role("link", name="Maria").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing scrolls sideways
    page.screenshot(path=str(screenshots / "desk-agenda-phone.png"))
