"""`percorso broadcast` and `percorso outbox` on the configured database."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from bot.delivery.outbound import queue
from bot.entry.cli import app
from bot.settings import get_settings
from storage.db import unit_of_work
from storage.models import Intake, Outbox
from tests.clock import FakeClock
from tests.worker.conftest import identities, text

runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("PERCORSO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def message_file(tmp_path: Path) -> Path:
    path = tmp_path / "fair.yaml"
    path.write_text("pt: Feira de emprego no sábado.\nit: Fiera del lavoro sabato.\n")
    return path


def people_in(engine: Engine, municipality: str, count: int) -> None:
    clock = FakeClock()
    found = identities(engine, "telegram", [f"{municipality}{n}" for n in range(count)], clock())
    with unit_of_work(engine) as db:
        for identity in found:
            db.add(Intake(person_id=identity.person_id, channel="telegram", lang="pt",
                          started_at=clock(), consent_version="2026-11",
                          municipality=municipality))  # fmt: skip


def broadcast_rows(engine: Engine) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).where(Outbox.kind == "broadcast")).one()


def test_the_count_is_shown_before_asking_and_no_means_nothing_is_queued(
    engine: Engine, message_file: Path
) -> None:
    people_in(engine, "Porto", 3)
    people_in(engine, "Bologna", 2)
    args = ["broadcast", "--segment", "municipality=Porto", "--message-file", str(message_file)]

    result = runner.invoke(app, args, input="n\n")

    assert "3 people will receive it (pt 3); left out: 0 opted out" in result.output
    assert result.exit_code == 1 and broadcast_rows(engine) == 0


def test_a_confirmed_broadcast_is_queued_and_its_status_read(
    engine: Engine, message_file: Path
) -> None:
    people_in(engine, "Porto", 3)
    args = ["broadcast", "--segment", "municipality=Porto", "--message-file", str(message_file),
            "--at", "2026-12-01T10:00+00:00", "--yes"]  # fmt: skip

    queued = runner.invoke(app, args)
    found = re.search(r"broadcast (\d+): 3 messages queued for 2026-12-01T10:00:00\+00:00",
                      queued.output)  # fmt: skip
    assert found is not None, queued.output
    status = runner.invoke(app, ["broadcast", "status", found[1]])

    assert status.output.strip() == "pending=3 sent=0 failed=0 cancelled=0"
    assert runner.invoke(app, ["broadcast", "status", "999999"]).exit_code == 1


def test_a_language_of_the_audience_without_a_text_is_named_and_nothing_is_queued(
    engine: Engine, message_file: Path
) -> None:
    people_in(engine, "Porto", 2)
    with unit_of_work(engine) as db:
        db.exec(select(Intake)).first().lang = "fr"
    args = ["broadcast", "--segment", "municipality=Porto", "--message-file", str(message_file),
            "--yes"]  # fmt: skip

    result = runner.invoke(app, args)

    assert result.exit_code == 1 and "no text for fr" in str(result.exception or result.output)
    assert broadcast_rows(engine) == 0


def test_a_bad_segment_is_refused(message_file: Path) -> None:
    result = runner.invoke(app, ["broadcast", "--segment", "notes=x", "--message-file",
                                 str(message_file)])  # fmt: skip
    assert result.exit_code == 2


def test_failed_rows_are_listed_and_can_be_retried(engine: Engine) -> None:
    clock = FakeClock()
    (identity,) = identities(engine, "telegram", ["1"], clock())
    with unit_of_work(engine) as db:
        for _ in range(2):
            row = queue(db, identity, text("hi", "reply"), clock())
            row.status, row.last_error, row.attempts = "failed", "telegram:400", 1

    listed = runner.invoke(app, ["outbox", "failed"])
    one = runner.invoke(app, ["outbox", "retry", str(row.id)])
    rest = runner.invoke(app, ["outbox", "retry", "--all"])

    assert listed.output.count("telegram:400") == 2
    assert one.output.strip() == "1 queued again" and rest.output.strip() == "1 queued again"
    with Session(engine) as db:
        assert {(r.status, r.attempts) for r in db.exec(select(Outbox))} == {("pending", 0)}
