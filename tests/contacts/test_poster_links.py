"""`percorso links`: a poster's links and QR codes, decoded back with zbar; the start code they
carry recorded on the person who writes first."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import Engine

from bot.contacts.source import take_start_code
from bot.conversation.service import ConversationService, Inbound
from bot.network.importer import DEMO_NETWORK
from bot.settings import get_settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Person
from tests.clock import FakeClock
from tests.command_line import percorso


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "TWILIO_AUTH_TOKEN", "TELEGRAM_TOKEN"):
        monkeypatch.delenv(f"PERCORSO_{name}", raising=False)
    monkeypatch.setenv("PERCORSO_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PERCORSO_TWILIO_WHATSAPP_FROM", "+14155238886")
    monkeypatch.setenv("PERCORSO_TWILIO_FROM", "+351300000300")
    monkeypatch.setenv("PERCORSO_TELEGRAM_BOT_USERNAME", "percorso_bot")
    get_settings.cache_clear()
    assert percorso("network", "import", str(DEMO_NETWORK)).exit_code == 0  # its porto site
    yield tmp_path
    get_settings.cache_clear()


def test_each_channel_gets_a_link_and_a_qr_code_that_decodes_back_to_it(
    configured: Path,
) -> None:
    ran = percorso("links", "--site", "porto", "--lang", "pt", "--out", "qr")
    assert ran.exit_code == 0, ran.output
    rows = [line.split("\t") for line in ran.stdout.splitlines()]
    links = {row[0]: row[1] for row in rows}
    assert links["telegram"] == "https://t.me/percorso_bot?start=s_porto_poster"
    assert links["whatsapp"].startswith("https://wa.me/14155238886?text=")
    assert links["sms"].startswith("sms:+351300000300?body=")
    text = parse_qs(urlsplit(links["whatsapp"]).query)["text"][0]
    assert text == "Olá! Quero começar. [s_porto_poster]"
    for channel, link, svg, png in rows:
        assert Path(svg).read_text().lstrip().startswith("<?xml")
        [symbol] = decode(Image.open(png))
        assert symbol.data.decode() == link, channel


def test_an_unknown_site_is_refused_in_one_line(configured: Path) -> None:
    ran = percorso("links", "--site", "atlantis")
    assert ran.exit_code == 2 and "no site 'atlantis'" in ran.stderr


def test_the_start_code_of_a_first_message_is_kept_on_the_person(
    engine: Engine, cipher: Cipher
) -> None:
    service = ConversationService(engine, intake_flow(), cipher, "2026-11", None, FakeClock())

    def screen(db, identity, inbound, now):  # type: ignore[no-untyped-def]
        return take_start_code(db, identity, inbound)

    handled = service.handle(
        Inbound("whatsapp", "+351912345678", "m1", text="Olá! Quero começar. [s_porto_poster]"),
        screen,
    )
    service.handle(Inbound("whatsapp", "+351912345678", "m2", text="[s_bologna_event]"), screen)
    with unit_of_work(engine) as db:
        assert db.get(Person, handled.person_id).source == "s_porto_poster"  # the first one
