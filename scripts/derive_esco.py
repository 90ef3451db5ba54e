"""Derive the compact ESCO files that percorso commits in nlp/data/ from the raw ESCO CSV exports.

Run from the repository root:  python scripts/derive_esco.py [../shared/data]
Only the columns the matcher uses are kept (URI, ISCO group, labels), gzip-compressed TSV.
"""

import argparse
import csv
import gzip
from pathlib import Path

ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
OCCUPATION_LANGUAGES = ("pt", "it", "en", "es", "fr")
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


def derive_occupations(source: Path, lang: str) -> Path:
    with open(source / "esco-1.0.8" / f"occupations_{lang}.csv", encoding="utf-8") as f:
        rows = [
            [r["conceptUri"], r["iscoGroup"], r["preferredLabel"].strip(),
             _labels(r["altLabels"]), _labels(r["hiddenLabels"])]
            for r in csv.DictReader(f)
        ]
    rows.sort(key=lambda row: row[0])
    path = OUT_DIR / f"esco_occupations_{lang}.tsv.gz"
    comments = [ATTRIBUTION, f"ESCO v1.0.8 occupations ({lang}), columns reduced by "
                "scripts/derive_esco.py; the Commission gives no guarantee of accuracy."]
    _write(path, ["uri", "isco_group", "preferred", "alt", "hidden"], comments, rows)
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
    written.append(derive_transversal_skills(source))
    for path in written:
        print(f"{path.relative_to(OUT_DIR.parent.parent)}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
