"""Language of a short message: naive Bayes on character trigrams, gated by distinctive words.

A language is only returned when the text holds at least one word that the project's examples
know in that language alone, so a single ambiguous word ("no", "ok", "si") never switches.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.text import fold, squeeze_repeats, strip_accents, words

MIN_POSTERIOR = 0.9
SMOOTHING = 0.5


def _trigrams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def _words(text: str) -> list[str]:
    return [w for w in words(squeeze_repeats(text.lower())) if any(ch.isalpha() for ch in w)]


@dataclass(frozen=True)
class LanguageDetector:
    languages: tuple[str, ...]
    log_probs: dict[str, tuple[float, ...]]
    unseen: tuple[float, ...]
    word_languages: dict[str, frozenset[str]]

    @classmethod
    def train(cls, texts: dict[str, Iterable[str]]) -> "LanguageDetector":
        languages = tuple(texts)
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in languages}
        seen: dict[str, set[str]] = defaultdict(set)
        for lang, lines in texts.items():
            for line in lines:
                for word in _words(line):
                    counts[lang].update(_trigrams(word))
                    seen[strip_accents(word)].add(lang)
        features = set().union(*counts.values())
        totals = {lang: sum(c.values()) + SMOOTHING * (len(features) + 1) for lang, c in
                  counts.items()}
        log_probs = {
            f: tuple(math.log((counts[lang][f] + SMOOTHING) / totals[lang]) for lang in languages)
            for f in features
        }
        unseen = tuple(math.log(SMOOTHING / totals[lang]) for lang in languages)
        word_languages = {w: frozenset(langs) for w, langs in seen.items()}
        return cls(languages, log_probs, unseen, word_languages)

    def posterior(self, text: str) -> dict[str, float]:
        scores = [0.0] * len(self.languages)
        for word in _words(text):
            for gram in _trigrams(word):
                row = self.log_probs.get(gram)
                if row is None:
                    continue
                for i, value in enumerate(row):
                    scores[i] += value
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {lang: e / total for lang, e in zip(self.languages, exp, strict=True)}

    def detect(self, text: str) -> str | None:
        tokens = _words(text)
        if not tokens:
            return None
        votes: Counter[str] = Counter()
        for word in tokens:
            langs = self.word_languages.get(fold(word), frozenset())
            if len(langs) == 1:
                votes.update(langs)
        if not votes:
            return None
        posterior = self.posterior(text)
        best = max(posterior, key=posterior.__getitem__)
        if posterior[best] < MIN_POSTERIOR or votes[best] < max(votes.values()):
            return None
        return best
