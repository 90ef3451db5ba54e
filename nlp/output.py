"""The JSON shape of `percorso nlu parse`: a stable contract for scripts and tests outside."""

from typing import Any
from zoneinfo import ZoneInfo

from nlp.understanding import TaxonomyMatch, Understanding


def _match(m: TaxonomyMatch, with_group: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"uri": m.uri, "label": m.label, "score": round(m.score, 3)}
    if with_group:
        out["group"] = m.group
    return out


def understanding_to_json(u: Understanding, tz: str) -> dict[str, Any]:
    moment = u.datetime.astimezone(ZoneInfo(tz)).isoformat() if u.datetime else None
    return {
        "lang": u.lang,
        "detected_lang": u.detected_lang,
        "intent": u.intent,
        "confidence": round(u.confidence, 3),
        "entities": [{"type": e.type, "text": e.text, "value": e.value} for e in u.entities],
        "occupations": [_match(m, True) for m in u.occupations],
        "activities": [_match(m, False) for m in u.activities],
        "skills": [_match(m, False) for m in u.skills],
        "datetime": moment,
        "part_of_day": u.part_of_day,
        "places": [
            {"name": p.name, "country": p.country, "region": p.region, "area": p.area,
             "municipality": p.municipality, "latitude": p.latitude, "longitude": p.longitude,
             "score": p.score}
            for p in u.places
        ],
    }
