"""Languages named in the person's own words, in any of the five languages, to ISO 639 codes."""

from datetime import datetime

import pytest

import nlp
from nlp.language_names import LanguageNames, name_of

NOW = datetime(2026, 11, 24, 10, 0)


@pytest.fixture(scope="module")
def names() -> LanguageNames:
    return LanguageNames.load()


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("árabe", ["ar"]),
        ("arabo", ["ar"]),
        ("Arabic", ["ar"]),
        ("ARABE", ["ar"]),
        ("ucraniano", ["uk"]),
        ("ucraino", ["uk"]),
        ("ukrainien", ["uk"]),
        ("wolof", ["wo"]),
        ("tigrino", ["ti"]),
        ("Deutsch", ["de"]),
        ("crioulo cabo-verdiano", ["kea"]),
        ("falo crioulo", ["kea"]),
        ("inglês e árabe", ["en", "ar"]),
        ("inglese, un po' di francese", ["en", "fr"]),
        ("arabic and a bit of english", ["ar", "en"]),
        ("mandarim", ["zh"]),
        ("farsi", ["fa"]),
        ("darija", ["ar"]),
    ],
)
def test_a_language_is_found_by_any_of_its_names(
    names: LanguageNames, text: str, codes: list[str]
) -> None:
    assert [e.value for e in names.find(text)] == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("ucrainiano", ["uk"]),
        ("ukranian", ["uk"]),
        ("portughese", ["pt"]),
        ("arabic", ["ar"]),
    ],
)
def test_a_misspelt_name_is_still_found(names: LanguageNames, text: str, codes: list[str]) -> None:
    assert [e.value for e in names.find(text)] == codes


@pytest.mark.parametrize(
    "text",
    [
        "outra",
        "altra lingua",
        "another language",
        "autre",
        "otra",
        "nenhuma",
        "nessuna",
        "none",
        "aucune",
        "sim",
        "no",
        "1",
        "não sei",
        "mon mari",
    ],
)
def test_words_that_name_no_language_find_none(names: LanguageNames, text: str) -> None:
    assert names.find(text) == []


def test_a_common_word_that_is_also_a_language_counts_only_alone(names: LanguageNames) -> None:
    assert [e.value for e in names.find("mon mari parle arabe")] == ["ar"]


def test_a_code_is_named_in_the_reader_s_language() -> None:
    assert (name_of("ar", "pt"), name_of("ar", "it"), name_of("wo", "fr")) == (
        "árabe",
        "arabo",
        "wolof",
    )
    assert name_of("xx", "pt") == "xx"


def test_the_parse_gives_the_languages_as_entities(pipeline: nlp.Pipeline) -> None:
    understood = pipeline.parse("falo árabe e um pouco de inglês", "pt", "Europe/Lisbon", NOW)
    languages = [(e.text, e.value) for e in understood.entities if e.type == "language"]
    assert languages == [("arabe", "ar"), ("ingles", "en")]
