"""The audit log of record views: appended to, never changed.

The code has no path that updates or deletes a `record_view` row, and the database refuses it
too: `install_guard` (run by migration 0006) adds triggers on SQLite and PostgreSQL that abort
any UPDATE or DELETE. Only a schema change (a migration, or a test emptying its database) may
lift the guard, with `lift_guard`, and must install it again.
"""

from datetime import datetime

from sqlalchemy import Connection, select
from sqlmodel import Session

from storage.desk import RecordView

_SQLITE = [
    f"CREATE TRIGGER record_view_no_{verb.lower()} BEFORE {verb} ON record_view "
    "BEGIN SELECT RAISE(ABORT, 'record_view is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION record_view_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'record_view is append-only'; END $$",
    "CREATE TRIGGER record_view_append_only BEFORE UPDATE OR DELETE ON record_view "
    "FOR EACH ROW EXECUTE FUNCTION record_view_append_only()",
]


def install_guard(connection: Connection) -> None:
    statements = _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        connection.exec_driver_sql(statement)


def lift_guard(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS record_view_append_only ON record_view")
        return
    for verb in ("update", "delete"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS record_view_no_{verb}")


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
