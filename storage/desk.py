"""The desk's tables: staff accounts and their sessions, login attempts, the audit log of record
views, the log of changes to the network, and the stages of a person's path recorded by
counselors.

The audit logs (`record_view`, `network_change`) are append-only: no code updates or deletes
them, and migrations 0007 and 0015 install database triggers that refuse both (storage.audit).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime
from storage.crypto import EncryptedText

ROLES = ("counselor", "coordinator", "admin")
STAGES = (
    "orientation", "competence_assessment", "action_plan", "training", "internship", "job",
    "self_employment", "follow_up",
)  # fmt: skip
OUTCOMES = ("started", "completed", "interrupted", "referred")


def _instant(nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class StaffAccount(SQLModel, table=True):
    """A desk user. A counselor's account points at the network's counselor (and so at their
    sites); coordinators and admins see the whole network."""

    __tablename__ = "staff_account"
    __table_args__ = (
        sa.CheckConstraint("role IN ('counselor', 'coordinator', 'admin')", name="role"),
        sa.CheckConstraint("role <> 'counselor' OR counselor_id IS NOT NULL", name="counselor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)  # lower case
    password_hash: str
    role: str
    counselor_id: int | None = Field(
        default=None, foreign_key="counselor.id", ondelete="CASCADE", nullable=True
    )
    lang: str = "en"
    totp_secret: str | None = None  # encrypted with the application's cipher
    created_at: datetime = _instant()
    disabled_at: datetime | None = _instant(nullable=True)


class StaffSession(SQLModel, table=True):
    """A login. Only a hash of the cookie's token is kept; `ended_at` is set at logout."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True)
    account_id: int = Field(foreign_key="staff_account.id", ondelete="CASCADE", index=True)
    csrf_token: str
    created_at: datetime = _instant()
    last_seen_at: datetime = _instant()
    ended_at: datetime | None = _instant(nullable=True)


class LoginAttempt(SQLModel, table=True):
    """A failed login, counted to slow down guessing; `email` as typed, lower case."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_email_at", "email", "at"),
                      sa.Index("ix_login_attempt_address_at", "address", "at"))

    id: int | None = Field(default=None, primary_key=True)
    email: str
    address: str
    at: datetime = _instant()


class RecordView(SQLModel, table=True):
    """One view of a person's record: who, when, which person, which parts were shown."""

    __tablename__ = "record_view"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="staff_account.id", index=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    viewed_at: datetime = _instant()
    shown: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)


class PathStage(SQLModel, table=True):
    """A stage reached in the person's path, with its outcome and a short note."""

    __tablename__ = "path_stage"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    account_id: int = Field(foreign_key="staff_account.id")
    stage: str
    outcome: str
    note: str | None = Field(default=None, sa_type=EncryptedText)
    recorded_at: datetime = _instant()


class NetworkChange(SQLModel, table=True):
    """One entry of the network added, changed or deactivated from the desk (a form or an uploaded
    file): who, when, which entry (`section` and `code`) and the fields that changed.
    Append-only, as `record_view` (storage.audit)."""

    __tablename__ = "network_change"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="staff_account.id", index=True)
    at: datetime = _instant()
    action: str  # created | changed
    section: str  # sites | counselors | services | booking_rules | availability | closures
    code: str
    fields: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
