"""A coordinator's broadcast in a real browser (Debian's Chromium, headless, Playwright): a
two-language announcement to a segment, its reach and cost seen before sending, then — once a
worker's dispatcher has sent it through the fake Telegram and Twilio servers and Twilio has
reported — its delivery per channel. Screenshots as in test_browser.py."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.sender import STATUS_PATH
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.policy import DeliveryPolicy
from bot.entry.bootstrap import App
from bot.entry.senders import channel_senders, close_senders
from bot.entry.web import create_app
from bot.settings import Settings
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, InboundSeen, Intake, Outbox
from tests.clock import FakeClock
from tests.desk.conftest import CHROMIUM, COORDINATOR, PASSWORD
from tests.fakes.serving import serving
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.sms.conftest import signed

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)

PUBLIC_URL = "https://percorso.example.org"
SMS_FROM, WHATSAPP_FROM = "+351300000300", "+14155238886"
PT_TEXT = "Feira de emprego no sábado às 10h, Mercado do Bolhão. Tragam o CV!"
IT_TEXT = "Fiera del lavoro sabato alle 10, Mercato del Bolhão. Portate il CV!"


@pytest.fixture
def settings(telegram: FakeTelegram, twilio: FakeTwilio) -> Settings:
    return Settings(
        _env_file=None, public_url=PUBLIC_URL, telegram_token=TOKEN,
        telegram_api_url=telegram.url, twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN, twilio_api_url=twilio.url, twilio_from=SMS_FROM,
        twilio_whatsapp_from=WHATSAPP_FROM, sms_rate_per_second=1000.0,
        whatsapp_rate_per_second=1000.0,
    )  # fmt: skip


@pytest.fixture
def desk_url(application: App) -> Iterator[str]:
    with serving(create_app(application), "desk") as url:
        yield url


def person(engine: Engine, now: datetime, channel: str, address: str, lang: str,
           municipality: str = "Porto") -> str:  # fmt: skip
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, channel, address, now)
        db.add(Intake(person_id=identity.person_id, channel=channel, lang=lang, started_at=now,
                      consent_version="2026-11", municipality=municipality))  # fmt: skip
        return identity.person_id


def report(desk_url: str, sid: str, status: str) -> None:
    """Twilio's signed status callback, as it posts it to the public URL."""
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    response = httpx.post(desk_url + STATUS_PATH, data=params,
                          headers=signed(PUBLIC_URL + STATUS_PATH, params))  # fmt: skip
    assert response.status_code == 200


def cells(page, channel: str) -> list[str]:
    """The cells of the channel's row in the page's counts table."""
    header = page.get_by_role("rowheader", name=channel, exact=True)
    return page.locator("table.counts tr", has=header).locator("td").all_inner_texts()


def test_a_coordinator_composes_previews_sends_and_follows_a_two_language_broadcast(
    browser, desk_url: str, application: App, clock: FakeClock, settings: Settings,
    telegram: FakeTelegram, twilio: FakeTwilio, screenshots: Path,
) -> None:  # fmt: skip
    engine = application.engine
    for chat in ("101", "102"):
        person(engine, clock(), "telegram", chat, "pt")
    person(engine, clock(), "sms", "+393400000001", "it", municipality="porto")
    on_whatsapp = person(engine, clock(), "whatsapp", "+351920000001", "pt")
    with unit_of_work(engine) as db:  # wrote an hour ago: inside WhatsApp's 24-hour window
        db.add(InboundSeen(channel="whatsapp", external_id="SM-earlier", person_id=on_whatsapp,
                           received_at=clock() - timedelta(hours=1)))  # fmt: skip
    stopped = person(engine, clock(), "sms", "+351910000009", "pt")
    with unit_of_work(engine) as db:
        db.exec(select(Identity).where(Identity.person_id == stopped)).one().opted_out = True
    person(engine, clock(), "telegram", "201", "pt", municipality="Bologna")
    person(engine, clock(), "telegram", "202", "en")  # in Porto, but not in the languages picked

    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-GB")
    page.goto(f"{desk_url}/desk/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/desk/agenda")
    page.get_by_role("link", name="Broadcasts").click()
    page.wait_for_url("**/desk/broadcasts")

    page.get_by_role("group", name="Municipality").get_by_label("Porto").check()
    language = page.get_by_role("group", name="Language", exact=True)
    language.get_by_label("Portuguese").check()
    language.get_by_label("Italian").check()
    page.get_by_label("Text in Portuguese").fill(PT_TEXT)
    page.get_by_label("Text in Italian").fill(IT_TEXT)
    page.get_by_role("button", name="See reach and cost").click()

    page.wait_for_selector("text=It reaches 4 people")
    assert page.get_by_text("Left out: 1 opted out, 0 cannot be reached.").is_visible()
    assert cells(page, "Telegram") == ["2", "no cost per message"]
    assert cells(page, "SMS") == ["1", "1 SMS segments in all"]
    people, cost = cells(page, "WhatsApp")
    assert people == "1" and cost.startswith("1 within the 24-hour window")
    page.screenshot(path=str(screenshots / "desk-broadcast.png"), full_page=True)

    page.get_by_role("button", name="Send the broadcast").click()
    page.wait_for_url("**/desk/broadcasts/*?notice=queued")
    assert page.get_by_text("The broadcast is queued.").is_visible()

    senders = channel_senders(settings, clock, engine)
    try:
        sent = Dispatcher(engine, senders, clock, DeliveryPolicy()).dispatch_due()
    finally:
        close_senders(senders)
    assert sent == 4
    assert [m["text"] for m in telegram.sent_to(101)] == [PT_TEXT]
    assert twilio.bodies(to="+393400000001") == [IT_TEXT]
    assert twilio.bodies(to="whatsapp:+351920000001") == [PT_TEXT]
    with unit_of_work(engine) as db:
        sids = dict(db.exec(select(Outbox.channel, Outbox.external_id).where(
            Outbox.kind == "broadcast", Outbox.channel != "telegram")).all())  # fmt: skip
    report(desk_url, sids["sms"], "delivered")
    report(desk_url, sids["whatsapp"], "read")

    page.goto(page.url.split("?")[0])  # the broadcast's page again, without the notice
    # waiting, sent, delivered, read, failed, opted out, cancelled; Telegram reports no delivery
    assert cells(page, "Telegram") == ["0", "2", "0", "0", "0", "0", "0"]
    assert cells(page, "SMS") == ["0", "1", "1", "0", "0", "0", "0"]
    assert cells(page, "WhatsApp") == ["0", "1", "1", "1", "0", "0", "0"]
    assert page.get_by_role("definition").filter(has_text="Sent").is_visible()  # its state
    page.screenshot(path=str(screenshots / "desk-broadcast-delivery.png"), full_page=True)
