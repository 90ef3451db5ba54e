"""What a broadcast costs before it is sent, per channel: how many people; on SMS, the segments
each language's text takes (as the SMS sender will send it) times the people reading that
language; on WhatsApp, who is inside the 24-hour window (a free-form message), who is outside
it with an approved broadcast template for their language, and who is outside with none (their
message goes by Telegram or SMS if they have them, else waits for their next message: see
bot.contacts.whatsapp_window). Telegram costs nothing per message."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.contacts.whatsapp_window import CHANNEL as WHATSAPP
from bot.contacts.whatsapp_window import template_sid, window_open
from bot.delivery.outbound import Outbound
from bot.jobs.broadcast import CHANNELS, Recipient
from dialogs import segments
from storage import repositories


@dataclass(frozen=True)
class ChannelCost:
    channel: str
    people: int
    sms_segments: int = 0  # SMS: segments to be billed, all recipients together
    in_window: int = 0  # WhatsApp: inside the 24-hour window
    template: int = 0  # WhatsApp: outside it, sent as the approved template
    no_template: int = 0  # WhatsApp: outside it with no template for their language


def text_segments(text: str) -> int:
    """The SMS segments of a broadcast's text as the SMS sender sends it."""
    return segments.count(segments.plain(text)).segments


def costs(
    db: Session,
    recipients: list[Recipient],
    texts: Mapping[str, str],
    templates: Mapping[str, Mapping[str, str]],
    default_lang: str,
    now: datetime,
) -> list[ChannelCost]:
    """The cost on each broadcast channel, in the order of CHANNELS."""
    by_channel = {channel: [r for r in recipients if r.channel == channel] for channel in CHANNELS}
    found = [ChannelCost("telegram", len(by_channel["telegram"]))]
    sms_langs = Counter(r.lang for r in by_channel["sms"])
    found.append(ChannelCost("sms", len(by_channel["sms"]), sms_segments=sum(
        text_segments(texts.get(lang, "")) * n for lang, n in sms_langs.items()
    )))  # fmt: skip
    found.append(_whatsapp(db, by_channel[WHATSAPP], templates, default_lang, now))
    return found


def _whatsapp(
    db: Session,
    recipients: list[Recipient],
    templates: Mapping[str, Mapping[str, str]],
    default_lang: str,
    now: datetime,
) -> ChannelCost:
    last = repositories.last_inbound(db, [r.person_id for r in recipients], WHATSAPP)
    inside = [r for r in recipients if window_open(last.get(r.person_id), now)]
    outside = [r for r in recipients if not window_open(last.get(r.person_id), now)]
    templated = [
        r for r in outside
        if template_sid(templates, Outbound("", "broadcast", lang=r.lang), default_lang)
    ]  # fmt: skip
    return ChannelCost(WHATSAPP, len(recipients), in_window=len(inside), template=len(templated),
                       no_template=len(outside) - len(templated))  # fmt: skip
