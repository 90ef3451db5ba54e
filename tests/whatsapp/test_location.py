"""A location shared on WhatsApp fills the municipality, asked to confirm like any guess."""

import pytest
from sqlalchemy import Engine

from bot.channels.twilio.whatsapp import CHANNEL, inbound_of
from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage import repositories as repo
from storage.crypto import Cipher
from storage.db import unit_of_work
from tests.clock import FakeClock
from tests.whatsapp.conftest import NUMBER, WhatsAppPhone, inbound_params

PT = intake_flow().catalogues["pt"].texts
MATOSINHOS = {"Latitude": "41.1866", "Longitude": "-8.6533", "MessageType": "location"}


@pytest.fixture
def application(
    engine: Engine, cipher: Cipher, settings: Settings, clock: FakeClock, nlp_pipeline
) -> App:
    service = ConversationService(
        engine, intake_flow(), cipher, settings.privacy_notice_version, nlp_pipeline.parse,
        clock, locate=nlp_pipeline.nearest_place,
    )  # fmt: skip
    return App(settings, engine, cipher, service)


def test_twilio_s_latitude_and_longitude_are_a_location() -> None:
    params = inbound_params(NUMBER, "", **MATOSINHOS)
    inbound = inbound_of(params, "PT")
    assert (inbound.channel, inbound.media) == (CHANNEL, "location")
    assert inbound.location == (41.1866, -8.6533)
    odd = inbound_of(inbound_params(NUMBER, "", Latitude="north", Longitude="-8.6"), "PT")
    assert (odd.media, odd.location) == ("location", None)


def test_a_location_at_the_municipality_question_is_confirmed_then_kept(
    phone: WhatsAppPhone, engine: Engine, cipher: Cipher
) -> None:
    phone.write("Olá")
    phone.write("sim")  # the privacy notice
    guess = phone.write("", **MATOSINHOS)
    assert guess == [PT["place.guess"].format(place="Senhora da Hora (Matosinhos)")]
    (next_question,) = phone.write("sim")
    assert next_question.startswith(PT["ask.age_band"])
    with unit_of_work(engine) as db:
        state = repo.load_conversation(db, phone.identity().person_id, cipher)
    assert state["answers"]["municipality"] == "Matosinhos"
    assert state["answers"]["home"]["country"] == "PT"


def test_a_location_at_another_question_gets_a_kind_word(phone: WhatsAppPhone) -> None:
    phone.write("Olá")
    phone.write("sim")
    phone.write("Porto")
    replies = phone.write("", **MATOSINHOS)
    assert replies[0] == PT["location.elsewhere"]
    assert replies[-1].startswith(PT["ask.age_band"])
