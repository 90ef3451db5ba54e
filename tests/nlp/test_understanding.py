import json
from datetime import datetime

import pytest

import nlp

NOW = datetime(2026, 3, 28, 9, 0)
LISBON = "Europe/Lisbon"


@pytest.mark.parametrize(
    ("lang", "text", "intent"),
    [
        ("pt", "quero desmarcar", "cancel"),
        ("pt", "quero falar com uma pessoa", "human"),
        ("pt", "queria marcar uma reuniao", "book"),
        ("pt", "apaguem os meus dados", "delete_data"),
        ("it", "vorrei disdire l'appuntamento", "cancel"),
        ("it", "voglio parlare con un operatore", "human"),
        ("en", "can I change the time of my appointment?", "reschedule"),
        ("en", "stop sending me messages", "stop"),
        ("es", "quiero cambiar de idioma", "change_language"),
        ("es", "¿qué datos tienen sobre mí?", "my_data"),
        ("fr", "je voudrais prendre rendez-vous", "book"),
        ("fr", "on recommence", "restart"),
        ("pt", "sim", "yes"),
        ("it", "no grazie", "no"),
        ("fr", "bonjour", "greet"),
    ],
)
def test_intents_in_every_language(pipeline, lang, text, intent):
    understood = pipeline.parse(text, lang, LISBON, NOW)
    assert understood.intent == intent
    assert 0.35 <= understood.confidence <= 1.0


def test_an_answer_to_a_question_is_other(pipeline):
    assert pipeline.parse("moro em Loures", "pt", LISBON, NOW).intent == "other"


def test_phone_email_number_and_yes_no(pipeline):
    text = "sim, o meu número é 912 345 678 e o email ana@exemplo.pt"
    u = pipeline.parse(text, "pt", LISBON, NOW)
    found = {(e.type, e.value) for e in u.entities}
    assert ("phone", "+351912345678") in found
    assert ("email", "ana@exemplo.pt") in found
    assert ("yes_no", True) in found


def test_italian_phone_and_number_words(pipeline):
    u = pipeline.parse("ho tre figli, chiamate il 333 123 4567", "it", "Europe/Rome", NOW)
    found = {(e.type, e.value) for e in u.entities}
    assert ("number", 3) in found
    assert ("phone", "+393331234567") in found


def test_no_is_an_answer_in_english(pipeline):
    u = pipeline.parse("no, thanks", "en", LISBON, NOW)
    assert ("yes_no", False) in {(e.type, e.value) for e in u.entities}


def test_care_work_in_italian_gives_a_care_occupation(pipeline):
    u = pipeline.parse("ho fatto la badante per sei anni", "it", "Europe/Rome", NOW)
    assert u.occupations[0].group in {"5322", "5162", "5321"}
    assert u.occupations[0].uri.startswith("http://data.europa.eu/esco/occupation/")
    assert ("number", 6) in {(e.type, e.value) for e in u.entities}


@pytest.mark.parametrize(
    ("lang", "text", "group"),
    [
        ("pt", "fui cozinheiro", "512"),
        ("pt", "fui cosinheiro", "512"),  # typo
        ("es", "era cocinero", "512"),
        ("en", "I worked as a cook", "512"),
        ("fr", "j'étais maçon", "711"),
    ],
)
def test_occupations_carry_their_isco_group(pipeline, lang, text, group):
    groups = [m.group[:3] for m in pipeline.parse(text, lang, LISBON, NOW).occupations[:3]]
    assert group in groups


def test_old_portuguese_spelling_matches_the_new(pipeline):
    old = pipeline.parse("fui director comercial", "pt", LISBON, NOW).occupations
    new = pipeline.parse("fui diretor comercial", "pt", LISBON, NOW).occupations
    assert old and old[0].uri == new[0].uri


def test_occupation_labels_are_in_the_persons_language(pipeline):
    u = pipeline.parse("fui cozinheiro", "pt", LISBON, NOW)
    assert "cozinh" in u.occupations[0].label.lower()


def test_messages_about_booking_have_no_occupation(pipeline):
    assert pipeline.parse("quero desmarcar a reunião", "pt", LISBON, NOW).occupations == ()


@pytest.mark.parametrize(
    ("lang", "text", "skill"),
    [
        ("pt", "cuidei da minha mãe durante 3 anos", "77b636e8"),
        ("it", "gestisco il bilancio di casa", "1ddc021d"),
        ("en", "I volunteer at a food bank", "7d9bace0"),
        ("es", "arreglo los muebles de casa", "9c0f93f7"),
        ("fr", "je sais utiliser un ordinateur", "6b2f8802"),
    ],
)
def test_life_experience_gives_transversal_skills(pipeline, lang, text, skill):
    skills = pipeline.parse(text, lang, LISBON, NOW).skills
    assert skill in {m.uri.rsplit("/", 1)[-1][:8] for m in skills}


def test_skill_labels_are_adapted_into_the_persons_language(pipeline):
    skills = pipeline.parse("cuidei da minha mãe", "pt", LISBON, NOW).skills
    assert "mostrar empatia" in {m.label for m in skills}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour, je voudrais un rendez-vous", "fr"),
        ("quero marcar uma reunião amanhã", "pt"),
        ("vorrei parlare con qualcuno", "it"),
        ("I would like to book an appointment", "en"),
        ("quiero pedir una cita", "es"),
    ],
)
def test_language_of_a_clear_message_is_detected(pipeline, text, lang):
    assert pipeline.detect_language(text) == lang


@pytest.mark.parametrize("text", ["no", "ok", "si", "sim?", "Maria", "3"])
def test_one_ambiguous_word_never_switches_language(pipeline, text):
    assert pipeline.detect_language(text) in (None, "pt")
    assert pipeline.detect_language(text) != "es" or text != "no"


def test_detected_language_is_filled_in(pipeline):
    assert pipeline.parse("hello, I need help", "pt", LISBON, NOW).detected_lang == "en"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "!!!!!!!????", "привет 你好 مرحبا hi", "a" * 10_000, "ab!" * 4_000],
)
def test_bad_input_gives_other_and_no_entities(pipeline, text):
    u = pipeline.parse(text, "pt", LISBON, NOW)
    assert (u.intent, u.entities, u.occupations, u.datetime) == ("other", (), (), None)
    json.dumps(nlp.understanding_to_json(u, "Europe/Lisbon"))


def test_json_shape_is_the_contract(pipeline):
    u = pipeline.parse("amanhã às 10h", "pt", "Europe/Lisbon", NOW)
    out = nlp.understanding_to_json(u, "Europe/Lisbon")
    assert set(out) == {"lang", "detected_lang", "intent", "confidence", "entities",
                        "occupations", "activities", "skills", "datetime", "part_of_day",
                        "places"}
    assert out["datetime"] == "2026-03-29T10:00:00+01:00"
    assert {"type": "date", "text": "amanhã", "value": "2026-03-29"} in out["entities"]
