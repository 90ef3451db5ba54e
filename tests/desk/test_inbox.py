"""The hand-over inbox of the desk, over HTTP: who sees which hand-over, every view of a thread
in the audit log, and taking, answering and closing from a form that works without JavaScript."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.conversation.service import ConversationService
from bot.counselors.inbox import HandOverInbox
from bot.entry.bootstrap import App
from storage.desk import RecordView
from storage.models import Counselor, HandOver, Identity, Outbox
from tests.chat import Chat
from tests.desk.conftest import ANA, COORDINATOR, csrf_of, log_in


def asks_for_a_person(
    service: ConversationService, address: str, municipality: str | None = None
) -> HandOver:
    """A person who agreed to the notice (and said where they live) and asked for a person."""
    chat = Chat(service, address)
    chat.start("en")
    chat.say("yes")
    if municipality:
        chat.say(municipality)
    chat.say("talk to a person")
    with Session(service.engine) as db:
        return db.exec(select(HandOver).where(HandOver.person_id == chat.person_id)).one()


@pytest.fixture
def in_porto(application: App) -> HandOver:
    return asks_for_a_person(application.service, "porto-asks", "Porto")


@pytest.fixture
def in_bologna(application: App) -> HandOver:
    return asks_for_a_person(application.service, "bologna-asks", "Bologna")


def views(engine: Engine) -> list[RecordView]:
    with Session(engine) as db:
        return list(db.exec(select(RecordView)))


def counselor_id(engine: Engine, code: str) -> int:
    with Session(engine) as db:
        return db.exec(select(Counselor.id).where(Counselor.code == code)).one()


def sent_to(engine: Engine, person_id: str) -> list[str]:
    with Session(engine) as db:
        rows = db.exec(
            select(Outbox).join(Identity, Identity.id == Outbox.identity_id)
            .where(Identity.person_id == person_id).order_by(Outbox.id)
        ).all()  # fmt: skip
    return [row.payload["text"] for row in rows]


def thread_links(html: str) -> list[str]:
    return re.findall(r'href="(/desk/inbox/\d+)"', html)


def test_a_counselor_lists_the_hand_overs_of_their_sites_and_a_coordinator_every_one(
    client: TestClient, in_porto: HandOver, in_bologna: HandOver
) -> None:
    log_in(client, ANA)
    listed = client.get("/desk/inbox")
    assert listed.status_code == 200
    assert thread_links(listed.text) == [f"/desk/inbox/{in_porto.id}"]
    assert "Quiosque da Vida Activa - Porto" in listed.text and "Bologna" not in listed.text
    assert "English" in listed.text and "console" in listed.text
    assert "since Tue 24 Nov, 09:00" in listed.text  # Lisbon's time: UTC in November
    client.post("/desk/logout", data={"csrf_token": csrf_of(listed.text)})

    log_in(client, COORDINATOR)
    assert thread_links(client.get("/desk/inbox").text) == [
        f"/desk/inbox/{in_porto.id}", f"/desk/inbox/{in_bologna.id}"]  # fmt: skip


def test_a_counselor_of_porto_cannot_open_a_bologna_hand_over_and_nothing_is_logged(
    client: TestClient, application: App, in_porto: HandOver, in_bologna: HandOver
) -> None:
    log_in(client, ANA)
    assert client.get(f"/desk/inbox/{in_bologna.id}").status_code == 404
    assert client.get("/desk/inbox/99999").status_code == 404
    token = csrf_of(client.get("/desk/inbox").text)
    taking = client.post(f"/desk/inbox/{in_bologna.id}/take", data={"csrf_token": token})
    assert taking.status_code == 404
    assert views(application.engine) == []

    own = client.get(f"/desk/inbox/{in_porto.id}")
    assert own.status_code == 200 and "How old are you?" in own.text  # what the bot said last
    (view,) = views(application.engine)
    assert (view.person_id, view.shown) == (in_porto.person_id, ["hand_over"])


def test_an_answer_without_its_csrf_token_is_refused_and_sends_nothing(
    client: TestClient, application: App, in_porto: HandOver
) -> None:
    log_in(client, ANA)
    before = sent_to(application.engine, in_porto.person_id)
    path = f"/desk/inbox/{in_porto.id}/answer"
    assert client.post(path, data={"text": "Hello"}).status_code == 403
    assert client.post(path, data={"text": "Hello", "csrf_token": "forged"}).status_code == 403
    assert sent_to(application.engine, in_porto.person_id) == before
    assert [m.author for m in HandOverInbox(application.service).thread(in_porto.id)
            if m.author == "counselor"] == []  # fmt: skip


def test_taking_a_hand_over_a_colleague_took_says_who_has_it(
    client: TestClient, application: App, in_porto: HandOver
) -> None:
    engine = application.engine
    HandOverInbox(application.service).take(in_porto.id, counselor_id(engine, "joao-costa"))
    log_in(client, ANA)
    page = client.get(f"/desk/inbox/{in_porto.id}")
    assert "João Costa has already taken this hand-over" in page.text
    assert 'name="text"' not in page.text  # no answer form for Ana

    token = csrf_of(page.text)
    for action, data in [("take", {}), ("answer", {"text": "I can help"}), ("close", {})]:
        refused = client.post(f"/desk/inbox/{in_porto.id}/{action}",
                              data={**data, "csrf_token": token})  # fmt: skip
        assert refused.status_code == 409
        assert "João Costa has already taken this hand-over: only they answer and close it." \
            in refused.text
    with Session(engine) as db:
        hand_over = db.get(HandOver, in_porto.id)
    assert hand_over is not None and hand_over.status == "open"
    assert not any("I can help" in text for text in sent_to(engine, in_porto.person_id))


def test_a_counselor_takes_answers_and_hands_the_person_back_to_the_bot(
    client: TestClient, application: App, in_porto: HandOver
) -> None:
    engine = application.engine
    log_in(client, ANA)
    page = client.get(f"/desk/inbox/{in_porto.id}")
    assert 'name="text"' in page.text and "/desk/static/inbox.js" in page.text
    token = csrf_of(page.text)

    taken = client.post(f"/desk/inbox/{in_porto.id}/take", data={"csrf_token": token})
    assert "You have taken this hand-over" in taken.text
    assert "Ana Silva" in taken.text

    answered = client.post(f"/desk/inbox/{in_porto.id}/answer",
                           data={"text": "  Come on Thursday at 10:00?  ", "csrf_token": token})
    assert "Answer sent." in answered.text and "Come on Thursday at 10:00?" in answered.text
    assert sent_to(engine, in_porto.person_id)[-1] == "Ana Silva: Come on Thursday at 10:00?"

    closed = client.post(f"/desk/inbox/{in_porto.id}/close", data={"csrf_token": token})
    assert closed.url.path == "/desk/inbox"
    assert "Closed: the person is back with the bot." in closed.text
    assert thread_links(closed.text) == []
    assert sent_to(engine, in_porto.person_id)[-2] == "You are back with the assistant."
    assert len(views(engine)) == 3  # the thread, after taking, after answering


def test_an_empty_or_overlong_answer_is_refused_with_a_clear_message(
    client: TestClient, application: App, in_porto: HandOver
) -> None:
    log_in(client, ANA)
    token = csrf_of(client.get(f"/desk/inbox/{in_porto.id}").text)
    for text in ["   ", "x" * 1501]:
        refused = client.post(f"/desk/inbox/{in_porto.id}/answer",
                              data={"text": text, "csrf_token": token})  # fmt: skip
        assert refused.status_code == 422
        assert "Write an answer of at most 1500 characters." in refused.text


def test_a_coordinator_reads_a_thread_but_only_a_counselor_answers(
    client: TestClient, application: App, in_porto: HandOver
) -> None:
    log_in(client, COORDINATOR)
    page = client.get(f"/desk/inbox/{in_porto.id}")
    assert page.status_code == 200 and 'name="text"' not in page.text
    refused = client.post(f"/desk/inbox/{in_porto.id}/answer",
                          data={"text": "Hello", "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert refused.status_code == 403
    assert "Only a counselor of the site answers a hand-over." in refused.text


def test_the_counselors_notice_links_to_the_thread_in_the_desk(
    application: App, in_porto: HandOver
) -> None:
    with Session(application.engine) as db:
        notices = db.exec(
            select(Outbox).where(Outbox.kind == "notification",
                                 Outbox.reference == f"hand_over:{in_porto.id}")
        ).all()  # fmt: skip
    assert notices and all(
        f"http://localhost:8000/desk/inbox/{in_porto.id}" in row.payload["text"]
        for row in notices
    )
