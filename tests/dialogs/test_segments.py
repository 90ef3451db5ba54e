"""SMS segments by the GSM 03.38 rules, and texts made plain before they are counted."""

import pytest

from dialogs.segments import count, plain


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("Hello! See you tomorrow at 10:00, Rua X 12.", "GSM-7", 1),
        ("Ciao {nome}, costa 5€ [circa]", "GSM-7", 1),
        ("{" * 80, "GSM-7", 1),
        ("{" * 81, "GSM-7", 2),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("Não há problema: a sua marcação está confirmada.", "UCS-2", 1),
        ("Perché è così? Più tardi andrò là.", "GSM-7", 1),
        ("È tutto a posto.", "UCS-2", 1),
        ("Thanks 👍", "UCS-2", 1),
        ("👍" * 35, "UCS-2", 1),
        ("👍" * 36, "UCS-2", 2),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("ã" * 70, "UCS-2", 1),
        ("ã" * 71, "UCS-2", 2),
        ("ã" * 134, "UCS-2", 2),
        ("ã" * 135, "UCS-2", 3),
        ("", "GSM-7", 0),
    ],
)
def test_a_text_costs_segments_by_its_encoding(text: str, encoding: str, segments: int) -> None:
    counted = count(text)
    assert (counted.encoding, counted.segments) == (encoding, segments)


def test_an_extension_character_at_a_segment_boundary_moves_whole_to_the_next_segment() -> None:
    # 152 + 2 + 152 = 306 septets would fit two segments if the escape could be split.
    assert count("a" * 152 + "€" + "a" * 152).segments == 3
    assert count("a" * 151 + "€" + "a" * 153).segments == 2


def test_an_emoji_at_a_segment_boundary_is_not_split_between_segments() -> None:
    # 66 + 2 + 66 = 134 UTF-16 units would fit two segments if the surrogate pair could be split.
    assert count("ã" * 66 + "👍" + "ã" * 66).segments == 3
    assert count("ã" * 65 + "👍" + "ã" * 67).segments == 2


def test_characters_count_what_the_person_reads_not_encoding_units() -> None:
    assert count("€👍a").characters == 3


@pytest.mark.parametrize(
    ("text", "non_gsm"),
    [
        ("Olá, ação — ok", ["á", "ã", "ç", "—"]),
        ("È così", ["È"]),
        ("ok 👍👍", ["👍"]),
        ("Perché è così? 5€ {ok}", []),
    ],
)
def test_the_characters_outside_the_gsm_alphabet_are_listed_once_each(
    text: str, non_gsm: list[str]
) -> None:
    assert count(text).non_gsm == non_gsm


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("\u201cQuoted\u201d and \u2018single\u2019", "\"Quoted\" and 'single'"),
        ("one \u2013 two \u2014 three", "one - two - three"),
        ("wait\u2026", "wait..."),
        ("10\u00a0km", "10 km"),
        ("Não há ação, è così, Ç", "Não há ação, è così, Ç"),
    ],
)
def test_plain_replaces_typography_but_keeps_accented_letters(typed: str, expected: str) -> None:
    assert plain(typed) == expected


def test_plain_makes_an_italian_text_with_a_curly_apostrophe_cheap_to_send() -> None:
    typed = "L\u2019incontro è confermato\u2026"
    assert count(typed).encoding == "UCS-2"
    assert count(plain(typed)).encoding == "GSM-7"
