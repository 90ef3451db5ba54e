"""A whole orientation intake over SMS, through the signed webhook and the fake Twilio API."""

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.channels.twilio.sender import sms_body
from bot.delivery.outbound import letter_of
from bot.network.importer import seed_demo_if_empty
from dialogs import segments
from dialogs.loader import intake_flow
from storage.db import unit_of_work
from storage.models import Intake
from tests.sms.conftest import Handset

TYPOGRAPHY = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"
# How people answer the language question: a word, misspelt or without its accent.
INTAKES = [
    ("pt", "portugues", "Porto"),
    ("it", "italano", "Bologna"),
    ("en", "English", "Porto"),
]


def complete_intake(phone: Handset, language_word: str, town: str) -> list[str]:
    """Answer every question the way the SMS shows it: the first number, or the town."""
    phone.text("Olá")
    phone.text(language_word)
    for _ in range(60):
        if phone.conversation().status == "completed":
            return phone.inbox()
        question = phone.inbox()[-1]
        phone.text("1" if "\n1. " in question else town)
    raise AssertionError("the intake did not complete in 60 answers")


@pytest.mark.parametrize(
    ("lang", "language_word", "town"),
    [
        pytest.param(*intake, marks=pytest.mark.skipif(
            intake[0] not in intake_flow().catalogues, reason=f"no {intake[0]} catalogue yet"))
        for intake in INTAKES
    ],
)
def test_a_whole_intake_completes_over_sms(
    phone: Handset, engine: Engine, lang: str, language_word: str, town: str
) -> None:
    bodies = complete_intake(phone, language_word, town)
    with unit_of_work(engine) as db:
        intake = db.exec(select(Intake)).one()
    assert (intake.channel, intake.lang, intake.municipality) == ("sms", lang, town)
    assert intake.track is not None
    rows = sorted(phone.outbox(), key=lambda row: row.id)
    assert all(row.status == "sent" for row in rows)
    assert bodies == [sms_body(letter_of(row)) for row in rows]
    assert not any(ch in body for body in bodies for ch in TYPOGRAPHY)
    # The summary repeats the person's own answers, so only its template has a fixed cost.
    fixed = [sms_body(letter_of(row)) for row in rows if row.payload["node"] != "summary"]
    assert max(segments.count(body).segments for body in fixed) <= 3


def test_portuguese_texts_keep_their_accents_over_sms(phone: Handset) -> None:
    bodies = complete_intake(phone, "portugues", "Porto")
    text = "".join(bodies)
    assert {"ã", "ç", "é"} <= set(text)


def test_a_meeting_is_booked_and_cancelled_by_sms(phone: Handset, engine: Engine) -> None:
    seed_demo_if_empty(engine)
    complete_intake(phone, "portugues", "Porto")
    offer = "\n".join(phone.replies_to("Maria"))
    assert "Quando pode vir?" in offer and "\n1. " in offer and "\n7. Agora não" in offer
    booked = "\n".join(phone.replies_to("1"))
    # The SMS variant: the address, but no map link a phone without data cannot open.
    assert booked.startswith("Marcado: ") and "Rua de Santa Catarina 312" in booked
    assert "openstreetmap" not in booked
    asked = "\n".join(phone.replies_to("cancelar"))
    assert "Desmarcar a reunião de" in asked
    assert "foi desmarcada" in "\n".join(phone.replies_to("sim"))
