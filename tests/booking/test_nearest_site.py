"""The nearest site first, by distance from where the person lives, not by the name of a place."""

from bot.booking import SlotRequest
from bot.booking.labels import describe
from nlp.places import kilometres
from tests.booking.conftest import offers

MATOSINHOS = (41.18207, -8.68908)
GAIA = (41.12401, -8.61241)  # Vila Nova de Gaia: no site bears its name
BOLOGNA = (44.49381, 11.33875)


def sites(network, home, lang="pt", count=2):
    request = SlotRequest("orientation", lang, count=count, per_day=None, home=home)
    return [o.site_name for o in offers(network, request)]


def test_a_person_in_gaia_is_offered_porto_the_nearest_site_first(network):
    assert sites(network, GAIA) == ["QVA Porto", "QVA Porto"]


def test_a_person_in_matosinhos_is_offered_the_matosinhos_site_first(network):
    assert sites(network, MATOSINHOS) == ["QVA Matosinhos", "QVA Matosinhos"]


def test_distance_beats_the_name_of_the_municipality(network):
    # Typed "Porto", but the coordinates say Matosinhos: the kilometres decide.
    request = SlotRequest("orientation", "pt", "Porto", count=1, per_day=None, home=MATOSINHOS)
    assert [o.site_name for o in offers(network, request)] == ["QVA Matosinhos"]


def test_a_far_site_says_how_far_it_is_so_a_call_can_be_asked_for(network):
    # Only Giulia speaks Italian, and she works in Bologna.
    offer = offers(network, SlotRequest("orientation", "it", count=1, home=MATOSINHOS))[0]
    assert offer.site_name == "CdM Bologna"
    assert 1600 < offer.km < 1800
    assert describe(offer, "it").endswith(" - Bologna, 1.670 km")  # Italian thousands


def test_a_near_site_shows_no_distance(network):
    offer = offers(network, SlotRequest("orientation", "it", count=1, home=BOLOGNA))[0]
    assert offer.km == 0
    assert "km" not in describe(offer, "it")


def test_kilometres_between_porto_and_lisboa():
    assert 272 < kilometres((41.14961, -8.61099), (38.72509, -9.14980)) < 276  # as the crow flies
