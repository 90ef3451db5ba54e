"""Load the built models once and parse messages with them; safe to share between threads."""

import gc
import pickle
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import spacy

from nlp.build import LanguageAssets, default_cache_dir, ensure_built, skip_french_import
from nlp.dates import read_when
from nlp.entities import contact_entities, number_entities, when_entities, yes_no
from nlp.intents import IntentClassifier
from nlp.keys import message_keys
from nlp.language import LanguageDetector
from nlp.language_names import LanguageNames
from nlp.places import Gazetteer
from nlp.text import scripts, truncate
from nlp.understanding import LANGUAGES, Place, Understanding

MAX_OCCUPATIONS = 5
MAX_SKILLS = 5
MAX_ACTIVITIES = 2


def readable(text: str) -> bool:
    """Emoji, punctuation and scripts the models never saw get no reading at all."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return any(ch.isdigit() for ch in text)
    latin = sum(1 for ch in letters if "LATIN" in scripts(ch))
    return latin * 2 > len(letters)


class Pipeline:
    def __init__(self, root: Path, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self._nlp = {lang: spacy.load(root / lang) for lang in languages}
        self._assets: dict[str, LanguageAssets] = {}
        for lang in languages:
            with open(root / f"{lang}.pickle", "rb") as f:
                self._assets[lang] = pickle.load(f)
        with open(root / "language.pickle", "rb") as f:
            self._detector: LanguageDetector = pickle.load(f)
        with open(root / "places.pickle", "rb") as f:
            self._places: Gazetteer = pickle.load(f)
        with open(root / "language_names.pickle", "rb") as f:
            self._language_names: LanguageNames = pickle.load(f)
        self._intents = {
            lang: IntentClassifier(self._nlp[lang], lang, self._assets[lang].keywords)
            for lang in languages
        }
        # spaCy adds unseen strings to the shared vocabulary while parsing: one writer at a time.
        self._locks = {lang: threading.Lock() for lang in languages}

    def nearest_place(self, latitude: float, longitude: float) -> Place | None:
        """The gazetteer's place nearest to a location the person shared, within NEAR_KM."""
        return self._places.nearest(latitude, longitude)

    def detect_language(self, text: str) -> str | None:
        text = truncate(text)
        return self._detector.detect(text) if readable(text) else None

    def parse(self, text: str, lang: str, tz: str, now: datetime) -> Understanding:
        """Understand `text` written in zone `tz` at `now` (the caller's clock: relative words
        such as "Thursday" are read against it; a naive `now` is taken as wall time in `tz`)."""
        if lang not in self._nlp:
            raise ValueError(f"language not loaded: {lang}")
        zone = ZoneInfo(tz)
        now = now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)
        text = truncate(text)
        if not readable(text):
            return Understanding(lang=lang, intent="other", confidence=1.0)
        nlp, assets = self._nlp[lang], self._assets[lang]
        with self._locks[lang]:
            intent, confidence = self._intents[lang].classify(text)
            doc = nlp.get_pipe("lemmatizer")(nlp.make_doc(text.lower()))
        keys = message_keys(doc, lang)
        when = read_when(text, lang, now.date())
        entities, taken = when_entities(when)
        contacts, contact_spans = contact_entities(text, lang, tz)
        entities += contacts
        entities += number_entities(text, lang, taken + contact_spans)
        titles = assets.occupations.match(keys, MAX_OCCUPATIONS, assets.vocabulary)
        occupations = assets.activities.rank(keys, titles, assets.vocabulary, MAX_OCCUPATIONS)
        activities = (
            assets.activities.activities_of(occupations[0].uri, keys, MAX_ACTIVITIES)
            if occupations
            else []
        )
        entities += self._language_names.find(text)
        answer = yes_no(text, lang)
        if answer is not None:
            entities.append(answer)
        return Understanding(
            lang=lang,
            intent=intent,
            confidence=confidence,
            detected_lang=self._detector.detect(text),
            entities=tuple(entities),
            occupations=tuple(occupations),
            activities=tuple(activities),
            skills=tuple(assets.skills.match(keys, assets.vocabulary, MAX_SKILLS)),
            datetime=when.resolve(now),
            part_of_day=when.part_of_day,
            places=self._places.find(text, lang),
        )


def load(languages: Iterable[str] = LANGUAGES, cache_dir: Path | None = None) -> Pipeline:
    wanted = tuple(dict.fromkeys(languages))
    unknown = set(wanted) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"unsupported languages: {sorted(unknown)}")
    root = ensure_built(cache_dir or default_cache_dir(), wanted)
    skip_french_import()
    pipeline = Pipeline(root, wanted)
    # The indexes are millions of long-lived objects: without this, every full garbage
    # collection walks them all and a parse that triggers one takes several milliseconds.
    gc.freeze()
    return pipeline
