"""A day said in words, the slots, the meeting and its reminders, on the awkward days of the
calendar: the Friday before Europe's spring clock change and New Year's Eve late evening, in
Lisbon (Porto) and in Rome (Bologna). The conversation's clock stands on those moments, whatever
the day the suite runs."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.conversation.service import ConversationService
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Outbox
from tests.chat import Chat
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE
from tests.integration.conftest import NOTICE

BEFORE_SPRING_CHANGE = datetime(2027, 3, 26, 16, 0, tzinfo=UTC)  # Friday; clocks move on Sunday
NEW_YEARS_EVE = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # Thursday, 23:30 in Rome

CASES = [
    # moment, municipality, zone, what the person writes, the local day and hours expected
    (BEFORE_SPRING_CHANGE, "Porto", "Europe/Lisbon", "Thursday afternoon", "Thu 1 Apr", (14, 17)),
    (BEFORE_SPRING_CHANGE, "Bologna", "Europe/Rome", "Thursday afternoon", "Thu 1 Apr", (14, 18)),
    (BEFORE_SPRING_CHANGE, "Porto", "Europe/Lisbon", "Monday morning", "Mon 29 Mar", (9, 13)),
    (BEFORE_SPRING_CHANGE, "Bologna", "Europe/Rome", "Monday morning", "Mon 29 Mar", (9, 13)),
    (NEW_YEARS_EVE, "Porto", "Europe/Lisbon", "Tuesday morning", "Tue 5 Jan", (9, 13)),
    (NEW_YEARS_EVE, "Bologna", "Europe/Rome", "Tuesday morning", "Tue 5 Jan", (9, 13)),
    (NEW_YEARS_EVE, "Bologna", "Europe/Rome", "next Monday", "Mon 4 Jan", (9, 18)),
]


def _offered(service: ConversationService, municipality: str, wish: str) -> tuple[Chat, list]:
    chat = Chat(service)
    chat.start("en")
    script = [municipality if answer == "Porto" else answer for answer in ENGLISH_INTAKE]
    script = [("5" if answer == "1 3" else answer) for answer in script]  # free any time
    for answer in script[:7]:
        chat.say(answer)
    chat.say("yes")  # what was understood of the experience
    for answer in script[7:]:
        chat.say(answer)
    chat.say("Maria")
    return chat, [c["label"] for c in chat.say(wish)[-1]["choices"][:3]]


@pytest.mark.parametrize(("moment", "municipality", "zone", "wish", "day", "hours"), CASES)
def test_a_day_in_words_books_the_right_local_day_with_its_reminders(
    engine: Engine, cipher, understand, moment, municipality, zone, wish, day, hours
) -> None:
    seed_demo_if_empty(engine)
    clock = FakeClock(moment)
    service = ConversationService(engine, intake_flow(), cipher, NOTICE, understand, clock)
    chat, labels = _offered(service, municipality, wish)

    assert labels and all(label.startswith(f"{day}, ") for label in labels), labels
    assert all(label.endswith(f" - {municipality}") for label in labels), labels
    local_hours = [int(label.split(", ")[1][:2]) for label in labels]
    assert all(hours[0] <= hour < hours[1] for hour in local_hours), labels

    chat.say("1")
    with unit_of_work(engine) as db:
        (appointment,) = db.exec(select(Appointment)).all()
        triggers = db.exec(select(Outbox).where(Outbox.channel == "timer")).all()
    starts = appointment.starts_at.astimezone(ZoneInfo(zone))
    assert starts.strftime("%a %-d %b, %H:%M") == labels[0].split(" - ")[0]
    reminders = sorted(t.not_before for t in triggers if t.payload.get("trigger") == "reminder")
    assert reminders == [appointment.starts_at - timedelta(hours=24),
                         appointment.starts_at - timedelta(hours=2)]
    (follow_up,) = [t.not_before for t in triggers if t.payload.get("trigger") == "follow_up"]
    local_follow_up = follow_up.astimezone(ZoneInfo(zone))
    assert local_follow_up.date() == starts.date() + timedelta(days=1)
    assert local_follow_up.hour == 10
