"""The daily purge empties a message's body once it ended more than the configured days ago,
keeps the row, and purges each row once however many workers run it."""

from datetime import timedelta

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.jobs.purge import purge_sent_payloads
from bot.settings import Settings
from storage.db import unit_of_work
from storage.models import Outbox
from tests.clock import TUESDAY
from tests.worker.conftest import identities

DAYS = 30


def a_row(engine: Engine, status: str, ended_days_ago: float, words: str) -> int:
    (identity,) = identities(engine, "sms", [f"+35191200{words[:4]}"], TUESDAY)
    ended = TUESDAY - timedelta(days=ended_days_ago)
    with unit_of_work(engine) as db:
        row = Outbox(person_id=identity.person_id, identity_id=identity.id, channel="sms",
                     kind="reply", payload={"text": words}, priority=1, not_before=ended,
                     status=status, created_at=ended, last_error="refused" if status == "failed"
                     else None, sent_at=ended if status == "sent" else None)  # fmt: skip
        db.add(row)
        db.flush()
        assert row.id is not None
        return row.id


def payloads(engine: Engine) -> dict[int, dict]:
    with Session(engine) as db:
        return {row.id: row.payload for row in db.exec(select(Outbox)) if row.id is not None}


def test_bodies_past_their_time_are_emptied_and_the_rest_kept(engine: Engine) -> None:
    old_sent = a_row(engine, "sent", DAYS + 1, "1111 old and sent")
    old_failed = a_row(engine, "failed", DAYS + 2, "2222 old and failed")
    old_cancelled = a_row(engine, "cancelled", DAYS + 3, "3333 old and cancelled")
    recent = a_row(engine, "sent", DAYS - 1, "4444 recent")
    waiting = a_row(engine, "pending", DAYS + 5, "5555 still to send")

    assert purge_sent_payloads(engine, TUESDAY, DAYS) == 3

    kept = payloads(engine)
    assert kept[old_sent] == kept[old_failed] == kept[old_cancelled] == {}
    assert kept[recent] == {"text": "4444 recent"}
    assert kept[waiting] == {"text": "5555 still to send"}
    with Session(engine) as db:
        purged = db.get(Outbox, old_failed)
        assert purged is not None
        assert (purged.status, purged.last_error, purged.purged_at) == (
            "failed",
            "refused",
            TUESDAY,
        )


def test_a_second_run_finds_nothing_left_and_batches_cover_everything(engine: Engine) -> None:
    for n in range(5):
        a_row(engine, "sent", DAYS + 1, f"{n}{n}{n}{n} message")

    assert purge_sent_payloads(engine, TUESDAY, DAYS, batch=2) == 5
    assert purge_sent_payloads(engine, TUESDAY + timedelta(days=1), DAYS) == 0
    with engine.connect() as connection:  # the emptied body is a token too, never clear JSON
        stored = connection.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert all(token.startswith("gAAAAA") for token in stored)


def test_the_time_is_thirty_days_unless_configured() -> None:
    assert Settings(_env_file=None).sent_payload_days == 30
    assert Settings(_env_file=None, sent_payload_days=7).sent_payload_days == 7
