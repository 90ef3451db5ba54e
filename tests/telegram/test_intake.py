"""Whole intakes on Telegram, in each of the five languages, over the webhook and over long
polling, against the fake Bot API server: buttons where they help, free text where people type."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.channels.telegram.format import CALLBACK_LIMIT
from bot.entry.bootstrap import App
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import TEXTS_DIR, intake_flow
from storage.booking import Appointment
from storage.models import Intake, Outbox
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram.person import Polling, TelegramUser, Transport, polling_bot

TOWN = {"en": "Porto", "pt": "Matosinhos", "it": "Bologna", "es": "Vigo", "fr": "Lyon"}
EXPERIENCE = {
    "en": "I worked five years as a cook and I look after my grandmother",
    "pt": "Trabalhei cinco anos como cozinheira e cuido da minha avó",
    "it": "Ho lavorato cinque anni come cuoca e mi occupo di mia nonna",
    "es": "Trabajé cinco años de cocinera y cuido de mi abuela",
    "fr": "J'ai travaillé cinq ans comme cuisinière et je m'occupe de ma grand-mère",
}
# How each question is answered: ("press", choice id) or ("type", text).
ANSWERS = {
    "consent": ("press", "yes"),
    "age_band": ("type", "2"),  # free text where a keyboard is shown
    "unemployed_since": ("press", "1to2y"),
    "benefits": ("press", "none"),
    "isced": ("press", "upper_secondary"),
    "other_languages": ("type", "1 3"),
    "language_level": ("press", "B"),
    "digital_skills": ("press", "basic"),
    "driving_licence": ("press", "car"),
    "mobility": ("press", "public_transport"),
    "availability": ("press", "full_time"),
    "caring_duties": ("press", "none"),
    "goal": ("press", "work"),
    "special_consent": ("press", "no"),
    "summary": ("press", "confirm"),
    "first_name": ("type", "Maria"),
}
LANGUAGES = [
    pytest.param(
        lang,
        marks=pytest.mark.skipif(
            not (TEXTS_DIR / f"{lang}.yaml").exists(), reason=f"no {lang} catalogue yet"
        ),
    )
    for lang in ("en", "pt", "it", "es", "fr")
]
CHAT = 7001


@pytest.fixture(params=["webhook", "polling"])
def transport(
    request: pytest.FixtureRequest, application: App, telegram: FakeTelegram
) -> Iterator[Transport]:
    if request.param == "webhook":
        yield request.getfixturevalue("webhook")
        return
    with polling_bot(application):
        yield Polling(telegram)


def answer_every_question(user: TelegramUser, lang: str) -> None:
    for _ in range(40):
        if user.node() == "after_intake":
            return
        answer_one(user, lang)
    raise AssertionError(f"the intake did not end; stuck at {user.node()}")


def answer_one(user: TelegramUser, lang: str) -> None:
    """Answer the question in view: buttons where they help, words where people type."""
    node = user.node()
    if node == "municipality":
        user.say(TOWN[lang])
    elif node == "experience_text":
        user.say(EXPERIENCE[lang])
    elif node == "mother_tongue":
        user.press(lang)
    else:
        how, answer = ANSWERS[node]
        if how == "type":
            user.say(answer)
        else:
            edited = user.press(answer)
            assert "reply_markup" not in edited
            assert "\n→ " in edited["text"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_whole_intake_with_buttons_and_words(
    lang: str, transport: Transport, application: App, telegram: FakeTelegram
) -> None:
    user = TelegramUser(transport, telegram, application.engine, CHAT)
    user.start()
    user.press(lang)
    answer_every_question(user, lang)

    with Session(application.engine) as db:
        intake = db.exec(select(Intake)).one()
    assert (intake.lang, intake.channel, intake.goal, intake.age_band) == (
        lang,
        "telegram",
        "work",
        "25-29",
    )
    assert intake.availability == ["full_time"]
    assert intake.municipality == TOWN[lang]
    sent = telegram.calls_to("sendMessage")
    callback_data = [
        button["callback_data"]
        for call in sent
        if call.get("reply_markup")
        for row in call["reply_markup"]["inline_keyboard"]
        for button in row
    ]
    assert callback_data and all(len(d.encode()) <= CALLBACK_LIMIT for d in callback_data)
    assert all(d.startswith("c|") and TOWN[lang] not in d for d in callback_data)
    answered = telegram.calls_to("answerCallbackQuery")
    assert len(answered) == len(telegram.calls_to("editMessageText")) > 10


@pytest.mark.skipif(not Path(TEXTS_DIR / "it.yaml").exists(), reason="no it catalogue yet")
def test_the_telegram_client_language_opens_the_conversation_in_it(
    transport: Transport, application: App, telegram: FakeTelegram
) -> None:
    user = TelegramUser(transport, telegram, application.engine, CHAT, language_code="it")
    user.start()

    italian = intake_flow().catalogues["it"].texts
    assert user.node() == "consent"
    assert user.texts()[0] == italian["welcome"]
    assert user.texts()[-1] == italian["consent.ask"]


def test_a_meeting_is_booked_with_a_button_and_the_counselor_is_notified(
    webhook: Transport, application: App, telegram: FakeTelegram
) -> None:
    seed_demo_if_empty(application.engine)
    user = TelegramUser(webhook, telegram, application.engine, CHAT)
    user.start()
    user.press("en")
    for _ in range(40):
        if user.node() == "first_name":
            break
        answer_one(user, "en")
    user.say("Maria")
    assert user.node() == "book_offer"
    slots = [
        b["callback_data"]
        for row in user.last_keyboard()["reply_markup"]["inline_keyboard"]
        for b in row
        if "|slot" in b["callback_data"]
    ]
    assert len(slots) == 3
    user.press(slots[0].rsplit("|", 1)[1])
    assert user.texts()[-2].startswith("Booked: ")
    with Session(application.engine) as db:
        (appointment,) = db.exec(select(Appointment)).all()
        (notice,) = db.exec(select(Outbox).where(Outbox.kind == "notification")).all()
    assert appointment.status == "booked"
    assert notice.payload["ics_method"] == "REQUEST"


def test_my_data_from_the_menu_brings_the_whole_record_as_a_file_then_the_text(
    webhook: Transport, application: App, telegram: FakeTelegram
) -> None:
    user = TelegramUser(webhook, telegram, application.engine, CHAT)
    user.start()
    user.press("en")
    answer_every_question(user, "en")
    user.say("/mydata")

    (upload,) = telegram.calls_to("sendDocument")
    assert upload["chat_id"] == CHAT and upload["document"]["file_name"] == "my-data.json"
    record = json.loads(upload["document"]["content"])
    assert record["intakes"][0]["experience_text"] == EXPERIENCE["en"]
    assert record["channels"][0]["address"] == "•" + str(CHAT)[-3:]
    english = intake_flow().catalogues["en"].texts
    shown = user.texts()[-2]
    assert f"Experience: {EXPERIENCE['en']}" in shown
    assert shown.endswith(english["data.file_sent"])
    assert user.node() == "after_intake"  # and the conversation goes on where it was
