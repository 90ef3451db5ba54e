"""Turning the answers of a completed intake into the typed intake record."""

from dialogs.loader import intake_flow
from dialogs.model import DialogState, IntakeCompleted
from dialogs.render import describe
from storage.models import Identity, Intake

SUMMARY_FIELDS = ("municipality", "age_band", "unemployed_since", "isced", "goal")
PLAIN_COLUMNS = (
    "municipality",
    "age_band",
    "unemployed_since",
    "benefits",
    "isced",
    "experience_text",
    "digital_skills",
    "driving_licence",
    "mobility",
    "caring_duties",
    "goal",
)


def intake_from(
    event: IntakeCompleted, identity: Identity, session: DialogState, notice_version: str
) -> Intake:
    answers = event.answers
    return Intake(
        person_id=identity.person_id,
        channel=identity.channel,
        lang=session.lang,
        started_at=event.started_at,
        completed_at=event.completed_at,
        **{column: answers.get(column) for column in PLAIN_COLUMNS},
        languages=spoken_languages(answers),
        availability=list(answers.get("availability") or []),
        occupations=_understood(answers, "occupation"),
        skills=_understood(answers, "skill"),
        track=event.track,
        track_reason=event.track_reason,
        consent_version=notice_version,
    )


def spoken_languages(answers: dict) -> list[dict[str, str]]:
    """The first language as "native", each other at the CEFR band the person gave for it (an
    intake begun before levels were asked per language has one band for all)."""
    spoken = []
    if answers.get("mother_tongue"):
        spoken.append({"code": answers["mother_tongue"], "level": "native"})
    levels = answers.get("language_level") or ""
    for code in answers.get("other_languages") or []:
        if code != "none" and code != answers.get("mother_tongue"):
            level = levels.get(code, "") if isinstance(levels, dict) else levels
            spoken.append({"code": code, "level": level})
    return spoken


def _understood(answers: dict, kind: str) -> list[dict[str, str]]:
    """The ESCO concepts of one kind that the person confirmed, as {uri, label}."""
    found = answers.get("found") or []
    return [{"uri": f["uri"], "label": f["label"]} for f in found if f["kind"] == kind]


def one_line_summary(intake: Intake, lang: str, first_name: str | None = None) -> str:
    """What a counselor reads first, in words and in the counselor's language: the person's
    name, where, age, how long without work, school, goal, the track and the experience as
    understood."""
    flow = intake_flow()
    catalogue = flow.catalogues.get(lang) or flow.catalogues[flow.default_lang]
    texts = catalogue.texts
    parts = [first_name] + [
        f"{texts[f'field.{name}']}: {describe(flow, catalogue, name, getattr(intake, name))}"
        for name in SUMMARY_FIELDS
        if getattr(intake, name) is not None
    ]
    if intake.track:
        parts.append(f"{texts['field.track']}: {texts[f'track.{intake.track}']}")
    understood = "; ".join(o["label"] for o in [*intake.occupations, *intake.skills])
    if understood:
        parts.append(f"{texts['field.found']}: {understood}")
    return " · ".join(p for p in parts if p)
