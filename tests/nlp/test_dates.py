from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from nlp.dates import read_when

SATURDAY = datetime(2026, 3, 28, 9, 0)  # the day before summer time in Lisbon, Rome, Paris


def resolve(text: str, lang: str, tz: str = "Europe/Lisbon", now: datetime = SATURDAY):
    zoned = now.replace(tzinfo=ZoneInfo(tz))
    when = read_when(text, lang, zoned.date())
    moment = when.resolve(zoned)
    return (moment.isoformat() if moment else None), when.part_of_day


@pytest.mark.parametrize(
    ("lang", "tz", "text", "expected", "part"),
    [
        ("pt", "Europe/Lisbon", "amanhã às 10h", "2026-03-29T10:00:00+01:00", None),
        ("pt", "Europe/Lisbon", "amanha as 10", "2026-03-29T10:00:00+01:00", None),
        ("pt", "Europe/Lisbon", "próxima terça às 15h", "2026-03-31T15:00:00+01:00", None),
        ("pt", "Europe/Lisbon", "3/12 às 14h", "2026-12-03T14:00:00+00:00", None),
        ("pt", "Europe/Lisbon", "depois de amanhã à tarde", "2026-03-30T00:00:00+01:00",
         "afternoon"),
        ("pt", "Europe/Lisbon", "amanhã de manhã", "2026-03-29T00:00:00+00:00", "morning"),
        ("pt", "Europe/Lisbon", "às 3 da tarde", "2026-03-28T15:00:00+00:00", None),
        ("pt", "Europe/Lisbon", "às 8h", "2026-03-29T08:00:00+01:00", None),
        ("it", "Europe/Rome", "martedì prossimo alle 15", "2026-03-31T15:00:00+02:00", None),
        ("it", "Europe/Rome", "domani mattina", "2026-03-29T00:00:00+01:00", "morning"),
        ("it", "Europe/Rome", "stasera alle 8", "2026-03-28T20:00:00+01:00", None),
        ("en", "Europe/Lisbon", "Friday morning", "2026-04-03T00:00:00+01:00", "morning"),
        ("en", "Europe/Lisbon", "tomorrow at 2:30pm", "2026-03-29T14:30:00+01:00", None),
        ("en", "Europe/Lisbon", "December 3rd at 2pm", "2026-12-03T14:00:00+00:00", None),
        ("es", "Europe/Madrid", "mañana por la mañana", "2026-03-29T00:00:00+01:00", "morning"),
        ("es", "Europe/Madrid", "el viernes a las 3 de la tarde", "2026-04-03T15:00:00+02:00",
         None),
        ("fr", "Europe/Paris", "mardi prochain à 15h", "2026-03-31T15:00:00+02:00", None),
        ("fr", "Europe/Paris", "demain après-midi", "2026-03-29T00:00:00+01:00", "afternoon"),
        ("fr", "Europe/Paris", "demain à midi", "2026-03-29T12:00:00+02:00", None),
    ],
)
def test_dates_are_resolved_against_now_in_the_persons_zone(lang, tz, text, expected, part):
    assert resolve(text, lang, tz) == (expected, part)


def test_tomorrow_at_ten_after_the_summer_time_change_has_the_summer_offset():
    assert resolve("amanhã às 10h", "pt")[0].endswith("+01:00")
    assert resolve("hoje às 10h", "pt")[0].endswith("+00:00")


def test_a_part_of_the_day_alone_gives_no_datetime():
    assert resolve("de manhã", "pt") == (None, "morning")


def test_greetings_are_not_parts_of_the_day():
    assert resolve("boa tarde", "pt") == (None, None)
    assert resolve("buonasera", "it") == (None, None)
    assert resolve("bonsoir", "fr") == (None, None)


def test_numbers_that_are_not_hours_stay_numbers():
    assert resolve("ho fatto la badante per sei anni", "it") == (None, None)
    assert resolve("quero falar a uma pessoa", "pt") == (None, None)


def test_a_bare_weekday_is_the_next_one_after_today():
    when = read_when("sábado", "pt", date(2026, 3, 28))
    assert when.day == date(2026, 4, 4)
