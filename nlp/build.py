"""Build what parsing needs, once, into a cache directory keyed by a hash of the data.

For all languages: the language detector, the gazetteer of places and the names of languages.
Per language: the spaCy pipeline (tokenizer, lookup lemmatizer pruned to the words the matchers
use, trained textcat) and the pickled occupation and skill indexes. Building takes seconds per
language; loading the result takes a fraction of one.
"""

import os
import pickle
import shutil
import sys
import tempfile
import types
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.util import load_language_data, registry

from nlp import resources
from nlp.activities import OPTIONAL_SKILL_WEIGHT, Activity, ActivityIndex
from nlp.intents import TEXTCAT_CONFIG, train_textcat
from nlp.keys import label_keys
from nlp.language import LanguageDetector
from nlp.language_names import LanguageNames
from nlp.phrases import description_phrases
from nlp.places import Gazetteer
from nlp.skills import SkillMatcher, parse_trigger
from nlp.taxonomy import Concept, LabelIndex
from nlp.text import fold, words
from nlp.understanding import LANGUAGES

# Bump when the build code changes in a way the data hash cannot see.
BUILD_VERSION = "8"
PREFERRED, PHRASE, ALTERNATIVE, HIDDEN = 1.0, 0.97, 0.95, 0.9


@dataclass(frozen=True)
class LanguageAssets:
    occupations: LabelIndex
    activities: ActivityIndex
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
    lemmas = {
        form: lemma if isinstance(lemma, str) else lemma[0]
        for form, lemma in table.items()
        if form.islower()
    }
    return {**lemmas, **resources.lemma_fixes(lang)}


def _keys_function(
    nlp: Language, lang: str, lemmas: dict[str, str]
) -> Callable[[str], tuple[str, ...]]:
    """What the lookup lemmatizer does, straight from the full table, for indexing labels.

    The keys are interned: one string per word, shared by every label, posting and activity
    that holds it (pickle writes a shared object once, so the loaded indexes share it too).
    """

    def keys_of(text: str) -> tuple[str, ...]:
        doc = nlp.make_doc(text.lower())
        for token in doc:
            token.lemma_ = lemmas.get(token.text, token.text)
        return tuple(map(sys.intern, label_keys(doc, lang)))

    return keys_of


def _occupation_index(
    lang: str,
    rows: list[resources.OccupationRow],
    concepts: list[Concept],
    keys_of: Callable[[str], tuple[str, ...]],
) -> LabelIndex:
    position = {r.uri: i for i, r in enumerate(rows)}
    labels = []
    for i, row in enumerate(rows):
        for text in row.preferred.split("/"):
            labels.append((i, keys_of(text), PREFERRED))
        labels += [(i, keys_of(text), ALTERNATIVE) for text in row.alt]
        labels += [(i, keys_of(text), HIDDEN) for text in row.hidden]
    for entry in resources.yaml_file(resources.DATA_DIR / "occupation_phrases.yaml")["phrases"]:
        labels += [(position[entry["uri"]], keys_of(text), PHRASE) for text in entry.get(lang, ())]
    return LabelIndex.build(concepts, labels, head_last=lang == "en")


Keys = Callable[[str], tuple[str, ...]]


def _activity_index(
    lang: str,
    rows: list[resources.OccupationRow],
    concepts: list[Concept],
    keys_of: Keys,
    lemmas: dict[str, str],
) -> ActivityIndex:
    documents = []
    for row in rows:
        document: Counter[str] = Counter(keys_of(row.description))
        for text in (*row.preferred.split("/"), *row.alt):
            document.update(keys_of(text))
        documents.append(document)
    if lang in resources.skill_languages():
        pool, activities = _skill_activities(lang, rows, keys_of, documents)
    else:
        pool, activities = _description_activities(lang, rows, keys_of, lemmas)
    return ActivityIndex.build(concepts, documents, pool, activities)


def _skill_activities(
    lang: str,
    rows: list[resources.OccupationRow],
    keys_of: Keys,
    documents: list[Counter[str]],
) -> tuple[list[Activity], list[tuple[int, ...]]]:
    """The skills an occupation needs join its document; its essential ones are its activities,
    those that share most words with its description first."""
    skills = resources.skills(lang)
    position = {s.uri: i for i, s in enumerate(skills)}
    en_uris = [s.uri for s in resources.skills("en")]
    pool = []
    for skill in skills:
        keys = dict.fromkeys(k for text in (skill.preferred, *skill.alt) for k in keys_of(text))
        pool.append(Activity(skill.uri, skill.preferred, tuple(keys)))
    needed = resources.occupation_skills()
    activities = []
    for row, document in zip(rows, documents, strict=True):
        relations = needed.get(row.uri, resources.NeededSkills((), ()))
        essential = [position[en_uris[p]] for p in relations.essential if en_uris[p] in position]
        optional = [position[en_uris[p]] for p in relations.optional if en_uris[p] in position]
        for skill in essential:
            document.update(pool[skill].keys)
        for skill in optional:
            document.update(dict.fromkeys(pool[skill].keys, OPTIONAL_SKILL_WEIGHT))
        described = set(keys_of(row.description))
        essential.sort(key=lambda s: -len(described.intersection(pool[s].keys)))
        activities.append(tuple(essential))
    return pool, activities


def _description_activities(
    lang: str,
    rows: list[resources.OccupationRow],
    keys_of: Keys,
    lemmas: dict[str, str],
) -> tuple[list[Activity], list[tuple[int, ...]]]:
    stop_words = frozenset(spacy.util.get_lang_class(lang).Defaults.stop_words)
    pool: list[Activity] = []
    activities = []
    for row in rows:
        phrases = description_phrases(row.description, lang, lambda w: lemmas.get(w, w), stop_words)
        activities.append(tuple(range(len(pool), len(pool) + len(phrases))))
        # A fragment of the occupation's URI: the phrase is part of its description, no skill.
        pool += [
            Activity(f"{row.uri}#description-{i}", phrase, keys_of(phrase))
            for i, phrase in enumerate(phrases, 1)
        ]
    return pool, activities


def _skill_matcher(lang: str, keys_of: Callable[[str], tuple[str, ...]]) -> SkillMatcher:
    esco = resources.transversal_skills_en()
    adapted = resources.yaml_file(resources.DATA_DIR / "transversal_skills_adapted.yaml")
    concepts, triggers = [], []
    for entry in adapted["skills"]:
        label = esco[entry["uri"]][0] if lang == "en" else entry["labels"][lang]
        concepts.append(Concept(entry["uri"], label))
        triggers += [
            parse_trigger(len(concepts) - 1, pattern, keys_of)
            for pattern in entry["triggers"].get(lang, ())
        ]
    labels = None
    if lang == "en":
        # ESCO's English labels say what a skill is; only multi-word ones are specific enough.
        all_concepts = [Concept(uri, preferred) for uri, (preferred, _alt) in esco.items()]
        pairs = [
            (i, keys_of(text), PREFERRED)
            for i, (uri, (pref, alt)) in enumerate(esco.items())
            for text in (pref, *alt)
            if uri
        ]
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
    used.update(term for term in assets.activities.terms if not term.startswith("~"))
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
    vocabulary = frozenset(
        w for text, intent in data.training if intent != "other" for w in words(fold(text, lang))
    )
    rows = resources.occupations(lang)
    # One list of occupations for both indexes: pickled once, loaded once.
    concepts = [Concept(r.uri, r.preferred, r.group) for r in rows]
    assets = LanguageAssets(
        _occupation_index(lang, rows, concepts, keys_of),
        _activity_index(lang, rows, concepts, keys_of, lemmas),
        _skill_matcher(lang, keys_of),
        vocabulary,
        data.keywords,
    )
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


def build_language_names(target: Path) -> None:
    with open(target / "language_names.pickle", "wb") as f:
        pickle.dump(LanguageNames.load(), f, protocol=pickle.HIGHEST_PROTOCOL)


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
        ("language", build_detector),
        ("places", build_gazetteer),
        ("language_names", build_language_names),
    ]
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
