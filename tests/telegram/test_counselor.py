"""Counselors on Telegram: linking a chat with a one-time code, staff chats kept out of the job
seekers' flows, and the agenda with its attendance buttons."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.conversation.service import ConversationService
from bot.entry.bootstrap import App
from bot.network.importer import seed_demo_if_empty
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.booking import Appointment, Meeting
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.link_codes import issue_counselor_code
from storage.models import Conversation, Counselor, Intake, Person, Service, Site
from tests.clock import FakeClock
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram import updates
from tests.telegram.person import TelegramUser, Webhook

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday; Lisbon is on UTC in November
STAFF_CHAT = 9001


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def application(settings: Settings, engine: Engine, cipher: Cipher, clock: FakeClock) -> App:
    seed_demo_if_empty(engine)
    service = ConversationService(engine, intake_flow(), cipher, "2026-11", None, clock)
    return App(settings, engine, cipher, service)


def link_code(engine: Engine, counselor_code: str, issued: datetime = NOW) -> str:
    with unit_of_work(engine) as db:
        counselor = db.exec(select(Counselor).where(Counselor.code == counselor_code)).one()
        return issue_counselor_code(db, counselor.id, issued, minutes=15)


def linked_chat(engine: Engine, counselor_code: str) -> str | None:
    with Session(engine) as db:
        return db.exec(
            select(Counselor.telegram_chat_id).where(Counselor.code == counselor_code)
        ).one()


@pytest.fixture
def ana(webhook: Webhook, telegram: FakeTelegram, application: App) -> TelegramUser:
    """Ana Silva, counselor in Porto: Portuguese first."""
    return TelegramUser(webhook, telegram, application.engine, STAFF_CHAT)


def test_link_with_a_code_makes_the_chat_staff(ana: TelegramUser, application: App) -> None:
    ana.say(f"/link {link_code(application.engine, 'ana-silva')}")

    assert linked_chat(application.engine, "ana-silva") == str(STAFF_CHAT)
    assert ana.texts()[-1].startswith("Este chat está agora ligado a Ana Silva.")


def test_a_deep_link_start_with_a_code_links_too(ana: TelegramUser, application: App) -> None:
    code = link_code(application.engine, "giulia-romano")
    ana.start(code.replace("-", ""))

    assert linked_chat(application.engine, "giulia-romano") == str(STAFF_CHAT)
    assert ana.texts()[-1].startswith("Questa chat è ora collegata a Giulia Romano.")


def test_a_staff_chat_never_reaches_the_job_seekers_flow(
    ana: TelegramUser, application: App
) -> None:
    ana.say(f"/link {link_code(application.engine, 'ana-silva')}")
    ana.start()
    ana.say("Porto")

    assert ana.texts()[-1].startswith("Está ligado como Ana Silva")
    with Session(application.engine) as db:
        assert db.exec(select(Conversation)).all() == []


@pytest.mark.parametrize(
    ("code", "reply"),
    [("WRONG-CODE1", "Esse código não existe ou expirou"), ("", "Que língua prefere?")],
)
def test_a_code_that_is_not_valid_links_nothing(
    ana: TelegramUser, application: App, code: str, reply: str
) -> None:
    ana.say(f"/link {code}".strip())

    assert linked_chat(application.engine, "ana-silva") is None
    # No counselor's code: the person's flow reads it, finds no link either, and says so.
    assert reply in "\n".join(ana.texts()[-2:])


def test_an_expired_code_links_nothing(ana: TelegramUser, application: App) -> None:
    code = link_code(application.engine, "ana-silva", issued=NOW - timedelta(minutes=15))
    ana.say(f"/link {code}")

    assert linked_chat(application.engine, "ana-silva") is None
    # No counselor's code: the person's flow reads it, finds no link either, and says so.
    assert "Esse código não existe ou expirou" in "\n".join(ana.texts()[-2:])


def test_a_code_links_once(
    ana: TelegramUser, application: App, webhook: Webhook, telegram: FakeTelegram
) -> None:
    code = link_code(application.engine, "ana-silva")
    ana.say(f"/link {code}")
    other = TelegramUser(webhook, telegram, application.engine, STAFF_CHAT + 1, "it")
    other.say(f"/link {code}")

    assert linked_chat(application.engine, "ana-silva") == str(STAFF_CHAT)
    assert "Esse código não existe ou expirou" in "\n".join(other.texts()[-2:])


def test_a_chat_moves_to_the_counselor_it_is_linked_to_last(
    ana: TelegramUser, application: App
) -> None:
    ana.say(f"/link {link_code(application.engine, 'ana-silva')}")
    ana.say(f"/link {link_code(application.engine, 'joao-costa')}")

    assert linked_chat(application.engine, "ana-silva") is None
    assert linked_chat(application.engine, "joao-costa") == str(STAFF_CHAT)


def test_a_wrong_start_payload_is_an_ordinary_start(ana: TelegramUser, application: App) -> None:
    ana.start("ZZZZZ-ZZZZZ")

    assert linked_chat(application.engine, "ana-silva") is None
    assert ana.node() == "language"


# --- the agenda ----------------------------------------------------------------------------


def book(engine: Engine, counselor_code: str, starts: datetime, goal: str | None) -> int:
    """An appointment for a new person, with an intake when `goal` is given."""
    with unit_of_work(engine) as db:
        counselor = db.exec(select(Counselor).where(Counselor.code == counselor_code)).one()
        site = db.exec(select(Site).where(Site.code == counselor.site_codes[0])).one()
        service = db.exec(select(Service).where(Service.code == "orientation")).one()
        person = Person(created_at=NOW, first_name="Rita" if goal else None)
        db.add(person)
        ends = starts + timedelta(minutes=45)
        times = {"starts_at": starts, "ends_at": ends}
        meeting = Meeting(
            counselor_id=counselor.id,
            site_id=site.id,
            service_id=service.id,
            mode="in_person",
            taken=1,
            created_at=NOW,
            **times,
        )
        db.add(meeting)
        db.flush()
        appointment = Appointment(
            person_id=person.id,
            meeting_id=meeting.id,
            counselor_id=counselor.id,
            site_id=site.id,
            service_id=service.id,
            mode="in_person",
            created_at=NOW,
            updated_at=NOW,
            **times,
        )
        db.add(appointment)
        if goal:
            db.add(
                Intake(
                    person_id=person.id,
                    channel="telegram",
                    lang="pt",
                    started_at=NOW,
                    consent_version="2026-11",
                    goal=goal,
                    age_band="25-29",
                    unemployed_since="1to2y",
                    track="job_search",
                )
            )
        db.flush()
        return appointment.id


@pytest.fixture
def agenda(ana: TelegramUser, application: App) -> dict[str, int]:
    engine = application.engine
    ana.say(f"/link {link_code(engine, 'ana-silva')}")
    return {
        "earlier": book(engine, "ana-silva", NOW - timedelta(minutes=30), goal="work"),
        "later": book(engine, "ana-silva", NOW + timedelta(hours=2), goal=None),
        "tomorrow": book(engine, "ana-silva", NOW + timedelta(days=1), goal="training"),
        "colleague": book(engine, "joao-costa", NOW - timedelta(minutes=30), goal="work"),
    }


def test_agenda_lists_todays_appointments_with_an_intake_summary(
    ana: TelegramUser, agenda: dict[str, int]
) -> None:
    ana.say("/agenda")

    text = ana.texts()[-1]
    assert text.startswith("Hoje, terça-feira 24 novembro")
    earlier, later = f"#{agenda['earlier']} ", f"#{agenda['later']} "
    assert (
        f"Rita {earlier}08:30 · Entrevista de orientação · Quiosque da Vida Activa - Porto\n"
        "Idade: 25-29 · Sem trabalho: 1-2 anos · Objetivo: Encontrar trabalho · "
        "Encaminhamento: apoio à procura de emprego" in text
    )
    assert f"{later}11:00" in text and "ainda sem questionário" in text
    assert f"#{agenda['tomorrow']} " not in text and f"#{agenda['colleague']} " not in text
    labels = [
        b["text"] for row in ana.last_keyboard()["reply_markup"]["inline_keyboard"] for b in row
    ]
    # Only an appointment that has begun can be marked.
    assert labels == [f"{earlier}compareceu", f"{earlier}faltou", "Amanhã", "Esta semana"]


def test_agenda_shows_tomorrow_and_this_week(ana: TelegramUser, agenda: dict[str, int]) -> None:
    ana.say("/agenda")
    ana.press("tomorrow")
    assert ana.texts()[-1].startswith("Amanhã, quarta-feira 25 novembro")
    assert f"#{agenda['tomorrow']} " in ana.texts()[-1]

    ana.press("week")
    week = ana.texts()[-1]
    assert week.startswith("Esta semana, de segunda-feira 23 novembro a domingo 29 novembro")
    assert all(f"#{agenda[key]} " in week for key in ("earlier", "later", "tomorrow"))


def test_a_button_records_attendance_of_the_counselors_appointment(
    ana: TelegramUser, agenda: dict[str, int], application: App
) -> None:
    ana.say("/agenda")
    edited = ana.press(f"{agenda['earlier']}.no.today")

    with Session(application.engine) as db:
        appointment = db.get(Appointment, agenda["earlier"])
    assert (appointment.attended, appointment.status) == (False, "done")
    assert appointment.attendance_marked_at == NOW
    assert edited["text"].endswith(f"→ #{agenda['earlier']} faltou")
    assert ana.texts()[-1].startswith(f"Registado: #{agenda['earlier']} faltou.")
    assert f"#{agenda['earlier']} 08:30 · Entrevista de orientação" in ana.texts()[-1]


@pytest.mark.parametrize("target", ["colleague", "later"])
def test_attendance_cannot_be_recorded_for_anothers_or_a_future_appointment(
    ana: TelegramUser, agenda: dict[str, int], application: App, target: str
) -> None:
    ana.say("/agenda")
    sent = ana.last_keyboard()
    ana.send(updates.pressed(STAFF_CHAT, sent, f"c|staff.agenda|{agenda[target]}.yes.today"))

    with Session(application.engine) as db:
        assert db.get(Appointment, agenda[target]).attended is None
    assert ana.texts()[-1].startswith("Esta marcação não pode ser registada.")
