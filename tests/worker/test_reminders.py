"""Reminders and follow-ups are trigger rows written with the booking; the runner tells the
conversation when they fall due, unless they are stale, late, or in the night."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.booking import SlotRequest, Wish, cancel
from bot.booking.answers import take_slot
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import TIMER as TRIGGER_CHANNEL
from bot.delivery.quiet_hours import QuietHours
from bot.jobs.reminders import ReminderTimes
from bot.jobs.triggers import TriggerRunner
from dialogs.model import BookingMade, FollowUpDue, ReminderDue, SlotChosen
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Outbox
from tests.booking.conftest import NOW, offers
from tests.clock import FakeClock
from tests.worker.conftest import RecordingService

WEDNESDAY = date(2026, 6, 3)
LISBON_SUMMER = timedelta(hours=1)


def book_on(
    engine: Engine, person_id: str, day: date, part: str = "morning",
    times: ReminderTimes = ReminderTimes(),  # noqa: B008 (immutable)
) -> Appointment:  # fmt: skip
    request = SlotRequest("orientation", "pt", "Matosinhos",
                          wish=Wish(day=day, part_of_day=part))  # fmt: skip
    offer = offers(engine, request)[0]
    with unit_of_work(engine) as db:
        made = take_slot(db, person_id, "pt", SlotChosen({"data": offer.to_json()}), NOW, times)
        assert isinstance(made, BookingMade)
        return db.get(Appointment, made.appointment["id"])


def triggers(engine: Engine) -> list[Outbox]:
    with Session(engine) as db:
        return list(db.exec(
            select(Outbox).where(Outbox.channel == TRIGGER_CHANNEL).order_by(Outbox.id)
        ).all())  # fmt: skip


def run(engine: Engine, clock: FakeClock) -> tuple[RecordingService, int]:
    service = RecordingService(engine, clock)
    runner = TriggerRunner(service, QuietHours.parse("21:00-08:00"))  # type: ignore[arg-type]
    return service, Dispatcher(engine, {TRIGGER_CHANNEL: runner}, clock).dispatch_due()


def test_a_booking_queues_two_reminders_and_a_follow_up(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)

    rows = triggers(network)
    assert [(r.kind, r.payload["trigger"], r.not_before) for r in rows] == [
        ("reminder", "reminder", appointment.starts_at - timedelta(hours=24)),
        ("reminder", "reminder", appointment.starts_at - timedelta(hours=2)),
        # 10:00 in Matosinhos the day after.
        ("nudge", "follow_up", datetime(2026, 6, 4, 10, tzinfo=UTC) - LISBON_SUMMER),
    ]
    assert {r.reference for r in rows} == {f"appointment:{appointment.id}"}


def test_the_reminder_times_given_are_kept(network: Engine, people) -> None:
    times = ReminderTimes(offsets_hours=(48.0,), follow_up_hour=9)
    appointment = book_on(network, people["ana"], WEDNESDAY, times=times)

    assert [r.not_before for r in triggers(network)] == [
        appointment.starts_at - timedelta(hours=48),
        datetime(2026, 6, 4, 9, tzinfo=UTC) - LISBON_SUMMER,  # 09:00 in Matosinhos the day after
    ]


def test_a_reminder_already_past_at_booking_is_not_queued(network: Engine, people) -> None:
    book_on(network, people["ana"], date(2026, 6, 1), part="afternoon")  # today
    assert [r.payload["trigger"] for r in triggers(network)] == ["reminder", "follow_up"]


def test_a_cancelled_appointment_cancels_its_reminders(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)
    with unit_of_work(network) as db:
        cancel(db, appointment.id, "person", None, NOW)

    assert {r.status for r in triggers(network)} == {"cancelled"}
    clock = FakeClock(appointment.starts_at - timedelta(hours=2))
    service, _ = run(network, clock)
    assert service.told == []


def test_a_moved_appointment_has_new_reminders_for_its_new_time(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)
    later = offers(network, SlotRequest("orientation", "pt", "Matosinhos",
                                        wish=Wish(day=date(2026, 6, 4))))[0]  # fmt: skip
    with unit_of_work(network) as db:
        take_slot(db, people["ana"], "pt", SlotChosen({"data": later.to_json()},
                                                      moving=appointment.id), NOW,
                  ReminderTimes())  # fmt: skip

    pending = [r for r in triggers(network) if r.status == "pending"]
    assert [r.not_before for r in pending][:2] == [
        later.starts_at - timedelta(hours=24), later.starts_at - timedelta(hours=2),
    ]  # fmt: skip
    assert sum(r.status == "cancelled" for r in triggers(network)) == 3


def test_a_due_reminder_tells_the_conversation(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)
    clock = FakeClock(appointment.starts_at - timedelta(hours=24))

    service, sent = run(network, clock)

    assert sent == 1
    assert service.told == [(people["ana"], ReminderDue(appointment.id), "reminder")]


def test_a_reminder_that_would_arrive_after_the_start_is_dropped(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)
    # The worker was down from before the reminders until after the meeting began.
    clock = FakeClock(appointment.starts_at + timedelta(minutes=1))

    service, _ = run(network, clock)

    assert [(p, g) for p, g, _ in service.told if isinstance(g, ReminderDue)] == []
    reminders = [r for r in triggers(network) if r.kind == "reminder"]
    assert {(r.status, r.last_error) for r in reminders} == {
        ("cancelled", "late: the meeting has begun")
    }


def test_a_reminder_due_at_night_waits_for_the_morning(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY, part="afternoon")
    night = datetime(2026, 6, 2, 22, 30, tzinfo=UTC)  # 23:30 in Lisbon
    with unit_of_work(network) as db:
        for row in db.exec(select(Outbox).where(Outbox.kind == "reminder")):
            row.not_before = night
            db.add(row)

    service, _ = run(network, FakeClock(night))

    assert service.told == []
    morning = datetime(2026, 6, 3, 7, 0, tzinfo=UTC)  # 08:00 in Lisbon
    assert {r.not_before for r in triggers(network) if r.kind == "reminder"} == {morning}
    assert appointment.starts_at > morning


def test_a_reminder_for_an_early_meeting_goes_even_at_night(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)  # 09:00 in Lisbon
    early = appointment.starts_at - timedelta(hours=2)  # 07:00 local: quiet, but urgent

    service, _ = run(network, FakeClock(early))

    assert service.told == [(people["ana"], ReminderDue(appointment.id), "reminder")]


def test_the_follow_up_comes_the_day_after_unless_the_person_did_not_come(
    network: Engine, people
) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY)
    clock = FakeClock(datetime(2026, 6, 4, 9, 0, tzinfo=UTC))
    with unit_of_work(network) as db:
        for row in db.exec(select(Outbox).where(Outbox.kind == "reminder")):
            row.status = "sent"
            db.add(row)

    service, _ = run(network, clock)

    assert service.told == [(people["ana"], FollowUpDue(appointment.id), "nudge")]


def test_after_an_outage_only_the_latest_due_reminder_is_sent(network: Engine, people) -> None:
    appointment = book_on(network, people["ana"], WEDNESDAY, part="afternoon")
    clock = FakeClock(appointment.starts_at - timedelta(hours=1))  # both reminders overdue

    service, _ = run(network, clock)

    assert service.told == [(people["ana"], ReminderDue(appointment.id), "reminder")]
    assert [r.last_error for r in triggers(network) if r.status == "cancelled"] == [
        "superseded: a later reminder is due"
    ]
