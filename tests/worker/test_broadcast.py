"""Broadcasts: who is in the segment, one row each in their language, and sending them through
the real Telegram library to the fake Bot API server — across a worker's crash, and with two
workers at once — each person exactly once."""

import threading
from collections import Counter
from collections.abc import Iterator
from functools import partial

import pytest
from sqlalchemy import Engine

from bot.channels.telegram.limits import ChatLimits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.policy import DeliveryPolicy
from bot.delivery.ratelimit import TokenBucket
from bot.jobs.broadcast import BadSegment, parse_segment, progress, queue_broadcast, reach
from bot.settings import Settings
from storage.db import unit_of_work
from storage.models import Identity, Intake, Person
from tests.clock import FakeClock
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.worker.conftest import identities

TEXTS = {"pt": "Feira de emprego no sábado.", "it": "Fiera del lavoro sabato."}
PORTO_TRAINING = {"municipality": ["Porto"], "track": ["training"]}


class Crash(BaseException):
    """A worker killed in the middle of its batch: nothing after it runs, not even cleanup."""


def person(engine: Engine, clock: FakeClock, chat: str, municipality: str = "Porto",
           track: str = "training", lang: str = "pt", **identity: bool) -> str:  # fmt: skip
    (found,) = identities(engine, "telegram", [chat], clock())
    with unit_of_work(engine) as db:
        db.add(Intake(person_id=found.person_id, channel="telegram", lang=lang,
                      started_at=clock(), consent_version="2026-11",
                      municipality=municipality, track=track))  # fmt: skip
        if identity:
            row = db.get(Identity, found.id)
            for name, value in identity.items():
                setattr(row, name, value)
            db.add(row)
    return found.person_id


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sender(telegram: FakeTelegram) -> Iterator[TelegramSender]:
    settings = Settings(telegram_token=TOKEN, telegram_api_url=telegram.url)
    sender = TelegramSender(
        partial(make_bot, settings),
        ChatLimits(TokenBucket(1000, 1000, lambda: 0.0), 1000, lambda: 0.0),
    )
    yield sender
    sender.close()


def test_a_segment_names_intake_fields_with_one_or_more_values() -> None:
    assert parse_segment("municipality=Porto, track=training|work") == {
        "municipality": ["Porto"], "track": ["training", "work"],
    }  # fmt: skip
    assert parse_segment("target_group=young|over_40,stage=job,last_activity=7d,site=porto") == {
        "target_group": ["young", "over_40"], "stage": ["job"], "last_activity": ["7d"],
        "site": ["porto"],
    }  # fmt: skip
    with pytest.raises(BadSegment):
        parse_segment("experience_text=cook")
    with pytest.raises(BadSegment):
        parse_segment("municipality")


def test_the_audience_is_the_segment_less_opted_out_and_unreachable_people(
    engine: Engine, clock: FakeClock
) -> None:
    wanted = {person(engine, clock, "1"), person(engine, clock, "2", lang="it")}
    person(engine, clock, "3", municipality="Lisboa")
    person(engine, clock, "4", track="work")
    person(engine, clock, "5", opted_out=True)
    person(engine, clock, "6", reachable=False)
    moved = person(engine, clock, "7", municipality="Lisboa")
    with unit_of_work(engine) as db:  # a newer intake puts this one in Porto
        db.add(
            Intake(
                person_id=moved,
                channel="telegram",
                lang="pt",
                started_at=clock(),
                consent_version="2026-11",
                municipality="Porto",
                track="training",
            )
        )

    with unit_of_work(engine) as db:
        found = reach(db, PORTO_TRAINING, clock()).recipients

    assert {r.person_id for r in found} == wanted | {moved}
    assert Counter(r.lang for r in found) == {"pt": 2, "it": 1}


def test_segment_values_match_as_people_wrote_them_whatever_the_case_and_accents(
    engine: Engine, clock: FakeClock
) -> None:
    wrote = {person(engine, clock, str(n), municipality=name)
             for n, name in enumerate(["porto", "PORTO ", "Pórto", "Porto"])}  # fmt: skip
    person(engine, clock, "9", municipality="Portimão")
    with unit_of_work(engine) as db:
        found = reach(db, {"municipality": ["porto"], "track": ["TRAINING"]}, clock()).recipients
    assert {r.person_id for r in found} == wrote


def test_an_erased_person_is_not_in_any_audience(engine: Engine, clock: FakeClock) -> None:
    erased = person(engine, clock, "1")
    with unit_of_work(engine) as db:
        db.get(Person, erased).erased_at = clock()
        assert reach(db, PORTO_TRAINING, clock()).recipients == []


def chats(count: int) -> list[str]:
    return [str(7000 + n) for n in range(count)]


def queue_to(engine: Engine, clock: FakeClock, count: int) -> int:
    for chat in chats(count):
        person(engine, clock, chat)
    with unit_of_work(engine) as db:
        return queue_broadcast(db, PORTO_TRAINING, TEXTS, clock()).id


def delivered(telegram: FakeTelegram) -> Counter[str]:
    return Counter(str(call["chat_id"]) for call in telegram.calls_to("sendMessage"))


def test_a_worker_killed_mid_broadcast_loses_and_doubles_nothing(
    engine: Engine, clock: FakeClock, telegram: FakeTelegram, sender: TelegramSender
) -> None:
    broadcast_id = queue_to(engine, clock, 12)
    sends = []

    def dies_after_five(recipient: Recipient, message: Outbound) -> str:
        if len(sends) == 5:
            raise Crash
        sends.append(recipient.address)
        return sender(recipient, message)

    doomed = Dispatcher(engine, {"telegram": dies_after_five}, clock)
    with pytest.raises(Crash):
        doomed.dispatch_due()
    restarted = Dispatcher(engine, {"telegram": sender}, clock)
    assert restarted.dispatch_due() == 0  # the dead worker's claim holds until its lease ends
    clock.advance(minutes=5)
    restarted.dispatch_due()

    assert delivered(telegram) == dict.fromkeys(chats(12), 1)
    with unit_of_work(engine) as db:
        assert progress(db, broadcast_id) == {"pending": 0, "sent": 12, "failed": 0,
                                              "cancelled": 0}  # fmt: skip


def test_two_workers_side_by_side_send_each_message_exactly_once(
    engine: Engine, clock: FakeClock, telegram: FakeTelegram, sender: TelegramSender
) -> None:
    broadcast_id = queue_to(engine, clock, 60)
    workers = [Dispatcher(engine, {"telegram": sender}, clock, concurrency=3) for _ in range(2)]
    start = threading.Barrier(2)

    def run(dispatcher: Dispatcher) -> None:
        start.wait()
        while dispatcher.dispatch(limit=7)[0]:
            pass

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert delivered(telegram) == dict.fromkeys(chats(60), 1)
    with unit_of_work(engine) as db:
        assert progress(db, broadcast_id)["sent"] == 60


def test_a_broadcast_at_night_waits_for_the_morning(engine: Engine, telegram: FakeTelegram,
                                                    sender: TelegramSender) -> None:  # fmt: skip
    night = FakeClock()
    night.now = night.now.replace(hour=23)
    queue_to(engine, night, 2)
    dispatcher = Dispatcher(engine, {"telegram": sender}, night, DeliveryPolicy())

    assert dispatcher.dispatch_due() == 0
    night.advance(hours=8, minutes=59)
    assert dispatcher.dispatch_due() == 0
    night.advance(minutes=1)  # 08:00 in Lisbon (UTC in November)
    assert dispatcher.dispatch_due() == 2
    assert delivered(telegram) == dict.fromkeys(chats(2), 1)
