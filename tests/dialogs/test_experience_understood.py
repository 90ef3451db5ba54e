"""What the experience confirmation shows: the occupation, what the person did in it, skills."""

from dialogs.engine.understood import taxonomy
from nlp.understanding import TaxonomyMatch, Understanding

COOK = TaxonomyMatch("http://data.europa.eu/esco/occupation/cook", "cook", 0.9, "5120")
MEALS = TaxonomyMatch("http://data.europa.eu/esco/skill/meals", "prepare meals", 1.0)
CARE = TaxonomyMatch("http://data.europa.eu/esco/skill/care", "show empathy", 0.9)


def test_the_occupation_comes_with_the_esco_skill_the_person_did_it_with():
    found = taxonomy(Understanding("en", occupations=(COOK,), activities=(MEALS,),
                                   skills=(CARE,)))
    assert [(f["kind"], f["label"]) for f in found] == [
        ("occupation", "cook"), ("skill", "prepare meals"), ("skill", "show empathy")]


def test_a_phrase_cut_from_a_description_is_not_shown_only_an_esco_skill_is():
    phrase = TaxonomyMatch(COOK.uri + "#description-1", "trabalhar numa vasta gama", 1.0)
    found = taxonomy(Understanding("pt", occupations=(COOK,), activities=(phrase,)))
    assert [(f["kind"], f["label"]) for f in found] == [("occupation", "cook")]


def test_no_activity_without_an_occupation_sure_enough_to_show():
    unsure = TaxonomyMatch(COOK.uri, "cook", 0.3, "5120")
    assert taxonomy(Understanding("en", occupations=(unsure,), activities=(MEALS,))) == []
