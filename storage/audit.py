"""The audit logs — record views, and changes to the network made in the desk: appended to,
never changed.

The code has no path that updates or deletes a row of them, and the database refuses it too:
`install_guard` (run by migrations 0007 and 0015, each for its table) adds triggers on SQLite
and PostgreSQL that abort any UPDATE or DELETE. Only a schema change (a migration, or a test
emptying its database) may lift the guard, with `lift_guard`, and must install it again.
"""

from datetime import datetime

from sqlalchemy import Connection, select
from sqlmodel import Session

from storage.desk import RecordView

APPEND_ONLY = ("record_view", "network_change")


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def _postgresql(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
    ]


def install_guard(connection: Connection, tables: tuple[str, ...] = APPEND_ONLY) -> None:
    """The triggers on `tables` (a migration names the tables it creates)."""
    statements = _postgresql if connection.dialect.name == "postgresql" else _sqlite
    for table in tables:
        for statement in statements(table):
            connection.exec_driver_sql(statement)


def lift_guard(connection: Connection, tables: tuple[str, ...] = APPEND_ONLY) -> None:
    for table in tables:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            continue
        for verb in ("update", "delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def record_view(
    session: Session, account_id: int, person_id: str, shown: list[str], now: datetime
) -> RecordView:
    view = RecordView(account_id=account_id, person_id=person_id, shown=shown, viewed_at=now)
    session.add(view)
    session.flush()
    return view


def views_of(session: Session, person_id: str) -> list[RecordView]:
    """Who looked at the person's record, oldest first."""
    statement = select(RecordView).where(RecordView.person_id == person_id).order_by(RecordView.id)
    return list(session.scalars(statement))
