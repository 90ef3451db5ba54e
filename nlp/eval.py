"""`percorso nlu eval`: the models against the project's labelled sets, training and held-out.

Intents are learnt from the training part only; the date, occupation and skill rules were
written looking at the training part only. The held-out part measures what users will see.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nlp import resources
from nlp.pipeline import Pipeline, load
from nlp.places import SURE
from nlp.understanding import INTENTS, LANGUAGES

SPLITS = ("training", "heldout")
DEFAULT_NOW = "2026-03-28T09:00:00"
DEFAULT_TZ = "Europe/Lisbon"


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.right}/{self.total})"


def _intent_cases(split: str, lang: str) -> tuple[tuple[str, str], ...]:
    if split == "training":
        return resources.intent_data(lang).training
    return resources.heldout_intents(lang)


def intent_report(pipeline: Pipeline) -> list[str]:
    lines = ["## Intents (accuracy)", "", "| language | training | held-out | language id "
             "held-out: right / unsure / wrong |", "| --- | --- | --- | --- |"]
    per_intent: dict[str, Score] = defaultdict(Score)
    for lang in LANGUAGES:
        scores = {}
        for split in SPLITS:
            score = Score()
            for text, expected in _intent_cases(split, lang):
                got = pipeline.parse(text, lang, *_when({})).intent
                score.add(got == expected)
                if split == "heldout":
                    per_intent[expected].add(got == expected)
            scores[split] = score
        detected = Counter(pipeline.detect_language(text) for text, _ in
                           _intent_cases("heldout", lang))
        unsure = detected[None]
        wrong = sum(n for found, n in detected.items() if found not in (lang, None))
        lines.append(f"| {lang} | {scores['training']} | {scores['heldout']} | "
                     f"{detected[lang]} / {unsure} / {wrong} |")
    lines += ["", "| intent | held-out, all languages |", "| --- | --- |"]
    lines += [f"| {intent} | {per_intent[intent]} |" for intent in INTENTS]
    return lines


def _when(case: dict[str, Any]) -> tuple[str, datetime]:
    """The zone and the moment a labelled case was written at (fixed: the scores never depend
    on the day they are computed)."""
    return case.get("tz", DEFAULT_TZ), datetime.fromisoformat(str(case.get("now", DEFAULT_NOW)))


def date_report(pipeline: Pipeline) -> list[str]:
    lines = ["## Dates (exact datetime and part of day)", "", "| language | training | held-out |",
             "| --- | --- | --- |"]
    misses = []
    by_lang: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for split in SPLITS:
        for case in resources.labelled(split, "dates"):
            u = pipeline.parse(case["text"], case["lang"], *_when(case))
            got = u.datetime.isoformat() if u.datetime else None
            ok = got == case.get("datetime") and u.part_of_day == case.get("part_of_day")
            by_lang[case["lang"]][split].add(ok)
            by_lang["all"][split].add(ok)
            if not ok and split == "heldout":
                misses.append(f"- {case['lang']} `{case['text']}`: got {got} {u.part_of_day}")
    for lang in (*LANGUAGES, "all"):
        lines.append(f"| {lang} | {by_lang[lang]['training']} | {by_lang[lang]['heldout']} |")
    return lines + (["", "Held-out misses:", *misses] if misses else [])


def _groups_hit(case: dict[str, Any], groups: list[str | None]) -> bool:
    wanted = {str(g)[:3] for g in case.get("groups", ())}
    return any(g is not None and g[:3] in wanted for g in groups)


def occupation_report(pipeline: Pipeline) -> list[str]:
    lines = ["## Occupations (ISCO 3-digit group among the top 3)", "",
             "| split | top-3 group hit (recall) | precision of top 3 | no-job texts matched |",
             "| --- | --- | --- | --- |"]
    misses = []
    for split in SPLITS:
        hit, precision, false_alarm = Score(), Score(), Score()
        for case in resources.labelled(split, "occupations"):
            top = pipeline.parse(case["text"], case["lang"], *_when(case)).occupations[:3]
            if not case.get("groups"):
                false_alarm.add(bool(top))
                continue
            ok = _groups_hit(case, [m.group for m in top])
            hit.add(ok)
            for m in top:
                precision.add(_groups_hit(case, [m.group]))
            if not ok and split == "heldout":
                got = ", ".join(f"{m.label} {m.group}" for m in top) or "nothing"
                misses.append(f"- {case['lang']} `{case['text']}`: got {got}")
        lines.append(f"| {split} | {hit} | {precision} | {false_alarm} |")
    return lines + (["", "Held-out misses:", *misses] if misses else [])


def skill_report(pipeline: Pipeline) -> list[str]:
    lines = ["## Transversal skills", "", "| split | precision | recall |", "| --- | --- | --- |"]
    for split in SPLITS:
        precision, recall = Score(), Score()
        for case in resources.labelled(split, "skills"):
            wanted = set(case.get("skills", ()))
            got = {m.uri.rsplit("/", 1)[-1][:8] for m in
                   pipeline.parse(case["text"], case["lang"], *_when(case)).skills}
            for uri in got:
                precision.add(uri in wanted)
            for uri in wanted:
                recall.add(uri in got)
        lines.append(f"| {split} | {precision} | {recall} |")
    return lines


def place_report(pipeline: Pipeline) -> list[str]:
    """Places: is the right place first, is it kept at once (sure) or asked about, and is a
    wrong place ever kept (the one outcome a person cannot easily undo)."""
    lines = ["## Places (where the person lives)", "",
             "| split | right place first | kept at once, right | kept wrong | asked about "
             "(typo, homonym) | no place: nothing kept |", "| --- | --- | --- | --- | --- | --- |"]
    misses = []
    for split in SPLITS:
        first, kept, wrong, asked, none = Score(), Score(), Score(), Score(), Score()
        for case in resources.labelled(split, "places"):
            places = pipeline.parse(case["text"], case["lang"], *_when(case)).places
            best = places[0] if places else None
            sure = best is not None and best.score >= SURE
            if case.get("place") is None:
                none.add(not sure)
                continue
            # A Portuguese case may name the concelho too: the intake record keeps it, and a
            # parish near a border was given the neighbouring one.
            right = best is not None and (best.name, best.country) == (case["place"],
                                                                       case["country"])
            right = right and case.get("municipality", best.municipality) == best.municipality
            first.add(right)
            kept.add(right and sure)
            wrong.add(sure and not right)
            asked.add(best is not None and not sure)
            if split == "heldout" and not (right and (sure or not case.get("sure", True))):
                got = f"{best.label} {best.score}" if best else "nothing"
                misses.append(f"- {case['lang']} `{case['text']}`: {got}")
        lines.append(f"| {split} | {first} | {kept} | {wrong} | {asked} | {none} |")
    return lines + (["", "Held-out: not the right place, or asked where a keep was labelled:",
                     *misses] if misses else [])


def run_eval(cache_dir: Path | None = None) -> str:
    pipeline = load(LANGUAGES, cache_dir)
    sections = [intent_report(pipeline), date_report(pipeline), occupation_report(pipeline),
                skill_report(pipeline), place_report(pipeline)]
    return "\n".join(["# percorso nlu eval", ""] + [line for s in sections for line in [*s, ""]])
