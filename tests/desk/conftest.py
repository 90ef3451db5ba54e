"""The desk on a real database with the demo network: three accounts (Ana, a counselor of
Porto; Giulia, of Bologna; a coordinator), a person of Porto and a person of Bologna who each
went through the intake and booked the first slot offered, and a clock held still."""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from bot.conversation.service import ConversationService
from bot.desk.passwords import hash_password
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from bot.network.importer import seed_demo_if_empty
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage import staff as accounts
from storage.booking import Appointment
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.desk import StaffAccount
from storage.models import Counselor
from tests.chat import Chat
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright never downloads a browser here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PASSWORD = "correct horse battery staple"
ANA, GIULIA, COORDINATOR = "ana@example.org", "giulia@example.org", "coord@example.org"


@dataclass(frozen=True)
class Booked:
    person_id: str
    appointment_id: int


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> Settings:
    return desk_settings()


def desk_settings() -> Settings:
    return Settings(_env_file=None, public_url="http://localhost:8000")


@pytest.fixture
def application(engine: Engine, cipher: Cipher, clock: FakeClock, settings: Settings) -> App:
    return desk_application(engine, cipher, clock, settings)


def desk_application(engine: Engine, cipher: Cipher, clock: FakeClock, settings: Settings) -> App:
    """The demo network and the three accounts on `engine`, and the App over them."""
    seed_demo_if_empty(engine)
    service = ConversationService(
        engine, intake_flow(), cipher, settings.privacy_notice_version, None, clock
    )
    application = App(settings, engine, cipher, service)
    with unit_of_work(engine) as db:
        codes = {c.code: c.id for c in db.exec(select(Counselor))}
        for email, role, counselor in [(ANA, "counselor", "ana-silva"),
                                       (GIULIA, "counselor", "giulia-romano"),
                                       (COORDINATOR, "coordinator", None)]:
            accounts.add_account(db, StaffAccount(
                email=email, password_hash=password_hash(), role=role,
                counselor_id=codes.get(counselor), lang="en", created_at=clock(),
            ))  # fmt: skip
    return application


@cache
def password_hash() -> str:
    """PASSWORD hashed once for every account of every test: argon2 is slow on purpose (a fifth
    of a second here, three accounts a test), and logging in still verifies it for real."""
    return hash_password(PASSWORD)


def book_through_chat(service: ConversationService, address: str, municipality: str) -> Booked:
    """A person who did the English intake, living in `municipality`, booked the first slot."""
    chat = Chat(service, address)
    chat.start("en")
    for answer in [ENGLISH_INTAKE[0], municipality, *ENGLISH_INTAKE[2:]]:
        chat.say(answer)
    chat.say("Maria")  # the first name, asked before the first booking
    chat.say("1")
    with unit_of_work(service.engine) as db:
        appointment = db.exec(
            select(Appointment).where(Appointment.person_id == chat.person_id)
        ).one()
    assert chat.person_id is not None and appointment.id is not None
    return Booked(chat.person_id, appointment.id)


@pytest.fixture
def porto(application: App) -> Booked:
    return book_through_chat(application.service, "porto-person", "Porto")


@pytest.fixture
def bologna(application: App) -> Booked:
    return book_through_chat(application.service, "bologna-person", "Bologna")


@pytest.fixture
def client(application: App) -> TestClient:
    return TestClient(create_app(application))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    token = csrf_of(client.get("/desk/login").text)
    response = client.post(
        "/desk/login", data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PERCORSO_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def csp_violations(page) -> list[str]:  # a Playwright page
    """The page's complaints about the content security policy, as they come (each blocked
    script, style or frame is one console error)."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    return seen
