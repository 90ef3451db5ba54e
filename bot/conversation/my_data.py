"""MY DATA, the host's part: the whole record read from the database, shown in the chat with
channel addresses masked, and on a channel that carries files (Telegram) sent as well as one
JSON file, the copy GDPR article 20 gives a right to."""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.booking.labels import when, where
from bot.delivery.outbound import Document, Kind, Outbound, queue
from dialogs.model import ConsentKept, RecordRead
from storage.crypto import Cipher
from storage.models import Identity
from storage.record import person_record

FILE_CHANNELS = frozenset({"telegram"})
FILE_NAME = "my-data.json"
SHOWN_DIGITS = 3  # of an address, the end: enough to recognise one's own number
SHOWN_MEETINGS = frozenset({"booked", "done"})


def read_record(
    db: Session, cipher: Cipher, identity: Identity, lang: str, now: datetime, kind: Kind
) -> RecordRead:
    """The record as the dialog shows it; on a file channel, the file queued first."""
    record = person_record(db, cipher, identity.person_id)
    for channel in record["channels"]:
        channel["address"] = masked(channel["address"])
    sent = identity.channel in FILE_CHANNELS and _kept(record)
    if sent:
        content = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)
        queue(db, identity, Outbound(text="", kind=kind, lang=lang,
                                     document=Document(FILE_NAME, content)), now)  # fmt: skip
    return RecordRead(
        meetings=tuple((when(datetime.fromisoformat(m["starts_at"]), m["timezone"], lang),
                        where(m["site"], m["mode"], lang))
                       for m in record["meetings"] if m["status"] in SHOWN_MEETINGS),
        channels=tuple(f"{c['channel']} {c['address']}" for c in record["channels"]),
        consents=_latest_consents(record["consents"]),
        file_sent=sent,
    )  # fmt: skip


def masked(address: str) -> str:
    """'+351912345678' -> '••••••••••678': the end only, the length kept."""
    shown = address[-SHOWN_DIGITS:] if len(address) > SHOWN_DIGITS else ""
    return "•" * (len(address) - len(shown)) + shown


def _kept(record: dict[str, Any]) -> bool:
    """Anything beyond the channel the person writes from (which answers them)."""
    return any(record[section] for section in ("consents", "intakes", "meetings", "hand_overs",
                                               "path", "conversation"))  # fmt: skip


def _latest_consents(consents: list[dict[str, Any]]) -> tuple[ConsentKept, ...]:
    latest = {c["scope"]: c for c in consents}  # in the order recorded: the last one wins
    return tuple(
        ConsentKept(scope, c["granted"], c["recorded_at"][:10], c["notice_version"])
        for scope, c in sorted(latest.items())
    )
