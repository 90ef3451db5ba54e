"""Occupations from what people say they did ("descarregava contentores no porto"), and the one
or two activities of the occupation that the message speaks of.

Each ESCO occupation is a document: the words of its description and labels and, where ESCO
has skill labels in the language (en, es, fr), of the skills it needs. Their BM25 weights are
computed once at build time; a message adds up the weights of its keys. The activities shown
are the occupation's skills in en, es and fr; in pt and it, where no skill labels exist, the
description's own phrases with the verb in the infinitive ("preparam refeições" -> "preparar
refeições").
"""

import math
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from nlp.taxonomy import Concept
from nlp.understanding import TaxonomyMatch

# A shared beginning this long links a verb to its noun ("descarregar", "descarga"), a trade to
# its work ("cozinheiro", "cozinhar"); weaker evidence than the word itself.
STEM_LENGTH = 6
STEM_WEIGHT = 0.6
BM25_K1, BM25_B = 1.2, 0.5
OPTIONAL_SKILL_WEIGHT = 0.5
# A message must share at least this weight with a description to name its occupation, and more
# than one key: one shared word ("reunião", "documents") is how chat and job texts overlap.
MIN_SCORE = 9.0
MIN_KEYS = 2
# Scores map onto (0, 1) as 1 - exp(-score / SCALE): about 0.68 at MIN_SCORE, 0.9 at twice it.
SCALE = 8.0
CHAT_WORD_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Activity:
    uri: str
    label: str
    keys: tuple[str, ...]


def stem(key: str) -> str | None:
    return "~" + key[:STEM_LENGTH] if len(key) > STEM_LENGTH else None


@dataclass
class ActivityIndex:
    """Built once per language and cached; read-only afterwards, so safe to share across threads.

    The postings are flat arrays (term -> slice of occupations and weights): millions of small
    Python objects would cost start-up time and memory.
    """

    occupations: list[Concept]
    terms: dict[str, int]
    starts: np.ndarray
    documents: np.ndarray
    weights: np.ndarray
    pool: list[Activity]
    activities: array  # per occupation, a slice of positions in `pool`...
    activity_starts: array  # ...from activity_starts[occupation] to the next start
    idf: np.ndarray  # per term row, like `starts`
    positions: dict[str, int]

    @classmethod
    def build(
        cls, occupations: list[Concept], documents: list[Counter[str]], pool: list[Activity],
        activities: list[tuple[int, ...]],
    ) -> "ActivityIndex":
        """`documents`: per occupation, the weight of each key (repeats add up); stems are added
        here. `activities`: per occupation, positions in `pool`, most telling first."""
        with_stems = []
        for document in documents:
            full = Counter(document)
            for key, count in document.items():
                if (s := stem(key)) is not None:
                    full[s] += count * STEM_WEIGHT
            with_stems.append(full)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        lengths = [sum(d.values()) for d in with_stems]
        average = sum(lengths) / len(lengths)
        frequency = Counter(key for d in with_stems for key in d)
        count = len(with_stems)
        idf = {k: math.log(1 + (count - n + 0.5) / (n + 0.5)) for k, n in frequency.items()}
        for position, (document, length) in enumerate(zip(with_stems, lengths, strict=True)):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
            for key, tf in document.items():
                weight = idf[key] * tf * (BM25_K1 + 1) / (tf + norm)
                postings[key].append((position, weight))
        terms, starts, docs, weights = {}, [0], [], []
        for key, entries in postings.items():
            terms[key] = len(terms)
            docs += [d for d, _ in entries]
            weights += [w for _, w in entries]
            starts.append(len(docs))
        activity_starts = array("I", [0])
        for chosen in activities:
            activity_starts.append(activity_starts[-1] + len(chosen))
        return cls(occupations, terms, np.array(starts, dtype=np.int32),
                   np.array(docs, dtype=np.int16), np.array(weights, dtype=np.float32), pool,
                   array("I", (a for chosen in activities for a in chosen)), activity_starts,
                   np.array([idf[k] for k in terms], dtype=np.float32),
                   {c.uri: i for i, c in enumerate(occupations)})

    def _idf(self, term: str | None) -> float:
        row = self.terms.get(term) if term is not None else None
        return float(self.idf[row]) if row is not None else 0.0

    def scores(self, keys: set[str], vocabulary: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per occupation, the weight it shares with the message and how many message keys
        it shares (a key and its stem count once, at the better of the two)."""
        scores = np.zeros(len(self.occupations), dtype=np.float32)
        hits = np.zeros(len(self.occupations), dtype=np.int8)
        for key in keys:
            weight = CHAT_WORD_WEIGHT if key in vocabulary else 1.0
            shared = np.zeros(len(self.occupations), dtype=np.float32)
            for term in (key, stem(key)):
                row = self.terms.get(term)  # type: ignore[arg-type]
                if row is not None:
                    start, end = self.starts[row], self.starts[row + 1]
                    found = self.documents[start:end]
                    shared[found] = np.maximum(shared[found], self.weights[start:end])
            scores += shared * weight
            hits += shared > 0
        return scores, hits

    def rank(
        self, keys: set[str], titles: list[TaxonomyMatch], vocabulary: frozenset[str] = frozenset(),
        limit: int = 5,
    ) -> list[TaxonomyMatch]:
        """Occupations by their descriptions, merged with `titles` (matched on labels): a title
        and a description that agree reinforce each other, as two independent pieces of
        evidence do."""
        scores, hits = self.scores(keys, vocabulary)
        sure: dict[str, float] = {}
        for position in np.flatnonzero((scores >= MIN_SCORE) & (hits >= MIN_KEYS)):
            sure[self.occupations[position].uri] = 1 - math.exp(-scores[position] / SCALE)
        combined = {m.uri: m.score for m in titles}
        for uri, score in sure.items():
            title = combined.get(uri, 0.0)
            combined[uri] = 1 - (1 - title) * (1 - score)
        ordered = sorted(combined.items(), key=lambda item: item[1], reverse=True)[:limit]
        concepts = [self.occupations[self.positions[uri]] for uri, _ in ordered]
        return [TaxonomyMatch(c.uri, c.label, round(score, 4), c.group)
                for c, (_, score) in zip(concepts, ordered, strict=True)]

    def activities_of(
        self, occupation_uri: str, keys: set[str], limit: int = 2
    ) -> list[TaxonomyMatch]:
        """The occupation's activities the message speaks of, most shared weight first; when it
        speaks of none, the occupation's most telling one."""
        position = self.positions.get(occupation_uri)
        if position is None:
            return []
        query = set(keys) | {s for k in keys if (s := stem(k)) is not None}
        shared = []
        own = self.activities[self.activity_starts[position]:self.activity_starts[position + 1]]
        for rank, index in enumerate(own):
            activity = self.pool[index]
            weight = sum(self._idf(k) for k in activity.keys if k in query)
            weight += STEM_WEIGHT * sum(self._idf(s) for k in activity.keys
                                        if (s := stem(k)) in query and k not in query)
            shared.append((weight, -rank, activity))
        shared.sort(key=lambda item: item[:2], reverse=True)
        chosen = [a for weight, _, a in shared if weight > 0][:limit] or [
            a for _, _, a in shared[:1]]
        return [TaxonomyMatch(a.uri, a.label, 1.0) for a in chosen]
