"""Choice questions answered the way people write on a phone, never with an option number."""

from datetime import date

import pytest

from dialogs.answers import Answer, Guess, Rejection, read_answer
from dialogs.check import check
from dialogs.loader import intake_flow, parse_flow
from dialogs.model import Catalogue
from tests.dialogs.drive import intake_data

TODAY = date(2026, 11, 24)


def _read(lang: str, node_id: str, text: str) -> Answer | Guess | Rejection:
    flow = intake_flow()
    node = flow.node(node_id)
    return read_answer(node, node.choices, text, flow.catalogues[lang], TODAY)


@pytest.mark.parametrize(
    ("lang", "node", "text", "expected"),
    [
        ("pt", "age_band", "tenho 62", "55+"),
        ("it", "age_band", "ho 27 anni", "25-29"),
        ("en", "age_band", "I'm 45", "40-54"),
        ("pt", "age_band", "35 anos", "30-39"),
        ("pt", "age_band", "30 a 39", "30-39"),
        ("es", "age_band", "treinta y cinco", "30-39"),
        ("it", "age_band", "trentacinque", "30-39"),
        ("fr", "age_band", "quarante-cinq ans", "40-54"),
        ("pt", "unemployed_since", "desde março", "6to12m"),
        ("it", "unemployed_since", "da due anni", "1to2y"),
        ("en", "unemployed_since", "about eight months", "6to12m"),
        ("fr", "unemployed_since", "depuis l'été", "lt6m"),
        ("pt", "unemployed_since", "há 2 anos e meio", "gt2y"),
        ("es", "unemployed_since", "nunca he trabajado", "never"),
        ("pt", "benefits", "RSI", "minimum_income"),
        ("pt", "benefits", "subsídio social de desemprego", "unemployment"),
        ("it", "benefits", "prendo la NASpI", "unemployment"),
        ("it", "benefits", "DIS-COLL", "unemployment"),
        ("it", "benefits", "Assegno di inclusione", "minimum_income"),
        ("it", "benefits", "cassa integrazione", "redundancy"),
        ("es", "benefits", "cobro el paro", "unemployment"),
        ("es", "benefits", "IMV", "minimum_income"),
        ("fr", "benefits", "ARE", "unemployment"),
        ("fr", "benefits", "le RSA", "minimum_income"),
        ("it", "benefits", "nn prendo niente", "none"),
        ("fr", "benefits", "pas d'aide", "none"),
        ("pt", "benefits", "não recebo o RSI", "none"),
        ("pt", "isced", "4.ª classe", 1),
        ("it", "isced", "terza media", 2),
        ("es", "isced", "la ESO", 2),
        ("es", "isced", "bachillerato", 3),
        ("fr", "isced", "le bac", 3),
        ("en", "isced", "GCSEs", 2),
        ("it", "driving_licence", "patente B", "car"),
        ("es", "driving_licence", "carné B", "car"),
        ("pt", "driving_licence", "não tenho carta", "none"),
        ("pt", "caring_duties", "a minha mãe", "adult"),
        ("pt", "digital_skills", "só o telemóvel", "basic"),
        ("pt", "availability", "manhãs e fins de semana", ["mornings", "weekends"]),
        ("it", "availability", "la mattina e il sabato", ["mornings", "weekends"]),
        ("pt", "other_languages", "inglês e francês", ["en", "fr"]),
        ("pt", "goal", "o primeiro", "direction"),
        ("it", "goal", "il secondo", "work"),
        ("en", "goal", "the last one", "enterprise"),
        ("fr", "goal", "le premier", "direction"),
        ("pt", "consent", "pode ser", "yes"),
        ("it", "consent", "va bene", "yes"),
        ("es", "consent", "claro", "yes"),
        ("en", "consent", "👍", "yes"),
        ("en", "consent", "👎", "no"),
        ("pt", "summary", "👍", "confirm"),
    ],
)
def test_a_natural_answer_lands_on_its_choice(lang: str, node: str, text: str, expected) -> None:
    read = _read(lang, node, text)
    assert isinstance(read, Answer)
    assert read.value == expected


def test_two_choices_named_where_one_is_asked_are_asked_about_not_refused() -> None:
    read = _read("it", "mobility", "bus o bici")
    assert isinstance(read, Guess)
    assert read.choice.id == "public_transport"


def test_an_answer_close_to_a_choice_is_asked_about() -> None:
    read = _read("pt", "benefits", "desemprgo social")
    assert isinstance(read, Guess)
    assert read.choice.id == "unemployment"


@pytest.mark.parametrize(("node", "text"), [("age_band", "tenho 2 filhos e 1 cão"),
                                            ("age_band", "blah"), ("benefits", "talvez")])
def test_nothing_plausible_is_refused(node: str, text: str) -> None:
    assert isinstance(_read("pt", node, text), Rejection)


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "yes"), ("pt", "sim"), ("it", "non capisco niente, parlate italiano?"),
    ("en", "what do you mean by municipality?"),
])
def test_the_municipality_is_a_name_not_a_yes_or_a_question(lang: str, text: str) -> None:
    read = _read(lang, "municipality", text)
    assert isinstance(read, Rejection)
    assert read.key == "error.name"


def test_words_for_a_choice_that_does_not_exist_fail_the_flow_check() -> None:
    flow = intake_flow()
    wrong = Catalogue(**{**vars(flow.catalogues["en"]),
                         "answers": {"benefits": {"pension": ("pension",)}}})
    broken = parse_flow(intake_data(), {"en": wrong})
    assert "en: words for benefits: no choice pension" in check(broken).errors


def test_held_out_natural_answers_are_understood_the_first_time_at_least_95_in_100() -> None:
    from dialogs.evaluation import cases, outcome

    flow = intake_flow()
    got = [outcome(flow, *case) for case in cases("heldout")]
    assert got.count("understood") / len(got) >= 0.95
    assert "wrong" not in got
