"""The network in a real browser (Debian's Chromium, as in test_browser.py): a coordinator
changes a counselor's weekly hours, and a person who then asks for a meeting in the chat is
offered the new times."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from tests.chat import Chat
from tests.desk.conftest import CHROMIUM, COORDINATOR, PASSWORD
from tests.fakes.serving import serving
from tests.intake_script import ENGLISH_INTAKE

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


@pytest.fixture
def desk_url(application: App) -> Iterator[str]:
    with serving(create_app(application), "desk-network") as url:
        yield url


def offered(service: ConversationService, address: str) -> str:
    """The times the chat offers a person of Porto who did the English intake."""
    chat = Chat(service, address)
    chat.start("en")
    for answer in [ENGLISH_INTAKE[0], "Porto", *ENGLISH_INTAKE[2:]]:
        chat.say(answer)
    replies = chat.say("Maria")  # the first name, asked before the slots are offered
    return "\n".join(choice["label"] for reply in replies for choice in reply["choices"])


def test_a_coordinator_changes_a_counselors_hours_and_the_chat_offers_the_new_times(
    browser, desk_url: str, application: App, screenshots: Path
) -> None:
    before = offered(application.service, "before")
    assert min(re.findall(r"\d\d:\d\d", before)) >= "09:00"  # Ana starts at 09:00, João 09:30
    page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="en-GB")
    page.goto(f"{desk_url}/desk/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/desk/agenda")

    page.get_by_role("link", name="Network").click()
    page.wait_for_url("**/desk/network")
    page.get_by_role("link", name="Ana Silva").click()
    page.wait_for_url("**/desk/network/counselors/ana-silva")
    first_row = page.get_by_role("group", name="Hours 1")
    first_row.get_by_label("Hours", exact=True).fill("07:30-17:00")
    first_row.screenshot(path=str(screenshots / "desk-network-hours.png"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/desk/network?saved=counselors")
    assert page.get_by_role("status").inner_text() == "Saved."
    assert page.get_by_role("cell", name="Changed: Hours of counselor ana-silva").is_visible()
    page.screenshot(path=str(screenshots / "desk-network.png"), full_page=True)

    after = offered(application.service, "after")
    assert min(re.findall(r"\d\d:\d\d", after)) < "09:00", after
    assert "Wed 25 Nov, 08:00 - Porto" in after.splitlines()  # the person's morning, from 08:00
