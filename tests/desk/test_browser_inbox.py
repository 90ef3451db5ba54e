"""A hand-over from end to end, in a real browser: a person on Telegram (the fake Bot API server)
asks for a person; Ana, told on her Telegram chat, logs in to the desk, takes the hand-over from
the inbox and answers; the answer reaches the person's chat; she hands them back to the bot, and
the bot answers the person again. The web app runs as `percorso serve` does, with its start and
stop: the webhook's hurry sends the bot's replies, the desk's hurry the counselor's answer.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from sqlmodel import Session, select

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from bot.settings import Settings
from dialogs import segments
from storage.models import HandOver
from tests.clock import FakeClock
from tests.desk.conftest import ANA, CHROMIUM, PASSWORD, csp_violations
from tests.fakes.serving import serving
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.telegram.person import SECRET, TelegramUser, eventually
from tests.telegram.test_counselor import STAFF_CHAT, link_code

PERSON_CHAT = 5150
ANSWER = "Of course. Come on Thursday at 10:00 with your CV?"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


@pytest.fixture
def settings(telegram: FakeTelegram) -> Settings:
    return Settings(
        _env_file=None, public_url="http://localhost:8000", telegram_token=TOKEN,
        telegram_api_url=telegram.url, telegram_webhook_secret=SECRET,
        telegram_rate_overall=1000.0, telegram_rate_per_chat=1000.0,
    )  # fmt: skip


@pytest.fixture
def web_url(application: App) -> Iterator[str]:
    with serving(create_app(application), "web app", lifespan="on") as url:
        yield url


class ServedWebhook:
    """Updates posted to the served web app, as Telegram does with a webhook set."""

    def __init__(self, url: str) -> None:
        self.url = url

    def deliver(self, update: dict[str, Any]) -> None:
        response = httpx.post(self.url + PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 200


def test_a_counselor_answers_a_person_on_telegram_from_the_inbox_and_hands_them_back(
    browser, web_url: str, application: App, telegram: FakeTelegram, clock: FakeClock,
    screenshots: Path,
) -> None:  # fmt: skip
    engine, webhook = application.engine, ServedWebhook(web_url)
    ana_chat = TelegramUser(webhook, telegram, engine, STAFF_CHAT)
    ana_chat.say(f"/link {link_code(engine, 'ana-silva')}")
    person = TelegramUser(webhook, telegram, engine, PERSON_CHAT, language_code="en")
    person.start()
    person.say("yes")
    person.say("talk to a person")
    assert person.texts()[-1].startswith("A counselor of Porto will answer you here")
    person.say("I need help with my CV")
    with Session(engine) as db:
        hand_over = db.exec(select(HandOver)).one()
    notice_link = re.search(r"https?://\S+", ana_chat.texts()[-1])
    assert notice_link and urlparse(notice_link.group()).path == f"/desk/inbox/{hand_over.id}"

    clock.advance(minutes=25)
    page = browser.new_page(viewport={"width": 1000, "height": 420}, locale="en-GB")
    refused = csp_violations(page)
    page.goto(f"{web_url}/desk")
    page.get_by_label("E-mail").fill(ANA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/desk/agenda")
    page.get_by_role("link", name="Hand-overs").click()
    page.wait_for_url("**/desk/inbox")
    assert page.get_by_text("since Tue 24 Nov, 09:00 (25 minutes)").is_visible()
    page.screenshot(path=str(screenshots / "desk-inbox.png"))

    page.get_by_role("link", name="Open the request waiting since Tue 24 Nov, 09:00").click()
    page.wait_for_url(f"**{urlparse(notice_link.group()).path}")
    assert page.get_by_text("I need help with my CV").is_visible()
    page.get_by_role("button", name="Take it").click()
    page.wait_for_url("**notice=taken")

    answer = page.get_by_label("Your answer")
    long_answer = "Your CV is good; " * 9  # 153 characters, and "Ana Silva: " before them
    answer.fill(long_answer)
    expected = segments.count("Ana Silva: " + long_answer).segments
    assert expected == 2
    assert page.locator("#answer-length").text_content() == f"Characters: 153 · SMS: {expected}"
    answer.fill(ANSWER)
    assert page.locator("#answer-length").text_content() == f"Characters: {len(ANSWER)} · SMS: 1"
    page.screenshot(path=str(screenshots / "desk-thread.png"), full_page=True)
    assert refused == []  # the thread's script (the SMS counter) runs under the policy
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url("**notice=answered")
    eventually(lambda: person.texts()[-1] == f"Ana Silva: {ANSWER}", "the answer on Telegram")

    page.get_by_role("button", name="Back to the bot").click()
    page.wait_for_url("**/desk/inbox?notice=closed")
    assert page.get_by_text("Nobody is waiting for a counselor.").is_visible()
    eventually(lambda: person.texts()[-2:] == [
        "You are back with the assistant.", "In which town or municipality do you live?"],
        "the bot again")  # fmt: skip
    person.say("Porto")
    assert person.texts()[-1].startswith("How old are you?")
