"""The worker on a real database (SQLite, and PostgreSQL when configured), with a clock the
tests move, and the fake Telegram and Twilio servers. No network beyond 127.0.0.1."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from bot.delivery.outbound import Kind, Outbound
from dialogs.model import Input
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity
from tests.booking.conftest import network, people  # noqa: F401 - fixtures used here
from tests.clock import FakeClock


@dataclass
class RecordingService:
    """What the trigger runner needs of the conversation service, recording what it is told."""

    engine: Engine
    clock: FakeClock
    told: list[tuple[str, Input, str]] = field(default_factory=list)

    def tell(
        self, person_id: str, given: Input, kind: str = "reply", once: str | None = None
    ) -> None:
        self.told.append((person_id, given, kind))


def identities(engine: Engine, channel: str, addresses: list[str], now: datetime) -> list[Identity]:
    with unit_of_work(engine) as db:
        return [repo.find_or_create_identity(db, channel, a, now) for a in addresses]


def text(words: str, kind: Kind = "broadcast") -> Outbound:
    return Outbound(words, kind)
