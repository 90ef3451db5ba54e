import gzip
from pathlib import Path

import yaml

from nlp import resources
from nlp.text import fold, phrase_key
from nlp.understanding import LANGUAGES

ATTRIBUTION = "This service uses the ESCO classification of the European Commission."


def test_derived_esco_files_carry_the_attribution():
    files = sorted(resources.DATA_DIR.glob("esco_*.tsv.gz"))
    # occupations in 5 languages, skills in en/es/fr, occupation-skill relations, transversal
    assert len(files) == 10
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            assert ATTRIBUTION in f.readline()


def test_project_translations_of_skills_are_marked_as_adapted():
    path = resources.DATA_DIR / "transversal_skills_adapted.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["adapted_by"] == "percorso"
    assert ATTRIBUTION in path.read_text(encoding="utf-8")
    known = set(resources.transversal_skills_en())
    for skill in data["skills"]:
        assert skill["uri"] in known
        assert set(skill["labels"]) == {"pt", "it", "es", "fr"}


def test_every_occupation_has_a_description_and_skills_resolve():
    skills_en = resources.skills("en")
    for lang in LANGUAGES:
        assert all(row.description for row in resources.occupations(lang)), lang
    needed = resources.occupation_skills()
    assert len(needed) > 2900
    assert all(p < len(skills_en) for n in needed.values() for p in (*n.essential, *n.optional))
    assert resources.skill_languages() == ("en", "es", "fr")


def test_held_out_intents_never_appear_in_training():
    for lang in LANGUAGES:
        training = {phrase_key(t, lang) for t, _ in resources.intent_data(lang).training}
        held_out = {phrase_key(t, lang) for t, _ in resources.heldout_intents(lang)}
        assert not (training & held_out - {""}), lang


def test_nothing_that_runs_reads_the_shared_folder():
    # Spelt in two parts so that this file is not itself a hit.
    shared = "../" + "shared"
    root = Path(resources.__file__).parent.parent
    for package in ("bot", "dialogs", "nlp", "storage"):
        for source in (root / package).rglob("*.py"):
            assert shared not in source.read_text(encoding="utf-8"), source


def test_old_portuguese_spelling_folds_to_the_new():
    assert fold("Direcção", "pt") == fold("direção", "pt") == "direcao"
    assert fold("actividades", "pt") == "atividades"
