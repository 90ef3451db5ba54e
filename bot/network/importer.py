"""The network's sites, counselors and services, imported from a YAML file, with the counselors'
availability and the booking rules (bot.booking.network_file describes those sections)."""

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.booking.network_file import import_booking
from bot.network.check import Known, Problem, check_network
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Counselor, Site

DEMO_NETWORK = Path(__file__).parent / "demo_network.yaml"


class NetworkFileInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def import_network(engine: Engine, path: Path) -> dict[str, int]:
    """Add or update everything the file names (by code); returns how many of each it holds.

    The whole file is checked first: with any problem, nothing is written."""
    with unit_of_work(engine) as db:
        return import_text(db, path.read_text(encoding="utf-8"))


def import_text(db: Session, text: str) -> dict[str, int]:
    """The network file `text` into the caller's transaction, checked first (NetworkFileInvalid);
    a problem only the import itself finds (hours that overlap) raises ValueError, and the
    caller's transaction, rolled back, writes nothing either."""
    data, problems = check_network(text, _known(db))
    if problems:
        raise NetworkFileInvalid(problems)
    parts = {key: data.get(key) or [] for key in ("sites", "counselors", "services")}
    repo.upsert_network(db, parts["sites"], parts["counselors"], parts["services"])
    booking = import_booking(db, data)
    return {key: len(rows) for key, rows in parts.items()} | booking


def _known(db: Session) -> Known:
    return Known(
        sites=frozenset(db.exec(select(Site.code)).all()),
        counselors=frozenset(db.exec(select(Counselor.code)).all()),
    )


def has_network(engine: Engine) -> bool:
    """Whether any site was imported: without one, nobody can be offered a meeting."""
    with unit_of_work(engine) as db:
        return db.exec(select(Site.id).limit(1)).first() is not None


def seed_demo_if_empty(engine: Engine) -> bool:
    """Load the demo network into a database that has no site yet."""
    if has_network(engine):
        return False
    import_network(engine, DEMO_NETWORK)
    return True
