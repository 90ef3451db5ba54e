"""Opting out of a channel: nothing more is sent to the address until it comes back."""

from sqlalchemy import update
from sqlmodel import Session

from storage.models import Identity, Outbox


def opt_out(db: Session, identity: Identity) -> int:
    """Stop everything to the identity; returns how many pending messages were cancelled."""
    identity.opted_out = True
    db.add(identity)
    result = db.exec(
        update(Outbox)
        .where(Outbox.identity_id == identity.id, Outbox.status == "pending")
        .values(status="cancelled")
    )
    return result.rowcount


def resubscribe(db: Session, identity: Identity) -> None:
    identity.opted_out = False
    db.add(identity)
