"""Reading Telegram updates into what percorso understands, with no I/O."""

from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.updates import (
    UNREADABLE_BUTTON,
    Received,
    bot_id_of,
    read_update,
)
from bot.contacts.membership import MembershipChanged
from tests.telegram import updates

LANGUAGES = ("pt", "it", "en", "es", "fr")
CHAT = 31


def read(data: dict[str, Any]) -> Received | MembershipChanged | None:
    return read_update(Update.de_json(data, None), "123456", LANGUAGES)


def test_the_external_id_is_the_update_id_scoped_by_the_bot() -> None:
    received = read(updates.message(CHAT, "hello", update_id=77))
    assert received.inbound.external_id == "123456:77"
    assert bot_id_of("123456:ABC-def") == "123456"


def test_text_is_passed_as_it_was_written() -> None:
    received = read(updates.message(CHAT, "  I was a cook  "))
    assert (received.inbound.channel, received.inbound.address) == ("telegram", str(CHAT))
    assert received.inbound.text == "  I was a cook  "


@pytest.mark.parametrize(
    ("written", "payload"),
    [
        ("/start", None),
        ("/start porto-fair_2026", "porto-fair_2026"),
        ("/start@percorso_bot lisbon", "lisbon"),
        ("/start my name is Ana", None),  # not a deep link: never kept
        ("/start " + "x" * 65, None),
    ],
)
def test_start_opens_the_conversation_with_only_a_deep_link_payload(
    written: str, payload: str | None
) -> None:
    inbound = read(updates.message(CHAT, written)).inbound
    assert inbound.start is True
    assert inbound.start_payload == payload
    assert inbound.text is None


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("/help", "/help"),
        ("/mydata@percorso_bot", "/mydata"),
        ("/PERSON", "/person"),
        ("/language pt", "/language"),
        ("/agenda@percorso_bot week", "/agenda week"),
    ],
)
def test_commands_lose_what_the_client_adds(written: str, text: str) -> None:
    assert read(updates.message(CHAT, written)).inbound.text == text


def test_link_carries_its_code_apart_from_the_text() -> None:
    received = read(updates.message(CHAT, "/link K7QX2-9ZMBA"))
    assert received.link_code == "K7QX2-9ZMBA"
    assert received.inbound.text == "/link K7QX2-9ZMBA"


@pytest.mark.parametrize(
    ("code", "lang"), [("pt-br", "pt"), ("it", "it"), ("EN", "en"), ("uk", None), (None, None)]
)
def test_the_clients_language_is_given_when_the_flow_speaks_it(
    code: str | None, lang: str | None
) -> None:
    assert read(updates.message(CHAT, "/start", language_code=code)).inbound.lang == lang


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}}, "voice"),
        ({"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, "photo"),
        ({"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                      "is_animated": False, "is_video": False, "type": "regular"}}, "sticker"),
        ({"document": {"file_id": "d", "file_unique_id": "d"}}, "document"),
        ({"location": {"latitude": 41.1, "longitude": -8.6}}, "location"),
    ],
)  # fmt: skip
def test_media_arrive_as_their_kind(content: dict[str, Any], kind: str) -> None:
    inbound = read(updates.message(CHAT, **content)).inbound
    assert (inbound.media, inbound.text) == (kind, None)


def test_a_shared_location_or_venue_carries_its_coordinates() -> None:
    shared = read(updates.message(CHAT, location={"latitude": 41.18, "longitude": -8.69}))
    assert (shared.inbound.media, shared.inbound.location) == ("location", (41.18, -8.69))
    venue = {
        "location": {"latitude": 44.49, "longitude": 11.34},
        "title": "Bar",
        "address": "Via Indipendenza",
    }
    pinned = read(updates.message(CHAT, venue=venue, location=venue["location"]))
    assert (pinned.inbound.media, pinned.inbound.location) == ("venue", (44.49, 11.34))


def test_a_button_press_is_a_choice_with_the_question_to_edit() -> None:
    button = {"text": "English", "callback_data": "c|language|en"}
    sent = {
        "message_id": 5,
        "date": 1,
        "text": "Which language?",
        "reply_markup": {"inline_keyboard": [[button]]},
    }
    received = read(updates.pressed(CHAT, sent, "c|language|en"))

    assert received.inbound.picked == ("language", "en")
    assert received.callback_id is not None
    assert (received.question.message_id, received.question.label) == (5, "English")


def test_a_button_we_cannot_read_reaches_the_flow_as_stale() -> None:
    sent = {"message_id": 5, "date": 1, "text": "?"}
    received = read(updates.pressed(CHAT, sent, "something|else"))
    assert received.inbound.picked == UNREADABLE_BUTTON
    assert received.question is None


@pytest.mark.parametrize(("status", "blocked"), [("kicked", True), ("member", False)])
def test_blocking_and_unblocking_are_memberships(status: str, blocked: bool) -> None:
    assert read(updates.membership(CHAT, status, update_id=9)) == MembershipChanged(
        "telegram", str(CHAT), "123456:9", blocked
    )


def test_groups_and_service_messages_are_ignored() -> None:
    assert read(updates.message(-100, "hello", chat_type="group")) is None
    assert read(updates.message(CHAT, new_chat_title="x")) is None
