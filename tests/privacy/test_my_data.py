"""MY DATA from the chat: everything kept, shown in the person's language (answers, special
answers, meetings, channels masked, consents); by SMS a short summary and how to get the file;
on Telegram the whole record as a JSON file as well (GDPR art. 20). After DELETE, nothing."""

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.conversation.my_data import FILE_NAME, masked
from bot.conversation.service import ConversationService
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.record import person_record
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.privacy.test_no_residue import (
    EXPERIENCE,
    NAME,
    PHONE,
    TOLD,
    TOWN,
    a_whole_journey,
    answers,
)

ENGLISH = intake_flow().catalogues["en"].texts


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine: Engine, cipher: Cipher, clock: FakeClock) -> ConversationService:
    seed_demo_if_empty(engine)
    return ConversationService(engine, intake_flow(), cipher, "2026-11", None, clock)


def test_by_sms_my_data_shows_everything_kept_and_texts_a_short_summary(
    service: ConversationService, clock: FakeClock
) -> None:
    chat = a_whole_journey(service, clock)
    shown, asked_again = chat.say("my data")
    text = shown["text"]
    for kept in (
        f"Name: {NAME}",
        f"Municipality: {TOWN}",
        f"Experience: {EXPERIENCE}",
        "Justice system: No",
        "Situation: Migrant",
        "Meeting: ",
        "You agreed to us keeping your answers on 2026-11-24 (notice 2026-11)",
        "You agreed to the optional questions on 2026-11-24",
        f"Where we write to you: sms {masked(PHONE)}",
        ENGLISH["data.file_how"],
    ):
        assert kept in text, kept
    assert PHONE not in text and PHONE[-9:] not in text  # the number masked: ••••••••••678
    assert shown["sms_text"].startswith("We keep 20 answers, 1 meetings and your consent.")
    assert shown["document"] is None
    assert asked_again["node"] == "after_booking"  # and the conversation goes on where it was


def test_on_telegram_the_whole_record_also_comes_as_a_json_file_just_before(
    service: ConversationService,
) -> None:
    chat = Chat(service, "5151", "telegram")
    chat.start("en")
    for answer in answers():
        chat.say(answer)
    file, shown = chat.say("my data")[:2]
    assert file["document"]["name"] == FILE_NAME and file["text"] == ""
    record = json.loads(file["document"]["content"])
    (intake,) = record["intakes"]
    assert intake["experience_text"] == EXPERIENCE and intake["municipality"] == TOWN
    assert intake["special"] == {"disability": None, "justice": "no", "target_groups": ["migrant"]}
    assert record["channels"] == [
        {
            "channel": "telegram",
            "address": "•151",
            "opted_out": False,
            "created_at": "2026-11-24T09:00:00+00:00",
        }
    ]
    assert [(c["scope"], c["granted"]) for c in record["consents"]] == [
        ("general", True),
        ("special", True),
    ]
    assert record["conversation"]["municipality"] == TOWN
    assert shown["text"].endswith(ENGLISH["data.file_sent"])


def test_after_delete_my_data_says_nothing_is_kept_and_nothing_is(
    service: ConversationService, clock: FakeClock, engine: Engine, cipher: Cipher
) -> None:
    chat = a_whole_journey(service, clock)
    chat.say("delete")
    chat.say("yes")
    assert texts(chat.say("my data")) == ENGLISH["data.none"]
    with Session(engine) as db:
        record = person_record(db, cipher, chat.person_id or "")
    assert [name for name, section in record.items() if section] == ["person", "channels"]
    assert record["person"]["first_name"] is None
    assert json.dumps(record).count(TOLD) == 0
    # Again later: still nothing, and no intake started behind the person's back.
    assert texts(chat.say("my data")) == ENGLISH["data.none"]
