"""How a slot reads to a person: the site's zone, the person's language (Babel)."""

from datetime import timedelta

import pytest

from bot.booking.labels import describe
from bot.booking.offers import SlotOffer
from tests.booking.clocks import LISBON, ROME, local


def offer(start, timezone="Europe/Lisbon", municipality="Porto", mode="in_person") -> SlotOffer:
    return SlotOffer(
        counselor_id=1, counselor_name="Ana Silva", site_id=1, site_name="QVA Porto",
        municipality=municipality, timezone=timezone, service_id=1, service_code="orientation",
        mode=mode, starts_at=start, ends_at=start + timedelta(minutes=45),
    )  # fmt: skip


THURSDAY = local(LISBON, "2026-12-03 10:00")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("pt", "qui 3 dez, 10:00 - Porto"),
        ("it", "gio 3 dic, 10:00 - Porto"),
        ("en", "Thu 3 Dec, 10:00 - Porto"),
        ("es", "jue 3 dic, 10:00 - Porto"),
        ("fr", "jeu 3 déc, 10:00 - Porto"),
        ("xx", "Thu 3 Dec, 10:00 - Porto"),  # an unknown language falls back to English
    ],
)
def test_a_slot_reads_in_the_persons_language(lang, expected) -> None:
    assert describe(offer(THURSDAY), lang) == expected


@pytest.mark.parametrize(
    ("mode", "lang", "expected"),
    [
        ("phone", "pt", "qui 3 dez, 10:00 - por telefone"),
        ("video", "it", "gio 3 dic, 10:00 - in videochiamata"),
        ("phone", "fr", "jeu 3 déc, 10:00 - par téléphone"),
    ],
)
def test_a_remote_slot_says_how_instead_of_where(mode, lang, expected) -> None:
    assert describe(offer(THURSDAY, mode=mode), lang) == expected


def test_the_time_is_shown_in_the_sites_zone_on_clock_change_days() -> None:
    spring = local(ROME, "2026-03-29 09:00")  # 07:00 UTC
    autumn = local(LISBON, "2026-10-25 09:00")  # 09:00 UTC
    assert describe(offer(spring, "Europe/Rome", "Bologna"), "it") == "dom 29 mar, 09:00 - Bologna"
    assert describe(offer(autumn), "pt") == "dom 25 out, 09:00 - Porto"


def test_an_offer_survives_a_trip_through_json() -> None:
    original = offer(THURSDAY)
    assert SlotOffer.from_json(original.to_json()) == original
