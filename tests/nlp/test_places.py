"""Where people say they live, written as they write it, found in the gazetteer."""

import gzip

import pytest

from nlp import resources
from nlp.places import SURE
from tests.nlp.test_understanding import NOW

# (language, what the person wrote, the place meant, its country)
SURE_ANSWERS = [
    ("pt", "moro em matosinhos", "Matosinhos", "PT"),
    ("pt", "Vivo na Amadora", "Amadora", "PT"),
    ("pt", "senhora da hora", "Senhora da Hora", "PT"),
    ("pt", "em gaia", "Vila Nova de Gaia", "PT"),
    ("pt", "Matosinhos, Porto", "Matosinhos", "PT"),
    ("it", "vivo a Casalecchio di Reno", "Casalecchio di Reno", "IT"),
    ("it", "abito a la spezia", "La Spezia", "IT"),
    ("it", "Lisbona", "Lisboa", "PT"),
    ("pt", "Bolonha", "Bologna", "IT"),
    ("es", "Bolonia", "Bologna", "IT"),
    ("fr", "Bologne", "Bologna", "IT"),
    ("fr", "j'habite à Lisbonne", "Lisboa", "PT"),
    ("es", "vivo en zaragoza", "Zaragoza", "ES"),
    ("es", "A CORUÑA", "A Coruña", "ES"),
    ("es", "sevilla", "Sevilla", "ES"),
    ("fr", "je vis a saint etienne", "Saint-Étienne", "FR"),
    ("en", "I live in Lyon", "Lyon", "FR"),
    ("en", "casalechio di reno", "Casalecchio di Reno", "IT"),
    ("pt", "matozinhoss", "Matosinhos", "PT"),  # one letter off a long name
    ("es", "vivo en zaragosaa", "Zaragoza", "ES"),
]

# Typos short enough to be asked about: the place is found, but not taken for granted.
UNSURE_ANSWERS = [
    ("it", "sto a bolgna", "Bologna", "IT"),
    ("pt", "moro em bragga", "Braga", "PT"),
    ("fr", "j'habite a lyonn", "Lyon", "FR"),
    ("en", "lisboaa", "Lisboa", "PT"),
]

NOT_A_PLACE = [
    ("en", "yes"),
    ("pt", "sim"),
    ("it", "non capisco niente, parlate italiano?"),
    ("pt", "👍"),
    ("fr", "je ne sais pas ce que vous voulez dire par là, je cherche un travail de cuisinier"),
]


def places(pipeline, text, lang):
    return pipeline.parse(text, lang, "Europe/Lisbon", NOW).places


@pytest.mark.parametrize(("lang", "text", "name", "country"), SURE_ANSWERS)
def test_a_place_written_as_people_write_it_is_found_for_sure(pipeline, lang, text, name,
                                                               country):
    best = places(pipeline, text, lang)[0]
    assert (best.name, best.country) == (name, country)
    assert best.score >= SURE


@pytest.mark.parametrize(("lang", "text", "name", "country"), UNSURE_ANSWERS)
def test_a_place_with_a_typo_is_found_but_to_be_confirmed(pipeline, lang, text, name, country):
    best = places(pipeline, text, lang)[0]
    assert (best.name, best.country) == (name, country)
    assert best.score < SURE


@pytest.mark.parametrize(("lang", "text"), NOT_A_PLACE)
def test_words_that_name_no_place_find_none(pipeline, lang, text):
    assert places(pipeline, text, lang) == ()


def test_a_parish_in_portugal_belongs_to_its_concelho(pipeline):
    best = places(pipeline, "Leça da Palmeira", "pt")[0]
    assert (best.municipality, best.region, best.label) == (
        "Matosinhos", "Porto", "Leça da Palmeira (Matosinhos)")
    assert best.latitude == pytest.approx(41.19, abs=0.01)


def test_a_name_two_large_places_share_is_asked_about(pipeline):
    # Santa Maria is a parish in many concelhos: no single one is sure.
    assert places(pipeline, "Santa Maria", "pt")[0].score < SURE


def test_the_gazetteer_states_its_source_and_licence():
    with gzip.open(resources.DATA_DIR / "places.tsv.gz", "rt", encoding="utf-8") as f:
        header = "".join(next(f) for _ in range(4))
    assert "GeoNames" in header and "CC BY 4.0" in header
    assert "scripts/derive_places.py" in header
    readme = (resources.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "places.tsv.gz" in readme and "CC BY 4.0" in readme


def test_every_country_and_every_portuguese_district_is_in_the_gazetteer():
    rows = list(resources.places())
    assert {r["country"] for r in rows} == {"PT", "IT", "ES", "FR"}
    districts = {r["region"] for r in rows if r["country"] == "PT"}
    assert {"Porto", "Lisboa", "Braga", "Faro", "Évora", "Madeira", "Azores"} <= districts
