"""One-time link codes: shown once to a human, kept only as a hash, good for a few minutes.

A counselor links a chat with one (purpose "counselor"); the same table serves a person linking a
second channel (purpose "identity").
"""

import hashlib
import secrets
from datetime import datetime, timedelta

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
    code = new_code()
    session.add(
        LinkCode(
            code_hash=code_hash(code),
            purpose="counselor",
            counselor_id=counselor_id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    session.flush()
    return code


def redeem_counselor_code(session: Session, code: str, now: datetime) -> int | None:
    """The counselor id the code links to, using the code up; None if unknown, used or expired."""
    link = session.exec(
        select(LinkCode)
        .where(LinkCode.code_hash == code_hash(code), LinkCode.purpose == "counselor")
        .with_for_update()
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    session.add(link)
    return link.counselor_id


def issue_identity_code(session: Session, person_id: str, now: datetime, minutes: int) -> str:
    """A code the person types on another channel, to be the same person there."""
    code = new_code()
    session.add(
        LinkCode(
            code_hash=code_hash(code),
            purpose="identity",
            person_id=person_id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    session.flush()
    return code


def redeem_identity_code(session: Session, code: str, now: datetime) -> str | None:
    """The person the code links to, using the code up; None if unknown, used or expired."""
    link = session.exec(
        select(LinkCode)
        .where(LinkCode.code_hash == code_hash(code), LinkCode.purpose == "identity")
        .with_for_update()
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    session.add(link)
    return link.person_id
