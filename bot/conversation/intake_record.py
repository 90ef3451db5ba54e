"""Turning the answers of a completed intake into the typed intake record."""

from dialogs.model import DialogState, IntakeCompleted
from storage.models import Identity, Intake

PLAIN_COLUMNS = (
    "municipality", "age_band", "unemployed_since", "benefits", "isced", "experience_text",
    "digital_skills", "driving_licence", "mobility", "caring_duties", "goal",
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
    """The first language as "native", the others at the CEFR band the person gave."""
    spoken = []
    if answers.get("mother_tongue"):
        spoken.append({"code": answers["mother_tongue"], "level": "native"})
    level = answers.get("language_level") or ""
    for code in answers.get("other_languages") or []:
        if code != "none" and code != answers.get("mother_tongue"):
            spoken.append({"code": code, "level": level})
    return spoken


def _understood(answers: dict, kind: str) -> list[dict[str, str]]:
    """The ESCO concepts of one kind that the person confirmed, as {uri, label}."""
    found = answers.get("found") or []
    return [{"uri": f["uri"], "label": f["label"]} for f in found if f["kind"] == kind]


def one_line_summary(intake: Intake) -> str:
    """What a counselor reads first: where, age, how long without work, goal and experience."""
    understood = ", ".join(o["label"] for o in [*intake.occupations, *intake.skills])
    parts = [
        intake.municipality,
        intake.age_band,
        f"unemployed: {intake.unemployed_since}" if intake.unemployed_since else None,
        f"ISCED {intake.isced}" if intake.isced is not None else None,
        f"goal: {intake.goal}" if intake.goal else None,
        f"track: {intake.track}" if intake.track else None,
        understood or None,
    ]
    return " · ".join(p for p in parts if p)
