"""Derive the compact ESCO files that percorso commits in nlp/data/ from the raw ESCO CSV exports.

Run from the repository root:  python scripts/derive_esco.py [../shared/data]
Only the columns the matcher uses are kept, gzip-compressed TSV: occupations (URI, ISCO group,
labels, description) in five languages; the skills and competences that some occupation needs
(URI, labels) in the languages ESCO has them for here (en, es, fr); which occupation needs which
skill; and the transversal skills.
"""

import argparse
import csv
import gzip
from pathlib import Path

ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
OCCUPATION_LANGUAGES = ("pt", "it", "en", "es", "fr")
SKILL_SOURCES = {"en": "esco-1.1.1/skills_en.csv.gz", "es": "esco-1.0.x/skills_es.csv.gz",
                 "fr": "esco-1.0.x/skills_fr.csv.gz"}
# English has seven alternative labels a skill on average; the first few say the activity in
# other words, the rest only reword it and would double the file.
MAX_ALT_SKILL_LABELS = 4
OUT_DIR = Path(__file__).resolve().parent.parent / "nlp" / "data"


def _labels(cell: str) -> str:
    parts = (part.strip() for part in cell.replace(" | ", "\n").splitlines())
    return " | ".join(dict.fromkeys(part for part in parts if part))


def _write(path: Path, header: list[str], comments: list[str], rows: list[list[str]]) -> None:
    # mtime=0 keeps the gzip bytes identical between runs, so a re-derive shows no diff.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
    ):
        lines = [f"# {line}" for line in comments]
        lines.append("\t".join(header))
        lines += ["\t".join(cell.replace("\t", " ") for cell in row) for row in rows]
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def derive_occupations(source: Path, lang: str) -> Path:
    with open(source / "esco-1.0.8" / f"occupations_{lang}.csv", encoding="utf-8") as f:
        rows = [
            [r["conceptUri"], r["iscoGroup"], r["preferredLabel"].strip(),
             _labels(r["altLabels"]), _labels(r["hiddenLabels"]), _one_line(r["description"])]
            for r in csv.DictReader(f)
        ]
    rows.sort(key=lambda row: row[0])
    path = OUT_DIR / f"esco_occupations_{lang}.tsv.gz"
    comments = [ATTRIBUTION, f"ESCO v1.0.8 occupations ({lang}), columns reduced by "
                "scripts/derive_esco.py; the Commission gives no guarantee of accuracy."]
    _write(path, ["uri", "isco_group", "preferred", "alt", "hidden", "description"], comments,
           rows)
    return path


def _needed_skills(source: Path, occupations: set[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Per occupation, its essential and optional skills and competences (knowledge left out:
    people tell what they did, not what they knew). Relations to occupations that 1.0.8 lacks
    are skipped."""
    needed: dict[str, tuple[list[str], list[str]]] = {}
    path = source / "esco-1.1.1" / "occupationSkillRelations.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["occupationUri"] in occupations and r["skillType"] == "skill/competence":
                essential, optional = needed.setdefault(r["occupationUri"], ([], []))
                (essential if r["relationType"] == "essential" else optional).append(r["skillUri"])
    return needed


def derive_skills(source: Path, lang: str, wanted: set[str]) -> Path:
    with gzip.open(source / SKILL_SOURCES[lang], "rt", encoding="utf-8") as f:
        rows = [
            [r["conceptUri"], r["preferredLabel"].strip(),
             " | ".join(_labels(r["altLabels"]).split(" | ")[:MAX_ALT_SKILL_LABELS])]
            for r in csv.DictReader(f) if r["conceptUri"] in wanted
        ]
    rows.sort(key=lambda row: row[0])
    path = OUT_DIR / f"esco_skills_{lang}.tsv.gz"
    comments = [ATTRIBUTION, f"ESCO skills and competences ({lang}) that some occupation needs, "
                f"from {SKILL_SOURCES[lang]}; columns reduced and alternative labels cut to "
                f"the first {MAX_ALT_SKILL_LABELS} by scripts/derive_esco.py; the Commission "
                "gives no guarantee of accuracy."]
    _write(path, ["uri", "preferred", "alt"], comments, rows)
    return path


def derive_occupation_skills(
    needed: dict[str, tuple[list[str], list[str]]], skills: list[str]
) -> Path:
    """Skills are named by their row in esco_skills_en.tsv.gz (0 = first): URIs would make the
    file six times larger."""
    row = {uri: i for i, uri in enumerate(skills)}
    rows = [[occupation, " ".join(str(row[u]) for u in essential),
             " ".join(str(row[u]) for u in optional)]
            for occupation, (essential, optional) in sorted(needed.items())]
    path = OUT_DIR / "esco_occupation_skills.tsv.gz"
    comments = [ATTRIBUTION, "ESCO v1.1.1 occupation-skill relations (skills and competences "
                "only), skills as row numbers of esco_skills_en.tsv.gz, by "
                "scripts/derive_esco.py; the Commission gives no guarantee of accuracy."]
    _write(path, ["occupation", "essential", "optional"], comments, rows)
    return path


def derive_transversal_skills(source: Path) -> Path:
    with open(source / "esco-1.2.0" / "transversalSkillsCollection_en.csv", encoding="utf-8") as f:
        rows = [
            [r["conceptUri"], r["preferredLabel"].strip(), _labels(r["altLabels"])]
            for r in csv.DictReader(f)
        ]
    rows.sort(key=lambda row: row[0])
    path = OUT_DIR / "esco_transversal_skills_en.tsv.gz"
    comments = [ATTRIBUTION, "ESCO v1.2.0 transversal skills (en), columns reduced by "
                "scripts/derive_esco.py; the Commission gives no guarantee of accuracy."]
    _write(path, ["uri", "preferred", "alt"], comments, rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", nargs="?", default="../shared/data", type=Path)
    source = parser.parse_args().source
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    written = [derive_occupations(source, lang) for lang in OCCUPATION_LANGUAGES]
    with open(source / "esco-1.0.8" / "occupations_en.csv", encoding="utf-8") as f:
        needed = _needed_skills(source, {r["conceptUri"] for r in csv.DictReader(f)})
    wanted = {uri for pair in needed.values() for uris in pair for uri in uris}
    written += [derive_skills(source, lang, wanted) for lang in SKILL_SOURCES]
    written.append(derive_occupation_skills(needed, sorted(wanted)))
    written.append(derive_transversal_skills(source))
    for path in written:
        print(f"{path.relative_to(OUT_DIR.parent.parent)}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
