"""Reading an answer against the choices a question offers, as people actually type it."""

import pytest

from dialogs.matching import clean, is_command, match_choice, match_choices
from dialogs.model import Choice
from tests.dialogs.drive import english, english_flow


def offer(node_id: str):
    """The choices of a question, with their English labels and synonyms."""
    choices = english_flow().node(node_id).choices
    texts, synonyms = english().texts, english().synonyms
    return (
        choices,
        {c.id: texts[c.text] for c in choices},
        {c.id: synonyms.get(c.text, ()) for c in choices},
    )


def picked(node_id: str, text: str) -> str | None:
    choice = match_choice(text, *offer(node_id))
    return choice.id if choice else None


def picked_several(node_id: str, text: str) -> list[str] | None:
    choices = match_choices(text, *offer(node_id))
    return [c.id for c in choices] if choices is not None else None


@pytest.mark.parametrize(
    ("node", "text", "expected"),
    [
        ("age_band", "2", "25-29"),
        ("age_band", " 5 ", "55+"),
        ("age_band", "2.", "25-29"),
        ("mother_tongue", "Português", "pt"),
        ("mother_tongue", "PORTUGUÊS", "pt"),
        ("mother_tongue", "portugues", "pt"),
        ("mother_tongue", "Portuguese", "pt"),
        ("mother_tongue", "english!", "en"),
        ("mother_tongue", "Français", "fr"),
        ("mother_tongue", "francais", "fr"),
        ("consent", "Yes, I agree", "yes"),
        ("consent", "yep", "yes"),
        ("consent", "I agree", "yes"),
        ("consent", "nope", "no"),
        ("isced", "University degree", "bachelor"),
        ("isced", "universty degree", "bachelor"),
        ("isced", "master's or doctorate", "master"),
        ("digital_skills", "I dont use them", "none"),
        ("availability", "fulltime", "full_time"),
        ("caring_duties", "CHILDREN", "children"),
    ],
)
def test_an_answer_names_one_choice_by_number_label_synonym_or_near_spelling(
    node: str, text: str, expected: str
) -> None:
    assert picked(node, text) == expected


@pytest.mark.parametrize(
    ("node", "text"),
    [
        ("age_band", "0"),
        ("age_band", "6"),
        ("age_band", "-1"),
        ("age_band", "12345678901234567890"),
        ("goal", ""),
        ("goal", "   "),
        ("goal", "!!!"),
        ("goal", "xq"),
        ("goal", "zz"),
        ("goal", "qwertyuiop"),
        ("mother_tongue", "klingon"),
    ],
)
def test_an_out_of_range_number_or_garbage_names_no_choice(node: str, text: str) -> None:
    assert picked(node, text) is None


def test_a_word_that_two_choices_share_names_neither() -> None:
    choices = (Choice("yes", "a"), Choice("maybe", "b"))
    labels = {"yes": "Yes", "maybe": "Maybe"}
    synonyms = {"yes": ("ok",), "maybe": ("ok", "perhaps")}
    assert match_choice("OK", choices, labels, synonyms) is None
    assert match_choice("perhaps", choices, labels, synonyms).id == "maybe"


def test_a_misspelling_as_close_to_two_choices_names_neither() -> None:
    choices = (Choice("full", "a"), Choice("fall", "b"))
    labels = {"full": "Full time", "fall": "Fall time"}
    assert match_choice("fxll time", choices, labels, {}) is None
    assert match_choice("fulll time", choices, labels, {}).id == "full"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 3", ["pt", "en"]),
        ("1, 3", ["pt", "en"]),
        ("1,3", ["pt", "en"]),
        ("1 e 3", ["pt", "en"]),
        ("1 and 3", ["pt", "en"]),
        ("1; 3 / 4", ["pt", "en", "es"]),
        ("3 1", ["en", "pt"]),
        ("1 1", ["pt"]),
        ("portuguese and english", ["pt", "en"]),
        ("Português, English", ["pt", "en"]),
        ("english & francais", ["en", "fr"]),
        ("none", ["none"]),
        ("7", ["none"]),
    ],
)
def test_several_choices_are_read_from_numbers_and_words(
    text: str, expected: list[str]
) -> None:
    assert picked_several("other_languages", text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "none and english",
        "1 7",
        "english, none",
        "1 9",
        "13",
        "1 banana",
        "",
        ",",
    ],
)
def test_several_choices_are_refused_when_a_part_is_unclear_or_none_comes_with_others(
    text: str,
) -> None:
    assert picked_several("other_languages", text) is None


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("help", ("help",), True),
        ("/HELP", ("help",), True),
        ("Help!", ("help",), True),
        ("help me with question 3", ("help",), False),
        ("my data", ("my data",), True),
        ("", ("help",), False),
    ],
)
def test_a_command_is_a_whole_message_in_any_case_with_or_without_a_slash(
    text: str, words: tuple[str, ...], expected: bool
) -> None:
    assert is_command(text, words) is expected


def test_cleaning_drops_control_characters_and_folds_white_space() -> None:
    assert clean("  one\x00two\t\u200b three\n\n") == "one two three"


@pytest.mark.parametrize("text", ["፩", "⓵", "1፩"])
def test_a_digit_that_is_not_a_decimal_digit_names_no_choice_instead_of_raising(
    text: str,
) -> None:
    assert picked("age_band", text) is None


def test_a_number_of_ten_thousand_digits_names_no_choice_instead_of_raising() -> None:
    assert picked("age_band", "1" * 10_000) is None
