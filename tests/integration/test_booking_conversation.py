"""From the intake to a booked meeting, and what comes after it, through the conversation."""

from sqlalchemy import Engine
from sqlmodel import select

from bot.conversation.service import ConversationService
from bot.counselors.actions import cancel_for_counselor, record_attendance
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from dialogs.model import FollowUpDue, NudgeDue, ReminderDue
from storage.booking import Appointment
from storage.db import unit_of_work
from storage.models import Outbox
from tests.chat import Chat, texts
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE
from tests.integration.conftest import NOTICE


def _booked(service: ConversationService, address: str = "person-1") -> tuple[Chat, list[dict]]:
    chat = Chat(service, address)
    chat.start("en")
    for answer in ENGLISH_INTAKE:
        chat.say(answer)
    offer = chat.say("Maria")[-1]  # the first name, asked before the first booking
    return chat, offer["choices"]


def _with_meeting(service: ConversationService) -> tuple[Chat, Appointment]:
    """A person who went through the intake and booked the first slot offered."""
    chat, _ = _booked(service)
    chat.say("1")
    (appointment,) = _appointments(service.engine)
    return chat, appointment


def _appointments(engine: Engine) -> list[Appointment]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(Appointment).order_by(Appointment.id)).all())


def test_the_intake_ends_with_slots_and_a_booked_confirmed_meeting(
    service: ConversationService, engine: Engine
) -> None:
    chat, choices = _booked(service)
    labels = [c["label"] for c in choices]
    assert len(labels) == 7 and labels[3:] == ["Other days", "Another place", "By phone", "Not now"]
    assert all(" - Porto" in label for label in labels[:3])
    reply = texts(chat.say("1"))
    assert reply.startswith(f"Booked: {labels[0].split(' - ')[0]}, Quiosque da Vida Activa")
    assert "Rua de Santa Catarina 312" in reply and "openstreetmap.org" in reply
    (appointment,) = _appointments(engine)
    assert (appointment.person_id, appointment.status) == (chat.person_id, "booked")
    with unit_of_work(engine) as db:
        notice = db.exec(select(Outbox).where(Outbox.kind == "notification")).one()
    assert notice.payload["ics_method"] == "REQUEST" and "BEGIN:VCALENDAR" in notice.payload["ics"]
    assert "Porto" in notice.payload["text"]
    # The counselor reads the person's name and the intake in words, in their own language.
    assert "Maria · Concelho: Porto · Idade: 25-29" in notice.payload["text"]
    assert "Encaminhamento: orientação e balanço de competências" in notice.payload["text"]


def test_a_day_said_in_words_narrows_the_offer(
    engine: Engine, cipher, clock: FakeClock, understand
) -> None:
    seed_demo_if_empty(engine)
    service = ConversationService(engine, intake_flow(), cipher, NOTICE, understand, clock)
    chat = Chat(service)
    chat.start("en")
    for answer in ENGLISH_INTAKE[:7]:
        chat.say(answer)
    chat.say("yes")  # what was understood of the experience
    for answer in ENGLISH_INTAKE[7:]:
        chat.say(answer)
    chat.say("Maria")
    # The clock stands on Tuesday 24 November 2026; the next Thursday is the 26th.
    wished = [c["label"] for c in chat.say("Thursday afternoon")[-1]["choices"][:3]]
    assert wished and all(label.startswith("Thu 26 Nov, 1") for label in wished)


def test_a_person_free_only_in_the_afternoons_is_offered_afternoons(
    service: ConversationService,
) -> None:
    chat = Chat(service)
    chat.start("en")
    script = [("4" if answer == "1 3" else answer) for answer in ENGLISH_INTAKE]  # afternoons
    for answer in script:
        chat.say(answer)
    labels = [c["label"] for c in chat.say("Maria")[-1]["choices"][:3]]
    hours = [int(label.split(", ")[1][:2]) for label in labels]
    assert len(hours) == 3 and all(13 <= hour < 18 for hour in hours), labels


def test_moving_keeps_one_appointment_and_cancelling_releases_it(
    service: ConversationService, engine: Engine
) -> None:
    chat, _ = _booked(service)
    chat.say("1")
    chat.say("move")
    moved = texts(chat.say("3"))
    assert moved.startswith("Booked:")
    (appointment,) = _appointments(engine)
    assert appointment.sequence == 1 and appointment.status == "booked"
    chat.say("cancel")
    reply = texts(chat.say("yes"))
    assert "is cancelled" in reply and reply.endswith("or type SKIP.")
    (appointment,) = _appointments(engine)
    assert appointment.status == "cancelled" and appointment.cancelled_by == "person"
    assert texts(chat.say("I found a job")).endswith("What would you like to do now?")
    (appointment,) = _appointments(engine)
    assert appointment.cancel_reason == "I found a job"


def test_a_reminder_is_answered_and_recorded_and_a_stale_one_says_nothing(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    chat, appointment = _with_meeting(service)
    before = len(chat.sent)
    service.tell(chat.person_id, ReminderDue(appointment.id + 99), kind="reminder")
    service.tell(chat.person_id, ReminderDue(appointment.id), kind="reminder")
    chat.dispatcher.dispatch_due(channel="console")
    (reminder,) = chat.sent[before:]
    assert reminder["text"].startswith("Reminder: your meeting is ")
    assert [c["label"] for c in reminder["choices"]] == [
        "Yes, I'll come", "Cancel it", "Change the time",
    ]  # fmt: skip
    with unit_of_work(engine) as db:
        kinds = {o.kind for o in db.exec(select(Outbox).where(Outbox.status == "sent")).all()}
    assert "reminder" in kinds
    reply = chat.say("1")
    assert reply[0]["text"] == "Thank you, see you then!"
    assert reply[-1]["choices"][0]["label"] == "Move the meeting"
    (appointment,) = _appointments(engine)
    assert appointment.confirmed_at == clock.now


def test_a_timer_that_fires_twice_tells_the_person_once(service: ConversationService) -> None:
    chat, _ = _booked(service)
    chat.say("1")
    sent = len(chat.sent)
    (appointment,) = _appointments(service.engine)
    for _ in range(2):
        service.tell(chat.person_id, ReminderDue(appointment.id), kind="reminder", once="t-1")
    chat.dispatcher.dispatch_due(channel="console")
    assert len(chat.sent) == sent + 1


def test_a_reminder_held_back_until_the_meeting_began_is_dropped_not_sent_late(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    chat, _ = _booked(service)
    chat.say("1")
    sent = len(chat.sent)
    (appointment,) = _appointments(engine)
    service.tell(chat.person_id, ReminderDue(appointment.id), kind="reminder")
    clock.now = appointment.starts_at
    chat.dispatcher.dispatch_due(channel="console")
    assert len(chat.sent) == sent
    with unit_of_work(engine) as db:
        (late,) = db.exec(
            select(Outbox).where(Outbox.kind == "reminder", Outbox.channel == "console")
        ).all()
    assert (late.status, late.last_error) == ("cancelled", "late: the meeting has begun")


def test_the_day_after_the_person_rates_the_meeting_and_says_what_next(
    service: ConversationService, engine: Engine
) -> None:
    chat, appointment = _with_meeting(service)
    service.tell(chat.person_id, FollowUpDue(appointment.id), kind="reminder")
    chat.dispatcher.dispatch_due(channel="console")
    assert chat.sent[-1]["text"].startswith("How did your meeting go?")
    chat.say("4")
    reply = texts(chat.say("a training course"))
    assert reply.startswith("Thank you for telling us.")
    (appointment,) = _appointments(engine)
    assert (appointment.follow_up_rating, appointment.follow_up_next_step) == (4, "training")


def test_when_the_counselor_cancels_the_person_is_told_and_offered_new_slots(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    chat, appointment = _with_meeting(service)
    with unit_of_work(engine) as db:
        cancel_for_counselor(service, db, appointment.id, "illness", clock.now)
    chat.dispatcher.dispatch_due(channel="console")
    told, offer = chat.sent[-2:]
    assert told["text"].startswith("Sorry, the counselor had to cancel your meeting on ")
    assert offer["text"].startswith("When can you come?") and len(offer["choices"]) == 7


def test_after_a_no_show_the_person_gets_a_kind_word_and_new_slots(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    chat, appointment = _with_meeting(service)
    clock.now = appointment.ends_at
    with unit_of_work(engine) as db:
        record_attendance(service, db, appointment.id, False, clock.now)
    chat.dispatcher.dispatch_due(channel="console")
    told, offer = chat.sent[-2:]
    assert told["text"].startswith("We missed you at your meeting on ")
    assert offer["text"].startswith("When can you come?") and len(offer["choices"]) == 7
    (appointment,) = _appointments(engine)
    assert appointment.attended is False


def test_a_nudge_brings_back_a_half_way_intake_and_never_a_finished_one(
    service: ConversationService,
) -> None:
    chat = Chat(service)
    chat.start("en")
    chat.say("yes")
    chat.say("Porto")
    service.tell(chat.person_id, NudgeDue(1), kind="nudge")
    chat.dispatcher.dispatch_due(channel="console")
    nudge, question = chat.sent[-2:]
    assert nudge["text"] == (
        "Hello again! We stopped at your age. Shall we go on? It takes a few minutes."
    )
    assert question["text"] == "How old are you?"
    finished, _ = _booked(service, "person-2")
    before = len(finished.sent)
    service.tell(finished.person_id, NudgeDue(1), kind="nudge")
    finished.dispatcher.dispatch_due(channel="console")
    assert len(finished.sent) == before


def test_erasing_my_data_frees_my_meeting_and_tells_the_counselor_without_my_data(
    service: ConversationService, engine: Engine
) -> None:
    chat, _ = _booked(service)
    chat.say("1")
    assert len(_appointments(engine)) == 1
    chat.say("delete")
    chat.say("yes")
    assert _appointments(engine) == []
    with unit_of_work(engine) as db:
        notices = db.exec(select(Outbox).where(Outbox.kind == "notification")).all()
    (cancelled,) = notices
    assert cancelled.person_id is None and cancelled.payload["ics_method"] == "CANCEL"
    assert "track:" not in cancelled.payload["text"]
