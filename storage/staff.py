"""Staff accounts, their sessions and failed logins; the caller owns the transaction."""

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from storage.desk import LoginAttempt, StaffAccount, StaffSession


class AccountExists(ValueError):
    """An account with this e-mail address already exists."""


def account_by_email(session: Session, email: str) -> StaffAccount | None:
    return session.exec(select(StaffAccount).where(StaffAccount.email == email.lower())).first()


def add_account(session: Session, account: StaffAccount) -> StaffAccount:
    account.email = account.email.lower()
    if account_by_email(session, account.email) is not None:
        raise AccountExists(account.email)
    session.add(account)
    session.flush()
    return account


def accounts(session: Session) -> list[StaffAccount]:
    return list(session.exec(select(StaffAccount).order_by(StaffAccount.email)))


def disable_account(session: Session, email: str, now: datetime) -> StaffAccount:
    """Disable the account and end its sessions. Raises LookupError for an unknown address."""
    account = account_by_email(session, email)
    if account is None:
        raise LookupError(f"no account {email}")
    account.disabled_at = account.disabled_at or now
    session.add(account)
    for open_session in session.exec(
        select(StaffSession).where(
            StaffSession.account_id == account.id, StaffSession.ended_at.is_(None)
        )
    ):
        open_session.ended_at = now
        session.add(open_session)
    session.flush()
    return account


def open_session(session: Session, staff_session: StaffSession) -> None:
    session.add(staff_session)
    session.flush()


def live_session(
    session: Session, token_hash: str, idle_since: datetime, started_since: datetime
) -> tuple[StaffSession, StaffAccount] | None:
    """The session with this token and its account, unless it ended, went idle before
    `idle_since`, began before `started_since`, or its account is disabled."""
    row = session.exec(
        select(StaffSession, StaffAccount)
        .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
        .where(
            StaffSession.token_hash == token_hash,
            StaffSession.ended_at.is_(None),
            StaffSession.last_seen_at >= idle_since,
            StaffSession.created_at >= started_since,
            StaffAccount.disabled_at.is_(None),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def end_session(session: Session, token_hash: str, now: datetime) -> None:
    staff_session = session.get(StaffSession, token_hash)
    if staff_session is not None and staff_session.ended_at is None:
        staff_session.ended_at = now
        session.add(staff_session)
        session.flush()


def record_failed_login(session: Session, email: str, address: str, now: datetime) -> None:
    session.add(LoginAttempt(email=email.lower(), address=address, at=now))
    session.flush()


def failed_logins(session: Session, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Failed logins since `since`: for this e-mail address, and from this network address."""
    recent = select(LoginAttempt.email, LoginAttempt.address).where(
        LoginAttempt.at >= since,
        or_(LoginAttempt.email == email.lower(), LoginAttempt.address == address),
    )
    rows = session.exec(recent).all()
    return (
        sum(1 for row in rows if row.email == email.lower()),
        sum(1 for row in rows if row.address == address),
    )

