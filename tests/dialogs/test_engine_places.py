"""The municipality answer read against the gazetteer: kept when sure, asked about when not."""

import pytest

from dialogs.model import LocationShared, Message
from tests.dialogs.drive import NOW, at, send, text

ZONE = "Europe/Lisbon"


@pytest.fixture
def answer(understand):
    def read(session, said):
        return send(session, Message(said, understand(said, "en", ZONE, NOW)))

    return read


def test_a_sure_place_is_kept_with_its_country_and_coordinates(answer):
    step = answer(at("municipality"), "I live in Matosinhos")
    assert step.session.node == "age_band"
    assert step.session.answers["municipality"] == "Matosinhos"
    home = step.session.answers["home"]
    assert (home["country"], home["region"]) == ("PT", "Porto")
    assert home["latitude"] == pytest.approx(41.18, abs=0.01)


def test_a_parish_is_kept_as_its_concelho(answer):
    step = answer(at("municipality"), "senhora da hora")
    assert step.session.answers["municipality"] == "Matosinhos"
    assert step.session.answers["home"]["name"] == "Senhora da Hora"


def test_a_parish_of_porto_is_kept_as_porto_not_as_the_concelho_next_door(answer):
    step = answer(at("municipality"), "I live in Campanhã")
    assert step.session.answers["municipality"] == "Porto"
    assert step.session.answers["home"]["name"] == "Campanhã"


def test_a_typo_is_asked_about_and_a_yes_keeps_the_place(answer):
    asked = answer(at("municipality"), "bolgna")
    assert asked.session.node == "municipality"
    assert "municipality" not in asked.session.answers
    assert asked.messages[0].text == text("place.guess", place="Bologna (Emilia-Romagna)")
    kept = answer(asked.session, "yes")
    assert kept.session.node == "age_band"
    assert kept.session.answers["municipality"] == "Bologna"
    assert kept.session.answers["home"]["country"] == "IT"


def test_a_no_asks_again_and_stores_nothing(answer):
    asked = answer(at("municipality"), "bolgna")
    again = answer(asked.session, "no")
    assert again.session.node == "municipality"
    assert "municipality" not in again.session.answers
    assert again.messages[0].text == text("place.again")


def test_a_new_answer_instead_of_yes_or_no_is_read_afresh(answer):
    asked = answer(at("municipality"), "bolgna")
    kept = answer(asked.session, "Casalecchio di Reno")
    assert kept.session.answers["municipality"] == "Casalecchio di Reno"
    assert "place_guess" not in kept.session.answers


def test_an_unknown_place_is_confirmed_not_stored_blindly(answer):
    asked = answer(at("municipality"), "Kzorvia")
    assert asked.session.node == "municipality"
    assert asked.messages[0].text == text("place.unknown", place="Kzorvia")
    kept = answer(asked.session, "yes")
    assert kept.session.answers["municipality"] == "Kzorvia"
    assert "home" not in kept.session.answers  # no coordinates for a place nobody knows


@pytest.mark.parametrize("said", ["yes", "I don't understand what you want from me at all"])
def test_a_yes_or_a_sentence_is_no_municipality(answer, said):
    step = answer(at("municipality"), said)
    assert step.session.node == "municipality"
    assert "municipality" not in step.session.answers
    # Refused before the gazetteer is asked: an answer that is no name at all.
    assert step.messages[0].text == text("error.name")


# A location shared on WhatsApp or Telegram: the nearest place of the gazetteer, confirmed.
SENHORA_DA_HORA = (41.1866, -8.6533)


def test_a_shared_location_is_asked_about_and_a_yes_keeps_its_municipality(answer, nlp_pipeline):
    place = nlp_pipeline.nearest_place(*SENHORA_DA_HORA)
    asked = send(at("municipality"), LocationShared(place))
    assert asked.session.node == "municipality"
    assert "municipality" not in asked.session.answers
    assert asked.messages[0].text == text("place.guess", place=place.label)
    kept = answer(asked.session, "yes")
    assert kept.session.node == "age_band"
    assert kept.session.answers["municipality"] == "Matosinhos"
    assert kept.session.answers["home"]["latitude"] == pytest.approx(41.19, abs=0.02)


def test_a_shared_location_far_from_every_place_asks_for_the_name() -> None:
    step = send(at("municipality"), LocationShared(None))
    assert step.session.node == "municipality"
    assert step.messages[0].text == text("location.not_near")
    assert step.messages[-1].node == "municipality"


def test_a_shared_location_at_another_question_gets_a_kind_word_and_the_question(
    nlp_pipeline,
) -> None:
    place = nlp_pipeline.nearest_place(*SENHORA_DA_HORA)
    step = send(at("age_band"), LocationShared(place))
    assert step.session.node == "age_band"
    assert step.messages[0].text == text("location.elsewhere")
    assert step.messages[-1].node == "age_band"
    assert "municipality" in at("age_band").answers
    assert step.session.answers == at("age_band").answers


def test_the_gazetteer_takes_the_town_not_a_quarter_whose_point_is_nearer(nlp_pipeline) -> None:
    assert nlp_pipeline.nearest_place(40.4168, -3.7038).name == "Madrid"  # Puerta del Sol
    assert nlp_pipeline.nearest_place(44.4949, 11.3426).name == "Bologna"
    assert nlp_pipeline.nearest_place(38.5, -20.0) is None  # the Atlantic
