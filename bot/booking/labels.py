"""Short texts about a slot or an appointment, in the site's time zone and the reader's language.

"qui 3 dez, 10:00 - Porto": short enough for a numbered choice in an SMS.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.booking.offers import SlotOffer

LANGUAGES = ("pt", "it", "en", "es", "fr")
FALLBACK = "en"
FAR_KM = 50
"""Beyond this a slot in person says how far the site is: "Bologna, 1 720 km"."""

REMOTE: dict[str, dict[str, str]] = {
    "phone": {
        "pt": "por telefone",
        "it": "al telefono",
        "en": "by phone",
        "es": "por teléfono",
        "fr": "par téléphone",
    },
    "video": {
        "pt": "por videochamada",
        "it": "in videochiamata",
        "en": "by video call",
        "es": "por videollamada",
        "fr": "en visio",
    },
}


def describe(offer: SlotOffer, lang: str) -> str:
    """A slot as a person reads it: day, time and place (or phone / video), in `lang`; a far
    site with its distance, so that the person can ask for a call instead."""
    text = label(offer.starts_at, offer.timezone, offer.municipality, offer.mode, lang)
    if offer.km is not None and offer.km >= FAR_KM:
        text += f", {format_decimal(offer.km, locale=_locale(lang))} km"
    return text


def label(starts_at: datetime, timezone: str, municipality: str, mode: str, lang: str) -> str:
    return f"{when(starts_at, timezone, lang)} - {where(municipality, mode, lang)}"


def when(moment: datetime, timezone: str, lang: str) -> str:
    """'qui 3 dez, 10:00': the weekday and month abbreviated (without their dots), 24-hour time."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_date(local, "EEE d MMM", locale=_locale(lang)).replace(".", "")
    return f"{day}, {local:%H:%M}"


def where(municipality: str, mode: str, lang: str) -> str:
    if mode in REMOTE:
        words = REMOTE[mode]
        return words.get(lang, words[FALLBACK])
    return municipality


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK)
