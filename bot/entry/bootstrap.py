"""Putting the parts together for a command: database, cipher, flow, NLP, conversation service,
and the one delivery policy every dispatcher of the process keeps."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from bot.clock import Clock
from bot.conversation.service import ConversationService, Understand
from bot.counselors.handovers import HandOverRules
from bot.delivery.policy import DeliveryPolicy, RetryPolicy
from bot.delivery.quiet_hours import QuietHours
from bot.entry.failures import CommandFailed
from bot.jobs.reminders import ReminderTimes
from bot.metrics import time_statements
from bot.network.importer import has_network, seed_demo_if_empty
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher, load_cipher
from storage.db import cipher_of, make_engine, use_cipher
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: Engine
    cipher: Cipher
    service: ConversationService
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)


MAKE_A_KEY = ('python -c "from cryptography.fernet import Fernet; '
              'print(Fernet.generate_key().decode())"')


def open_database(settings: Settings, seed: bool = False) -> Engine:
    """The configured database, migrated to the latest schema, with its cipher (the same for
    every column it encrypts); with `seed` (the demo), the demo network if it has none."""
    if not seed and settings.secret_key is None and not settings.demo_key_file.exists():
        # Without a key, a command on a new database would make one up and lock the real key out
        # of it: only the demo makes its own.
        raise CommandFailed(
            f"PERCORSO_SECRET_KEY is not set and there is no demo key ({settings.demo_key_file}, "
            f"made by `make demo`); make a key with: {MAKE_A_KEY}"
        )
    url = settings.resolved_database_url
    cipher = load_cipher(settings.secret_key_value, settings.demo_key_file)
    upgrade(url, cipher)
    engine = make_engine(url)
    time_statements(engine)
    use_cipher(engine, cipher)
    if seed and seed_demo_if_empty(engine):
        log.info("seeded the demo network")
    return engine


def require_secret_key(settings: Settings) -> None:
    """A service that runs for real refuses to start on a key it would make up: a second
    machine would make another, and nobody's data could be read there."""
    if settings.secret_key is None:
        raise CommandFailed(f"PERCORSO_SECRET_KEY is not set; make one with: {MAKE_A_KEY}")


NO_NETWORK = (
    "the database has no network yet: nobody can be offered a meeting until its sites, "
    "counselors and services are imported with `percorso network import FILE` "
    "(FILE shaped like bot/network/demo_network.yaml)"
)


def build_app(
    settings: Settings, clock: Clock, understand: Understand | None = None, seed: bool = False
) -> App:
    """Everything a command needs, on the clock its entry point gives (the wall clock, or a
    fake one in tests). Only the demo is `seed`ed with the demo network; any other process on
    a database without one says how to import it, and runs."""
    engine = open_database(settings, seed)
    if not has_network(engine):
        log.warning(NO_NETWORK)
    cipher = cipher_of(engine)
    reminders = ReminderTimes(tuple(settings.reminder_offsets_hours), settings.follow_up_hour)
    service = ConversationService(
        engine, intake_flow(), cipher, settings.privacy_notice_version, understand, clock,
        link_code_minutes=settings.link_code_minutes, default_zone=settings.default_timezone,
        reminders=reminders,
        hand_over_rules=hand_over_rules(settings),
    )
    return App(settings, engine, cipher, service, delivery_policy(settings))


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        quiet=QuietHours.parse(settings.quiet_hours),
        retry=RetryPolicy(max_attempts=settings.outbox_max_attempts),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        default_zone=settings.default_timezone,
    )


def hand_over_rules(settings: Settings) -> HandOverRules:
    return HandOverRules(
        take_minutes=settings.handover_take_minutes,
        default_site=settings.handover_default_site,
        coordinator_email=settings.coordinator_email,
        desk_url=settings.public_url.rstrip("/") + "/desk",
    )
