"""Where a person first came from: the start code of the link (a site's poster, an event) that
opened their first conversation, kept on the person for the impact figures.

A start code is `s_<site>_<medium>` (letters, digits and hyphens; Telegram's deep links allow
no more). Telegram hands it over as the /start payload; on WhatsApp and SMS the link writes it
into the first message (`percorso links`), and `take_start_code` takes it out again before the
flow reads the message.
"""

import re
from dataclasses import replace

from sqlmodel import Session

from bot.conversation.service import Inbound
from storage.models import Identity, Person

START_CODE = re.compile(r"\[?\b(s_[a-z0-9-]+_[a-z0-9-]+)\b\]?", re.IGNORECASE)


def start_code(site: str, medium: str = "poster") -> str:
    code = f"s_{site}_{medium}".lower()
    if START_CODE.fullmatch(code) is None:
        raise ValueError(f"{code!r}: a site code and medium of letters, digits and hyphens")
    return code


def remember_source(db: Session, person_id: str, payload: str) -> None:
    """Later deep links do not overwrite the first one."""
    person = db.get(Person, person_id)
    if person is not None and person.source is None:
        person.source = payload
        db.add(person)


def take_start_code(db: Session, identity: Identity, inbound: Inbound) -> Inbound:
    """Remember the start code a message carries, and give the flow the message without it
    (a start, when nothing else was written)."""
    found = START_CODE.search(inbound.text or "")
    if found is None:
        return inbound
    remember_source(db, identity.person_id, found.group(1).lower())
    rest = START_CODE.sub("", inbound.text or "").strip()
    if not rest:
        return replace(inbound, text=None, start=True, start_payload=found.group(1).lower())
    return replace(inbound, text=rest)
