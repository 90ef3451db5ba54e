"""Putting the parts together for a command: database, cipher, flow, NLP, conversation service."""

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.clock import Clock
from bot.conversation.service import ConversationService, Understand
from bot.counselors.handovers import HandOverRules
from bot.network.importer import seed_demo_if_empty
from bot.settings import Settings
from dialogs.loader import intake_flow
from storage.crypto import Cipher, load_cipher
from storage.db import make_engine
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: Engine
    cipher: Cipher
    service: ConversationService


def open_database(settings: Settings, seed: bool = True) -> Engine:
    """The configured database, migrated to the latest schema, with the demo network if empty."""
    url = settings.resolved_database_url
    upgrade(url)
    engine = make_engine(url)
    if seed and seed_demo_if_empty(engine):
        log.info("seeded the demo network")
    return engine


def build_app(settings: Settings, clock: Clock, understand: Understand | None = None) -> App:
    """Everything a command needs, on the clock its entry point gives (the wall clock, or a
    fake one in tests)."""
    engine = open_database(settings)
    cipher = load_cipher(settings)
    service = ConversationService(
        engine, intake_flow(), cipher, settings.privacy_notice_version, understand, clock,
        link_code_minutes=settings.link_code_minutes, default_zone=settings.default_timezone,
        hand_over_rules=hand_over_rules(settings),
    )
    return App(settings, engine, cipher, service)


def hand_over_rules(settings: Settings) -> HandOverRules:
    return HandOverRules(
        take_minutes=settings.handover_take_minutes,
        default_site=settings.handover_default_site,
        coordinator_email=settings.coordinator_email,
        desk_url=settings.public_url.rstrip("/") + "/desk",
    )
