"""Build what parsing needs, once, into a cache directory keyed by a hash of the data.

For all languages: the language detector and the gazetteer of places. Per language: the spaCy
pipeline (tokenizer, lookup lemmatizer pruned to the words the matchers
use, trained textcat) and the pickled occupation and skill indexes. Building takes seconds per
language; loading the result takes a fraction of one.
"""

import os
import pickle
import shutil
import sys
import tempfile
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.util import load_language_data, registry

from nlp import resources
from nlp.intents import TEXTCAT_CONFIG, train_textcat
from nlp.keys import label_keys
from nlp.language import LanguageDetector
from nlp.places import Gazetteer
from nlp.skills import SkillMatcher, parse_trigger
from nlp.taxonomy import Concept, LabelIndex
from nlp.text import fold, words
from nlp.understanding import LANGUAGES

# Bump when the build code changes in a way the data hash cannot see.
BUILD_VERSION = "3"
PREFERRED, PHRASE, ALTERNATIVE, HIDDEN = 1.0, 0.97, 0.95, 0.9


@dataclass(frozen=True)
class LanguageAssets:
    occupations: LabelIndex
    skills: SkillMatcher
    vocabulary: frozenset[str]
    keywords: dict[str, str]


def default_cache_dir() -> Path:
    if os.environ.get("PERCORSO_NLP_CACHE"):
        return Path(os.environ["PERCORSO_NLP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "percorso" / "nlp"


def cache_key() -> str:
    return resources.fingerprint(f"{BUILD_VERSION} spacy {spacy.__version__}")


def _lemma_table(lang: str) -> dict[str, str]:
    """spacy-lookups-data's table, lower-case forms only: the pipeline lower-cases before lookup."""
    table = load_language_data(registry.lookups.get(lang)["lemma_lookup"])
    # A few forms list several lemmas; the lookup lemmatizer takes the first, and so do we.
    return {form: lemma if isinstance(lemma, str) else lemma[0]
            for form, lemma in table.items() if form.islower()}


def _keys_function(
    nlp: Language, lang: str, lemmas: dict[str, str]
) -> Callable[[str], tuple[str, ...]]:
    """What the lookup lemmatizer does, straight from the full table, for indexing labels."""

    def keys_of(text: str) -> tuple[str, ...]:
        doc = nlp.make_doc(text.lower())
        for token in doc:
            token.lemma_ = lemmas.get(token.text, token.text)
        return label_keys(doc, lang)

    return keys_of


def _occupation_index(lang: str, keys_of: Callable[[str], tuple[str, ...]]) -> LabelIndex:
    rows = resources.occupations(lang)
    concepts = [Concept(r.uri, r.preferred, r.group) for r in rows]
    position = {r.uri: i for i, r in enumerate(rows)}
    labels = []
    for i, row in enumerate(rows):
        for text in row.preferred.split("/"):
            labels.append((i, keys_of(text), PREFERRED))
        labels += [(i, keys_of(text), ALTERNATIVE) for text in row.alt]
        labels += [(i, keys_of(text), HIDDEN) for text in row.hidden]
    for entry in resources.yaml_file(resources.DATA_DIR / "occupation_phrases.yaml")["phrases"]:
        labels += [(position[entry["uri"]], keys_of(text), PHRASE)
                   for text in entry.get(lang, ())]
    return LabelIndex.build(concepts, labels, head_last=lang == "en")


def _skill_matcher(lang: str, keys_of: Callable[[str], tuple[str, ...]]) -> SkillMatcher:
    esco = resources.transversal_skills_en()
    adapted = resources.yaml_file(resources.DATA_DIR / "transversal_skills_adapted.yaml")
    concepts, triggers = [], []
    for entry in adapted["skills"]:
        label = esco[entry["uri"]][0] if lang == "en" else entry["labels"][lang]
        concepts.append(Concept(entry["uri"], label))
        triggers += [parse_trigger(len(concepts) - 1, pattern, keys_of)
                     for pattern in entry["triggers"].get(lang, ())]
    labels = None
    if lang == "en":
        # ESCO's English labels say what a skill is; only multi-word ones are specific enough.
        all_concepts = [Concept(uri, preferred) for uri, (preferred, _alt) in esco.items()]
        pairs = [(i, keys_of(text), PREFERRED) for i, (uri, (pref, alt)) in enumerate(esco.items())
                 for text in (pref, *alt) if uri]
        labels = LabelIndex.build(all_concepts, [p for p in pairs if len(p[1]) > 1])
    return SkillMatcher(concepts, triggers, labels)


def _pruned_lookups(lemmas: dict[str, str], lang: str, used: set[str]) -> Lookups:
    """Only forms whose lemma a matcher can use: a small part of the table, quick to load."""
    useful: dict[str, bool] = {}
    kept = {}
    for form, lemma in lemmas.items():
        if lemma not in useful:
            useful[lemma] = any(w in used for w in words(fold(lemma, lang)))
        if useful[lemma]:
            kept[form] = lemma
    lookups = Lookups()
    lookups.add_table("lemma_lookup", kept)
    return lookups


def _used_keys(assets: LanguageAssets) -> set[str]:
    used = set(assets.occupations.postings)
    for trigger in assets.skills.triggers:
        used.update(k for group in trigger.groups for alt in group for k in alt)
    if assets.skills.labels is not None:
        used.update(assets.skills.labels.postings)
    return used


def build_language(lang: str, target: Path) -> None:
    if lang == "fr" and french_import_skipped():
        raise RuntimeError("French is built in a process that loaded the fast French stub")
    nlp = spacy.blank(lang)
    if lang == "fr":
        # spaCy's French pattern of hyphenated words is a 1.4 MB regular expression that takes
        # 3-5 s to compile every time a French pipeline loads; a hyphenated word is split instead.
        nlp.tokenizer.token_match = None
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("textcat", config=TEXTCAT_CONFIG)
    lemmas = _lemma_table(lang)
    keys_of = _keys_function(nlp, lang, lemmas)
    data = resources.intent_data(lang)
    vocabulary = frozenset(w for text, intent in data.training if intent != "other"
                           for w in words(fold(text, lang)))
    assets = LanguageAssets(_occupation_index(lang, keys_of), _skill_matcher(lang, keys_of),
                            vocabulary, data.keywords)
    lookups = _pruned_lookups(lemmas, lang, _used_keys(assets))
    nlp.get_pipe("lemmatizer").initialize(nlp=nlp, lookups=lookups)
    train_textcat(nlp, data)
    nlp.to_disk(target / lang)
    with open(target / f"{lang}.pickle", "wb") as f:
        pickle.dump(assets, f, protocol=pickle.HIGHEST_PROTOCOL)


def build_detector(target: Path) -> None:
    texts = {}
    for lang in LANGUAGES:
        data = resources.intent_data(lang)
        stop_words = spacy.util.get_lang_class(lang).Defaults.stop_words
        texts[lang] = [text for text, _ in data.training] + list(data.keywords) + sorted(stop_words)
    with open(target / "language.pickle", "wb") as f:
        pickle.dump(LanguageDetector.train(texts), f, protocol=pickle.HIGHEST_PROTOCOL)


def build_gazetteer(target: Path) -> None:
    with open(target / "places.pickle", "wb") as f:
        pickle.dump(Gazetteer.load(), f, protocol=pickle.HIGHEST_PROTOCOL)


FRENCH_EXCEPTIONS = "spacy.lang.fr.tokenizer_exceptions"


def skip_french_import() -> None:
    """Spare the French pattern's compilation when a built French pipeline is loaded.

    Importing spaCy's French module compiles that pattern (see build_language). A pipeline
    loaded from disk brings its own tokenizer rules, so a stand-in module with the base
    exceptions and no pattern serves. Nothing is done once French was imported for real.
    """
    if "spacy.lang.fr" in sys.modules or FRENCH_EXCEPTIONS in sys.modules:
        return
    from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS

    stand_in = types.ModuleType(FRENCH_EXCEPTIONS)
    stand_in.TOKENIZER_EXCEPTIONS = BASE_EXCEPTIONS
    stand_in.TOKEN_MATCH = None
    stand_in.PERCORSO_STAND_IN = True
    sys.modules[FRENCH_EXCEPTIONS] = stand_in


def french_import_skipped() -> bool:
    return getattr(sys.modules.get(FRENCH_EXCEPTIONS), "PERCORSO_STAND_IN", False)


STALE_AFTER = 24 * 3600.0
"""Seconds a build for other data is kept: other checkouts on the machine may still use it."""


def ensure_built(cache_dir: Path, languages: tuple[str, ...]) -> Path:
    """Return the directory with every requested language built, building what is missing.

    Each part is written to a temporary directory and renamed into place, so a crash or a
    concurrent build never leaves a half-written model behind.
    """
    root = cache_dir / cache_key()
    root.mkdir(parents=True, exist_ok=True)
    os.utime(root)  # in use now: the file system's clock, against which the others are aged
    for stale in cache_dir.iterdir():  # builds for data that no longer exists...
        # ...left alone for a day: another checkout may be building or using its own now.
        if stale.is_dir() and stale != root and _idle(stale, root) > STALE_AFTER:
            shutil.rmtree(stale, ignore_errors=True)
    parts: list[tuple[str, Callable[[Path], None]]] = [
        ("language", build_detector), ("places", build_gazetteer)]
    parts += [(lang, lambda tmp, lang=lang: build_language(lang, tmp)) for lang in languages]
    for name, build in parts:
        if (root / f"{name}.pickle").exists():
            continue
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
        try:
            build(tmp)
            for item in sorted(tmp.iterdir(), key=lambda p: p.suffix == ".pickle"):
                if not (root / item.name).exists():
                    os.replace(item, root / item.name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return root


def _idle(build: Path, current: Path) -> float:
    """Seconds between the last use of `build` and now (the time `current` was touched)."""
    return current.stat().st_mtime - build.stat().st_mtime
