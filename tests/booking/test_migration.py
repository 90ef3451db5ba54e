"""Migration 0003 goes down to 0002 and up again, guards included."""

from alembic import command
from sqlalchemy import inspect

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade

BOOKING_TABLES = {"weekly_hours", "availability_exception", "booking_rules", "meeting",
                  "appointment"}  # fmt: skip


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(database_url), "0002")
        schema = inspect(engine)
        assert not BOOKING_TABLES & set(schema.get_table_names())
        assert "email" not in {c["name"] for c in schema.get_columns("counselor")}
        assert "group_seats" not in {c["name"] for c in schema.get_columns("service")}
    finally:
        upgrade(database_url)
    assert set(inspect(engine).get_table_names()) >= BOOKING_TABLES
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            guards = (
                connection.exec_driver_sql(
                    "SELECT conname FROM pg_constraint WHERE contype = 'x'"
                    " AND conrelid = 'meeting'::regclass"
                )
                .scalars()
                .all()
            )
            assert guards == ["ex_meeting_counselor_overlap"]
        else:
            guards = (
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'meeting'"
                    " ORDER BY name"
                )
                .scalars()
                .all()
            )
            assert guards == ["meeting_no_overlap_insert", "meeting_no_overlap_update"]
    engine.dispose()
