"""Transversal skills from life experience: trigger phrases per language, plus ESCO's own English
labels. A trigger is "a|b + c|d": every "+" group must be present, through any "|" alternative.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from nlp.taxonomy import FUZZY_CUTOFF, FUZZY_MAX_LENGTH, FUZZY_MIN_LENGTH, Concept, LabelIndex
from nlp.understanding import TaxonomyMatch

Alternative = tuple[str, ...]
Group = tuple[Alternative, ...]


@dataclass(frozen=True)
class Trigger:
    concept: int
    groups: tuple[Group, ...]

    def fires(self, keys: set[str]) -> bool:
        return all(any(set(alt) <= keys for alt in group) for group in self.groups)


def parse_trigger(concept: int, pattern: str, keys_of: Callable[[str], Alternative]) -> Trigger:
    groups = tuple(
        tuple(alt for alt in (keys_of(text) for text in part.split("|")) if alt)
        for part in pattern.split("+")
    )
    return Trigger(concept, tuple(group for group in groups if group))


@dataclass
class SkillMatcher:
    concepts: list[Concept]
    triggers: list[Trigger]
    labels: LabelIndex | None = None
    known: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for trigger in self.triggers:
            for group in trigger.groups:
                for key in (k for alt in group for k in alt if len(k) >= FUZZY_MIN_LENGTH):
                    bucket = self.known.setdefault(key[0], [])
                    if key not in bucket:
                        bucket.append(key)

    def _with_typos(self, keys: set[str], vocabulary: frozenset[str]) -> set[str]:
        fixed = set(keys)
        for key in keys:
            if not FUZZY_MIN_LENGTH <= len(key) <= FUZZY_MAX_LENGTH or key in vocabulary:
                continue
            best = process.extractOne(key, self.known.get(key[0], ()), scorer=fuzz.ratio,
                                      score_cutoff=FUZZY_CUTOFF)
            if best is not None:
                fixed.add(best[0])
        return fixed

    def match(self, keys: set[str], vocabulary: frozenset[str] = frozenset(),
              limit: int = 5) -> list[TaxonomyMatch]:
        keys = self._with_typos(keys, vocabulary)
        scores: dict[int, float] = {}
        for trigger in self.triggers:
            if trigger.fires(keys):
                # Two groups (action + object) say more than one word on its own.
                score = 1.0 if len(trigger.groups) > 1 else 0.9
                scores[trigger.concept] = max(scores.get(trigger.concept, 0.0), score)
        found = [TaxonomyMatch(self.concepts[c].uri, self.concepts[c].label, s)
                 for c, s in scores.items()]
        if self.labels is not None:
            known = {m.uri for m in found}
            found += [m for m in self.labels.match(keys, limit, vocabulary) if m.uri not in known
                      and m.score >= 0.9]
        found.sort(key=lambda m: m.score, reverse=True)
        return found[:limit]
