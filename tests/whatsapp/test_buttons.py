"""Choices as WhatsApp buttons: the templates created once through Twilio's Content API with
`percorso whatsapp templates sync`, quick replies up to 3 choices, list pickers up to 10, and
a whole intake in Portuguese answered by tapping."""

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.whatsapp_content import MAX_LIST_ITEMS, content_of, shape_of
from bot.delivery.outbound import Choice, Outbound
from bot.settings import Settings, get_settings
from storage.db import unit_of_work
from storage.models import Intake
from tests.command_line import percorso
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.whatsapp.conftest import NUMBER, WHATSAPP_FROM, WhatsAppPhone, whatsapp_settings


@pytest.fixture
def synced(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """`percorso whatsapp templates sync` run against the fake Twilio: the SIDs it printed."""
    monkeypatch.setenv("PERCORSO_TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("PERCORSO_TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PERCORSO_TWILIO_API_URL", twilio.url)
    monkeypatch.setenv("PERCORSO_TWILIO_WHATSAPP_FROM", WHATSAPP_FROM)
    get_settings.cache_clear()
    ran = percorso("whatsapp", "templates", "sync")
    assert ran.exit_code == 0, ran.output
    setting = ran.stdout.strip().removeprefix("PERCORSO_WHATSAPP_CHOICE_TEMPLATES='")
    yield json.loads(setting.removesuffix("'"))
    get_settings.cache_clear()


@pytest.fixture
def settings(twilio: FakeTwilio, synced: dict[str, str]) -> Settings:
    return whatsapp_settings(twilio, whatsapp_choice_templates=synced)


def asking(*labels: str, multiple: bool = False) -> Outbound:
    choices = tuple(Choice(str(i), label) for i, label in enumerate(labels, 1))
    return Outbound("Concorda?", lang="pt", choices=choices, multiple=multiple)


def test_sync_creates_each_template_once_in_the_account(
    synced: dict[str, str], twilio: FakeTwilio
) -> None:
    assert {"quick_reply_2", "quick_reply_3", "list_picker_10"} <= synced.keys()
    assert len(twilio.created) == len(synced)
    quick = next(c for c in twilio.created if c["sid"] == synced["quick_reply_3"])
    assert [a["title"] for a in quick["types"]["twilio/quick-reply"]["actions"]] == [
        "{{2}}", "{{3}}", "{{4}}"]  # fmt: skip
    again = percorso("whatsapp", "templates", "sync")
    assert again.exit_code == 0 and json.loads(again.stdout.split("=", 1)[1].strip("'\n")) == synced
    assert len(twilio.created) == len(synced)


def test_choices_fit_buttons_a_list_or_a_numbered_list() -> None:
    assert shape_of(asking("Sim", "Não")) == "quick_reply_2"
    assert shape_of(asking(*"abcd")) == "list_picker_4"
    assert shape_of(asking("Sim", "Não", multiple=True)) is None  # one tap picks one
    assert shape_of(asking("Sim", "Uma resposta muito longa para um botão")) is None
    assert shape_of(asking(*(str(i) for i in range(MAX_LIST_ITEMS + 1)))) is None
    sid, variables = content_of(asking(*"abcd"), {"list_picker_4": "HX1"}, "pt")
    assert (sid, variables) == ("HX1", {"1": "Concorda?", "2": "Escolher", "3": "a", "4": "b",
                                        "5": "c", "6": "d"})  # fmt: skip
    assert content_of(asking("Sim", "Não"), {}, "pt") is None  # not synced: numbered


def tap(phone: WhatsAppPhone) -> list[str]:
    """Answer the last message as a person on WhatsApp would: the first button, else the town."""
    last = phone.twilio.sent[-1]
    buttons = json.loads(last.get("Buttons", "[]"))
    if buttons:
        return phone.write(buttons[0], ButtonText=buttons[0], ButtonPayload="1")
    return phone.write("1" if "\n*1.* " in last["Body"] else "Porto")


def test_a_whole_intake_in_portuguese_answered_with_buttons(
    phone: WhatsAppPhone, twilio: FakeTwilio, engine: Engine, synced: dict[str, str]
) -> None:
    phone.write("Olá")
    phone.write("português")
    for _ in range(60):
        with unit_of_work(engine) as db:
            if db.exec(select(Intake)).first() is not None:
                break
        tap(phone)
    else:
        raise AssertionError("the intake did not complete in 60 answers")
    to_person = [m for m in twilio.sent if m["To"] == "whatsapp:" + NUMBER]
    used = {m["ContentSid"] for m in to_person if "ContentSid" in m}
    assert synced["quick_reply_2"] in used  # the consent, yes or no
    assert any(
        sid.startswith("HX") and sid in used
        for sid in (synced[f"list_picker_{n}"] for n in range(4, MAX_LIST_ITEMS + 1))
    )
    with unit_of_work(engine) as db:
        intake = db.exec(select(Intake)).one()
    assert (intake.channel, intake.lang) == ("whatsapp", "pt")
