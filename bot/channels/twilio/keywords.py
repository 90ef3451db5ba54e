"""SMS keywords, answered before any flow sees the message: opt-out, resubscribe and help.

A keyword counts only when it is the whole message (trimmed; case, accents and edge punctuation
ignored), so "STOP PLEASE" is an ordinary message. The policy, told to operators in docs/sms.md:

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

from sqlalchemy import update
from sqlmodel import Session as DbSession

from bot.conversation.service import Inbound
from bot.delivery.outbound import Outbound, queue
from dialogs.matching import normalize
from storage.models import Identity, Outbox, Person

log = logging.getLogger(__name__)

CHANNEL = "sms"


class Keyword(StrEnum):
    OPT_OUT = "opt_out"
    ASK_FIRST = "ask_first"  # may mean "stop all SMS" or something the flow handles
    RESUBSCRIBE = "resubscribe"
    HELP = "help"


# Words by kind and language; "any" words are international and tell no language.
_WORDS: dict[Keyword, dict[str, tuple[str, ...]]] = {
    Keyword.OPT_OUT: {
        "any": ("stop", "stopall", "unsubscribe", "end", "quit", "revoke", "optout"),
        "pt": ("parar", "pare", "sair", "desinscrever"),
        "it": ("basta", "disiscrivi", "disiscrivimi", "cancellami"),
        "es": ("parar", "baja", "detener"),
        "fr": ("arret", "arreter", "desabonner", "desinscrire"),
    },
    Keyword.ASK_FIRST: {
        "any": ("cancel",),
        "pt": ("cancelar", "fim"),
        "it": ("fine", "annulla", "cancella"),
        "es": ("cancelar", "fin"),
        "fr": ("annuler", "fin"),
    },
    Keyword.RESUBSCRIBE: {
        "any": ("start", "yes", "unstop"),
        "pt": ("iniciar", "comecar", "sim"),
        "it": ("iscrivi", "iscrivimi", "si"),
        "es": ("alta", "iniciar", "si"),
        "fr": ("reprendre", "oui"),
    },
    Keyword.HELP: {
        "any": ("help", "info"),
        "pt": ("ajuda",),
        "it": ("aiuto",),
        "es": ("ayuda",),
        "fr": ("aide",),
    },
}

# Channel texts, outside the flow catalogues: the flow never sees these messages.
TEXTS: dict[str, dict[str, str]] = {
    "pt": {
        "stopped": "Não lhe enviaremos mais SMS. Para voltar a recebê-los, responda START.",
        "resubscribed": "Voltará a receber os nossos SMS. Para parar, responda STOP.",
        "help": "Precisa de ajuda? Contacte-nos: {contact}. Para não receber mais SMS, responda "
        "STOP.",
        "help_opted_out": "Contacto: {contact}. Não lhe enviamos SMS; para voltar a recebê-los, "
        "responda START.",
        "ask_stop": "Quer deixar de receber todos os nossos SMS? Para confirmar, responda STOP.",
    },
    "it": {
        "stopped": "Fatto: non le invieremo più SMS. Per riceverli di nuovo, risponda START.",
        "resubscribed": "Riceverà di nuovo i nostri SMS. Per smettere, risponda STOP.",
        "help": "Serve aiuto? Ci contatti: {contact}. Per non ricevere più SMS, risponda STOP.",
        "help_opted_out": "Contatti: {contact}. Ora non le inviamo SMS; per riceverli di nuovo, "
        "risponda START.",
        "ask_stop": "Vuole smettere di ricevere tutti i nostri SMS? Per confermare, risponda STOP.",
    },
    "en": {
        "stopped": "Done: you will get no more SMS from us. To get them again, reply START.",
        "resubscribed": "You will get our SMS again. To stop them, reply STOP.",
        "help": "Need help? Contact us: {contact}. To stop our SMS, reply STOP.",
        "help_opted_out": "Contact us: {contact}. We send you no SMS now; to get them again, "
        "reply START.",
        "ask_stop": "Stop all SMS from us? Reply STOP to confirm.",
    },
    "es": {
        "stopped": "No le enviaremos más SMS. Para recibirlos de nuevo, responda START.",
        "resubscribed": "Volverá a recibir nuestros SMS. Para pararlos, responda STOP.",
        "help": "¿Necesita ayuda? Contáctenos: {contact}. Para no recibir más SMS, responda STOP.",
        "help_opted_out": "Contacto: {contact}. Ahora no le enviamos SMS; para recibirlos de "
        "nuevo, responda START.",
        "ask_stop": "¿Quiere dejar de recibir todos nuestros SMS? Para confirmar, responda STOP.",
    },
    "fr": {
        "stopped": "C'est fait : vous ne recevrez plus nos SMS. Pour les recevoir à nouveau, "
        "répondez START.",
        "resubscribed": "Vous recevrez à nouveau nos SMS. Pour les arrêter, répondez STOP.",
        "help": "Besoin d'aide ? Contactez-nous : {contact}. Pour ne plus recevoir nos SMS, "
        "répondez STOP.",
        "help_opted_out": "Contact : {contact}. Nous ne vous envoyons plus de SMS ; pour les "
        "recevoir à nouveau, répondez START.",
        "ask_stop": "Ne plus recevoir aucun de nos SMS ? Pour confirmer, répondez STOP.",
    },
}


def _index() -> dict[str, tuple[Keyword, frozenset[str]]]:
    """normalized word -> (kind, the languages it tells; empty for international words)."""
    index: dict[str, tuple[Keyword, frozenset[str]]] = {}
    for kind, by_lang in _WORDS.items():
        for lang, words in by_lang.items():
            for word in words:
                known_kind, langs = index.get(word, (kind, frozenset()))
                if known_kind is not kind:
                    raise ValueError(f"SMS keyword {word!r} is both {known_kind} and {kind}")
                index[word] = (kind, langs | ({lang} if lang != "any" else set()))
    return index


KEYWORDS = _index()


def keyword_of(text: str | None) -> tuple[Keyword, frozenset[str]] | None:
    """The keyword the whole message is, with the languages it belongs to, or None."""
    return KEYWORDS.get(normalize(text)) if text else None


def opt_out(db: DbSession, identity: Identity) -> int:
    """Stop everything to the identity; returns how many pending messages were cancelled."""
    identity.opted_out = True
    db.add(identity)
    result = db.exec(
        update(Outbox)
        .where(Outbox.identity_id == identity.id, Outbox.status == "pending")
        .values(status="cancelled")
    )
    return result.rowcount


class KeywordScreen:
    """The `Screen` of the SMS channel (bot.conversation.service): keywords first, then the flow."""

    def __init__(self, contact: str, default_lang: str) -> None:
        self.contact = contact
        self.default_lang = default_lang

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
            identity.opted_out = False
            db.add(identity)
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
        key: str,
        keyword_langs: frozenset[str],
        now: datetime,
        notice: bool = False,
    ) -> None:
        lang = self._lang(db, identity, keyword_langs)
        # The dispatcher sends an opt-out notice even to an opted-out number: the person asked.
        text = TEXTS[lang][key].format(contact=self.contact)
        queue(db, identity, Outbound(text, lang=lang, opt_out_notice=notice), now)

    def _lang(self, db: DbSession, identity: Identity, keyword_langs: frozenset[str]) -> str:
        """The person's language; else the keyword's own, when it has just one; else default."""
        person = db.get(Person, identity.person_id)
        if person is not None and person.lang in TEXTS:
            return person.lang
        if len(keyword_langs) == 1:
            return next(iter(keyword_langs))
        return self.default_lang
