"""What the NLP layer understood of one message: plain data that the dialog engine reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

INTENTS = (
    "book", "cancel", "reschedule", "help", "human", "stop", "restart", "change_language",
    "my_data", "delete_data", "yes", "no", "greet", "other",
)
LANGUAGES = ("pt", "it", "en", "es", "fr")
PARTS_OF_DAY = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class Entity:
    type: str
    text: str
    value: Any


@dataclass(frozen=True)
class TaxonomyMatch:
    """An ESCO occupation or skill found in the text; `group`: ISCO-08 code, for occupations."""

    uri: str
    label: str
    score: float
    group: str | None = None


@dataclass(frozen=True)
class Place:
    """A place the text names: `name` as GeoNames writes it, `country` ISO 3166-1 alpha-2,
    `region` the first division (Portuguese district, Italian or French region, Spanish
    community), `area` the second (Portuguese concelho, province, département), `municipality`
    the concelho in Portugal and the place itself elsewhere; `score` 0..1, sure from
    nlp.places.SURE up."""

    name: str
    country: str
    region: str
    area: str
    municipality: str
    latitude: float
    longitude: float
    score: float

    @property
    def label(self) -> str:
        """"Matosinhos (Porto)", "Senhora da Hora (Matosinhos)", "Casalecchio di Reno
        (Emilia-Romagna)": a Portuguese parish by its concelho, others by their region."""
        within = self.area if self.country == "PT" and self.area != self.name else self.region
        return f"{self.name} ({within})" if within and within != self.name else self.name


@dataclass(frozen=True)
class Understanding:
    lang: str
    intent: str = "other"
    confidence: float = 0.0
    detected_lang: str | None = None
    entities: tuple[Entity, ...] = ()
    occupations: tuple[TaxonomyMatch, ...] = ()
    # What the person did in the best occupation: its ESCO skills (en, es, fr: skill URIs), or
    # phrases of its ESCO description (pt, it: the occupation's URI
    # with a #description-N fragment), said or most telling.
    activities: tuple[TaxonomyMatch, ...] = ()
    skills: tuple[TaxonomyMatch, ...] = ()
    datetime: datetime | None = None
    part_of_day: str | None = None
    places: tuple[Place, ...] = ()  # best first; only for a short text that names a place
