"""The thread of a hand-over, and the queries over hand-overs (the table is storage.models).

The text of every message in a thread is encrypted with the application's Cipher, like the
conversation state: it is whatever the person chose to tell a counselor.
"""

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from storage.columns import UTCDateTime
from storage.crypto import Cipher
from storage.models import HandOver


class HandOverMessage(SQLModel, table=True):
    __tablename__ = "hand_over_message"

    id: int | None = Field(default=None, primary_key=True)
    hand_over_id: int = Field(foreign_key="hand_over.id", ondelete="CASCADE", index=True)
    author: str  # person | counselor | bot (what the bot said before the request)
    counselor_id: int | None = Field(default=None, foreign_key="counselor.id",
                                     ondelete="SET NULL")  # fmt: skip
    text: str = Field(sa_type=sa.Text, nullable=False)  # encrypted
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


def open_hand_over(db: Session, person_id: str) -> HandOver | None:
    return db.exec(
        select(HandOver).where(HandOver.person_id == person_id, HandOver.status == "open")
    ).first()


def add_message(
    db: Session,
    cipher: Cipher,
    hand_over_id: int,
    author: str,
    text: str,
    now: datetime,
    counselor_id: int | None = None,
) -> HandOverMessage:
    message = HandOverMessage(
        hand_over_id=hand_over_id,
        author=author,
        counselor_id=counselor_id,
        text=cipher.encrypt_json(text),
        created_at=now,
    )
    db.add(message)
    db.flush()
    return message


def thread(db: Session, cipher: Cipher, hand_over_id: int) -> list[tuple[HandOverMessage, str]]:
    """The messages in order, each with its text decrypted."""
    messages = db.exec(
        select(HandOverMessage)
        .where(HandOverMessage.hand_over_id == hand_over_id)
        .order_by(col(HandOverMessage.created_at), col(HandOverMessage.id))
    ).all()
    return [(message, cipher.decrypt_json(message.text)) for message in messages]


def open_at_sites(db: Session, site_ids: Collection[int] | None) -> list[HandOver]:
    """Open hand-overs of the sites (None: of the whole network), oldest first."""
    statement = select(HandOver).where(HandOver.status == "open")
    if site_ids is not None:
        statement = statement.where(col(HandOver.site_id).in_(list(site_ids)))
    return list(
        db.exec(statement.order_by(col(HandOver.requested_at), col(HandOver.id))).all()
    )


def overdue(db: Session, now: datetime) -> list[HandOver]:
    """Open hand-overs nobody took by their due time, and whose coordinator was not told yet."""
    return list(
        db.exec(
            select(HandOver)
            .where(
                HandOver.status == "open",
                col(HandOver.taken_by).is_(None),
                col(HandOver.escalated_at).is_(None),
                col(HandOver.due_at) <= now,
            )
            .order_by(col(HandOver.id))
        ).all()
    )
