"""Where a person lives: places of Portugal, Italy, Spain and France found in what they wrote.

"moro em matosinhos", "sto a bolgna", "Bolonha", "je vis à Lisbonne" -> the best places, each
with a score: 1.0 when the whole answer is a place's name (any of its names, without accents or
case); less when the name sits inside a longer sentence, is shared by a large place elsewhere,
or was written with a typo. The gazetteer is nlp/data/places.tsv.gz (GeoNames, CC BY 4.0).
"""

import bisect
import math
import re
from array import array
from collections import defaultdict
from typing import NamedTuple

from rapidfuzz import fuzz, process

from nlp import resources
from nlp.text import fold
from nlp.understanding import Place

SURE = 0.93
"""A place scored at least this is what the person meant; below, ask them."""

MAX_WORDS = 8
"""A longer message is a sentence about something else, not an answer naming a place."""

INSIDE = 0.9  # a place's name found inside a longer answer
HOMONYM = 0.9  # another place of that name is at least a fifth as large
HOMONYM_RATIO = 5
POPULATION_WEIGHT = 0.02
MIN_TYPO_CHARS = 4
MAX_TYPO_WORDS = 4
MIN_RATIO = 80
MAX_SPAN = 6
KILOMETRES_PER_RADIAN = 6371.0
NEAR_KM = 25.0
"""A shared location farther than this from every place is not where the person lives."""
KM_PER_TENFOLD = 1.0  # how much farther a place ten times larger may be and still be taken
CELL = 0.25  # degrees: about 28 km north-south, more than NEAR_KM, so 3 x 3 cells cover it

LANG_COUNTRY = {"pt": "PT", "it": "IT", "es": "ES", "fr": "FR"}

# How people lead into the name, in the five languages: stripped before a name is compared
# with typos allowed. Articles that belong to a name ("La Spezia", "A Coruña") still match,
# because every run of words is also looked up whole.
LEAD_IN = {
    "pt": "eu moro vivo resido habito sou fico estou agora atualmente em no na nos nas a o ao de "
    "do da concelho freguesia cidade vila aldeia perto zona",
    "it": "io vivo abito sto risiedo sono adesso ora di in a ad al alla allo nel nella vicino "
    "comune citta paese provincia zona",
    "en": "i live living im m am currently now in at near the city town of from",
    "es": "yo vivo resido soy estoy ahora actualmente en el la los las de del cerca ciudad pueblo "
    "municipio",
    "fr": "je j habite vis suis habitons maintenant a au aux en de du des la le les pres ville "
    "commune village",
}
# People mix languages ("vivo in Lisbon"): the words of all five are stripped.
LEAD_WORDS = frozenset(word for words in LEAD_IN.values() for word in words.split())

_NON_WORD = re.compile(r"[^\w]+")


def key(text: str) -> str:
    """A name or an answer as the index compares them: folded words, digits kept."""
    return " ".join(w for w in _NON_WORD.split(fold(text)) if w and w != "_")


class Entry(NamedTuple):
    name: str
    country: str
    region: str
    area: str
    municipality: str
    latitude: float
    longitude: float
    population: int

    @classmethod
    def read(cls, line: str) -> "Entry":
        name, country, region, area, municipality, lat, lon, population = line.split("\t")
        return cls(
            name, country, region, area, municipality, float(lat), float(lon), int(population)
        )


class Gazetteer:
    """The places and their names, indexed for exact and typo-tolerant lookup; pickled by
    nlp.build with the other assets.

    Loading time decides the layout: a place is kept as its line of text, read when found, and
    the names as one sorted list searched by bisection (a dict of 65,000 names takes several
    times longer to unpickle). Names sharing a first letter form one run of that list: the
    candidates for a name written with a typo.
    """

    def __init__(self, lines: list[str], names: dict[str, list[int]]) -> None:
        self.lines = lines
        self.names = sorted(names)
        # The places of names[i] are ids[id_starts[i]:id_starts[i + 1]]: two flat arrays, not a
        # Python object per index, are smaller in memory and quicker to load.
        self.ids = array("I", (i for name in self.names for i in names[name]))
        self.id_starts = array("I", [0])
        for name in self.names:
            self.id_starts.append(self.id_starts[-1] + len(names[name]))
        self.runs: dict[str, tuple[int, int]] = {}
        for i, name in enumerate(self.names):
            lo, _ = self.runs.get(name[0], (i, i))
            self.runs[name[0]] = (lo, i + 1)
        # Places by the cell of a grid of CELL degrees they lie in: a shared location is
        # compared with the places of its cell and the eight around it, not with all of them.
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for index in range(len(lines)):
            entry = self.entry(index)
            cells[_cell(entry.latitude, entry.longitude)].append(index)
        self.cells = {cell: array("I", ids) for cell, ids in cells.items()}

    @classmethod
    def load(cls) -> "Gazetteer":
        lines, names = [], defaultdict(list)
        for row in resources.places():
            lines.append("\t".join(row[column] for column in Entry._fields))
            for name in {key(row["name"]), *(key(a) for a in resources.split(row["alternates"]))}:
                if name:
                    names[name].append(len(lines) - 1)
        return cls(lines, names)

    def entry(self, index: int) -> Entry:
        return Entry.read(self.lines[index])

    def find(self, text: str, lang: str, limit: int = 3) -> tuple[Place, ...]:
        tokens = key(text).split()
        if not tokens or len(tokens) > MAX_WORDS:
            return ()
        start = next((i for i, t in enumerate(tokens) if t not in LEAD_WORDS), len(tokens))
        spans = self._spans(tokens)
        said = {" ".join(tokens[i:j]) for i, j in spans}
        covered = {k for i, j in spans for k in range(i, j)}
        named_all = all(k in covered for k in range(start, len(tokens)))
        scored: dict[int, float] = {}
        for (i, j), ids in spans.items():
            whole = i <= start and j == len(tokens)
            for index in ids:
                score = 1.0 if whole or (named_all and self._qualified(index, said)) else INSIDE
                scored[index] = max(scored.get(index, 0.0), score)
        rest = " ".join(tokens[start:])
        if not any(j == len(tokens) and i <= start for i, j in spans):
            for index, score in self._typos(rest):
                scored[index] = max(scored.get(index, 0.0), score)
        return self._ranked(scored, said, LANG_COUNTRY.get(lang), limit)

    def nearest(self, latitude: float, longitude: float) -> Place | None:
        """The place nearest to a shared location, if one lies within NEAR_KM; its score falls
        from 1 with the distance."""
        row, column = _cell(latitude, longitude)
        around = (
            index
            for cell in ((row + i, column + j) for i in (-1, 0, 1) for j in (-1, 0, 1))
            for index in self.cells.get(cell, ())
        )
        here = (latitude, longitude)
        near = [(kilometres(here, e[5:7]), e) for e in map(self.entry, around)]
        near = [(km, e) for km, e in near if km < NEAR_KM]
        if not near:
            return None
        # A town's point is its centre: standing in Madrid, a quarter's point ("Sol") may be
        # nearer than Madrid's. A larger place is taken up to a few kilometres farther.
        km, entry = min(near, key=lambda d: d[0] - KM_PER_TENFOLD * math.log10(d[1].population + 1))
        return _place(entry, 1 - km / NEAR_KM)

    def _spans(self, tokens: list[str]) -> dict[tuple[int, int], tuple[int, ...]]:
        """Every run of words that is a place's name; a run inside a longer one is dropped."""
        found = {}
        for i in range(len(tokens)):
            for j in range(min(len(tokens), i + MAX_SPAN), i, -1):
                ids = self._ids(" ".join(tokens[i:j]))
                if ids and all(t in LEAD_WORDS for t in tokens[i:j]):
                    continue
                if ids and not any(a <= i and j <= b for a, b in found):
                    found[(i, j)] = ids
                    break
        return found

    def _ids(self, name: str) -> tuple[int, ...]:
        at = bisect.bisect_left(self.names, name)
        if at == len(self.names) or self.names[at] != name:
            return ()
        return tuple(self.ids[self.id_starts[at] : self.id_starts[at + 1]])

    def _typos(self, rest: str) -> list[tuple[int, float]]:
        if (
            len(rest) < MIN_TYPO_CHARS
            or rest.count(" ") >= MAX_TYPO_WORDS
            or rest[0] not in self.runs
        ):
            return []
        lo, hi = self.runs[rest[0]]
        matches = process.extract(
            rest, self.names[lo:hi], scorer=fuzz.ratio, score_cutoff=MIN_RATIO, limit=5
        )
        return [(index, score / 100) for name, score, _ in matches for index in self._ids(name)]

    def _qualified(self, index: int, said: set[str]) -> bool:
        """ "Matosinhos, Porto": the place's district or province is said beside its name."""
        e = self.entry(index)
        return bool(said & {key(e.region), key(e.area)} - {key(e.name)})

    def _ranked(
        self, scored: dict[int, float], said: set[str], country: str | None, limit: int
    ) -> tuple[Place, ...]:
        def order(index: int) -> tuple[bool, float, bool, bool, int]:
            e, score = self.entry(index), scored[index]
            exact = score == 1.0
            if not exact:
                # Among names written with a typo, a large place is the likelier meaning.
                score += POPULATION_WEIGHT * math.log10(e.population + 1)
            return exact, score, self._qualified(index, said), e.country == country, e.population

        chosen: list[tuple[Entry, float]] = []
        for index in sorted(scored, key=order, reverse=True):
            e = self.entry(index)
            if not any(
                c.municipality == e.municipality and c.country == e.country for c, _ in chosen
            ):
                chosen.append((e, scored[index]))
        return tuple(_place(e, score) for e, score in _homonyms(chosen)[:limit])


def _homonyms(chosen: list[tuple[Entry, float]]) -> list[tuple[Entry, float]]:
    """Places that share a name: a far larger one is meant ("Bologne" is Bologna, not the
    village in the Haute-Marne); between places of a size, the person is asked."""
    ties = [c for c in chosen if c[1] == chosen[0][1]]
    if len(ties) < 2:
        return chosen
    largest = max(ties, key=lambda c: c[0].population)
    others = max(c[0].population for c in ties if c is not largest)
    if largest[0].population >= others * HOMONYM_RATIO:
        return [largest, *(c for c in chosen if c is not largest)]
    return [(chosen[0][0], chosen[0][1] * HOMONYM), *chosen[1:]]


def _place(e: Entry, score: float) -> Place:
    return Place(
        e.name,
        e.country,
        e.region,
        e.area,
        e.municipality,
        e.latitude,
        e.longitude,
        round(score, 3),
    )


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / CELL), math.floor(longitude / CELL)


def kilometres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * KILOMETRES_PER_RADIAN * math.asin(math.sqrt(h))
