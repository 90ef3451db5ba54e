"""Broadcasts: an announcement to a segment of people, one outbox row per person.

The rows carry the reference `broadcast:<id>`; the broadcast row keeps what was asked (the
segment, the text of each language, when), who asked for it from the desk and who cancelled it,
so that its progress can be read and audited.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from storage.columns import UTCDateTime


class Broadcast(SQLModel, table=True):
    __tablename__ = "broadcast"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    not_before: datetime = Field(sa_type=UTCDateTime, nullable=False)
    segment: dict[str, list[str]] = Field(sa_type=sa.JSON, nullable=False)
    texts: dict[str, str] = Field(sa_type=sa.JSON, nullable=False)  # {lang: text}
    recipients: int
    created_by: int | None = None  # the desk account (staff_account.id); None from the CLI
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    cancelled_by: int | None = None  # the desk account that cancelled it before it started


def broadcast_reference(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def recent_broadcasts(session: Session, limit: int = 50) -> list[Broadcast]:
    """The latest broadcasts, newest first."""
    return list(session.exec(select(Broadcast).order_by(col(Broadcast.id).desc()).limit(limit)))
