"""Whether a chat can be reached: a person who blocks the bot gets nothing until they let it
back in."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from storage import repositories as repo
from storage.db import unit_of_work


@dataclass(frozen=True)
class MembershipChanged:
    """The person blocked the bot on a channel, or let it back in; `external_id` is the update's,
    so a repeated report counts once."""

    channel: str
    address: str
    external_id: str
    blocked: bool


def record_membership(engine: Engine, change: MembershipChanged, now: datetime) -> None:
    with unit_of_work(engine) as db:
        identity = repo.find_identity(db, change.channel, change.address)
        person_id = identity.person_id if identity else None
        if not repo.record_inbound(db, change.channel, change.external_id, person_id, now):
            return
        if identity is not None:
            identity.reachable = not change.blocked
            db.add(identity)
