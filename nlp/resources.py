"""The project's data files inside the package: ESCO derivatives, training and held-out sets."""

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nlp.text import phrase_key
from nlp.understanding import INTENTS

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
TRAINING_DIR = PACKAGE_DIR / "training"
HELDOUT_DIR = PACKAGE_DIR / "heldout"


@dataclass(frozen=True)
class OccupationRow:
    uri: str
    group: str
    preferred: str
    alt: tuple[str, ...]
    hidden: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class SkillRow:
    uri: str
    preferred: str
    alt: tuple[str, ...]


@dataclass(frozen=True)
class NeededSkills:
    """Positions in `skills("en")` of the skills an occupation needs."""

    essential: tuple[int, ...]
    optional: tuple[int, ...]


@dataclass(frozen=True)
class IntentData:
    lang: str
    training: tuple[tuple[str, str], ...]
    keywords: dict[str, str]


def split(cell: str) -> tuple[str, ...]:
    """The several values of one TSV cell, written "a | b"."""
    return tuple(part for part in cell.split(" | ") if part)


def _tsv(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        body = io.StringIO("".join(line for line in f if not line.startswith("#")))
    yield from csv.DictReader(body, delimiter="\t", quoting=csv.QUOTE_NONE)


def occupations(lang: str) -> list[OccupationRow]:
    return [
        OccupationRow(
            r["uri"],
            r["isco_group"],
            r["preferred"],
            split(r["alt"]),
            split(r["hidden"]),
            r["description"],
        )
        for r in _tsv(DATA_DIR / f"esco_occupations_{lang}.tsv.gz")
    ]


def skill_languages() -> tuple[str, ...]:
    """The languages ESCO's skill labels are derived in (no pt or it here)."""
    return tuple(
        sorted(
            p.name[len("esco_skills_") : -len(".tsv.gz")]
            for p in DATA_DIR.glob("esco_skills_*.tsv.gz")
        )
    )


def skills(lang: str) -> list[SkillRow]:
    """The skills and competences some occupation needs, sorted by URI."""
    return [
        SkillRow(r["uri"], r["preferred"], split(r["alt"]))
        for r in _tsv(DATA_DIR / f"esco_skills_{lang}.tsv.gz")
    ]


def occupation_skills() -> dict[str, NeededSkills]:
    def positions(cell: str) -> tuple[int, ...]:
        return tuple(int(p) for p in cell.split())

    return {
        r["occupation"]: NeededSkills(positions(r["essential"]), positions(r["optional"]))
        for r in _tsv(DATA_DIR / "esco_occupation_skills.tsv.gz")
    }


def transversal_skills_en() -> dict[str, tuple[str, tuple[str, ...]]]:
    return {
        r["uri"]: (r["preferred"], split(r["alt"]))
        for r in _tsv(DATA_DIR / "esco_transversal_skills_en.tsv.gz")
    }


def places() -> Iterator[dict[str, str]]:
    """The gazetteer derived by scripts/derive_places.py (GeoNames, CC BY 4.0)."""
    return _tsv(DATA_DIR / "places.tsv.gz")


def lemma_fixes(lang: str) -> dict[str, str]:
    """Forms the project lemmatizes otherwise than spacy-lookups-data (percorso's own)."""
    return dict(yaml_file(DATA_DIR / "lemma_fixes.yaml").get(lang) or {})


def language_names() -> dict[str, Any]:
    """Everyday names of languages and the words that only look like one (percorso's own)."""
    return yaml_file(DATA_DIR / "language_names.yaml")


@cache
def yaml_file(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _intent_name(key: object) -> str:
    """YAML 1.1 reads the keys `yes` and `no` as booleans."""
    name = {True: "yes", False: "no"}.get(key, key) if isinstance(key, bool) else str(key)
    if name not in INTENTS:
        raise ValueError(f"unknown intent in training data: {name}")
    return name


def _pairs(section: dict[object, list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(text), _intent_name(intent))
        for intent, texts in section.items()
        for text in texts or ()
    )


def intent_data(lang: str) -> IntentData:
    raw = yaml_file(TRAINING_DIR / f"intents_{lang}.yaml")
    keywords = {}
    for intent, texts in (raw.get("keywords") or {}).items():
        for text in texts:
            keywords[phrase_key(str(text), lang)] = _intent_name(intent)
    return IntentData(lang, _pairs(raw["intents"]), keywords)


def heldout_intents(lang: str) -> tuple[tuple[str, str], ...]:
    return _pairs(yaml_file(HELDOUT_DIR / f"intents_{lang}.yaml")["intents"])


def labelled(split: str, name: str) -> list[dict[str, Any]]:
    """Labelled cases for dates, occupations, skills; `split` is "training" or "heldout"."""
    directory = TRAINING_DIR if split == "training" else HELDOUT_DIR
    return list(yaml_file(directory / f"{name}.yaml")["cases"])


def fingerprint(extra: str = "") -> str:
    """Hash of everything a built model depends on: a change to any data file triggers a rebuild."""
    digest = hashlib.sha256(extra.encode())
    for directory in (DATA_DIR, TRAINING_DIR):
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
