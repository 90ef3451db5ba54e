"""Talking to a person from the console: the site's counselors are told, the person's messages
go to the thread and not to the bot, a counselor's answer reaches them, and closing brings the
bot back; nobody taking it in time tells the coordinator and the person."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.conversation.service import ConversationService
from bot.counselors.handovers import HandOverRules
from bot.counselors.inbox import HandOverInbox, TakenByAnother
from bot.jobs.handovers import escalate_overdue
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from storage.handovers import HandOverMessage
from storage.models import Counselor, HandOver, Identity, Outbox, Site
from tests.chat import Chat, texts
from tests.clock import FakeClock

RULES = HandOverRules(take_minutes=120, coordinator_email="coord@rede.example.org")
AT_MUNICIPALITY = "In which town or municipality do you live?"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()  # Tuesday 24 Nov 2026, 09:00 in Lisbon; Porto opens at 09:30


@pytest.fixture
def service(engine: Engine, cipher: Cipher, clock: FakeClock) -> ConversationService:
    seed_demo_if_empty(engine)
    return ConversationService(engine, intake_flow(), cipher, "2026-11", None, clock,
                               hand_over_rules=RULES)  # fmt: skip


@pytest.fixture
def inbox(service: ConversationService) -> HandOverInbox:
    return HandOverInbox(service)


@pytest.fixture
def asked(service: ConversationService) -> Chat:
    """A person at the municipality question who asked for a person."""
    chat = Chat(service)
    chat.start("en")
    chat.say("yes")
    chat.say("talk to a person")
    return chat


def the_hand_over(engine: Engine) -> HandOver:
    with Session(engine) as db:
        (hand_over,) = db.exec(select(HandOver)).all()
        return hand_over


def counselor_id(engine: Engine, code: str) -> int:
    with Session(engine) as db:
        return db.exec(select(Counselor.id).where(Counselor.code == code)).one()


def notices(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as db:
        rows = db.exec(
            select(Outbox.channel, Identity.address, Outbox.payload)
            .join(Identity, Identity.id == Outbox.identity_id)
            .where(Outbox.kind == "notification").order_by(Outbox.id)
        ).all()  # fmt: skip
    return [(channel, address, payload["notification"]) for channel, address, payload in rows]


def test_the_bot_says_who_will_answer_and_by_when_from_the_sites_hours(
    service: ConversationService,
) -> None:
    chat = Chat(service)
    chat.start("en")
    chat.say("yes")
    reply = texts(chat.say("talk to a person"))
    assert reply == (
        "A counselor of Porto will answer you here, usually within 2 working hours (at the "
        "latest Tue 24 Nov, 11:30). Until then your messages go to them. To come back to the "
        "assistant, write BOT."
    )


def test_the_counselors_of_the_site_are_told_by_email_without_a_linked_chat(
    asked: Chat, engine: Engine
) -> None:
    hand_over = the_hand_over(engine)
    assert (hand_over.person_id, hand_over.node, hand_over.lang, hand_over.channel) == (
        asked.person_id, "municipality", "en", "console",
    )  # fmt: skip
    assert notices(engine) == [
        ("email", "ana.silva@example.org", "hand_over_asked"),
        ("email", "joao.costa@example.org", "hand_over_asked"),
    ]


def test_while_open_the_persons_messages_go_to_the_thread_and_the_bot_is_silent(
    asked: Chat, engine: Engine, inbox: HandOverInbox
) -> None:
    assert asked.say("I lost my job and need help with the forms") == []
    assert asked.say("Porto") == []
    hand_over = the_hand_over(engine)
    thread = inbox.thread(hand_over.id)
    assert [m.author for m in thread][-2:] == ["person", "person"]
    assert [m.text for m in thread][-2:] == ["I lost my job and need help with the forms", "Porto"]
    assert thread[0].author == "bot"  # what the bot said last, for the counselor
    with Session(engine) as db:
        stored = db.exec(select(HandOverMessage.text)).all()
    assert not any("forms" in text for text in stored)  # encrypted


def test_a_counselors_answer_reaches_the_person_and_closing_brings_the_bot_back(
    asked: Chat, engine: Engine, inbox: HandOverInbox
) -> None:
    hand_over = the_hand_over(engine)
    ana = counselor_id(engine, "ana-silva")
    inbox.answer(hand_over.id, ana, "Hello, I am Ana. Can you come on Thursday?")
    asked.dispatcher.dispatch_due()
    assert asked.sent[-1]["text"] == "Ana Silva: Hello, I am Ana. Can you come on Thursday?"
    assert asked.say("Yes, Thursday works") == []  # still in the thread

    inbox.close(hand_over.id, ana)
    asked.dispatcher.dispatch_due()
    assert [m["text"] for m in asked.sent[-2:]] == ["You are back with the assistant.",
                                                    AT_MUNICIPALITY]  # fmt: skip
    assert "How old are you?" in texts(asked.say("Porto"))
    assert the_hand_over(engine).closed_by == "counselor"


def test_the_persons_word_for_it_closes_the_hand_over_in_any_language(
    asked: Chat, engine: Engine
) -> None:
    reply = texts(asked.say("voltar ao assistente"))
    assert reply == f"You are back with the assistant.\n{AT_MUNICIPALITY}"
    assert (the_hand_over(engine).status, the_hand_over(engine).closed_by) == ("closed", "person")


def test_one_counselor_takes_it_and_another_cannot_answer(
    asked: Chat, engine: Engine, inbox: HandOverInbox
) -> None:
    hand_over = the_hand_over(engine)
    with Session(engine) as db:
        porto = db.exec(select(Site.id).where(Site.code == "porto")).one()
    assert [h.id for h in inbox.open_at([porto])] == [hand_over.id]
    inbox.take(hand_over.id, counselor_id(engine, "joao-costa"))
    with pytest.raises(TakenByAnother):
        inbox.answer(hand_over.id, counselor_id(engine, "ana-silva"), "Hello")


def test_not_taken_in_time_the_coordinator_and_the_person_are_told_once(
    asked: Chat, engine: Engine, service: ConversationService, clock: FakeClock
) -> None:
    clock.advance(hours=2)  # 11:00: only 1h30 of Porto's working time has passed
    assert escalate_overdue(service, RULES, clock()) == 0
    clock.advance(minutes=30)
    assert escalate_overdue(service, RULES, clock()) == 1
    assert escalate_overdue(service, RULES, clock()) == 0

    assert notices(engine)[-1] == ("email", "coord@rede.example.org", "hand_over_late")
    asked.dispatcher.dispatch_due()
    assert asked.sent[-1]["text"].startswith(
        "No counselor of Porto has been free yet; the coordinator has been told. You will get "
        "an answer here by Tue 24 Nov, 13:30."  # 2 working hours on: one of them is in
    )


def test_a_taken_hand_over_is_not_escalated(
    asked: Chat, engine: Engine, service: ConversationService, clock: FakeClock,
    inbox: HandOverInbox,
) -> None:
    inbox.take(the_hand_over(engine).id, counselor_id(engine, "ana-silva"))
    clock.advance(hours=5)
    assert escalate_overdue(service, RULES, clock()) == 0


def test_a_person_of_bologna_reaches_the_counselors_of_bologna(
    service: ConversationService, engine: Engine
) -> None:
    chat = Chat(service)
    chat.start("it")
    chat.say("sì")
    chat.say("Bologna")
    reply = texts(chat.say("operatore"))
    assert reply.startswith("Un operatore di Bologna le risponderà qui")
    assert notices(engine) == [("email", "giulia.romano@example.org", "hand_over_asked")]
