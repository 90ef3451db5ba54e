"""Turn lemmatised tokens into the folded keys that taxonomy labels and messages are compared on."""

from functools import cache

import spacy
from spacy.tokens import Doc

from nlp.text import fold, words


@cache
def function_words(lang: str) -> frozenset[str]:
    """Short stop words only: longer ones ("apoio", "sistema") carry meaning in job titles."""
    stop_words = spacy.util.get_lang_class(lang).Defaults.stop_words
    return frozenset(fold(w, lang) for w in stop_words if len(w) <= 4)


def token_keys(text: str, lemma: str, lang: str) -> tuple[list[str], list[str]]:
    """Keys of one token: from its lemma, and from its surface form when that differs."""
    stop = function_words(lang)
    lemma_keys = [w for w in words(fold(lemma, lang)) if len(w) > 1 and w not in stop]
    surface_keys = [w for w in words(fold(text, lang)) if len(w) > 1 and w not in stop]
    return lemma_keys, surface_keys


def label_keys(doc: Doc, lang: str) -> tuple[str, ...]:
    """Keys of a label, in order, without repeats: what a message must contain to match it."""
    keys: dict[str, None] = {}
    for token in doc:
        for key in token_keys(token.text, token.lemma_, lang)[0]:
            keys[key] = None
    return tuple(keys)


def message_keys(doc: Doc, lang: str) -> set[str]:
    keys: set[str] = set()
    for token in doc:
        lemma_keys, surface_keys = token_keys(token.text, token.lemma_, lang)
        keys.update(lemma_keys)
        keys.update(surface_keys)
    return keys
