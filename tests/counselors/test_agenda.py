"""The counselors' agenda as a service: what a counselor's message asks, and the agenda's texts
in every language of the catalogues."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.conversation.service import Inbound
from bot.counselors.agenda import NODE, AgendaAsked, AgendaView, Mark, agenda_asked
from bot.counselors.texts import CounselorTexts
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.db import unit_of_work
from storage.models import Counselor
from tests.telegram.test_counselor import book

LANGUAGES = ("pt", "it", "en", "es", "fr")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday; Lisbon is on UTC in November
# Every counselor text the code asks for (bot/counselors/).
COUNSELOR_KEYS = (
    "linked", "help", "agenda.today", "agenda.tomorrow", "agenda.week", "agenda.empty",
    "agenda.button.today", "agenda.button.tomorrow", "agenda.button.week", "agenda.attended",
    "agenda.no_show", "agenda.no_intake", "agenda.marked", "agenda.not_marked",
)  # fmt: skip
TEXTS = CounselorTexts(intake_flow().catalogues)
LISBON = ZoneInfo("Europe/Lisbon")


def written(text: str) -> Inbound:
    return Inbound("telegram", "9001", "u1", text=text)


def pressed(choice: str, node: str = NODE) -> Inbound:
    return Inbound("telegram", "9001", "u1", picked=(node, choice))


@pytest.mark.parametrize(
    ("inbound", "asked"),
    [
        (written("/agenda"), AgendaAsked("today")),
        (written("/agenda week"), AgendaAsked("week")),
        (written("/agenda TOMORROW"), AgendaAsked("tomorrow")),
        (written("/agenda next year"), AgendaAsked("today")),
        (pressed("tomorrow"), AgendaAsked("tomorrow")),
        (pressed("12.yes.week"), AgendaAsked("week", Mark(12, True, "week"))),
        (pressed("7.no.today"), AgendaAsked("today", Mark(7, False, "today"))),
        (pressed("7.maybe.today"), None),
        (pressed("7.no.someday"), None),
        (pressed("today", node="consent"), None),
        (written("hello"), None),
        (written("agenda"), None),
    ],
)
def test_what_a_counselors_message_asks_of_the_agenda(
    inbound: Inbound, asked: AgendaAsked | None
) -> None:
    assert agenda_asked(inbound) == asked


def test_a_mark_reads_back_from_its_button() -> None:
    mark = Mark(41, False, "week")
    assert Mark.parse(mark.choice_id) == mark
    assert len(mark.choice_id.encode()) < 32  # room for the node in Telegram's 64 bytes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_counselor_text_exists_in_every_language(lang: str) -> None:
    catalogue = intake_flow().catalogues[lang]
    for key in COUNSELOR_KEYS:
        assert catalogue.texts.get(f"counselor.{key}"), (lang, key)


@pytest.mark.parametrize(
    ("languages", "lang"),
    [(["es", "pt"], "es"), (["fr"], "fr"), (["de", "it"], "it"), (["de"], "en"), ([], "en")],
)
def test_a_counselor_reads_the_first_of_their_languages_the_catalogues_speak(
    languages: list[str], lang: str
) -> None:
    assert TEXTS.lang_of(Counselor(code="x", name="X", languages=languages)) == lang


@pytest.mark.parametrize(
    ("lang", "title", "button"),
    [
        ("pt", "Hoje, terça-feira 24 novembro", "Amanhã"),
        ("it", "Oggi, martedì 24 novembre", "Domani"),
        ("en", "Today, Tuesday 24 November", "Tomorrow"),
        ("es", "Hoy, martes 24 noviembre", "Mañana"),
        ("fr", "Aujourd'hui, mardi 24 novembre", "Demain"),
    ],
)
def test_the_agenda_speaks_the_counselors_language(
    engine: Engine, lang: str, title: str, button: str
) -> None:
    seed_demo_if_empty(engine)
    appointment_id = book(engine, "ana-silva", NOW - timedelta(minutes=30), goal=None)
    with unit_of_work(engine) as db:
        ana = db.exec(select(Counselor).where(Counselor.code == "ana-silva")).one()
        view = AgendaView(TEXTS, lang, LISBON)
        message = view.message(db, ana, "today", NOW, note=None)
    assert message.text.startswith(title + "\n\n")
    assert TEXTS.text(lang, "agenda.no_intake") in message.text
    labels = [choice.label for choice in message.choices]
    assert labels[:2] == [
        f"#{appointment_id} {TEXTS.text(lang, 'agenda.attended')}",
        f"#{appointment_id} {TEXTS.text(lang, 'agenda.no_show')}",
    ]
    assert button in labels
