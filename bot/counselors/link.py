"""A counselor's Telegram chat, linked once with a one-time code: from then on it is staff, and
bookings and the morning agenda reach the counselor there."""

from datetime import datetime

from sqlmodel import Session, select

from storage.link_codes import issue_counselor_code, redeem_counselor_code
from storage.models import Counselor


def issue_link_code(db: Session, counselor: Counselor, now: datetime, minutes: int) -> str:
    """A code, valid once for `minutes`, that links the chat it is sent from to the counselor."""
    return issue_counselor_code(db, counselor.id, now, minutes)


def link_chat(db: Session, chat: str, code: str, now: datetime) -> Counselor | None:
    """Link the chat to the counselor the code was issued for, using the code up; None when the
    code is no counselor's, or used, or expired."""
    counselor_id = redeem_counselor_code(db, code, now)
    if counselor_id is None:
        return None
    # A chat belongs to one counselor: free it first, as the column is unique.
    previous = counselor_of_chat(db, chat)
    if previous is not None:
        previous.telegram_chat_id = None
        db.add(previous)
        db.flush()
    counselor = db.get(Counselor, counselor_id)
    counselor.telegram_chat_id = chat
    db.add(counselor)
    return counselor


def counselor_of_chat(db: Session, chat: str) -> Counselor | None:
    return db.exec(select(Counselor).where(Counselor.telegram_chat_id == chat)).first()
