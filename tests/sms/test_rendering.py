"""What a reply looks like as an SMS, and what it costs."""

import json

from typer.testing import CliRunner

from bot.channels.twilio.sender import sms_body
from bot.delivery.outbound import Choice, Outbound
from bot.entry.cli import app
from dialogs import segments
from dialogs.loader import intake_flow


def payload(text: str, labels: list[str] = (), sms_text: str | None = None) -> Outbound:
    choices = tuple(Choice(str(i), label) for i, label in enumerate(labels))
    return Outbound(text, lang="pt", node="n", choices=choices, sms_text=sms_text)


def test_the_short_variant_is_sent_when_there_is_one() -> None:
    assert sms_body(payload("A long text for chat apps.", sms_text="Short.")) == "Short."


def test_choices_become_a_short_numbered_list() -> None:
    body = sms_body(payload("Quantos anos tem?", ["16 a 24", "25 a 29"]))
    assert body == "Quantos anos tem?\n1. 16 a 24\n2. 25 a 29"


def test_typography_is_made_plain_and_a_text_without_accents_stays_gsm() -> None:
    body = sms_body(payload("It\u2019s \u201cfree\u201d \u2014 really\u2026\u00a0ok"))
    assert body == "It's \"free\" - really... ok"
    assert segments.count(body).encoding == "GSM-7"


def test_a_portuguese_message_keeps_its_accents_in_ucs2_within_three_segments() -> None:
    catalogue = intake_flow().catalogues["pt"]
    text = catalogue.texts["consent.ask"] + " \u201cSim\u201d \u2013 ou n\u00e3o\u2026"
    labels = [catalogue.texts["consent.yes"], catalogue.texts["consent.no"]]
    body = sms_body(payload(text, labels))
    cost = segments.count(body)
    assert "\u00e3" in body and "\u201c" not in body and "\u2026" not in body
    assert cost.encoding == "UCS-2"
    assert cost.non_gsm == sorted(set(cost.non_gsm)) and "\u00e3" in cost.non_gsm
    assert cost.segments <= 3


def test_the_segments_command_reports_encoding_segments_characters_and_odd_characters() -> None:
    result = CliRunner().invoke(app, ["sms", "segments", "Olá, estão bem?"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "encoding": "UCS-2", "segments": 1, "characters": 15, "non_gsm": ["á", "ã"],
    }
    result = CliRunner().invoke(app, ["sms", "segments", "x" * 161])
    assert json.loads(result.stdout) == {
        "encoding": "GSM-7", "segments": 2, "characters": 161, "non_gsm": [],
    }
