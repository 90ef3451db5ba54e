"""`percorso export appointments`: the schema of docs/export.md."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.booking import SlotRequest, book, cancel, mark_attendance
from bot.settings import get_settings
from storage.appointments import appointments_for_export
from storage.db import unit_of_work
from tests.booking.conftest import NOW, offers

COLUMNS = [
    "id", "person_id", "counselor", "site", "service", "mode", "starts_at_utc", "ends_at_utc",
    "timezone", "starts_at_local", "ends_at_local", "status", "created_at", "cancelled_at",
    "cancelled_by", "cancel_reason", "attendance", "confirmed_at", "follow_up_rating",
    "follow_up_next_step",
]  # fmt: skip


@pytest.fixture
def history(network: Engine, people) -> Engine:
    """Ana came to her orientation in Porto; Bea cancelled hers in Bologna; Eva's is ahead."""
    porto = offers(network, SlotRequest("orientation", "pt", "Porto"))
    bologna = offers(network, SlotRequest("orientation", "it", "Bologna"))
    with unit_of_work(network) as db:
        came = book(db, people["ana"], porto[0], NOW)
        mark_attendance(db, came.id, True, porto[0].ends_at)
        gone = book(db, people["bea"], bologna[0], NOW)
        cancel(db, gone.id, "person", "found a job", NOW + timedelta(hours=1))
        book(db, people["eva"], porto[2], NOW)
    return network


def test_every_appointment_with_times_in_utc_and_at_the_site(history: Engine, people) -> None:
    with unit_of_work(history) as db:
        rows = appointments_for_export(db)
    assert [list(row) for row in rows] == [COLUMNS] * 3
    came, gone, ahead = rows
    assert {k: came[k] for k in ("person_id", "counselor", "site", "service", "mode")} == {
        "person_id": people["ana"], "counselor": "ana", "site": "porto",
        "service": "orientation", "mode": "in_person",
    }  # fmt: skip
    assert (came["starts_at_utc"], came["starts_at_local"], came["timezone"]) == (
        "2026-06-01T08:00:00+00:00", "2026-06-01T09:00:00+01:00", "Europe/Lisbon",
    )  # fmt: skip
    assert (came["status"], came["attendance"], came["cancelled_at"]) == ("done", "attended", None)
    assert gone["starts_at_local"] == "2026-06-01T09:00:00+02:00"
    assert (gone["status"], gone["cancelled_by"], gone["cancel_reason"], gone["attendance"]) == (
        "cancelled", "person", "found a job", None,
    )  # fmt: skip
    assert gone["cancelled_at"] == "2026-06-01T07:00:00+00:00"
    assert (ahead["status"], ahead["attendance"]) == ("booked", None)


def test_the_command_prints_json_and_csv(history: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.entry.cli import app  # loads the NLP models' code: only where needed

    monkeypatch.setenv("PERCORSO_DATABASE_URL", history.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        as_json = CliRunner().invoke(app, ["export", "appointments"])
        as_csv = CliRunner().invoke(app, ["export", "appointments", "--format", "csv"])
    finally:
        get_settings.cache_clear()
    assert as_json.exit_code == 0, as_json.output
    assert [row["status"] for row in json.loads(as_json.output)] == ["done", "cancelled", "booked"]
    table = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert list(table[0]) == COLUMNS
    assert [row["attendance"] for row in table] == ["attended", "", ""]
