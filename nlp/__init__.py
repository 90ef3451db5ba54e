"""Natural-language understanding for percorso: load once with `load()`, then `parse()`.

This service uses the ESCO classification of the European Commission.
"""

from nlp.output import understanding_to_json
from nlp.pipeline import Pipeline, load
from nlp.understanding import INTENTS, LANGUAGES, PARTS_OF_DAY, Entity, TaxonomyMatch, Understanding

__all__ = [
    "INTENTS", "LANGUAGES", "PARTS_OF_DAY", "Entity", "Pipeline", "TaxonomyMatch", "Understanding",
    "load", "understanding_to_json",
]
