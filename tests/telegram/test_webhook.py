"""POST /webhooks/telegram: the secret token, durable recording before 200, once-only
processing, and what only Telegram needs around the conversation."""

import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from dialogs.render import render
from storage.models import Identity, InboundSeen, Outbox, Person
from tests.clock import UNDER_FAKETIME
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram import updates
from tests.telegram.conftest import make_settings
from tests.telegram.person import SECRET, TelegramUser, Webhook

CHAT = 4401


def inbound_count(application: App) -> int:
    with Session(application.engine) as db:
        return db.exec(select(func.count()).select_from(InboundSeen)).one()


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "not-the-secret"}])
def test_an_update_without_the_right_secret_token_is_refused(
    webhook: Webhook, application: App, telegram: FakeTelegram, headers: dict[str, str]
) -> None:
    response = webhook.client.post(PATH, json=updates.message(CHAT, "/start"), headers=headers)

    assert response.status_code == 403
    assert inbound_count(application) == 0
    assert telegram.calls_to("sendMessage") == []


def test_without_a_configured_secret_every_update_is_refused(
    application: App, telegram: FakeTelegram
) -> None:
    from fastapi.testclient import TestClient

    application.settings = make_settings(telegram, telegram_webhook_secret=None)
    with TestClient(create_app(application)) as client:
        response = client.post(
            PATH, json=updates.message(CHAT, "/start"), headers={SECRET_HEADER: ""}
        )
    assert response.status_code == 403
    assert inbound_count(application) == 0


def test_the_web_app_serves_the_telegram_webhook(application: App, telegram: FakeTelegram) -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(application)) as client:
        ana = TelegramUser(Webhook(client), telegram, application.engine, CHAT)
        ana.start()
    assert ana.texts() == ["Olá! Ciao! Hello! Hola! Bonjour! Que língua prefere?"]


def test_start_asks_for_the_language_with_a_keyboard_of_small_payloads(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    TelegramUser(webhook, telegram, application.engine, CHAT).start()

    (question,) = telegram.calls_to("sendMessage")
    buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [
        "c|language|pt", "c|language|it", "c|language|en", "c|language|es", "c|language|fr",
    ]  # fmt: skip
    assert [b["text"] for b in buttons][:3] == ["Português", "Italiano", "English"]
    assert question["chat_id"] == CHAT


def test_a_repeated_update_is_processed_once(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    update = updates.message(CHAT, "/start")
    ana.send(update)
    ana.send(update)  # Telegram delivers again when it missed our 200

    assert len(telegram.calls_to("sendMessage")) == 1
    assert inbound_count(application) == 1


def test_update_ids_need_not_increase(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.send(updates.message(CHAT, "/start", update_id=900))
    ana.send(updates.message(CHAT, "/help", update_id=5))

    assert inbound_count(application) == 2
    assert len(telegram.calls_to("sendMessage")) > 1


def test_an_update_that_cannot_be_recorded_gets_5xx_and_counts_when_delivered_again(
    webhook: Webhook, application: App, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    update = updates.message(CHAT, "/start")
    real_handle = application.service.handle

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(application.service, "handle", broken)
    response = webhook.client.post(PATH, json=update, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 500
    assert inbound_count(application) == 0

    monkeypatch.setattr(application.service, "handle", real_handle)
    TelegramUser(webhook, telegram, application.engine, CHAT).send(update)
    assert inbound_count(application) == 1
    assert len(telegram.calls_to("sendMessage")) == 1


def test_a_failing_update_does_not_stop_the_next_one(
    webhook: Webhook, application: App, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_handle = application.service.handle

    def fails_for_one_chat(inbound, *args, **kwargs):  # type: ignore[no-untyped-def]
        if inbound.address == "1":
            raise OSError("disk full")
        return real_handle(inbound, *args, **kwargs)

    monkeypatch.setattr(application.service, "handle", fails_for_one_chat)
    response = webhook.client.post(
        PATH, json=updates.message(1, "/start"), headers={SECRET_HEADER: SECRET}
    )
    TelegramUser(webhook, telegram, application.engine, CHAT).start()

    assert response.status_code == 500
    assert [c["chat_id"] for c in telegram.calls_to("sendMessage")] == [CHAT]


def test_a_pressed_button_is_answered_and_its_question_shows_the_answer(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    edited = ana.press("en")

    assert edited["text"] == "Olá! Ciao! Hello! Hola! Bonjour! Que língua prefere?\n→ English"
    assert "reply_markup" not in edited
    (answer,) = telegram.calls_to("answerCallbackQuery")
    assert answer["callback_query_id"].startswith("cq-")
    assert ana.texts()[-1] == "Do you agree that we keep your answers for this purpose?"
    assert ana.node() == "consent"


def test_free_text_answers_a_question_shown_with_buttons_and_retires_them(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    ana.press("pt")
    consent = ana.last_keyboard()
    ana.say("sim")

    assert ana.node() == "municipality"
    (retired,) = telegram.calls_to("editMessageReplyMarkup")
    assert retired["message_id"] == consent["message_id"]
    assert "reply_markup" not in next(
        m for m in ana.messages() if m["message_id"] == consent["message_id"]
    )


def test_telegram_gets_its_answer_before_the_bot_calls_telegram_back(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    # Telegram sends a chat's next update only once this one is answered: the courtesy calls
    # (retiring a keyboard) and the replies follow the answer instead of holding it up.
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    ana.press("pt")
    update = updates.message(CHAT, "sim")
    body = json.dumps(update).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        "headers": [(b"content-type", b"application/json"),
                    (SECRET_HEADER.lower().encode(), SECRET.encode())],
    }  # fmt: skip
    seen: list[tuple[object, int]] = []

    async def post() -> None:
        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                seen.append((message["status"], len(telegram.calls_to("editMessageReplyMarkup"))))

        await webhook.client.app(scope, receive, send)
        seen.append(("after", len(telegram.calls_to("editMessageReplyMarkup"))))

    webhook.client.portal.call(post)  # in the app's event loop, where its Bot lives

    assert seen == [(200, 0), ("after", 1)]
    ana.settle(update["update_id"])
    assert ana.node() == "municipality"


def test_menu_commands_reach_the_flow_as_its_command_words(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT, language_code="en")
    ana.start()
    ana.say("/language")
    assert ana.node() == "language"
    ana.press("en")
    ana.press("yes")
    ana.say("Porto")
    ana.say("/mydata@percorso_bot")

    assert "Municipality: Porto" in ana.texts()[-2]


def test_an_old_or_unknown_button_is_a_stale_choice(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT, language_code="en")
    ana.start()
    sent = ana.last_keyboard()
    ana.send(updates.pressed(CHAT, sent, "x|something-else"))

    assert ana.texts()[-2] == "That option is no longer available."
    assert ana.node() == "consent"


def test_a_voice_note_is_answered_politely_in_the_persons_language(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    ana.press("it")
    ana.send(updates.voice(CHAT))

    assert ana.texts()[-2] == (
        "Mi spiace, so leggere solo messaggi di testo. Scriva la sua risposta."
    )
    assert ana.node() == "consent"


def test_messages_from_groups_are_left_alone(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    response = webhook.client.post(
        PATH,
        json=updates.message(-100200, "/start", chat_type="group"),
        headers={SECRET_HEADER: SECRET},
    )
    assert response.status_code == 200
    assert inbound_count(application) == 0


def test_a_deep_link_payload_is_recorded_as_where_the_person_came_from(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start("porto-fair_2026")
    ana.start("another-campaign")
    TelegramUser(webhook, telegram, application.engine, CHAT + 1).start("my name is Ana")

    with Session(application.engine) as db:
        sources = dict(
            db.exec(select(Identity.address, Person.source).join(Person)).all()  # type: ignore[arg-type]
        )
    assert sources == {str(CHAT): "porto-fair_2026", str(CHAT + 1): None}


def test_blocking_the_bot_marks_the_person_unreachable_until_they_let_it_back(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    blocked = updates.membership(CHAT, "kicked")
    ana.send(blocked)
    assert ana.identity().reachable is False
    ana.send(blocked)  # delivered again: still once
    ana.send(updates.membership(CHAT, "member"))
    assert ana.identity().reachable is True
    assert inbound_count(application) == 3


def test_a_403_on_sending_marks_the_person_unreachable_and_is_not_retried(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    telegram.block(CHAT)
    ana.press("en")

    assert ana.identity().reachable is False
    with Session(application.engine) as db:
        errors = db.exec(select(Outbox.status, Outbox.last_error).order_by(Outbox.id)).all()
    # The first refusal marks the person; the rows behind it are not even tried.
    assert errors[1:] == [
        ("failed", "telegram:403"), ("failed", "unreachable"), ("failed", "unreachable"),
    ]  # fmt: skip
    assert len(telegram.calls_to("sendMessage")) == 2


def test_erasing_ones_data_forgets_where_one_came_from(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT, language_code="en")
    ana.start("porto-fair_2026")
    ana.say("/delete")
    ana.press("yes")

    with Session(application.engine) as db:
        people = db.exec(select(Person.source, Person.erased_at)).all()
    assert len(people) == 2  # the erased person, and the blank one the chat now belongs to
    assert all(source is None for source, _ in people)


@pytest.mark.skipif(
    UNDER_FAKETIME,
    reason="libfaketime fakes the monotonic clock, which stretches the hurry's timed wait for "
    "retry_after (with FAKETIME_DONT_FAKE_MONOTONIC, Python's sleep fails instead)",
)
def test_a_429_is_waited_out_and_the_replies_still_arrive_in_order(
    webhook: Webhook, application: App, telegram: FakeTelegram
) -> None:
    ana = TelegramUser(webhook, telegram, application.engine, CHAT)
    ana.start()
    telegram.fail_next("sendMessage", 429, retry_after=1)
    ana.press("en")

    texts = [call["text"] for call in telegram.calls_to("sendMessage")]
    assert texts[1] == texts[2]  # refused once, then sent when Telegram allowed
    english = application.service.flow.catalogues["en"].texts
    version = application.service.notice_version
    notice = render(english["privacy.notice"], {"notice_version": version})
    assert ana.texts()[1:] == [english["welcome"], notice, english["consent.ask"]]
