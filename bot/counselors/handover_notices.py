"""Telling staff about a hand-over, through the outbox: the counselors of the site when a person
asks for one (their Telegram chat when linked, otherwise e-mail), and the site's coordinator by
e-mail when nobody took it in time.

The notice says where and in which language, never what the person wrote: the thread is read in
the desk. The rows carry the person's id, so that erasing the person removes them.
"""

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from bot.booking.labels import FALLBACK, LANGUAGES, when
from bot.delivery.outbound import Outbound, queue
from storage import repositories as repo
from storage.models import Counselor, HandOver, Outbox, Site

Notice = Literal["asked", "late"]

TEXTS: dict[str, dict[Notice, str]] = {
    "pt": {
        "asked": "{site}: uma pessoa pede para falar com um técnico (em {lang}, por {channel}). "
        "Responda no balcão: {url}",
        "late": "{site}: um pedido para falar com um técnico espera desde {since} e ninguém o "
        "aceitou. Balcão: {url}",
    },
    "it": {
        "asked": "{site}: una persona chiede di parlare con un operatore (in {lang}, via "
        "{channel}). Risponda dallo sportello: {url}",
        "late": "{site}: una richiesta di parlare con un operatore attende da {since} e nessuno "
        "l'ha presa. Sportello: {url}",
    },
    "en": {
        "asked": "{site}: someone asks to talk to a person (in {lang}, by {channel}). Answer in "
        "the desk: {url}",
        "late": "{site}: a request to talk to a person has waited since {since} and nobody took "
        "it. Desk: {url}",
    },
    "es": {
        "asked": "{site}: una persona pide hablar con un orientador (en {lang}, por {channel}). "
        "Responda en el escritorio: {url}",
        "late": "{site}: una solicitud para hablar con un orientador espera desde {since} y nadie "
        "la ha atendido. Escritorio: {url}",
    },
    "fr": {
        "asked": "{site} : une personne demande à parler à un conseiller (en {lang}, par "
        "{channel}). Répondez dans le bureau : {url}",
        "late": "{site} : une demande de parler à un conseiller attend depuis {since} et personne "
        "ne l'a prise. Bureau : {url}",
    },
}
SUBJECTS: dict[str, dict[Notice, str]] = {
    "pt": {"asked": "Pedido para falar com um técnico", "late": "Pedido sem resposta"},
    "it": {"asked": "Richiesta di parlare con un operatore", "late": "Richiesta senza risposta"},
    "en": {"asked": "Request to talk to a person", "late": "Request not taken"},
    "es": {"asked": "Solicitud para hablar con un orientador", "late": "Solicitud sin atender"},
    "fr": {"asked": "Demande de parler à un conseiller", "late": "Demande non prise"},
}


def tell_counselors(
    db: Session, hand_over: HandOver, site: Site, counselors: list[Counselor], desk_url: str,
    now: datetime,
) -> list[Outbox]:
    """One notice to each counselor who can be reached; a counselor with neither a linked chat
    nor an e-mail address is skipped (the desk's inbox lists the hand-over all the same)."""
    rows = []
    for counselor in counselors:
        if counselor.telegram_chat_id:
            channel, address = "telegram", counselor.telegram_chat_id
        elif counselor.email:
            channel, address = "email", counselor.email
        else:
            continue
        lang = staff_lang(counselor.languages)
        rows.append(_queue(db, hand_over, site, "asked", lang, channel, address, desk_url, now))
    return rows


def tell_coordinator(
    db: Session, hand_over: HandOver, site: Site, address: str, lang: str, desk_url: str,
    now: datetime,
) -> Outbox:
    return _queue(db, hand_over, site, "late", lang, "email", address, desk_url, now)


def staff_lang(languages: list[str]) -> str:
    return next((lang for lang in languages if lang in LANGUAGES), FALLBACK)


def _queue(
    db: Session, hand_over: HandOver, site: Site, notice: Notice, lang: str, channel: str,
    address: str, desk_url: str, now: datetime,
) -> Outbox:
    text = TEXTS[lang][notice].format(
        site=site.name,
        lang=hand_over.lang or "?",
        channel=hand_over.channel or "?",
        since=when(hand_over.requested_at, site.timezone, lang),
        url=f"{desk_url.rstrip('/')}/inbox/{hand_over.id}",  # the desk's thread page
    )
    identity = repo.find_or_create_identity(db, channel, address, now)
    message = Outbound(text, "notification", lang=lang, notification=f"hand_over_{notice}",
                       subject=f"{SUBJECTS[lang][notice]} - {site.name}")  # fmt: skip
    return queue(db, identity, message, now, reference=f"hand_over:{hand_over.id}",
                 about=hand_over.person_id)  # fmt: skip
