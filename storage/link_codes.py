"""One-time link codes: shown once to a human, kept only as a hash, good for a few minutes.

A counselor links a chat with one (purpose "counselor"); the same table serves a person linking a
second channel (purpose "identity").
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from storage.models import LinkCode

# No 0/O or 1/I: the code is read off one screen and typed on a phone.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 10  # 50 bits: out of reach of guessing in the minutes a code lives


def new_code() -> str:
    """A fresh code, grouped for reading: `K7QX2-9ZMBA`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def code_hash(code: str) -> str:
    """The stored form; case, spaces and dashes do not matter to the person typing it."""
    canonical = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(canonical.encode("ascii", "ignore")).hexdigest()


def issue_counselor_code(session: Session, counselor_id: int, now: datetime, minutes: int) -> str:
    return _issue(session, "counselor", now, minutes, counselor_id=counselor_id)


def redeem_counselor_code(session: Session, code: str, now: datetime) -> int | None:
    """The counselor id the code links to, using the code up; None if unknown, used or expired."""
    link = _redeem(session, code, "counselor", now)
    return link.counselor_id if link else None


def issue_identity_code(session: Session, person_id: str, now: datetime, minutes: int) -> str:
    """A code the person types on another channel, to be the same person there."""
    return _issue(session, "identity", now, minutes, person_id=person_id)


def redeem_identity_code(session: Session, code: str, now: datetime) -> str | None:
    """The person the code links to, using the code up; None if unknown, used or expired."""
    link = _redeem(session, code, "identity", now)
    return link.person_id if link else None


def _issue(session: Session, purpose: str, now: datetime, minutes: int, **subject: Any) -> str:
    code = new_code()
    session.add(
        LinkCode(
            code_hash=code_hash(code),
            purpose=purpose,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
            **subject,
        )
    )
    session.flush()
    return code


def _redeem(session: Session, code: str, purpose: str, now: datetime) -> LinkCode | None:
    link = session.exec(
        select(LinkCode)
        .where(LinkCode.code_hash == code_hash(code), LinkCode.purpose == purpose)
        .with_for_update()
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    session.add(link)
    return link
