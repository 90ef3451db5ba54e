"""SMS keywords, answered before any flow sees the message: opt-out, resubscribe and help.

A keyword counts only when it is the whole message (trimmed; case, accents and edge punctuation
ignored), so "STOP PLEASE" is an ordinary message. The words are data (`sms_keywords.yaml`), the
replies live in the text catalogues (`sms_keyword.*`). The policy, told to operators in
docs/sms.md:

- unambiguous opt-out words stop every message to the number at once: the identity is marked
  opted out, its pending messages are cancelled and one confirmation is sent;
- words that may also mean "cancel my appointment" or "delete my data" (CANCEL, CANCELAR, FIM,
  FINE, ANNULLA, CANCELLA, FIN, ANNULER) change nothing: the flow reads them as usual and, just
  before its answer, one message asks to reply STOP to stop all SMS;
- help words get the service's contact line, and then the flow still answers them with its own
  help for the current question;
- an opted-out number is not heard by the flow: a resubscribe word brings it back (a
  confirmation, then the conversation resumes where it was), a help word gets the contact line,
  anything else is ignored. A resubscribe word from a number that is not opted out is an ordinary
  answer ("YES", "SIM"), read by the flow.
"""

import logging
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import yaml
from sqlmodel import Session as DbSession

from bot.contacts.opt_out import opt_out, resubscribe
from bot.conversation.service import Inbound
from bot.delivery.outbound import Outbound, queue
from dialogs.matching import normalize
from dialogs.model import Flow
from dialogs.render import render
from storage.models import Identity, Person

log = logging.getLogger(__name__)

WORDS_FILE = Path(__file__).with_name("sms_keywords.yaml")


class Keyword(StrEnum):
    OPT_OUT = "opt_out"
    ASK_FIRST = "ask_first"  # may mean "stop all SMS" or something the flow handles
    RESUBSCRIBE = "resubscribe"
    HELP = "help"


def text_key(name: str, texts: str = "sms_keyword") -> str:
    """The catalogue key of one of the keyword replies; `texts` names the channel's set of
    replies (WhatsApp's do not speak of SMS)."""
    return f"{texts}.{name}"


def _index(words: dict[str, dict[str, list[str]]]) -> dict[str, tuple[Keyword, frozenset[str]]]:
    """normalized word -> (kind, the languages it tells; empty for international words)."""
    index: dict[str, tuple[Keyword, frozenset[str]]] = {}
    for kind_name, by_lang in words.items():
        kind = Keyword(kind_name)
        for lang, listed in by_lang.items():
            for word in map(normalize, listed):
                known_kind, langs = index.get(word, (kind, frozenset()))
                if known_kind is not kind:
                    raise ValueError(f"SMS keyword {word!r} is both {known_kind} and {kind}")
                index[word] = (kind, langs | ({lang} if lang != "any" else set()))
    return index


KEYWORDS = _index(yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")))


def keyword_of(text: str | None) -> tuple[Keyword, frozenset[str]] | None:
    """The keyword the whole message is, with the languages it belongs to, or None."""
    return KEYWORDS.get(normalize(text)) if text else None


class SmsKeywords:
    """The `Screen` of the SMS channel (bot.conversation.service): keywords first, then the flow.
    WhatsApp keeps the same rule with replies of its own (`texts="whatsapp_keyword"`)."""

    def __init__(self, flow: Flow, contact: str, texts: str = "sms_keyword") -> None:
        self.catalogues = flow.catalogues
        self.default_lang = flow.default_lang
        self.contact = contact
        self.texts = texts

    def __call__(
        self, db: DbSession, identity: Identity, inbound: Inbound, now: datetime
    ) -> Inbound | None:
        found = keyword_of(inbound.text)
        if identity.opted_out:
            return self._opted_out(db, identity, inbound, found, now)
        if found is None:
            return inbound
        kind, langs = found
        if kind is Keyword.OPT_OUT:
            cancelled = opt_out(db, identity)
            log.info("identity %s opted out by keyword; %d cancelled", identity.id, cancelled)
            self._reply(db, identity, "stopped", langs, now, notice=True)
            return None
        if kind is Keyword.ASK_FIRST:
            self._reply(db, identity, "ask_stop", langs, now)
        elif kind is Keyword.HELP:
            self._reply(db, identity, "help", langs, now)
        return inbound

    def _opted_out(
        self,
        db: DbSession,
        identity: Identity,
        inbound: Inbound,
        found: tuple[Keyword, frozenset[str]] | None,
        now: datetime,
    ) -> Inbound | None:
        kind, langs = found or (None, frozenset())
        if kind is Keyword.RESUBSCRIBE:
            resubscribe(db, identity)
            log.info("identity %s resubscribed by keyword", identity.id)
            self._reply(db, identity, "resubscribed", langs, now)
            return replace(inbound, text=None, start=True)  # the flow resumes where it was
        if kind is Keyword.HELP:
            self._reply(db, identity, "help_opted_out", langs, now, notice=True)
        else:
            log.info("identity %s is opted out: message ignored", identity.id)
        return None

    def _reply(
        self,
        db: DbSession,
        identity: Identity,
        name: str,
        keyword_langs: frozenset[str],
        now: datetime,
        notice: bool = False,
    ) -> None:
        lang = self._lang(db, identity, keyword_langs)
        template = self.catalogues[lang].texts[text_key(name, self.texts)]
        # The dispatcher sends an opt-out notice even to an opted-out number: the person asked.
        message = Outbound(render(template, {"contact": self.contact}), lang=lang,
                           opt_out_notice=notice)  # fmt: skip
        queue(db, identity, message, now)

    def _lang(self, db: DbSession, identity: Identity, keyword_langs: frozenset[str]) -> str:
        """The person's language; else the keyword's own, when it has just one; else default."""
        person = db.get(Person, identity.person_id)
        if person is not None and person.lang in self.catalogues:
            return person.lang
        if len(keyword_langs) == 1:
            return next(iter(keyword_langs))
        return self.default_lang
