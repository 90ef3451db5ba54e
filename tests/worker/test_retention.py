"""Retention with a clock the test moves: after 24 months of silence less the notice, one
message says the data will go in 30 days; still silent 30 days later, the person is erased;
a word in between keeps everything, and the count starts again from it."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.conversation.service import ConversationService
from bot.jobs.retention import Done, Retention, apply_retention
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.booking import Appointment
from storage.crypto import Cipher
from storage.models import Identity, Intake, Outbox, Person
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE

RULE = Retention(months=24, notice_days=30)
NOTICE = intake_flow().catalogues["en"].texts["retention.notice"].format(days=30)
DAY = timedelta(days=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine: Engine, cipher: Cipher, clock: FakeClock) -> ConversationService:
    seed_demo_if_empty(engine)
    return ConversationService(engine, intake_flow(), cipher, "2026-11", None, clock)


def intake_done(service: ConversationService) -> Chat:
    chat = Chat(service, "+351911000001", "sms")
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        chat.say(answer)
    return chat


def warnings_to(chat: Chat) -> list[str]:
    chat.dispatcher.dispatch_due()
    return [sent["text"] for sent in chat.sent if sent["text"] == NOTICE]


def test_silent_for_two_years_a_person_is_told_then_erased_30_days_later(
    service: ConversationService, clock: FakeClock, engine: Engine
) -> None:
    chat = intake_done(service)
    silent_since = clock()
    clock.now = silent_since + RULE.kept - 30 * DAY - timedelta(minutes=1)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)  # not yet

    clock.advance(minutes=1)
    assert apply_retention(service, RULE, clock()) == Done(1, 0)
    assert warnings_to(chat) == [NOTICE]
    clock.advance(days=2)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)  # told once
    assert warnings_to(chat) == [NOTICE]

    clock.now = silent_since + RULE.kept - timedelta(minutes=1)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)
    clock.advance(minutes=1)
    assert apply_retention(service, RULE, clock()) == Done(0, 1)
    with Session(engine) as db:
        person = db.get(Person, chat.person_id)
        assert person is not None and person.erased_at is not None
        assert db.exec(select(Identity)).all() == []
        assert db.exec(select(Intake)).all() == []
        assert db.exec(select(Outbox).where(Outbox.person_id == chat.person_id)).all() == []
    clock.advance(days=400)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)  # erased once for all


def test_a_warning_sent_late_still_gives_the_whole_notice(
    service: ConversationService, clock: FakeClock
) -> None:
    intake_done(service)
    clock.now += RULE.kept + 5 * DAY  # the worker was off: two years are past, nobody was told
    assert apply_retention(service, RULE, clock()) == Done(1, 0)
    clock.advance(days=29)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)
    clock.advance(days=1)
    assert apply_retention(service, RULE, clock()) == Done(0, 1)


def test_a_word_after_the_warning_keeps_the_data_and_the_count_starts_again(
    service: ConversationService, clock: FakeClock, engine: Engine
) -> None:
    chat = intake_done(service)
    clock.now += RULE.kept - 30 * DAY
    assert apply_retention(service, RULE, clock()) == Done(1, 0)
    clock.advance(days=10)
    assert texts(chat.say("help"))  # the person answers, in any words
    clock.advance(days=25)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)
    with Session(engine) as db:
        assert db.exec(select(Intake).where(Intake.person_id == chat.person_id)).one()

    clock.advance(days=(RULE.kept - 30 * DAY).days - 25 + 1)  # silent again, as long
    assert apply_retention(service, RULE, clock()) == Done(1, 0)
    assert len(warnings_to(chat)) == 2


def test_a_meeting_counts_as_a_sign_of_life(
    service: ConversationService, clock: FakeClock, engine: Engine
) -> None:
    chat = intake_done(service)
    chat.say("Maria")
    assert texts(chat.say("1")).startswith("Booked:")
    with Session(engine) as db:
        meeting = db.exec(select(Appointment)).one()
    # Silent since the booking, but the meeting came later: counted from its end.
    clock.now = meeting.ends_at + RULE.kept - 30 * DAY - timedelta(minutes=1)
    assert apply_retention(service, RULE, clock()) == Done(0, 0)
    clock.advance(minutes=1)
    assert apply_retention(service, RULE, clock()) == Done(1, 0)


def test_counselors_are_not_people_to_retain(
    service: ConversationService, clock: FakeClock, engine: Engine
) -> None:
    chat = intake_done(service)
    chat.say("Maria")
    chat.say("1")  # the counselor is told by e-mail: their mailbox is an identity too
    with Session(engine) as db:
        assert db.exec(select(Identity).where(Identity.channel == "email")).first()
    clock.now += 3 * RULE.kept
    assert apply_retention(service, RULE, clock()) == Done(1, 0)  # Maria only
