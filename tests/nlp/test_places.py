"""Where people say they live, written as they write it, found in the gazetteer."""

import csv
import gzip
from collections import Counter, defaultdict
from pathlib import Path

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


# Parishes of Lisboa and Porto (scripts/pt_parishes.tsv), which the nearest point of GeoNames'
# divisions gave to a neighbouring concelho, and places of the concelhos around, which keep theirs.
PARISHES = [
    ("pt", "moro em Campanhã", "Campanhã", "Porto"),
    ("pt", "Paranhos", "Paranhos", "Porto"),
    ("pt", "ramalde", "Ramalde", "Porto"),  # GeoNames has only the locality "Ramalde do Meio"
    ("pt", "Ramalde do Meio", "Ramalde do Meio", "Porto"),
    ("pt", "foz do douro", "Foz do Douro", "Porto"),
    ("pt", "Lordelo do Ouro e Massarelos", "Lordelo do Ouro e Massarelos", "Porto"),
    ("pt", "vivo em Arroios", "Arroios", "Lisboa"),  # GeoNames: only "São Jorge de Arroios"
    ("pt", "Parque das Nações", "Parque das Nações", "Lisboa"),
    ("en", "I live in Belem", "Belém", "Lisboa"),
    ("pt", "moro em Prazeres, Lisboa", "Prazeres", "Lisboa"),
    ("pt", "Rio Tinto", "Rio Tinto", "Gondomar"),
    ("pt", "Matosinhos", "Matosinhos", "Matosinhos"),
    ("pt", "moro na Senhora da Hora", "Senhora da Hora", "Matosinhos"),
    ("pt", "vivo em Algés", "Algés", "Oeiras"),
    ("pt", "Odivelas", "Odivelas", "Odivelas"),
    ("pt", "Cacilhas", "Cacilhas", "Almada"),
]


@pytest.mark.parametrize(("lang", "text", "name", "municipality"), PARISHES)
def test_a_parish_of_lisboa_or_porto_has_its_concelho_and_a_place_around_keeps_its_own(
        pipeline, lang, text, name, municipality):
    best = places(pipeline, text, lang)[0]
    assert (best.name, best.municipality) == (name, municipality)
    assert best.score >= SURE


def test_a_parish_name_shared_with_a_place_elsewhere_is_asked_about(pipeline):
    found = places(pipeline, "Santa Clara", "pt")
    assert found[0].score < SURE
    assert {"Lisboa", "Coimbra"} <= {p.municipality for p in found}


@pytest.mark.parametrize(("latitude", "longitude", "municipality"), [
    (38.775, -9.158, "Lisboa"),  # Lumiar, which the nearest point put in Odivelas
    (41.160, -8.578, "Porto"),  # Campanhã, which it put in Gondomar
    (41.184, -8.556, "Gondomar"),  # Rio Tinto, across the border
])
def test_a_location_shared_in_a_parish_is_in_its_concelho(pipeline, latitude, longitude,
                                                           municipality):
    assert pipeline.nearest_place(latitude, longitude).municipality == municipality


def test_every_curated_parish_is_in_the_gazetteer_with_its_concelho():
    table = Path(__file__).parents[2] / "scripts" / "pt_parishes.tsv"
    with open(table, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    curated = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    kinds = Counter((row["concelho"], row["kind"]) for row in curated)
    # Lei 56/2012: 24 in Lisboa. Lei 11-A/2013: 7 in Porto, where people name 15 former
    # parishes, four of them (Bonfim, Campanhã, Paranhos, Ramalde) parishes still.
    assert kinds["Lisboa", "parish"] == 24
    assert (kinds["Porto", "parish"], kinds["Porto", "former parish"]) == (7, 11)
    # GeoNames may spell the place otherwise ("Bomfim", "Beato António"): any of its names.
    concelhos = defaultdict(set)
    for r in resources.places():
        if r["country"] == "PT":
            for name in (r["name"], *resources.split(r["alternates"])):
                concelhos[name.casefold()].add(r["municipality"])
    assert [row["name"] for row in curated
            if row["concelho"] not in concelhos[row["name"].casefold()]] == []


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
