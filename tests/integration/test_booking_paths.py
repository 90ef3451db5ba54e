"""The booking paths that misled people: each test failed before its fix."""

from sqlalchemy import Engine
from sqlmodel import select

from bot.conversation.service import ConversationService
from bot.counselors.actions import cancel_for_counselor
from storage.booking import Appointment
from storage.db import unit_of_work
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE

OTHER_OPTIONS = ["Other days", "Another place", "By phone", "Not now"]


def _offered(service: ConversationService) -> tuple[Chat, list[str]]:
    chat = Chat(service)
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        chat.say(answer)
    return chat, _slot_labels(chat.say("Maria"))


def _slot_labels(replies: list[dict]) -> list[str]:
    choices = replies[-1]["choices"] if replies else []
    return [c["label"] for c in choices if c["label"] not in OTHER_OPTIONS]


def _appointment(engine: Engine) -> Appointment:
    with unit_of_work(engine) as db:
        (appointment,) = db.exec(select(Appointment)).all()
    return appointment


def test_after_a_counselor_cancels_the_cancelled_time_is_not_offered_again(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    chat, labels = _offered(service)
    chat.say("1")
    booked = _appointment(engine)
    with unit_of_work(engine) as db:
        cancel_for_counselor(service, db, booked.id, "illness", clock.now)
    chat.dispatcher.dispatch_due(channel="console")
    offered_again = _slot_labels(chat.sent[-1:])
    assert offered_again and labels[0] not in offered_again


def test_moving_never_offers_the_time_already_booked(
    service: ConversationService, engine: Engine
) -> None:
    chat, labels = _offered(service)
    chat.say("1")
    offered_for_move = _slot_labels(chat.say("move"))
    assert offered_for_move and labels[0] not in offered_for_move


def test_moving_to_another_place_with_nothing_free_keeps_the_meeting_and_says_so(
    service: ConversationService, engine: Engine
) -> None:
    chat, labels = _offered(service)
    chat.say("1")
    chat.say("move")
    chat.say("Another place")  # Porto offered: elsewhere means Bologna, where nobody speaks en
    replies = chat.say("Another place")
    said = texts(replies)
    assert "Your meeting stays as it is: " in said, said
    assert "A counselor will contact you" not in said
    assert labels[0].split(" - ")[0].split(", ")[1] in said  # the time still booked
    assert [c["label"] for c in replies[-1]["choices"]][:2] == ["Move the meeting",
                                                                "Cancel the meeting"]
    assert _appointment(engine).status == "booked"


def test_back_after_days_at_the_slot_list_shows_todays_slots_once(
    service: ConversationService, clock: FakeClock
) -> None:
    chat, first_offer = _offered(service)
    clock.advance(days=3)
    replies = chat.start()
    lists = [r for r in replies if _slot_labels([r])]
    assert len(lists) == 1
    fresh = _slot_labels(lists)
    assert fresh and fresh != first_offer
    assert not set(fresh) & set(first_offer)  # three days on, the first times have passed


def test_after_restart_my_data_still_shows_the_saved_intake_and_the_meeting(
    service: ConversationService,
) -> None:
    chat, labels = _offered(service)
    chat.say("1")
    chat.say("restart")
    shown = texts(chat.say("my data"))
    assert "Municipality: Porto" in shown, shown
    assert "I worked five years as a cook" in shown
    assert f"Meeting: {labels[0].split(' - ')[0]}" in shown


def test_a_refusal_lists_the_sites_where_the_persons_language_is_spoken(
    service: ConversationService,
) -> None:
    italian = Chat(service, "persona-1")
    italian.start("it")
    said = texts(italian.say("no"))
    assert "Bologna: Via dell'Indipendenza 8" in said and "Porto:" not in said
    portuguese = Chat(service, "pessoa-1")
    portuguese.start("pt")
    said = texts(portuguese.say("não"))
    assert "Porto: Rua de Santa Catarina 312" in said and "Bologna:" not in said
