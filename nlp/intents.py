"""Intent classification: a spaCy text classifier over folded words, backed by keyword rules."""

import random
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

from nlp.resources import IntentData
from nlp.text import fold, phrase_key, squeeze_repeats, words
from nlp.understanding import INTENTS

SEED = 1234
EPOCHS = 20
BATCH = 16
LEARN_RATE = 0.01
# Below this the best intent is a guess; the dialog treats "other" as "answer to the question".
MIN_CONFIDENCE = 0.35
PREFIX = 5
TEXTCAT_CONFIG = {
    "model": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 2**15,
    }
}


def features(text: str, lang: str) -> list[str]:
    """Folded words, then word prefixes: prefixes keep inflections and end-of-word typos close."""
    tokens = words(fold(squeeze_repeats(text), lang))
    return tokens + [f"{w[:PREFIX]}~" for w in tokens if len(w) > PREFIX]


def train_textcat(nlp: Language, data: IntentData) -> None:
    """Deterministic: fixed seed and a fixed example order, so a rebuild gives the same model."""
    fix_random_seed(SEED)
    textcat = nlp.get_pipe("textcat")
    examples = []
    for text, intent in data.training:
        doc = Doc(nlp.vocab, words=features(text, data.lang) or ["_"])
        cats = {name: float(name == intent) for name in INTENTS}
        examples.append(Example.from_dict(doc, {"cats": cats}))
    textcat.initialize(lambda: examples, nlp=nlp, labels=list(INTENTS))
    optimizer = Adam(LEARN_RATE)
    rng = random.Random(SEED)
    for _ in range(EPOCHS):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=BATCH):
            textcat.update(batch, sgd=optimizer, drop=0.1)


@dataclass(frozen=True)
class IntentClassifier:
    nlp: Language
    lang: str
    keywords: dict[str, str]

    def scores(self, text: str) -> dict[str, float]:
        tokens = features(text, self.lang)
        if not tokens:
            return {}
        return dict(self.nlp.get_pipe("textcat")(Doc(self.nlp.vocab, words=tokens)).cats)

    def _keyword(self, text: str) -> str | None:
        key = phrase_key(text, self.lang)
        if key in self.keywords:
            return self.keywords[key]
        if " " not in key and len(key) >= 4:
            best = process.extractOne(key, list(self.keywords), scorer=fuzz.ratio, score_cutoff=85)
            if best is not None:
                return self.keywords[best[0]]
        return None

    def classify(self, text: str) -> tuple[str, float]:
        keyword = self._keyword(text)
        if keyword is not None:
            return keyword, 1.0
        scores = self.scores(text)
        if not scores:
            return "other", 1.0
        intent, confidence = max(scores.items(), key=lambda item: item[1])
        if confidence < MIN_CONFIDENCE:
            return "other", round(1.0 - confidence, 3)
        return intent, round(confidence, 3)
