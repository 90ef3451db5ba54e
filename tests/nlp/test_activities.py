"""Work told in everyday words: the occupation and what the person did in it."""

from datetime import datetime

import pytest

NOW = datetime(2026, 3, 28, 9, 0)
LISBON = "Europe/Lisbon"


@pytest.mark.parametrize(
    ("lang", "text", "groups"),
    [
        ("pt", "fazia a limpeza de escritórios e casas de banho", {"911", "912"}),
        ("pt", "cozinheira numa cantina", {"512"}),
        ("it", "montavo mobili nelle case dei clienti", {"821", "752"}),
        ("it", "lavavo piatti e pentole in cucina", {"941"}),
        ("en", "I fixed bikes in my uncle's shop", {"723"}),
        ("en", "I drove a bus around town", {"833"}),
        ("es", "reponía las estanterías del supermercado", {"933", "522"}),
        ("fr", "je coupais les cheveux dans un salon", {"514"}),
        ("fr", "je livrais des colis en camionnette", {"832", "933", "962"}),
    ],
)
def test_what_people_did_names_the_occupation(pipeline, lang, text, groups):
    top = pipeline.parse(text, lang, LISBON, NOW).occupations[:3]
    assert {m.group[:3] for m in top if m.group} & groups


@pytest.mark.parametrize(
    ("lang", "text", "activity"),
    [
        ("en", "I fixed bikes in my uncle's shop", "perform repairs on bicycles"),
        ("fr", "je lavais la vaisselle dans un restaurant", "laver la vaisselle"),
        (
            "es",
            "reponía las estanterías del supermercado",
            "colocar las mercancías en las estanterías",
        ),
    ],
)
def test_the_esco_skill_the_person_spoke_of_comes_first(pipeline, lang, text, activity):
    activities = pipeline.parse(text, lang, LISBON, NOW).activities
    assert activities[0].label == activity
    assert activities[0].uri.startswith("http://data.europa.eu/esco/skill/")
    assert len(activities) <= 2


def test_in_italian_the_activity_is_a_phrase_of_the_description_with_its_verb(pipeline):
    u = pipeline.parse("lavavo piatti e pentole in cucina", "it", LISBON, NOW)
    assert u.activities[0].label == "lavare e pulire zone cucina"
    assert u.activities[0].uri.startswith(u.occupations[0].uri + "#description-")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("pt", "quero desmarcar a reunião"),
        ("it", "vorrei spostare l'appuntamento"),
        ("en", "I want to talk to someone"),
        ("es", "no puedo ir el lunes"),
        ("fr", "je ne comprends pas la question"),
    ],
)
def test_a_text_about_no_work_names_no_occupation_and_no_activity(pipeline, lang, text):
    u = pipeline.parse(text, lang, LISBON, NOW)
    assert u.occupations == ()
    assert u.activities == ()


def test_a_cannery_is_a_cannery_not_a_museum(pipeline) -> None:
    """Tinned food, "conservas" (lemma "conserva"), is not the verb "conservar", which the
    label matcher read as a misspelt "conservador" (of museums)."""
    text = "Trabalhei dez anos numa fábrica de conservas e cuidei da minha mãe doente"
    best = pipeline.parse(text, "pt", "Europe/Lisbon", NOW).occupations[0]
    assert (best.group, best.label.split("/")[0]) == (
        "8160",
        "Operador de máquina de enlatamento de peixe",
    )
