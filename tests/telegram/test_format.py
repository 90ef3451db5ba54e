"""Payloads as Telegram shows them: buttons with small callback data, texts cut below the limit."""

import pytest

from bot.channels.telegram.format import (
    CALLBACK_LIMIT,
    CHUNK_LIMIT,
    MESSAGE_LIMIT,
    answered,
    callback_data,
    keyboard,
    parse_callback,
    split_text,
)
from bot.delivery.outbound import Choice, Outbound
from dialogs.loader import intake_flow


def test_every_choice_of_the_intake_flow_fits_in_callback_data() -> None:
    flow = intake_flow()
    for node in flow.nodes.values():
        for choice in node.choices:
            data = callback_data(node.id, choice.id)
            assert len(data.encode()) <= CALLBACK_LIMIT
            assert parse_callback(data) == (node.id, choice.id)


def test_callback_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        callback_data("n" * 40, "c" * 30)


@pytest.mark.parametrize("data", [None, "", "c|only-node", "x|node|choice", "c||choice"])
def test_callback_data_we_did_not_write_is_not_read(data: str | None) -> None:
    assert parse_callback(data) is None


def test_a_payload_without_choices_has_no_keyboard() -> None:
    assert keyboard(Outbound("Hello")) is None


def test_choices_become_one_button_a_row_numbered_when_several_may_be_chosen() -> None:
    choices = (Choice("pt", "Português"), Choice("en", "English"))
    single = keyboard(Outbound("?", node="mother_tongue", choices=choices))
    multiple = keyboard(Outbound("?", node="other_languages", choices=choices, multiple=True))

    assert [[(b.text, b.callback_data) for b in row] for row in single.inline_keyboard] == [
        [("Português", "c|mother_tongue|pt")], [("English", "c|mother_tongue|en")],
    ]  # fmt: skip
    assert [row[0].text for row in multiple.inline_keyboard] == ["1. Português", "2. English"]


def test_an_answered_question_shows_the_answer_below_it() -> None:
    assert answered("Which language?", "English") == "Which language?\n→ English"


def test_a_short_text_is_left_whole() -> None:
    assert split_text("Hello. How are you?") == ["Hello. How are you?"]


def test_a_long_text_is_cut_after_sentences_below_the_limit() -> None:
    sentence = "This sentence is about forty characters. "
    text = sentence * 250  # about 10,000 characters

    parts = split_text(text)

    assert len(parts) == 3
    assert all(len(part) < MESSAGE_LIMIT for part in parts)
    assert all(part.endswith("characters.") for part in parts)
    assert " ".join(parts) == text.strip()


def test_a_text_without_sentences_is_cut_between_words() -> None:
    text = " ".join(["word"] * 2000)
    parts = split_text(text, limit=1000)

    assert all(len(part) <= 1000 and part.endswith("word") for part in parts)
    assert " ".join(parts) == text


def test_one_endless_word_is_cut_where_it_must_be() -> None:
    parts = split_text("x" * 2500, limit=1000)
    assert [len(part) for part in parts] == [1000, 1000, 500]


def test_the_limit_counts_utf16_units_as_telegram_does() -> None:
    text = "🙂" * CHUNK_LIMIT  # each emoji is two UTF-16 units
    parts = split_text(text)
    assert [len(part) for part in parts] == [CHUNK_LIMIT // 2, CHUNK_LIMIT // 2]
