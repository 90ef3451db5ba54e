"""Match a message against ESCO labels: an inverted index of folded lemma keys, IDF-weighted.

A label matches when the message covers most of its informative keys, in any order; a key the
index does not know may stand for a known one within a small edit distance (typos).
"""

import math
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from nlp.understanding import TaxonomyMatch

MIN_COVERAGE = 0.5
FUZZY_CUTOFF = 87.0
FUZZY_WEIGHT = 0.85
FUZZY_MIN_LENGTH = 5
FUZZY_MAX_LENGTH = 20  # longer "words" are noise (a pasted URL, a key held down)
# A one-word label made of a word this common ("worker", "assistente") names no occupation.
MAX_SINGLE_WORD_LABELS = 150
# Words people use to talk to the bot ("pessoa", "falar") count half: they are rarely the job.
CHAT_WORD_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Concept:
    uri: str
    label: str
    group: str | None = None


@dataclass
class LabelIndex:
    """Built once per language and cached; read-only afterwards, so safe to share across threads.

    Numbers per label and postings are stdlib arrays: five languages of them stay resident, and
    a list holds a separate Python object for every number.
    """

    concepts: list[Concept] = field(default_factory=list)
    label_concept: array = field(default_factory=lambda: array("I"))
    label_weight: array = field(default_factory=lambda: array("d"))
    label_mass: array = field(default_factory=lambda: array("d"))
    label_head: list[str] = field(default_factory=list)
    postings: dict[str, array] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    fuzzy_buckets: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, concepts: list[Concept], labels: list[tuple[int, tuple[str, ...], float]],
        head_last: bool = False,
    ) -> "LabelIndex":
        """`labels`: (concept position, keys, weight); the weight ranks preferred over hidden.

        The head of a label ("limpiador" in "limpiador de edificios", "cleaner" in "office
        cleaner": first key in Romance languages, last in English) counts twice, so a message
        that names the trade without its specialisation still finds it.
        """
        unique = {(c, keys): w for c, keys, w in sorted(labels, key=lambda x: x[2]) if keys}
        frequency = Counter(key for (_, keys) in unique for key in keys)
        unique = {(c, keys): w for (c, keys), w in unique.items()
                  if len(keys) > 1 or frequency[keys[0]] <= MAX_SINGLE_WORD_LABELS}
        postings: dict[str, list[int]] = defaultdict(list)
        index = cls(concepts=concepts)
        for position, ((concept, keys), weight) in enumerate(unique.items()):
            index.label_concept.append(concept)
            index.label_weight.append(weight)
            for key in keys:
                postings[key].append(position)
        count = len(index.label_concept)
        index.postings = {k: array("I", p) for k, p in postings.items()}
        index.idf = {k: math.log(1 + count / len(p)) for k, p in postings.items()}
        for (_, keys), _w in unique.items():
            head = keys[-1] if head_last else keys[0]
            index.label_head.append(head)
            index.label_mass.append(sum(index.idf[k] for k in keys) + index.idf[head])
        buckets: dict[str, list[str]] = defaultdict(list)
        for key in postings:
            if len(key) >= FUZZY_MIN_LENGTH:
                buckets[key[0]].append(key)
        index.fuzzy_buckets = dict(buckets)
        return index

    def _known_keys(self, keys: set[str], vocabulary: frozenset[str]) -> dict[str, float]:
        found: dict[str, float] = {}
        for key in keys:
            if key in self.postings:
                found[key] = CHAT_WORD_WEIGHT if key in vocabulary else 1.0
            elif FUZZY_MIN_LENGTH <= len(key) <= FUZZY_MAX_LENGTH and key not in vocabulary:
                bucket = self.fuzzy_buckets.get(key[0], ())
                best = process.extractOne(key, bucket, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if best is not None:
                    found[best[0]] = max(found.get(best[0], 0.0), FUZZY_WEIGHT)
        return found

    def match(
        self, keys: set[str], limit: int = 5, vocabulary: frozenset[str] = frozenset()
    ) -> list[TaxonomyMatch]:
        """`vocabulary`: the words people chat with; never read as typos, and weak evidence."""
        covered: dict[int, float] = defaultdict(float)
        for key, weight in self._known_keys(keys, vocabulary).items():
            gain = self.idf[key] * weight
            for label in self.postings[key]:
                covered[label] += gain * 2 if self.label_head[label] == key else gain
        best: dict[int, tuple[float, float]] = {}
        for label, mass in covered.items():
            coverage = mass / self.label_mass[label]
            if coverage < MIN_COVERAGE:
                continue
            concept = self.label_concept[label]
            rank = (round(coverage * self.label_weight[label], 4), mass)
            if rank > best.get(concept, (0.0, 0.0)):
                best[concept] = rank
        ordered = sorted(best.items(), key=lambda item: item[1], reverse=True)[:limit]
        return [
            TaxonomyMatch(uri=self.concepts[c].uri, label=self.concepts[c].label,
                          score=score, group=self.concepts[c].group)
            for c, (score, _mass) in ordered
        ]
