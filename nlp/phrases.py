"""Activity phrases from an ESCO occupation description, for the languages with no ESCO skill
labels here (pt, it): "Os cozinheiros preparam e apresentam refeições de acordo com..." gives
"preparar e apresentar refeições". Built once, from the lookup lemmatizer's table.

ADAPTED BY PERCORSO: the phrases are cut from ESCO's descriptions and their verbs put in the
infinitive by this code; the Commission has not checked them.
"""

import re
from collections.abc import Callable

# Third-person verb endings (plural and singular), and the infinitives they come from. A noun
# never ends like a third-person verb and lemmatises to an infinitive at once.
VERB_ENDINGS = {"pt": ("am", "em", "êm", "õem", "a", "e", "i"),
                "it": ("ano", "ono", "a", "e")}
INFINITIVES = {"pt": ("ar", "er", "ir", "or"), "it": ("are", "ere", "ire", "rre")}
JOINERS = {"pt": {"e", "ou", ","}, "it": {"e", "ed", "o", ","}}
# Verbs that lead to the real one ("podem efetuar"): the infinitive after them is the activity.
AUXILIARIES = {"pt": {"poder", "dever", "ser", "estar", "ter", "haver"},
               "it": {"potere", "dovere", "essere", "stare", "avere"}}
MAX_OBJECT_WORDS = 3
_SENTENCES = re.compile(r"[.;:()]")
_TOKENS = re.compile(r"[\w’'-]+|,")


def _verb(token: str, lang: str, lemma_of: Callable[[str], str]) -> str | None:
    lemma = lemma_of(token)
    if lemma != token and token.endswith(VERB_ENDINGS[lang]) and lemma.endswith(INFINITIVES[lang]):
        return lemma
    return None


def _first_verb(tokens: list[str], lang: str, lemma_of: Callable[[str], str],
                function_words: frozenset[str]) -> int | None:
    """The first verb not right after a function word ("chefes de cozinha" is no verb), past
    any auxiliary ("podem efetuar" starts at "efetuar")."""
    after_auxiliary = False
    for position, token in enumerate(tokens):
        if after_auxiliary and token.endswith(INFINITIVES[lang]):
            return position
        verb = _verb(token, lang, lemma_of)
        if verb in AUXILIARIES[lang]:
            after_auxiliary = True
        elif verb is not None and token not in function_words and (
                position == 0 or tokens[position - 1] not in function_words):
            return position
    return None


def _phrase(tokens: list[str], start: int, lang: str, lemma_of: Callable[[str], str],
            function_words: frozenset[str]) -> str:
    """From the verb at `start`: the run of verbs joined by "e"/","", then its object."""
    out: list[str] = []
    i = start
    # An infinitive after an auxiliary is itself.
    out.append(_verb(tokens[start], lang, lemma_of) or tokens[start])
    i = start + 1
    while i + 1 < len(tokens) and tokens[i] in JOINERS[lang] and tokens[i + 1] not in (
            function_words) and (verb := _verb(tokens[i + 1], lang, lemma_of)):
        out += [tokens[i], verb]
        i += 2
    content = 0
    for token in tokens[i:]:
        if token == "," or (content and token in function_words and token not in JOINERS[lang]):
            break
        out.append(token)
        content += token not in function_words
        if content == MAX_OBJECT_WORDS:
            break
    while out and (out[-1] in function_words or out[-1] in JOINERS[lang]):
        out.pop()
    return " ".join(out).replace(" ,", ",")


def description_phrases(description: str, lang: str, lemma_of: Callable[[str], str],
                        function_words: frozenset[str]) -> list[str]:
    """One phrase per sentence (its first verb), in the description's order, without repeats."""
    phrases: dict[str, None] = {}
    for sentence in _SENTENCES.split(description.lower()):
        tokens = _TOKENS.findall(sentence)
        position = _first_verb(tokens, lang, lemma_of, function_words)
        if position is not None:
            phrase = _phrase(tokens, position, lang, lemma_of, function_words)
            if " " in phrase:
                phrases[phrase] = None
    return list(phrases)
