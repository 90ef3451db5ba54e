"""`percorso booking ...` on the configured database."""

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.booking import SlotRequest, book
from bot.settings import get_settings
from storage.db import unit_of_work
from tests.booking.conftest import NOW, offers
from tests.command_line import percorso


@pytest.fixture
def configured(network: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("PERCORSO_DATABASE_URL", network.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield network
    get_settings.cache_clear()


def test_slots_lists_what_a_person_would_be_offered(configured: Engine) -> None:
    # The command asks at the real clock: only the shape and the counselor are checked here.
    result = percorso("booking", "slots", "orientation", "--lang", "it", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines and {line["counselor_name"] for line in lines} == {"Giulia Romano"}


def test_cancel_and_attendance_work_on_an_appointment(configured: Engine, people) -> None:
    first = offers(configured, SlotRequest("orientation", "pt", "Porto"))[0]
    with unit_of_work(configured) as db:
        appointment = book(db, people["ana"], first, NOW)
    # The real clock is past June 2026's meeting: attendance can be recorded, not a cancellation.
    attended = percorso("booking", "attendance", str(appointment.id), "--no-show")
    assert (attended.exit_code, json.loads(attended.output)["attended"]) == (0, False)
    refused = percorso("booking", "cancel", str(appointment.id))
    assert refused.exit_code == 1
    assert "error:" in refused.output
    unknown = percorso("booking", "attendance", "999", "--attended")
    assert (unknown.exit_code, "no appointment 999" in unknown.output) == (1, True)
