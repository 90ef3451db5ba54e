"""Broadcasts: an announcement to a segment of people, one outbox row per person.

The rows carry the reference `broadcast:<id>`; the broadcast row keeps what was asked (the
segment, the text of each language, when) so that its progress can be read and audited.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class Broadcast(SQLModel, table=True):
    __tablename__ = "broadcast"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    not_before: datetime = Field(sa_type=UTCDateTime, nullable=False)
    segment: dict[str, list[str]] = Field(sa_type=sa.JSON, nullable=False)
    texts: dict[str, str] = Field(sa_type=sa.JSON, nullable=False)  # {lang: text}
    recipients: int


def broadcast_reference(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"
